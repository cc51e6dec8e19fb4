package stagetest

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/baseline"
	"github.com/signinq/signinq/plugins/stage/internal/events"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// Cols are the input columns of the detection stages' tests: every
// field grouped, spray, bruteforce and mfafatigue read.
var Cols = []result.Column{
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

// Day is the day the tests' times fall on.
var Day = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// at returns a time of Day written "15:04" or "15:04:05.000" (a
// leading "+1d " moves it a day on).
func At(s string) time.Time {
	day := Day
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

// Row makes a row of cols from field values: strings, time.Time, ints,
// or a time written for at in "time"; fields left out are null.
func Row(cols []result.Column, kv map[string]any) []result.Value {
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
				row[i] = result.TimeValue(At(x))
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

// Run binds a stage with args (written as a query writes them,
// "window=6h" or "6h") to cols and runs it over rows.
func Run(t testing.TB, st plugins.Stage, cols []result.Column, rows [][]result.Value, args ...string) ([][]result.Value, error) {
	t.Helper()
	return RunEnv(t, st, &plugins.Env{From: math.MinInt64, To: math.MaxInt64, Now: Day}, cols, rows, args...)
}

// RunEnv is Run with an Env.
func RunEnv(t testing.TB, st plugins.Stage, env *plugins.Env, cols []result.Column, rows [][]result.Value, args ...string) ([][]result.Value, error) {
	t.Helper()
	var sa []plugins.StageArg
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok {
			name, value = "", a
		}
		sa = append(sa, plugins.StageArg{Name: name, Value: value})
	}
	bound, err := plugins.BindArgs(st.Describe(), sa)
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

// FakeStore stands for the store a detection stage asks for successes
// (Env.Query): it evaluates the built query over hand-built rows of
// Cols, as the store would. It reads the trees the stages build,
// and refuses others: a condition of and, or, not, field in (values)
// and field op value; the range of between or since; a list of fields,
// or the heads count, values(user), min(time) and max(time) grouped by
// fields. Text matches without regard to case, addresses however
// written (::ffff:1.1.1.1 is 1.1.1.1); a missing value is "" to text and
// satisfies no comparison of numbers or times. It records the text of
// each query.
type FakeStore struct {
	Rows    [][]result.Value
	Queries []string
	Err     error // what Query returns, when not nil
}

func (f *FakeStore) Query(ctx context.Context, q *ast.Query) (*result.Result, error) {
	f.Queries = append(f.Queries, q.String())
	if f.Err != nil {
		return nil, f.Err
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
	for _, row := range f.Rows {
		if t, ok := events.Time(row, 0); from != math.MinInt64 && (!ok || t < from || !open && t >= to) {
			continue
		}
		ok, err := fakeHolds(q.Where, row)
		if err != nil {
			return nil, fmt.Errorf("%v: %s", err, q)
		}
		if ok {
			sel = append(sel, row)
		}
	}
	field := func(e ast.Expr) (int, error) {
		if n, ok := e.(*ast.Name); ok {
			if i := baseline.Column(Cols, n.Name); i >= 0 {
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
			res.Columns = append(res.Columns, Cols[i])
		}
		for _, row := range sel {
			out := make([]result.Value, len(idx))
			for k, i := range idx {
				out[k] = events.Cell(row, i)
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
		c := Cols[i]
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
			k = append(k, events.Cell(row, i).String())
		}
		groups[strings.Join(k, "\x00")] = append(groups[strings.Join(k, "\x00")], row)
	}
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		rows := groups[k]
		var out []result.Value
		for _, i := range keys {
			out = append(out, events.Cell(rows[0], i))
		}
		for _, h := range q.Heads {
			switch h.Expr.String() {
			case "count":
				out = append(out, result.IntValue(int64(len(rows))))
			case "values(user)":
				set := map[string]bool{}
				for _, row := range rows {
					set[events.Str(row, 4)] = true
				}
				out = append(out, result.ListValue(events.Sorted(set)))
			default:
				best, ok := int64(0), false
				for _, row := range rows {
					t, has := events.Time(row, 0)
					if has && (!ok || h.Expr.String() == "min(time)" && t < best || h.Expr.String() == "max(time)" && t > best) {
						best, ok = t, true
					}
				}
				if ok {
					out = append(out, events.TimeValue(best))
				} else {
					out = append(out, result.Null(signin.KindTime))
				}
			}
		}
		res.Rows = append(res.Rows, out)
	}
	return res, ctx.Err()
}

// fakeHolds evaluates a condition of FakeStore's on a row.
func fakeHolds(e ast.Expr, row []result.Value) (bool, error) {
	switch e := e.(type) {
	case nil:
		return true, nil
	case *ast.Binary:
		if e.Op != "and" && e.Op != "or" {
			return fakeCompare(e.L, e.Op, e.R, row)
		}
		l, err := fakeHolds(e.L, row)
		if err != nil {
			return false, err
		}
		r, err := fakeHolds(e.R, row)
		if e.Op == "and" {
			return l && r, err
		}
		return l || r, err
	case *ast.Not:
		x, err := fakeHolds(e.X, row)
		return !x, err
	case *ast.In:
		if e.Query != nil {
			return false, fmt.Errorf("the fake store knows no subquery (%s)", e)
		}
		for _, v := range e.Values {
			ok, err := fakeCompare(e.X, "=", v, row)
			if err != nil || ok {
				return ok != e.Not, err
			}
		}
		return e.Not, nil
	}
	return false, fmt.Errorf("the fake store knows no condition %s", e)
}

// fakeCompare evaluates field op value on a row: = on text, numbers
// and times, and < <= >= on times.
func fakeCompare(x ast.Expr, op string, v ast.Expr, row []result.Value) (bool, error) {
	n, ok1 := x.(*ast.Name)
	lit, ok2 := v.(*ast.Literal)
	i := -1
	if ok1 {
		i = baseline.Column(Cols, n.Name)
	}
	if !ok2 || i < 0 {
		return false, fmt.Errorf("the fake store compares fields with values, not %s with %s", x, v)
	}
	switch Cols[i].Kind {
	case signin.KindTime:
		want, err := time.Parse(time.RFC3339Nano, lit.Text)
		t, ok := events.Time(row, i)
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
		got, ok := events.Int(row, i)
		if op == "=" {
			return ok && got == want, err
		}
	default:
		if op == "=" {
			got := events.Str(row, i)
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
func (f *FakeStore) Env(from, to int64) *plugins.Env {
	return &plugins.Env{From: from, To: to, Now: Day, Query: f.Query}
}

// Split splits rows into those a list before a detection stage reads
// (all but the successes; also those with an error, which may be one of
// its codes: the store leaves those out) and those the store answers its
// query from (all).
func Split(rows [][]result.Value) (in, store [][]result.Value) {
	for _, row := range rows {
		code, _ := events.Int(row, 9)
		if !strings.EqualFold(events.Str(row, 8), "success") || code != 0 {
			in = append(in, row)
		}
	}
	return in, rows
}

// Format prints rows a line each, values joined by " | ", times as
// 15:04:05 when they fall on Day.
func Format(rows [][]result.Value) []string {
	var out []string
	for _, row := range rows {
		var s []string
		for _, v := range row {
			if v.Kind() == signin.KindTime && !v.IsNull() {
				t := v.Time()
				if d := t.Sub(Day); d >= 0 && d < 24*time.Hour {
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

// WhereText is a condition's text, "" for none.
func WhereText(e ast.Expr) string {
	if e == nil {
		return ""
	}
	return e.String()
}

// SignIn makes a sign-in row of Cols for the detection stages:
// its status follows from the error as Entra ID's does (0 success, the
// MFA interrupts interrupted, the rest failure).
func SignIn(tm, ip, user, app string, code int) []result.Value {
	status := "failure"
	switch code {
	case 0:
		status = "success"
	case 50074, 50055:
		status = "interrupted"
	}
	kv := map[string]any{"time": tm, "type": "interactive", "error": code, "status": status}
	for k, v := range map[string]string{"ip": ip, "user": user, "app": app} {
		if v != "" {
			kv[k] = v
		}
	}
	return Row(Cols, kv)
}

// Check runs a stage over rows in their order and reversed, and
// compares what it gives with want (rows printed by Format): with
// every row in its input, and as after a list, with only the rows that
// are not successes in its input and the successes asked of the store
// (a FakeStore), which must give the same.
func Check(t *testing.T, st plugins.Stage, rows [][]result.Value, args []string, want []string) {
	t.Helper()
	for _, order := range []string{"as given", "reversed"} {
		out, err := Run(t, st, Cols, rows, args...)
		if err != nil {
			t.Fatal(err)
		}
		if got := Format(out); !slices.Equal(got, want) {
			t.Errorf("%s %v, rows %s: got\n%s\nwant\n%s", st.Describe().Name, args, order, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		in, store := Split(rows)
		fake := &FakeStore{Rows: store}
		out, err = RunEnv(t, st, fake.Env(math.MinInt64, math.MaxInt64), Cols, in, args...)
		if err != nil {
			t.Fatal(err)
		}
		if got := Format(out); !slices.Equal(got, want) {
			t.Errorf("%s %v, rows %s, successes from the store: got\n%s\nwant\n%s\n(queries: %q)", st.Describe().Name, args, order,
				strings.Join(got, "\n"), strings.Join(want, "\n"), fake.Queries)
		}
		rows = slices.Clone(rows)
		slices.Reverse(rows)
	}
}

// RunArgs binds a stage by name with args (as a query writes them) to the
// columns in and runs it over rows.
func RunArgs(t testing.TB, st plugins.Stage, args []plugins.StageArg, in []result.Column, rows [][]result.Value, env *plugins.Env) ([]result.Column, [][]result.Value, error) {
	t.Helper()
	name := st.Describe().Name
	bound, err := plugins.BindArgs(st.Describe(), args)
	if err != nil {
		return nil, nil, err
	}
	if n, ok := st.(plugins.Needer); ok {
		if _, err := n.Needs(bound); err != nil {
			return nil, nil, err
		}
	}
	r, err := st.Bind(bound, in)
	if err != nil {
		return nil, nil, err
	}
	var out [][]result.Value
	err = r.Run(context.Background(), env, slices.Values(rows), func(row []result.Value) error {
		if len(row) != len(r.Columns()) {
			t.Fatalf("%s emits %d values for %d columns", name, len(row), len(r.Columns()))
		}
		out = append(out, row)
		return nil
	})
	return r.Columns(), out, err
}

var Start = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)

// Args splits "country status=all" into stage arguments.
func Args(s string) []plugins.StageArg {
	var out []plugins.StageArg
	for _, w := range strings.Fields(s) {
		if name, value, ok := strings.Cut(w, "="); ok {
			out = append(out, plugins.StageArg{Name: name, Value: value})
		} else {
			out = append(out, plugins.StageArg{Value: w})
		}
	}
	return out
}

// FuzzRows makes rows from fuzz data: values of random kinds, nulls,
// times out of order, under the columns cols (their kinds not always
// respected, as a stage after another may see).
func FuzzRows(data []byte, cols []result.Column) ([]result.Column, [][]result.Value) {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	words := []string{"", "a", "A", "US", "us", "FR", "success", "failure", "10.0.0.1", "x@y"}
	var rows [][]result.Value
	for len(data) > 0 && len(rows) < 200 {
		row := make([]result.Value, len(cols))
		for i := range row {
			b := next()
			switch b % 8 {
			case 0:
				row[i] = result.Null(signin.Kind(b / 8 % 6))
			case 1:
				row[i] = result.StringValue(words[int(next())%len(words)])
			case 2:
				row[i] = result.IntValue(int64(int8(next())))
			case 3:
				row[i] = result.FloatValue([]float64{0, -91, 45.5, 181, math.NaN(), math.Inf(1), -179.9, 89.9}[next()%8])
			case 4, 5:
				row[i] = result.TimeValue(Start.Add(time.Duration(int8(next())) * time.Hour))
			case 6:
				row[i] = result.ListValue([]string{words[int(next())%len(words)], words[int(next())%len(words)]})
			default:
				row[i] = result.BoolValue(b&16 != 0)
			}
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// BindMap binds named arguments to a stage's descriptor.
func BindMap(st plugins.Stage, named map[string]string) (*plugins.Args, error) {
	var args []plugins.StageArg
	for k, v := range named {
		args = append(args, plugins.StageArg{Name: k, Value: v})
	}
	return plugins.BindArgs(st.Describe(), args)
}

// MustBindMap is BindMap for arguments that bind.
func MustBindMap(t testing.TB, st plugins.Stage, named map[string]string) *plugins.Args {
	t.Helper()
	args, err := BindMap(st, named)
	if err != nil {
		t.Fatal(err)
	}
	return args
}

// Prompts makes sign-ins of a user from 9.9.9.9 with the codes, every
// step from the time written for at.
func Prompts(user, from string, step time.Duration, codes ...int) [][]result.Value {
	var out [][]result.Value
	for i, c := range codes {
		out = append(out, SignIn(At(from).Add(time.Duration(i)*step).Format("15:04:05"), "9.9.9.9", user, "", c))
	}
	return out
}
