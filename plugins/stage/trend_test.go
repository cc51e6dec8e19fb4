package stage

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/result"
)

// trendRows are hourly rows of timelineCols from stagetest.Start: for
// each key its counts, a negative count no row.
func trendRows(series map[string][]int64) [][]result.Value {
	var rows [][]result.Value
	for key, counts := range series {
		for h, n := range counts {
			if n >= 0 {
				rows = append(rows, []result.Value{result.StringValue(key), result.TimeValue(stagetest.Start.Add(time.Duration(h) * time.Hour)), result.IntValue(n)})
			}
		}
	}
	slices.SortFunc(rows, func(a, b []result.Value) int { return result.Compare(a[1], b[1]) })
	return rows
}

// TestTrend fits lines to series worked by hand and to the example of
// Microsoft's series_fit_line page
// (https://learn.microsoft.com/kusto/query/series-fit-line-function):
// y = [2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30] has slope 2.730 and
// interception -1.666 as printed there (truncated to three places:
// 2.7308, -1.6667 here), and R² = 1 - SSres/SStot = 0.9829 (SSres
// 18.5513, SStot 1084.9167, worked out in exact fractions from the line).
func TestTrend(t *testing.T) {
	open := &plugins.Env{From: math.MinInt64, To: math.MaxInt64}
	half := &plugins.Env{From: stagetest.Start.UnixNano(), To: stagetest.Start.Add(6 * time.Hour).UnixNano(), Now: stagetest.Start.Add(6 * time.Hour)}
	cases := []struct {
		name   string
		args   string
		env    *plugins.Env
		series map[string][]int64
		want   []string // "key slope intercept rsquare buckets"
	}{
		{"the page's example", "", open, map[string][]int64{"a": {2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30}}, []string{"a 2.7308 -1.6667 0.9829 12"}},
		{"a line", "", open, map[string][]int64{"a": {3, 5, 7, 9}}, []string{"a 2 1 1 4"}},
		{"a constant", "", open, map[string][]int64{"a": {4, 4, 4}}, []string{"a 0 4 1 3"}},
		{"one point", "", open, map[string][]int64{"a": {7}}, []string{"a 0 7 1 1"}},
		// Steepest first: b falls, c rises less than a.
		{"order", "", open, map[string][]int64{"a": {0, 2, 4}, "b": {4, 2, 0}, "c": {0, 1, 2}}, []string{"a 2 -2 1 3", "c 1 -1 1 3", "b -2 6 1 3"}},
		// The window's missing hours are zeros: 6 hours, rows at 0 and 1
		// of 6: x = 6 6 0 0 0 0: slope -48/35, the line 38/7 at hour 0
		// and so 34/5 an hour before; SSres 528/35, SStot 48: R² 24/35.
		{"missing buckets are zeros", "", half, map[string][]int64{"a": {6, 6}}, []string{"a -1.3714 6.8 0.6857 6"}},
		{"fill none", "fill=none", half, map[string][]int64{"a": {6, 6}}, []string{"a 0 6 1 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cols, out, err := stagetest.RunArgs(t, trend{}, stagetest.Args(c.args), timelineCols, trendRows(c.series), c.env)
			if err != nil {
				t.Fatal(err)
			}
			if want := "[app slope intercept rsquare buckets]"; fmt.Sprint(names(cols)) != want {
				t.Fatalf("columns %v, want %s", names(cols), want)
			}
			var got []string
			for _, r := range out {
				got = append(got, fmt.Sprintf("%s %s %s %s %s", r[0], r[1], r[2], r[3], r[4]))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

func names(cols []result.Column) []string {
	var n []string
	for _, c := range cols {
		n = append(n, c.Name)
	}
	return n
}

// TestRsquare checks R² against its definition computed apart, on a
// series and a line that is not its least-squares line.
func TestRsquare(t *testing.T) {
	x := []float64{1, 3, 2, 5}
	// Line 1·i + 1: residuals 0, 1, -1, 1: SSres 3; mean 2.75: SStot
	// 3.0625 + 0.0625 + 0.5625 + 5.0625 = 8.75; R² = 1 - 3/8.75.
	if got, want := rsquare(x, 1, 1), 1-3/8.75; math.Abs(got-want) > 1e-12 {
		t.Errorf("rsquare %v, want %v", got, want)
	}
	// A line far off gives a negative 1 - SSres/SStot: clamped to 0.
	if got := rsquare(x, 0, 100); got != 0 {
		t.Errorf("rsquare of a line far off %v, want 0", got)
	}
}
