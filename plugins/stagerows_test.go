package plugins

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

// srTestCols are the input columns of the detection stages' tests: every
// field grouped, spray, bruteforce and mfafatigue read.
var srTestCols = []engine.ResultColumn{
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
func srRow(cols []engine.ResultColumn, kv map[string]any) []engine.Value {
	row := make([]engine.Value, len(cols))
	for i, c := range cols {
		v, ok := kv[c.Name]
		if !ok {
			row[i] = engine.Null(c.Kind)
			continue
		}
		switch x := v.(type) {
		case string:
			if c.Kind == signin.KindTime {
				row[i] = engine.TimeValue(at(x))
			} else {
				row[i] = engine.StringValue(x)
			}
		case time.Time:
			row[i] = engine.TimeValue(x)
		case int:
			row[i] = engine.IntValue(int64(x))
		default:
			panic(fmt.Sprintf("bad test value %T", v))
		}
	}
	return row
}

// runTestStage binds a stage with args (written as a query writes them,
// "window=6h" or "6h") to cols and runs it over rows.
func runTestStage(t testing.TB, st Stage, cols []engine.ResultColumn, rows [][]engine.Value, args ...string) ([][]engine.Value, error) {
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
	var out [][]engine.Value
	err = r.Run(context.Background(), &Env{From: math.MinInt64, To: math.MaxInt64, Now: srDay}, slices.Values(rows), func(row []engine.Value) error {
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

// srFormat prints rows a line each, values joined by " | ", times as
// 15:04:05 when they fall on srDay.
func srFormat(rows [][]engine.Value) []string {
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

func TestStageArgs(t *testing.T) {
	dur := func(s string, want time.Duration, wantErr string) {
		t.Helper()
		got, err := srWindow("window", s)
		if wantErr != "" {
			if err == nil || err.Error() != wantErr {
				t.Errorf("srWindow(%q) = %v, %v; want error %q", s, got, err, wantErr)
			}
			return
		}
		if err != nil || got != want {
			t.Errorf("srWindow(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	dur("30m", 30*time.Minute, "")
	dur("1H", time.Hour, "")
	dur("7d", 7*24*time.Hour, "")
	dur("2w", 14*24*time.Hour, "")
	dur("500ms", 500*time.Millisecond, "")
	dur("7x", 0, `window: "7x" is not a duration like 1h`)
	dur("", 0, `window: "" is not a duration like 1h`)
	dur("-1h", 0, `window: "-1h" is not a duration like 1h`)
	dur("0h", 0, `window: "0h" is not a positive duration`)
	dur("99999999999999w", 0, `window: "99999999999999w" is too long a duration`)

	n, err := srAtLeast("accounts", " 12 ")
	if n != 12 || err != nil {
		t.Errorf("srAtLeast(12) = %d, %v", n, err)
	}
	for _, bad := range []string{"0", "-3", "1.5", "ten", ""} {
		if _, err := srAtLeast("accounts", bad); err == nil || !strings.HasPrefix(err.Error(), "accounts: ") {
			t.Errorf("srAtLeast(%q) = %v, want an error about accounts", bad, err)
		}
	}

	codes, err := srCodes("codes", "50126, 50053 50055,50126")
	if want := []int64{50053, 50055, 50126}; !slices.Equal(codes, want) || err != nil {
		t.Errorf("srCodes = %v, %v; want %v", codes, err, want)
	}
	if got := srCodesWhere(codes); got != "error in (50053, 50055, 50126) or status=success" {
		t.Errorf("srCodesWhere = %q", got)
	}
	for _, bad := range []string{"", " , ", "501x26", "-1"} {
		if _, err := srCodes("codes", bad); err == nil || !strings.HasPrefix(err.Error(), "codes: ") {
			t.Errorf("srCodes(%q) = %v, want an error about codes", bad, err)
		}
	}
}

func TestStageColumns(t *testing.T) {
	in := []engine.ResultColumn{
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
	row := []engine.Value{engine.TimeValue(srDay), engine.StringValue("x"), engine.IntValue(3), engine.Null(signin.KindTime)}
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
		var rows [][]engine.Value
		for n := int(next()) % 64; len(rows) < n; {
			row := make([]engine.Value, len(srTestCols))
			for i, c := range srTestCols {
				b := next()
				if b%7 == 0 {
					row[i] = engine.Null(c.Kind)
					continue
				}
				switch c.Kind {
				case signin.KindTime:
					if b%5 == 0 {
						row[i] = engine.TimeValue(time.Unix(0, times[int(b)%len(times)]))
					} else {
						row[i] = engine.TimeValue(srDay.Add(time.Duration(b) * 97 * time.Second))
					}
				case signin.KindInt:
					row[i] = engine.IntValue([]int64{0, 1, 2, 3, 50126, 500121, -5, math.MaxInt64, math.MinInt64}[int(b)%9])
				default:
					row[i] = engine.StringValue(strs[int(b)%len(strs)])
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
			}
		}
	})
}
