package query

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// The checking of what an aggregate query outputs: group keys, heads
// (aggregates and arithmetic over them), top, having, order by. List's
// fields are checked in checklist.go, stages in checkstages.go.

// aggregate checks an aggregate query.
func (c *checker) aggregate(p *Plan, q *ast.Query) error {
	if err := c.keys(p, q.GroupBy); err != nil {
		return err
	}
	if q.GroupIn != nil {
		if err := c.absence(p, q); err != nil { // absence.go
			return err
		}
	}
	if err := c.heads(p, q.Heads); err != nil {
		return err
	}
	if q.Having != nil {
		h, err := c.having(p, q.Having)
		if err != nil {
			return err
		}
		p.having = h
	}
	return c.order(p, q.OrderBy)
}

// top checks top N keys [by aggregate]: the aggregate (count by
// default) grouped by the keys, in descending order, N rows.
func (c *checker) top(p *Plan, q *ast.Query) error {
	n, err := c.count(q.TopN, "top")
	if err != nil {
		return err
	}
	if len(q.OrderBy) > 0 || q.Limit != nil {
		return errorf(q.Pos, "top orders by its aggregate and keeps %d rows: for another order or limit, write an aggregate query with order by and limit", n)
	}
	if err := c.keys(p, q.TopKeys); err != nil {
		return err
	}
	by := q.TopBy
	if by == nil {
		by = &ast.Name{Pos: q.Pos, Name: "count"}
	}
	if err := c.heads(p, []*ast.Head{{Pos: by.Position(), Expr: by}}); err != nil {
		return err
	}
	if q.Having != nil {
		h, err := c.having(p, q.Having)
		if err != nil {
			return err
		}
		p.having = h
	}
	p.order = keyOrder(p, []orderKey{{col: len(p.keys), desc: true}})
	p.Limit = n
	return nil
}

// keys checks group by's keys.
func (c *checker) keys(p *Plan, exprs []ast.Expr) error {
	for _, e := range exprs {
		k := &key{src: e}
		switch e := e.(type) {
		case *ast.Name:
			col, err := c.field(e)
			if err != nil {
				return err
			}
			k.col, k.name, k.kind = col, col.Field.Name, col.Field.Kind
			if k.kind == signin.KindList {
				k.kind = signin.KindString // a sign-in counts in each element's group
			}
		case *ast.Call:
			if !strings.EqualFold(e.Name, "bin") {
				if _, ok := c.reg.Lookup(e.Name); !ok {
					return errorf(e.Pos, "unknown function %q%s", e.Name, didYouMean(e.Name, append(c.reg.Names(plugins.KindFunction), "bin")))
				}
				fn, err := c.function(e)
				if err != nil {
					return err
				}
				k.col, k.fn, k.name, k.kind = fn.col, fn, fn.field.Name, fn.kind
				break
			}
			if len(e.Args) != 1 {
				return errorf(e.Pos, "bin takes one duration: bin(1h)")
			}
			var text string
			switch a := e.Args[0].(type) {
			case *ast.Name:
				text = a.Name
			case *ast.Literal:
				text = a.Text
			}
			d, err := ast.ParseDuration(text)
			if errors.Is(err, ast.ErrDurationTooLong) {
				return errorf(e.Args[0].Position(), "bin(%s) is too long a duration: at most %s", e.Args[0], ast.MaxDuration)
			}
			if err != nil || d <= 0 {
				return errorf(e.Args[0].Position(), "bin takes a duration (1h, 15m, 1d), not %s", e.Args[0])
			}
			k.col, k.bin, k.name, k.kind = engine.LookupColumn("time"), int64(d), "time", signin.KindTime
		default:
			return errorf(e.Position(), "group by takes fields, functions of a field and bin(duration), not %s", e)
		}
		for _, o := range p.keys {
			if o.name == k.name {
				return errorf(e.Position(), "%s is grouped by twice", k.name)
			}
		}
		p.keys = append(p.keys, k)
		p.outs = append(p.outs, &outCol{name: k.name, kind: k.kind, key: len(p.keys) - 1})
	}
	return nil
}

// heads checks the heads of an aggregate query, each an output column.
func (c *checker) heads(p *Plan, heads []*ast.Head) error {
	aliases := map[string]*ast.Head{}
	for _, h := range heads {
		if h.Alias == nil {
			continue
		}
		a := strings.ToLower(h.Alias.Text)
		if aliases[a] != nil {
			return errorf(h.Alias.Pos, "alias %s is given twice", h.Alias)
		}
		if engine.LookupColumn(a) != nil && len(p.keys) > 0 {
			for _, k := range p.keys {
				if strings.EqualFold(k.name, a) {
					return errorf(h.Alias.Pos, "alias %s is the name of a group key", h.Alias)
				}
			}
		}
		aliases[a] = h
	}
	first := len(p.outs)
	for _, h := range heads {
		name := strings.ToLower(h.Expr.String())
		if h.Alias != nil {
			name = h.Alias.Text
		}
		p.outs = append(p.outs, &outCol{name: name, key: -1})
	}
	resolving := map[*ast.Head]bool{}
	var resolve func(h *ast.Head) (valExpr, error)
	resolve = func(h *ast.Head) (valExpr, error) {
		i := first
		for heads[i-first] != h {
			i++
		}
		if out := p.outs[i]; out.val != nil {
			return out.val, nil
		}
		if resolving[h] {
			return nil, errorf(h.Pos, "%s refers to itself", p.outs[i].name)
		}
		resolving[h] = true
		v, err := c.value(h.Expr, func(n *ast.Name) (valExpr, bool, error) {
			if ref := aliases[strings.ToLower(n.Name)]; ref != nil {
				v, err := resolve(ref)
				return v, true, err
			}
			return nil, false, nil
		})
		if err != nil {
			return nil, err
		}
		p.outs[i].val, p.outs[i].kind = v, v.kind()
		return v, nil
	}
	for _, h := range heads {
		if _, err := resolve(h); err != nil {
			return err
		}
	}
	return nil
}

// value checks a head's expression: an aggregate, a number, arithmetic
// over them, or (through ref) another head's alias.
func (c *checker) value(e ast.Expr, ref func(*ast.Name) (valExpr, bool, error)) (valExpr, error) {
	switch e := e.(type) {
	case *ast.Literal:
		if !e.Quoted {
			n, err := strconv.ParseInt(e.Text, 10, 64)
			if err == nil {
				return numLit{result.IntValue(n)}, nil // exactly, beyond a float64's 2^53
			}
			if errors.Is(err, strconv.ErrRange) {
				return nil, errorf(e.Pos, "%s is beyond the range of whole numbers (±9,223,372,036,854,775,807); a decimal number may be larger (1e20)", e)
			}
			if x, err := strconv.ParseFloat(e.Text, 64); errors.Is(err, strconv.ErrRange) && math.IsInf(x, 0) {
				return nil, errorf(e.Pos, "%s is beyond the range of decimal numbers (±1.8e308)", e)
			}
		}
		if x, ok := e.Number(); ok {
			return numLit{result.FloatValue(x)}, nil
		}
		if v, ok, err := c.timeOperand(e); ok || err != nil {
			return v, err // a duration (5m), a time (2026-11-01): timearith.go
		}
		return nil, errorf(e.Pos, "%s is not a number; a head is an aggregate (count, dcount(user)) or arithmetic over aggregates", e)
	case *ast.Name:
		if ref != nil {
			if v, ok, err := ref(e); ok || err != nil {
				return v, err
			}
		}
		if e.Name[0] >= '0' && e.Name[0] <= '9' || e.Name[0] == '-' || e.Name[0] == '.' {
			return c.value(&ast.Literal{Pos: e.Pos, Text: e.Name}, nil)
		}
		if isNow(e) {
			v, _, err := c.timeOperand(e) // the query's now: timearith.go
			return v, err
		}
		return c.aggCall(&ast.Call{Pos: e.Pos, Name: e.Name}, e)
	case *ast.Call:
		return c.aggCall(e, e)
	case *ast.Binary:
		switch e.Op {
		case "+", "-", "*", "/":
		default:
			return nil, errorf(e.Pos, "%s is a condition; a head is an aggregate or arithmetic over aggregates (use countif(%s) to count what satisfies it)", e, e)
		}
		l, err := c.value(e.L, ref)
		if err != nil {
			return nil, err
		}
		r, err := c.value(e.R, ref)
		if err != nil {
			return nil, err
		}
		if isTimeKind(l.kind()) || isTimeKind(r.kind()) {
			return c.timeValue(e, l, r) // timearith.go
		}
		for _, side := range []struct {
			v valExpr
			e ast.Expr
		}{{l, e.L}, {r, e.R}} {
			if k := side.v.kind(); k != signin.KindInt && k != signin.KindFloat {
				return nil, errorf(side.e.Position(), "%s is %s: arithmetic takes numbers", side.e, kindWords(k))
			}
		}
		k := signin.KindInt
		if e.Op == "/" || l.kind() == signin.KindFloat || r.kind() == signin.KindFloat {
			k = signin.KindFloat
		}
		return arith{src: e, op: e.Op, l: l, r: r, k: k}, nil
	}
	return nil, errorf(e.Position(), "%s is a condition, not a value", e)
}

// aggCall checks a call of an aggregate, and adds it to the plan's
// aggregates once however often it appears.
func (c *checker) aggCall(call *ast.Call, src ast.Expr) (valExpr, error) {
	pl, ok := c.reg.Lookup(call.Name)
	agg, isAgg := pl.(plugins.Aggregate)
	if !ok || !isAgg {
		if col := engine.LookupColumn(call.Name); col != nil && len(call.Args) == 0 {
			return nil, errorf(call.Pos, "%s is a field: a head is an aggregate (count, dcount(%s), values(%s)); to list sign-ins use list, to group use group by", col.Field.Name, col.Field.Name, col.Field.Name)
		}
		if ok {
			return nil, errorf(call.Pos, "%s is a %v, not an aggregate", call.Name, pl.Describe().Kind)
		}
		return nil, errorf(call.Pos, "unknown aggregate %q%s", call.Name, didYouMean(call.Name, c.reg.Names(plugins.KindAggregate)))
	}
	d := agg.Describe()
	if len(call.Args) != len(d.Args) {
		return nil, errorf(call.Pos, "%s takes %d %s: %s", d.Name, len(d.Args), words.Plural(len(d.Args), "argument"), d.Usage())
	}
	spec := &aggSpec{src: src, text: strings.ToLower(src.String()), agg: agg}
	for _, s := range c.p.aggs {
		if s.text == spec.text {
			return aggRef{i: indexOf(c.p.aggs, s), k: s.kind}, nil
		}
	}
	for i, a := range d.Args {
		arg := call.Args[i]
		switch a.Type {
		case plugins.ArgField:
			if fc, ok := arg.(*ast.Call); ok && !strings.EqualFold(fc.Name, "bin") {
				// A function of a field: dcount(date(time)), aggfunc.go.
				fn, err := c.function(fc)
				if err != nil {
					return nil, err
				}
				af, err := newAggFn(fn)
				if err != nil {
					return nil, err
				}
				spec.field, spec.fn = af.col, af
				break
			}
			n, ok := arg.(*ast.Name)
			if !ok {
				return nil, errorf(arg.Position(), "%s takes a field (%s), not %s: a field, or a function of one (dcount(date(time)))", d.Name, d.Usage(), arg)
			}
			col, err := c.field(n)
			if err != nil {
				return nil, err
			}
			spec.field = col
		case plugins.ArgCondition:
			cnd, err := c.cond(arg)
			if err != nil {
				return nil, err
			}
			spec.cond = cnd
		default:
			return nil, errorf(arg.Position(), "%s: aggregates take fields and conditions, not %v arguments", d.Name, a.Type)
		}
	}
	var f *signin.Field
	if spec.field != nil {
		f = spec.field.Field
	}
	k, err := agg.Result(f)
	if err != nil {
		return nil, errorf(call.Pos, "%v", err)
	}
	spec.kind = k
	c.p.aggs = append(c.p.aggs, spec)
	return aggRef{i: len(c.p.aggs) - 1, k: k}, nil
}

func indexOf[T comparable](s []T, x T) int {
	for i, y := range s {
		if y == x {
			return i
		}
	}
	return -1
}

// column finds the output column an expression names: by name (an alias,
// a key, a head's text) or, failing that, computes it as a hidden head.
func (c *checker) column(p *Plan, e ast.Expr) (int, error) {
	text := strings.ToLower(e.String())
	if l, ok := e.(*ast.Literal); ok && l.Quoted {
		text = l.Text // an alias that needs quotes: as "n sign-ins"
	}
	for i, o := range p.outs {
		if strings.EqualFold(o.name, text) {
			return i, nil
		}
	}
	if n, ok := e.(*ast.Name); ok {
		if f := signin.Lookup(n.Name); f != nil { // a key named by an alias
			for i, o := range p.outs {
				if o.key >= 0 && o.name == f.Name {
					return i, nil
				}
			}
		}
	}
	if l, ok := e.(*ast.Literal); ok && l.Quoted {
		return 0, errorf(l.Pos, "unknown output column %s%s (the query's columns: %s)", l, didYouMean(l.Text, visibleOuts(p)), strings.Join(visibleOuts(p), ", "))
	}
	v, err := c.value(e, func(n *ast.Name) (valExpr, bool, error) {
		// Within arithmetic, a name may be an output column (having
		// last - first <= 5m).
		for i, o := range p.outs {
			if strings.EqualFold(o.name, n.Name) {
				return colRef{i: i, k: o.kind}, true, nil
			}
		}
		return nil, false, nil
	})
	if err != nil {
		if n, ok := e.(*ast.Name); ok {
			names := visibleOuts(p)
			return 0, errorf(n.Pos, "unknown output column %q%s (the query's columns: %s)", n.Name, didYouMean(n.Name, names), strings.Join(names, ", "))
		}
		return 0, err
	}
	p.outs = append(p.outs, &outCol{name: text, kind: v.kind(), key: -1, val: v, hidden: true})
	return len(p.outs) - 1, nil
}

// visibleOuts names the query's output columns.
func visibleOuts(p *Plan) []string {
	var names []string
	for _, o := range p.outs {
		if !o.hidden {
			names = append(names, o.name)
		}
	}
	return names
}

// having checks a condition on output rows.
func (c *checker) having(p *Plan, e ast.Expr) (rowCond, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := c.having(p, e.L)
			if err != nil {
				return nil, err
			}
			r, err := c.having(p, e.R)
			if err != nil {
				return nil, err
			}
			if e.Op == "and" {
				return rowAnd{l, r}, nil
			}
			return rowOr{l, r}, nil
		case "=", "!=", "<", "<=", ">", ">=":
			l, err := c.operand(p, e.L)
			if err != nil {
				return nil, err
			}
			r, err := c.operand(p, e.R)
			if err != nil {
				return nil, err
			}
			if err := havingKinds(p, e, l, r); err != nil {
				return nil, err
			}
			return rowCmp{op: e.Op, l: l, r: r}, nil
		}
	case *ast.Not:
		x, err := c.having(p, e.X)
		if err != nil {
			return nil, err
		}
		if n, ok := x.(rowNot); ok {
			return n.x, nil // not not X is X
		}
		return rowNot{x}, nil
	}
	return nil, errorf(e.Position(), "having compares output columns with numbers or each other (having count >= 20), not %s", e)
}

// operand checks one side of a having comparison: a number, or an
// output column (named, or quoted when its alias needs quotes).
func (c *checker) operand(p *Plan, e ast.Expr) (rowOperand, error) {
	if l, ok := e.(*ast.Literal); ok && !l.Quoted {
		if x, ok := l.Number(); ok {
			return rowOperand{col: -1, value: result.FloatValue(x)}, nil
		}
	}
	if n, ok := e.(*ast.Name); ok {
		if x, ok := (&ast.Literal{Text: n.Name}).Number(); ok {
			return rowOperand{col: -1, value: result.FloatValue(x)}, nil
		}
	}
	col, err := c.column(p, e)
	var qe *Error
	if errors.As(err, &qe) && strings.HasPrefix(qe.Msg, "unknown output column") {
		qe.Msg += "; having compares numbers and output columns (choose sign-ins by a field's value with where)"
	}
	if err != nil {
		return rowOperand{}, err
	}
	return rowOperand{col: col}, nil
}

// havingKinds checks that a having comparison compares numbers, or two
// output columns of one kind: groups are chosen by what was counted, and
// sign-ins by their fields with where.
func havingKinds(p *Plan, e *ast.Binary, l, r rowOperand) error {
	kind := func(o rowOperand) signin.Kind {
		if o.col < 0 {
			return signin.KindFloat
		}
		return p.outs[o.col].kind
	}
	numeric := func(k signin.Kind) bool { return k == signin.KindInt || k == signin.KindFloat }
	lk, rk := kind(l), kind(r)
	if numeric(lk) && numeric(rk) || l.col >= 0 && r.col >= 0 && lk == rk {
		return nil
	}
	if isTimeKind(lk) || isTimeKind(rk) {
		return timeKinds(e, lk, rk)
	}
	side, o, k := e.L, l, lk
	if numeric(lk) {
		side, o, k = e.R, r, rk
	}
	hint := "; to choose sign-ins by a field, use where"
	if o.col >= 0 && p.outs[o.col].key < 0 {
		hint = ""
	}
	return errorf(side.Position(), "having compares numbers, or output columns of one kind: %s is %s%s", side, kindWords(k), hint)
}

// order checks order by, and completes the order: the query's keys, then
// by default time ascending when grouping by bin, else the first head
// descending; then the keys ascending, so that the order is total.
func (c *checker) order(p *Plan, items []*ast.Order) error {
	for _, o := range items {
		col, err := c.column(p, o.Expr)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(p.order, func(k orderKey) bool { return k.col == col }) {
			p.order = append(p.order, orderKey{col: col, desc: o.Desc}) // a column again would change nothing
		}
	}
	if len(items) == 0 {
		binned := false
		for i, k := range p.keys {
			if k.bin != 0 {
				p.order = append(p.order, orderKey{col: i})
				binned = true
			}
		}
		if !binned {
			for i, o := range p.outs {
				if o.key < 0 && !o.hidden {
					p.order = append(p.order, orderKey{col: i, desc: true})
					break
				}
			}
		}
	}
	p.order = keyOrder(p, p.order)
	return nil
}

// keyOrder completes an order with the keys it lacks, ascending: a key
// already in it (a bin's time, a key named in order by) is not added
// again.
func keyOrder(p *Plan, order []orderKey) []orderKey {
	for i := range p.keys {
		if !slices.ContainsFunc(order, func(k orderKey) bool { return k.col == i }) {
			order = append(order, orderKey{col: i})
		}
	}
	return order
}

// planColumns are the columns a plan outputs before its stages.
func planColumns(p *Plan) []result.Column {
	var out []result.Column
	if p.Kind == ast.List {
		for _, c := range p.listCols {
			if c.fn != nil {
				out = append(out, result.Column{Name: c.name, Kind: c.fn.kind})
				continue
			}
			out = append(out, result.Column{Name: c.col.Field.Name, Kind: c.col.Field.Kind, Field: c.col.Field.Name})
		}
		return out
	}
	for _, o := range p.outs {
		if o.hidden {
			continue
		}
		rc := result.Column{Name: o.name, Kind: o.kind}
		if o.key >= 0 {
			k := p.keys[o.key]
			rc.Key, rc.Bin = true, time.Duration(k.bin)
			if k.fn == nil {
				rc.Field = k.col.Field.Name
			}
		}
		out = append(out, rc)
	}
	return out
}

func (k *key) String() string { return fmt.Sprint(k.src) }
