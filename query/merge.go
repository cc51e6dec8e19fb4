package query

import (
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// merged are the groups of an aggregate query, merged from every part by
// key without making their key values: each key's values are numbered
// once for the query (keyNumbers), a group is the tuple of its keys'
// numbers, and each aggregate's states are a plugins.Table indexed by
// group. A part's key ids are renumbered through a table filled as they
// are met, so that a value is looked up once a part, however many of the
// part's groups hold it.
type merged struct {
	keys   []keyNumbers
	index  tuples   // the groups by tuple
	nums   []uint32 // group g's number of key i at g*len(keys)+i
	tables []plugins.Table
	n      int        // groups
	total  int        // groups dropped by flush
	cur    []uint32   // scratch: the tuple being found
	remaps [][]uint32 // by key: a part's id → number + 1, 0 until met
	// bytes is the memory of the key numbers, for the
	// memory limit (the tables say theirs).
	bytes int64
}

// keyNumbers numbers the values of one key: a time bucket by its
// number, a text field's value by the store's numbering of the field
// (engine.Numbering, whose tables renumber a part's ids at once), any
// other value by its text (as the values that group together are those
// that print the same).
type keyNumbers struct {
	bin     int64 // the bin's length, for a bin key
	buckets map[int64]uint32
	bucket  []int64 // a bin key's bucket by number
	col     *engine.Column
	global  *engine.Numbering
	texts   map[string]uint32
	vals    []result.Value
}

// value returns the value numbered n.
func (kn *keyNumbers) value(n uint32) result.Value {
	if kn.global != nil {
		return kn.col.NumberedValue(kn.global, n)
	}
	return kn.vals[n]
}

// numbered reports whether a key's values are numbered by the store's
// numbering: a text field of one value or a list, with a dictionary.
func numbered(k *key) bool {
	return k.fn == nil && k.bin == 0 && k.col.HasDict() && k.col.DictKind == index.DictString &&
		(k.kind == signin.KindString || k.kind == signin.KindList)
}

// remapMax is the largest id space of a part's key renumbered through a
// table; larger ones (a bin of a millisecond over a day) look each
// group's value up.
const remapMax = 1 << 22

func newMerged(plan *Plan, snap *engine.Snapshot) *merged {
	m := &merged{cur: make([]uint32, len(plan.keys)), remaps: make([][]uint32, len(plan.keys)), index: tuples{width: len(plan.keys)}}
	for _, k := range plan.keys {
		kn := keyNumbers{bin: k.bin, col: k.col}
		switch {
		case k.bin != 0:
			kn.buckets = map[int64]uint32{}
		case numbered(k):
			kn.global = snap.Numbering(k.col)
		default:
			kn.texts = map[string]uint32{}
		}
		m.keys = append(m.keys, kn)
	}
	m.tables = newTables(plan)
	return m
}

// newTables returns a table for each of the plan's aggregates.
func newTables(plan *Plan) []plugins.Table {
	var ts []plugins.Table
	for _, a := range plan.aggs {
		ts = append(ts, newTable(a))
	}
	return ts
}

// newTable returns an aggregate's table: its own when it has one, else
// one of its partials.
func newTable(a *aggSpec) plugins.Table {
	f := fieldOf(a.field)
	if t, ok := a.agg.(plugins.Tabler); ok {
		return t.NewTable(f)
	}
	return &partialTable{agg: a.agg, in: plugins.Input{Field: f, Dict: a.field.EmptyDict()}}
}

// fold merges a part's groups, calling check every mergeCheck groups.
func (m *merged) fold(pg *partGroups, check func() error) error {
	gr := pg.gr
	for i := range m.keys {
		m.remaps[i] = m.remaps[i][:0]
		if pg.numbers[i] != nil {
			continue // the store's numbering renumbers them
		}
		if n := gr.keys[i].space(); n <= remapMax {
			if cap(m.remaps[i]) < n {
				m.remaps[i] = make([]uint32, n)
			} else {
				m.remaps[i] = m.remaps[i][:n]
				clear(m.remaps[i])
			}
		}
	}
	for gi := range gr.len() {
		g := uint32(gi)
		if pg.done != nil && pg.done[g] {
			continue // finished in its part
		}
		for i := range m.keys {
			id := gr.id(g, i)
			if t := pg.numbers[i]; int(id) < len(t) {
				m.cur[i] = t[id] // the store's numbering
				continue
			}
			if r := m.remaps[i]; int(id) < len(r) {
				if r[id] == 0 {
					r[id] = m.number(i, &gr.keys[i], id) + 1
				}
				m.cur[i] = r[id] - 1
			} else {
				m.cur[i] = m.number(i, &gr.keys[i], id)
			}
		}
		dst := m.find()
		for j, t := range m.tables {
			t.Fold(dst, pg.accs[j], g)
		}
		if gi%mergeCheck == mergeCheck-1 {
			if err := check(); err != nil {
				return err
			}
		}
	}
	return check()
}

// number returns key i's number of a part's id.
func (m *merged) number(i int, pk *partKey, id uint32) uint32 {
	kn := &m.keys[i]
	if kn.bin != 0 {
		b := pk.base + int64(id)
		n, ok := kn.buckets[b]
		if !ok {
			n = uint32(len(kn.vals))
			kn.buckets[b] = n
			kn.bucket = append(kn.bucket, b)
			kn.vals = append(kn.vals, pk.value(id))
			m.bytes += mapEntryBytes(8+4) + valueBytes + 8
		}
		return n
	}
	return m.numberOf(i, pk.value(id))
}

// numberOf returns key i's number of a value.
func (m *merged) numberOf(i int, v result.Value) uint32 {
	kn := &m.keys[i]
	if kn.bin != 0 {
		b := floorDiv(v.Int(), kn.bin)
		if n, ok := kn.buckets[b]; ok {
			return n
		}
		n := uint32(len(kn.vals))
		kn.buckets[b] = n
		kn.bucket = append(kn.bucket, b)
		kn.vals = append(kn.vals, v)
		m.bytes += mapEntryBytes(8+4) + valueBytes + 8
		return n
	}
	s := v.String()
	if kn.global != nil {
		return kn.global.Number(s)
	}
	n, ok := kn.texts[s]
	if !ok {
		n = uint32(len(kn.vals))
		kn.texts[s] = n
		kn.vals = append(kn.vals, v)
		m.bytes += mapEntryBytes(16+4) + stringBytes(len(s)) + valueBytes + valueDataBytes(v)
	}
	return n
}

// find returns the group of the tuple in m.cur, making it if new: a new
// group is the next number, which the caller folds into every table.
func (m *merged) find() uint32 {
	if len(m.keys) == 0 {
		if m.n == 0 {
			m.n = 1
		}
		return 0
	}
	g, isNew := m.index.find(m.cur, m.nums, uint32(m.n))
	if isNew {
		m.nums = append(m.nums, m.cur...)
		m.n++
	}
	return g
}

// flush gives done each group whose bucket of bin key bi is before
// before, and drops them, keeping the others (renumbered in order).
func (m *merged) flush(bi int, before int64, done func(g uint32) error) error {
	w, kn := len(m.keys), &m.keys[bi]
	var keep []uint32
	for g := range m.n {
		if kn.bucket[m.nums[g*w+bi]] >= before {
			keep = append(keep, uint32(g))
		} else if err := done(uint32(g)); err != nil {
			return err
		}
	}
	if len(keep) == m.n {
		return nil
	}
	for _, t := range m.tables {
		t.Keep(keep)
	}
	for i, g := range keep {
		copy(m.nums[i*w:(i+1)*w], m.nums[int(g)*w:int(g+1)*w])
	}
	m.total += m.n - len(keep)
	m.nums, m.n = m.nums[:len(keep)*w], len(keep)
	m.index.rebuild(m.nums, len(m.index.slots))
	return nil
}

// add makes a group of no sign-ins with the given key values, unless
// one has them; it reports whether it made one.
func (m *merged) add(key []result.Value) bool {
	for i, v := range key {
		m.cur[i] = m.numberOf(i, v)
	}
	before := m.n
	dst := m.find()
	if m.n == before {
		return false
	}
	for _, t := range m.tables {
		t.Fold(dst, nil, 0)
	}
	return true
}

// key returns group g's key values, into out.
func (m *merged) key(g uint32, out []result.Value) []result.Value {
	out = out[:0]
	for i := range m.keys {
		out = append(out, m.keys[i].value(m.nums[int(g)*len(m.keys)+i]))
	}
	return out
}

// size is the memory the merged groups hold, tables aside.
func (m *merged) size() int64 {
	n := m.bytes + int64(cap(m.nums))*4 + m.index.size()
	for _, r := range m.remaps {
		n += int64(cap(r)) * 4
	}
	return n
}

// space returns the number of ids a part's key gives its values: what a
// table renumbering them needs.
func (k *partKey) space() int {
	switch {
	case k.k.fn != nil:
		return len(k.fvals)
	case k.k.bin != 0 || k.dict != nil || k.card == 1:
		return int(min(k.card, remapMax+1))
	case k.ints != nil:
		return len(k.ivs)
	}
	return len(k.svs)
}

// partialTable is the table of an aggregate that has none: a partial per
// group, merged as the parts come.
type partialTable struct {
	agg plugins.Aggregate
	in  plugins.Input // for a group of no sign-ins
	ps  []plugins.Partial
	// bytes is the partials' sizes, kept as they merge.
	bytes int64
}

func (t *partialTable) Fold(dst uint32, acc plugins.Acc, g uint32) {
	if acc == nil {
		acc, g = t.agg.NewAcc(t.in), 0
	}
	if int(dst) == len(t.ps) {
		p := acc.Partial(g)
		t.ps = append(t.ps, p)
		t.bytes += int64(p.Size())
		return
	}
	p := t.ps[dst]
	before := p.Size()
	if mg, ok := acc.(plugins.Merger); ok {
		mg.MergeInto(g, p)
	} else {
		p.Merge(acc.Partial(g))
	}
	t.bytes += int64(p.Size() - before)
}

func (t *partialTable) Value(g uint32) (result.Value, error) {
	p := t.ps[g]
	if f, ok := p.(plugins.Failer); ok {
		if err := f.Err(); err != nil {
			return result.Value{}, err
		}
	}
	return p.Value(), nil
}

func (t *partialTable) Keep(groups []uint32) {
	j := 0
	for i, p := range t.ps {
		if j < len(groups) && groups[j] == uint32(i) {
			t.ps[j] = p
			j++
		} else {
			t.bytes -= int64(p.Size())
		}
	}
	clear(t.ps[len(groups):])
	t.ps = t.ps[:len(groups)]
}

func (t *partialTable) Size() int64 { return int64(cap(t.ps))*16 + t.bytes }
