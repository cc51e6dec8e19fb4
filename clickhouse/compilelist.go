package clickhouse

import (
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// listDefault are list's columns when it names none.
var listDefault = []string{"time", "type", "identity", "app", "resource", "ip", "status", "error"}

// list compiles a list query: its columns, in its order (the columns of
// order by, then newest first, then by id, then by type), with its limit.
func (c *compiler) list(q *ast.Query, where string) (*Compiled, error) {
	var fields []*signin.Field
	switch {
	case q.All:
		fields = signin.Fields()
	case len(q.Fields) == 0:
		for _, n := range listDefault {
			fields = append(fields, signin.Lookup(n))
		}
	default:
		for _, e := range q.Fields {
			n, ok := e.(*ast.Name)
			if !ok {
				return nil, refuse(e.Position(), "a function in list ("+e.String()+")", unimplemented)
			}
			f := signin.Lookup(n.Name)
			if f == nil {
				return nil, refuse(n.Pos, n.Name, "unknown field")
			}
			fields = append(fields, f)
		}
	}
	cp := &Compiled{limit: c.plan.Limit}
	for _, f := range fields {
		c.outs = append(c.outs, &out{name: f.Name, kind: f.Kind, sql: valueExpr(f), field: f.Name})
	}
	visible := len(c.outs)
	pushable := true // ClickHouse orders as the engine does
	var sqlOrder []string
	for _, o := range q.OrderBy {
		col := -1
		if n, ok := o.Expr.(*ast.Name); ok {
			if f := signin.Lookup(n.Name); f != nil {
				for i, x := range c.outs[:visible] {
					if x.name == f.Name {
						col = i
						break
					}
				}
			}
		}
		if col < 0 {
			return nil, refuse(o.Pos, "order by "+o.Expr.String(), unimplemented)
		}
		if containsCol(cp.order, col) {
			continue
		}
		cp.order = append(cp.order, orderKey{col: col, desc: o.Desc})
		x := c.outs[col]
		if x.kind == signin.KindList {
			pushable = false
		}
		sqlOrder = append(sqlOrder, orderSQL(x.sql, x.kind, o.Desc)...)
	}
	hidden := []*out{
		{name: "time", kind: signin.KindTime, sql: ident("time"), hidden: true},
		{name: "id", kind: signin.KindString, sql: ident("id"), hidden: true},
		{name: "type#", kind: signin.KindString, sql: "toString(" + ident("type") + ")", hidden: true},
	}
	for i, h := range hidden {
		c.outs = append(c.outs, h)
		cp.order = append(cp.order, orderKey{col: visible + i, desc: i == 0})
	}
	sqlOrder = append(sqlOrder, ident("time")+" DESC", ident("id")+" ASC", "toString("+ident("type")+") ASC")
	var sel []string
	for _, o := range c.outs {
		sel = append(sel, o.sql)
	}
	sql := "SELECT " + strings.Join(sel, ", ") + " FROM " + c.table() + where
	if pushable {
		sql += " ORDER BY " + strings.Join(sqlOrder, ", ")
		if cp.limit >= 0 {
			sql += " LIMIT " + strconv.Itoa(cp.limit)
		}
	}
	cp.SQL = sql
	cp.outs = c.outs
	for i, o := range c.outs[:visible] {
		cp.visible = append(cp.visible, i)
		cp.Columns = append(cp.Columns, result.Column{Name: o.name, Kind: o.kind, Field: o.field})
	}
	return cp, nil
}

// orderSQL orders by x as result.Compare does: nulls first (last when
// descending), text in byte order.
func orderSQL(x string, k signin.Kind, desc bool) []string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	switch k {
	case signin.KindInt, signin.KindFloat, signin.KindTime, signin.KindBool:
		nulls := "isNull(" + x + ")"
		if desc {
			return []string{nulls + " ASC", x + dir}
		}
		return []string{nulls + " DESC", x + dir}
	}
	return []string{x + dir}
}
