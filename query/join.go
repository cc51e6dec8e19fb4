package query

import (
	"context"
	"iter"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// | join (QUERY) on K1, K2: the rows so far (the left side) joined with
// the rows of a subquery (the right side, run once before the query:
// subquery.go) on equal keys, which both sides have as columns of one
// kind. Keys compare as the language compares values: text without
// regard to case (an ip as the same address however spelled), numbers
// by value, times to the nanosecond; a missing key (null, or empty
// text) matches nothing.
//
//   - join (inner): a row for each pair of rows with equal keys, the
//     left's columns then the right's others; a right column named as a
//     left one is an error (the right side names it otherwise with as).
//   - join left: as inner, and each left row without a match once, the
//     right's columns null.
//   - join anti: the left rows without a match, as they are.
//
// The right side is made once into a hash table by key; the left rows
// stream through it.

// joinRunner runs a join.
type joinRunner struct {
	kind         string // "", "left", "anti"
	sub          *subquery
	lkeys, rkeys []int // the key columns of each side
	extra        []int // the right's columns added (inner, left)
	cols         []result.Column
	ips          []bool // by key: compared as addresses
}

// join checks a join against the columns it receives (left).
func (c *checker) join(left []result.Column, j *ast.Join) (*joinRunner, error) {
	sub, err := c.subquery(j.Query)
	if err != nil {
		return nil, err
	}
	right := answerColumns(sub.plan)
	r := &joinRunner{kind: j.Kind, sub: sub}
	find := func(cols []result.Column, k *ast.Name, side string) (int, error) {
		if i, ok := ColumnNamed(cols, k.Name); ok {
			return i, nil
		}
		names := columnNames(cols)
		return 0, errorf(k.Pos, "the %s has no column %q%s (its columns: %s)", side, k.Name, didYouMean(k.Name, names), strings.Join(names, ", "))
	}
	isKey := map[int]bool{}
	for _, k := range j.On {
		li, err := find(left, k, "rows before the join")
		if err != nil {
			return nil, err
		}
		ri, err := find(right, k, "joined query")
		if err != nil {
			return nil, err
		}
		lc, rc := left[li], right[ri]
		lk, rk := memberKind(lc.Kind, lc.Field == "ip"), memberKind(rc.Kind, rc.Field == "ip")
		if lc.Kind == signin.KindList || rc.Kind == signin.KindList {
			return nil, errorf(k.Pos, "%s is a list of values on one side: a join's keys are single values", k.Name)
		}
		if lk != rk {
			return nil, errorf(k.Pos, "%s is %s before the join and %s in the joined query: keys compare with keys of their kind", k.Name, memberWords(lk), memberWords(rk))
		}
		if isKey[ri] {
			return nil, errorf(k.Pos, "%s is a key twice", k.Name)
		}
		isKey[ri] = true
		r.lkeys, r.rkeys, r.ips = append(r.lkeys, li), append(r.rkeys, ri), append(r.ips, lk == "ip")
	}
	r.cols = left
	if r.kind == "anti" {
		c.antiDistinct(sub, j, right)
		return r, nil
	}
	r.cols = append([]result.Column(nil), left...)
	for i, rc := range right {
		if isKey[i] {
			continue
		}
		for _, lc := range left {
			if strings.EqualFold(lc.Name, rc.Name) {
				return nil, errorf(j.Query.Pos, "the joined query's column %s is a column of the rows before the join too: name it otherwise with as (%s as %s2)", rc.Name, rc.Name, rc.Name)
			}
		}
		r.extra = append(r.extra, i)
		r.cols = append(r.cols, result.Column{Name: rc.Name, Kind: rc.Kind, Field: rc.Field, Bin: rc.Bin})
	}
	return r, nil
}

// antiDistinct reads the right side of an anti join that lists only its
// keys (join anti (list user where …) on user) as their distinct
// combinations, count … group by the same fields: an anti join asks only
// whether a key is there, and the groups come from dictionary ids
// instead of a row for each sign-in. The keys keep their places (an
// aggregate's keys come first) and kinds; any other right side is left
// as it is.
func (c *checker) antiDistinct(sub *subquery, j *ast.Join, right []result.Column) {
	q := j.Query
	if q.Kind != ast.List || q.All || len(q.Fields) == 0 || q.Limit != nil || len(q.Stages) > 0 || len(q.Fields) != len(j.On) {
		return
	}
	for _, f := range q.Fields {
		n, ok := f.(*ast.Name)
		if !ok || !slices.ContainsFunc(j.On, func(k *ast.Name) bool { return strings.EqualFold(k.Name, n.Name) }) {
			return
		}
	}
	d := &ast.Query{Pos: q.Pos, Kind: ast.Aggregate, Heads: []*ast.Head{{Pos: q.Pos, Expr: &ast.Name{Pos: q.Pos, Name: "count"}}},
		Where: q.Where, Since: q.Since, Between: q.Between, GroupBy: q.Fields}
	dp, err := c.subPlan(d)
	if err != nil {
		return
	}
	cols := answerColumns(dp)
	for i, rc := range right {
		if i >= len(cols) || cols[i].Kind != rc.Kind || cols[i].Field != rc.Field || !strings.EqualFold(cols[i].Name, rc.Name) {
			return
		}
	}
	dp.anyOrder = true // asked only whether a key is there
	sub.plan, sub.distinct = dp, true
}

func (r *joinRunner) Columns() []result.Column { return r.cols }

func (r *joinRunner) Run(ctx context.Context, _ *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	rows := r.sub.res.Rows
	table := make(map[string][]int32, len(rows))
	var buf []byte
	for i, row := range rows {
		var ok bool
		if buf, ok = r.key(buf[:0], row, r.rkeys); ok {
			table[string(buf)] = append(table[string(buf)], int32(i))
		}
		if i%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	n := 0
	for row := range in {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var matches []int32
		if k, ok := r.key(buf[:0], row, r.lkeys); ok {
			buf, matches = k, table[string(k)]
		}
		switch {
		case r.kind == "anti":
			if len(matches) == 0 {
				if err := emit(row); err != nil {
					return err
				}
			}
		case len(matches) == 0 && r.kind == "left":
			out := append(make([]result.Value, 0, len(r.cols)), row...)
			for range r.extra {
				out = append(out, result.Null(r.cols[len(out)].Kind))
			}
			if err := emit(out); err != nil {
				return err
			}
		default:
			for _, m := range matches {
				out := append(make([]result.Value, 0, len(r.cols)), row...)
				for _, i := range r.extra {
					out = append(out, rows[m][i])
				}
				if err := emit(out); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// key appends to b a row's key over the columns at, which two rows share
// exactly when their keys are equal as the language compares them; false
// when a key is null.
func (r *joinRunner) key(b []byte, row []result.Value, at []int) ([]byte, bool) {
	for j, i := range at {
		v := row[i]
		if v.IsNull() {
			return b, false
		}
		switch v.Kind() {
		case signin.KindString:
			s := v.Str()
			if s == "" {
				return b, false // a missing text
			}
			if r.ips[j] {
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
				return b, false
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
	return b, true
}
