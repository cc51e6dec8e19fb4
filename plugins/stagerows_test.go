package plugins

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// srTestCols are the input columns of the detection stages' tests: every
// field grouped, spray, bruteforce and mfafatigue read.
var srTestCols = []result.Column{
	{Name: "time", Kind: signin.KindTime, Field: "time"},
	{Name: "type", Kind: signin.KindString, Field: "type"},
	{Name: "app", Kind: signin.KindString, Field: "app"},
	{Name: "appId", Kind: signin.KindString, Field: "appId"},
	{Name: "user", Kind: signin.KindString, Field: "user"},
	{Name: "sp", Kind: signin.KindString, Field: "sp"},
	{Name: "spId", Kind: signin.KindString, Field: "spId"},
	{Name: "ip", Kind: signin.KindString, Field: "ip"},
	{Name: "status", Kind: signin.KindString, Field: "status"},
	{Name: "error", Kind: signin.KindInt, Field: "error"},
	{Name: "resource", Kind: signin.KindString, Field: "resource"},
	{Name: "resourceId", Kind: signin.KindString, Field: "resourceId"},
	{Name: "signInCount", Kind: signin.KindInt, Field: "signInCount"},
}

// srDay is the day the tests' times fall on.
var srDay = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// at returns a time of srDay written "15:04" or "15:04:05.000" (a
// leading "+1d " moves it a day on).
func at(s string) time.Time {
	day := srDay
	if rest, ok := strings.CutPrefix(s, "+1d "); ok {
		day, s = day.Add(24*time.Hour), rest
	}
	for _, layout := range []string{"15:04", "15:04:05", "15:04:05.000"} {
		if t, err := time.Parse(layout, s); err == nil {
			return day.Add(t.Sub(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)))
		}
	}
	panic("bad test time " + s)
}

// srRow makes a row of cols from field values: strings, time.Time, ints,
// or a time written for at in "time"; fields left out are null.
func srRow(cols []result.Column, kv map[string]any) []result.Value {
	row := make([]result.Value, len(cols))
	for i, c := range cols {
		v, ok := kv[c.Name]
		if !ok {
			row[i] = result.Null(c.Kind)
			continue
		}
		switch x := v.(type) {
		case string:
			if c.Kind == signin.KindTime {
				row[i] = result.TimeValue(at(x))
			} else {
				row[i] = result.StringValue(x)
			}
		case time.Time:
			row[i] = result.TimeValue(x)
		case int:
			row[i] = result.IntValue(int64(x))
		default:
			panic(fmt.Sprintf("bad test value %T", v))
		}
	}
	return row
}

// runTestStage binds a stage with args (written as a query writes them,
// "window=6h" or "6h") to cols and runs it over rows.
func runTestStage(t testing.TB, st Stage, cols []result.Column, rows [][]result.Value, args ...string) ([][]result.Value, error) {
	t.Helper()
	return runTestStageEnv(t, st, &Env{From: math.MinInt64, To: math.MaxInt64, Now: srDay}, cols, rows, args...)
}

// runTestStageEnv is runTestStage with an Env.
func runTestStageEnv(t testing.TB, st Stage, env *Env, cols []result.Column, rows [][]result.Value, args ...string) ([][]result.Value, error) {
	t.Helper()
	var sa []StageArg
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok {
			name, value = "", a
		}
		sa = append(sa, StageArg{Name: name, Value: value})
	}
	bound, err := BindArgs(st.Describe(), sa)
	if err != nil {
		return nil, err
	}
	r, err := st.Bind(bound, cols)
	if err != nil {
		return nil, err
	}
	var out [][]result.Value
	err = r.Run(context.Background(), env, slices.Values(rows), func(row []result.Value) error {
		if len(row) != len(r.Columns()) {
			t.Fatalf("row of %d values for %d columns", len(row), len(r.Columns()))
		}
		for i, v := range row {
			if !v.IsNull() && v.Kind() != r.Columns()[i].Kind {
				t.Fatalf("column %s holds a %v", r.Columns()[i].Name, v.Kind())
			}
		}
		out = append(out, row)
		return nil
	})
	return out, err
}

// srFakeStore stands for the store a detection stage asks for successes
// (Env.Query): it evaluates the built query over hand-built rows of
// srTestCols, as the store would. It reads the trees the stages build,
// and refuses others: a condition of and, or, not, field in (values)
// and field op value; the range of between or since; a list of fields,
// or the heads count, values(user), min(time) and max(time) grouped by
// fields. Text matches without regard to case, addresses however
// written (::ffff:1.1.1.1 is 1.1.1.1); a missing value is "" to text and
// satisfies no comparison of numbers or times. It records the text of
// each query.
type srFakeStore struct {
	rows    [][]result.Value
	queries []string
	err     error // what Query returns, when not nil
}

func (f *srFakeStore) query(ctx context.Context, q *ast.Query) (*result.Result, error) {
	f.queries = append(f.queries, q.String())
	if f.err != nil {
		return nil, f.err
	}
	// The range: [from, to), or from on with since.
	from, to, open := int64(math.MinInt64), int64(0), q.Since != nil
	for i, l := range []*ast.Literal{q.Since, q.Between[0], q.Between[1]} {
		if l == nil {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, l.Text)
		if err != nil {
			return nil, fmt.Errorf("the fake store reads no time %s", l)
		}
		if i < 2 {
			from = t.UnixNano()
		} else {
			to = t.UnixNano()
		}
	}
	var sel [][]result.Value
	for _, row := range f.rows {
		if t, ok := srTime(row, 0); from != math.MinInt64 && (!ok || t < from || !open && t >= to) {
			continue
		}
		ok, err := srFakeHolds(q.Where, row)
		if err != nil {
			return nil, fmt.Errorf("%v: %s", err, q)
		}
		if ok {
			sel = append(sel, row)
		}
	}
	field := func(e ast.Expr) (int, error) {
		if n, ok := e.(*ast.Name); ok {
			if i := detColumn(srTestCols, n.Name); i >= 0 {
				return i, nil
			}
		}
		return 0, fmt.Errorf("the fake store knows no field %s: %s", e, q)
	}
	res := &result.Result{}
	switch {
	case q.Kind == ast.List && len(q.Stages) == 0:
		var idx []int
		for _, e := range q.Fields {
			i, err := field(e)
			if err != nil {
				return nil, err
			}
			idx = append(idx, i)
			res.Columns = append(res.Columns, srTestCols[i])
		}
		for _, row := range sel {
			out := make([]result.Value, len(idx))
			for k, i := range idx {
				out[k] = srCell(row, i)
			}
			res.Rows = append(res.Rows, out)
		}
		return res, ctx.Err()
	case q.Kind != ast.Aggregate || len(q.Stages) > 0 || q.Having != nil || len(q.OrderBy) > 0 || q.Limit != nil:
		return nil, fmt.Errorf("the fake store answers lists and aggregates alone: %s", q)
	}
	var keys []int
	for _, e := range q.GroupBy {
		i, err := field(e)
		if err != nil {
			return nil, err
		}
		keys = append(keys, i)
		c := srTestCols[i]
		c.Key = true
		res.Columns = append(res.Columns, c)
	}
	kinds := map[string]signin.Kind{"count": signin.KindInt, "values(user)": signin.KindList, "min(time)": signin.KindTime, "max(time)": signin.KindTime}
	for _, h := range q.Heads {
		name := h.Expr.String()
		if kinds[name] == 0 {
			return nil, fmt.Errorf("the fake store does not know %s: %s", name, q)
		}
		if h.Alias != nil {
			name = h.Alias.Text
		}
		res.Columns = append(res.Columns, result.Column{Name: name, Kind: kinds[h.Expr.String()]})
	}
	groups := map[string][][]result.Value{}
	for _, row := range sel {
		var k []string
		for _, i := range keys {
			k = append(k, srCell(row, i).String())
		}
		groups[strings.Join(k, "\x00")] = append(groups[strings.Join(k, "\x00")], row)
	}
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		rows := groups[k]
		var out []result.Value
		for _, i := range keys {
			out = append(out, srCell(rows[0], i))
		}
		for _, h := range q.Heads {
			switch h.Expr.String() {
			case "count":
				out = append(out, result.IntValue(int64(len(rows))))
			case "values(user)":
				set := map[string]bool{}
				for _, row := range rows {
					set[srStr(row, 4)] = true
				}
				out = append(out, result.ListValue(srSorted(set)))
			default:
				best, ok := int64(0), false
				for _, row := range rows {
					t, has := srTime(row, 0)
					if has && (!ok || h.Expr.String() == "min(time)" && t < best || h.Expr.String() == "max(time)" && t > best) {
						best, ok = t, true
					}
				}
				if ok {
					out = append(out, srTimeValue(best))
				} else {
					out = append(out, result.Null(signin.KindTime))
				}
			}
		}
		res.Rows = append(res.Rows, out)
	}
	return res, ctx.Err()
}

// srFakeHolds evaluates a condition of srFakeStore's on a row.
func srFakeHolds(e ast.Expr, row []result.Value) (bool, error) {
	switch e := e.(type) {
	case nil:
		return true, nil
	case *ast.Binary:
		if e.Op != "and" && e.Op != "or" {
			return srFakeCompare(e.L, e.Op, e.R, row)
		}
		l, err := srFakeHolds(e.L, row)
		if err != nil {
			return false, err
		}
		r, err := srFakeHolds(e.R, row)
		if e.Op == "and" {
			return l && r, err
		}
		return l || r, err
	case *ast.Not:
		x, err := srFakeHolds(e.X, row)
		return !x, err
	case *ast.In:
		for _, v := range e.Values {
			ok, err := srFakeCompare(e.X, "=", v, row)
			if err != nil || ok {
				return ok != e.Not, err
			}
		}
		return e.Not, nil
	}
	return false, fmt.Errorf("the fake store knows no condition %s", e)
}

// srFakeCompare evaluates field op value on a row: = on text, numbers
// and times, and < <= >= on times.
func srFakeCompare(x ast.Expr, op string, v ast.Expr, row []result.Value) (bool, error) {
	n, ok1 := x.(*ast.Name)
	lit, ok2 := v.(*ast.Literal)
	i := -1
	if ok1 {
		i = detColumn(srTestCols, n.Name)
	}
	if !ok2 || i < 0 {
		return false, fmt.Errorf("the fake store compares fields with values, not %s with %s", x, v)
	}
	switch srTestCols[i].Kind {
	case signin.KindTime:
		want, err := time.Parse(time.RFC3339Nano, lit.Text)
		t, ok := srTime(row, i)
		if err != nil || !ok {
			return false, err
		}
		switch w := want.UnixNano(); op {
		case "=":
			return t == w, nil
		case "<":
			return t < w, nil
		case "<=":
			return t <= w, nil
		case ">=":
			return t >= w, nil
		}
	case signin.KindInt:
		want, err := strconv.ParseInt(lit.Text, 10, 64)
		got, ok := srInt(row, i)
		if op == "=" {
			return ok && got == want, err
		}
	default:
		if op == "=" {
			got := srStr(row, i)
			a, errA := netip.ParseAddr(got)
			b, errB := netip.ParseAddr(lit.Text)
			if errA == nil && errB == nil {
				return a.Unmap() == b.Unmap(), nil
			}
			return strings.EqualFold(got, lit.Text), nil
		}
	}
	return false, fmt.Errorf("the fake store does not compare %s with %s", x, op)
}

// env returns an Env whose Query is the fake store's, open at both ends
// or from..to.
func (f *srFakeStore) env(from, to int64) *Env {
	return &Env{From: from, To: to, Now: srDay, Query: f.query}
}

// srSplit splits rows into those a list before a detection stage reads
// (all but the successes; also those with an error, which may be one of
// its codes: the store leaves those out) and those the store answers its
// query from (all).
func srSplit(rows [][]result.Value) (in, store [][]result.Value) {
	for _, row := range rows {
		code, _ := srInt(row, 9)
		if !strings.EqualFold(srStr(row, 8), "success") || code != 0 {
			in = append(in, row)
		}
	}
	return in, rows
}

// srFormat prints rows a line each, values joined by " | ", times as
// 15:04:05 when they fall on srDay.
func srFormat(rows [][]result.Value) []string {
	var out []string
	for _, row := range rows {
		var s []string
		for _, v := range row {
			if v.Kind() == signin.KindTime && !v.IsNull() {
				t := v.Time()
				if d := t.Sub(srDay); d >= 0 && d < 24*time.Hour {
					s = append(s, t.Format("15:04:05"))
					continue
				}
			}
			s = append(s, v.String())
		}
		out = append(out, strings.Join(s, " | "))
	}
	return out
}

// whereText is a condition's text, "" for none.
func whereText(e ast.Expr) string {
	if e == nil {
		return ""
	}
	return e.String()
}

// TestStageCodesWhere checks the condition the detection stages give
// the list before them for their error codes (TestArgTypes checks how
// the codes are read).
func TestStageCodesWhere(t *testing.T) {
	args := mustBindMap(t, spray{}, map[string]string{"codes": "50126, 50053 50055,50126"})
	if got := whereText(srCodesWhere(args.Codes("codes"))); got != "error in (50053, 50055, 50126)" {
		t.Errorf("srCodesWhere = %q", got)
	}
}

func TestStageColumns(t *testing.T) {
	in := []result.Column{
		{Name: "TIME", Kind: signin.KindTime, Field: "time"},
		{Name: "who", Kind: signin.KindString, Field: "user"},
		{Name: "error", Kind: signin.KindString},
	}
	idx, err := srColumns(in, []srCol{{"time", signin.KindTime}, {"user", signin.KindString}, {"count", signin.KindInt}}, "count")
	if err != nil || !slices.Equal(idx, []int{0, 1, -1}) {
		t.Errorf("srColumns = %v, %v; want [0 1 -1]", idx, err)
	}
	_, err = srColumns(in, []srCol{{"time", signin.KindTime}, {"ip", signin.KindString}, {"app", signin.KindString}})
	if err == nil || !strings.Contains(err.Error(), "needs the column(s) ip, app") {
		t.Errorf("missing columns: %v", err)
	}
	_, err = srColumns(in, []srCol{{"error", signin.KindInt}})
	if err == nil || !strings.Contains(err.Error(), "column error holds strings, not ints") {
		t.Errorf("wrong kind: %v", err)
	}
}

func TestStageCells(t *testing.T) {
	row := []result.Value{result.TimeValue(srDay), result.StringValue("x"), result.IntValue(3), result.Null(signin.KindTime)}
	if ns, ok := srTime(row, 0); !ok || ns != srDay.UnixNano() {
		t.Errorf("srTime = %d, %v", ns, ok)
	}
	for _, i := range []int{-1, 1, 3, 4} {
		if _, ok := srTime(row, i); ok {
			t.Errorf("srTime(row, %d) is a time", i)
		}
	}
	if srStr(row, 1) != "x" || srStr(row, 0) != "" || srStr(row, 9) != "" {
		t.Errorf("srStr reads %q %q %q", srStr(row, 1), srStr(row, 0), srStr(row, 9))
	}
	if n, ok := srInt(row, 2); n != 3 || !ok {
		t.Errorf("srInt = %d, %v", n, ok)
	}
	if _, ok := srInt(row, 1); ok {
		t.Errorf("srInt reads a string")
	}
}

func TestWindowStart(t *testing.T) {
	f := func(t0 int64, w time.Duration, want int64) {
		t.Helper()
		if got := srWindowStart(t0, w); got != want {
			t.Errorf("srWindowStart(%d, %v) = %d, want %d", t0, w, got, want)
		}
	}
	h := int64(time.Hour)
	f(0, time.Hour, 0)
	f(h-1, time.Hour, 0)
	f(h, time.Hour, h)
	f(-1, time.Hour, -h)
	f(-h, time.Hour, -h)
	f(at("23:59:59").UnixNano(), 24*time.Hour, srDay.UnixNano())
	f(at("05:59:59").UnixNano(), 6*time.Hour, srDay.UnixNano())
	f(at("06:00").UnixNano(), 6*time.Hour, at("06:00").UnixNano())
	// The first window of int64 starts at its earliest time.
	f(math.MinInt64+5, time.Hour, math.MinInt64)
}

func TestBursts(t *testing.T) {
	// f runs srBursts over times in minutes with a window of w minutes,
	// a window being enough when it holds n events.
	f := func(mins []int64, w, n int, want [][2]int) {
		t.Helper()
		in := 0
		got := srBursts(len(mins), func(i int) int64 { return mins[i] * int64(time.Minute) }, time.Duration(w)*time.Minute,
			func(int) { in++ }, func(int) { in-- }, func() bool { return in >= n })
		if !slices.Equal(got, want) {
			t.Errorf("srBursts(%v, %dm, %d) = %v, want %v", mins, w, n, got, want)
		}
	}
	f(nil, 60, 1, nil)
	f([]int64{0, 10, 20}, 60, 3, [][2]int{{0, 2}})
	f([]int64{0, 10, 20}, 60, 4, nil)
	// A window holds what is less than w after its first event.
	f([]int64{0, 60}, 60, 2, nil)
	f([]int64{0, 59}, 60, 2, [][2]int{{0, 1}})
	// Windows sharing an event merge; others do not.
	f([]int64{0, 30, 70, 100}, 60, 2, [][2]int{{0, 3}})
	f([]int64{0, 30, 100, 130}, 60, 2, [][2]int{{0, 1}, {2, 3}})
	// Equal times.
	f([]int64{5, 5, 5}, 1, 3, [][2]int{{0, 2}})
	// Times at the ends of int64 do not wrap around.
	ends := []int64{math.MinInt64, math.MaxInt64}
	in := 0
	got := srBursts(2, func(i int) int64 { return ends[i] }, time.Hour, func(int) { in++ }, func(int) { in-- }, func() bool { return in >= 2 })
	if got != nil {
		t.Errorf("srBursts over the ends of int64 = %v", got)
	}
}

// FuzzStages feeds each detection stage rows made from random bytes:
// values of the right kinds or null, times unsorted and at the ends of
// what a time holds, arguments at random. A stage must return rows or an
// error, never panic, and give the same rows whatever the order of its
// input.
func FuzzStages(f *testing.F) {
	f.Add(uint64(1), []byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"))
	f.Add(uint64(2), []byte("spray spray spray spray spray spray"))
	f.Add(uint64(3), []byte{0xff, 0xfe, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	stages := []struct {
		st   Stage
		args [][]string
	}{
		{grouped{}, [][]string{nil, {"6h"}, {"d1"}, {"1s"}}},
		{spray{}, [][]string{nil, {"1", "1m"}, {"accounts=2", "codes=1,2,3"}}},
		{bruteforce{}, [][]string{nil, {"1", "1h", "1 2 3"}, {"failures=2", "window=5m"}}},
		{mfafatigue{}, [][]string{nil, {"1"}, {"prompts=2", "codes=1 2 500121"}}},
	}
	f.Fuzz(func(t *testing.T, seed uint64, data []byte) {
		r := rand.New(rand.NewPCG(seed, uint64(len(data))))
		next := func() byte {
			if len(data) == 0 {
				return byte(r.IntN(256))
			}
			b := data[0]
			data = data[1:]
			return b
		}
		strs := []string{"", "a", "b", "interactive", "nonInteractive", "servicePrincipal", "managedIdentity", "success", "failure", "interrupted", "SUCCESS"}
		times := []int64{math.MinInt64, math.MaxInt64, 0, -1, srDay.UnixNano(), srDay.UnixNano() + int64(time.Hour)}
		var rows [][]result.Value
		for n := int(next()) % 64; len(rows) < n; {
			row := make([]result.Value, len(srTestCols))
			for i, c := range srTestCols {
				b := next()
				if b%7 == 0 {
					row[i] = result.Null(c.Kind)
					continue
				}
				switch c.Kind {
				case signin.KindTime:
					if b%5 == 0 {
						row[i] = result.TimeValue(time.Unix(0, times[int(b)%len(times)]))
					} else {
						row[i] = result.TimeValue(srDay.Add(time.Duration(b) * 97 * time.Second))
					}
				case signin.KindInt:
					row[i] = result.IntValue([]int64{0, 1, 2, 3, 50126, 500121, -5, math.MaxInt64, math.MinInt64}[int(b)%9])
				default:
					row[i] = result.StringValue(strs[int(b)%len(strs)])
				}
			}
			if next()%11 == 0 {
				row = row[:int(next())%len(row)] // a short row
			}
			rows = append(rows, row)
		}
		for _, s := range stages {
			for _, args := range s.args {
				out, err := runTestStage(t, s.st, srTestCols, rows, args...)
				if err != nil {
					continue
				}
				shuffled := slices.Clone(rows)
				r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				again, err := runTestStage(t, s.st, srTestCols, shuffled, args...)
				if err != nil {
					t.Fatalf("%s %v: an error on shuffled rows only: %v", s.st.Describe().Name, args, err)
				}
				if a, b := srFormat(out), srFormat(again); !slices.Equal(a, b) {
					t.Fatalf("%s %v: the order of the rows changes the result:\n%s\nvs\n%s", s.st.Describe().Name, args,
						strings.Join(a, "\n"), strings.Join(b, "\n"))
				}
				if s.st == (grouped{}) {
					continue
				}
				// The successes asked of the store give the same.
				in, store := srSplit(shuffled)
				fake := &srFakeStore{rows: store}
				asked, err := runTestStageEnv(t, s.st, fake.env(math.MinInt64, math.MaxInt64), srTestCols, in, args...)
				if err != nil {
					t.Fatalf("%s %v: an error with the store's successes only: %v", s.st.Describe().Name, args, err)
				}
				if a, b := srFormat(out), srFormat(asked); !slices.Equal(a, b) {
					t.Fatalf("%s %v: the successes asked of the store change the result:\n%s\nvs\n%s\n(queries %q)", s.st.Describe().Name, args,
						strings.Join(a, "\n"), strings.Join(b, "\n"), fake.queries)
				}
			}
		}
	})
}

// TestSuccesses checks how the detection stages ask the store for
// successes: the query's text (one query however many spans), the spans
// kept within the query's range, and the rows kept of those the store
// answers with (which matches text without regard to case, and
// addresses however written: the stage keeps its keys' own, in their
// own spans).
func TestSuccesses(t *testing.T) {
	ns := func(s string) int64 { return at(s).UnixNano() }
	s := srSignIn
	store := [][]result.Value{
		s("10:00", "1.1.1.1", "ann", "", 0),                                                    // at the span's start
		s("10:30", "1.1.1.1", "ANN", "", 0),                                                    // another spelling of the user
		s("11:00", "1.1.1.1", "ann", "", 0),                                                    // at the span's end
		s("11:00:01", "1.1.1.1", "ann", "", 0),                                                 // after it
		s("12:30", "::ffff:1.1.1.1", "bob", "", 0),                                             // another spelling of the address
		s("12:30", "1.1.1.1", "bob", "", 0),                                                    // in the second span of 1.1.1.1
		s("10:10", "2.2.2.2", `q"u\ote\`, "", 0),                                               // a key that needs quoting
		s("10:10", "2.2.2.2", "cid", "", 50126),                                                // a failure
		srRow(srTestCols, map[string]any{"ip": "1.1.1.1", "user": "dan", "status": "success"}), // no time
	}
	spans := []srSpan{
		{"1.1.1.1", ns("10:00"), ns("10:40")}, {"1.1.1.1", ns("10:30"), ns("11:00")}, // overlapping: merged
		{"1.1.1.1", ns("12:00"), ns("13:00")}, {"2.2.2.2", ns("10:00"), ns("10:20")},
		{"", ns("10:00"), ns("13:00")}, // no key: not asked
	}
	run := func(env *Env, fake *srFakeStore, field string, spans []srSpan) []string {
		t.Helper()
		var got []string
		err := srSuccesses(t.Context(), env, field, spans, []int64{50126}, func(ev srEvent) {
			got = append(got, fmt.Sprintf("%s %s %s", at("00:00").Add(time.Duration(ev.t-ns("00:00"))).Format("15:04:05"), ev.ip, ev.user))
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		return got
	}
	fake := &srFakeStore{rows: store}
	got := run(fake.env(math.MinInt64, math.MaxInt64), fake, "ip", spans)
	want := []string{"10:00:00 1.1.1.1 ann", "10:10:00 2.2.2.2 q\"u\\ote\\", "10:30:00 1.1.1.1 ANN", "11:00:00 1.1.1.1 ann", "12:30:00 1.1.1.1 bob"}
	if !slices.Equal(got, want) {
		t.Errorf("by ip: got %q, want %q", got, want)
	}
	wantQuery := `list time, user, ip where status = success and not error in (50126) and ip in ("1.1.1.1", "2.2.2.2") and ` +
		`(ip in ("1.1.1.1") and time >= 2026-11-02T10:00:00Z and time <= 2026-11-02T11:00:00Z or ` +
		`ip in ("1.1.1.1") and time >= 2026-11-02T12:00:00Z and time <= 2026-11-02T13:00:00Z or ` +
		`ip in ("2.2.2.2") and time >= 2026-11-02T10:00:00Z and time <= 2026-11-02T10:20:00Z) ` +
		`between 2026-11-02T10:00:00Z and 2026-11-02T13:00:00.000000001Z`
	if !slices.Equal(fake.queries, []string{wantQuery}) {
		t.Errorf("queries:\n%q\nwant\n%q", fake.queries, wantQuery)
	}

	// By user, a key that would need quoting; within the query's
	// range; ANN's sign-in at 10:30, which the store gives for ann's
	// span, is not in ANN's own.
	fake = &srFakeStore{rows: store}
	got = run(fake.env(ns("10:05"), ns("12:30")), fake, "user", []srSpan{
		{`q"u\ote\`, ns("10:00"), ns("11:00")}, {"ann", ns("09:00"), ns("11:00")}, {"bob", ns("12:00"), ns("13:00")},
		{"ann", ns("12:30"), ns("13:00")}, // wholly out of range
		{"ANN", ns("12:00"), ns("13:00")},
	})
	want = []string{"10:10:00 2.2.2.2 q\"u\\ote\\", "11:00:00 1.1.1.1 ann"}
	if !slices.Equal(got, want) {
		t.Errorf("by user: got %q, want %q", got, want)
	}
	if len(fake.queries) != 1 || !strings.Contains(fake.queries[0], `user in ("ANN", "ann", "bob", "q\"u\ote\\")`) ||
		!strings.Contains(fake.queries[0], `user in ("bob") and time >= 2026-11-02T12:00:00Z and time <= 2026-11-02T12:29:59.999999999Z`) ||
		!strings.Contains(fake.queries[0], `user in ("ann") and time >= 2026-11-02T10:05:00Z`) {
		t.Errorf("by user: queries %q", fake.queries)
	}
	// One query, whatever srTimeBatches's size.
	defer func(n int) { srQueryBatch = n }(srQueryBatch)
	srQueryBatch = 2
	fake = &srFakeStore{rows: store}
	run(fake.env(math.MinInt64, math.MaxInt64), fake, "ip", spans)
	if !slices.Equal(fake.queries, []string{wantQuery}) {
		t.Errorf("with batches of 2: queries %q", fake.queries)
	}
	// Spans that reach the end of time, in a query open at its end.
	fake = &srFakeStore{rows: store}
	run(fake.env(math.MinInt64, math.MaxInt64), fake, "ip", []srSpan{{"1.1.1.1", ns("10:00"), math.MaxInt64}})
	if len(fake.queries) != 1 || !strings.HasSuffix(fake.queries[0], `ip in ("1.1.1.1") and ip in ("1.1.1.1") and time >= 2026-11-02T10:00:00Z and time <= 2262-04-11T23:47:16.854775807Z since 2026-11-02T10:00:00Z`) {
		t.Errorf("to the end of time: queries %q", fake.queries)
	}

	// Nothing to ask, or no store to ask: no query.
	fake = &srFakeStore{rows: store}
	if got := run(fake.env(math.MinInt64, math.MaxInt64), fake, "ip", nil); len(got) != 0 || len(fake.queries) != 0 {
		t.Errorf("no spans: %q, queries %q", got, fake.queries)
	}
	if got := run(&Env{From: math.MinInt64, To: math.MaxInt64}, nil, "ip", spans); len(got) != 0 {
		t.Errorf("no Query: %q", got)
	}

	// The store's errors, and answers without the columns asked for, are
	// the stages' errors.
	for _, st := range []Stage{spray{}, bruteforce{}, mfafatigue{}} {
		rows := slices.Concat(mfaPrompts("ann", "10:00", time.Minute, slices.Repeat([]int{500121}, 30)...),
			mfaPrompts("ann", "10:00", time.Minute, slices.Repeat([]int{50126}, 30)...))
		for i := range rows {
			rows[i][7] = result.StringValue(fmt.Sprintf("9.9.9.%d", i%20)) // 20 addresses failing for ...
			rows[i][4] = result.StringValue(fmt.Sprintf("u%d", i%40))      // ... 40 accounts; one takes them all
			if i < 30 {
				rows[i][4] = result.StringValue("ann")
				rows[i][7] = result.StringValue("9.9.9.9")
			}
		}
		fake := &srFakeStore{err: errors.New("the store is gone")}
		if _, err := runTestStageEnv(t, st, fake.env(math.MinInt64, math.MaxInt64), srTestCols, rows, "1"); err == nil ||
			!strings.Contains(err.Error(), "asking for the successes: the store is gone") {
			t.Errorf("%s: %v, want the store's error", st.Describe().Name, err)
		}
		bad := &Env{From: math.MinInt64, To: math.MaxInt64, Query: func(context.Context, *ast.Query) (*result.Result, error) {
			return &result.Result{Columns: []result.Column{{Name: "time", Kind: signin.KindTime}}}, nil
		}}
		if _, err := runTestStageEnv(t, st, bad, srTestCols, rows, "1"); err == nil || !strings.Contains(err.Error(), "asking for the successes: needs the column(s)") {
			t.Errorf("%s: %v, want an error about the columns", st.Describe().Name, err)
		}
	}
}

// TestSpanAggregates checks how the detection stages ask the store for
// aggregates of the successes of spans: a key once a query (each group
// one span's), in order of time, within the query's range, and the
// groups of the keys exactly.
func TestSpanAggregates(t *testing.T) {
	ns := func(s string) int64 { return at(s).UnixNano() }
	s := srSignIn
	store := [][]result.Value{
		s("10:00", "1.1.1.1", "ann", "", 0),
		s("10:30", "1.1.1.1", "ANN", "", 0),
		s("10:40", "1.1.1.1", "bob", "", 50126), // a failure
		s("11:00", "1.1.1.1", "cid", "", 0),
		s("10:10", "1.1.1.2", "dan", "", 0),
		s("10:20", "1.1.1.2", "", "", 0), // no user
	}
	spans := []srSpan{
		{"1.1.1.1", ns("10:00"), ns("10:40")}, {"1.1.1.1", ns("10:30"), ns("11:00")}, // overlapping: asked apart
		{"1.1.1.2", ns("10:00"), ns("10:20")}, {"1.1.1.3", ns("10:00"), ns("10:20")}, // no successes
		{"", ns("10:00"), ns("13:00")},        // no key: not asked
		{"1.1.1.2", ns("13:00"), ns("14:00")}, // out of range
	}
	fake := &srFakeStore{rows: store}
	got := map[int]string{}
	err := srSpanAggregates(t.Context(), fake.env(math.MinInt64, ns("12:00")), "ip", spans, []int64{50126},
		[]*ast.Head{ast.NewHead(ast.Fn("count"), "n"), ast.NewHead(ast.Fn("values", ast.Field("user")), "users")},
		[]srCol{{"n", signin.KindInt}, {"users", signin.KindList}},
		func(i int, row []result.Value, idx []int) {
			got[i] += fmt.Sprintf("%v %v;", row[idx[0]], row[idx[1]])
		})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{0: "2 ANN, ann;", 1: "2 ANN, cid;", 2: "2 dan;"}
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	wantQueries := []string{
		`count as n, values(user) as users where status = success and not error in (50126) and ip in ("1.1.1.1", "1.1.1.2", "1.1.1.3") and ` +
			`(ip in ("1.1.1.1") and time >= 2026-11-02T10:00:00Z and time <= 2026-11-02T10:40:00Z or ` +
			`ip in ("1.1.1.2") and time >= 2026-11-02T10:00:00Z and time <= 2026-11-02T10:20:00Z or ` +
			`ip in ("1.1.1.3") and time >= 2026-11-02T10:00:00Z and time <= 2026-11-02T10:20:00Z) ` +
			`between 2026-11-02T10:00:00Z and 2026-11-02T10:40:00.000000001Z group by ip`,
		`count as n, values(user) as users where status = success and not error in (50126) and ip in ("1.1.1.1") and ` +
			`ip in ("1.1.1.1") and time >= 2026-11-02T10:30:00Z and time <= 2026-11-02T11:00:00Z ` +
			`between 2026-11-02T10:30:00Z and 2026-11-02T11:00:00.000000001Z group by ip`,
	}
	if !slices.Equal(fake.queries, wantQueries) {
		t.Errorf("queries:\n%q\nwant\n%q", fake.queries, wantQueries)
	}
	// In batches of srQueryBatch; without a store, nothing is asked.
	defer func(n int) { srQueryBatch = n }(srQueryBatch)
	srQueryBatch = 2
	fake = &srFakeStore{rows: store}
	err = srSpanAggregates(t.Context(), fake.env(math.MinInt64, math.MaxInt64), "ip", spans[2:4], []int64{1}, []*ast.Head{ast.NewHead(ast.Fn("count"), "")}, []srCol{{"count", signin.KindInt}},
		func(int, []result.Value, []int) {})
	if err != nil || len(fake.queries) != 1 {
		t.Errorf("%v, queries %q", err, fake.queries)
	}
	if err := srSpanAggregates(t.Context(), &Env{From: math.MinInt64, To: math.MaxInt64}, "ip", spans, nil, []*ast.Head{ast.NewHead(ast.Fn("count"), "")}, nil,
		func(int, []result.Value, []int) { t.Error("an answer without a store") }); err != nil {
		t.Error(err)
	}
}

// TestTimeBatches checks that a batch names no two keys the store
// matches alike, and holds spans in order of time.
func TestTimeBatches(t *testing.T) {
	spans := []srSpan{{"b", 3, 4}, {"SUCCESS", 1, 2}, {"success", 2, 3}, {"1.1.1.1", 0, 1}, {"::ffff:1.1.1.1", 5, 6}, {"::FFFF:1.1.1.2", 7, 8}, {"::ffff:1.1.1.2", 9, 9}}
	got := srTimeBatches(len(spans), func(j int) srSpan { return spans[j] })
	want := [][]int{{3, 1}, {2, 0, 4, 5}, {6}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
