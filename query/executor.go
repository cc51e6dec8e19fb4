package query

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// executor runs a plan on a snapshot.
type executor struct {
	ctx   context.Context
	snap  *engine.Snapshot
	plan  *Plan
	opts  Options
	stats execStats
	// clock times explain analyze's steps: the store's clock, nil
	// otherwise (nothing here reads the wall clock).
	clock func() time.Time
	// The steps after the parts, for explain analyze.
	merged, kept int  // groups merged from the parts; rows kept by having
	havingDone   bool // the rows made are those that hold having
	// finishing says which groups of a part no other part holds, for
	// the goroutines reading parts to finish them (finishPart).
	finishing         *doneBuckets
	merge, order, out time.Duration
	outRows           int // rows out before the stages
	// listTotal counts the sign-ins a list selects, and listNote says
	// when it stopped at its default limit before them all.
	listTotal int64
	listNote  *result.ListLimitNote
	// The query's charges against its memory limit (memory.go), and
	// those of its output rows, which outlive its groups; the parts
	// begun.
	mem     *memAccount
	rowsMem *charge
	started atomic.Int64
	selMu   sync.Mutex // guards stats for selected, which runs on the stage's goroutines
}

// now is the clock's time, or the zero time without one.
func (x *executor) now() time.Time {
	if x.clock == nil {
		return time.Time{}
	}
	return x.clock()
}

// since is the time since t by the clock, or 0 without one.
func (x *executor) since(t time.Time) time.Duration {
	if x.clock == nil {
		return 0
	}
	return x.clock().Sub(t)
}

func (x *executor) fromTime() time.Time {
	if x.plan.scanFrom == math.MinInt64 {
		return time.Time{}
	}
	return timeOfNanos(x.plan.scanFrom)
}

func (x *executor) toTime() time.Time {
	if x.plan.scanTo == math.MaxInt64 {
		return time.Time{}
	}
	return timeOfNanos(x.plan.scanTo)
}

// maxSubQueries bounds how deep stages' queries (plugins.Env.Query) nest.
const maxSubQueries = 4

// gather runs a plan on a snapshot and gathers its answer: what a
// stage's query (plugins.Env.Query) gets.
func gather(ctx context.Context, db *engine.DB, snap *engine.Snapshot, plan *Plan, opts Options, depth int, mem *memBudget) (*result.Result, error) {
	res := &result.Result{Columns: answerColumns(plan)}
	err := execute(ctx, db, snap, plan, opts, depth, mem, true, res, func(row []result.Value) bool {
		res.Rows = append(res.Rows, row)
		return true
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// execute runs a plan on a snapshot, passing the rows of its answer
// (answerColumns) to yield in order until yield returns false, and sets
// res's Stats, Notes and, with explain analyze, Plan. A list's rows flow
// from the store to yield, never gathered. With fresh, each row yielded
// is a slice of its own; without, a row is valid until yield returns.
// depth counts the stages' queries it is nested in, whose memory limit
// (mem) it shares.
func execute(ctx context.Context, db *engine.DB, snap *engine.Snapshot, plan *Plan, opts Options, depth int, mem *memBudget, fresh bool, res *result.Result, yield func([]result.Value) bool) (err error) {
	inYield := false // a panic there is the reader's, not the query's
	out := func(row []result.Value) bool {
		inYield = true
		ok := yield(row)
		inYield = false
		return ok
	}
	defer func() {
		// A panic outside the parts' goroutines: a plugin's (merging
		// partial aggregates, their values), or signinq's own.
		if r := recover(); r != nil {
			if inYield {
				panic(r)
			}
			err = recovered(r)
		}
	}()
	// A function's error stops the run at once, as the query's error.
	parent := ctx
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	x := &executor{ctx: ctx, snap: snap, plan: plan, opts: opts, mem: newMemAccount(mem, plan)}
	if depth > 0 {
		// A stage's query: what it held is returned to the limit when
		// it ends, but for its rows, which the stage now holds.
		defer func() {
			if err != nil {
				x.rowsMem = nil
			}
			x.mem.close(x.rowsMem)
		}()
	}
	for _, f := range plan.fnCalls() {
		f.reset(ctx, stop)
	}
	if plan.Statement.Analyze {
		x.clock = db.Clock()
	}
	start := x.now()
	if err := x.subqueries(ctx, db, depth, mem); err != nil {
		return err
	}
	var rows [][]result.Value       // the answer before the stages, when gathered
	var in iter.Seq[[]result.Value] // else the list's sign-ins, for the first stage
	var inErr error                 // what stopped in
	switch plan.Kind {
	case ast.Show:
		rows, err = x.show()
	case ast.List:
		switch {
		case plan.Stream:
			in = x.stream(ctx, &inErr) // as the store holds them
		case len(plan.stages) > 0:
			in = x.listSeq(ctx, &inErr) // newest first, each row its own
		default:
			err = x.list(ctx, fresh, func(row []result.Value) bool {
				x.outRows++
				return out(row)
			})
		}
	default:
		if rows, err = x.aggregateRows(ctx); err == nil {
			t := x.now()
			rows = x.finish(rows)
			x.order = x.since(t)
		}
	}
	for _, f := range plan.fnCalls() {
		if ferr := f.failed(); ferr != nil && (err == nil || errors.Is(err, context.Canceled)) {
			err = ferr
			if cause := context.Cause(ctx); cause != nil {
				err = cause // the first function's to fail, which stopped the others
			}
		}
	}
	if err != nil && parent.Err() != nil {
		err = parent.Err() // the query was stopped, and the functions with it
	}
	if err != nil {
		return err
	}
	if plan.Kind != ast.List {
		x.outRows = len(rows)
	}
	answered := x.outRows // rows of the answer
	for i, s := range plan.stages {
		t := x.now()
		if in == nil {
			in = slices.Values(rows)
		}
		env := &plugins.Env{Snapshot: snap, From: plan.From, To: plan.To, Now: plan.Now}
		if i == 0 && plan.Stream {
			env.Parts, env.Selected = x.snap.PartsBetween(x.fromTime(), x.toTime()), x.selected
			x.stats.parts = len(env.Parts)
		}
		env.Query = func(ctx context.Context, q *ast.Query) (*result.Result, error) {
			if depth >= maxSubQueries {
				return nil, fmt.Errorf("stages' queries nest more than %d deep", maxSubQueries)
			}
			sub, err := checkBuilt(q, plan.reg, plan.Now)
			if err != nil && builtQuery(q) != nil {
				return nil, fmt.Errorf("%s's query: %w", s.src.Name, err)
			}
			if err != nil {
				return nil, fmt.Errorf("%s's query (%s): %w", s.src.Name, brief(q), err)
			}
			return gather(ctx, db, snap, sub, Options{MaxMemory: opts.MaxMemory}, depth+1, mem)
		}
		if i == len(plan.stages)-1 {
			// The last stage's rows go to the reader as it emits them.
			s.rows = 0
			err = runStage(ctx, env, s, in, func(row []result.Value) bool {
				s.rows++
				return out(row)
			})
		} else {
			rows = nil
			err = runStage(ctx, env, s, in, func(row []result.Value) bool {
				rows = append(rows, row)
				return true
			})
			s.rows = len(rows)
		}
		if err != nil {
			return err
		}
		if inErr != nil {
			return inErr
		}
		in, answered, s.took = nil, s.rows, x.since(t)
	}
	if len(plan.stages) == 0 && plan.Kind != ast.List {
		for _, row := range rows {
			if !out(row) {
				break
			}
		}
	}
	res.Stats = result.Stats{Parts: x.stats.parts, PartsRead: x.stats.read, BlocksRead: x.stats.blocks, Rows: x.stats.rows}
	if x.listNote != nil {
		res.Notes = append(res.Notes, *x.listNote)
	}
	if plan.Statement.Analyze {
		res.Plan = plan.explain(&analysis{x: x, rows: answered, elapsed: x.since(start), timed: x.clock != nil})
	}
	return nil
}
