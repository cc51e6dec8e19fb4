package query

import (
	"context"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// Outcome is what a statement did (Exec). A define or undefine statement
// has Saved and nothing else. Any other has its checked Plan and its
// Rows, which the caller reads (Rows.All) or closes: with explain, Rows
// has no rows and Rows.Plan says what the statement would do (with
// explain analyze, once the rows are read, what it did).
type Outcome struct {
	Plan  *Plan        // the statement checked; nil for define and undefine
	Rows  *result.Rows // its answer, which holds a snapshot until read or closed
	Saved *Saved       // what define or undefine did; nil otherwise
}

// Exec runs one statement of the language against a store with the
// plugins of reg: the one way from text to answer, which the command,
// the shell, the benchmarks and the embedders' package signinq all take.
//
// A define or undefine statement changes the store's saved queries (see
// Macro and MacroSpace). Any other statement is parsed, has the saved
// queries it uses expanded, is checked against reg at now and runs on
// one snapshot of the store, whose saved queries it uses. now is
// opts.Now, else the store's clock; with opts.NowLatest, or when neither
// gives one, the newest sign-in of that snapshot. Errors in the
// statement are *Error and are returned at once; those of reading the
// store, as the rows are read.
func Exec(ctx context.Context, db *engine.DB, reg *plugins.Registry, text string, opts Options) (*Outcome, error) {
	st, err := parseCached(text)
	if err != nil {
		return nil, err
	}
	if st.Define != nil || st.Undefine != nil {
		saved, err := defineIn(db, reg, st)
		if err != nil {
			return nil, err
		}
		return &Outcome{Saved: &saved}, nil
	}
	if err := importFile(db); err != nil {
		return nil, err
	}
	snap, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	var macros *Macros // read only for a statement that may use them
	if mayUse(st, reg) {
		if macros, err = macrosIn(db, snap, reg); err != nil {
			snap.Close()
			return nil, err
		}
	}
	now := opts.Now
	if now.IsZero() && db.Clock() != nil {
		now = db.Now()
	}
	if _, last, ok := snap.Span(); ok && (opts.NowLatest || now.IsZero()) {
		now = last
	}
	plan, err := prepare(st, macros, reg, now, &listSource{snap: snap})
	if err != nil {
		snap.Close()
		return nil, err
	}
	rows, err := rowsOn(ctx, db, snap, plan, opts)
	if err != nil {
		return nil, err
	}
	return &Outcome{Plan: plan, Rows: rows}, nil
}

// Run is Exec with the answer gathered (opts.MaxMemory bounds its rows):
// what a stage's author, a test or a small tool wants. The answer of a
// define statement has no rows; its Plan says what was saved.
func Run(ctx context.Context, db *engine.DB, reg *plugins.Registry, text string, opts Options) (*result.Result, error) {
	out, err := Exec(ctx, db, reg, text, opts)
	if err != nil {
		return nil, err
	}
	if out.Saved != nil {
		return &result.Result{Plan: out.Saved.String() + "\n"}, nil
	}
	return out.Rows.Result(maxResult(opts))
}

// Prepare parses a statement, expands the saved queries it uses (macros
// may be nil: none) and checks it against reg at now. A define or
// undefine statement is an error: Exec runs those. Of the named lists it
// knows the built-ins only: Exec reads a store's.
func Prepare(text string, macros *Macros, reg *plugins.Registry, now time.Time) (*Plan, error) {
	st, err := parseCached(text)
	if err != nil {
		return nil, err
	}
	return prepare(st, macros, reg, now, nil)
}

// PrepareLists is Prepare with named lists given by their values beside
// the built-ins (see CheckLists).
func PrepareLists(text string, macros *Macros, reg *plugins.Registry, now time.Time, lists map[string][]string) (*Plan, error) {
	st, err := parseCached(text)
	if err != nil {
		return nil, err
	}
	src, err := givenLists(lists)
	if err != nil {
		return nil, err
	}
	return prepare(st, macros, reg, now, src)
}

// prepare expands and checks a statement, with the named lists of a
// source (nil: the built-ins only).
func prepare(st *ast.Statement, macros *Macros, reg *plugins.Registry, now time.Time, lists *listSource) (*Plan, error) {
	st, err := macros.Expand(st)
	if err != nil {
		return nil, err
	}
	return checkWith(st, reg, now, lists)
}

// Execute runs a checked plan against a store, on one snapshot. With
// opts.NowLatest the plan is checked again with now the newest sign-in of
// that snapshot (when it holds any), so that the answer and its now agree.
// An explain without analyze reads nothing: its result's Plan describes
// the plan. With explain analyze, the result's Plan holds what each step
// read (and, when the store has a clock, how long it took).
//
// Execute gathers the answer (opts.MaxMemory bounds its rows);
// ExecuteRows streams it.
func Execute(ctx context.Context, db *engine.DB, plan *Plan, opts Options) (*result.Result, error) {
	rows, err := ExecuteRows(ctx, db, plan, opts)
	if err != nil {
		return nil, err
	}
	return rows.Result(maxResult(opts))
}

// ExecuteRows is Execute answering as a stream (result.Rows): the rows
// flow from the store to the reader as it reads them, in memory that
// does not grow with their number. The rows hold a snapshot of the store
// until they are read or closed.
func ExecuteRows(ctx context.Context, db *engine.DB, plan *Plan, opts Options) (*result.Rows, error) {
	snap, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	if _, last, ok := snap.Span(); ok && opts.NowLatest && !plan.Now.Equal(last) {
		if plan, err = checkWith(plan.Statement, plan.reg, last, plan.lists); err != nil {
			snap.Close()
			return nil, err
		}
	}
	return rowsOn(ctx, db, snap, plan, opts)
}

// rowsOn answers a plan on a snapshot as a stream, which closes the
// snapshot once read, and adds the notes the answer needs.
func rowsOn(ctx context.Context, db *engine.DB, snap *engine.Snapshot, plan *Plan, opts Options) (*result.Rows, error) {
	if st := plan.Statement; st.Explain && !st.Analyze {
		snap.Close()
		res, err := explainOnly(plan)
		if err != nil {
			return nil, err
		}
		return planOnly(res.Plan), nil
	}
	read := func(r *result.Rows, yield func([]result.Value) bool) (err error) {
		// The time limit runs while the rows are read.
		ctx, limited := withTimeLimit(ctx, opts)
		defer func() { err = limited(err) }()
		res := &result.Result{}
		if err := execute(ctx, db, snap, plan, opts, 0, newMemBudget(opts.MaxMemory), false, res, yield); err != nil {
			return err
		}
		n, err := noDataNote(snap, plan)
		if err != nil {
			return err
		}
		if n != nil {
			res.Notes = append(res.Notes, *n)
		}
		r.Plan, r.Stats, r.Notes = res.Plan, res.Stats, res.Notes
		return nil
	}
	return result.NewRows(answerColumns(plan), read, func() { snap.Close() }), nil
}

// planOnly is the answer of a statement with no rows: explain's plan,
// what define saved.
func planOnly(plan string) *result.Rows {
	r := result.NewRows(nil, func(*result.Rows, func([]result.Value) bool) error { return nil }, nil)
	r.Plan = plan
	return r
}

// maxResult is what the rows of a gathered answer may take.
func maxResult(opts Options) int64 {
	if opts.MaxMemory > 0 {
		return opts.MaxMemory
	}
	return DefaultMaxMemory
}

// answerColumns are the columns of a plan's answer: the last stage's,
// else the query's.
func answerColumns(plan *Plan) []result.Column {
	if n := len(plan.stages); n > 0 {
		return plan.stages[n-1].runner.Columns()
	}
	if plan.Kind == ast.Show {
		return showColumns()
	}
	return planColumns(plan)
}

// noDataNote returns a note when the plan's time range is relative to now
// (since D) and holds none of the snapshot's sign-ins: whatever the
// query counts is then zero because of where now is, not because nothing
// happened. Only the time column's blocks at the range's edges are read.
func noDataNote(snap *engine.Snapshot, plan *Plan) (*result.NoDataNote, error) {
	if !plan.Relative {
		return nil, nil
	}
	from, to := timeOfNanos(plan.From), timeOfNanos(plan.To)
	for _, p := range snap.PartsBetween(from, to) {
		lo, hi, err := snap.Rows(p, from, to)
		if err != nil {
			return nil, err
		}
		if lo < hi {
			return nil, nil
		}
	}
	first, last, _ := snap.Span()
	return &result.NoDataNote{From: from, Now: plan.Now, First: first, Last: last}, nil
}
