package query

import (
	"slices"
	"strings"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
)

// defaultListFields are list's columns when the query names none.
var defaultListFields = []string{"time", "type", "identity", "app", "resource", "ip", "status", "error"}

// list checks list's fields.
func (c *checker) list(p *Plan, q *ast.Query) error {
	add := func(col *engine.Column) {
		p.listCols = append(p.listCols, &listCol{name: col.Field.Name, col: col})
	}
	switch {
	case q.All:
		for _, f := range signin.Fields() {
			add(engine.LookupColumn(f.Name))
		}
	case len(q.Fields) == 0:
		for _, name := range defaultListFields {
			add(engine.LookupColumn(name))
		}
	}
	for _, e := range q.Fields {
		if call, ok := e.(*ast.Call); ok {
			fn, err := c.function(call)
			if err != nil {
				return err
			}
			p.listCols = append(p.listCols, &listCol{name: fn.field.Name, col: fn.col, fn: fn})
			continue
		}
		n, ok := e.(*ast.Name)
		if !ok {
			return errorf(e.Position(), "list takes fields and functions of a field, not %s", e)
		}
		col, err := c.field(n)
		if err != nil {
			return err
		}
		add(col)
	}
	return nil
}

// listOrder checks a list's order by: columns of the list, whose ties
// keep list's own order (newest first, then by id and type).
func (c *checker) listOrder(p *Plan, items []*ast.Order) error {
	for _, o := range items {
		col := listColumn(p, o.Expr)
		if col < 0 {
			var names []string
			for _, l := range p.listCols {
				names = append(names, l.name)
			}
			return errorf(o.Expr.Position(), "list is ordered by its columns, and %s is not one of them (%s): list it too%s", o.Expr, strings.Join(names, ", "), didYouMean(o.Expr.String(), names))
		}
		if !slices.ContainsFunc(p.order, func(k orderKey) bool { return k.col == col }) {
			p.order = append(p.order, orderKey{col: col, desc: o.Desc})
		}
	}
	if len(p.order) > 0 {
		p.Stream = false // the stage reads them in order
	}
	return nil
}

// listColumn returns the index of the list's column an expression names
// (a field by any of its names, a function of one), -1 for none.
func listColumn(p *Plan, e ast.Expr) int {
	text := strings.ToLower(e.String())
	for i, l := range p.listCols {
		if strings.EqualFold(l.name, text) {
			return i
		}
	}
	if n, ok := e.(*ast.Name); ok {
		if f := signin.Lookup(n.Name); f != nil {
			for i, l := range p.listCols {
				if l.fn == nil && l.name == f.Name {
					return i
				}
			}
		}
	}
	return -1
}
