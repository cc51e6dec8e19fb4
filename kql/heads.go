package kql

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
)

// out is an output column of an aggregate or top: a key or a head.
type out struct {
	name string // as signinq names it
	key  bool
	kind signin.Kind
}

// aggregate is heads [group by] [having] [order by] [limit].
func (t *translator) aggregate(q *ast.Query) ([]string, error) {
	keys, by, err := t.keys(q.GroupBy)
	if err != nil {
		return nil, err
	}
	var outs []out
	outs = append(outs, keys...)
	var aggs, post []string
	hidden := map[string]string{} // an aggregate within arithmetic: its hidden column, by its text
	arith := false
	// The heads' aliases, which a name in arithmetic means first (count
	// as the alias of dcount(user) is that head, not the count).
	t.aliases = map[string]bool{}
	for _, h := range q.Heads {
		if h.Alias != nil {
			t.aliases[strings.ToLower(h.Alias.Text)] = true
		}
	}
	for _, h := range q.Heads {
		name := strings.ToLower(h.Expr.String())
		if h.Alias != nil {
			name = h.Alias.Text
		}
		if b, ok := h.Expr.(*ast.Binary); ok {
			x, k, err := t.arith(b, outs, hidden, &aggs)
			if err != nil {
				return nil, err
			}
			// One extend per head: a later head may name this one.
			post = append(post, "extend "+ident(name)+" = "+x)
			outs = append(outs, out{name: name, kind: k})
			arith = true
			continue
		}
		a, k, err := t.agg(h.Expr)
		if err != nil {
			return nil, err
		}
		aggs = append(aggs, ident(name)+" = "+a)
		t.noteEmpty(ident(name), a, k)
		outs = append(outs, out{name: name, kind: k})
	}
	if arith {
		// The columns in the query's order, the hidden aggregates left out.
		var cols []string
		for _, o := range outs {
			cols = append(cols, ident(o.name))
		}
		post = append(post, "project "+strings.Join(cols, ", "))
	}
	return t.finish(q, outs, aggs, by, nil, post...)
}

// arith is a head's arithmetic over aggregates, numbers and earlier
// heads' names (+ - * /), as the language computes it (query.Arithmetic):
// whole numbers stay whole through + - * (KQL's long, which wraps
// beyond an int64 where signinq's result is an error, so that the KQL
// agrees wherever signinq gives an answer); / is a decimal number, null
// when the divisor is 0; a null operand makes null (KQL's arithmetic
// propagates null). An aggregate within it is summarized into a hidden
// column (aggs), once however often it appears.
func (t *translator) arith(e ast.Expr, outs []out, hidden map[string]string, aggs *[]string) (string, signin.Kind, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "+", "-", "*", "/":
		default:
			return "", 0, refuse(e, "it is not arithmetic over aggregates")
		}
		l, lk, err := t.arith(e.L, outs, hidden, aggs)
		if err != nil {
			return "", 0, err
		}
		r, rk, err := t.arith(e.R, outs, hidden, aggs)
		if err != nil {
			return "", 0, err
		}
		return arithOp(e, l, lk, r, rk)
	case *ast.Literal:
		return arithNumber(e, e.Text, e.Quoted)
	case *ast.Name:
		// Another head's name, as the checker reads it first; then a
		// number; then an aggregate without parentheses (count).
		for _, o := range outs {
			if !o.key && strings.EqualFold(o.name, e.Name) {
				return ident(o.name), o.kind, nil
			}
		}
		if t.aliases[strings.ToLower(e.Name)] {
			return "", 0, refuse(e, "it names a head after this one, which is not translated yet")
		}
		if strings.EqualFold(e.Name, "now") {
			return timeConst(e, t.plan.Now.UnixNano(), signin.KindTime)
		}
		if c := e.Name[0]; c >= '0' && c <= '9' || c == '-' || c == '.' {
			return arithNumber(e, e.Name, false)
		}
	}
	text := strings.ToLower(e.String())
	a, k, err := t.agg(e)
	if err != nil {
		return "", 0, err
	}
	col, ok := hidden[text]
	if !ok {
		col = ident(fmt.Sprintf("__agg%d", len(hidden)+1))
		hidden[text] = col
		*aggs = append(*aggs, col+" = "+a)
		t.noteEmpty(col, a, k)
	}
	return col, k, nil
}

// noteEmpty notes a summarized column's value for no sign-ins (group by
// … in @list): 0 for the counts, null for the others.
func (t *translator) noteEmpty(col, agg string, k signin.Kind) {
	if t.empty == nil {
		t.empty = map[string]string{}
	}
	switch {
	case strings.HasPrefix(agg, "count"):
		t.empty[col] = "long(0)"
	default:
		t.empty[col] = nulls[k]
	}
	t.emptyOrder = append(t.emptyOrder, col)
}

// absent is the step of group by KEY in @list that adds a row of no
// sign-ins for each of the list's values that no group has (compared as
// KEY in @list compares them: text without regard to case, numbers by
// value; equal values given once, the first spelling), in the list's
// spelling, its aggregates those of no sign-ins: the groups so far
// (as __groups) with those of a datatable of the values.
func (t *translator) absent(q *ast.Query, keys []out) (string, error) {
	if len(keys) != 1 {
		return "", refuse("group by … in "+q.GroupIn.String(), "it groups by one key")
	}
	k := keys[0]
	if k.name == "ip" || (k.kind != signin.KindString && k.kind != signin.KindInt) {
		return "", refuse("group by "+k.name+" in "+q.GroupIn.String(), "an address's group without sign-ins is found by the address however written, which is not translated yet")
	}
	l := t.namedList(strings.TrimPrefix(q.GroupIn.Text, "@"))
	if l == nil {
		return "", refuse(q.GroupIn.Text, "the named list's values are the store's: give them (explain --kql with a store)")
	}
	var vals []string
	var seen []string
	for _, v := range l.Values {
		if k.kind == signin.KindInt {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return "", refuse(v, "it is not a whole number")
			}
			v = strconv.FormatInt(n, 10)
		}
		dup := false
		for _, s := range seen {
			if strings.EqualFold(s, v) {
				dup = true
			}
		}
		if dup {
			continue
		}
		seen = append(seen, v)
		if k.kind == signin.KindInt {
			vals = append(vals, v)
		} else {
			vals = append(vals, str(v))
		}
	}
	typ, notIn := "string", " !in~ "
	if k.kind == signin.KindInt {
		typ, notIn = "long", " !in "
	}
	c := ident(k.name)
	var ext []string
	for _, col := range t.emptyOrder {
		ext = append(ext, col+" = "+t.empty[col])
	}
	leg := "datatable(" + c + ":" + typ + ")[" + strings.Join(vals, ", ") + "] | where " + c + notIn + "(__groups | project " + c + ")"
	if len(ext) > 0 {
		leg += " | extend " + strings.Join(ext, ", ")
	}
	return "as __groups\n| union (" + leg + ")", nil
}

// arithOp is L op R of arith, of their KQL and kinds.
func arithOp(e *ast.Binary, l string, lk signin.Kind, r string, rk signin.Kind) (string, signin.Kind, error) {
	num := func(k signin.Kind) bool { return k == signin.KindInt || k == signin.KindFloat }
	if !num(lk) || !num(rk) {
		return timeArith(e, l, lk, r, rk)
	}
	switch {
	case e.Op == "/":
		return "iff(todouble(" + r + ") == 0, real(null), todouble(" + l + ") / todouble(" + r + "))", signin.KindFloat, nil
	case lk == signin.KindInt && rk == signin.KindInt:
		return "(" + l + " " + e.Op + " " + r + ")", signin.KindInt, nil
	}
	return "(todouble(" + l + ") " + e.Op + " todouble(" + r + "))", signin.KindFloat, nil
}

// rowArith is arithmetic over output columns (having, | where): the
// columns by name, numbers, times and durations, as in heads.
func (t *translator) rowArith(e ast.Expr, outs []out) (string, signin.Kind, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "+", "-", "*", "/":
		default:
			return "", 0, refuse(e, "it is not arithmetic")
		}
		if name, err := outName(e, outs); err == nil { // a head's text
			for _, o := range outs {
				if o.name == name {
					return ident(name), o.kind, nil
				}
			}
		}
		l, lk, err := t.rowArith(e.L, outs)
		if err != nil {
			return "", 0, err
		}
		r, rk, err := t.rowArith(e.R, outs)
		if err != nil {
			return "", 0, err
		}
		return arithOp(e, l, lk, r, rk)
	case *ast.Name:
		if name, err := outName(e, outs); err == nil {
			for _, o := range outs {
				if o.name == name {
					return ident(name), o.kind, nil
				}
			}
		}
		if strings.EqualFold(e.Name, "now") {
			return timeConst(e, t.plan.Now.UnixNano(), signin.KindTime)
		}
		return arithNumber(e, e.Name, false)
	case *ast.Literal:
		if name, err := outName(e, outs); err == nil && !e.Quoted {
			for _, o := range outs {
				if o.name == name {
					return ident(name), o.kind, nil
				}
			}
		}
		return arithNumber(e, e.Text, e.Quoted)
	case *ast.Call:
		name, err := outName(e, outs)
		if err != nil {
			return "", 0, err
		}
		for _, o := range outs {
			if o.name == name {
				return ident(name), o.kind, nil
			}
		}
	}
	return "", 0, refuse(e, "it is not arithmetic over output columns")
}

// arithNumber is a number in a head's arithmetic: a whole number as a
// long, else a decimal number as a real.
func arithNumber(e ast.Expr, text string, quoted bool) (string, signin.Kind, error) {
	if !quoted {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return "long(" + strconv.FormatInt(n, 10) + ")", signin.KindInt, nil
		}
		if l, ok := (&ast.Literal{Text: text}).Number(); ok && !math.IsInf(l, 0) && !math.IsNaN(l) {
			return "real(" + strconv.FormatFloat(l, 'g', -1, 64) + ")", signin.KindFloat, nil
		}
	}
	if d, ok := query.DurationText(text); ok {
		return timeConst(e, int64(d), signin.KindDuration)
	}
	if tm, err := query.ParseTime(text); err == nil {
		return timeConst(e, tm.UnixNano(), signin.KindTime)
	}
	return "", 0, refuse(e, "it is not a number, a time or a duration")
}

// timeConst is a time (Unix ns) or a duration (ns) in a head's
// arithmetic, as KQL's datetime or timespan: in 100 ns ticks, so one
// between two ticks is refused.
func timeConst(e ast.Expr, ns int64, k signin.Kind) (string, signin.Kind, error) {
	if ns%100 != 0 {
		return "", 0, refuse(e, "KQL's times and timespans are in 100-nanosecond ticks, and this one falls between two")
	}
	if k == signin.KindDuration {
		return "totimespan(" + strconv.FormatInt(ns/100, 10) + ")", k, nil
	}
	return datetime(ns), k, nil
}

// timeArith is + and - of times and durations in a head, as the
// language computes them in nanoseconds (a time less a time is a
// duration, a time plus or less a duration a time, durations add): KQL's
// datetime and timespan arithmetic, exact in 100 ns ticks, which the
// tables' times are in; null when either side is. Beyond an int64 of
// nanoseconds (about 292 years) signinq's result is an error, where KQL's
// wider range may give one.
func timeArith(e *ast.Binary, l string, lk signin.Kind, r string, rk signin.Kind) (string, signin.Kind, error) {
	if e.Op != "+" && e.Op != "-" {
		return "", 0, refuse(e, "times and durations are added and subtracted")
	}
	var k signin.Kind
	switch {
	case lk == signin.KindTime && rk == signin.KindTime && e.Op == "-":
		k = signin.KindDuration
	case lk == signin.KindTime && rk == signin.KindDuration, lk == signin.KindDuration && rk == signin.KindTime && e.Op == "+":
		k = signin.KindTime
	case lk == signin.KindDuration && rk == signin.KindDuration:
		k = signin.KindDuration
	default:
		return "", 0, refuse(e, "it is not arithmetic of times and durations")
	}
	return "(" + l + " " + e.Op + " " + r + ")", k, nil
}

// top is top N keys [by aggregate]: the aggregate per group, largest
// first, ties by the keys, N rows.
func (t *translator) top(q *ast.Query) ([]string, error) {
	keys, by, err := t.keys(q.TopKeys)
	if err != nil {
		return nil, err
	}
	var e ast.Expr = &ast.Name{Pos: q.Pos, Name: "count"}
	if q.TopBy != nil {
		e = q.TopBy
	}
	name := strings.ToLower(e.String())
	n, err := strconv.ParseInt(q.TopN.Text, 10, 64)
	if err != nil {
		return nil, refuse(q.TopN, "it is not a whole number")
	}
	if b, ok := e.(*ast.Binary); ok {
		// Arithmetic over aggregates, as a head's.
		var aggs []string
		x, k, err := t.arith(b, keys, map[string]string{}, &aggs)
		if err != nil {
			return nil, err
		}
		outs := append(keys, out{name: name, kind: k})
		var cols []string
		for _, o := range outs {
			cols = append(cols, ident(o.name))
		}
		return t.finish(q, outs, aggs, by, &n, "extend "+ident(name)+" = "+x, "project "+strings.Join(cols, ", "))
	}
	a, k, err := t.agg(e)
	if err != nil {
		return nil, err
	}
	outs := append(keys, out{name: name, kind: k})
	return t.finish(q, outs, []string{ident(name) + " = " + a}, by, &n)
}

// keys are group by's keys: fields, and bin(D) of the time (aligned to
// the Unix epoch, as bin_at with 1970-01-01 aligns it: KQL's bin aligns
// to 0001-01-01, a whole number of days but not of weeks before it).
func (t *translator) keys(es []ast.Expr) ([]out, []string, error) {
	var outs []out
	var by []string
	for _, e := range es {
		switch e := e.(type) {
		case *ast.Name:
			if lf, c, err := t.listField(e); lf != nil || err != nil {
				if err != nil {
					return nil, nil, err
				}
				// A row per distinct element ("" for none): a sign-in
				// counts once in each of its elements' groups.
				t.expand = append(t.expand, "mv-expand "+c+" = "+elements(c)+" to typeof(string)")
				outs = append(outs, out{name: lf.Name, key: true, kind: signin.KindString})
				by = append(by, c)
				continue
			}
			f, c, err := t.field(e)
			if err != nil {
				return nil, nil, err
			}
			outs = append(outs, out{name: f.Name, key: true, kind: f.Kind})
			by = append(by, c)
		case *ast.Call:
			if !strings.EqualFold(e.Name, "bin") {
				f, c, err := t.operand(e)
				if err != nil {
					return nil, nil, err
				}
				outs = append(outs, out{name: f.Name, key: true, kind: f.Kind})
				by = append(by, ident(f.Name)+" = "+c)
				continue
			}
			if len(e.Args) != 1 {
				return nil, nil, refuse(e, "bin takes one duration")
			}
			var text string
			switch a := e.Args[0].(type) {
			case *ast.Name:
				text = a.Name
			case *ast.Literal:
				text = a.Text
			}
			d, err := ast.ParseDuration(text)
			if err != nil || d <= 0 {
				return nil, nil, refuse(e, "its duration does not read")
			}
			ts, err := timespan(d)
			if err != nil {
				return nil, nil, err
			}
			t.field(&ast.Name{Name: "time"})
			outs = append(outs, out{name: "time", key: true, kind: signin.KindTime})
			by = append(by, ident("time")+" = bin_at("+ident("time")+", "+ts+", datetime(1970-01-01))")
		default:
			return nil, nil, refuse(e, "group by takes fields and bin here")
		}
	}
	return outs, by, nil
}

// timespan is a KQL timespan literal of a duration in whole ticks.
func timespan(d time.Duration) (string, error) {
	if d%100 != 0 {
		return "", refuse(d, "KQL's timespans are in 100-nanosecond ticks")
	}
	return "totimespan(" + strconv.FormatInt(int64(d/100), 10) + ")", nil
}

// agg is an aggregate head: count, countif, dcount (exact:
// count_distinct, KQL's dcount being an estimate), dcountif, min, max,
// minif, maxif of numbers and times.
func (t *translator) agg(e ast.Expr) (string, signin.Kind, error) {
	if n, ok := e.(*ast.Name); ok && strings.EqualFold(n.Name, "count") {
		return "count()", signin.KindInt, nil
	}
	call, ok := e.(*ast.Call)
	if !ok {
		return "", 0, refuse(e, "it is not an aggregate")
	}
	name := strings.ToLower(call.Name)
	arg := func(i int) (*signin.Field, string, error) {
		if i >= len(call.Args) {
			return nil, "", refuse(call, "it lacks an argument")
		}
		return t.operand(call.Args[i])
	}
	cond := func(i int) (string, error) {
		if i >= len(call.Args) {
			return "", refuse(call, "it lacks a condition")
		}
		return t.cond(call.Args[i])
	}
	switch name {
	case "count":
		if len(call.Args) == 0 {
			return "count()", signin.KindInt, nil
		}
	case "countif":
		c, err := cond(0)
		if err != nil {
			return "", 0, err
		}
		return "countif(" + c + ")", signin.KindInt, nil
	case "dcount", "dcountif":
		f, c, err := arg(0)
		if err != nil {
			return "", 0, err
		}
		present := "isnotnull(" + c + ")"
		if f.Kind == signin.KindString {
			present = "isnotempty(" + c + ")"
		}
		if name == "dcountif" {
			k, err := cond(1)
			if err != nil {
				return "", 0, err
			}
			present = "(" + k + " and " + present + ")"
		}
		return "count_distinctif(" + c + ", " + present + ")", signin.KindInt, nil
	case "sum", "avg":
		// Over the sign-ins with a value, null when none has one (KQL's
		// sum of no value is 0). sum of whole numbers is KQL's long sum,
		// which wraps beyond an int64 where signinq's is an error; avg is
		// the sum of the values as decimal numbers over their number, as
		// signinq computes it (plugins/aggregate).
		f, c, err := arg(0)
		if err != nil {
			return "", 0, err
		}
		if f.Kind != signin.KindInt && f.Kind != signin.KindFloat {
			return "", 0, refuse(call, "%s takes numbers", name)
		}
		n := "countif(isnotnull(" + c + "))"
		if name == "avg" {
			return "iff(" + n + " > 0, sum(todouble(" + c + ")) / " + n + ", real(null))", signin.KindFloat, nil
		}
		return "iff(" + n + " > 0, sum(" + c + "), " + nulls[f.Kind] + ")", f.Kind, nil
	case "values", "valuesif":
		// make_set would list them, but keeps at most 1,048,576 values
		// and cuts a longer set without an error; a tenant's users or
		// addresses in a month can be more.
		return "", 0, refuse(call, "KQL's make_set keeps at most 1,048,576 distinct values and cuts a longer set without an error, where signinq lists them all")
	case "min", "max", "minif", "maxif":
		f, c, err := arg(0)
		if err != nil {
			return "", 0, err
		}
		if f.Kind != signin.KindInt && f.Kind != signin.KindFloat && f.Kind != signin.KindTime {
			return "", 0, refuse(call, "signinq's %s of %s is null when no sign-in has a value, and KQL's text is never null (its min of no text is \"\")", name, f.Kind)
		}
		if strings.HasSuffix(name, "if") {
			k, err := cond(1)
			if err != nil {
				return "", 0, err
			}
			return name + "(" + c + ", " + k + ")", f.Kind, nil
		}
		return name + "(" + c + ")", f.Kind, nil
	}
	return "", 0, refuse(call, "the aggregate %s is not translated", name)
}

// finish adds summarize, having, the order and the limit (top's N).
func (t *translator) finish(q *ast.Query, outs []out, aggs, by []string, topN *int64, post ...string) ([]string, error) {
	t.first, t.outs = &outs[0], outs
	s := "summarize " + strings.Join(aggs, ", ")
	if len(by) > 0 {
		s += " by " + strings.Join(by, ", ")
	}
	steps := []string{s}
	if q.GroupIn != nil {
		var keys []out
		for _, o := range outs {
			if o.key {
				keys = append(keys, o)
			}
		}
		a, err := t.absent(q, keys)
		if err != nil {
			return nil, err
		}
		steps = append(steps, a)
	}
	steps = append(steps, post...)
	if q.Having != nil {
		h, err := t.having(q.Having, outs)
		if err != nil {
			return nil, err
		}
		steps = append(steps, "where "+h)
	}
	// The order: order by's columns, else (time ascending with a bin
	// key, else the first head descending), then the keys ascending;
	// nulls first.
	var order []string
	seen := map[string]bool{}
	add := func(name string, desc bool) {
		if seen[name] {
			return
		}
		seen[name] = true
		dir := " asc"
		if desc {
			dir = " desc"
		}
		order = append(order, ident(name)+dir+" nulls first")
	}
	if topN != nil {
		add(outs[len(outs)-1].name, true)
	} else if len(q.OrderBy) > 0 {
		for _, o := range q.OrderBy {
			name, err := outName(o.Expr, outs)
			if err != nil {
				return nil, err
			}
			add(name, o.Desc)
		}
	} else {
		bin := false
		for _, k := range q.GroupBy {
			if c, ok := k.(*ast.Call); ok && strings.EqualFold(c.Name, "bin") {
				bin = true
			}
		}
		if bin {
			add("time", false)
		} else {
			for _, o := range outs {
				if !o.key {
					add(o.name, true)
					break
				}
			}
		}
	}
	for _, o := range outs {
		if o.key {
			add(o.name, false)
		}
	}
	n := topN
	if n == nil && q.Limit != nil {
		l, err := strconv.ParseInt(q.Limit.Text, 10, 64)
		if err != nil {
			return nil, refuse(q.Limit, "it is not a whole number")
		}
		n = &l
	}
	if n != nil {
		steps = append(steps, "order by "+strings.Join(order, ", "), "take "+strconv.FormatInt(*n, 10))
	} else {
		steps = append(steps, "order by "+strings.Join(order, ", "))
	}
	return t.operators(q, outs, order, steps)
}

// operators adds the operators after a | on the rows (where, order by,
// limit): where keeps the order, an order by sorts by its columns then
// the order so far (the language's sort is stable), limit takes the
// first rows. Stages and joins are refused.
func (t *translator) operators(q *ast.Query, outs []out, order, steps []string) ([]string, error) {
	for _, s := range q.Stages {
		switch {
		case s.Where != nil:
			w, err := t.rowCond(s.Where, outs, true)
			if err != nil {
				return nil, err
			}
			steps = append(steps, "where "+w)
		case s.OrderBy != nil:
			var keys []string
			for _, o := range s.OrderBy {
				name, err := outName(o.Expr, outs)
				if err != nil {
					return nil, err
				}
				dir := " asc"
				if o.Desc {
					dir = " desc"
				}
				keys = append(keys, ident(name)+dir+" nulls first")
			}
			// Later keys on a column already ordered by add nothing.
			seen := map[string]bool{}
			var merged []string
			for _, k := range append(keys, order...) {
				col, _, _ := strings.Cut(k, " ")
				if !seen[col] {
					seen[col] = true
					merged = append(merged, k)
				}
			}
			order = merged
			steps = append(steps, "order by "+strings.Join(order, ", "))
		case s.Limit != nil:
			n, err := strconv.ParseInt(s.Limit.Text, 10, 64)
			if err != nil {
				return nil, refuse(s.Limit, "it is not a whole number")
			}
			steps = append(steps, "take "+strconv.FormatInt(n, 10))
		case s.Join != nil && s.Join.Kind == "anti":
			js, err := t.antiJoin(s.Join, outs)
			if err != nil {
				return nil, err
			}
			// The join keeps no order: the rows' order again.
			steps = append(steps, js...)
			steps = append(steps, "order by "+strings.Join(order, ", "))
		case s.Join != nil:
			return nil, refuse("| join", "inner and left joins are not translated (the order of their rows, pairs of the two sides' rows, is not said yet)")
		case s.Sequence != nil:
			return nil, refuse("| sequence", "a try that fails starts again from the event after its first, reading those events again, and KQL's one operator for sequences, scan, reads each key's records once, forward, with one partial match per step")
		default:
			return nil, refuse("| "+s.Name, "stages are plugins, Go code signinq runs over the rows, which KQL cannot run")
		}
	}
	return steps, nil
}

// outName is the output column an expression of having or order by
// names: by its name, or by its text.
func outName(e ast.Expr, outs []out) (string, error) {
	var text string
	switch e := e.(type) {
	case *ast.Name:
		text = e.Name
	case *ast.Literal:
		text = e.Text
	case *ast.Call, *ast.Binary:
		text = strings.ToLower(e.String())
	default:
		return "", refuse(e, "it is not an output column")
	}
	for _, o := range outs {
		if o.name == text {
			return o.name, nil
		}
	}
	for _, o := range outs {
		if strings.EqualFold(o.name, text) {
			return o.name, nil
		}
	}
	if f := signin.Lookup(text); f != nil {
		for _, o := range outs {
			if o.key && o.name == f.Name {
				return o.name, nil
			}
		}
	}
	return "", refuse(e, "it is not an output column (aggregates computed for having or order by alone are not translated)")
}

// having is a condition over output columns: comparisons with numbers
// or each other, and, or, not; a comparison with null is false.
func (t *translator) having(e ast.Expr, outs []out) (string, error) {
	return t.rowCond(e, outs, false)
}

// rowCond is having's condition, or with rows that of | where, which
// also compares text columns, without regard to case, with text and
// with each other (= != contains startswith endswith).
func (t *translator) rowCond(e ast.Expr, outs []out, rows bool) (string, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := t.rowCond(e.L, outs, rows)
			if err != nil {
				return "", err
			}
			r, err := t.rowCond(e.R, outs, rows)
			if err != nil {
				return "", err
			}
			return "(" + l + " " + e.Op + " " + r + ")", nil
		}
		if rows {
			if s, ok, err := textCond(e, outs); ok || err != nil {
				return s, err
			}
		}
		op, ok := map[string]string{"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[e.Op]
		if !ok {
			return "", refuse(e, "having compares output columns")
		}
		// A side is a column or a number; text columns are refused
		// (the language compares text without regard to case there).
		side := func(x ast.Expr) (string, signin.Kind, error) {
			if b, ok := x.(*ast.Binary); ok {
				return t.rowArith(b, outs)
			}
			name, err := outName(x, outs)
			if err == nil {
				for _, o := range outs {
					if o.name == name {
						return ident(name), o.kind, nil
					}
				}
			}
			var text string
			switch x := x.(type) {
			case *ast.Name:
				text = x.Name
			case *ast.Literal:
				if !x.Quoted {
					text = x.Text
				}
			}
			if n, perr := strconv.ParseInt(text, 10, 64); perr == nil {
				return "long(" + strconv.FormatInt(n, 10) + ")", signin.KindInt, nil
			}
			if f, perr := strconv.ParseFloat(text, 64); perr == nil && !strings.ContainsAny(text, "xXpP_") {
				return "real(" + strconv.FormatFloat(f, 'f', -1, 64) + ")", signin.KindFloat, nil
			}
			if x, ok := x.(*ast.Name); ok && strings.EqualFold(x.Name, "now") {
				return timeConst(x, t.plan.Now.UnixNano(), signin.KindTime)
			}
			if l, ok := x.(*ast.Literal); ok {
				text = l.Text
			}
			if d, ok := query.DurationText(text); ok {
				return timeConst(x, int64(d), signin.KindDuration)
			}
			if tm, perr := query.ParseTime(text); perr == nil && text != "" {
				return timeConst(x, tm.UnixNano(), signin.KindTime)
			}
			return "", 0, err
		}
		l, lk, err := side(e.L)
		if err != nil {
			return "", err
		}
		r, rk, err := side(e.R)
		if err != nil {
			return "", err
		}
		num := func(k signin.Kind) bool { return k == signin.KindInt || k == signin.KindFloat }
		if !(num(lk) && num(rk)) && !(lk == rk && (lk == signin.KindTime || lk == signin.KindDuration || lk == signin.KindBool)) {
			return "", refuse(e, "only numbers, and times or flags with their own kind, are compared here (text compares without regard to case)")
		}
		return "coalesce(" + l + " " + op + " " + r + ", false)", nil
	case *ast.Not:
		x, err := t.rowCond(e.X, outs, rows)
		if err != nil {
			return "", err
		}
		return "not(" + x + ")", nil
	}
	return "", refuse(e, "having compares output columns")
}

// textCond is | where's comparison of a text column (ok false when the
// left side is not one): with a column of text named bare, else with
// text (a quoted string is always text).
func textCond(e *ast.Binary, outs []out) (string, bool, error) {
	name, err := outName(e.L, outs)
	if err != nil {
		return "", false, nil
	}
	var col *out
	for i := range outs {
		if outs[i].name == name {
			col = &outs[i]
		}
	}
	if col == nil || col.kind != signin.KindString {
		return "", false, nil
	}
	var r string
	lit, quoted := e.R.(*ast.Literal)
	if other, err := outName(e.R, outs); err == nil && !(quoted && lit.Quoted) {
		for _, o := range outs {
			if o.name == other && o.kind != signin.KindString {
				return "", true, refuse(e, "text compares with text")
			}
		}
		r = ident(other)
	} else {
		switch x := e.R.(type) {
		case *ast.Name:
			r = str(x.Name)
		case *ast.Literal:
			r = str(x.Text)
		default:
			return "", true, refuse(e, "text compares with text")
		}
	}
	op, ok := map[string]string{"=": "=~", "!=": "!~", "contains": "contains", "startswith": "startswith", "endswith": "endswith"}[e.Op]
	if !ok {
		return "", true, refuse(e, "this comparison of text columns is not translated")
	}
	return "(" + ident(name) + " " + op + " " + r + ")", true, nil
}

// defaultList is list's columns without fields.
var defaultList = []string{"time", "type", "identity", "app", "resource", "ip", "status", "error"}

// list is list [fields] [order by] [limit]: newest first, ties by
// request id then type, or by order by's columns, ties newest first.
func (t *translator) list(q *ast.Query) ([]string, error) {
	var fields []ast.Expr
	switch {
	case q.All:
		for _, f := range signin.Fields() {
			fields = append(fields, &ast.Name{Name: f.Name})
		}
	case q.Fields == nil:
		for _, name := range defaultList {
			fields = append(fields, &ast.Name{Name: name})
		}
	default:
		fields = q.Fields
	}
	var cols, extends []string
	var outs []out
	listed := map[string]bool{}
	for _, e := range fields {
		f, c, err := t.operand(e)
		if err != nil {
			return nil, err
		}
		if listed[f.Name] {
			return nil, refuse("list "+e.String(), "it lists %s twice, and a KQL table's columns have distinct names", f.Name)
		}
		listed[f.Name] = true
		if t.first == nil {
			t.first = &out{name: f.Name, kind: f.Kind}
		}
		if _, isCall := e.(*ast.Call); isCall {
			extends = append(extends, ident(f.Name)+" = "+c)
			c = ident(f.Name)
		}
		cols = append(cols, c)
		outs = append(outs, out{name: f.Name, key: true, kind: f.Kind})
	}
	var order []string
	seen := map[string]bool{}
	add := func(name string, desc bool) error {
		f, c, err := t.field(&ast.Name{Name: name})
		if err != nil {
			return err
		}
		if seen[f.Name] {
			return nil
		}
		seen[f.Name] = true
		dir := " asc"
		if desc {
			dir = " desc"
		}
		order = append(order, c+dir+" nulls first")
		return nil
	}
	for _, o := range q.OrderBy {
		n, ok := o.Expr.(*ast.Name)
		if !ok {
			return nil, refuse(o.Expr, "order by a function is not translated")
		}
		if err := add(n.Name, o.Desc); err != nil {
			return nil, err
		}
	}
	for _, k := range []struct {
		name string
		desc bool
	}{{"time", true}, {"id", false}, {"type", false}} {
		if err := add(k.name, k.desc); err != nil {
			return nil, err
		}
	}
	var steps []string
	if len(extends) > 0 {
		steps = append(steps, "extend "+strings.Join(extends, ", "))
	}
	if q.Limit != nil {
		l, err := strconv.ParseInt(q.Limit.Text, 10, 64)
		if err != nil {
			return nil, refuse(q.Limit, "it is not a whole number")
		}
		steps = append(steps, "order by "+strings.Join(order, ", "), "take "+strconv.FormatInt(l, 10))
	} else {
		steps = append(steps, "order by "+strings.Join(order, ", "))
	}
	t.outs = outs
	// The operators after | see the listed columns only (outs); the
	// projection comes last, so that an order by keeps the list's own
	// order (time, id, type) for its ties.
	steps, err := t.operators(q, outs, order, steps)
	if err != nil {
		return nil, err
	}
	return append(steps, "project "+strings.Join(cols, ", ")), nil
}

// antiJoin is | join anti (QUERY) on K, …: the rows without a row of the
// subquery with equal keys, text without regard to case (both sides'
// keys lowered into columns of their own, dropped after), numbers and
// times by value; a missing key (null, "") matches nothing, so the
// subquery's rows with one are left out first.
func (t *translator) antiJoin(j *ast.Join, outs []out) ([]string, error) {
	name, right, err := t.subqueryOuts(j.Query)
	if err != nil {
		return nil, err
	}
	var lext, rext, rwhere, on, tmp []string
	for i, k := range j.On {
		l, err := outName(k, outs)
		if err != nil {
			return nil, err
		}
		r, err := outName(k, right)
		if err != nil {
			return nil, refuse(j.Query, "its columns lack the key %s", k.Name)
		}
		var lk, rk signin.Kind
		for _, o := range outs {
			if o.name == l {
				lk = o.kind
			}
		}
		for _, o := range right {
			if o.name == r {
				rk = o.kind
			}
		}
		if l == "ip" || r == "ip" || lk != rk {
			return nil, refuse("join on "+k.Name, "addresses match in any spelling, and keys of two kinds do not match")
		}
		key := ident(fmt.Sprintf("__key%d", i))
		tmp = append(tmp, key)
		on = append(on, key)
		if lk == signin.KindString {
			lext = append(lext, key+" = tolower("+ident(l)+")")
			rext = append(rext, key+" = tolower("+ident(r)+")")
			rwhere = append(rwhere, "isnotempty("+ident(r)+")")
		} else {
			lext = append(lext, key+" = "+ident(l))
			rext = append(rext, key+" = "+ident(r))
			rwhere = append(rwhere, "isnotnull("+ident(r)+")")
		}
	}
	rightRows := "(" + name + " | where " + strings.Join(rwhere, " and ") + " | extend " + strings.Join(rext, ", ") + ")"
	return []string{
		"extend " + strings.Join(lext, ", "),
		"join kind=leftanti " + rightRows + " on " + strings.Join(on, ", "),
		"project-away " + strings.Join(tmp, ", "),
	}, nil
}
