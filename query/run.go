package query

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

func init() { engine.RegisterQuerier(Run) }

// Run parses, checks and runs a statement against a store: what
// engine.DB.Query does once this package is linked in. The registry is
// the store's (engine.Options.Registry), else plugins.Default; now is
// opts.Now, else the store's clock, else (and with opts.NowLatest) the
// newest sign-in of the snapshot the query reads. Errors in the query are
// *Error.
//
// Saved queries (see Macro) are the store's, in the file MacroFile of its
// directory: a statement "define NAME = QUERY" adds one there, "undefine
// NAME" removes one, and a query's uses of them are expanded before it
// is parsed.
func Run(ctx context.Context, db *engine.DB, text string, opts engine.QueryOptions) (*engine.Result, error) {
	reg := RegistryOf(db)
	if IsDefine(text) {
		saved, err := DefineIn(db, text)
		if err != nil {
			return nil, err
		}
		return &engine.Result{Plan: saved.String() + "\n"}, nil
	}
	macros, err := MacrosOf(db)
	if err != nil {
		return nil, err
	}
	snap, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	now := opts.Now
	if now.IsZero() && db.Clock() != nil {
		now = db.Now()
	}
	if _, last, ok := snap.Span(); ok && (opts.NowLatest || now.IsZero()) {
		now = last
	}
	plan, err := Prepare(text, macros, reg, now)
	if err != nil {
		return nil, err
	}
	return executeOn(ctx, db, snap, plan, opts)
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

// RegistryOf returns the registry a store's queries use.
func RegistryOf(db *engine.DB) *plugins.Registry {
	if r, ok := db.Registry().(*plugins.Registry); ok && r != nil {
		return r
	}
	return plugins.Default()
}

// executor runs a plan on a snapshot.
type executor struct {
	ctx       context.Context
	snap      *engine.Snapshot
	plan      *Plan
	opts      engine.QueryOptions
	maxMemory int64
	stats     execStats
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
	listNote  *engine.ListLimitNote
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
func Execute(ctx context.Context, db *engine.DB, plan *Plan, opts engine.QueryOptions) (*engine.Result, error) {
	snap, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	if _, last, ok := snap.Span(); ok && opts.NowLatest && !plan.Now.Equal(last) {
		if plan, err = Check(plan.Statement, plan.reg, last); err != nil {
			return nil, err
		}
	}
	return executeOn(ctx, db, snap, plan, opts)
}

// executeOn runs a plan on a snapshot, explains it, and adds the notes
// its result needs.
func executeOn(ctx context.Context, db *engine.DB, snap *engine.Snapshot, plan *Plan, opts engine.QueryOptions) (*engine.Result, error) {
	if st := plan.Statement; st.Explain && !st.Analyze {
		return &engine.Result{Plan: plan.Explain(nil)}, nil
	}
	res, err := execute(ctx, db, snap, plan, opts, 0)
	if err != nil {
		return nil, err
	}
	n, err := noDataNote(snap, plan)
	if err != nil {
		return nil, err
	}
	if n != nil {
		res.Notes = append(res.Notes, *n)
	}
	return res, nil
}

// noDataNote returns a note when the plan's time range is relative to now
// (since D) and holds none of the snapshot's sign-ins: whatever the
// query counts is then zero because of where now is, not because nothing
// happened. Only the time column's blocks at the range's edges are read.
func noDataNote(snap *engine.Snapshot, plan *Plan) (*engine.NoDataNote, error) {
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
	return &engine.NoDataNote{From: from, Now: plan.Now, First: first, Last: last}, nil
}

// maxSubQueries bounds how deep stages' queries (plugins.Env.Query) nest.
const maxSubQueries = 4

// execute runs a plan on a snapshot; depth counts the stages' queries
// it is nested in.
func execute(ctx context.Context, db *engine.DB, snap *engine.Snapshot, plan *Plan, opts engine.QueryOptions, depth int) (res *engine.Result, err error) {
	defer func() {
		// A plugin's panic outside the parts' goroutines: merging partial
		// aggregates, their values.
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("%w: %v", ErrPluginPanic, r)
		}
	}()
	// A function's error stops the run at once, as the query's error.
	parent := ctx
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	x := &executor{ctx: ctx, snap: snap, plan: plan, opts: opts, maxMemory: opts.MaxMemory}
	for _, f := range plan.fnCalls() {
		f.reset(ctx, stop)
	}
	if x.maxMemory <= 0 {
		x.maxMemory = 1 << 30
	}
	if plan.Statement.Analyze {
		x.clock = db.Clock()
	}
	start := x.now()
	res = &engine.Result{Columns: planColumns(plan)}
	switch plan.Kind {
	case Show:
		res.Columns, res.Rows, err = x.show()
	case List:
		if plan.Stream {
			break // the first stage reads the list, below
		}
		res.Rows, err = x.list(ctx)
	default:
		var rows [][]engine.Value
		if rows, err = x.aggregateRows(ctx); err == nil {
			t := x.now()
			res.Rows = x.finish(rows)
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
		return nil, err
	}
	x.outRows = len(res.Rows)
	env := &plugins.Env{Snapshot: snap, From: plan.From, To: plan.To, Now: plan.Now}
	env.Query = func(ctx context.Context, text string) (*engine.Result, error) {
		if depth >= maxSubQueries {
			return nil, fmt.Errorf("stages' queries nest more than %d deep", maxSubQueries)
		}
		sub, err := Prepare(text, nil, plan.reg, plan.Now)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", text, err)
		}
		if sub.Statement.Explain {
			return nil, fmt.Errorf("%q: a stage's query cannot be explained", text)
		}
		return execute(ctx, db, snap, sub, engine.QueryOptions{MaxMemory: opts.MaxMemory}, depth+1)
	}
	for i, s := range plan.Stages {
		t := x.now()
		in := slices.Values(res.Rows)
		var streamErr error
		if i == 0 && plan.Stream {
			in = x.stream(ctx, &streamErr)
		}
		if res.Rows, err = runStage(ctx, env, s, in); err != nil {
			return nil, err
		}
		if streamErr != nil {
			return nil, streamErr
		}
		res.Columns = s.runner.Columns()
		s.rows, s.took = len(res.Rows), x.since(t)
	}
	res.Stats = engine.QueryStats{Parts: x.stats.parts, PartsRead: x.stats.read, BlocksRead: x.stats.blocks, Rows: x.stats.rows}
	if x.listNote != nil {
		res.Notes = append(res.Notes, *x.listNote)
	}
	if plan.Statement.Analyze {
		res.Plan = plan.Explain(&analysis{x: x, rows: len(res.Rows), elapsed: x.since(start), timed: x.clock != nil})
	}
	return res, nil
}

// outputRow computes a group's output row: its keys, then its heads
// (hidden ones included).
func (x *executor) outputRow(g *group) []engine.Value {
	row := make([]engine.Value, len(x.plan.Outs))
	for i, o := range x.plan.Outs {
		if o.key >= 0 {
			row[i] = g.key[o.key]
		} else {
			row[i] = x.eval(o.val, g)
		}
	}
	return row
}

// eval computes a head's value for a group.
func (x *executor) eval(v valExpr, g *group) engine.Value {
	switch v := v.(type) {
	case aggRef:
		return g.partials[v.i].Value()
	case numLit:
		return v.v
	case arith:
		return arithmetic(v.op, x.eval(v.l, g), x.eval(v.r, g), v.k)
	}
	return engine.Value{}
}

// arithmetic applies + - * / to two numbers: null when either is null or
// on division by zero; / always gives a decimal number.
func arithmetic(op string, a, b engine.Value, kind signin.Kind) engine.Value {
	if a.IsNull() || b.IsNull() {
		return engine.Null(kind)
	}
	if kind == signin.KindInt {
		x, y := a.Int(), b.Int()
		switch op {
		case "+":
			return engine.IntValue(x + y)
		case "-":
			return engine.IntValue(x - y)
		case "*":
			return engine.IntValue(x * y)
		}
	}
	x, y := a.Float(), b.Float()
	var r float64
	switch op {
	case "+":
		r = x + y
	case "-":
		r = x - y
	case "*":
		r = x * y
	case "/":
		if y == 0 {
			return engine.Null(kind)
		}
		r = x / y
	}
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return engine.Null(kind)
	}
	return engine.FloatValue(r)
}

// finish applies having, the order and the limit to output rows, and
// drops the hidden columns.
func (x *executor) finish(rows [][]engine.Value) [][]engine.Value {
	p := x.plan
	if p.Having != nil {
		rows = slices.DeleteFunc(rows, func(r []engine.Value) bool { return !p.Having.holds(r) })
	}
	x.kept = len(rows)
	order := func(a, b []engine.Value) int {
		for _, o := range p.Order {
			c := engine.Compare(a[o.col], b[o.col])
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	if p.Limit >= 0 && p.Limit*8 < len(rows) {
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
			out := make([]engine.Value, 0, visible)
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
func firstRows(rows [][]engine.Value, n int, order func(a, b []engine.Value) int) [][]engine.Value {
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
	out := make([][]engine.Value, n)
	for i, j := range perm {
		out[i] = h[j]
	}
	return out
}

func (c rowAnd) holds(r []engine.Value) bool { return c.l.holds(r) && c.r.holds(r) }
func (c rowOr) holds(r []engine.Value) bool  { return c.l.holds(r) || c.r.holds(r) }
func (c rowNot) holds(r []engine.Value) bool { return !c.x.holds(r) }

func (c rowCmp) holds(r []engine.Value) bool {
	a, b := c.l.of(r), c.r.of(r)
	if a.IsNull() || b.IsNull() {
		return false
	}
	d := engine.Compare(a, b)
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

func (o rowOperand) of(r []engine.Value) engine.Value {
	if o.col < 0 {
		return o.value
	}
	return r[o.col]
}

// show returns one sign-in: every field, then its original record.
func (x *executor) show() ([]engine.ResultColumn, [][]engine.Value, error) {
	rec, err := x.snap.Get(x.plan.ShowID)
	if errors.Is(err, engine.ErrNotFound) {
		return nil, nil, errorf(x.plan.Statement.Query.ID.Pos, "no sign-in has the id %s", x.plan.Statement.Query.ID)
	}
	if err != nil {
		return nil, nil, err
	}
	var cols []engine.ResultColumn
	var row []engine.Value
	for _, f := range signin.Fields() {
		cols = append(cols, engine.ResultColumn{Name: f.Name, Kind: f.Kind, Field: f.Name})
		row = append(row, engine.RecordValue(f, rec))
	}
	cols = append(cols, engine.ResultColumn{Name: "raw", Kind: signin.KindString})
	raw := string(rec.Raw)
	if raw == "" {
		raw = string(signin.AppendJSON(nil, rec))
	}
	row = append(row, engine.StringValue(raw))
	return cols, [][]engine.Value{row}, nil
}

// runStage runs a stage over rows and returns the rows it emits. A
// stage's error, or panic, is the query's error, named after the stage.
func runStage(ctx context.Context, env *plugins.Env, s *boundStage, rows iter.Seq[[]engine.Value]) (out [][]engine.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, &StageError{Stage: s.src.Name, Pos: s.src.Pos, Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	err = s.runner.Run(ctx, env, rows, func(row []engine.Value) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		out = append(out, row)
		return nil
	})
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, err
		}
		return nil, &StageError{Stage: s.src.Name, Pos: s.src.Pos, Err: err}
	}
	return out, nil
}

// StageError is the error of a stage (or its panic) while it ran.
type StageError struct {
	Stage string
	Pos   Pos
	Err   error
}

func (e *StageError) Error() string { return e.Stage + ": " + e.Err.Error() }
func (e *StageError) Unwrap() error { return e.Err }
