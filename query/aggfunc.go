package query

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// Functions of a field inside aggregates: dcount(date(time)),
// dcount(subnet(ip, 16)), values(domain(user)), min(hour(time)). The
// aggregate folds a column of the function's values, made for each part
// as the store makes a dictionary column: the part's distinct values of
// the function, sorted, are a dictionary, and each row holds an id in
// it. An aggregate reads it as it reads any field with a dictionary
// (plugins.Input, engine.Vector), so dcount counts ids, not texts. The
// function is applied once per dictionary value of its field in the part
// (once per row for a field without a dictionary: the times), never per
// row and group.

// aggFn is a function of a field an aggregate folds.
type aggFn struct {
	fn  *fnApply
	col *engine.Column // the function's values: EncDict, its field fn.field
}

// newAggFn makes the column of a function's values, or says why an
// aggregate cannot fold it.
func newAggFn(fn *fnApply) (*aggFn, error) {
	col := &engine.Column{Name: fn.field.Name, Field: fn.field, Enc: engine.EncDict}
	switch fn.kind {
	case signin.KindString:
		col.DictKind = index.DictString
	case signin.KindInt, signin.KindTime, signin.KindBool:
		col.DictKind = index.DictInt
	case signin.KindFloat:
		col.DictKind = index.DictFloat
	default:
		return nil, errorf(fn.src.Pos, "%s gives %s, which an aggregate cannot fold: aggregates take functions of one value (date(time), domain(user))", fn.src, kindWords(fn.kind))
	}
	return &aggFn{fn: fn, col: col}, nil
}

// source is the column an aggregate reads from the store: its field's,
// or for a function of a field, the field's.
func (a *aggSpec) source() *engine.Column {
	if a.fn != nil {
		return a.fn.fn.col
	}
	return a.field
}

// partFn is an aggregate's function in one part: the part's dictionary
// of the function's values, and the id in it of each value of the
// field (ids, by the field's dictionary id), or of each row of the
// selection (rows, by row - lo, for a field without a dictionary).
type partFn struct {
	a      *aggFn
	dict   *index.Dict
	ids    []uint32
	absent uint32 // the id of the function of a missing value: a part without the field
	rows   []uint32
	lo     uint32
	buf    []uint32 // the block's ids, for the vector
	vec    engine.Vector
}

// newPartFn computes a function's values in a part: for each value of
// its field's dictionary, or for each row of sel when the field has
// none.
func (x *executor) newPartFn(ctx context.Context, p *engine.Part, a *aggFn, sel *roaring.Bitmap, lo, hi uint32) (*partFn, error) {
	pf := &partFn{a: a, lo: lo}
	vals := newFnValues(a.col.DictKind)
	src := a.fn.col
	local := func(ids []uint32) error {
		d, remap, err := vals.dict()
		if err != nil {
			return fmt.Errorf("query: %v: the values of %s: %w", p, a.fn.src, err)
		}
		for i, id := range ids {
			ids[i] = remap[id]
		}
		pf.dict, pf.absent = d, remap[pf.absent]
		return nil
	}
	pf.absent = vals.id(a.fn.eval(src.Absent()))
	switch {
	case src.HasDict() && p.DictLen(src) == 0:
		return pf, local(nil)
	case src.HasDict():
		d, err := x.snap.Dict(p, src)
		if err != nil {
			return nil, err
		}
		// The function of the values the selected rows hold: of every
		// entry when they are many beside the dictionary, else of those
		// the rows' ids name (the others are never asked for).
		need, err := x.selectedIDs(ctx, p, src, sel, d.Len())
		if err != nil {
			return nil, err
		}
		pf.ids = make([]uint32, d.Len())
		for id := range pf.ids {
			if id%dictBatch == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			if need != nil && need[id>>6]&(1<<(id&63)) == 0 {
				pf.ids[id] = pf.absent
				continue
			}
			pf.ids[id] = vals.id(a.fn.idValue(d, uint32(id)))
		}
		return pf, local(pf.ids)
	}
	pf.rows = make([]uint32, hi-lo)
	var in, out []result.Value
	_, err := x.eachSelectedBlock(ctx, p, []*engine.Column{src}, sel, func(vecs []engine.Vector, rows []uint32) error {
		in = in[:0]
		for _, r := range rows {
			in = append(in, vecs[0].Value(nil, r&0xffff))
		}
		out = a.fn.evalAll(in, out[:0])
		for i, r := range rows {
			pf.rows[r-lo] = vals.id(out[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pf, local(pf.rows)
}

// selectedIDs returns a bitset of the dictionary ids of a column of one
// value a row (EncDict) that the selected rows of a part hold, or nil
// when the rows are too many beside the dictionary (n entries) for
// reading their ids to cost less than deciding every entry.
func (x *executor) selectedIDs(ctx context.Context, p *engine.Part, col *engine.Column, sel *roaring.Bitmap, n int) ([]uint64, error) {
	if col.Enc != engine.EncDict || sel.GetCardinality() > uint64(n) {
		return nil, nil
	}
	need := make([]uint64, (n+63)/64)
	absent := errors.New("the part lacks the column")
	_, err := x.eachSelectedBlock(ctx, p, []*engine.Column{col}, sel, func(vecs []engine.Vector, rows []uint32) error {
		if vecs[0].Absent {
			return absent
		}
		for _, r := range rows {
			if id := vecs[0].IDs[r&0xffff]; int(id) < n {
				need[id>>6] |= 1 << (id & 63)
			}
		}
		return nil
	})
	if err == absent {
		return nil, nil // the part lacks the column: decide every entry
	}
	if err != nil {
		return nil, err
	}
	return need, nil
}

// vector is the function's values in block b (its first row base), for
// the rows given, read from its field's vector v.
func (pf *partFn) vector(v *engine.Vector, base uint32, rows []uint32) *engine.Vector {
	if cap(pf.buf) < v.Rows {
		pf.buf = make([]uint32, v.Rows)
	}
	ids := pf.buf[:v.Rows]
	switch {
	case pf.rows != nil:
		for _, r := range rows {
			ids[r] = pf.rows[base+r-pf.lo]
		}
	case v.Absent || pf.ids == nil:
		for _, r := range rows {
			ids[r] = pf.absent
		}
	default:
		for _, r := range rows {
			ids[r] = pf.ids[v.IDs[r]]
		}
	}
	pf.vec = engine.Vector{Column: pf.a.col, Rows: v.Rows, IDs: ids}
	return &pf.vec
}

// size is the memory the part's function holds, for the memory limit.
func (pf *partFn) size() int64 {
	return int64(cap(pf.ids)+cap(pf.rows)+cap(pf.buf))*4 + dictBytes(pf.dict)
}

// dictBytes estimates the memory of a dictionary made by a partFn.
func dictBytes(d *index.Dict) int64 {
	if d == nil {
		return 0
	}
	n := int64(d.Len()) * 8
	if d.Kind() == index.DictString {
		for id := range uint32(d.Len()) {
			n += int64(len(d.String(id))) + 4
		}
	}
	return n
}

// fnValues numbers the distinct values of a function as met, as the
// dictionary of a kind holds them (the missing value as its absent
// entry: "", math.MinInt64, NaN), then sorts them into a dictionary.
type fnValues struct {
	kind  index.DictKind
	strs  map[string]uint32
	svals []string
	ints  map[int64]uint32
	ivals []int64
	flts  map[uint64]uint32 // by floatOrder
	fvals []float64
}

func newFnValues(k index.DictKind) *fnValues {
	return &fnValues{kind: k, strs: map[string]uint32{}, ints: map[int64]uint32{}, flts: map[uint64]uint32{}}
}

// id numbers a value.
func (f *fnValues) id(v result.Value) uint32 {
	switch f.kind {
	case index.DictString:
		s := v.Str()
		id, ok := f.strs[s]
		if !ok {
			id = uint32(len(f.svals))
			f.strs[s], f.svals = id, append(f.svals, s)
		}
		return id
	case index.DictFloat:
		x := math.NaN()
		if !v.IsNull() {
			x = v.Float()
		}
		k := floatOrder(x)
		id, ok := f.flts[k]
		if !ok {
			id = uint32(len(f.fvals))
			f.flts[k], f.fvals = id, append(f.fvals, x)
		}
		return id
	}
	x := int64(signin.NoInt)
	if !v.IsNull() {
		x = v.Int() // a time's nanoseconds, a flag's 0 or 1
	}
	id, ok := f.ints[x]
	if !ok {
		id = uint32(len(f.ivals))
		f.ints[x], f.ivals = id, append(f.ivals, x)
	}
	return id
}

// dict sorts the values into a dictionary, and returns it with each
// value's id in it, by the number id gave it.
func (f *fnValues) dict() (*index.Dict, []uint32, error) {
	switch f.kind {
	case index.DictString:
		return sortedDict(f.svals, func(a, b string) int { return cmp.Compare(a, b) })
	case index.DictFloat:
		return sortedDict(f.fvals, func(a, b float64) int { return cmp.Compare(floatOrder(a), floatOrder(b)) })
	}
	return sortedDict(f.ivals, func(a, b int64) int { return cmp.Compare(a, b) })
}

// sortedDict makes the dictionary of distinct values, and each one's id
// in it.
func sortedDict[T string | int64 | float64](vals []T, order func(a, b T) int) (*index.Dict, []uint32, error) {
	perm := make([]uint32, len(vals))
	for i := range perm {
		perm[i] = uint32(i)
	}
	slices.SortFunc(perm, func(a, b uint32) int { return order(vals[a], vals[b]) })
	sorted := make([]T, len(vals))
	remap := make([]uint32, len(vals))
	for pos, i := range perm {
		sorted[pos], remap[i] = vals[i], uint32(pos)
	}
	d, err := index.DictOf(sorted)
	return d, remap, err
}

// floatOrder maps a float64 to a key in the order of a dictionary of
// floats: NaN first (all NaNs one), then -Inf up to -0, +0 up to +Inf.
func floatOrder(x float64) uint64 {
	if x != x {
		return 0
	}
	k := math.Float64bits(x)
	if k>>63 == 1 {
		return ^k
	}
	return k | 1<<63
}

// evalAll applies the function to each of in, appending the results to
// out, as eval does one at a time (an error or a panic is kept for the
// run, and gives null from then on), with one argument list and one
// recovery for them all: a function of a field without a dictionary is
// applied to every row a part selects.
func (f *fnApply) evalAll(in, out []result.Value) (res []result.Value) {
	res = out
	null := result.Null(f.kind)
	defer func() {
		if r := recover(); r != nil {
			f.fail(pluginError(recovered(r)))
			for len(res) < len(out)+len(in) {
				res = append(res, null)
			}
		}
	}()
	args := make([]result.Value, 1+len(f.consts))
	copy(args[1:], f.consts)
	cf, isCtx := f.fn.(plugins.ContextFunction)
	isCtx = isCtx && f.ctx != nil
	for _, v := range in {
		if f.broken.Load() {
			res = append(res, null)
			continue
		}
		args[0] = v
		var y result.Value
		var err error
		if isCtx {
			y, err = cf.EvalContext(f.ctx, args)
		} else {
			y, err = f.fn.Eval(args)
		}
		switch {
		case err != nil:
			f.fail(err)
			y = null
		case y.Kind() != f.kind:
			f.fail(fmt.Errorf("gave %s, not the %s it promised", y.Kind(), f.kind))
			y = null
		}
		res = append(res, y)
	}
	return res
}
