package query

import (
	"context"
	"errors"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// | sequence by KEY, … within D gap D: STEP then STEP …: per key, the
// rows so far (events, usually a list's sign-ins) in time order, matched
// against steps, conditions on an event's columns as | where has them,
// which may name the previous step's event's columns (prev.ip) and
// functions of a column (subnet(ip, 16), prev.subnet(ip, 16)).
//
// Matching, per key (rows with equal key values, compared as group by
// compares them: by the value as it is; a row missing a key, null or
// empty text, or missing its time, is no key's event), over the key's
// events in time order (ties in the order the rows came):
//
//   - A match is tried from each event that satisfies the first step, in
//     order. From there, each later event is, in turn: the end of the try
//     when it lies beyond the bounds (within: more than D after the try's
//     first event; gap: more than D after the key's event before it,
//     matched or not); else taken for the step after the current one
//     when it satisfies it and the current step has its count (one
//     event, or N for N+), or the end of the try when it satisfies it
//     and the current step lacks its count; else, for a step N+, taken
//     for the current step when it satisfies it; else skipped. (A step
//     N+ short of N takes an event satisfying it first.) prev. names the
//     last event taken for the step before.
//   - A try matches when the last step has its count: at its event (its
//     Nth for N+). Matches do not overlap: after one, tries start after
//     its last event; after a try that fails, from the next event.
//
// A match is a row: the keys, first and last (the times of its first and
// last events), events (how many it took), then the other columns of its
// first event (first.ip) and of its last (last.ip). Rows are ordered by
// first, then by the keys.
//
// Every row is held until the last has come (the list before it gives
// them newest first); the rows are not charged to the query's memory
// limit, as those | order by and join hold are not. A try reads the
// key's events up to its bound; without prev., a try that runs out of
// events rules out the tries from the events it read (match), so that a
// key's events are read about once; with prev., a key with many events
// in one window or session costs their square at worst.

// seqRunner runs a sequence.
type seqRunner struct {
	cols    []result.Column // output
	timeCol int
	keys    []int // input columns
	others  []int // input columns neither key nor time: first. and last.
	within  int64 // ns; -1: none
	gap     int64 // ns; -1: none
	steps   []seqStep
	fns     []seqFn         // computed columns, after the input's
	width   int             // an event's values: the input's then fns'
	null    []result.Value  // an event of nulls: prev. in the first step
	ext     []result.Column // an event's columns, then prev.'s
	err     error           // an overflow in a step's arithmetic
	read    int             // events the tries read, to look at the context now and then
	// prev: a step reads prev.; without, a try that runs out of events
	// (their end, or a gap) rules out the tries from the events it read
	// (match).
	prev bool
	// What the buffer a step's condition reads holds: the event, the
	// previous step's (set: any).
	bufEv, bufPrev *seqEvent
	bufSet         bool
}

// seqAny is the step *: any event.
type seqAny struct{}

func (seqAny) holds([]result.Value) bool { return true }

type seqStep struct {
	min  int  // events to take
	more bool // N+: takes more while the next step's event has not come
	cond rowCond
}

// seqFn is a function of an input column computed for each event.
type seqFn struct {
	f   *fnApply
	arg int
}

// sequence checks a sequence against the columns it receives.
func (c *checker) sequence(in []result.Column, s *ast.Sequence) (*seqRunner, error) {
	r := &seqRunner{within: -1, gap: -1}
	t, ok := ColumnNamed(in, "time")
	if !ok || in[t].Kind != signin.KindTime {
		return nil, errorf(s.Pos, "a sequence reads events in time order: the rows before it need a time column (list time, …), and theirs are %s", strings.Join(columnNames(in), ", "))
	}
	r.timeCol = t
	isKey := map[int]bool{}
	for _, k := range s.By {
		i, ok := ColumnNamed(in, k.Name)
		if !ok {
			names := columnNames(in)
			return nil, errorf(k.Pos, "unknown column %q%s (the columns: %s)", k.Name, didYouMean(k.Name, names), strings.Join(names, ", "))
		}
		if in[i].Kind == signin.KindList {
			return nil, errorf(k.Pos, "%s is a list of values: a sequence's keys are single values", in[i].Name)
		}
		if isKey[i] {
			return nil, errorf(k.Pos, "%s is a key twice", in[i].Name)
		}
		switch strings.ToLower(in[i].Name) {
		case "first", "last", "events":
			return nil, errorf(k.Pos, "a sequence's rows have a column %s of their own: name the key otherwise", strings.ToLower(in[i].Name))
		}
		isKey[i] = true
		r.keys = append(r.keys, i)
	}
	for _, b := range []struct {
		lit  *ast.Literal
		at   *int64
		what string
	}{{s.Within, &r.within, "within"}, {s.Gap, &r.gap, "gap"}} {
		if b.lit == nil {
			continue
		}
		d, err := ast.ParseDuration(b.lit.Text)
		if errors.Is(err, ast.ErrDurationTooLong) {
			return nil, errorf(b.lit.Pos, "%s %s: too long a duration, at most %s", b.what, b.lit, ast.MaxDuration)
		}
		if err != nil {
			return nil, errorf(b.lit.Pos, "%s takes a duration (10m, 1h, 1d), not %s", b.what, b.lit)
		}
		*b.at = int64(d)
	}
	// The columns the steps see: the input's, the functions', and prev.
	// of each.
	r.ext = slices.Clone(in)
	var rewritten []ast.Expr
	for i, st := range s.Steps {
		if st.Cond == nil {
			rewritten = append(rewritten, nil)
			continue
		}
		e, err := r.rewrite(c, in, st.Cond, i == 0)
		if err != nil {
			return nil, err
		}
		rewritten = append(rewritten, e)
	}
	r.width = len(r.ext)
	for _, col := range r.ext[:r.width] {
		r.ext = append(r.ext, result.Column{Name: "prev." + col.Name, Kind: col.Kind, Field: col.Field})
		r.null = append(r.null, result.Null(col.Kind))
	}
	for i, st := range s.Steps {
		var cond rowCond = seqAny{}
		if rewritten[i] != nil {
			var err error
			if cond, err = (&rowChecker{c: c, cols: r.ext, fail: &r.err}).cond(rewritten[i]); err != nil {
				return nil, err
			}
		}
		step := seqStep{min: 1, cond: cond}
		if st.Min > 0 {
			step.min, step.more = st.Min, true
		}
		r.steps = append(r.steps, step)
	}
	for _, i := range r.keys {
		r.cols = append(r.cols, result.Column{Name: in[i].Name, Kind: in[i].Kind, Field: in[i].Field, Key: true})
	}
	r.cols = append(r.cols,
		result.Column{Name: "first", Kind: signin.KindTime},
		result.Column{Name: "last", Kind: signin.KindTime},
		result.Column{Name: "events", Kind: signin.KindInt})
	for i := range in {
		if i != t && !isKey[i] {
			r.others = append(r.others, i)
		}
	}
	for _, side := range []string{"first.", "last."} {
		for _, i := range r.others {
			r.cols = append(r.cols, result.Column{Name: side + in[i].Name, Kind: in[i].Kind, Field: in[i].Field})
		}
	}
	return r, nil
}

// prevName splits prev.X into X.
func prevName(name string) (string, bool) {
	if len(name) > 5 && strings.EqualFold(name[:5], "prev.") {
		return name[5:], true
	}
	return "", false
}

// rewrite copies a step's condition with its functions of columns
// (subnet(ip, 16)) and prev. made names of the event's columns (r.ext),
// which the rowChecker reads as columns.
func (r *seqRunner) rewrite(c *checker, in []result.Column, e ast.Expr, first bool) (ast.Expr, error) {
	noPrev := func(pos ast.Pos, text string) error {
		return errorf(pos, "%s: the first step has no step before it, whose event prev. names", text)
	}
	switch e := e.(type) {
	case *ast.Name:
		rest, ok := prevName(e.Name)
		if !ok {
			return e, nil
		}
		if first {
			return nil, noPrev(e.Pos, e.Name)
		}
		r.prev = true
		i, ok := ColumnNamed(in, rest)
		if !ok {
			var names []string
			for _, col := range in {
				names = append(names, "prev."+col.Name)
			}
			return nil, errorf(e.Pos, "unknown column %q%s (prev. names a column of the rows before the sequence: %s)", e.Name, didYouMean(e.Name, names), strings.Join(names, ", "))
		}
		return &ast.Name{Pos: e.Pos, Name: "prev." + in[i].Name}, nil
	case *ast.Call:
		call, prefix := e, ""
		if rest, ok := prevName(e.Name); ok {
			if first {
				return nil, noPrev(e.Pos, e.String())
			}
			r.prev = true
			call, prefix = &ast.Call{Pos: e.Pos, Name: rest, Args: e.Args}, "prev."
		}
		name, err := r.fn(c, in, call)
		if err != nil {
			return nil, err
		}
		return &ast.Name{Pos: e.Pos, Name: prefix + name}, nil
	case *ast.Binary:
		l, err := r.rewrite(c, in, e.L, first)
		if err != nil {
			return nil, err
		}
		rr, err := r.rewrite(c, in, e.R, first)
		if err != nil {
			return nil, err
		}
		return &ast.Binary{Pos: e.Pos, Op: e.Op, L: l, R: rr}, nil
	case *ast.Not:
		x, err := r.rewrite(c, in, e.X, first)
		if err != nil {
			return nil, err
		}
		return &ast.Not{Pos: e.Pos, X: x}, nil
	case *ast.In:
		x, err := r.rewrite(c, in, e.X, first)
		if err != nil {
			return nil, err
		}
		return &ast.In{Pos: e.Pos, X: x, Values: e.Values, Query: e.Query, Not: e.Not}, nil
	}
	return e, nil
}

// fn adds a function of an input column to the event's columns, once
// per text, and returns the column's name.
func (r *seqRunner) fn(c *checker, in []result.Column, call *ast.Call) (string, error) {
	f, err := c.function(call)
	if err != nil {
		return "", err
	}
	name := f.field.Name
	if _, ok := ColumnNamed(r.ext, name); ok {
		return name, nil
	}
	arg, ok := ColumnNamed(in, f.col.Field.Name)
	if !ok || in[arg].Field != f.col.Field.Name {
		return "", errorf(call.Pos, "%s reads %s, which the rows before the sequence lack (their columns: %s): list it", call.Name, f.col.Field.Name, strings.Join(columnNames(in), ", "))
	}
	r.fns = append(r.fns, seqFn{f: f, arg: arg})
	r.ext = append(r.ext, result.Column{Name: name, Kind: f.kind})
	return name, nil
}

// seqFields are the fields a sequence reads that a list without fields
// before it adds to its defaults: its keys, then the fields its steps
// name, in the order written.
func seqFields(s *ast.Sequence) []string {
	var out []string
	add := func(name string) {
		if col := engine.LookupColumn(name); col != nil && !slices.Contains(out, col.Field.Name) {
			out = append(out, col.Field.Name)
		}
	}
	for _, k := range s.By {
		add(k.Name)
	}
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.Name:
			if rest, ok := prevName(e.Name); ok {
				add(rest)
			} else {
				add(e.Name)
			}
		case *ast.Call:
			if len(e.Args) > 0 {
				walk(e.Args[0])
			}
		case *ast.Binary:
			walk(e.L)
			walk(e.R)
		case *ast.Not:
			walk(e.X)
		case *ast.In:
			walk(e.X)
		}
	}
	for _, st := range s.Steps {
		if st.Cond != nil {
			walk(st.Cond)
		}
	}
	return out
}

// seqListFields adds what a sequence reads to the default fields of the
// list before it.
func seqListFields(p *Plan, s *ast.Sequence) {
	for _, name := range seqFields(s) {
		if !slices.ContainsFunc(p.listCols, func(l *listCol) bool { return l.fn == nil && l.name == name }) {
			col := engine.LookupColumn(name)
			p.listCols = append(p.listCols, &listCol{name: col.Field.Name, col: col})
		}
	}
}

func (r *seqRunner) Columns() []result.Column { return r.cols }

// seqEvent is an event: its time and its values (the input's, then the
// functions').
type seqEvent struct {
	t    int64
	vals []result.Value
}

// seqMatch is a match: the first and last events of it, and how many
// it took.
type seqMatch struct {
	first, last *seqEvent
	n           int
}

func (r *seqRunner) Run(ctx context.Context, _ *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	r.err, r.read = nil, 0
	for _, f := range r.fns {
		f.f.reset(ctx, nil)
	}
	byKey := map[string][]*seqEvent{}
	var keyOrder []string
	var kb []byte
	n := 0
	for row := range in {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tv := row[r.timeCol]
		if tv.IsNull() || slices.ContainsFunc(r.keys, func(i int) bool { return row[i].IsAbsent() }) {
			continue // not an event (of a key)
		}
		// The rows a stage reads are its own to keep (plugins.Runner).
		ev := &seqEvent{t: tv.Int(), vals: row}
		if len(r.fns) > 0 {
			ev.vals = make([]result.Value, len(row), r.width)
			copy(ev.vals, row)
			for _, f := range r.fns {
				ev.vals = append(ev.vals, f.f.eval(row[f.arg]))
			}
		}
		kb = r.key(kb[:0], row)
		evs, ok := byKey[string(kb)]
		if !ok {
			keyOrder = append(keyOrder, string(kb))
		}
		byKey[string(kb)] = append(evs, ev)
	}
	for _, f := range r.fns {
		if err := f.f.failed(); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var matches []seqMatch
	buf := make([]result.Value, 2*r.width)
	r.bufEv, r.bufPrev, r.bufSet = nil, nil, false
	for _, k := range keyOrder {
		evs := byKey[k]
		slices.SortStableFunc(evs, func(a, b *seqEvent) int { return cmpInt64(a.t, b.t) })
		var err error
		if matches, err = r.match(ctx, evs, buf, matches); err != nil {
			return err
		}
	}
	slices.SortStableFunc(matches, func(a, b seqMatch) int {
		if c := cmpInt64(a.first.t, b.first.t); c != 0 {
			return c
		}
		for _, i := range r.keys {
			if c := result.Compare(a.first.vals[i], b.first.vals[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	for _, m := range matches {
		out := make([]result.Value, 0, len(r.cols))
		for _, i := range r.keys {
			out = append(out, m.first.vals[i])
		}
		out = append(out, m.first.vals[r.timeCol], m.last.vals[r.timeCol], result.IntValue(int64(m.n)))
		for _, i := range r.others {
			out = append(out, m.first.vals[i])
		}
		for _, i := range r.others {
			out = append(out, m.last.vals[i])
		}
		if err := emit(out); err != nil {
			return err
		}
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// match appends the matches of one key's events, in time order.
func (r *seqRunner) match(ctx context.Context, evs []*seqEvent, buf []result.Value, matches []seqMatch) ([]seqMatch, error) {
	for s := 0; s < len(evs); {
		end, n, out := r.try(evs, s, buf)
		if r.read >= 1<<14 {
			r.read = 0
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if r.err != nil {
			return nil, r.err
		}
		switch {
		case end >= 0:
			matches = append(matches, seqMatch{first: evs[s], last: evs[end], n: n})
			s = end + 1
		case out > s && !r.prev:
			// A try from a later event before out is never ahead of
			// this one (its step and count are at most this one's at
			// each event: the steps read no prev.), and meets the same
			// end or gap: none matches.
			s = out
		default:
			s++
		}
	}
	return matches, nil
}

// try tries a match from evs[s]: the index of its last event and how
// many it took, or -1; when it fails for want of events (at their end,
// or a gap before the event at out), out.
func (r *seqRunner) try(evs []*seqEvent, s int, buf []result.Value) (end, n, out int) {
	holds := func(step int, ev, prev *seqEvent) bool {
		// buf holds ev's values then prev's, copied when they change.
		if ev != r.bufEv {
			copy(buf, ev.vals)
			r.bufEv = ev
		}
		if prev != r.bufPrev || !r.bufSet {
			if prev == nil {
				copy(buf[r.width:], r.null)
			} else {
				copy(buf[r.width:], prev.vals)
			}
			r.bufPrev, r.bufSet = prev, true
		}
		return r.steps[step].cond.holds(buf)
	}
	if !holds(0, evs[s], nil) {
		return -1, 0, -1
	}
	last := len(r.steps) - 1
	j, count := 0, 1
	n = 1
	var prev *seqEvent // the last event taken for step j-1
	cur := evs[s]      // the last taken for step j
	for e := s; ; e++ {
		if j == last && count == r.steps[j].min {
			return e, n, -1
		}
		if e+1 == len(evs) {
			return -1, 0, e + 1
		}
		ev := evs[e+1]
		r.read++
		if r.gap >= 0 && ev.t-evs[e].t > r.gap {
			return -1, 0, e + 1
		}
		if r.within >= 0 && ev.t-evs[s].t > r.within {
			return -1, 0, -1
		}
		st := r.steps[j]
		switch {
		case count < st.min && holds(j, ev, prev):
			count, cur, n = count+1, ev, n+1
		case j < last && holds(j+1, ev, cur):
			if count < st.min {
				return -1, 0, -1
			}
			j, count, prev, cur, n = j+1, 1, cur, ev, n+1
		case st.more && count >= st.min && holds(j, ev, prev):
			count, cur, n = count+1, ev, n+1
		}
		if r.err != nil {
			return -1, 0, -1
		}
	}
}

// key appends to b the key of a row (none of whose keys is missing):
// its values at the key columns, compared as they are.
func (r *seqRunner) key(b []byte, row []result.Value) []byte {
	for _, i := range r.keys {
		v := row[i]
		switch {
		case v.IsNull():
			b = append(b, 'z')
		case v.Kind() == signin.KindString:
			s := v.Str()
			b = append(b, 's')
			b = strconv.AppendInt(b, int64(len(s)), 10)
			b = append(b, ':')
			b = append(b, s...)
		case v.Kind() == signin.KindFloat:
			b = append(b, 'f')
			b = strconv.AppendUint(b, math.Float64bits(v.Float()), 16)
		default:
			b = append(b, 'n')
			b = strconv.AppendInt(b, v.Int(), 10)
		}
		b = append(b, ';')
	}
	return b
}
