package plugins

import (
	"context"
	"iter"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// Stage transforms rows after "|": the sign-ins a list query selects, or
// the rows of an aggregate query (or of the stage before it).
type Stage interface {
	Plugin
	// Bind checks the stage's arguments against the columns it will
	// receive and returns the stage ready to run. args holds every
	// argument of the descriptor, bound by its type: those the query
	// gave, the others at their defaults (see BindArgs); an error about
	// one of them is args.Error's, which the query shows at the
	// argument. in are the columns it receives: after an aggregate or
	// top query, those of its group keys say so (result.Column.Key),
	// and the rows are groups. Bind is called once per query, before
	// the query reads anything.
	Bind(args *Args, in []result.Column) (Runner, error)
}

// Needer is a Stage that reads sign-ins: right after a list without
// fields, the list reads just the fields it needs, and only the sign-ins
// that satisfy its condition too. A query refuses one after an aggregate
// query.
type Needer interface {
	Stage
	// Needs says what the stage reads, given its bound arguments (as
	// Bind gets them).
	Needs(args *Args) (Needs, error)
}

// Needs is what a stage reads from the sign-ins of a list.
type Needs struct {
	// Fields are the catalog fields it reads: what a list without
	// fields before it selects, in this order.
	Fields []string
	// Where is a condition on sign-ins, built with package ast's
	// constructors (ast.Eq(ast.Field("status"), ast.Word("failure")));
	// the list before the stage selects only sign-ins that satisfy it
	// as well as its own condition, with the indexes. nil for none. The
	// query checks it as it checks its own where; an error in it is the
	// query's, at the stage.
	Where ast.Expr
	// Stream says the stage takes the sign-ins in any order, and keeps
	// none of the rows it reads: then a list without a limit before it
	// does not sort them or hold them all, but hands them over as the
	// store holds them (by part, each in time order), reusing one row.
	// A row read is valid only until the next is: a stage that sets
	// Stream copies the values it keeps (the values themselves stay
	// valid; the slice does not).
	Stream bool
}

// Runner is a bound stage. A Runner runs once; it need not be safe for
// concurrent use.
type Runner interface {
	// Columns are the columns the stage emits.
	Columns() []result.Column
	// Run reads the rows before it from in and passes its rows to emit,
	// in the order it means them to be shown. A stage whose descriptor
	// says it streams emits while it reads; the others may gather every
	// row first. Run may keep and change the rows in reads; the rows it
	// emits belong to what follows. It stops when emit returns an error
	// and returns that error, and it returns ctx.Err() when ctx is done.
	// A panic is turned into an error for the query.
	Run(ctx context.Context, env *Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error
}

// Env is what a running stage may read beyond its rows: the store as
// the query sees it, and the query's time range. Stages that compare
// with the past (newvalue's baseline) read the snapshot; they must not
// keep it, or anything read from it, after Run returns.
type Env struct {
	Snapshot *engine.Snapshot
	// From and To are the query's time range in Unix nanoseconds, from
	// inclusive and to exclusive; open ends are math.MinInt64 and
	// math.MaxInt64.
	From, To int64
	// Now is the query's now (since 24h counts back from it).
	Now time.Time
	// Query runs a query on the same snapshot, at the same now, with
	// the same registry: how a stage asks the indexes for what its rows
	// lack (the successes from the addresses a spray came from; a key's
	// history before the window). The query is built, not written: a
	// tree of package ast's constructors (ast.AggregateOf, ast.ListOf,
	// ast.And...), checked as a parsed one is but never printed or
	// parsed, so that no value needs quoting and a condition may name
	// thousands of values. It is a query, not a statement: it cannot be
	// explained. Its errors say which stage's query was wrong and what
	// was (a built query has no positions). It returns every row of the
	// answer. Queries nest at most a few deep.
	Query func(ctx context.Context, q *ast.Query) (*result.Result, error)
	// Parts and Selected are set for the first stage after a list that
	// streams its sign-ins to it (Needs.Stream), nil otherwise: they are
	// those sign-ins as the store holds them. Parts are the parts the
	// list reads, in the order it reads them; Selected returns the rows
	// of one of them the list selects (its condition, the stage's
	// Needs.Where, the query's time range), numbered as
	// engine.Snapshot.ReadBlock and Bitmap number them; the bitmap
	// belongs to the caller. A stage may read its sign-ins so, by
	// dictionary id and a part per goroutine (Selected is safe for
	// concurrent use), instead of ranging over its rows: a sequence it
	// does not range over reads nothing.
	Parts    []*engine.Part
	Selected func(ctx context.Context, p *engine.Part) (*roaring.Bitmap, error)
}
