package clickhouse

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// The operators after a | (where, order by, limit, join) work on the
// rows a query gives, which are few beside the sign-ins they come from:
// ClickHouse computes the rows (and a join's right side, a query of its
// own compiled as any), and signinq applies the operators to them as the
// engine does (docs/query-language.md, "After a query"): where, order by
// and limit are the engine's own operators, bound in the plan and run by
// query.Plan.RunStage; a join is a hash table of the right side's keys
// compared as the language compares values.

// postOp is an operator applied by signinq to the rows of a compiled
// query, in order.
type postOp interface {
	apply(ctx context.Context, conn driver.Conn, rows [][]result.Value) ([][]result.Value, error)
}

// operators compiles the operators after the query's |, against the
// columns the query gives: where, order by and limit, and a stage that
// reads only its rows (a plugin's
// that is not a plugins.Needer: spikes, trend, anomalies, timeline) runs
// in signinq on the rows ClickHouse computes (pipeStage); a stage that
// reads sign-ins, or a sequence, is refused.
func (c *compiler) operators(stages []*ast.Stage, cols []result.Column) ([]postOp, []result.Column, error) {
	var ops []postOp
	for i, s := range stages {
		var op postOp
		var err error
		switch {
		case s.Where != nil, s.OrderBy != nil, s.Limit != nil:
			// The engine's own operator, bound in the plan, on the rows.
			op, cols = &pipeStage{plan: c.plan, i: i}, c.plan.StageColumns(i)
		case s.Join != nil:
			var j *pipeJoin
			j, err = c.join(cols, s.Join)
			if err == nil {
				op, cols = j, j.cols
			}
		case s.Sequence != nil:
			return nil, nil, refuse(s.Pos, "| sequence", "a sequence matches each key's sign-ins in time order, step after step: signinq runs it on the sign-ins")
		default:
			if !c.rowStage(s) {
				return nil, nil, refuse(s.Pos, "| "+strings.ToLower(s.Name), "stages are signinq's plugins: they run in signinq on the sign-ins or rows a query gives")
			}
			op, cols = &pipeStage{plan: c.plan, i: i}, c.plan.StageColumns(i)
		}
		if err != nil {
			return nil, nil, err
		}
		ops = append(ops, op)
		c.postText = append(c.postText, s.String())
	}
	return ops, cols, nil
}

// rowStage tells a plugin's stage that reads only the rows before it
// (not a plugins.Needer, which reads sign-ins and the store): it can run
// on the rows ClickHouse computes. Without a registry (Compile), none.
func (c *compiler) rowStage(s *ast.Stage) bool {
	if c.reg == nil || s.Paren {
		return false
	}
	pl, ok := c.reg.Lookup(s.Name)
	if !ok {
		return false
	}
	if _, isStage := pl.(plugins.Stage); !isStage {
		return false
	}
	_, needer := pl.(plugins.Needer)
	return !needer
}

// pipeStage runs an operator (where, order by, limit) or a plugin's
// stage that reads only its rows on the rows before it, as the engine
// runs it (query.Plan.RunStage), with the query's time range and now:
// the store is not there to read.
type pipeStage struct {
	plan *query.Plan
	i    int // the stage's index among the query's stages
}

func (s *pipeStage) apply(ctx context.Context, _ driver.Conn, rows [][]result.Value) ([][]result.Value, error) {
	p := s.plan
	env := &plugins.Env{From: p.From, To: p.To, Now: p.Now, Query: func(context.Context, *ast.Query) (*result.Result, error) {
		return nil, fmt.Errorf("clickhouse: a stage after a query on ClickHouse reads only its rows")
	}}
	out, _, err := p.RunStage(ctx, s.i, env, rows)
	return out, err
}

// columnOf finds the column a bare word or a quoted string names, as the
// engine does: by name without regard to case, or a field's column by
// another of the field's names.
func columnOf(cols []result.Column, e ast.Expr) (int, bool) {
	var name string
	switch e := e.(type) {
	case *ast.Name:
		name = e.Name
	case *ast.Literal:
		if !e.Quoted {
			return -1, false
		}
		name = e.Text
	default:
		return -1, false
	}
	return query.ColumnNamed(cols, name)
}

// pipeJoin is | join [left|anti] (QUERY) on K, …: the right side a
// compiled query, run by ClickHouse when the join applies.
type pipeJoin struct {
	kind         string // "", "left", "anti"
	right        *Compiled
	lkeys, rkeys []int
	ips          []bool
	extra        []int // the right's columns added (inner, left)
	cols         []result.Column
}

// join compiles a join against the columns it receives.
func (c *compiler) join(left []result.Column, j *ast.Join) (*pipeJoin, error) {
	q := j.Query
	if j.Kind == "anti" {
		if d := antiDistinct(j); d != nil {
			q = d
		}
	}
	right, err := c.subCompile(q, j.Pos, "a join's query")
	if err != nil {
		return nil, err
	}
	r := &pipeJoin{kind: j.Kind, right: right}
	isKey := map[int]bool{}
	for _, k := range j.On {
		li, lok := columnOf(left, k)
		ri, rok := columnOf(right.Columns, k)
		if !lok || !rok {
			return nil, refuse(k.Pos, "join on "+k.Name, "not a column of both sides")
		}
		lc, rc := left[li], right.Columns[ri]
		if lc.Kind == signin.KindList || rc.Kind == signin.KindList || isKey[ri] {
			return nil, refuse(k.Pos, "join on "+k.Name, "not a key")
		}
		isKey[ri] = true
		r.lkeys, r.rkeys = append(r.lkeys, li), append(r.rkeys, ri)
		r.ips = append(r.ips, lc.Field == "ip" && lc.Kind == signin.KindString)
	}
	r.cols = left
	if r.kind == "anti" {
		return r, nil
	}
	r.cols = slices.Clone(left)
	for i, rc := range right.Columns {
		if isKey[i] {
			continue
		}
		r.extra = append(r.extra, i)
		r.cols = append(r.cols, result.Column{Name: rc.Name, Kind: rc.Kind, Field: rc.Field, Bin: rc.Bin})
	}
	return r, nil
}

// antiDistinct is, for the right side of an anti join that lists only
// its keys, the query of their distinct combinations: count … group by
// the same fields, as the engine reads it. nil for any other.
func antiDistinct(j *ast.Join) *ast.Query {
	q := j.Query
	if q.Kind != ast.List || q.All || len(q.Fields) == 0 || q.Limit != nil || len(q.Stages) > 0 || len(q.Fields) != len(j.On) {
		return nil
	}
	for _, f := range q.Fields {
		n, ok := f.(*ast.Name)
		if !ok || !slices.ContainsFunc(j.On, func(k *ast.Name) bool { return strings.EqualFold(k.Name, n.Name) }) {
			return nil
		}
	}
	return &ast.Query{Pos: q.Pos, Kind: ast.Aggregate, Heads: []*ast.Head{{Pos: q.Pos, Expr: &ast.Name{Pos: q.Pos, Name: "count"}}},
		Where: q.Where, Since: q.Since, Between: q.Between, GroupBy: q.Fields}
}

func (j *pipeJoin) apply(ctx context.Context, conn driver.Conn, rows [][]result.Value) ([][]result.Value, error) {
	res, err := j.right.Run(ctx, conn)
	if err != nil {
		return nil, err
	}
	return j.joinRows(rows, res.Rows), nil
}

// joinRows joins the left rows with the right side's.
func (j *pipeJoin) joinRows(rows, right [][]result.Value) [][]result.Value {
	table := map[string][]int{}
	for i, row := range right {
		if k, ok := joinKey(row, j.rkeys, j.ips); ok {
			table[k] = append(table[k], i)
		}
	}
	var out [][]result.Value
	for _, row := range rows {
		var matches []int
		if k, ok := joinKey(row, j.lkeys, j.ips); ok {
			matches = table[k]
		}
		switch {
		case j.kind == "anti":
			if len(matches) == 0 {
				out = append(out, row)
			}
		case len(matches) == 0 && j.kind == "left":
			o := slices.Clone(row)
			for range j.extra {
				o = append(o, result.Null(j.cols[len(o)].Kind))
			}
			out = append(out, o)
		default:
			for _, m := range matches {
				o := slices.Clone(row)
				for _, i := range j.extra {
					o = append(o, right[m][i])
				}
				out = append(out, o)
			}
		}
	}
	return out
}

// joinKey is a row's key over the columns at, equal for two rows exactly
// when the language finds their keys equal: text folded as
// strings.EqualFold folds it, an ip as its address, numbers by value;
// false when a key is missing (null, or empty text).
func joinKey(row []result.Value, at []int, ips []bool) (string, bool) {
	var b []byte
	for j, i := range at {
		v := row[i]
		if v.IsNull() {
			return "", false
		}
		switch v.Kind() {
		case signin.KindString:
			s := v.Str()
			if s == "" {
				return "", false
			}
			if ips[j] {
				if a, err := netip.ParseAddr(s); err == nil {
					s = a.Unmap().String()
				}
			}
			s = foldKey(s)
			b = append(b, 's')
			b = strconv.AppendInt(b, int64(len(s)), 10)
			b = append(b, ':')
			b = append(b, s...)
		case signin.KindFloat:
			x := v.Float()
			if math.IsNaN(x) {
				return "", false
			}
			if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
				b = append(b, 'n')
				b = strconv.AppendInt(b, int64(x), 10)
			} else {
				b = append(b, 'f')
				b = strconv.AppendUint(b, math.Float64bits(x), 16)
			}
		default: // whole numbers, times, flags
			b = append(b, 'n')
			b = strconv.AppendInt(b, v.Int(), 10)
		}
		b = append(b, ';')
	}
	return string(b), true
}

// foldKey is text folded so that two texts are equal under
// strings.EqualFold exactly when their keys are: each rune the smallest
// of its orbit under unicode.SimpleFold, an ASCII capital its small
// letter (the engine's folding of keys).
func foldKey(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		if 'A' <= m && m <= 'Z' {
			m += 'a' - 'A'
		}
		b = utf8.AppendRune(b, m)
	}
	return string(b)
}
