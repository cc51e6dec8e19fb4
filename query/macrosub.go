package query

import "github.com/signinq/signinq/query/ast"

// subqueries expands the saved queries used by a query's subqueries: in
// (QUERY) in its where and its heads (countif, dcountif, top's by), and
// the queries of its joins. It returns q itself when there are none, and
// copies only what leads to a subquery that changed.
func (x *expander) subqueries(q *ast.Query) (*ast.Query, error) {
	out := *q
	changed := false
	expr := func(e ast.Expr) (ast.Expr, error) {
		if e == nil || !hasSubquery(e) {
			return e, nil
		}
		n, err := x.subExpr(e)
		changed = changed || n != e
		return n, err
	}
	var err error
	if out.Where, err = expr(q.Where); err != nil {
		return nil, err
	}
	if out.TopBy, err = expr(q.TopBy); err != nil {
		return nil, err
	}
	copied := false // out.Heads, and then out.Stages, are copies
	for i, h := range q.Heads {
		e, err := expr(h.Expr)
		if err != nil {
			return nil, err
		}
		if e != h.Expr {
			if !copied {
				out.Heads, copied = append([]*ast.Head(nil), q.Heads...), true
			}
			out.Heads[i] = &ast.Head{Pos: h.Pos, Expr: e, Alias: h.Alias}
		}
	}
	copied = false
	for i, s := range q.Stages {
		if s.Join == nil {
			continue
		}
		j, err := x.query(s.Join.Query)
		if err != nil {
			return nil, err
		}
		if j != s.Join.Query {
			if !copied {
				out.Stages, copied = append([]*ast.Stage(nil), q.Stages...), true
			}
			c, jc := *s, *s.Join
			jc.Query, c.Join = j, &jc
			out.Stages[i], changed = &c, true
		}
	}
	if !changed {
		return q, nil
	}
	return &out, nil
}

// subExpr expands the subqueries of an expression that holds some.
func (x *expander) subExpr(e ast.Expr) (ast.Expr, error) {
	switch e := e.(type) {
	case *ast.In:
		if e.Query == nil {
			return e, nil
		}
		q, err := x.query(e.Query)
		if err != nil || q == e.Query {
			return e, err
		}
		c := *e
		c.Query = q
		return &c, nil
	case *ast.Binary:
		l, err := x.subExpr(e.L)
		if err != nil {
			return nil, err
		}
		r, err := x.subExpr(e.R)
		if err != nil {
			return nil, err
		}
		if l == e.L && r == e.R {
			return e, nil
		}
		return &ast.Binary{Pos: e.Pos, Op: e.Op, L: l, R: r}, nil
	case *ast.Not:
		n, err := x.subExpr(e.X)
		if err != nil || n == e.X {
			return e, err
		}
		return &ast.Not{Pos: e.Pos, X: n}, nil
	case *ast.Call:
		var args []ast.Expr
		for i, a := range e.Args {
			n, err := x.subExpr(a)
			if err != nil {
				return nil, err
			}
			if n != a && args == nil {
				args = append([]ast.Expr(nil), e.Args...)
			}
			if args != nil {
				args[i] = n
			}
		}
		if args == nil {
			return e, nil
		}
		return &ast.Call{Pos: e.Pos, Name: e.Name, Args: args}, nil
	}
	return e, nil
}

// holdsSubquery reports whether a query holds a subquery (in (QUERY), a
// join), which may use saved queries.
func holdsSubquery(q *ast.Query) bool {
	for _, s := range q.Stages {
		if s.Join != nil {
			return true
		}
	}
	for _, h := range q.Heads {
		if hasSubquery(h.Expr) {
			return true
		}
	}
	return q.Where != nil && hasSubquery(q.Where) || q.TopBy != nil && hasSubquery(q.TopBy)
}
