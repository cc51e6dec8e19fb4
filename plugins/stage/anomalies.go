package stage

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// anomalies finds the buckets of a timeline that the decomposition of
// their series does not explain, with the model of KQL's
// series_decompose_anomalies, which Microsoft Sentinel's anomaly rules
// use: "count where status=failure since 14d group by user, bin(1h) |
// anomalies k=3 trend=linefit".
//
// Its input is spikes' (see timelineOf and window): an aggregate's rows
// with a bin time key, the other keys making series, a value column (the
// bucket width is the bin's, when the column says it: result.Column.Bin); a
// missing bucket of the query's window counts as 0 (fill=zero, as
// make-series' default=0 does), or with fill=none a series is its rows
// alone, in time order (as make_list makes one). Each series x is
// decomposed (series_decompose):
//
//   - seasonal: with period P > 0, the median of the series' points of the
//     same phase (index mod P); with period 0, none. KQL's default -1
//     (detect the period with series_periods_detect) is refused: its
//     documentation does not define how a period is scored, so it cannot
//     be reproduced faithfully;
//   - trend, of the series less the seasonal part: avg, its mean (KQL's
//     default); linefit, the least-squares line over the bucket index
//     (series_fit_line); none;
//   - baseline = seasonal + trend; residual = x - baseline.
//
// The last test points are left out of the learning (the seasonal
// medians and the trend) and are extrapolated; a series of no more
// than test points is not scored. The residuals are scored by Tukey's
// test (series_outliers): with the fences' percentiles lo and hi of the
// residual series (ctukey, the default: the 10th and 90th; tukey: the
// 25th and 75th), each by nearest rank (the smallest residual with at
// least that percent of them at or below it: Kusto's percentiles are
// nearest-rank), a residual r scores
//
//	(r - hi) / (hi - lo)   above hi
//	(r - lo) / (hi - lo)   below lo
//	0                      between
//
// so that k = 1.5 is Tukey's fence for mild outliers and 3 for strong
// ones. When hi - lo is 0 (within 1e-9 of the series' largest magnitude:
// rounding), the range gives no scale and every score is 0. The flag is
// +1 when the score is above k, -1 below -k, else 0; a score within
// 1e-9·max(1, k) of k is on it (rounding makes an exact 1.5 either side
// of it), not beyond.
//
// Microsoft's pages: series_decompose_anomalies,
// https://learn.microsoft.com/kusto/query/series-decompose-anomalies-function;
// series_decompose, .../series-decompose-function; series_outliers,
// .../series-outliers-function; series_fit_line,
// .../series-fit-line-function; series_periods_detect,
// .../series-periods-detect-function; nearest-rank percentiles,
// .../percentiles-aggfunction and
// https://learn.microsoft.com/kusto/functions-library/percentiles-linear-fl.
// They do not print the score's formula (only that beyond 1.5 is an
// anomaly, Tukey's fence: the score above is that fence test as a
// number; a 2018 version of the series_outliers page printed scores for
// one series that no percentile definition we tried reproduces, and the
// page no longer does), how the percentiles are taken when test points
// are given (here: over the whole residual series), nor what a zero
// range scores (here: 0).
//
// Arguments, positional in this order or named:
//
//	k          the score threshold: 1.5 by default (KQL's)
//	trend      avg (the default), linefit or none
//	period     the seasonal period in buckets: 0 (the default) for none
//	method     ctukey (the default) or tukey
//	test       the points at the end left out of the learning: 0
//	direction  up (the default), down or both: which flags to keep
//	value, bin, fill   as spikes
//
// Each row is an anomaly whose flag direction keeps: the keys, the time,
// the value, the baseline, the score and the flag, then the input's other
// columns (null for a filled bucket, whose value is 0). The baseline and
// score are printed to four places (see display: 10 significant digits
// at most); rows are ordered by the score's magnitude as printed,
// highest first, then time and keys.
//
// Its zero value is the stage; Bind returns a *anomalies holding the
// arguments and the input's columns, which runs.
type anomalies struct {
	k        float64
	trend    string
	period   int
	lo, hi   int // the fences' percentiles
	test     int
	up, down bool // the flags kept
	bin      int64
	fill     bool
	timeline
	cols     []result.Column
	valueCol result.Column
}

var (
	_ plugins.Stage  = anomalies{}
	_ plugins.Runner = (*anomalies)(nil)
)

// maxBuckets bounds the length of one series: a million buckets (114
// years of hours).
const maxBuckets = 1 << 20

func (anomalies) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "anomalies", Kind: plugins.KindStage,
		Args: []plugins.Arg{
			{Name: "k", Type: plugins.ArgNumber, Default: "1.5", Min: "0",
				Help: "the score beyond which a bucket is an anomaly; 1.5: KQL's series_decompose_anomalies default, Tukey's fence for mild outliers (3 for strong ones)"},
			{Name: "trend", Type: plugins.ArgString, Default: "avg", Words: []string{"avg", "linefit", "none"},
				Help: "the trend: avg (the mean, KQL's default), linefit (the least-squares line) or none"},
			{Name: "period", Type: plugins.ArgInt, Default: "0", Min: "-1", Max: fmt.Sprint(maxBuckets),
				Help: "the seasonal period in buckets (24 for a day of 1h buckets); 0 for none; KQL's -1 (detect it) is not implemented"},
			{Name: "method", Type: plugins.ArgString, Default: "ctukey", Words: []string{"ctukey", "tukey"},
				Help: "the fences: ctukey (the 10th and 90th percentiles of the residuals, KQL's default) or tukey (25th and 75th)"},
			{Name: "test", Type: plugins.ArgInt, Default: "0", Min: "0", Max: fmt.Sprint(maxBuckets),
				Help: "the points at the end of each series left out of the learning (KQL's Test_points)"},
			{Name: "direction", Type: plugins.ArgString, Default: "up", Words: []string{"up", "down", "both"},
				Help: "which anomalies to keep: up (flag +1, what Sentinel's rules keep), down (-1) or both"},
			{Name: "value", Type: plugins.ArgString, Default: "auto", Help: "the value column: auto for the last aggregate"},
			{Name: "bin", Type: plugins.ArgDuration, Default: "auto", Words: []string{"auto"}, Help: "the bucket width: auto for the query's bin(...), else inferred from the times"},
			{Name: "fill", Type: plugins.ArgString, Default: "zero", Words: []string{"zero", "0", "none"}, Help: "what a missing bucket is: zero (make-series' default=0) or none (the series is its rows, as make_list)"},
		},
		Help:    "buckets of a timeline that their series' decomposition does not explain (KQL's series_decompose_anomalies)",
		Example: "count where status=failure since 7d group by user, bin(1h) | anomalies k=2.5 trend=linefit",
		Output:  []string{"KEYS", "time", "VALUE", "baseline", "score", "flag", "OTHERS"},
	}
}

func (anomalies) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	r := &anomalies{k: args.Float("k"), trend: args.Word("trend"), period: int(args.Int("period")),
		test: int(args.Int("test")), bin: int64(args.Duration("bin")), fill: args.Word("fill") != "none"} // bin auto is 0
	if r.period < 0 {
		return nil, args.Error("period", "is autodetection (series_periods_detect), which is not implemented: its scores are not documented; give the period in buckets (24 for a day of 1h buckets), or 0 for none")
	}
	r.lo, r.hi = 10, 90
	if args.Word("method") == "tukey" {
		r.lo, r.hi = 25, 75
	}
	switch args.Word("direction") {
	case "up":
		r.up = true
	case "down":
		r.down = true
	default:
		r.up, r.down = true, true
	}
	var err error
	if r.timeline, err = timelineOf(in, args.Text("value"), "anomalies"); err != nil {
		return nil, err
	}
	r.bin = r.binOf(in, r.bin)
	r.valueCol = in[r.value]
	r.cols = r.output(in, []result.Column{in[r.time], in[r.value],
		{Name: "baseline", Kind: signin.KindFloat},
		{Name: "score", Kind: signin.KindFloat},
		{Name: "flag", Kind: signin.KindInt}}, true)
	return r, nil
}

func (r *anomalies) Columns() []result.Column { return r.cols }

func (r *anomalies) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	order, times, err := r.read(ctx, in)
	if err != nil || len(times) == 0 {
		return err
	}
	var b buckets
	if r.fill {
		if b, err = filled(times, r.bin, env); err != nil {
			return err
		}
	}
	type anomaly struct {
		s                  *series
		t                  int64
		row                []result.Value // nil for a filled bucket
		v, baseline, score float64
		flag               int64
	}
	var found []anomaly
	var x, base []float64
	var rows [][]result.Value
	var at []int64
	for _, s := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		if x, rows, at, err = b.array(s, r.fill, x, rows, at, "anomalies"); err != nil {
			return err
		}
		if len(x) <= r.test {
			continue // nothing to learn from
		}
		base = grow(base, len(x))
		score := decompose(x, len(x)-r.test, r.period, r.trend, base) // the residuals,
		outliers(score, r.lo, r.hi, largest(x))                       // scored
		tie := 1e-9 * max(1, r.k)                                     // a score this close to k is on it, however rounding leans
		for i, sc := range score {
			flag := int64(0)
			switch {
			case sc > r.k+tie:
				flag = 1
			case sc < -r.k-tie:
				flag = -1
			}
			if flag > 0 && r.up || flag < 0 && r.down {
				found = append(found, anomaly{s: s, t: at[i], row: rows[i], v: x[i], baseline: base[i], score: sc, flag: flag})
			}
		}
	}
	slices.SortStableFunc(found, func(a, b anomaly) int {
		if c := cmp.Compare(display(math.Abs(b.score)), display(math.Abs(a.score))); c != 0 {
			return c
		}
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		for i := range a.s.keys {
			if c := result.Compare(a.s.keys[i], b.s.keys[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	for _, f := range found {
		row := slices.Clone(f.s.keys)
		tm, v := result.TimeValue(time.Unix(0, f.t).UTC()), result.FloatValue(0)
		if r.valueCol.Kind == signin.KindInt {
			v = result.IntValue(0)
		}
		if f.row != nil {
			tm, v = f.row[r.time], f.row[r.value]
		}
		row = append(row, tm, v, result.FloatValue(display(f.baseline)), result.FloatValue(display(f.score)), result.IntValue(f.flag))
		for _, i := range r.others {
			if f.row != nil {
				row = append(row, f.row[i])
			} else {
				row = append(row, result.Null(r.cols[len(row)].Kind))
			}
		}
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// index is the bucket holding time t, and false when t is off the grid.
func (b buckets) index(t int64) (int, bool) {
	if b.width == 0 {
		i, ok := slices.BinarySearch(b.times, t)
		return i, ok
	}
	if t < b.lo {
		return 0, false
	}
	d := uint64(t) - uint64(b.lo) // t - lo without overflow
	if d%uint64(b.width) != 0 || d/uint64(b.width) >= uint64(b.n) {
		return 0, false
	}
	return int(d / uint64(b.width)), true
}

// decompose sets baseline to the seasonal and trend parts of x (see
// anomalies), learned from its first learn points, and returns the
// residuals x - baseline in a new slice.
func decompose(x []float64, learn, period int, trend string, baseline []float64) []float64 {
	n := len(x)
	learn = min(max(learn, 0), n)
	clear(baseline)
	if period > 0 {
		var phase []float64
		for j := 0; j < period && j < n; j++ {
			phase = phase[:0]
			for i := j; i < learn; i += period {
				phase = append(phase, x[i])
			}
			m := 0.0 // a phase without learning points has no seasonal part
			if len(phase) > 0 {
				slices.Sort(phase)
				m = medianOf(phase, 0, 0)
			}
			for i := j; i < n; i += period {
				baseline[i] = m
			}
		}
	}
	if learn > 0 {
		switch trend {
		case "avg":
			mean := 0.0
			for i := range learn {
				mean += x[i] - baseline[i]
			}
			mean /= float64(learn)
			for i := range baseline {
				baseline[i] += mean
			}
		case "linefit":
			slope, icept := fitLine(x[:learn], baseline[:learn])
			for i := range baseline {
				baseline[i] += icept + slope*float64(i)
			}
		}
	}
	res := make([]float64, n)
	for i := range x {
		res[i] = x[i] - baseline[i]
	}
	return res
}

// fitLine returns the least-squares line y = slope·i + icept through the
// points (i, x[i] - seasonal[i]), i from 0; a single point has slope 0.
func fitLine(x, seasonal []float64) (slope, icept float64) {
	n := float64(len(x))
	mi := (n - 1) / 2 // the mean of 0..n-1
	my := 0.0
	for i := range x {
		my += x[i] - seasonal[i]
	}
	my /= n
	var sxy, sxx float64
	for i := range x {
		d := float64(i) - mi
		sxy += d * (x[i] - seasonal[i] - my)
		sxx += d * d
	}
	if sxx > 0 {
		slope = sxy / sxx
	}
	return slope, my - slope*mi
}

// outliers replaces the residuals r by their scores (see anomalies): by
// the fences at the lo-th and hi-th nearest-rank percentiles of r; scale
// is the series' largest magnitude, below 1e-9 of which a range counts as
// 0.
func outliers(r []float64, lo, hi int, scale float64) {
	if len(r) == 0 {
		return
	}
	sorted := slices.Sorted(slices.Values(r))
	plo, phi := nearestRank(sorted, lo), nearestRank(sorted, hi)
	iqr := phi - plo
	for i, v := range r {
		switch {
		case !(iqr > 1e-9*scale):
			r[i] = 0
		case v > phi:
			r[i] = (v - phi) / iqr
		case v < plo:
			r[i] = (v - plo) / iqr
		default:
			r[i] = 0
		}
	}
}

// nearestRank is the p-th percentile (0 < p < 100) of sorted by nearest
// rank: its ⌈p·n/100⌉-th value.
func nearestRank(sorted []float64, p int) float64 {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}

// display rounds x to 4 decimals, as the true value would round: first
// to 10 significant digits, so that rounding noise (about 1e-12 of the
// value with a line extrapolated) does not tip a value whose fifth
// decimal is exactly 5 (3.46875, common with scores of small counts) the
// other way. From a million up, 10 digits hold fewer than 4 decimals.
func display(x float64) float64 {
	y, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 10, 64), 64)
	if err != nil {
		return round(x)
	}
	return round(y)
}

// largest is the largest magnitude in x.
func largest(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}

// grow returns s with length n, reusing its array when it can.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
