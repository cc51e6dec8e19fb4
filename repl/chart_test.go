package repl

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

var updateCharts = flag.Bool("update-charts", false, "rewrite the golden files of testdata/chart")

var chartT0 = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// timeline is a result of count group by bin(step): a bucket a value,
// from chartT0, the negative values' buckets left out (missing).
func timeline(step time.Duration, values ...int64) *result.Result {
	res := &result.Result{Columns: []result.Column{
		{Name: "time", Kind: signin.KindTime, Field: "time"}, {Name: "count", Kind: signin.KindInt}}}
	for i, v := range values {
		if v < 0 {
			continue
		}
		res.Rows = append(res.Rows, []result.Value{
			result.TimeValue(chartT0.Add(time.Duration(i) * step)), result.IntValue(v)})
	}
	return res
}

// wave is n values of a daily rhythm with a spike.
func wave(n int) []int64 {
	vs := make([]int64, n)
	for i := range vs {
		vs[i] = int64(40 + 30*math.Sin(float64(i)*2*math.Pi/24))
		if i == n*2/3 {
			vs[i] = 400
		}
	}
	return vs
}

// bars is a result of top N key: the keys and their counts.
func bars(field string, kv ...any) *result.Result {
	res := &result.Result{Columns: []result.Column{
		{Name: field, Kind: signin.KindString, Field: field}, {Name: "count", Kind: signin.KindInt}}}
	for i := 0; i+1 < len(kv); i += 2 {
		v, ok := kv[i+1].(result.Value)
		if !ok {
			v = result.IntValue(int64(kv[i+1].(int)))
		}
		res.Rows = append(res.Rows, []result.Value{result.StringValue(kv[i].(string)), v})
	}
	return res
}

func TestDrawChart(t *testing.T) {
	gaps := wave(30)
	for _, i := range []int{3, 4, 5, 11, 20} {
		gaps[i] = -1
	}
	longGaps := wave(200)
	for i := 50; i < 80; i++ {
		longGaps[i] = -1
	}
	byApp := &result.Result{Columns: []result.Column{
		{Name: "app", Kind: signin.KindString, Field: "app"}, {Name: "time", Kind: signin.KindTime, Field: "time"},
		{Name: "count", Kind: signin.KindInt}}}
	for i, v := range wave(24) {
		for j, app := range []string{"Microsoft Teams", "Office 365 Exchange Online", "Azure Portal"} {
			if (i+j)%5 == 0 {
				continue // no sign-ins of the app in the hour
			}
			byApp.Rows = append(byApp.Rows, []result.Value{result.StringValue(app),
				result.TimeValue(chartT0.Add(time.Duration(i) * time.Hour)), result.IntValue(v * int64(j+1))})
		}
	}
	avg := &result.Result{Columns: []result.Column{
		{Name: "app", Kind: signin.KindString, Field: "app"}, {Name: "count", Kind: signin.KindInt},
		{Name: "avg(latency)", Kind: signin.KindFloat}}, Rows: [][]result.Value{
		{result.StringValue("Microsoft Teams"), result.IntValue(1000), result.FloatValue(123.456)},
		{result.StringValue("Azure Portal"), result.IntValue(10), result.Null(signin.KindFloat)},
		{result.StringValue("Office 365 Exchange Online"), result.IntValue(500), result.FloatValue(1234.5)},
	}}

	for _, tc := range []struct {
		name  string
		res   *result.Result
		width int
		color bool
	}{
		{"hourly-24", timeline(time.Hour, wave(24)...), 80, false},
		{"hourly-200", timeline(time.Hour, wave(200)...), 80, false},
		{"hourly-200-narrow", timeline(time.Hour, wave(200)...), 50, false},
		{"daily-60", timeline(24*time.Hour, wave(60)...), 100, false},
		{"gaps-30", timeline(time.Hour, gaps...), 80, false},
		{"gaps-200", timeline(time.Hour, longGaps...), 0, false},
		{"by-app", byApp, 80, false},
		{"top-10", bars("app", "Microsoft Teams", 98921, "", 60129, "Microsoft Office", 53952,
			"One Outlook Web", 43670, "Office 365 Exchange Online", 30211, "Azure Portal", 12345,
			"Microsoft Authentication Broker", 9001, "Windows Sign In", 5000, "a very long application name that is cut to a third of the width", 120, "日本語のアプリ", 7), 80, false},
		{"top-status-color", bars("status", "success", 950620, "failure", 33784, "interrupted", 15596), 60, true},
		{"zero-negative-null", bars("app", "a", 10, "zero", 0, "negative", -5, "null", result.Null(signin.KindInt), "b", 3), 60, false},
		{"all-zero", timeline(time.Hour, 0, 0, 0), 60, false},
		{"one-bucket", timeline(time.Hour, 42), 60, false},
		{"one-row", bars("app", "Microsoft Teams", 42), 60, false},
		{"float-last-column", avg, 70, false},
		{"timeline-color", timeline(time.Hour, wave(100)...), 80, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if !drawChart(&b, tc.res, tc.width, tc.color) {
				t.Fatal("no chart")
			}
			got := b.String()
			w := tc.width
			if w == 0 {
				w = defaultChartWidth
			}
			for _, line := range strings.Split(got, "\n") {
				if n := text.StringWidthWithoutEscSequences(line); n > w {
					t.Errorf("line of %d cells, over %d: %q", n, w, line)
				}
			}
			if !tc.color && strings.Contains(got, "\x1b") {
				t.Errorf("colour without color: %q", got)
			}
			if tc.color && !strings.Contains(got, "\x1b[") {
				t.Errorf("no colour with color: %q", got)
			}
			golden(t, filepath.Join("testdata", "chart", tc.name+".txt"), got)
		})
	}
}

// golden compares got with the file, or with -update-charts rewrites it.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *updateCharts {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./repl -run TestDrawChart -update-charts writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot\n%s\nwant\n%s", path, got, want)
	}
}

func TestDrawChartNotChartable(t *testing.T) {
	str := func(s string) result.Value { return result.StringValue(s) }
	for _, tc := range []struct {
		name string
		res  *result.Result
	}{
		{"nil", nil},
		{"no rows", &result.Result{Columns: timeline(time.Hour).Columns}},
		{"a single count", &result.Result{
			Columns: []result.Column{{Name: "count", Kind: signin.KindInt}},
			Rows:    [][]result.Value{{result.IntValue(3)}}}},
		{"a list: numbers of a field", &result.Result{
			Columns: []result.Column{{Name: "time", Kind: signin.KindTime, Field: "time"}, {Name: "latency", Kind: signin.KindInt, Field: "latency"}},
			Rows:    [][]result.Value{{result.TimeValue(chartT0), result.IntValue(35)}}}},
		{"last column text", &result.Result{
			Columns: []result.Column{{Name: "app", Kind: signin.KindString, Field: "app"}, {Name: "max(user)", Kind: signin.KindString}},
			Rows:    [][]result.Value{{str("a"), str("b")}}}},
		{"more than 50 rows", bars("app", slices.Repeat([]any{"x", 1}, 51)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if drawChart(&b, tc.res, 80, true) || b.Len() > 0 {
				t.Errorf("charted:\n%s", b.String())
			}
		})
	}
}

func TestChartOf(t *testing.T) {
	// Missing buckets: the bin is the smallest gap.
	d := chartOf(timeline(15*time.Minute, 1, -1, -1, 4, 5))
	if d.kind != chartTimeline || d.step != 15*time.Minute || d.bucketCount() != 5 {
		t.Errorf("kind %d, step %v, %d buckets", d.kind, d.step, d.bucketCount())
	}
	if got := d.caption(); got != "count per 15m (UTC)" {
		t.Errorf("caption %q", got)
	}
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{time.Hour, "1h"}, {24 * time.Hour, "1d"}, {14 * 24 * time.Hour, "2w"}, {90 * time.Minute, "90m"}, {1500 * time.Millisecond, "1500ms"}, {time.Microsecond, "1µs"}} {
		if got := chartDuration(tc.d); got != tc.want {
			t.Errorf("chartDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
