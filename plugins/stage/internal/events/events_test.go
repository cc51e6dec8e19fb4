package events_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage"
	"github.com/signinq/signinq/plugins/stage/internal/events"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// builtin returns the built-in stage of a name.
func builtin(t testing.TB, name string) plugins.Stage {
	t.Helper()
	for _, st := range stage.All() {
		if st.Describe().Name == name {
			return st
		}
	}
	t.Fatalf("no built-in stage %s", name)
	return nil
}

// TestCodesWhere checks the condition the detection stages give
// the list before them for their error codes (TestArgTypes checks how
// the codes are read).
func TestCodesWhere(t *testing.T) {
	args := stagetest.MustBindMap(t, builtin(t, "spray"), map[string]string{"codes": "50126, 50053 50055,50126"})
	if got := stagetest.WhereText(events.CodesWhere(args.Codes("codes"))); got != "error in (50053, 50055, 50126)" {
		t.Errorf("CodesWhere = %q", got)
	}
}

func TestColumns(t *testing.T) {
	in := []result.Column{
		{Name: "TIME", Kind: signin.KindTime, Field: "time"},
		{Name: "who", Kind: signin.KindString, Field: "user"},
		{Name: "error", Kind: signin.KindString},
	}
	idx, err := events.Columns(in, []events.Col{{"time", signin.KindTime}, {"user", signin.KindString}, {"count", signin.KindInt}}, "count")
	if err != nil || !slices.Equal(idx, []int{0, 1, -1}) {
		t.Errorf("Columns = %v, %v; want [0 1 -1]", idx, err)
	}
	_, err = events.Columns(in, []events.Col{{"time", signin.KindTime}, {"ip", signin.KindString}, {"app", signin.KindString}})
	if err == nil || !strings.Contains(err.Error(), "needs the column(s) ip, app") {
		t.Errorf("missing columns: %v", err)
	}
	_, err = events.Columns(in, []events.Col{{"error", signin.KindInt}})
	if err == nil || !strings.Contains(err.Error(), "column error holds strings, not ints") {
		t.Errorf("wrong kind: %v", err)
	}
}

func TestCells(t *testing.T) {
	row := []result.Value{result.TimeValue(stagetest.Day), result.StringValue("x"), result.IntValue(3), result.Null(signin.KindTime)}
	if ns, ok := events.Time(row, 0); !ok || ns != stagetest.Day.UnixNano() {
		t.Errorf("Time = %d, %v", ns, ok)
	}
	for _, i := range []int{-1, 1, 3, 4} {
		if _, ok := events.Time(row, i); ok {
			t.Errorf("Time(row, %d) is a time", i)
		}
	}
	if events.Str(row, 1) != "x" || events.Str(row, 0) != "" || events.Str(row, 9) != "" {
		t.Errorf("Str reads %q %q %q", events.Str(row, 1), events.Str(row, 0), events.Str(row, 9))
	}
	if n, ok := events.Int(row, 2); n != 3 || !ok {
		t.Errorf("Int = %d, %v", n, ok)
	}
	if _, ok := events.Int(row, 1); ok {
		t.Errorf("Int reads a string")
	}
}

func TestWindowStart(t *testing.T) {
	f := func(t0 int64, w time.Duration, want int64) {
		t.Helper()
		if got := events.WindowStart(t0, w); got != want {
			t.Errorf("WindowStart(%d, %v) = %d, want %d", t0, w, got, want)
		}
	}
	h := int64(time.Hour)
	f(0, time.Hour, 0)
	f(h-1, time.Hour, 0)
	f(h, time.Hour, h)
	f(-1, time.Hour, -h)
	f(-h, time.Hour, -h)
	f(stagetest.At("23:59:59").UnixNano(), 24*time.Hour, stagetest.Day.UnixNano())
	f(stagetest.At("05:59:59").UnixNano(), 6*time.Hour, stagetest.Day.UnixNano())
	f(stagetest.At("06:00").UnixNano(), 6*time.Hour, stagetest.At("06:00").UnixNano())
	// The first window of int64 starts at its earliest time.
	f(math.MinInt64+5, time.Hour, math.MinInt64)
}

func TestBursts(t *testing.T) {
	// f runs Bursts over times in minutes with a window of w minutes,
	// a window being enough when it holds n events.
	f := func(mins []int64, w, n int, want [][2]int) {
		t.Helper()
		in := 0
		got := events.Bursts(len(mins), func(i int) int64 { return mins[i] * int64(time.Minute) }, time.Duration(w)*time.Minute,
			func(int) { in++ }, func(int) { in-- }, func() bool { return in >= n })
		if !slices.Equal(got, want) {
			t.Errorf("Bursts(%v, %dm, %d) = %v, want %v", mins, w, n, got, want)
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
	got := events.Bursts(2, func(i int) int64 { return ends[i] }, time.Hour, func(int) { in++ }, func(int) { in-- }, func() bool { return in >= 2 })
	if got != nil {
		t.Errorf("Bursts over the ends of int64 = %v", got)
	}
}

// TestSuccesses checks how the detection stages ask the store for
// successes: the query's text (one query however many spans), the spans
// kept within the query's range, and the rows kept of those the store
// answers with (which matches text without regard to case, and
// addresses however written: the stage keeps its keys' own, in their
// own spans).
func TestSuccesses(t *testing.T) {
	ns := func(s string) int64 { return stagetest.At(s).UnixNano() }
	s := stagetest.SignIn
	store := [][]result.Value{
		s("10:00", "1.1.1.1", "ann", "", 0),        // at the span's start
		s("10:30", "1.1.1.1", "ANN", "", 0),        // another spelling of the user
		s("11:00", "1.1.1.1", "ann", "", 0),        // at the span's end
		s("11:00:01", "1.1.1.1", "ann", "", 0),     // after it
		s("12:30", "::ffff:1.1.1.1", "bob", "", 0), // another spelling of the address
		s("12:30", "1.1.1.1", "bob", "", 0),        // in the second span of 1.1.1.1
		s("10:10", "2.2.2.2", `q"u\ote\`, "", 0),   // a key that needs quoting
		s("10:10", "2.2.2.2", "cid", "", 50126),    // a failure
		stagetest.Row(stagetest.Cols, map[string]any{"ip": "1.1.1.1", "user": "dan", "status": "success"}), // no time
	}
	spans := []events.Span{
		{"1.1.1.1", ns("10:00"), ns("10:40")}, {"1.1.1.1", ns("10:30"), ns("11:00")}, // overlapping: merged
		{"1.1.1.1", ns("12:00"), ns("13:00")}, {"2.2.2.2", ns("10:00"), ns("10:20")},
		{"", ns("10:00"), ns("13:00")}, // no key: not asked
	}
	run := func(env *plugins.Env, fake *stagetest.FakeStore, field string, spans []events.Span) []string {
		t.Helper()
		var got []string
		err := events.Successes(t.Context(), env, field, spans, []int64{50126}, func(ev events.Event) {
			got = append(got, fmt.Sprintf("%s %s %s", stagetest.At("00:00").Add(time.Duration(ev.At-ns("00:00"))).Format("15:04:05"), ev.IP, ev.User))
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		return got
	}
	fake := &stagetest.FakeStore{Rows: store}
	got := run(fake.Env(math.MinInt64, math.MaxInt64), fake, "ip", spans)
	want := []string{"10:00:00 1.1.1.1 ann", "10:10:00 2.2.2.2 q\"u\\ote\\", "10:30:00 1.1.1.1 ANN", "11:00:00 1.1.1.1 ann", "12:30:00 1.1.1.1 bob"}
	if !slices.Equal(got, want) {
		t.Errorf("by ip: got %q, want %q", got, want)
	}
	wantQuery := `list time, user, ip where status = success and not error in (50126) and ip in ("1.1.1.1", "2.2.2.2") and ` +
		`(ip in ("1.1.1.1") and time >= 2026-11-02T10:00:00Z and time <= 2026-11-02T11:00:00Z or ` +
		`ip in ("1.1.1.1") and time >= 2026-11-02T12:00:00Z and time <= 2026-11-02T13:00:00Z or ` +
		`ip in ("2.2.2.2") and time >= 2026-11-02T10:00:00Z and time <= 2026-11-02T10:20:00Z) ` +
		`between 2026-11-02T10:00:00Z and 2026-11-02T13:00:00.000000001Z`
	if !slices.Equal(fake.Queries, []string{wantQuery}) {
		t.Errorf("queries:\n%q\nwant\n%q", fake.Queries, wantQuery)
	}

	// By user, a key that would need quoting; within the query's
	// range; ANN's sign-in at 10:30, which the store gives for ann's
	// span, is not in ANN's own.
	fake = &stagetest.FakeStore{Rows: store}
	got = run(fake.Env(ns("10:05"), ns("12:30")), fake, "user", []events.Span{
		{`q"u\ote\`, ns("10:00"), ns("11:00")}, {"ann", ns("09:00"), ns("11:00")}, {"bob", ns("12:00"), ns("13:00")},
		{"ann", ns("12:30"), ns("13:00")}, // wholly out of range
		{"ANN", ns("12:00"), ns("13:00")},
	})
	want = []string{"10:10:00 2.2.2.2 q\"u\\ote\\", "11:00:00 1.1.1.1 ann"}
	if !slices.Equal(got, want) {
		t.Errorf("by user: got %q, want %q", got, want)
	}
	if len(fake.Queries) != 1 || !strings.Contains(fake.Queries[0], `user in ("ANN", "ann", "bob", "q\"u\ote\\")`) ||
		!strings.Contains(fake.Queries[0], `user in ("bob") and time >= 2026-11-02T12:00:00Z and time <= 2026-11-02T12:29:59.999999999Z`) ||
		!strings.Contains(fake.Queries[0], `user in ("ann") and time >= 2026-11-02T10:05:00Z`) {
		t.Errorf("by user: queries %q", fake.Queries)
	}
	// One query, whatever TimeBatches's size.
	defer func(n int) { events.QueryBatch = n }(events.QueryBatch)
	events.QueryBatch = 2
	fake = &stagetest.FakeStore{Rows: store}
	run(fake.Env(math.MinInt64, math.MaxInt64), fake, "ip", spans)
	if !slices.Equal(fake.Queries, []string{wantQuery}) {
		t.Errorf("with batches of 2: queries %q", fake.Queries)
	}
	// Spans that reach the end of time, in a query open at its end.
	fake = &stagetest.FakeStore{Rows: store}
	run(fake.Env(math.MinInt64, math.MaxInt64), fake, "ip", []events.Span{{"1.1.1.1", ns("10:00"), math.MaxInt64}})
	if len(fake.Queries) != 1 || !strings.HasSuffix(fake.Queries[0], `ip in ("1.1.1.1") and ip in ("1.1.1.1") and time >= 2026-11-02T10:00:00Z and time <= 2262-04-11T23:47:16.854775807Z since 2026-11-02T10:00:00Z`) {
		t.Errorf("to the end of time: queries %q", fake.Queries)
	}

	// Nothing to ask, or no store to ask: no query.
	fake = &stagetest.FakeStore{Rows: store}
	if got := run(fake.Env(math.MinInt64, math.MaxInt64), fake, "ip", nil); len(got) != 0 || len(fake.Queries) != 0 {
		t.Errorf("no spans: %q, queries %q", got, fake.Queries)
	}
	if got := run(&plugins.Env{From: math.MinInt64, To: math.MaxInt64}, nil, "ip", spans); len(got) != 0 {
		t.Errorf("no Query: %q", got)
	}

	// The store's errors, and answers without the columns asked for, are
	// the stages' errors.
	for _, st := range []plugins.Stage{builtin(t, "spray"), builtin(t, "bruteforce"), builtin(t, "mfafatigue")} {
		rows := slices.Concat(stagetest.Prompts("ann", "10:00", time.Minute, slices.Repeat([]int{500121}, 30)...),
			stagetest.Prompts("ann", "10:00", time.Minute, slices.Repeat([]int{50126}, 30)...))
		for i := range rows {
			rows[i][7] = result.StringValue(fmt.Sprintf("9.9.9.%d", i%20)) // 20 addresses failing for ...
			rows[i][4] = result.StringValue(fmt.Sprintf("u%d", i%40))      // ... 40 accounts; one takes them all
			if i < 30 {
				rows[i][4] = result.StringValue("ann")
				rows[i][7] = result.StringValue("9.9.9.9")
			}
		}
		fake := &stagetest.FakeStore{Err: errors.New("the store is gone")}
		if _, err := stagetest.RunEnv(t, st, fake.Env(math.MinInt64, math.MaxInt64), stagetest.Cols, rows, "1"); err == nil ||
			!strings.Contains(err.Error(), "asking for the successes: the store is gone") {
			t.Errorf("%s: %v, want the store's error", st.Describe().Name, err)
		}
		bad := &plugins.Env{From: math.MinInt64, To: math.MaxInt64, Query: func(context.Context, *ast.Query) (*result.Result, error) {
			return &result.Result{Columns: []result.Column{{Name: "time", Kind: signin.KindTime}}}, nil
		}}
		if _, err := stagetest.RunEnv(t, st, bad, stagetest.Cols, rows, "1"); err == nil || !strings.Contains(err.Error(), "asking for the successes: needs the column(s)") {
			t.Errorf("%s: %v, want an error about the columns", st.Describe().Name, err)
		}
	}
}

// TestSpanAggregates checks how the detection stages ask the store for
// aggregates of the successes of spans: a key once a query (each group
// one span's), in order of time, within the query's range, and the
// groups of the keys exactly.
func TestSpanAggregates(t *testing.T) {
	ns := func(s string) int64 { return stagetest.At(s).UnixNano() }
	s := stagetest.SignIn
	store := [][]result.Value{
		s("10:00", "1.1.1.1", "ann", "", 0),
		s("10:30", "1.1.1.1", "ANN", "", 0),
		s("10:40", "1.1.1.1", "bob", "", 50126), // a failure
		s("11:00", "1.1.1.1", "cid", "", 0),
		s("10:10", "1.1.1.2", "dan", "", 0),
		s("10:20", "1.1.1.2", "", "", 0), // no user
	}
	spans := []events.Span{
		{"1.1.1.1", ns("10:00"), ns("10:40")}, {"1.1.1.1", ns("10:30"), ns("11:00")}, // overlapping: asked apart
		{"1.1.1.2", ns("10:00"), ns("10:20")}, {"1.1.1.3", ns("10:00"), ns("10:20")}, // no successes
		{"", ns("10:00"), ns("13:00")},        // no key: not asked
		{"1.1.1.2", ns("13:00"), ns("14:00")}, // out of range
	}
	fake := &stagetest.FakeStore{Rows: store}
	got := map[int]string{}
	err := events.SpanAggregates(t.Context(), fake.Env(math.MinInt64, ns("12:00")), "ip", spans, []int64{50126},
		[]*ast.Head{ast.NewHead(ast.Fn("count"), "n"), ast.NewHead(ast.Fn("values", ast.Field("user")), "users")},
		[]events.Col{{"n", signin.KindInt}, {"users", signin.KindList}},
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
	if !slices.Equal(fake.Queries, wantQueries) {
		t.Errorf("queries:\n%q\nwant\n%q", fake.Queries, wantQueries)
	}
	// In batches of QueryBatch; without a store, nothing is asked.
	defer func(n int) { events.QueryBatch = n }(events.QueryBatch)
	events.QueryBatch = 2
	fake = &stagetest.FakeStore{Rows: store}
	err = events.SpanAggregates(t.Context(), fake.Env(math.MinInt64, math.MaxInt64), "ip", spans[2:4], []int64{1}, []*ast.Head{ast.NewHead(ast.Fn("count"), "")}, []events.Col{{"count", signin.KindInt}},
		func(int, []result.Value, []int) {})
	if err != nil || len(fake.Queries) != 1 {
		t.Errorf("%v, queries %q", err, fake.Queries)
	}
	if err := events.SpanAggregates(t.Context(), &plugins.Env{From: math.MinInt64, To: math.MaxInt64}, "ip", spans, nil, []*ast.Head{ast.NewHead(ast.Fn("count"), "")}, nil,
		func(int, []result.Value, []int) { t.Error("an answer without a store") }); err != nil {
		t.Error(err)
	}
}

// TestTimeBatches checks that a batch names no two keys the store
// matches alike, and holds spans in order of time.
func TestTimeBatches(t *testing.T) {
	spans := []events.Span{{"b", 3, 4}, {"SUCCESS", 1, 2}, {"success", 2, 3}, {"1.1.1.1", 0, 1}, {"::ffff:1.1.1.1", 5, 6}, {"::FFFF:1.1.1.2", 7, 8}, {"::ffff:1.1.1.2", 9, 9}}
	got := events.TimeBatches(len(spans), func(j int) events.Span { return spans[j] })
	want := [][]int{{3, 1}, {2, 0, 4, 5}, {6}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
