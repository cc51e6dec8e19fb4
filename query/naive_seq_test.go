package query

// The naive evaluator's | sequence (naive_test.go): every event is tried
// as a match's start, each try run to its end on its own, and the
// overlapping matches are then removed, keeping the earliest start.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// naiveSeqFields gives a list without fields before a sequence the
// default fields, then the sequence's keys, then the fields its steps
// name (prev.X naming X; a function its field), in the order written.
func naiveSeqFields(q *ast.Query) {
	if q.Kind != ast.List || q.All || len(q.Fields) > 0 || len(q.Stages) == 0 || q.Stages[0].Sequence == nil {
		return
	}
	var names []string
	seen := map[string]bool{}
	add := func(w string) {
		if strings.HasPrefix(strings.ToLower(w), "prev.") {
			w = w[len("prev."):]
		}
		f := signin.Lookup(w)
		if f == nil || seen[f.Name] {
			return
		}
		seen[f.Name] = true
		names = append(names, f.Name)
	}
	for _, n := range naiveDefaultList {
		add(n)
	}
	s := q.Stages[0].Sequence
	for _, k := range s.By {
		add(k.Name)
	}
	var visit func(ast.Expr)
	visit = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.Name:
			add(e.Name)
		case *ast.Call:
			if len(e.Args) > 0 {
				visit(e.Args[0])
			}
		case *ast.Binary:
			visit(e.L)
			visit(e.R)
		case *ast.Not:
			visit(e.X)
		case *ast.In:
			visit(e.X)
		}
	}
	for _, st := range s.Steps {
		if st.Cond != nil {
			visit(st.Cond)
		}
	}
	for _, n := range names {
		q.Fields = append(q.Fields, &ast.Name{Name: n})
	}
}

// naiveSeqEvent is an input row with the functions' values after it.
type naiveSeqEvent struct {
	row []result.Value
	t   int64
}

func naiveSequence(in *naiveResult, s *ast.Sequence) (*naiveResult, error) {
	cols := in.Columns
	tc, ok := naivePipeColumn(cols, &ast.Name{Name: "time"})
	if !ok || cols[tc].Kind != signin.KindTime {
		return nil, fmt.Errorf("naive: no time column")
	}
	var keys []int
	for _, k := range s.By {
		i, ok := naivePipeColumn(cols, k)
		if !ok {
			return nil, fmt.Errorf("naive: no key column %s", k.Name)
		}
		keys = append(keys, i)
	}
	// Functions become columns named by their text, prev.X columns of the
	// previous step's event.
	ext := append([]result.Column(nil), cols...)
	var fns []*naiveFunc
	var fnArg []int
	var name func(e ast.Expr) ast.Expr
	name = func(e ast.Expr) ast.Expr {
		switch e := e.(type) {
		case *ast.Name:
			if strings.HasPrefix(strings.ToLower(e.Name), "prev.") {
				i, ok := naivePipeColumn(cols, &ast.Name{Name: e.Name[5:]})
				if ok {
					return &ast.Name{Name: "prev." + cols[i].Name}
				}
			}
			return e
		case *ast.Call:
			prefix, c := "", e
			if strings.HasPrefix(strings.ToLower(e.Name), "prev.") {
				prefix, c = "prev.", &ast.Call{Name: e.Name[5:], Args: e.Args}
			}
			text := strings.ToLower(c.String())
			found := false
			for _, col := range ext {
				found = found || col.Name == text
			}
			if !found {
				f, err := naiveFuncOf(c)
				if err != nil {
					return e // left as it is: naiveRowCond refuses it
				}
				a, ok := naivePipeColumn(cols, &ast.Name{Name: f.field.Name})
				if !ok {
					return e
				}
				fns, fnArg = append(fns, f), append(fnArg, a)
				ext = append(ext, result.Column{Name: text, Kind: f.kind})
			}
			return &ast.Name{Name: prefix + text}
		case *ast.Binary:
			return &ast.Binary{Op: e.Op, L: name(e.L), R: name(e.R)}
		case *ast.Not:
			return &ast.Not{X: name(e.X)}
		case *ast.In:
			return &ast.In{X: name(e.X), Values: e.Values, Query: e.Query, Not: e.Not}
		}
		return e
	}
	var conds []ast.Expr
	for _, st := range s.Steps {
		if st.Cond == nil {
			conds = append(conds, nil)
			continue
		}
		conds = append(conds, name(st.Cond))
	}
	width := len(ext)
	for _, c := range ext[:width] {
		ext = append(ext, result.Column{Name: "prev." + c.Name, Kind: c.Kind, Field: c.Field})
	}
	var holds []func([]result.Value) (bool, error)
	for _, c := range conds {
		if c == nil {
			holds = append(holds, func([]result.Value) (bool, error) { return true, nil })
			continue
		}
		h, err := naiveRowCond(c, ext)
		if err != nil {
			return nil, err
		}
		holds = append(holds, h)
	}
	bound := func(l *ast.Literal) (int64, error) {
		if l == nil {
			return -1, nil
		}
		d, ok := naiveDuration(l.Text)
		if !ok {
			return 0, fmt.Errorf("naive: bad duration %s", l.Text)
		}
		return int64(d), nil
	}
	within, err := bound(s.Within)
	if err != nil {
		return nil, err
	}
	gap, err := bound(s.Gap)
	if err != nil {
		return nil, err
	}

	// The events of each key.
	groups := map[string][]naiveSeqEvent{}
	for _, r := range in.Rows {
		if r[tc].IsNull() {
			continue
		}
		missing := false
		for _, i := range keys {
			missing = missing || r[i].IsNull() || r[i].Kind() == signin.KindString && r[i].Str() == ""
		}
		if missing {
			continue // a sign-in without a user is no user's event
		}
		row := append([]result.Value(nil), r...)
		for i, f := range fns {
			row = append(row, f.eval(r[fnArg[i]]))
		}
		var k []byte
		for _, i := range keys {
			k = naiveKey(k, r[i])
			k = append(k, 0xff, byte(r[i].Kind()))
		}
		groups[string(k)] = append(groups[string(k)], naiveSeqEvent{row: row, t: r[tc].Int()})
	}
	check := func(step int, ev, prev []result.Value) (bool, error) {
		row := append(append([]result.Value(nil), ev...), prev...)
		if prev == nil {
			for _, c := range ext[width:] {
				row = append(row, result.Null(c.Kind))
			}
		}
		return holds[step](row)
	}
	type match struct{ start, end, n int }
	out := &naiveResult{Result: &result.Result{}}
	for _, i := range keys {
		c := cols[i]
		out.Columns = append(out.Columns, result.Column{Name: c.Name, Kind: c.Kind, Field: c.Field, Key: true})
	}
	out.Columns = append(out.Columns, result.Column{Name: "first", Kind: signin.KindTime}, result.Column{Name: "last", Kind: signin.KindTime}, result.Column{Name: "events", Kind: signin.KindInt})
	var others []int
	for i := range cols {
		isKey := false
		for _, k := range keys {
			isKey = isKey || k == i
		}
		if i != tc && !isKey {
			others = append(others, i)
		}
	}
	for _, p := range []string{"first.", "last."} {
		for _, i := range others {
			out.Columns = append(out.Columns, result.Column{Name: p + cols[i].Name, Kind: cols[i].Kind, Field: cols[i].Field})
		}
	}
	type outRow struct {
		row   []result.Value
		first int64
	}
	var rows []outRow
	for _, evs := range groups {
		sort.SliceStable(evs, func(a, b int) bool { return evs[a].t < evs[b].t })
		// Every start's try, alone.
		var tries []match
		for start := range evs {
			end, n, err := naiveSeqTry(s, evs, start, within, gap, check)
			if err != nil {
				return nil, err
			}
			if end >= 0 {
				tries = append(tries, match{start, end, n})
			}
		}
		// The earliest start, then the earliest after its end, ….
		next := 0
		for _, m := range tries {
			if m.start < next {
				continue
			}
			next = m.end + 1
			f, l := evs[m.start].row, evs[m.end].row
			var row []result.Value
			for _, i := range keys {
				row = append(row, f[i])
			}
			row = append(row, f[tc], l[tc], result.IntValue(int64(m.n)))
			for _, i := range others {
				row = append(row, f[i])
			}
			for _, i := range others {
				row = append(row, l[i])
			}
			rows = append(rows, outRow{row: row, first: evs[m.start].t})
		}
	}
	sort.SliceStable(rows, func(a, b int) bool {
		if rows[a].first != rows[b].first {
			return rows[a].first < rows[b].first
		}
		for j := range keys {
			if c := result.Compare(rows[a].row[j], rows[b].row[j]); c != 0 {
				return c < 0
			}
		}
		// Two matches of one key at one time: the earlier events first.
		return rows[a].row[len(keys)+1].Int() < rows[b].row[len(keys)+1].Int()
	})
	out.Rows = [][]result.Value{}
	for _, r := range rows {
		out.Rows = append(out.Rows, r.row)
	}
	return out, nil
}

// naiveSeqTry runs one try from evs[start]: the index of its last event
// and the events it took, or -1. Each step keeps the events it took.
func naiveSeqTry(s *ast.Sequence, evs []naiveSeqEvent, start int, within, gap int64, check func(int, []result.Value, []result.Value) (bool, error)) (int, int, error) {
	need := func(step int) int { return max(s.Steps[step].Min, 1) }
	repeat := func(step int) bool { return s.Steps[step].Min > 0 }
	ok, err := check(0, evs[start].row, nil)
	if err != nil || !ok {
		return -1, 0, err
	}
	took := [][]int{{start}}
	lastOf := func(step int) []result.Value {
		if step < 0 {
			return nil
		}
		t := took[step]
		return evs[t[len(t)-1]].row
	}
	final := len(s.Steps) - 1
	for e := start + 1; ; e++ {
		step := len(took) - 1
		if step == final && len(took[step]) == need(step) {
			n := 0
			for _, t := range took {
				n += len(t)
			}
			return took[step][len(took[step])-1], n, nil
		}
		if e == len(evs) {
			return -1, 0, nil
		}
		if within >= 0 && evs[e].t-evs[start].t > within {
			return -1, 0, nil
		}
		if gap >= 0 && evs[e].t-evs[e-1].t > gap {
			return -1, 0, nil
		}
		this, err := check(step, evs[e].row, lastOf(step-1))
		if err != nil {
			return -1, 0, err
		}
		next := false
		if step < final {
			if next, err = check(step+1, evs[e].row, lastOf(step)); err != nil {
				return -1, 0, err
			}
		}
		short := len(took[step]) < need(step)
		switch {
		case short && this:
			took[step] = append(took[step], e)
		case short && next:
			return -1, 0, nil // the next step came too soon
		case next:
			took = append(took, []int{e})
		case repeat(step) && this:
			took[step] = append(took[step], e)
		}
	}
}
