package plugins

import (
	"math/bits"
	"slices"

	"github.com/signinq/signinq/engine"
)

// distinctAcc gathers the distinct present values of a field per group,
// for dcount, dcountif and values. With a dictionary it keeps dictionary
// ids, in a bitset per group while they stay small, else in a set of
// (group, id) pairs; without one, the values' text.
type distinctAcc struct {
	fv      fieldValues
	bitsets [][]uint64          // by group, for dictionary ids
	pairs   map[uint64]struct{} // group<<32 | id, beyond the bitsets' budget
	texts   map[groupText]struct{}
	words   int                 // bitset words allocated
	byGroup map[uint32][]string // pairs and texts by group, once Partial is asked for
}

type groupText struct {
	g uint32
	s string
}

// maxBitsetWords bounds the memory of a part's bitsets (64 MiB).
const maxBitsetWords = 8 << 20

func newDistinctAcc(in Input) *distinctAcc {
	return &distinctAcc{fv: newFieldValues(in)}
}

func (a *distinctAcc) Add(groups, rows []uint32, col *engine.Vector) {
	if col == nil || col.Absent {
		return
	}
	if enc := col.Column.Enc; a.fv.dict == nil || enc == engine.EncInt || enc == engine.EncString {
		if a.texts == nil {
			a.texts = map[groupText]struct{}{}
		}
		for i, r := range rows {
			a.fv.each(col, r, func(v engine.Value) { a.texts[groupText{groups[i], v.String()}] = struct{}{} })
		}
		return
	}
	n := a.fv.dict.Len()
	add := func(g, id uint32) {
		if !a.present(id) {
			return
		}
		if int(g) < len(a.bitsets) && a.bitsets[g] != nil {
			a.bitsets[g][id>>6] |= 1 << (id & 63)
			return
		}
		w := (n + 63) / 64
		if a.words+w <= maxBitsetWords {
			a.bitsets = grown(a.bitsets, g)
			a.bitsets[g] = make([]uint64, w)
			a.words += w
			a.bitsets[g][id>>6] |= 1 << (id & 63)
			return
		}
		if a.pairs == nil {
			a.pairs = map[uint64]struct{}{}
		}
		a.pairs[uint64(g)<<32|uint64(id)] = struct{}{}
	}
	if col.Column.Enc == engine.EncList {
		for i, r := range rows {
			for _, id := range col.Elems[col.Offsets[r]:col.Offsets[r+1]] {
				add(groups[i], id)
			}
		}
		return
	}
	for i, r := range rows {
		add(groups[i], col.IDs[r])
	}
}

// present reports whether a dictionary id holds a value, not the absent
// one ("", a missing number).
func (a *distinctAcc) present(id uint32) bool {
	_, ok := a.fv.dictValue(id)
	return ok
}

// set returns group g's distinct values as text.
func (a *distinctAcc) set(g uint32) map[string]struct{} {
	out := map[string]struct{}{}
	if int(g) < len(a.bitsets) {
		for wi, w := range a.bitsets[g] {
			for w != 0 {
				id := uint32(wi*64 + bits.TrailingZeros64(w))
				w &= w - 1
				v, _ := a.fv.dictValue(id)
				out[v.String()] = struct{}{}
			}
		}
	}
	if a.byGroup == nil && (len(a.pairs) > 0 || len(a.texts) > 0) {
		// Sort the pairs and texts out by group, once.
		a.byGroup = map[uint32][]string{}
		for k := range a.pairs {
			v, _ := a.fv.dictValue(uint32(k))
			a.byGroup[uint32(k>>32)] = append(a.byGroup[uint32(k>>32)], v.String())
		}
		for k := range a.texts {
			a.byGroup[k.g] = append(a.byGroup[k.g], k.s)
		}
	}
	for _, s := range a.byGroup[g] {
		out[s] = struct{}{}
	}
	return out
}

// setPartial is a set of distinct values.
type setPartial struct {
	set  map[string]struct{}
	size int
	list bool // values: the list itself, not its size
}

func (a *distinctAcc) partial(g uint32, list bool) Partial {
	p := &setPartial{set: a.set(g), list: list}
	for s := range p.set {
		p.size += len(s) + 16
	}
	return p
}

func (p *setPartial) Merge(o Partial) {
	for s := range o.(*setPartial).set {
		if _, ok := p.set[s]; !ok {
			p.set[s] = struct{}{}
			p.size += len(s) + 16
		}
	}
}

func (p *setPartial) Value() engine.Value {
	if !p.list {
		return engine.IntValue(int64(len(p.set)))
	}
	l := make([]string, 0, len(p.set))
	for s := range p.set {
		l = append(l, s)
	}
	slices.Sort(l)
	return engine.ListValue(l)
}

func (p *setPartial) Size() int { return 48 + p.size }
