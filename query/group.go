package query

import (
	"math"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// grouper numbers a part's groups. Each key gives every row an id: its
// dictionary id, its time bucket, or its value's number in a local
// dictionary; the ids of a row's keys make its group, found by array
// index when the ids' combinations are few beside the rows selected,
// else in a hash table of the groups' ids (tuples). A
// multi-valued key puts a row in the group of each of its distinct
// elements (in the "" group when it has none).
type grouper struct {
	keys  []partKey
	slot  []int32    // combination (mixed radix) → group + 1, when few
	index tuples     // else the groups by their ids
	gids  []uint32   // group g's id of key i at g*len(keys)+i
	n     int        // groups
	ids   [][]uint32 // scratch: each key's ids for a row
	cur   []uint32   // scratch: the combination being numbered
	// A bin key's place, and the bucket of the groups in index: a
	// part's rows are in time order, so a bucket's groups are made one
	// after the other, and index need only hold those of one.
	bin, bucket int
}

// partKey is one key's ids in one part.
type partKey struct {
	k    *key
	dict *index.Dict // dictionary keys; nil when the part lacks the column
	list bool
	card uint64 // ids are < card; 0 when unknown (local dictionaries)
	base int64  // bin: the first bucket
	ints map[int64]uint32
	ivs  []int64
	strs map[string]uint32
	svs  []string
	// A function's key: its results numbered as met, and for a column
	// with a dictionary, each dictionary id's number + 1 once known.
	fdict *index.Dict
	fmemo []uint32
	fids  map[string]uint32 // by text
	fvals []result.Value
	// bytes is the memory of the values numbered (the local
	// dictionaries' and the function's), for size.
	bytes int64
}

// denseGroups is the most id combinations numbered by array index, and
// denseRows and denseMin bound them by the rows selected: more slots
// than denseRows a row (beyond denseMin) cost more to clear and to miss
// in the cache than a hash table of the groups.
const (
	denseGroups = 1 << 20
	denseRows   = 8
	denseMin    = 4096
)

// newGrouper returns a grouper of a part's rows by keys, rows of which
// are selected.
func newGrouper(snap *engine.Snapshot, p *engine.Part, keys []*key, rows uint64) (*grouper, error) {
	g := &grouper{ids: make([][]uint32, len(keys)), cur: make([]uint32, len(keys)), index: tuples{width: len(keys)}, bin: -1}
	product := uint64(1)
	radix := true // the ids combine in mixed radix below dense's size
	for _, k := range keys {
		pk := partKey{k: k}
		c := k.col
		switch {
		case k.fn != nil:
			pk.fids = map[string]uint32{}
			if (c.Enc == engine.EncDict) && p.DictLen(c) > 0 {
				d, err := snap.Dict(p, c)
				if err != nil {
					return nil, err
				}
				pk.fdict, pk.fmemo = d, make([]uint32, d.Len())
			}
		case k.bin != 0:
			if g.bin < 0 {
				g.bin = len(g.keys)
			}
			pk.base = floorDiv(p.MinTime, k.bin)
			pk.card = uint64(floorDiv(p.MaxTime, k.bin)-pk.base) + 1
		case c.HasDict():
			pk.list = c.Enc == engine.EncList
			pk.card = 1
			if p.DictLen(c) > 0 {
				d, err := snap.Dict(p, c)
				if err != nil {
					return nil, err
				}
				pk.dict, pk.card = d, uint64(d.Len())+1 // +1: a list without elements
			}
		case c.Enc == engine.EncInt:
			pk.ints = map[int64]uint32{}
		default:
			pk.strs = map[string]uint32{}
		}
		if pk.card == 0 || product > math.MaxUint64/4/pk.card {
			radix = false
		} else {
			product *= pk.card
		}
		g.keys = append(g.keys, pk)
	}
	// An array of every combination, when it is no larger than the
	// groups the rows could make by much.
	if radix && product <= denseGroups && product <= denseRows*rows+denseMin {
		g.slot = make([]int32, product)
	}
	return g, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// one makes the single group of a query without keys.
func (g *grouper) one() {
	if g.n == 0 {
		g.n = 1
	}
}

// len returns the number of groups.
func (g *grouper) len() int { return g.n }

// size estimates the memory the grouper holds, in bytes: its table of
// groups and the values its keys numbered. It is kept as the groups grow
// (a sum over the keys, not over the groups), for the memory limit.
func (g *grouper) size() int64 {
	n := int64(cap(g.gids))*4 + int64(len(g.slot))*4 + g.index.size()
	for i := range g.keys {
		k := &g.keys[i]
		n += k.bytes + int64(len(k.fmemo))*4 +
			int64(len(k.ints))*mapEntryBytes(8+4) + int64(cap(k.ivs))*8 +
			int64(len(k.strs))*mapEntryBytes(16+4) + int64(cap(k.svs))*16 +
			int64(len(k.fids))*mapEntryBytes(16+4) + int64(cap(k.fvals))*valueBytes
	}
	return n
}

// assign gives the rows of a block (offsets in it) their groups: it
// appends to rowsOut and groups a (row, group) pair per group of each
// row.
func (g *grouper) assign(rows []uint32, vecs []*engine.Vector, rowsOut, groups []uint32) ([]uint32, []uint32, error) {
	if len(g.keys) == 0 {
		g.one()
		for _, r := range rows {
			rowsOut, groups = append(rowsOut, r), append(groups, 0)
		}
		return rowsOut, groups, nil
	}
	if k := &g.keys[0]; len(g.keys) == 1 && g.slot != nil && k.k.fn == nil && k.dict != nil && !k.list && k.k.bin == 0 && !vecs[0].Absent {
		// One dictionary key: its ids index the groups.
		ids := vecs[0].IDs
		for _, r := range rows {
			id := ids[r]
			var gr uint32
			if s := g.slot[id]; s > 0 {
				gr = uint32(s - 1)
			} else {
				g.cur[0] = id
				gr = g.group(uint64(id))
			}
			rowsOut, groups = append(rowsOut, r), append(groups, gr)
		}
		return rowsOut, groups, nil
	}
	for _, r := range rows {
		for i := range g.keys {
			g.ids[i] = g.keys[i].rowIDs(vecs[i], r, g.ids[i][:0])
		}
		rowsOut, groups = g.combine(r, 0, 0, 1, rowsOut, groups)
	}
	return rowsOut, groups, nil
}

// combine appends row r's groups: one per combination of its keys' ids
// from key i on. acc is the mixed-radix id so far, mul its next place.
func (g *grouper) combine(r uint32, i int, acc, mul uint64, rowsOut, groups []uint32) ([]uint32, []uint32) {
	if i == len(g.keys) {
		return append(rowsOut, r), append(groups, g.group(acc))
	}
	for _, id := range g.ids[i] {
		g.cur[i] = id
		next, nmul := acc, mul
		if g.slot != nil {
			next, nmul = acc+uint64(id)*mul, mul*g.keys[i].card
		}
		rowsOut, groups = g.combine(r, i+1, next, nmul, rowsOut, groups)
	}
	return rowsOut, groups
}

// group returns the group of the ids in g.cur, making it if new; c is
// their mixed-radix combination when the groups are numbered by array
// index.
func (g *grouper) group(c uint64) uint32 {
	if g.slot != nil {
		if s := g.slot[c]; s > 0 {
			return uint32(s - 1)
		}
		g.slot[c] = int32(g.n + 1)
	} else {
		if g.bin >= 0 && int(g.cur[g.bin]) != g.bucket {
			g.index.reset(g.n) // the rows of the buckets before are done
			g.bucket = int(g.cur[g.bin])
		}
		if gr, isNew := g.index.find(g.cur, g.gids, uint32(g.n)); !isNew {
			return gr
		}
	}
	g.gids = append(g.gids, g.cur...)
	g.n++
	return uint32(g.n - 1)
}

// id returns group gr's id of key i.
func (g *grouper) id(gr uint32, i int) uint32 { return g.gids[int(gr)*len(g.keys)+i] }

// rowIDs appends the ids of row r of one key.
func (k *partKey) rowIDs(v *engine.Vector, r uint32, dst []uint32) []uint32 {
	switch {
	case k.k.fn != nil:
		if k.fmemo != nil && !v.Absent {
			id := v.IDs[r]
			if k.fmemo[id] == 0 {
				k.fmemo[id] = k.fnID(k.k.fn.idValue(k.fdict, id)) + 1
			}
			return append(dst, k.fmemo[id]-1)
		}
		return append(dst, k.fnID(k.k.fn.rowValue(v, k.fdict, r)))
	case k.k.bin != 0:
		return append(dst, uint32(floorDiv(v.Ints[r], k.k.bin)-k.base))
	case k.dict != nil || k.card == 1:
		if v.Absent || k.dict == nil {
			return append(dst, 0)
		}
		if !k.list {
			return append(dst, v.IDs[r])
		}
		elems := v.Elems[v.Offsets[r]:v.Offsets[r+1]]
		if len(elems) == 0 {
			return append(dst, uint32(k.dict.Len())) // the "" group
		}
		start := len(dst)
	next:
		for _, id := range elems {
			for _, seen := range dst[start:] {
				if seen == id {
					continue next
				}
			}
			dst = append(dst, id)
		}
		return dst
	case k.ints != nil:
		x := int64(signin.NoInt)
		if !v.Absent {
			x = v.Ints[r]
		}
		id, ok := k.ints[x]
		if !ok {
			id = uint32(len(k.ivs))
			k.ints[x] = id
			k.ivs = append(k.ivs, x)
		}
		return append(dst, id)
	}
	s := ""
	if !v.Absent {
		s = v.Strings.At(int(r))
	}
	id, ok := k.strs[s]
	if !ok {
		id = uint32(len(k.svs))
		k.strs[s] = id
		k.svs = append(k.svs, s)
		k.bytes += stringBytes(len(s))
	}
	return append(dst, id)
}

// value is the key value of an id.
func (k *partKey) value(id uint32) result.Value {
	col := k.k.col
	switch {
	case k.k.bin != 0:
		return result.TimeValue(timeOfNanos((k.base + int64(id)) * k.k.bin))
	case k.ints != nil:
		return col.IntValue(k.ivs[id])
	case k.strs != nil:
		return result.StringValue(k.svs[id])
	case k.k.fn != nil:
		return k.fvals[id]
	case k.dict == nil || int(id) >= k.dict.Len():
		return col.Absent()
	}
	return col.DictValue(k.dict, id)
}

// fnID numbers a function key's result.
func (k *partKey) fnID(v result.Value) uint32 {
	key := v.String() // values that print the same group together
	id, ok := k.fids[key]
	if !ok {
		id = uint32(len(k.fvals))
		k.fids[key] = id
		k.fvals = append(k.fvals, v)
		k.bytes += stringBytes(len(key)) + valueDataBytes(v)
	}
	return id
}
