package stage

import (
	"cmp"
	"context"
	"iter"
	"slices"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// trend fits a line to each series of a timeline, as KQL's
// series_fit_line does (https://learn.microsoft.com/kusto/query/series-fit-line-function):
// for the analytic questions that rank keys by how steeply a count rises
// over a range (Microsoft Sentinel's hunting query Anomalous sign-in
// location by user account and authenticating application ranks user
// and application pairs by the slope of their daily count of places).
//
// Its input is a timeline as anomalies and spikes read it (timeline.go):
// an aggregate's rows grouped by bin(...) and other keys, each key's rows
// a series, the value by default the last aggregate, a missing bucket of
// the query's window 0 (make-series' default) unless fill=none.
//
// Each series gives one row: the keys, then
//
//	slope      the least-squares line's rise per bucket
//	intercept  the line at the bucket before the first: KQL's
//	           interception, whose x counts buckets from 1
//	rsquare    1 - (residual sum of squares)/(total sum of squares), in
//	           [0, 1]; 1 for a series the line fits exactly, a constant
//	           one included
//	buckets    the points fitted
//
// printed to four places (display). Rows are ordered by the slope as
// printed, steepest rise first, then the keys.
//
// Its zero value is the stage; Bind returns a *trend holding the
// arguments and the input's columns, which runs.
type trend struct {
	bin  int64
	fill bool
	timeline
	cols []result.Column
}

var (
	_ plugins.Stage  = trend{}
	_ plugins.Runner = (*trend)(nil)
)

func (trend) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "trend", Kind: plugins.KindStage,
		Args: []plugins.Arg{
			{Name: "value", Type: plugins.ArgString, Default: "auto", Help: "the value column: auto for the last aggregate"},
			{Name: "bin", Type: plugins.ArgDuration, Default: "auto", Words: []string{"auto"}, Help: "the bucket width: auto for the query's bin(...), else inferred from the times"},
			{Name: "fill", Type: plugins.ArgString, Default: "zero", Words: []string{"zero", "0", "none"}, Help: "what a missing bucket is: zero (make-series' default=0) or none (the series is its rows, as make_list)"},
		},
		Help:    "the least-squares line of each series of a timeline: its slope per bucket, intercept and R² (KQL's series_fit_line)",
		Example: "dcount(city) as cities where type=interactive since 14d group by user, app, bin(1d) | trend | limit 3",
		Output:  []string{"KEYS", "slope", "intercept", "rsquare", "buckets"},
	}
}

func (trend) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	r := &trend{bin: int64(args.Duration("bin")), fill: args.Word("fill") != "none"} // bin auto is 0
	var err error
	if r.timeline, err = timelineOf(in, args.Text("value"), "trend"); err != nil {
		return nil, err
	}
	r.bin = r.binOf(in, r.bin)
	r.cols = r.output(in, []result.Column{
		{Name: "slope", Kind: signin.KindFloat},
		{Name: "intercept", Kind: signin.KindFloat},
		{Name: "rsquare", Kind: signin.KindFloat},
		{Name: "buckets", Kind: signin.KindInt}}, false)
	return r, nil
}

func (r *trend) Columns() []result.Column { return r.cols }

func (r *trend) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
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
	type fit struct {
		s                     *series
		slope, icept, rsquare float64
		n                     int
	}
	var fits []fit
	var x []float64
	var rows [][]result.Value
	var at []int64
	for _, s := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		if x, rows, at, err = b.array(s, r.fill, x, rows, at, "trend"); err != nil {
			return err
		}
		slope, icept := fitLine(x, make([]float64, len(x)))
		fits = append(fits, fit{s: s, slope: slope, icept: icept - slope, rsquare: rsquare(x, slope, icept), n: len(x)})
	}
	slices.SortStableFunc(fits, func(a, b fit) int {
		if c := cmp.Compare(display(b.slope), display(a.slope)); c != 0 {
			return c
		}
		for i := range a.s.keys {
			if c := result.Compare(a.s.keys[i], b.s.keys[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	for _, f := range fits {
		row := append(slices.Clone(f.s.keys), result.FloatValue(display(f.slope)), result.FloatValue(display(f.icept)),
			result.FloatValue(display(f.rsquare)), result.IntValue(int64(f.n)))
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// rsquare is the coefficient of determination of the line slope·i +
// icept (i from 0) for x: 1 - SSres/SStot, 1 when x is constant (the line
// fits it exactly), clamped to [0, 1] against rounding.
func rsquare(x []float64, slope, icept float64) float64 {
	if len(x) == 0 {
		return 1
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var res, tot float64
	for i, v := range x {
		d := v - (slope*float64(i) + icept)
		res += d * d
		tot += (v - mean) * (v - mean)
	}
	if tot <= 1e-12*max(1, mean*mean)*float64(len(x)) {
		return 1
	}
	return min(1, max(0, 1-res/tot))
}
