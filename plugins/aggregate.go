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
//
// An aggregate given a function of a field (dcount(date(time))) reads the
// function's values as a field of their own: Field stands for them (named
// by the call, of the function's kind; the catalog does not know it),
// Dict is the part's dictionary of them the query made, and the vectors
// Add is given belong to a column the query made too, whose DictValue
// decodes their ids (engine.Vector.Column).
type Input struct {
	Field *signin.Field // nil for an aggregate without a field
	// Dict is the part's dictionary of the field when the field is
	// stored with one (engine.Column.HasDict), else nil: what the
	// engine's decoders read the column's ids with. A field with a
	// dictionary has ids (engine.Vector.AppendIDs), one number for one
	// value in the part.
	Dict *index.Dict
	// Numbering is the store's numbering of the field's texts, for a
	// field of texts with a dictionary (engine.Snapshot.Numbers): the
	// same number for the same text in every part, which an accumulator
	// may merge by instead of the texts. Numbers renumbers Dict's ids
	// into it when the part's table is made (nil when not: Numbering's
	// Number numbers a text).
	Numbering *engine.Numbering
	Numbers   []uint32
}

// Acc accumulates an aggregate over the rows of one part. One that says
// how much memory it holds implements Sizer; others are charged a default
// against the query's memory limit.
//
// An accumulator reads its field's values from the column it is given
// through the engine's decoders, without knowing how the field is
// stored: col.AppendValues(buf, in.Dict, r) appends row r's present
// values (none when it has none, each element of a list) as results hold
// them. One that keeps values may keep ids instead when the field has a
// dictionary (in.Dict != nil): col.AppendIDs(buf, in.Dict, r) appends
// the present values' ids, and the column's DictValue(in.Dict, id)
// decodes one, once, in Partial (see distinct.go).
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

// Tabler is implemented by aggregates that merge the parts' groups into
// a table of their own instead of a Partial per group: the executor then
// keeps each merged group as a number into the table, which holds the
// states of all groups in a few slices rather than an object each.
type Tabler interface {
	// NewTable returns an empty table for the field the aggregate is
	// given (nil when it takes none; a function's values stand for a
	// field as in Input).
	NewTable(field *signin.Field) Table
}

// Table is an aggregate's merged state for the groups of one query,
// numbered 0, 1, … by the executor as it meets them. One goroutine uses
// a table at a time.
type Table interface {
	// Fold folds group g of a part's accumulator into merged group dst.
	// dst is at most the number of groups folded so far: equal, it is a
	// new group. acc is one that the aggregate's NewAcc made; nil folds
	// in a group of no sign-ins (so that dst exists with the state of no
	// rows).
	Fold(dst uint32, acc Acc, g uint32)
	// Value returns merged group g's value, or an error when it has none
	// (as a Failer's Err).
	Value(g uint32) (result.Value, error)
	// Keep keeps only the listed groups, in increasing order, as groups
	// 0, 1, …: what the executor has output is dropped.
	Keep(groups []uint32)
	// Size estimates the memory the table holds, in bytes (see
	// Partial.Size); the executor asks it often, so it must be cheap.
	Size() int64
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
