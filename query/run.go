package query

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
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
	Plan  *Plan
	Rows  *result.Rows
	Saved *Saved
}

// Exec runs one statement of the language against a store with the
// plugins of reg: the one way from text to answer, which the command,
// the shell, the benchmarks and the embedders' package signinq all take.
//
// A define or undefine statement changes the store's saved queries (see
// Macro). Any other statement has its saved queries expanded, is parsed,
// is checked against reg at now and runs on one snapshot of the store.
// now is opts.Now, else the store's clock; with opts.NowLatest, or when
// neither gives one, the newest sign-in of that snapshot. Errors in the
// statement are *Error and are returned at once; those of reading the
// store, as the rows are read.
func Exec(ctx context.Context, db *engine.DB, reg *plugins.Registry, text string, opts Options) (*Outcome, error) {
	if IsDefine(text) {
		saved, err := DefineIn(db, reg, text)
		if err != nil {
			return nil, err
		}
		return &Outcome{Saved: &saved}, nil
	}
	macros, err := MacrosOf(db, reg)
	if err != nil {
		return nil, err
	}
	snap, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() && db.Clock() != nil {
		now = db.Now()
	}
	if _, last, ok := snap.Span(); ok && (opts.NowLatest || now.IsZero()) {
		now = last
	}
	plan, err := Prepare(text, macros, reg, now)
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

// Prepare expands the saved queries a statement uses (macros may be
// nil), parses it and checks it against reg at now. An error in the
// expanded text says what the text became.
func Prepare(text string, macros *Macros, reg *plugins.Registry, now time.Time) (*Plan, error) {
	expanded, err := macros.Expand(text)
	if err != nil {
		return nil, err
	}
	st, err := Parse(expanded)
	if err != nil {
		return nil, inExpansion(text, expanded, err)
	}
	plan, err := Check(st, reg, now)
	if err != nil {
		return nil, inExpansion(text, expanded, err)
	}
	return plan, nil
}

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
	merged, kept      int // groups merged from the parts; rows kept by having
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
	if x.plan.From == math.MinInt64 {
		return time.Time{}
	}
	return timeOfNanos(x.plan.From)
}

func (x *executor) toTime() time.Time {
	if x.plan.To == math.MaxInt64 {
		return time.Time{}
	}
	return timeOfNanos(x.plan.To)
}

func timeOfNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }

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
		if plan, err = Check(plan.Statement, plan.reg, last); err != nil {
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
	if n := len(plan.Stages); n > 0 {
		return plan.Stages[n-1].runner.Columns()
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
		case len(plan.Stages) > 0:
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
	for i, s := range plan.Stages {
		t := x.now()
		if in == nil {
			in = slices.Values(rows)
		}
		env := &plugins.Env{Snapshot: snap, From: plan.From, To: plan.To, Now: plan.Now}
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
		if i == len(plan.Stages)-1 {
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
	if len(plan.Stages) == 0 && plan.Kind != ast.List {
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
		res.Plan = plan.Explain(&analysis{x: x, rows: answered, elapsed: x.since(start), timed: x.clock != nil})
	}
	return nil
}

// finish applies having, the order and the limit to output rows, and
// drops the hidden columns.
func (x *executor) finish(rows [][]result.Value) [][]result.Value {
	p := x.plan
	if p.Having != nil {
		rows = slices.DeleteFunc(rows, func(r []result.Value) bool { return !p.Having.holds(r) })
	}
	x.kept = len(rows)
	order := func(a, b []result.Value) int {
		for _, o := range p.Order {
			c := result.Compare(a[o.col], b[o.col])
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	if p.Limit >= 0 && p.Limit < len(rows)/8 { // not Limit*8, which a huge limit overflows
		rows = firstRows(rows, p.Limit, order)
	}
	slices.SortStableFunc(rows, order)
	if p.Limit >= 0 && len(rows) > p.Limit {
		rows = rows[:p.Limit]
	}
	visible := 0
	for _, o := range p.Outs {
		if !o.hidden {
			visible++
		}
	}
	if visible < len(p.Outs) {
		for i, r := range rows {
			out := make([]result.Value, 0, visible)
			for j, o := range p.Outs {
				if !o.hidden {
					out = append(out, r[j])
				}
			}
			rows[i] = out
		}
	}
	return rows
}

// firstRows returns the n first rows by order, in no particular order,
// keeping the earlier of equal rows: a bounded heap whose root is the last
// of those kept, so that top 10 of a hundred thousand groups sorts ten.
func firstRows(rows [][]result.Value, n int, order func(a, b []result.Value) int) [][]result.Value {
	if n == 0 {
		return nil
	}
	h := slices.Clone(rows[:n])
	// Rows in h keep their input order as a tie-break: i < j when equal.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	after := func(i, j int) bool { // h[i] comes after h[j]
		c := order(h[i], h[j])
		return c > 0 || c == 0 && idx[i] > idx[j]
	}
	down := func(i int) {
		for {
			l, m := 2*i+1, i
			if l < n && after(l, m) {
				m = l
			}
			if r := l + 1; r < n && after(r, m) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m], idx[i], idx[m] = h[m], h[i], idx[m], idx[i]
			i = m
		}
	}
	for i := n/2 - 1; i >= 0; i-- {
		down(i)
	}
	for k := n; k < len(rows); k++ {
		if order(rows[k], h[0]) < 0 { // equal rows: the kept one came first
			h[0], idx[0] = rows[k], k
			down(0)
		}
	}
	// Back in input order, so that the stable sort keeps equal rows as
	// they came.
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int { return idx[a] - idx[b] })
	out := make([][]result.Value, n)
	for i, j := range perm {
		out[i] = h[j]
	}
	return out
}

func (c rowAnd) holds(r []result.Value) bool { return c.l.holds(r) && c.r.holds(r) }
func (c rowOr) holds(r []result.Value) bool  { return c.l.holds(r) || c.r.holds(r) }
func (c rowNot) holds(r []result.Value) bool { return !c.x.holds(r) }

func (c rowCmp) holds(r []result.Value) bool {
	a, b := c.l.of(r), c.r.of(r)
	if a.IsNull() || b.IsNull() {
		return false
	}
	d := result.Compare(a, b)
	switch c.op {
	case "=":
		return d == 0
	case "!=":
		return d != 0
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	}
	return d >= 0
}

func (o rowOperand) of(r []result.Value) result.Value {
	if o.col < 0 {
		return o.value
	}
	return r[o.col]
}

// showColumns are show's columns: every field, then raw.
func showColumns() []result.Column {
	var cols []result.Column
	for _, f := range signin.Fields() {
		cols = append(cols, result.Column{Name: f.Name, Kind: f.Kind, Field: f.Name})
	}
	return append(cols, result.Column{Name: "raw", Kind: signin.KindString})
}

// show returns one sign-in: every field, then its original record.
func (x *executor) show() ([][]result.Value, error) {
	rec, err := x.snap.Get(x.plan.ShowID)
	if errors.Is(err, engine.ErrNotFound) {
		return nil, errorf(x.plan.Statement.Query.ID.Pos, "no sign-in has the id %s", x.plan.Statement.Query.ID)
	}
	if err != nil {
		return nil, err
	}
	var row []result.Value
	for _, f := range signin.Fields() {
		row = append(row, engine.RecordValue(f, rec))
	}
	raw := string(rec.Raw)
	if raw == "" {
		raw = string(signin.AppendJSON(nil, rec))
	}
	row = append(row, result.StringValue(raw))
	return [][]result.Value{row}, nil
}

// runStage runs a stage over rows, passing the rows it emits to emit
// until emit returns false: then the stage is stopped (its emit returns
// an error), and what it returns is no error. A stage's error, or panic,
// is the query's error, named after the stage.
func runStage(ctx context.Context, env *plugins.Env, s *boundStage, rows iter.Seq[[]result.Value], emit func([]result.Value) bool) (err error) {
	stopped, inEmit := false, false
	defer func() {
		if r := recover(); r != nil {
			if inEmit {
				panic(r) // what follows the stage panicked, not the stage
			}
			if pe := recovered(r); pe.Plugin == "" {
				err = pe // signinq's own: reading the rows the stage pulls
			} else {
				err = &StageError{Stage: s.src.Name, Pos: s.src.Pos, Err: pluginError(pe)}
			}
		}
	}()
	err = s.runner.Run(ctx, env, rows, func(row []result.Value) error {
		if stopped {
			return errStopped
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		inEmit = true
		ok := emit(row)
		inEmit = false
		if !ok {
			stopped = true
			return errStopped
		}
		return nil
	})
	switch {
	case stopped:
		return nil
	case err == nil:
		return nil
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return err
	}
	return &StageError{Stage: s.src.Name, Pos: s.src.Pos, Err: err}
}

// errStopped is what a stage's emit returns once the reader of the
// answer has stopped reading.
var errStopped = errors.New("the reader stopped")

// StageError is the error of a stage (or its panic) while it ran.
type StageError struct {
	Stage string
	Pos   ast.Pos
	Err   error
}

func (e *StageError) Error() string { return e.Stage + ": " + e.Err.Error() }
func (e *StageError) Unwrap() error { return e.Err }
