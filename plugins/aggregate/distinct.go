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
// for dcount, dcountif and values. With a dictionary it keeps the values'
// ids, in a bitset per group while they stay small, else in a set of
// (group, id) pairs, and decodes each once a group when asked for its
// partial; without one, a set of the values' text per group, which
// becomes the group's partial as it is.
type distinctAcc struct {
	col     *engine.Column      // the field's (or its vectors'), to decode its ids
	dict    *index.Dict         // the part's dictionary of the field; nil: keep text
	w       int                 // words of a bitset: one bit per id
	bitsets [][]uint64          // by group, for dictionary ids
	pairs   map[uint64]struct{} // group<<32 | id, beyond the bitsets' budget
	texts   []*setPartial       // by group, for values without a dictionary
	words   int                 // bitset words allocated
	byGroup map[uint32][]string // pairs by group, once Partial is asked for
	ids     []uint32            // a row's ids, reused
	vals    []result.Value      // a row's values, reused
	// bytes is the memory of the texts' sets and of byGroup, for Size.
	bytes int64
}

var (
	_ plugins.Sizer  = (*distinctAcc)(nil)
	_ plugins.Merger = (*distinctAcc)(nil)
)

// maxBitsetWords bounds the memory of a part's bitsets (8 MiB): they are
// dropped once the part is merged, and garbage until collected, so that
// a part of many groups of a field of many values (dcount(ip) group by
// user) keeps its pairs instead.
const maxBitsetWords = 1 << 20

func newDistinctAcc(in plugins.Input) *distinctAcc {
	a := &distinctAcc{dict: in.Dict}
	if in.Field != nil {
		a.col = engine.LookupColumn(in.Field.Name)
	}
	if a.dict != nil {
		a.w = (a.dict.Len() + 63) / 64
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
		for i, r := range rows {
			g := groups[i]
			a.texts = grown(a.texts, g)
			t := a.texts[g]
			if t == nil {
				t = &setPartial{set: map[string]struct{}{}}
				a.texts[g] = t
				a.bytes += int64(t.Size())
			}
			a.vals = col.AppendValues(a.vals[:0], nil, r)
			for _, v := range a.vals {
				before := t.Size()
				t.add(v.String())
				a.bytes += int64(t.Size() - before)
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
	if int(g) < len(a.bitsets) && a.bitsets[g] != nil {
		a.bitsets[g][id>>6] |= 1 << (id & 63)
		return
	}
	if a.words+a.w <= maxBitsetWords {
		a.bitsets = grown(a.bitsets, g)
		a.bitsets[g] = make([]uint64, a.w)
		a.words += a.w
		a.bitsets[g][id>>6] |= 1 << (id & 63)
		return
	}
	if a.pairs == nil {
		a.pairs = map[uint64]struct{}{}
	}
	a.pairs[uint64(g)<<32|uint64(id)] = struct{}{}
}

// Size counts the bitsets, the pairs and the texts' sets, and once a
// partial has been asked for, the pairs sorted out by group.
func (a *distinctAcc) Size() int64 {
	return int64(a.words)*8 + int64(cap(a.bitsets))*24 + int64(cap(a.texts))*8 +
		int64(len(a.pairs))*plugins.MapEntryBytes(8+8) + a.bytes
}

// each calls fn with each of group g's distinct values as text.
func (a *distinctAcc) each(g uint32, fn func(s string)) {
	if int(g) < len(a.texts) && a.texts[g] != nil {
		for s := range a.texts[g].set {
			fn(s)
		}
	}
	if int(g) < len(a.bitsets) {
		for wi, w := range a.bitsets[g] {
			for w != 0 {
				id := uint32(wi*64 + bits.TrailingZeros64(w))
				w &= w - 1
				fn(a.col.DictValue(a.dict, id).String())
			}
		}
	}
	if a.byGroup == nil && len(a.pairs) > 0 {
		// Sort the pairs out by group, once.
		a.byGroup = map[uint32][]string{}
		for k := range a.pairs {
			s := a.col.DictValue(a.dict, uint32(k)).String()
			a.byGroup[uint32(k>>32)] = append(a.byGroup[uint32(k>>32)], s)
			a.bytes += 16 + plugins.StringBytes(len(s))
		}
		a.bytes += int64(len(a.byGroup)) * plugins.MapEntryBytes(8+24)
	}
	for _, s := range a.byGroup[g] {
		fn(s)
	}
}

// setPartial is a set of distinct values.
type setPartial struct {
	set   map[string]struct{}
	bytes int64 // the values' text
	list  bool  // values: the list itself, not its size
}

func (a *distinctAcc) partial(g uint32, list bool) plugins.Partial {
	if int(g) < len(a.texts) && a.texts[g] != nil {
		// The group's set of texts, as it is: the part is done with it.
		p := a.texts[g]
		a.texts[g] = nil
		p.list = list
		return p
	}
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
