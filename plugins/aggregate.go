package plugins

import (
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// Aggregate computes one value per group of sign-ins: count, dcount(user).
//
// The executor works a part at a time, on several parts at once: it gives
// a part's accumulator (NewAcc) the selected rows of the part's blocks,
// with their groups, then asks it for each group's partial result, and
// merges the partials of every part. An accumulator is used by one
// goroutine; partials are merged by one goroutine at a time.
//
// An argument of type ArgCondition (countif's, dcountif's) is the
// executor's business: it gives the accumulator only the rows that
// satisfy the condition. The accumulator sees the one field argument, if
// the aggregate has one.
type Aggregate interface {
	Plugin
	// Result checks the field the aggregate is given (nil when it takes
	// none) and returns the kind of value it computes.
	Result(field *signin.Field) (signin.Kind, error)
	// NewAcc returns an accumulator for one part.
	NewAcc(in Input) Acc
}

// Input is an accumulator's view of its field in one part.
type Input struct {
	Field *signin.Field // nil for an aggregate without a field
	// Dict is the part's dictionary of the field, for the fields stored
	// with one (Vector.IDs or Elems index it).
	Dict *index.Dict
}

// Acc accumulates an aggregate over the rows of one part. One that says
// how much memory it holds implements Sizer; others are charged a default
// against the query's memory limit.
type Acc interface {
	// Add folds in rows of one block: row rows[i] of the block belongs to
	// the part's group groups[i]. A row may come more than once, in
	// different groups (grouping by a multi-valued field). col is the
	// field's column in the block, decoded; nil without a field.
	Add(groups, rows []uint32, col *engine.Vector)
	// Partial returns group g's state, to merge with other parts'; a
	// group Add never saw has the state of no rows.
	Partial(g uint32) Partial
}

// Counter is implemented by accumulators that only count rows. The
// executor then gives them counts it found without listing rows (from
// bitmaps' cardinalities).
type Counter interface {
	AddCount(g uint32, n uint64)
}

// Merger is implemented by accumulators that can fold a group's state
// straight into a partial of another part, without making one.
type Merger interface {
	MergeInto(g uint32, p Partial)
}

// Partial is an aggregate's state for one group, from one part or
// merged from several.
type Partial interface {
	// Merge folds in another partial of the same aggregate.
	Merge(o Partial)
	// Value returns the aggregate's value.
	Value() result.Value
	// Size estimates the memory the partial takes, in bytes, for the
	// query's memory limit: what it holds, maps' and strings' overhead
	// included (MapBytes, StringBytes). The executor asks it before and
	// after each merge, so it must be cheap.
	Size() int
}

// fieldValues reads the values of a field from a decoded column, for
// aggregates: each present value of a row, as the kind of value it is
// (engine.Vector.Value, the one decoding of stored values).
type fieldValues struct {
	col  *engine.Column // nil for an aggregate without a field
	dict *index.Dict
}

func newFieldValues(in Input) fieldValues {
	fv := fieldValues{dict: in.Dict}
	if in.Field != nil {
		fv.col = engine.LookupColumn(in.Field.Name)
	}
	return fv
}

// each calls fn with every present value of row r: one at most for a
// single-valued field, each element for a list. Absent values (the empty
// string, a missing number or time) are skipped.
func (fv *fieldValues) each(col *engine.Vector, r uint32, fn func(v result.Value)) {
	if col == nil || col.Absent {
		return
	}
	if col.Column.Enc == engine.EncList {
		for _, id := range col.Elems[col.Offsets[r]:col.Offsets[r+1]] {
			if v := col.Column.DictValue(fv.dict, id); !v.IsAbsent() {
				fn(v)
			}
		}
		return
	}
	if v := col.Value(fv.dict, r); !v.IsAbsent() {
		fn(v)
	}
}

// dictValue is the value of dictionary id id, and whether it is present.
func (fv *fieldValues) dictValue(id uint32) (result.Value, bool) {
	v := fv.col.DictValue(fv.dict, id)
	return v, !v.IsAbsent()
}

// grown returns s with room for index g.
func grown[T any](s []T, g uint32) []T {
	if int(g) < len(s) {
		return s
	}
	return append(s, make([]T, int(g)+1-len(s))...)
}
