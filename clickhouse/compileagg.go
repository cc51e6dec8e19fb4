package clickhouse

import (
	"slices"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// aggregate compiles an aggregate or top query: ClickHouse groups and
// aggregates; signinq applies having, the order and the limit.
func (c *compiler) aggregate(q *ast.Query, where string) (*Compiled, error) {
	if q.GroupIn != nil {
		return nil, refuse(q.GroupIn.Pos, "group by KEY in @list", "the list's keys without sign-ins make rows of their own; "+unimplemented)
	}
	keys := q.GroupBy
	heads := q.Heads
	if q.Kind == ast.Top {
		keys = q.TopKeys
		by := q.TopBy
		if by == nil {
			by = &ast.Name{Pos: q.Pos, Name: "count"}
		}
		heads = []*ast.Head{{Pos: by.Position(), Expr: by}}
	}
	var keyIdx []int
	for _, k := range keys {
		o, err := c.key(k)
		if err != nil {
			return nil, err
		}
		keyIdx = append(keyIdx, len(c.outs))
		c.outs = append(c.outs, o)
	}
	aliases := map[string]*ast.Head{}
	for _, h := range heads {
		if h.Alias != nil {
			aliases[strings.ToLower(h.Alias.Text)] = h
		}
	}
	var visible []int
	visible = append(visible, keyIdx...)
	for _, h := range heads {
		name := strings.ToLower(h.Expr.String())
		if h.Alias != nil {
			name = h.Alias.Text
		}
		var o *out
		if isAggregate(h.Expr, aliases) {
			var err error
			if o, err = c.agg(h.Expr); err != nil {
				return nil, err
			}
		} else {
			v, err := c.value(h.Expr, aliases, map[*ast.Head]bool{h: true})
			if err != nil {
				return nil, err
			}
			o = &out{kind: v.kind(), calc: v}
		}
		o.name = name
		visible = append(visible, len(c.outs))
		c.outs = append(c.outs, o)
	}
	for i, o := range c.outs {
		o.hidden = !slices.Contains(visible, i)
	}
	cp := &Compiled{limit: c.plan.Limit, keys: keyIdx, visible: visible}
	if q.Having != nil {
		h, err := c.having(q.Having)
		if err != nil {
			return nil, err
		}
		cp.having = h
	}
	switch {
	case q.Kind == ast.Top:
		cp.order = []orderKey{{col: visible[len(keyIdx)], desc: true}}
	case len(q.OrderBy) > 0:
		for _, o := range q.OrderBy {
			col, err := c.column(o.Expr)
			if err != nil {
				return nil, err
			}
			if !containsCol(cp.order, col) {
				cp.order = append(cp.order, orderKey{col: col, desc: o.Desc})
			}
		}
	default:
		binned := false
		for _, i := range keyIdx {
			if c.outs[i].bin != 0 {
				cp.order = append(cp.order, orderKey{col: i})
				binned = true
			}
		}
		if !binned && len(visible) > len(keyIdx) {
			cp.order = append(cp.order, orderKey{col: visible[len(keyIdx)], desc: true})
		}
	}
	for _, i := range keyIdx {
		if !containsCol(cp.order, i) {
			cp.order = append(cp.order, orderKey{col: i})
		}
	}
	if !slices.ContainsFunc(c.outs, func(o *out) bool { return o.sql != "" }) {
		// Heads of numbers only: one row all the same.
		c.outs = append(c.outs, &out{name: "count", kind: signin.KindInt, sql: "toInt64(count())", hidden: true})
	}
	var sel []string
	for i, o := range c.outs {
		if o.sql == "" {
			continue
		}
		sel = append(sel, o.sql)
		if o.sumF {
			cp.sumOver = append(cp.sumOver, i)
		}
	}
	for _, i := range cp.sumOver {
		sel = append(sel, c.outs[i].sumFloat())
	}
	sql := "SELECT " + strings.Join(sel, ", ") + " FROM " + c.table() + where
	if len(keyIdx) > 0 {
		var gb []string
		for i := range keyIdx {
			gb = append(gb, strconv.Itoa(i+1))
		}
		var exprs []string
		for _, i := range keyIdx {
			exprs = append(exprs, c.outs[i].sql)
		}
		sql += " GROUP BY " + strings.Join(exprs, ", ")
	}
	cp.SQL = sql
	cp.outs = c.outs
	for _, i := range visible {
		o := c.outs[i]
		cp.Columns = append(cp.Columns, result.Column{Name: o.name, Kind: o.kind, Field: o.field, Key: o.key, Bin: o.bin})
	}
	return cp, nil
}

// isAggregate reports whether a head is one aggregate (count,
// dcount(user)) rather than arithmetic or a reference to another head.
func isAggregate(e ast.Expr, aliases map[string]*ast.Head) bool {
	switch e := e.(type) {
	case *ast.Call:
		return true
	case *ast.Name:
		return aliases[strings.ToLower(e.Name)] == nil && strings.EqualFold(e.Name, "count")
	}
	return false
}

func containsCol(order []orderKey, col int) bool {
	for _, o := range order {
		if o.col == col {
			return true
		}
	}
	return false
}

// key compiles a group key: a field of one value, or bin(D).
func (c *compiler) key(e ast.Expr) (*out, error) {
	switch e := e.(type) {
	case *ast.Name:
		f := signin.Lookup(e.Name)
		if f == nil {
			break
		}
		if f.Kind == signin.KindList {
			// A sign-in counts in each of its distinct elements' groups,
			// one without elements in the group "".
			col := ident(f.Name)
			distinct := "arrayFilter((x, i) -> indexOf(" + col + ", x) = i, " + col + ", arrayEnumerate(" + col + "))"
			return &out{name: f.Name, kind: signin.KindString, sql: "arrayJoin(if(empty(" + col + "), [''], " + distinct + "))", key: true, field: f.Name}, nil
		}
		return &out{name: f.Name, kind: f.Kind, sql: valueExpr(f), key: true, field: f.Name}, nil
	case *ast.Call:
		if !strings.EqualFold(e.Name, "bin") {
			v, err := fnValue(e)
			if err != nil {
				return nil, err
			}
			return &out{name: strings.ToLower(e.String()), kind: v.kind, sql: v.sql, key: true}, nil
		}
		if len(e.Args) != 1 {
			return nil, refuse(e.Pos, "group by "+e.String(), unimplemented)
		}
		d, ok := duration(e.Args[0])
		if !ok || d <= 0 {
			break
		}
		n := strconv.FormatInt(int64(d), 10)
		t := ident("time")
		// floor(time / d) * d, for times before 1970 too.
		sql := "(intDiv(" + t + ", " + n + ") - if(" + t + " % " + n + " < 0, 1, 0)) * " + n
		return &out{name: "time", kind: signin.KindTime, sql: sql, key: true, field: "time", bin: d}, nil
	}
	return nil, refuse(e.Position(), "group by "+e.String(), unimplemented)
}

// valueExpr is a field's value as selected: text as text, the others as
// their columns.
func valueExpr(f *signin.Field) string {
	if f.Kind == signin.KindString {
		return strExpr(f)
	}
	return ident(f.Name)
}

// present is the SQL condition that a sign-in has a value of f.
func present(f *signin.Field) string {
	switch f.Kind {
	case signin.KindString:
		return strExpr(f) + " != ''"
	case signin.KindList:
		return "notEmpty(" + ident(f.Name) + ")"
	}
	return "isNotNull(" + ident(f.Name) + ")"
}

// agg compiles a head: one aggregate of a field.
func (c *compiler) agg(e ast.Expr) (*out, error) {
	call, ok := e.(*ast.Call)
	if !ok {
		if n, isName := e.(*ast.Name); isName && strings.EqualFold(n.Name, "count") {
			call = &ast.Call{Pos: n.Pos, Name: "count"}
		} else {
			return nil, refuse(e.Position(), "arithmetic or a reference in a head ("+e.String()+")", "the engine's whole numbers are exact and overflow is an error, which SQL's wrapping integers are not; "+unimplemented)
		}
	}
	name := strings.ToLower(call.Name)
	text := strings.ToLower(e.String())
	argField := func(i int) (sqlValue, error) {
		if i >= len(call.Args) {
			return sqlValue{}, refuse(call.Pos, text, "missing argument")
		}
		switch a := call.Args[i].(type) {
		case *ast.Name:
			if f := signin.Lookup(a.Name); f != nil {
				return fieldValue(f), nil
			}
		case *ast.Call:
			return fnValue(a)
		}
		return sqlValue{}, refuse(call.Args[i].Position(), text, "not a field")
	}
	condArg := func(i int) (string, error) {
		if i >= len(call.Args) {
			return "", refuse(call.Pos, text, "missing condition")
		}
		return c.cond(call.Args[i])
	}
	o := &out{agg: text}
	switch name {
	case "count":
		if len(call.Args) > 0 {
			return nil, refuse(call.Pos, text, unimplemented)
		}
		o.kind, o.sql = signin.KindInt, "toInt64(count())"
	case "countif":
		cond, err := condArg(0)
		if err != nil {
			return nil, err
		}
		o.kind, o.sql = signin.KindInt, "toInt64(countIf("+cond+"))"
	case "dcount", "dcountif":
		f, err := argField(0)
		if err != nil {
			return nil, err
		}
		cond := "1"
		if name == "dcountif" {
			if cond, err = condArg(1); err != nil {
				return nil, err
			}
		}
		o.kind = signin.KindInt
		if f.kind == signin.KindList {
			o.sql = "toInt64(uniqExactArrayIf(arrayFilter(x -> x != '', " + f.sql + "), " + cond + "))"
		} else {
			v := f.sql
			if f.kind != signin.KindString {
				v = "assumeNotNull(" + v + ")" // uniqExactIf of a Nullable is null over no rows
			}
			o.sql = "toInt64(uniqExactIf(" + v + ", " + cond + " AND " + f.present + "))"
		}
	case "sum", "avg":
		f, err := argField(0)
		if err != nil {
			return nil, err
		}
		if f.kind != signin.KindInt && f.kind != signin.KindFloat {
			return nil, refuse(call.Pos, text, "not a numeric field")
		}
		col := f.sql
		switch {
		case name == "avg":
			o.kind, o.sql = signin.KindFloat, "if(countIf(isNotNull("+col+")) = 0, NULL, sumIf(toFloat64(assumeNotNull("+col+")), isNotNull("+col+")) / countIf(isNotNull("+col+")))"
		case f.kind == signin.KindFloat:
			o.kind, o.sql = signin.KindFloat, "if(countIf(isNotNull("+col+")) = 0, NULL, sumIf(assumeNotNull("+col+"), isNotNull("+col+")))"
		default:
			o.kind, o.sql, o.sumF = signin.KindInt, "if(countIf(isNotNull("+col+")) = 0, NULL, sumIf(assumeNotNull("+col+"), isNotNull("+col+")))", true
			o.sumOf = col
		}
	case "min", "max", "minif", "maxif":
		f, err := argField(0)
		if err != nil {
			return nil, err
		}
		if f.kind == signin.KindList {
			return nil, refuse(call.Pos, text, "not a field of one value")
		}
		cond := f.present
		if strings.HasSuffix(name, "if") {
			x, err := condArg(1)
			if err != nil {
				return nil, err
			}
			cond = "(" + x + " AND " + cond + ")"
		}
		fn := strings.TrimSuffix(name, "if") + "If"
		v := f.sql
		if f.kind != signin.KindString {
			v = "assumeNotNull(" + v + ")"
		}
		o.kind, o.sql = f.kind, "if(countIf("+cond+") = 0, NULL, "+fn+"("+v+", "+cond+"))"
	default:
		return nil, refuse(call.Pos, call.Name+"(…)", unimplemented)
	}
	return o, nil
}

// sumFloat is the float sum of a whole-number sum's field, to tell an
// overflow (the engine's error) from a total.
func (o *out) sumFloat() string {
	col := o.sumOf
	return "sumIf(toFloat64(assumeNotNull(" + col + ")), isNotNull(" + col + "))"
}

// column finds the output column an expression names, as the checker
// does: by name (an alias, a key, a head's text); else an aggregate is
// added as a hidden column.
func (c *compiler) column(e ast.Expr) (int, error) {
	text := strings.ToLower(e.String())
	if l, ok := e.(*ast.Literal); ok && l.Quoted {
		text = l.Text
	}
	for i, o := range c.outs {
		if strings.EqualFold(o.name, text) {
			return i, nil
		}
	}
	if n, ok := e.(*ast.Name); ok {
		if f := signin.Lookup(n.Name); f != nil {
			for i, o := range c.outs {
				if o.key && o.name == f.Name {
					return i, nil
				}
			}
		}
	}
	for i, o := range c.outs {
		if o.agg != "" && o.agg == text {
			return i, nil
		}
	}
	o, err := c.agg(e)
	if err != nil {
		return 0, err
	}
	o.name, o.hidden = text, true
	c.outs = append(c.outs, o)
	return len(c.outs) - 1, nil
}

// having compiles having's condition over output rows.
func (c *compiler) having(e ast.Expr) (rowCond, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := c.having(e.L)
			if err != nil {
				return nil, err
			}
			r, err := c.having(e.R)
			if err != nil {
				return nil, err
			}
			if e.Op == "and" {
				return rowAnd{l, r}, nil
			}
			return rowOr{l, r}, nil
		case "=", "!=", "<", "<=", ">", ">=":
			l, err := c.operand(e.L)
			if err != nil {
				return nil, err
			}
			r, err := c.operand(e.R)
			if err != nil {
				return nil, err
			}
			return rowCmp{op: e.Op, l: l, r: r}, nil
		}
	case *ast.Not:
		x, err := c.having(e.X)
		if err != nil {
			return nil, err
		}
		if n, ok := x.(rowNot); ok {
			return n.x, nil
		}
		return rowNot{x}, nil
	}
	return nil, refuse(e.Position(), "having "+e.String(), unimplemented)
}

func (c *compiler) operand(e ast.Expr) (rowOperand, error) {
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
	col, err := c.column(e)
	if err != nil {
		return rowOperand{}, err
	}
	if k := c.outs[col].kind; k == signin.KindTime || k == signin.KindString || k == signin.KindBool {
		return rowOperand{}, refuse(e.Position(), "having on "+k.String()+" columns", unimplemented)
	}
	return rowOperand{col: col}, nil
}

// sqlValue is a value of a sign-in in SQL: a field's, or a function's of
// one; present is the condition that the sign-in has one.
type sqlValue struct {
	sql, present string
	kind         signin.Kind
}

func fieldValue(f *signin.Field) sqlValue {
	return sqlValue{sql: valueExpr(f), present: present(f), kind: f.Kind}
}

// nsHour and nsDay are an hour and a day in nanoseconds.
const (
	nsHour = "3600000000000"
	nsDay  = "86400000000000"
)

// fnValue compiles a function of a field: hour, date and weekday of a
// time, in UTC, as the built-in functions compute them (times are after
// 1970: the division rounds down).
func fnValue(call *ast.Call) (sqlValue, error) {
	name := strings.ToLower(call.Name)
	var f *signin.Field
	if len(call.Args) == 1 {
		if n, ok := call.Args[0].(*ast.Name); ok {
			f = signin.Lookup(n.Name)
		}
	}
	if f == nil || f.Kind != signin.KindTime {
		return sqlValue{}, refuse(call.Pos, "the function "+name+" ("+call.String()+")", unimplemented)
	}
	t := ident(f.Name)
	switch name {
	case "hour":
		v := "toInt64(intDiv(" + t + ", " + nsHour + ") % 24)"
		return sqlValue{sql: v, present: "isNotNull(" + t + ")", kind: signin.KindInt}, nil
	case "date":
		v := "(intDiv(" + t + ", " + nsDay + ") * " + nsDay + ")"
		return sqlValue{sql: v, present: "isNotNull(" + t + ")", kind: signin.KindTime}, nil
	case "weekday":
		v := "if(isNull(" + t + "), '', arrayElement(['4 Thu', '5 Fri', '6 Sat', '7 Sun', '1 Mon', '2 Tue', '3 Wed'], toUInt64(intDiv(assumeNotNull(" + t + "), " + nsDay + ") % 7) + 1))"
		return sqlValue{sql: v, present: v + " != ''", kind: signin.KindString}, nil
	}
	return sqlValue{}, refuse(call.Pos, "the function "+name+" ("+call.String()+")", unimplemented)
}
