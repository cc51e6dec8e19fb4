package query

// The naive evaluator's spikes stage (naive_test.go evaluates what comes
// before it): written from the stage's contract (plugins/spikes.go,
// docs/plugins.md) over an aggregate query's rows, with sorting and
// whole lists where the stage merges and counts, and its defaults read
// from the stage's descriptor.

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// naiveSpikes finds the spikes in an aggregate query's rows. The series
// are the rows' group keys other than the bin; each bucket of the query's
// window that a series lacks counts as 0 (fill=zero); a bucket is a spike
// when (value - median) / spread > k and value >= min, where the spread
// is 1.4826·MAD, else 1.2533 times the mean absolute deviation from the
// median.
func naiveSpikes(in *naiveResult, st *ast.Stage, q *ast.Query, now time.Time) (*naiveResult, error) {
	args, err := naiveStageArgs("spikes", st)
	if err != nil {
		return nil, err
	}
	k, err1 := strconv.ParseFloat(args["k"], 64)
	lowest, err2 := strconv.ParseFloat(args["min"], 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("naive: spikes k=%s min=%s", args["k"], args["min"])
	}
	var width time.Duration
	if b := args["bin"]; !strings.EqualFold(b, "auto") {
		if width, err = naiveSpikesDuration(b); err != nil {
			return nil, err
		}
	}
	fill := strings.EqualFold(args["fill"], "zero")

	// The columns: the bin is the time; the series' keys are the other
	// keys; the value is the last number among the others, or the one
	// named; the rest pass through.
	cols := in.Columns
	tm, val := -1, -1
	for i, c := range cols {
		if c.Key && c.Bin > 0 {
			tm = i
		}
	}
	if tm < 0 {
		return nil, fmt.Errorf("naive: spikes without a bin key")
	}
	isNumber := func(c result.Column) bool { return c.Kind == signin.KindInt || c.Kind == signin.KindFloat }
	for i, c := range cols {
		switch v := args["value"]; {
		case strings.EqualFold(v, "auto") && isNumber(c) && !c.Key:
			val = i
		case strings.EqualFold(c.Name, v) && isNumber(c) && !c.Key:
			val = i
		}
	}
	if val < 0 {
		return nil, fmt.Errorf("naive: spikes has no value column")
	}
	var keys, others []int
	for i, c := range cols {
		switch {
		case i == tm || i == val:
		case c.Key:
			keys = append(keys, i)
		default:
			others = append(others, i)
		}
	}

	// The buckets of each series.
	all, times := naiveSeriesOf(in.Rows, keys, tm, val)
	out := &naiveResult{Result: &result.Result{Rows: [][]result.Value{}}}
	for _, i := range keys {
		out.Columns = append(out.Columns, cols[i])
	}
	out.Columns = append(out.Columns, cols[tm], cols[val],
		result.Column{Name: "median", Kind: signin.KindFloat},
		result.Column{Name: "mad", Kind: signin.KindFloat},
		result.Column{Name: "score", Kind: signin.KindFloat})
	for _, i := range others {
		out.Columns = append(out.Columns, cols[i])
	}
	score := len(keys) + 4
	out.Order = []naiveSortKey{{col: score, desc: true}, {col: len(keys)}}
	for i := range keys {
		out.Order = append(out.Order, naiveSortKey{col: i})
	}
	if len(times) == 0 {
		out.All = out.Rows
		return out, nil
	}

	// How many buckets the window has: the input's distinct times, and
	// with a bucket width (given, else the greatest common divisor of the
	// gaps between the times) every bucket from the first to the last,
	// and those of the query's range when it has both ends.
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	times = slices.CompactFunc(times, func(a, b time.Time) bool { return a.Equal(b) })
	buckets := len(times)
	if width == 0 {
		for i := 1; i < len(times); i++ {
			width = naiveGCD(width, times[i].Sub(times[i-1]))
		}
	}
	if fill && width > 0 {
		first, last := times[0], times[len(times)-1]
		var from, to time.Time // the query's range, [from, to)
		switch {
		case q.Between[0] != nil:
			from, _ = naiveInstant(q.Between[0].Text)
			to, _ = naiveInstant(q.Between[1].Text)
		case q.Since != nil: // since ends at now, which it includes
			if d, ok := naiveDuration(q.Since.Text); ok {
				from = now.Add(-d)
			} else {
				from, _ = naiveInstant(q.Since.Text)
			}
			to = now.Add(time.Nanosecond)
		}
		if !to.IsZero() {
			// The buckets holding from and the last instant before to,
			// on the grid of the input's times.
			grid := func(t time.Time) time.Time {
				n := t.Sub(times[0]) / width
				if t.Before(times[0].Add(n * width)) {
					n--
				}
				return times[0].Add(n * width)
			}
			if f := grid(from); f.Before(first) {
				first = f
			}
			if l := grid(to.Add(-time.Nanosecond)); l.After(last) {
				last = l
			}
		}
		buckets = max(buckets, int(last.Sub(first)/width)+1)
	}

	type spike struct {
		row []result.Value
		z   float64 // the score, before it is rounded
	}
	var found []spike
	for _, s := range all {
		present := map[time.Time]bool{}
		var vals []float64
		for _, p := range s.points {
			vals = append(vals, p.v)
			present[p.t] = true
		}
		if fill {
			for range max(0, buckets-len(present)) {
				vals = append(vals, 0)
			}
		}
		median := naiveMedian(vals)
		var devs []float64
		sum := 0.0
		for _, v := range vals {
			devs = append(devs, math.Abs(v-median))
			sum += math.Abs(v - median)
		}
		mad := naiveMedian(devs)
		spread := 1.4826 * mad
		if mad == 0 {
			spread = 1.2533 * sum / float64(len(vals))
		}
		if spread == 0 {
			continue // a flat series
		}
		for _, p := range s.points {
			z := (p.v - median) / spread
			if z > k && p.v >= lowest {
				row := slices.Clone(s.key)
				row = append(row, p.row[tm], p.row[val], naiveRound4(median), naiveRound4(mad), naiveRound4(z))
				for _, i := range others {
					row = append(row, p.row[i])
				}
				found = append(found, spike{row, z})
			}
		}
	}
	// By score as printed (rounded to four places), highest first, then
	// time and keys.
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i].row, found[j].row
		if x, y := math.Round(found[i].z*1e4), math.Round(found[j].z*1e4); x != y {
			return x > y
		}
		if c := result.Compare(a[len(keys)], b[len(keys)]); c != 0 {
			return c < 0
		}
		for i := range keys {
			if c := result.Compare(a[i], b[i]); c != 0 {
				return c < 0
			}
		}
		return false
	})
	for _, f := range found {
		out.Rows = append(out.Rows, f.row)
	}
	out.All = out.Rows
	return out, nil
}

// naiveStageArgs reads a stage's arguments as the language documents
// them: positional in the descriptor's order, name=value, or a word
// naming an argument before its value; the others at the descriptor's
// defaults.
func naiveStageArgs(name string, st *ast.Stage) (map[string]string, error) {
	p, ok := standard.Registry().Lookup(name)
	if !ok {
		return nil, fmt.Errorf("naive: no stage %s", name)
	}
	d := p.Describe()
	out := map[string]string{}
	next := 0
	for i := 0; i < len(st.Args); i++ {
		a := st.Args[i]
		arg, value := a.Name, a.Value.Text
		if arg == "" && i+1 < len(st.Args) && st.Args[i+1].Name == "" && slices.ContainsFunc(d.Args, func(x plugins.Arg) bool { return strings.EqualFold(x.Name, value) }) {
			arg, value = value, st.Args[i+1].Value.Text
			i++
		}
		if arg == "" {
			if next >= len(d.Args) {
				return nil, fmt.Errorf("naive: %s has too many arguments", name)
			}
			arg = d.Args[next].Name
			next++
		}
		out[strings.ToLower(arg)] = value
	}
	for _, a := range d.Args {
		if _, ok := out[strings.ToLower(a.Name)]; !ok {
			out[strings.ToLower(a.Name)] = a.Default
		}
	}
	return out, nil
}

// naiveSpikesDuration reads a duration the way a stage's argument is
// written: a whole number and a unit.
func naiveSpikesDuration(s string) (time.Duration, error) {
	if d, ok := naiveDuration(strings.ToLower(s)); ok && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("naive: bad duration %q", s)
}

func naiveGCD(a, b time.Duration) time.Duration {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// naiveMedian is the median of values: the middle one once sorted, or
// the mean of the middle two.
func naiveMedian(vals []float64) float64 {
	s := slices.Clone(vals)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// naiveRound4 rounds to 4 decimals, as spikes shows its figures.
func naiveRound4(x float64) result.Value {
	return result.FloatValue(math.Round(x*1e4) / 1e4)
}

// naivePoint is a bucket of a naive timeline: its time, its value and
// its row.
type naivePoint struct {
	t   time.Time
	v   float64
	row []result.Value
}

// naiveSeries is one key's buckets, in the order of the rows.
type naiveSeries struct {
	key    []result.Value
	points []naivePoint
}

// naiveSeriesOf groups rows into series by the key columns, in the
// order their keys first come, leaving out rows whose time or value
// (columns tm and val) is null or not a finite number; times are all
// the points' times, in the rows' order.
func naiveSeriesOf(rows [][]result.Value, keys []int, tm, val int) (all []*naiveSeries, times []time.Time) {
	byKey := map[string]*naiveSeries{}
	for _, row := range rows {
		t, v := row[tm], row[val]
		if t.IsNull() || v.IsNull() || math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
			continue
		}
		var kb []byte
		var key []result.Value
		for _, i := range keys {
			kb = append(naiveKey(kb, row[i]), 0xff)
			key = append(key, row[i])
		}
		s := byKey[string(kb)]
		if s == nil {
			s = &naiveSeries{key: key}
			byKey[string(kb)] = s
			all = append(all, s)
		}
		s.points = append(s.points, naivePoint{t.Time(), v.Float(), row})
		times = append(times, t.Time())
	}
	return all, times
}
