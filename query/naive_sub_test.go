package query

// The naive evaluator's subqueries (naive_test.go): F in (QUERY) by
// evaluating the subquery naively over the same records at the same
// now, then deciding membership value by value, by comparing with each
// of the subquery's values in turn: nothing shared with the executor's
// hash sets.

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// naiveSubValues holds, for each subquery of a query being evaluated
// (by its node, which is the query's own), its first column's values.
var naiveSubValues sync.Map // *ast.In -> []result.Value

// naiveResolveSubqueries evaluates the subqueries of a query's
// conditions (its where, its heads' countif and dcountif), each once,
// over recs at now.
func naiveResolveSubqueries(recs []signin.Record, q *ast.Query, now time.Time) error {
	stack := []ast.Expr{q.Where, q.TopBy}
	for _, h := range q.Heads {
		stack = append(stack, h.Expr)
	}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch e := e.(type) {
		case *ast.Call:
			stack = append(stack, e.Args...)
		case *ast.Binary:
			stack = append(stack, e.L, e.R)
		case *ast.Not:
			stack = append(stack, e.X)
		case *ast.In:
			if e.Query == nil {
				continue
			}
			res, err := naiveQuery(recs, e.Query.String(), now)
			if err != nil {
				return fmt.Errorf("naive: the subquery %s: %w", e.Query, err)
			}
			if _, ok := e.X.(*ast.Tuple); ok {
				naiveSubRows.Store(e, res.Rows) // naive_tuple_test.go
				continue
			}
			var vals []result.Value
			for _, row := range res.Rows {
				vals = append(vals, row[0])
			}
			naiveSubValues.Store(e, vals)
		}
	}
	return nil
}

// naiveSubqueryPred is F [not] in (QUERY): text is in when some element
// of it (a missing one being "") equals some value of the subquery
// without regard to case (each element of a list value; an ip as the
// same address), nulls and "" equal to nothing, and not in is its
// negation; numbers, times and flags are in when present and equal to
// some value, not in when present and equal to none.
func naiveSubqueryPred(e *ast.In) (naivePred, error) {
	if t, ok := e.X.(*ast.Tuple); ok {
		return naiveTuplePred(e, t) // naive_tuple_test.go
	}
	f, err := naiveField(e.X)
	if err != nil {
		return nil, err
	}
	v, ok := naiveSubValues.Load(e)
	if !ok {
		return nil, fmt.Errorf("naive: the subquery %s was not evaluated", e.Query)
	}
	vals := v.([]result.Value)
	if f.Kind == signin.KindString || f.Kind == signin.KindList {
		var members []string
		for _, v := range vals {
			switch {
			case v.IsNull():
			case v.Kind() == signin.KindList:
				members = append(members, v.List()...)
			default:
				members = append(members, v.Str())
			}
		}
		same := func(a, b string) bool {
			if a == "" || b == "" {
				return false
			}
			if strings.EqualFold(a, b) {
				return true
			}
			if f.Name != "ip" {
				return false
			}
			x, err1 := netip.ParseAddr(a)
			y, err2 := netip.ParseAddr(b)
			return err1 == nil && err2 == nil && x.Unmap() == y.Unmap()
		}
		return func(r *signin.Record) bool {
			in := false
			for _, t := range naiveTexts(f, r) {
				for _, m := range members {
					in = in || same(t, m)
				}
			}
			return in != e.Not
		}, nil
	}
	return func(r *signin.Record) bool {
		x := naiveValue(f, r)
		if x.IsNull() {
			return false
		}
		in := false
		for _, v := range vals {
			if v.IsNull() {
				continue
			}
			if x.Kind() == signin.KindFloat || v.Kind() == signin.KindFloat {
				in = in || x.Float() == v.Float()
			} else {
				in = in || x.Int() == v.Int()
			}
		}
		return in != e.Not
	}, nil
}
