package query

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// Subqueries: F in (QUERY), F not in (QUERY), and the right side of a
// join. A subquery is checked into a plan of its own, against the same
// registry at the same now, and runs once per run of the query that
// holds it, before it, on the same snapshot and within the same memory
// limit and context (executor.subqueries). Its answer is never cut by
// list's default limit: it has every row unless it says limit.
//
// For in, the values of the subquery's first column make a set
// (members, streamed) that the predicate looks values up in, on the path
// a literal in takes (filter.go: once per dictionary value of a part, then
// the matching values' bitmaps; row by row for other columns).

// subquery is a query whose answer another uses.
type subquery struct {
	src  *ast.Query
	plan *Plan
	// members, for in: the set of the first column's values, streamed
	// into at each run.
	members *members
	// tuple, for (F1, F2, …) in: the set of the first columns' rows
	// (tuple.go), filled at each run.
	tuple *tupleSet
	// res is the answer of the last run (for join); rows and took are
	// what it made and how long it ran, for explain analyze.
	res  *result.Result
	rows int
	took time.Duration
	// distinct: plan is the list's distinct values (distinctValues).
	distinct bool
}

// subquery checks a subquery into a plan of its own, and adds it to the
// plan being checked, which runs it first.
func (c *checker) subquery(q *ast.Query) (*subquery, error) {
	if q.Kind == ast.Show {
		return nil, errorf(q.Pos, "a subquery is an aggregate, top or list: show gives one sign-in")
	}
	p, err := c.subPlan(q)
	if err != nil {
		return nil, err
	}
	s := &subquery{src: q, plan: p}
	c.p.subs = append(c.p.subs, s)
	return s, nil
}

// subPlan checks a subquery into a plan of its own.
func (c *checker) subPlan(q *ast.Query) (*Plan, error) {
	sc := &checker{reg: c.reg, now: c.now, lists: c.lists}
	p := &Plan{Statement: &ast.Statement{Query: q}, Kind: q.Kind, Now: c.now, From: math.MinInt64, To: math.MaxInt64, Limit: -1, reg: c.reg, lists: c.lists}
	if err := sc.query(p, q); err != nil {
		return nil, err
	}
	return p, nil
}

// distinctValues is, for the subquery of an in that lists its values
// without limit or stage (list F where …), the query of the same
// distinct values of its first column: count … group by F, which counts
// by dictionary ids instead of reading every sign-in's row (a list
// field's elements are its groups, as they are its values). nil for any
// other subquery.
func distinctValues(q *ast.Query) *ast.Query {
	if q.Kind != ast.List || q.All || len(q.Fields) == 0 || q.Limit != nil || len(q.Stages) > 0 {
		return nil
	}
	return &ast.Query{Pos: q.Pos, Kind: ast.Aggregate, Heads: []*ast.Head{{Pos: q.Pos, Expr: &ast.Name{Pos: q.Pos, Name: "count"}}},
		Where: q.Where, Since: q.Since, Between: q.Between, GroupBy: q.Fields[:1]}
}

// inSubquery checks F [not] in (QUERY): the subquery's first column must
// be of F's kind (text, an IP address, a number, a time, a flag).
func (c *checker) inSubquery(e *ast.In) (cond, error) {
	l, err := c.leftSide(e.X)
	if err != nil {
		return nil, err
	}
	s, err := c.subquery(e.Query)
	if err != nil {
		return nil, err
	}
	cols := answerColumns(s.plan)
	if d := distinctValues(e.Query); d != nil {
		if dp, err := c.subPlan(d); err == nil && memberKind(answerColumns(dp)[0].Kind, answerColumns(dp)[0].Field == "ip") == memberKind(cols[0].Kind, cols[0].Field == "ip") {
			s.plan, s.distinct = dp, true
		}
	}
	if len(cols) == 0 {
		return nil, errorf(e.Query.Pos, "the subquery has no columns: in (…) compares with its first column's values")
	}
	f, col := l.field(), cols[0]
	if lk, rk := memberKind(f.Kind, f.Name == "ip" && l.fn == nil), memberKind(col.Kind, col.Field == "ip"); lk != rk {
		return nil, errorf(e.Query.Pos, "%s is %s and the subquery's first column, %s, is %s: in (…) compares with the values of a column of %s's kind",
			l.name(), memberWords(lk), col.Name, memberWords(rk), l.name())
	}
	s.members = newStreamed(f.Name == "ip" && l.fn == nil)
	p := &pred{src: e, col: l.col, fn: l.fn, op: opIn, sets: []*members{s.members}}
	if kindClass(f.Kind) == signin.KindString {
		if e.Not {
			// As with values: on text, not in is the negation of in,
			// which a missing value satisfies.
			p.src = positive(e)
			return &condNot{x: p}, nil
		}
		return p, nil
	}
	if e.Not {
		p.op = opNotIn // numbers, times, flags: present and in none
	}
	return p, nil
}

// memberKind is the kind of values in compares: text, an IP address
// (the field ip: compared as addresses), numbers, times, flags.
func memberKind(k signin.Kind, ip bool) string {
	switch {
	case ip:
		return "ip"
	case k == signin.KindString || k == signin.KindList:
		return "text"
	case k == signin.KindInt || k == signin.KindFloat:
		return "number"
	case k == signin.KindTime:
		return "time"
	}
	return "flag"
}

func memberWords(k string) string {
	return map[string]string{"ip": "an IP address", "text": "text", "number": "a number", "time": "a time", "flag": "true or false"}[k]
}

// hasSubquery reports whether a condition holds a subquery.
func hasSubquery(e ast.Expr) bool {
	stack := []ast.Expr{e}
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
			if e.Query != nil {
				return true
			}
		}
	}
	return false
}

// subqueries runs the plan's subqueries, once each, on the executor's
// snapshot: their answers are the sets of in and the right sides of
// joins.
func (x *executor) subqueries(ctx context.Context, db *engine.DB, depth int, mem *memBudget) error {
	for _, s := range x.plan.subs {
		t := x.now()
		opts := Options{MaxMemory: x.opts.MaxMemory}
		if s.tuple != nil {
			s.tuple.reset()
			err := execute(ctx, db, x.snap, s.plan, opts, depth+1, mem, false, &result.Result{}, func(row []result.Value) bool {
				s.tuple.add(row)
				return true
			})
			if err != nil {
				return err
			}
			s.rows, s.took = s.tuple.rows, x.since(t)
			continue
		}
		if s.members != nil {
			// The values flow into the set, the rows never gathered.
			s.members.reset()
			s.rows = 0
			err := execute(ctx, db, x.snap, s.plan, opts, depth+1, mem, false, &result.Result{}, func(row []result.Value) bool {
				s.members.add(row[0])
				s.rows++
				return true
			})
			if err != nil {
				return err
			}
			s.members.seal()
			s.took = x.since(t)
			continue
		}
		res, err := gather(ctx, db, x.snap, s.plan, opts, depth+1, mem)
		if err != nil {
			return err
		}
		s.res, s.rows, s.took = res, len(res.Rows), x.since(t)
	}
	return nil
}

// explainSubqueries says what the plan's subqueries are and how they
// run; with a (explain analyze), what they made.
func (p *Plan) explainSubqueries(b *strings.Builder) {
	for _, s := range p.subs {
		use := "its rows are the right side of a join, made into a hash table on the join's keys"
		if s.members != nil {
			use = "its first column's values make a set (a hash set, and for ip a range table), which each dictionary value (or, for other columns, each row) is looked up in"
		}
		if s.tuple != nil {
			use = fmt.Sprintf("the values of its first %d columns, row by row, make a hash set of keys (text without regard to case, addresses however written, numbers by value; a key for each element of a list), which each sign-in's values, together, are looked up in", len(s.tuple.kinds))
		}
		if s.distinct {
			use += "; its distinct values are read as " + s.plan.Statement.Query.String() + " reads them"
		}
		fmt.Fprintf(b, "subquery: %s: run once, before the query, on the same snapshot; %s\n", s.src, use)
		for _, l := range strings.SplitAfter(strings.TrimSuffix(s.plan.explain(nil), "\n"), "\n") {
			b.WriteString("  " + l)
		}
		b.WriteByte('\n')
	}
}
