package clickhouse

import (
	"encoding/hex"
	"fmt"
	"net/netip"
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
	var absent *absence
	if q.GroupIn != nil {
		cond, a, err := c.absence(q)
		if err != nil {
			return nil, err
		}
		absent = a
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
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
	if absent != nil {
		absent.key = keyIdx[0]
		cp.absent = absent
	}
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
			return &out{name: strings.ToLower(e.String()), kind: v.kind, sql: v.sql, key: true, conv: v.conv}, nil
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
	o := &out{agg: text, aggName: name}
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
		if f.conv != nil {
			return nil, refuse(call.Pos, text, "SQL's values of the function do not order as its texts do")
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
	case "values", "valuesif":
		// The distinct present values, in byte order, as a list of their
		// texts: of text, whole numbers and flags (the engine's texts of
		// decimal numbers and times SQL does not spell alike).
		f, err := argField(0)
		if err != nil {
			return nil, err
		}
		cond := "1"
		if name == "valuesif" {
			if cond, err = condArg(1); err != nil {
				return nil, err
			}
		}
		switch {
		case f.conv != nil:
			return nil, refuse(call.Pos, name+"(…) of subnet", "SQL's values of the function are not its texts")
		case f.kind == signin.KindString:
			o.sql = "arraySort(groupUniqArrayIf(" + f.sql + ", " + cond + " AND " + f.sql + " != ''))"
		case f.kind == signin.KindList:
			o.sql = "arraySort(groupUniqArrayArrayIf(arrayFilter(x -> x != '', " + f.sql + "), " + cond + "))"
		case f.kind == signin.KindInt:
			// The engine's text of a whole number is its decimal digits.
			o.sql = "arraySort(groupUniqArrayIf(toString(assumeNotNull(" + f.sql + ")), " + cond + " AND " + f.present + "))"
		case f.kind == signin.KindBool:
			o.sql = "arraySort(groupUniqArrayIf(if(assumeNotNull(" + f.sql + ") = 1, 'true', 'false'), " + cond + " AND " + f.present + "))"
		default:
			return nil, refuse(call.Pos, name+"(…) of "+f.kind.String()+" values", "the engine lists them as their text, which SQL does not spell alike")
		}
		o.kind = signin.KindList
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
	if b, ok := e.(*ast.Binary); ok && (b.Op == "+" || b.Op == "-" || b.Op == "*" || b.Op == "/") {
		v, err := c.havingCalc(b)
		if err != nil {
			return rowOperand{}, err
		}
		return rowOperand{col: -1, calc: v}, nil
	}
	if v, ok := c.timeConst(e); ok {
		return rowOperand{col: -1, value: v}, nil
	}
	col, err := c.column(e)
	if err != nil {
		return rowOperand{}, err
	}
	if k := c.outs[col].kind; k == signin.KindString || k == signin.KindBool || k == signin.KindList {
		return rowOperand{}, refuse(e.Position(), "having on "+k.String()+" columns", unimplemented)
	}
	return rowOperand{col: col}, nil
}

// havingCalc compiles arithmetic over output columns in having: numbers
// (+ - * /) and time arithmetic (last - first, now - 30d), computed as
// in heads.
func (c *compiler) havingCalc(b *ast.Binary) (calc, error) {
	var sides [2]calc
	for i, e := range []ast.Expr{b.L, b.R} {
		if x, ok := e.(*ast.Binary); ok && (x.Op == "+" || x.Op == "-" || x.Op == "*" || x.Op == "/") {
			v, err := c.havingCalc(x)
			if err != nil {
				return nil, err
			}
			sides[i] = v
			continue
		}
		o, err := c.operand(e)
		if err != nil {
			return nil, err
		}
		if o.col >= 0 {
			sides[i] = calcCol{i: o.col, k: c.outs[o.col].kind}
		} else {
			sides[i] = calcLit{o.value}
		}
	}
	l, r := sides[0], sides[1]
	if k, ok := timeArithKind(b.Op, l.kind(), r.kind()); ok {
		return calcOp{src: b, op: b.Op, l: l, r: r, k: k}, nil
	}
	for _, k := range []signin.Kind{l.kind(), r.kind()} {
		if k != signin.KindInt && k != signin.KindFloat {
			return nil, refuse(b.Pos, "having with arithmetic of "+k.String()+" ("+b.String()+")", "not numbers, times or durations as the language adds them")
		}
	}
	k := signin.KindInt
	if b.Op == "/" || l.kind() == signin.KindFloat || r.kind() == signin.KindFloat {
		k = signin.KindFloat
	}
	return calcOp{src: b, op: b.Op, l: l, r: r, k: k}, nil
}

// sqlValue is a value of a sign-in in SQL: a field's, or a function's of
// one; present is the condition that the sign-in has one.
type sqlValue struct {
	sql, present string
	kind         signin.Kind
	// conv, when set, makes the text SQL selects the value's text (a
	// subnet's network from its bytes): SQL's values then compare equal
	// exactly when the values do, but do not order as they do.
	conv func(string) (string, error)
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
	if len(call.Args) >= 1 {
		if n, ok := call.Args[0].(*ast.Name); ok {
			f = signin.Lookup(n.Name)
		}
	}
	switch {
	case f != nil && name == "domain" && len(call.Args) == 1 && f.Kind == signin.KindString:
		// After the last @, in lower case; "" without an @.
		x := strExpr(f)
		v := "if(position(" + x + ", '@') = 0, '', lowerUTF8(arrayElement(splitByChar('@', " + x + "), -1)))"
		return sqlValue{sql: v, present: v + " != ''", kind: signin.KindString}, nil
	case f != nil && name == "subnet" && f.Name == "ip":
		return subnetValue(call)
	}
	if f == nil || f.Kind != signin.KindTime || len(call.Args) != 1 {
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

// subnetValue compiles subnet(ip, bits) for bits of 0 to 32 (IPv4
// networks of bits, IPv6 ones of 64, as the function takes them; more
// bits would make the IPv4 addresses an error): SQL selects the
// network's family and bytes in hex ("" for text that is not an
// address), which signinq writes as the function does.
func subnetValue(call *ast.Call) (sqlValue, error) {
	bits := int64(24)
	if len(call.Args) == 2 {
		var text string
		switch a := call.Args[1].(type) {
		case *ast.Literal:
			text = a.Text
		case *ast.Name:
			text = a.Name
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return sqlValue{}, refuse(call.Pos, "the function subnet ("+call.String()+")", "its prefix length is not a whole number")
		}
		bits = n
	}
	if bits < 0 || bits > 32 || len(call.Args) > 2 {
		return sqlValue{}, refuse(call.Pos, "the function subnet ("+call.String()+")", "a prefix length above 32 is an error for every IPv4 address, which SQL does not raise; "+unimplemented)
	}
	ip := ident(colIP16)
	mask := uint32(0)
	if bits > 0 {
		mask = ^uint32(0) << (32 - bits)
	}
	v4 := "concat('4', hex(bitAnd(reinterpretAsUInt32(reverse(substring(assumeNotNull(" + ip + "), 13, 4))), " + strconv.FormatUint(uint64(mask), 10) + ")))"
	v6 := "concat('6', hex(substring(assumeNotNull(" + ip + "), 1, 8)))"
	v := "if(isNull(" + ip + "), '', if(substring(assumeNotNull(" + ip + "), 1, 12) = unhex('" + mapped4 + "'), " + v4 + ", " + v6 + "))"
	conv := func(s string) (string, error) {
		if s == "" {
			return "", nil
		}
		switch s[0] {
		case '4':
			n, err := strconv.ParseUint(s[1:], 16, 32)
			if err != nil {
				return "", err
			}
			a := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
			return netip.PrefixFrom(a, int(bits)).String(), nil
		case '6':
			b, err := hex.DecodeString(s[1:])
			if err != nil || len(b) != 8 {
				return "", fmt.Errorf("not 8 bytes of an IPv6 network: %q", s)
			}
			var a16 [16]byte
			copy(a16[:], b)
			return netip.PrefixFrom(netip.AddrFrom16(a16), 64).String(), nil
		}
		return "", fmt.Errorf("not a network: %q", s)
	}
	return sqlValue{sql: v, present: v + " != ''", kind: signin.KindString, conv: conv}, nil
}
