package stage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"

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
	k, min   float64
	bin      int64 // nanoseconds; 0 to infer
	fill     bool
	time     int
	value    int
	keys     []int // the series' keys
	others   []int // the input's other columns, passed through
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
	r := &spikes{time: -1, value: -1, k: args.Float("k"), min: args.Float("min"),
		bin: int64(args.Duration("bin")), fill: args.Word("fill") != "none"} // bin auto is 0
	var err error
	if r.time, r.value, r.keys, r.others, err = r.columnsOf(in, args.Text("value")); err != nil {
		return nil, err
	}
	for _, i := range r.keys {
		r.cols = append(r.cols, in[i])
	}
	r.valueCol = in[r.value]
	r.cols = append(r.cols, in[r.time], in[r.value],
		result.Column{Name: "median", Kind: signin.KindFloat},
		result.Column{Name: "mad", Kind: signin.KindFloat},
		result.Column{Name: "score", Kind: signin.KindFloat})
	for _, i := range r.others {
		r.cols = append(r.cols, in[i])
	}
	return r, nil
}

// columnsOf finds spikes' columns in its input: the time, the value (the
// column named value, unless it is auto), the keys of the series, and
// the others, which pass through. An aggregate query's rows say which
// columns are its group keys (result.Column.Key): the time is the
// bin key (else a key holding the time field, else a key of times), the
// series are the other keys, and the value is by default the last number
// among the aggregates. Rows that do not say (a stage's) have as time the
// first column holding the time field, else the first of times; as keys
// the columns holding a catalog field; as value by default the last
// number that holds none.
func (spikes) columnsOf(in []result.Column, value string) (tm, val int, keys, others []int, err error) {
	keyed := slices.ContainsFunc(in, func(c result.Column) bool { return c.Key })
	isKey := func(c result.Column) bool { return c.Key || !keyed && c.Field != "" }
	tm = -1
	for _, want := range []func(c result.Column) bool{
		func(c result.Column) bool { return c.Key && c.Bin > 0 },
		func(c result.Column) bool { return c.Key == keyed && strings.EqualFold(c.Field, "time") },
		func(c result.Column) bool { return c.Key == keyed },
	} {
		for i, c := range in {
			if tm < 0 && c.Kind == signin.KindTime && want(c) {
				tm = i
			}
		}
	}
	if tm < 0 {
		return 0, 0, nil, nil, errors.New("needs a timeline: an aggregate query grouped by bin(...), as in count since 7d group by bin(1h) | spikes")
	}
	number := func(c result.Column) bool { return c.Kind == signin.KindInt || c.Kind == signin.KindFloat }
	val = -1
	if !strings.EqualFold(value, "auto") {
		for i, c := range in {
			if strings.EqualFold(c.Name, value) && i != tm {
				val = i
			}
		}
		switch {
		case val < 0:
			return 0, 0, nil, nil, fmt.Errorf("has no column %q to take values from", value)
		case !number(in[val]):
			return 0, 0, nil, nil, fmt.Errorf("column %s holds %s values, not numbers", in[val].Name, in[val].Kind)
		case in[val].Key:
			return 0, 0, nil, nil, fmt.Errorf("column %s is a group key, which makes the series; its value is an aggregate", in[val].Name)
		}
	} else {
		for i, c := range in {
			if i != tm && number(c) && !isKey(c) {
				val = i
			}
		}
		if val < 0 {
			return 0, 0, nil, nil, errors.New("needs a number to look at: an aggregate such as count, or value=NAME")
		}
	}
	for i, c := range in {
		switch {
		case i == tm || i == val:
		case isKey(c):
			keys = append(keys, i)
		default:
			others = append(others, i)
		}
	}
	return tm, val, keys, others, nil
}

func (r *spikes) Columns() []result.Column { return r.cols }

// point is one bucket of a series.
type point struct {
	t   int64
	v   float64
	row []result.Value
}

// series is one key's buckets.
type series struct {
	keys   []result.Value
	points []point
}

func (r *spikes) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	byKey := map[string]*series{}
	var order []*series
	var times []int64
	var kb strings.Builder
	n := 0
	for row := range in {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tv, vv := row[r.time], row[r.value]
		if tv.IsNull() || tv.Kind() != signin.KindTime || vv.IsNull() || vv.Kind() != signin.KindInt && vv.Kind() != signin.KindFloat {
			continue
		}
		v := vv.Float()
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		kb.Reset()
		for _, i := range r.keys {
			if row[i].IsNull() {
				kb.WriteString("\x01")
			} else {
				kb.WriteString(row[i].String())
			}
			kb.WriteByte(0)
		}
		s := byKey[kb.String()]
		if s == nil {
			s = &series{}
			for _, i := range r.keys {
				s.keys = append(s.keys, row[i])
			}
			byKey[kb.String()] = s
			order = append(order, s)
		}
		t := tv.Time().UnixNano()
		s.points = append(s.points, point{t: t, v: v, row: row})
		times = append(times, t)
	}
	if len(times) == 0 {
		return nil
	}
	// The window's buckets, for filling.
	buckets := int64(0)
	if r.fill {
		slices.Sort(times)
		times = slices.Compact(times)
		width := r.bin
		if width == 0 {
			for i := 1; i < len(times); i++ {
				d := times[i] - times[i-1]
				if d <= 0 { // an overflow: times too far apart to fill
					width = 0
					break
				}
				width = gcd(width, d)
			}
		}
		buckets = int64(len(times))
		if width > 0 {
			lo, hi := times[0], times[len(times)-1]
			if env != nil && env.From != math.MinInt64 && env.To != math.MaxInt64 && env.From < env.To {
				// The buckets overlapping [From, To), on the grid of the
				// input's times.
				if a, ok := grid(times[0], width, env.From); ok {
					lo = min(lo, a)
				}
				if b, ok := grid(times[0], width, env.To-1); ok {
					hi = max(hi, b)
				}
			}
			if lo >= 0 || hi <= math.MaxInt64+lo {
				if span := (hi - lo) / width; span >= 0 && span < math.MaxInt32 {
					buckets = max(buckets, span+1)
				}
			}
		}
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

// gcd is the greatest common divisor of two non-negative numbers.
func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// grid returns the start of the bucket holding t on the grid through
// base with step width, and false when that does not fit in an int64.
func grid(base, width, t int64) (int64, bool) {
	if base > 0 && t < math.MinInt64+base || base < 0 && t > math.MaxInt64+base {
		return 0, false
	}
	d := t - base
	q := d / width
	if d%width != 0 && d < 0 {
		q--
	}
	off := q * width
	if q != 0 && off/q != width {
		return 0, false
	}
	r := base + off
	if off > 0 && r < base || off < 0 && r > base {
		return 0, false
	}
	return r, true
}

// round rounds to 4 decimals, for display.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }
