package stage

import (
	"cmp"
	"context"
	"iter"
	"math"
	"slices"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// spikes finds the buckets of a timeline that stand out: it reads the
// rows of an aggregate query grouped by bin(...) (and other keys), e.g.
// "count where status=failure since 7d group by app, bin(1h) | spikes".
//
// Its input has a time column (the bin key), a value column (the value
// argument, else the last number among the aggregates), and the series'
// keys: exactly the query's group keys other than the bin (fields, and
// functions of one such as hour(time)), as its columns say
// (result.Column.Key; see columnsOf for rows that do not say).
// Other aggregates (values(ip), max(time)) are not keys: they pass
// through, as the spike's row has them. Each key's buckets form a
// series; a bucket is a spike when its value is above the series' median
// plus k times its robust spread, and at least min:
//
//	score = (value - median) / (1.4826 · MAD)
//
// MAD is the median absolute deviation from the median, and 1.4826·MAD
// estimates the standard deviation of normal data. When MAD is 0 (more
// than half the buckets have the same value, a series mostly empty), the
// spread is 1.2533 times the mean absolute deviation instead (Iglewicz
// and Hoaglin's modified z-score); when that is 0 too the series is flat
// and has no spike.
//
// An aggregate holds only the buckets with sign-ins, but an empty hour is
// part of the baseline: with fill=zero (the default) every bucket of the
// query's time window missing from a key's series counts as 0. The
// window is the query's [from, to) when it has both ends, else from the
// first to the last bucket of the input (all keys together). The bucket
// width is the bin argument, else inferred: the greatest common divisor
// of the gaps between the input's distinct times (which is the bin, or a
// multiple of it when no two buckets are ever adjacent: then the missing
// zeros between are not counted, and the baseline leans higher; an input
// of a single time has no gap, and nothing is filled). With
// fill=none only the buckets present count (for averages, where no
// sign-in is no value rather than 0). Rows whose value is null are left
// out.
//
// Arguments, positional in this order or named:
//
//	k      the threshold score: 3.5 by default, Iglewicz and Hoaglin's
//	       usual cut-off for outliers (NIST/SEMATECH e-Handbook of
//	       Statistical Methods, 1.3.5.17)
//	min    the least value a spike has: 10 by default, so that 3
//	       failures in a usually quiet hour are not a spike
//	value  the value column, by name: auto (the default) for the last
//	       aggregate
//	bin    the bucket width: auto (the default) to infer it, or 1h, 1d...
//	fill   zero (the default) or none: what a missing bucket is
//
// Each row is a spike: the keys, the time, the value, the series'
// median, its MAD (unscaled) and the score, then the input's other
// columns. Rows are ordered by score as printed (to four places), highest first, then time and keys.
//
// Its zero value is the stage; Bind returns a *spikes holding the
// arguments and the input's columns, which runs.
type spikes struct {
	k, min float64
	bin    int64 // nanoseconds; 0 to infer
	fill   bool
	timeline
	cols     []result.Column
	valueCol result.Column
}

var (
	_ plugins.Stage  = spikes{}
	_ plugins.Runner = (*spikes)(nil)
)

func (spikes) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "spikes", Kind: plugins.KindStage,
		Args: []plugins.Arg{
			{Name: "k", Type: plugins.ArgNumber, Default: "3.5", Min: "0",
				Help: "the score above which a bucket is a spike; 3.5: Iglewicz and Hoaglin's cut-off for outliers by the modified z-score (NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.5.17), near the 3 that Microsoft Sentinel's analytic rule Privileged Accounts - Sign in Failure Spikes gives its anomaly scores"},
			{Name: "min", Type: plugins.ArgNumber, Default: "10",
				Help: "the least value a spike has; 10: so that 3 failures in a usually quiet hour are not a spike, as that Sentinel rule leaves out hours whose baseline is 5 or less"},
			{Name: "value", Type: plugins.ArgString, Default: "auto", Help: "the value column: auto for the last aggregate"},
			{Name: "bin", Type: plugins.ArgDuration, Default: "auto", Words: []string{"auto"}, Help: "the bucket width: auto to infer it from the times"},
			{Name: "fill", Type: plugins.ArgString, Default: "zero", Words: []string{"zero", "0", "none"}, Help: "what a missing bucket is: zero or none"},
		},
		Help:    "buckets of a timeline far above their key's median (robust z-score)",
		Example: "count where status=failure since 7d group by app, bin(1h) | spikes",
		Output:  []string{"KEYS", "time", "VALUE", "median", "mad", "score", "OTHERS"},
	}
}

func (spikes) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	r := &spikes{k: args.Float("k"), min: args.Float("min"),
		bin: int64(args.Duration("bin")), fill: args.Word("fill") != "none"} // bin auto is 0
	var err error
	if r.timeline, err = timelineOf(in, args.Text("value"), "spikes"); err != nil {
		return nil, err
	}
	r.valueCol = in[r.value]
	r.cols = r.output(in, []result.Column{in[r.time], in[r.value],
		{Name: "median", Kind: signin.KindFloat},
		{Name: "mad", Kind: signin.KindFloat},
		{Name: "score", Kind: signin.KindFloat}}, true)
	return r, nil
}

func (r *spikes) Columns() []result.Column { return r.cols }

func (r *spikes) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	order, times, err := r.read(ctx, in)
	if err != nil || len(times) == 0 {
		return err
	}
	// The window's buckets, for filling.
	buckets := int64(0)
	if r.fill {
		buckets = window(times, r.bin, env).n
	}
	type spike struct {
		s                  *series
		p                  point
		median, mad, score float64
	}
	var found []spike
	vals := []float64{}
	for _, s := range order {
		vals = vals[:0]
		seen := map[int64]bool{}
		for _, p := range s.points {
			vals = append(vals, p.v)
			seen[p.t] = true
		}
		zeros := 0
		if r.fill {
			zeros = int(max(0, buckets-int64(len(seen))))
		}
		med, mad, scale := robust(vals, zeros)
		if scale == 0 {
			continue
		}
		for _, p := range s.points {
			score := (p.v - med) / scale
			if score > r.k && p.v >= r.min {
				found = append(found, spike{s: s, p: p, median: med, mad: mad, score: score})
			}
		}
	}
	// By score as printed (rounded: scores equal to the last printed digit
	// are ties however their floating-point noise differs), highest
	// first, then time and keys, so that the order is the data's alone.
	slices.SortStableFunc(found, func(a, b spike) int {
		if c := cmp.Compare(round(b.score), round(a.score)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.p.t, b.p.t); c != 0 {
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
		row = append(row, f.p.row[r.time], f.p.row[r.value],
			result.FloatValue(round(f.median)), result.FloatValue(round(f.mad)), result.FloatValue(round(f.score)))
		for _, i := range r.others {
			row = append(row, f.p.row[i])
		}
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// robust returns the median and MAD of vals plus zeros more zeros, and
// the spread a score divides by: 1.4826·MAD, else 1.2533 times the mean
// absolute deviation from the median, else 0 for a flat series. It sorts
// vals.
func robust(vals []float64, zeros int) (median, mad, scale float64) {
	slices.Sort(vals)
	n := len(vals) + zeros
	if n == 0 {
		return 0, 0, 0
	}
	median = medianOf(vals, zeros, 0)
	dev := make([]float64, len(vals))
	sum := float64(zeros) * math.Abs(median)
	for i, v := range vals {
		dev[i] = math.Abs(v - median)
		sum += dev[i]
	}
	slices.Sort(dev)
	mad = medianOf(dev, zeros, math.Abs(median))
	switch {
	case mad > 0:
		scale = 1.4826 * mad
	case sum > 0:
		scale = 1.2533 * sum / float64(n)
	}
	return median, mad, scale
}

// medianOf is the median of sorted plus extra copies of c.
func medianOf(sorted []float64, extra int, c float64) float64 {
	n := len(sorted) + extra
	if n%2 == 1 {
		return kth(sorted, extra, c, n/2)
	}
	return (kth(sorted, extra, c, n/2-1) + kth(sorted, extra, c, n/2)) / 2
}

// kth is the k-th smallest (from 0) of sorted plus extra copies of c.
func kth(sorted []float64, extra int, c float64, k int) float64 {
	i, _ := slices.BinarySearch(sorted, c) // the values below c
	switch {
	case k < i:
		return sorted[k]
	case k < i+extra:
		return c
	}
	return sorted[k-extra]
}
