package aggregate

import (
	"math/bits"
	"slices"
	"unsafe"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// distinctAcc gathers the distinct present values of a field per group,
// for dcount, dcountif and values: a set of numbers per group (idSet),
// sized to the group. With a dictionary the numbers are the values'
// dictionary ids, decoded once a value when merged; without one, the
// accumulator numbers the values' text itself.
type distinctAcc struct {
	col  *engine.Column // the field's (or its vectors'), to decode its ids
	dict *index.Dict    // the part's dictionary of the field; nil: number the text
	// The store's numbering of the field's texts, and of the dictionary's
	// ids (plugins.Input); nil when the field has none.
	numbering *engine.Numbering
	numbers   []uint32
	local     map[string]uint32 // without a dictionary: each value's number
	texts     []string          // without a dictionary: the values numbered
	sets      []idSet           // by group
	room      int               // bitset words the sets may still take
	ids       []uint32          // a row's ids, reused
	vals      []result.Value    // a row's values, reused
	// bytes is the memory of the sets' numbers and of the local
	// numbering, for Size.
	bytes int64
}

var (
	_ plugins.Sizer  = (*distinctAcc)(nil)
	_ plugins.Merger = (*distinctAcc)(nil)
)

func newDistinctAcc(in plugins.Input) *distinctAcc {
	a := &distinctAcc{dict: in.Dict, room: maxBitsetWords, numbering: in.Numbering, numbers: in.Numbers}
	if a.dict == nil {
		a.numbering, a.numbers = nil, nil // numbers of the text it numbers itself
	}
	if in.Field != nil {
		a.col = engine.LookupColumn(in.Field.Name)
	}
	return a
}

func (a *distinctAcc) Add(groups, rows []uint32, col *engine.Vector) {
	if col == nil || col.Absent {
		return
	}
	// The ids are decoded by the vector's column: the field's, or the
	// column of a function's values the query made (dcount(date(time))),
	// which the catalog does not know.
	a.col = col.Column
	if a.dict == nil {
		if a.local == nil {
			a.local = map[string]uint32{}
		}
		for i, r := range rows {
			a.vals = col.AppendValues(a.vals[:0], nil, r)
			for _, v := range a.vals {
				s := v.String()
				id, ok := a.local[s]
				if !ok {
					id = uint32(len(a.texts))
					a.local[s] = id
					a.texts = append(a.texts, s)
					a.bytes += plugins.MapEntryBytes(16+4) + 16 + plugins.StringBytes(len(s))
				}
				a.add(groups[i], id)
			}
		}
		return
	}
	for i, r := range rows {
		a.ids = col.AppendIDs(a.ids[:0], a.dict, r)
		for _, id := range a.ids {
			a.add(groups[i], id)
		}
	}
}

// add adds value id to group g.
func (a *distinctAcc) add(g, id uint32) {
	if int(g) >= len(a.sets) {
		a.sets = grown(a.sets, g)
	}
	a.bytes += a.sets[g].add(id, &a.room)
}

// maxBitsetWords bounds the memory of a part's bitsets (8 MiB): they are
// dropped once the part is merged, and garbage until collected, so that
// a part of many large groups of a field of many values keeps roaring
// bitmaps instead.
const maxBitsetWords = 1 << 20

// maxTableWords bounds the memory of the merged groups' bitsets (32 MiB)
// likewise.
const maxTableWords = 1 << 22

// Size counts the sets and the local numbering.
func (a *distinctAcc) Size() int64 { return int64(cap(a.sets))*setBytes + a.bytes }

// text returns the value numbered id, as text.
func (a *distinctAcc) text(id uint32) string {
	if a.dict == nil {
		return a.texts[id]
	}
	return a.col.DictValue(a.dict, id).String()
}

// each calls fn with each of group g's distinct values as text.
func (a *distinctAcc) each(g uint32, fn func(s string)) {
	if int(g) < len(a.sets) {
		a.sets[g].each(func(id uint32) { fn(a.text(id)) })
	}
}

// setPartial is a set of distinct values.
type setPartial struct {
	set   map[string]struct{}
	bytes int64 // the values' text
	list  bool  // values: the list itself, not its size
}

func (a *distinctAcc) partial(g uint32, list bool) plugins.Partial {
	p := &setPartial{set: map[string]struct{}{}, list: list}
	a.each(g, p.add)
	return p
}

// MergeInto adds group g's values to a partial without making one of
// the group's first.
func (a *distinctAcc) MergeInto(g uint32, p plugins.Partial) { a.each(g, p.(*setPartial).add) }

func (p *setPartial) add(s string) {
	if _, ok := p.set[s]; !ok {
		p.set[s] = struct{}{}
		p.bytes += plugins.StringBytes(len(s))
	}
}

func (p *setPartial) Merge(o plugins.Partial) {
	for s := range o.(*setPartial).set {
		p.add(s)
	}
}

func (p *setPartial) Value() result.Value {
	if !p.list {
		return result.IntValue(int64(len(p.set)))
	}
	l := make([]string, 0, len(p.set))
	for s := range p.set {
		l = append(l, s)
	}
	slices.Sort(l)
	return result.ListValue(l)
}

func (p *setPartial) Size() int {
	return int(int64(unsafe.Sizeof(*p)) + plugins.MapBytes(len(p.set), 16+8) + p.bytes)
}

// distinctTable is the merged groups' distinct values: the values of
// every part numbered, and a set of those numbers per group. A field of
// texts with a dictionary is numbered by the store (plugins.Input's
// Numbering), whose tables renumber a part's ids at once; any other,
// once for the query by its text, through a table filled as the part's
// values are met, so that each distinct value of a part is decoded once,
// however many groups hold it.
type distinctTable struct {
	list   bool              // values: the list itself, not its size
	global *engine.Numbering // the store's numbering, when the field has one
	mode   int8              // 0 until a part is folded in; then 1 by global, 2 by text
	ids    map[string]uint32 // each value's number
	texts  []string          // the values numbered
	sets   []idSet           // by merged group
	room   int               // bitset words the sets may still take
	from   *distinctAcc      // the accumulator remap is of
	remap  []uint32          // from's number → the table's + 1; 0 until met
	// bytes is the memory of the sets' numbers and of the numbering.
	bytes int64
}

func newDistinctTable(list bool) *distinctTable {
	return &distinctTable{list: list, ids: map[string]uint32{}, room: maxTableWords}
}

func (t *distinctTable) Fold(dst uint32, acc plugins.Acc, g uint32) {
	if int(dst) >= len(t.sets) {
		t.sets = grown(t.sets, dst)
	}
	a := distinctOf(acc)
	if a == nil || int(g) >= len(a.sets) {
		return
	}
	if t.mode == 0 {
		t.mode, t.global = 2, a.numbering
		if a.numbering != nil {
			t.mode = 1
		}
	}
	if t.mode == 1 {
		t.foldNumbered(dst, a, &a.sets[g])
		return
	}
	if a != t.from {
		t.from = a
		n := len(a.texts)
		if a.dict != nil {
			n = a.dict.Len()
		}
		if cap(t.remap) < n {
			t.remap = make([]uint32, n)
		} else {
			t.remap = t.remap[:n]
			clear(t.remap)
		}
	}
	s := &a.sets[g]
	switch {
	case s.large == nil:
		for _, id := range s.small {
			t.fold(dst, id)
		}
	case s.bits != nil:
		for w, x := range s.bits {
			for x != 0 {
				t.fold(dst, uint32(w*64+bits.TrailingZeros64(x)))
				x &= x - 1
			}
		}
	default:
		it := s.big.Iterator()
		for it.HasNext() {
			t.fold(dst, it.Next())
		}
	}
}

// foldNumbered adds a set of the accumulator's ids to group dst by the
// store's numbering.
func (t *distinctTable) foldNumbered(dst uint32, a *distinctAcc, s *idSet) {
	number := func(id uint32) uint32 {
		if int(id) < len(a.numbers) {
			return a.numbers[id]
		}
		return t.global.Number(a.text(id))
	}
	switch {
	case s.large == nil:
		for _, id := range s.small {
			t.bytes += t.sets[dst].add(number(id), &t.room)
		}
	case s.bits != nil:
		for w, x := range s.bits {
			for x != 0 {
				t.bytes += t.sets[dst].add(number(uint32(w*64+bits.TrailingZeros64(x))), &t.room)
				x &= x - 1
			}
		}
	default:
		it := s.big.Iterator()
		for it.HasNext() {
			t.bytes += t.sets[dst].add(number(it.Next()), &t.room)
		}
	}
}

// fold adds the value numbered id by the accumulator t.from to group dst.
func (t *distinctTable) fold(dst, id uint32) {
	n := t.remap[id]
	if n == 0 {
		s := t.from.text(id)
		m, ok := t.ids[s]
		if !ok {
			m = uint32(len(t.texts))
			t.ids[s] = m
			t.texts = append(t.texts, s)
			t.bytes += plugins.MapEntryBytes(16+4) + 16 + plugins.StringBytes(len(s))
		}
		n = m + 1
		t.remap[id] = n
	}
	t.bytes += t.sets[dst].add(n-1, &t.room)
}

// distinctOf returns the distinct accumulator of dcount, dcountif,
// values or valuesif.
func distinctOf(acc plugins.Acc) *distinctAcc {
	switch a := acc.(type) {
	case *dcountAcc:
		return a.distinctAcc
	case *valuesAcc:
		return a.distinctAcc
	}
	return nil
}

func (t *distinctTable) Value(g uint32) (result.Value, error) {
	var s *idSet
	if int(g) < len(t.sets) {
		s = &t.sets[g]
	} else {
		s = &idSet{}
	}
	if !t.list {
		return result.IntValue(int64(s.len())), nil
	}
	l := make([]string, 0, s.len())
	if t.mode == 1 {
		s.each(func(id uint32) { l = append(l, t.global.Text(id)) })
	} else {
		s.each(func(id uint32) { l = append(l, t.texts[id]) })
	}
	slices.Sort(l)
	return result.ListValue(l), nil
}

func (t *distinctTable) Keep(groups []uint32) {
	var dropped int64
	j := 0
	for i := range t.sets {
		if j < len(groups) && groups[j] == uint32(i) {
			t.sets[j] = t.sets[i]
			j++
			continue
		}
		dropped += t.sets[i].bytes()
		t.sets[i].release(&t.room)
	}
	clear(t.sets[j:])
	t.sets = t.sets[:j]
	t.bytes -= dropped
}

func (t *distinctTable) Size() int64 {
	return int64(cap(t.sets))*setBytes + int64(cap(t.remap))*4 + t.bytes
}
