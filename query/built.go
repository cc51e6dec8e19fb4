package query

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
)

// Trees a program builds (package ast's constructors) rather than parses:
// the queries stages ask of the store (plugins.Env.Query) and the
// conditions they add to the list before them (plugins.Needs.Where).
// They are checked as parsed ones are, never printed or parsed, once
// their shape is checked too: what the parser guarantees of the trees it
// makes, a program may get wrong. Their nodes have no position, so the
// errors about them say what, not where (Error without a position).

// checkBuilt checks a built query as Check checks a parsed one, and
// returns its plan.
func checkBuilt(q *ast.Query, reg *plugins.Registry, now time.Time) (*Plan, error) {
	if err := builtQuery(q); err != nil {
		return nil, err
	}
	return Check(&ast.Statement{Query: q}, reg, now)
}

// builtQuery checks the shape of a built query: every node there, and
// only the clauses its kind has (as the parser's lowering refuses
// them).
func builtQuery(q *ast.Query) error {
	if q == nil {
		return builtErr("no query")
	}
	switch q.Kind {
	case ast.Aggregate:
		if len(q.Heads) == 0 {
			return builtErr("an aggregate query without heads")
		}
		for _, h := range q.Heads {
			if h == nil {
				return builtErr("an aggregate query with a missing head")
			}
			if err := builtExpr(h.Expr); err != nil {
				return err
			}
		}
	case ast.Top:
		if q.TopN == nil || len(q.TopKeys) == 0 {
			return builtErr("top without its number or its keys")
		}
		if err := builtExprs(q.TopKeys); err != nil {
			return err
		}
		if q.TopBy != nil {
			if err := builtExpr(q.TopBy); err != nil {
				return err
			}
		}
	case ast.List:
		if err := builtExprs(q.Fields); err != nil {
			return err
		}
		if len(q.GroupBy) > 0 || q.Having != nil {
			return builtErr("list lists sign-ins and has no group by or having")
		}
	case ast.Show:
		if q.ID == nil {
			return builtErr("show without an id")
		}
		if q.Where != nil || q.Since != nil || q.Between != [2]*ast.Literal{} || len(q.GroupBy) > 0 || q.Having != nil ||
			len(q.OrderBy) > 0 || q.Limit != nil || len(q.Stages) > 0 {
			return builtErr("show takes a sign-in's id and nothing else")
		}
	default:
		return builtErr(fmt.Sprintf("a query of an unknown kind (%d)", q.Kind))
	}
	if q.Kind == ast.Top && len(q.GroupBy) > 0 {
		return builtErr("top groups by its keys already")
	}
	if (q.Between[0] == nil) != (q.Between[1] == nil) {
		return builtErr("between needs both its ends")
	}
	if q.Since != nil && q.Between[0] != nil {
		return builtErr("since and between both give the time range: use one")
	}
	for _, e := range []ast.Expr{q.Where, q.Having} {
		if e != nil {
			if err := builtExpr(e); err != nil {
				return err
			}
		}
	}
	if err := builtExprs(q.GroupBy); err != nil {
		return err
	}
	for _, o := range q.OrderBy {
		if o == nil {
			return builtErr("a missing key of order by")
		}
		if err := builtExpr(o.Expr); err != nil {
			return err
		}
	}
	for _, s := range q.Stages {
		if s == nil {
			return builtErr("a missing stage")
		}
		for _, a := range s.Args {
			if a == nil || a.Value == nil {
				return builtErr("a missing argument of " + s.Name)
			}
		}
	}
	return nil
}

func builtExprs(es []ast.Expr) error {
	for _, e := range es {
		if err := builtExpr(e); err != nil {
			return err
		}
	}
	return nil
}

// builtExpr checks that an expression has every node it needs: the
// operands of its operators and calls, the values of its ins.
func builtExpr(e ast.Expr) error {
	stack := []ast.Expr{e}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		missing := false
		switch e := e.(type) {
		case nil:
			missing = true
		case *ast.Name:
			missing = e == nil || e.Name == ""
		case *ast.Literal:
			missing = e == nil
		case *ast.Call:
			if missing = e == nil; !missing {
				stack = append(stack, e.Args...)
			}
		case *ast.Binary:
			if missing = e == nil; !missing {
				stack = append(stack, e.L, e.R)
			}
		case *ast.Not:
			if missing = e == nil; !missing {
				stack = append(stack, e.X)
			}
		case *ast.Tuple:
			if missing = e == nil; !missing {
				for _, f := range e.Fields {
					stack = append(stack, f)
				}
			}
		case *ast.In:
			if missing = e == nil; !missing {
				stack = append(stack, e.X)
				if e.Query != nil {
					if err := builtQuery(e.Query); err != nil {
						return err
					}
				}
				for _, v := range e.Values {
					if v == nil {
						missing = true
					}
				}
			}
		default:
			return builtErr(fmt.Sprintf("an expression of a type the language lacks (%T)", e))
		}
		if missing {
			return builtErr("an expression with a missing operand")
		}
	}
	return nil
}

func builtErr(msg string) *Error { return &Error{Msg: "a built query is malformed: " + msg} }

// brief is a built tree's text cut short for a message: a stage's query
// may name thousands of values.
func brief(n fmt.Stringer) string {
	const most = 100
	s := n.String()
	if utf8.RuneCountInString(s) <= most {
		return s
	}
	r := []rune(s)
	return string(r[:most]) + "…"
}
