package stage

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/result"
)

// TestAnomaliesFitLine reproduces the example of Microsoft's
// series_fit_line page
// (https://learn.microsoft.com/kusto/query/series-fit-line-function):
// y = [2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30] has slope 2.730,
// interception -1.666 (its x counts from 1, ours from 0: our intercept
// is the line at its x = 1) and the line 1.064, 3.7945, 6.526, 9.256,
// 11.987, 14.718, 17.449, 20.180, 22.910, 25.641, 28.371, 31.102, as
// printed there: to three or four places, some truncated (2.7307 as
// 2.730) and some rounded (20.1795 as 20.180), so each agrees within a
// unit of its third place.
func TestAnomaliesFitLine(t *testing.T) {
	y := []float64{2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30}
	slope, icept := fitLine(y, make([]float64, len(y)))
	if math.Abs(slope-2.730) > 1e-3 || math.Abs(icept-slope-(-1.666)) > 1e-3 {
		t.Errorf("slope %v, interception %v; want 2.730, -1.666", slope, icept-slope)
	}
	want := []float64{1.064, 3.7945, 6.526, 9.256, 11.987, 14.718, 17.449, 20.180, 22.910, 25.641, 28.371, 31.102}
	base := make([]float64, len(y))
	decompose(y, len(y), 0, "linefit", base)
	for i, w := range want {
		if math.Abs(base[i]-w) > 1e-3 {
			t.Errorf("line at %d: %v, want %v", i, base[i], w)
		}
	}
}

// TestAnomaliesFitLineExact checks the least-squares line against exact
// rational arithmetic (math/big) on random series: the normal equations
// solved as fractions, slope = (n·Σiy - Σi·Σy) / (n·Σi² - (Σi)²). The
// series come from a fixed seed, so that a failure replays as it is.
func TestAnomaliesFitLineExact(t *testing.T) {
	const seed = 20261206
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 15))
	for range 200 {
		n := 1 + r.IntN(60)
		y := make([]float64, n)
		s := make([]float64, n)
		for i := range y {
			y[i] = float64(r.IntN(1000) - 100)
			if r.IntN(3) == 0 {
				s[i] = float64(r.IntN(20)) / 4
			}
		}
		slope, icept := fitLine(y, s)
		var si, sy, sii, siy big.Rat
		for i := range y {
			bi := new(big.Rat).SetInt64(int64(i))
			by := new(big.Rat).SetFloat64(y[i] - s[i]) // exact: quarters
			si.Add(&si, bi)
			sy.Add(&sy, by)
			sii.Add(&sii, new(big.Rat).Mul(bi, bi))
			siy.Add(&siy, new(big.Rat).Mul(bi, by))
		}
		nn := new(big.Rat).SetInt64(int64(n))
		den := new(big.Rat).Sub(new(big.Rat).Mul(nn, &sii), new(big.Rat).Mul(&si, &si))
		ws := new(big.Rat)
		if den.Sign() != 0 {
			ws.Quo(new(big.Rat).Sub(new(big.Rat).Mul(nn, &siy), new(big.Rat).Mul(&si, &sy)), den)
		}
		wi := new(big.Rat).Quo(new(big.Rat).Sub(&sy, new(big.Rat).Mul(ws, &si)), nn)
		fs, _ := ws.Float64()
		fi, _ := wi.Float64()
		if math.Abs(slope-fs) > 1e-9*(1+math.Abs(fs)) || math.Abs(icept-fi) > 1e-9*(1+math.Abs(fi)) {
			t.Fatalf("fitLine(%v - %v) = %v, %v; exactly %v, %v", y, s, slope, icept, fs, fi)
		}
	}
}

// TestAnomaliesOutliers checks the scores of Tukey's test with
// nearest-rank percentiles. The series is the example of the 2018
// series_outliers page (MicrosoftDocs/dataexplorer-docs,
// series-outliersfunction.md), which says "the 5 is an anomaly on
// decline and 80 is an anomaly on rise": so do both fences here. That
// page's numbers (-3.2069 for 5, 16.6667 for 80) follow no percentile
// definition we found and the current page no longer prints them; the
// expected values here are worked by hand: sorted, the series is 5 25 27
// 28 29 30 30 31 37 38 80; ctukey's 10th and 90th percentiles are the
// 2nd and 10th values (⌈1.1⌉, ⌈9.9⌉), 25 and 38; tukey's 25th and 75th
// the 3rd and 9th, 27 and 37.
func TestAnomaliesOutliers(t *testing.T) {
	x := []float64{30, 28, 5, 27, 31, 38, 29, 80, 25, 37, 30}
	for _, c := range []struct {
		lo, hi int
		want   []float64
	}{
		{10, 90, []float64{0, 0, -20.0 / 13, 0, 0, 0, 0, 42.0 / 13, 0, 0, 0}},
		{25, 75, []float64{0, 0, -2.2, 0, 0, 0.1, 0, 4.3, -0.2, 0, 0}},
	} {
		got := slices.Clone(x)
		outliers(got, c.lo, c.hi, 80)
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Errorf("outliers %d/%d: %v, want %v", c.lo, c.hi, got, c.want)
				break
			}
		}
	}
	for _, c := range []struct {
		n, p, rank int
	}{{1, 10, 1}, {1, 90, 1}, {10, 10, 1}, {10, 90, 9}, {11, 10, 2}, {11, 90, 10}, {4, 25, 1}, {4, 75, 3}, {100, 90, 90}} {
		s := make([]float64, c.n)
		for i := range s {
			s[i] = float64(i + 1)
		}
		if got := nearestRank(s, c.p); got != float64(c.rank) {
			t.Errorf("nearestRank of 1..%d at %d = %v, want %d", c.n, c.p, got, c.rank)
		}
	}
	// A range of 0, or within rounding of it, scores nothing.
	flat := []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9}
	outliers(flat, 10, 90, 9)
	if slices.ContainsFunc(flat, func(v float64) bool { return v != 0 }) {
		t.Errorf("a zero range scores %v", flat)
	}
	noise := []float64{1e-15, -1e-15, 2e-15, 0, 0, 5}
	outliers(noise, 10, 90, 5)
	if slices.ContainsFunc(noise, func(v float64) bool { return v != 0 }) {
		t.Errorf("rounding noise scores %v", noise)
	}
}

// TestAnomaliesDecompose checks the baseline's parts on small series
// worked by hand.
func TestAnomaliesDecompose(t *testing.T) {
	for _, c := range []struct {
		name          string
		x             []float64
		learn, period int
		trend         string
		want          []float64
	}{
		{"avg", []float64{1, 2, 3, 6}, 4, 0, "avg", []float64{3, 3, 3, 3}},
		{"none", []float64{1, 2, 3, 6}, 4, 0, "none", []float64{0, 0, 0, 0}},
		{"linefit", []float64{1, 3, 5, 7}, 4, 0, "linefit", []float64{1, 3, 5, 7}},
		{"linefit of one point", []float64{4}, 1, 0, "linefit", []float64{4}},
		// Test points: the line through the first three, extrapolated.
		{"test points", []float64{1, 2, 3, 40}, 3, 0, "linefit", []float64{1, 2, 3, 4}},
		{"avg of the learning only", []float64{2, 4, 100}, 2, 0, "avg", []float64{3, 3, 3}},
		// Period 2: phase 0 holds 1, 1, 7 (median 1), phase 1 holds 10,
		// 12, 11 (median 11); then the mean of the rest, x - seasonal =
		// 0 -1 0 1 6 0, is 1.
		{"period, none", []float64{1, 10, 1, 12, 7, 11}, 6, 2, "none", []float64{1, 11, 1, 11, 1, 11}},
		{"period and avg", []float64{1, 10, 1, 12, 7, 11}, 6, 2, "avg", []float64{2, 12, 2, 12, 2, 12}},
		// An even count of phase points: the median is the mean of the
		// middle two; phase 1's points are all test points: no seasonal
		// part there.
		{"period, a phase not learnt", []float64{1, 5, 3, 5, 9}, 4, 4, "none", []float64{1, 5, 3, 5, 1}},
		{"period longer than the series", []float64{4, 8}, 2, 5, "none", []float64{4, 8}},
	} {
		base := make([]float64, len(c.x))
		res := decompose(c.x, c.learn, c.period, c.trend, base)
		for i := range base {
			if math.Abs(base[i]-c.want[i]) > 1e-12 || math.Abs(res[i]-(c.x[i]-c.want[i])) > 1e-12 {
				t.Errorf("%s: baseline %v, residuals %v; want baseline %v", c.name, base, res, c.want)
				break
			}
		}
	}
}

// anomalyBuckets are hourly rows of timelineCols with the given counts
// from stagetest.Start, for key a; a negative count is no row.
func anomalyBuckets(counts ...int64) [][]result.Value {
	var rows [][]result.Value
	for h, n := range counts {
		if n >= 0 {
			rows = append(rows, []result.Value{result.StringValue("a"), result.TimeValue(stagetest.Start.Add(time.Duration(h) * time.Hour)), result.IntValue(n)})
		}
	}
	return rows
}

// TestAnomalies runs the stage on series worked by hand.
func TestAnomalies(t *testing.T) {
	day := &plugins.Env{From: stagetest.Start.UnixNano(), To: stagetest.Start.Add(12 * time.Hour).UnixNano(), Now: stagetest.Start.Add(12 * time.Hour)}
	open := &plugins.Env{From: math.MinInt64, To: math.MaxInt64}
	// 10 11 9 10 12 10 40 11 10 9: mean 13.2; residuals -3.2 -2.2 -4.2
	// -3.2 -1.2 -3.2 26.8 -2.2 -3.2 -4.2; sorted: -4.2 -4.2 -3.2 -3.2
	// -3.2 -3.2 -2.2 -2.2 -1.2 26.8; 10th percentile -4.2, 90th -1.2:
	// 40 scores (26.8+1.2)/3 = 9.3333.
	spike := anomalyBuckets(10, 11, 9, 10, 12, 10, 40, 11, 10, 9)
	cases := []struct {
		name string
		args string
		env  *plugins.Env
		rows [][]result.Value
		want []string // "hour value baseline score flag"
	}{
		{"flat", "", open, anomalyBuckets(5, 5, 5, 5, 5, 5), nil},
		{"a spike", "", open, spike, []string{"6 40 13.2 9.3333 1"}},
		{"k above its score", "k=9.4", open, spike, nil},
		{"k below", "k=9.3", open, spike, []string{"6 40 13.2 9.3333 1"}},
		// Down: the lowest residuals are on the fence: no score.
		{"down", "direction=down", open, spike, nil},
		{"both", "direction=both", open, spike, []string{"6 40 13.2 9.3333 1"}},
		// tukey: 25th percentile the 3rd value, -3.2; 75th the 8th,
		// -2.2: 40 scores 29, 12 (residual -1.2) scores 1, and 9
		// (-4.2) scores -1.
		{"tukey", "method=tukey direction=both k=0.5", open, spike, []string{"6 40 13.2 29 1", "2 9 13.2 -1 -1", "4 12 13.2 1 1", "9 9 13.2 -1 -1"}},
		// A dip: 0 among tens, down.
		{"a dip", "direction=down", open, anomalyBuckets(10, 11, 9, 10, 12, 10, 0, 11, 10, 9, 10, 11),
			// mean 113/12 = 9.4167; residuals x - 9.4167, sorted:
			// -9.4167, -0.4167 (the two 9s), 0.5833 (five 10s), 1.5833
			// (three 11s), 2.5833 (12); 10th percentile (rank 2)
			// -0.4167, 90th (rank 11) 1.5833: 0 scores -9/2.
			[]string{"6 0 9.4167 -4.5 -1"}},
		// Missing hours of the window count as 0: hours 0-11, rows at
		// 0..5 of 10 and none after; with linefit.
		{"missing buckets are zeros", "trend=none k=0", day, anomalyBuckets(10, 10, 10),
			// x = 10 10 10 0 x9; residual = x; 10th percentile (rank 2)
			// 0, 90th (rank 11) 10: no range beyond: nothing.
			nil},
		{"one filled bucket among equal ones", "direction=down k=1", day, anomalyBuckets(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10),
			// hour 11 is 0; residual = x - 110/12; 10th and 90th are both
			// 10 - 9.1667: no range: nothing. (A flat series but one.)
			nil},
		// fill=none: the series is the rows alone.
		{"fill none", "fill=none", day, anomalyBuckets(10, -1, 11, -1, 9, 10, 12, 10, 40, 11, 10, 9),
			[]string{"8 40 13.2 9.3333 1"}},
		// Test points: the last bucket is not learnt from: linefit
		// through 10 10 ... 10 is 10, and the residuals are 0 0 0 0 0
		// 30: the 90th percentile (rank 6) is 30 itself.
		{"test points", "test=1 trend=linefit", open, anomalyBuckets(10, 10, 10, 10, 10, 40), nil},
		// A rising series: linefit explains it; avg does not.
		{"linefit explains a trend", "trend=linefit", open, anomalyBuckets(0, 10, 20, 30, 40, 50, 60, 70, 80, 90), nil},
		{"avg does not", "trend=avg direction=both k=0", open, anomalyBuckets(0, 10, 20, 30, 40, 50, 60, 70, 80, 90),
			// mean 45; residuals -45 .. 45; 10th percentile (rank 1)
			// -45, 90th (rank 9) 35: 90 scores 10/80.
			[]string{"9 90 45 0.125 1"}},
		// A daily period of 4 buckets: phase medians 1, 5, 9, 5; the
		// spike at a phase-2 bucket stands out.
		{"period", "period=4 trend=none", open, anomalyBuckets(1, 5, 9, 5, 1, 5, 9, 5, 1, 5, 30, 5, 1, 5, 9, 5),
			// residuals 0 but 21 at hour 10: no range: nothing. With a
			// little noise:
			nil},
		{"period with noise", "period=4 trend=none", open, anomalyBuckets(1, 5, 9, 5, 2, 6, 8, 4, 1, 5, 30, 5, 0, 4, 9, 6),
			// phases: {1,2,1,0} median 1; {5,6,5,4} 5; {9,8,30,9} 9;
			// {5,4,5,6} 5; residuals 0 0 0 0 1 1 -1 -1 0 0 21 0 -1 -1 0
			// 1; sorted: -1 x4, 0 x8, 1 x3, 21; 10th (rank 2) -1, 90th
			// (rank 15) 1: 21 scores 20/2 = 10.
			[]string{"10 30 9 10 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := slices.Clone(c.rows)
			slices.Reverse(rows)
			cols, out, err := stagetest.RunArgs(t, anomalies{}, stagetest.Args(c.args), timelineCols, rows, c.env)
			if err != nil {
				t.Fatal(err)
			}
			if names := fmt.Sprint(cols); names != fmt.Sprint([]result.Column{timelineCols[0], timelineCols[1], timelineCols[2],
				{Name: "baseline", Kind: signin.KindFloat}, {Name: "score", Kind: signin.KindFloat}, {Name: "flag", Kind: signin.KindInt}}) {
				t.Fatalf("columns %v", cols)
			}
			var got []string
			for _, r := range out {
				got = append(got, fmt.Sprintf("%d %s %s %s %s", int(r[1].Time().Sub(stagetest.Start).Hours()), r[2], r[3], r[4], r[5]))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestAnomaliesFilled: a filled bucket that is an anomaly has value 0
// and null others; series are per key; the others pass through.
func TestAnomaliesFilled(t *testing.T) {
	in := []result.Column{
		{Name: "user", Kind: signin.KindString, Field: "user", Key: true},
		{Name: "time", Kind: signin.KindTime, Field: "time", Key: true, Bin: time.Hour},
		{Name: "count", Kind: signin.KindInt},
		{Name: "ips", Kind: signin.KindList},
	}
	// a: 10 11 9 10 12 10 _ 11 10 9 (hour 6 missing: 0); b: flat 3.
	var rows [][]result.Value
	for h, n := range []int64{10, 11, 9, 10, 12, 10, -1, 11, 10, 9} {
		at := result.TimeValue(stagetest.Start.Add(time.Duration(h) * time.Hour))
		if n >= 0 {
			rows = append(rows, []result.Value{result.StringValue("a"), at, result.IntValue(n), result.ListValue([]string{"10.0.0.1"})})
		}
		rows = append(rows, []result.Value{result.StringValue("b"), at, result.IntValue(3), result.ListValue([]string{"10.0.0.2"})})
	}
	_, out, err := stagetest.RunArgs(t, anomalies{}, stagetest.Args("direction=down"), in, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	// a's mean 92/10 = 9.2; residuals 0.8 1.8 -0.2 0.8 2.8 0.8 -9.2 1.8
	// 0.8 -0.2; the 10th percentile of 10 points is the first (rank
	// ⌈1⌉), -9.2 itself: nothing is below it.
	if len(out) != 0 {
		t.Errorf("ctukey at 10 points: %v", out)
	}
	_, out, err = stagetest.RunArgs(t, anomalies{}, stagetest.Args("direction=down method=tukey"), in, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	// tukey: 25th (rank 3) -0.2, 75th (rank 8) 1.8: -9.2 scores -9/2.
	if len(out) != 1 || fmt.Sprint(out[0]) != fmt.Sprint([]result.Value{result.StringValue("a"), result.TimeValue(stagetest.Start.Add(6 * time.Hour)),
		result.IntValue(0), result.FloatValue(9.2), result.FloatValue(-4.5), result.IntValue(-1), result.Null(signin.KindList)}) {
		t.Errorf("got %v", out)
	}
}

// TestAnomaliesErrors: bad arguments, inputs without a timeline, and
// rows a series cannot hold.
func TestAnomaliesErrors(t *testing.T) {
	for _, c := range []struct {
		args, want string
		in         []result.Column
	}{
		{"", "timeline", []result.Column{{Name: "app", Kind: signin.KindString}, {Name: "count", Kind: signin.KindInt}}},
		{"value=app", "not numbers", timelineCols},
		{"period=-1", "autodetection (series_periods_detect), which is not implemented", timelineCols},
		{"period=-2", "from -1 to", timelineCols},
		{"trend=loess", "trend", timelineCols},
		{"method=iqr", "method", timelineCols},
		{"direction=sideways", "direction", timelineCols},
		{"test=-1", "test", timelineCols},
		{"k=-1", "at least 0", timelineCols},
	} {
		_, _, err := stagetest.RunArgs(t, anomalies{}, stagetest.Args(c.args), c.in, nil, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("anomalies %s: %v, want an error saying %q", c.args, err, c.want)
		}
	}
	// Two rows of a series at one time; a bin that is not the input's.
	dup := append(anomalyBuckets(1, 2, 3), anomalyBuckets(4)...)
	for _, args := range []string{"", "fill=none"} {
		if _, _, err := stagetest.RunArgs(t, anomalies{}, stagetest.Args(args), timelineCols, dup, nil); err == nil || !strings.Contains(err.Error(), "two rows") {
			t.Errorf("anomalies %s on two rows at one time: %v", args, err)
		}
	}
	if _, _, err := stagetest.RunArgs(t, anomalies{}, stagetest.Args("bin=7m"), timelineCols, anomalyBuckets(1, 2, 3), nil); err == nil || !strings.Contains(err.Error(), "grid") {
		t.Errorf("anomalies bin=7m on hours: %v", err)
	}
	// A window of more buckets than a series may hold.
	huge := &plugins.Env{From: stagetest.Start.UnixNano(), To: stagetest.Start.Add(200 * 365 * 24 * time.Hour).UnixNano()}
	if _, _, err := stagetest.RunArgs(t, anomalies{}, nil, timelineCols, anomalyBuckets(1, 2, 3), huge); err == nil || !strings.Contains(err.Error(), "buckets") {
		t.Errorf("anomalies over 200 years of hours: %v", err)
	}
}

// FuzzAnomalies feeds random rows and arguments: the stage must not
// panic, print no NaN or infinity, and flag exactly the scores beyond k
// that its direction keeps.
func FuzzAnomalies(f *testing.F) {
	f.Add([]byte("\x01\x02\x04\x05\x02\x07\x01\x03\x04\x09\x02\x08\x01\x02\x05\x05\x02\x30"), "auto", "zero", "linefit", 3, 0, 2.5)
	f.Add([]byte("a longer seed with more rows and more bytes in it"), "1h", "none", "avg", 0, 1, 1.5)
	f.Add([]byte{0xff, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "auto", "zero", "none", 4, 2, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, bin, fill, trend string, period, test int, k float64) {
		in, rows := stagetest.FuzzRows(data, timelineCols)
		env := &plugins.Env{From: stagetest.Start.UnixNano() - int64(len(data))*int64(time.Hour), To: stagetest.Start.UnixNano() + int64(len(data)%3)*int64(time.Hour)}
		if len(data)%2 == 0 {
			env = &plugins.Env{From: math.MinInt64, To: math.MaxInt64}
		}
		direction := []string{"up", "down", "both"}[len(data)%3]
		method := []string{"ctukey", "tukey"}[len(data)%2]
		args := []plugins.StageArg{{Name: "bin", Value: bin}, {Name: "fill", Value: fill}, {Name: "trend", Value: trend},
			{Name: "period", Value: fmt.Sprint(period % 50)}, {Name: "test", Value: fmt.Sprint(test % 50)}, {Name: "k", Value: fmt.Sprint(k)},
			{Name: "direction", Value: direction}, {Name: "method", Value: method}}
		cols, out, err := stagetest.RunArgs(t, anomalies{}, args, in, rows, env)
		if err != nil {
			return
		}
		for _, r := range out {
			if len(r) != len(cols) {
				t.Fatalf("a row of %d values for %d columns: %v", len(r), len(cols), r)
			}
			var score float64
			var flag int64
			for i, c := range cols {
				switch c.Name {
				case "baseline", "score":
					v := r[i].Float()
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s %v in %v", c.Name, v, r)
					}
					if c.Name == "score" {
						score = v
					}
				case "flag":
					flag = r[i].Int()
				}
			}
			// The score is printed to four places; k compares with it unrounded.
			switch {
			case flag == 1 && (direction == "down" || score < k-1e-4),
				flag == -1 && (direction == "up" || score > -k+1e-4),
				flag != 1 && flag != -1:
				t.Fatalf("flag %d for score %v, k %v, direction %s: %v", flag, score, k, direction, r)
			}
		}
	})
}

// TestAnomaliesBinColumn: the buckets are the query's bin(...) when the
// time column says it (result.Column.Bin), not the gaps between rows.
// Rows every 2 hours, 10 but one 11: on an hourly grid the 19 missing
// hours are zeros, the 10th and 90th percentiles (trend none) 0 and 10,
// and 11 scores 0.1; on the 2-hour grid the gaps suggest, both are 10:
// no range, no anomaly.
func TestAnomaliesBinColumn(t *testing.T) {
	var rows [][]result.Value
	for i := range 20 {
		n := int64(10)
		if i == 7 {
			n = 11
		}
		rows = append(rows, []result.Value{result.StringValue("a"), result.TimeValue(stagetest.Start.Add(time.Duration(2*i) * time.Hour)), result.IntValue(n)})
	}
	for _, c := range []struct {
		bin  time.Duration
		want int
	}{{time.Hour, 1}, {0, 0}} {
		in := slices.Clone(timelineCols)
		in[0].Key = true
		in[1].Key, in[1].Bin = true, c.bin
		_, out, err := stagetest.RunArgs(t, anomalies{}, stagetest.Args("trend=none k=0"), in, rows, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != c.want || c.want == 1 && (out[0][2].Int() != 11 || out[0][4].Float() != 0.1) {
			t.Errorf("bin %v: %v, want %d row(s)", c.bin, out, c.want)
		}
	}
}
