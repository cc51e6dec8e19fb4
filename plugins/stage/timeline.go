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
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// A timeline is where the series of the stages that read timelines
// (spikes, anomalies) are in their input: the rows of an aggregate query
// grouped by bin(...) and other keys. Each key's rows form a series of
// (time, value) points.
type timeline struct {
	time   int   // the time column: the bin
	value  int   // the value column
	keys   []int // the series' keys
	others []int // the input's other columns, passed through
}

// timelineOf finds a timeline in a stage's input: the time, the value
// (the column named value, unless it is auto), the keys of the series,
// and the others, which pass through. An aggregate query's rows say which
// columns are its group keys (result.Column.Key): the time is the
// bin key (else a key holding the time field, else a key of times), the
// series are the other keys, and the value is by default the last number
// among the aggregates. Rows that do not say (a stage's) have as time the
// first column holding the time field, else the first of times; as keys
// the columns holding a catalog field; as value by default the last
// number that holds none. stage names the stage in the errors' examples.
func timelineOf(in []result.Column, value, stage string) (timeline, error) {
	keyed := slices.ContainsFunc(in, func(c result.Column) bool { return c.Key })
	isKey := func(c result.Column) bool { return c.Key || !keyed && c.Field != "" }
	tl := timeline{time: -1, value: -1}
	for _, want := range []func(c result.Column) bool{
		func(c result.Column) bool { return c.Key && c.Bin > 0 },
		func(c result.Column) bool { return c.Key == keyed && strings.EqualFold(c.Field, "time") },
		func(c result.Column) bool { return c.Key == keyed },
	} {
		for i, c := range in {
			if tl.time < 0 && c.Kind == signin.KindTime && want(c) {
				tl.time = i
			}
		}
	}
	if tl.time < 0 {
		return tl, fmt.Errorf("needs a timeline: an aggregate query grouped by bin(...), as in count since 7d group by bin(1h) | %s", stage)
	}
	number := func(c result.Column) bool { return c.Kind == signin.KindInt || c.Kind == signin.KindFloat }
	if !strings.EqualFold(value, "auto") {
		for i, c := range in {
			if strings.EqualFold(c.Name, value) && i != tl.time {
				tl.value = i
			}
		}
		switch {
		case tl.value < 0:
			return tl, fmt.Errorf("has no column %q to take values from", value)
		case !number(in[tl.value]):
			return tl, fmt.Errorf("column %s holds %s values, not numbers", in[tl.value].Name, in[tl.value].Kind)
		case in[tl.value].Key:
			return tl, fmt.Errorf("column %s is a group key, which makes the series; its value is an aggregate", in[tl.value].Name)
		}
	} else {
		for i, c := range in {
			if i != tl.time && number(c) && !isKey(c) {
				tl.value = i
			}
		}
		if tl.value < 0 {
			return tl, errors.New("needs a number to look at: an aggregate such as count, or value=NAME")
		}
	}
	for i, c := range in {
		switch {
		case i == tl.time || i == tl.value:
		case isKey(c):
			tl.keys = append(tl.keys, i)
		default:
			tl.others = append(tl.others, i)
		}
	}
	return tl, nil
}

// point is one bucket of a series.
type point struct {
	t   int64
	v   float64
	row []result.Value
}

// series is one key's buckets, in the order of the input.
type series struct {
	keys   []result.Value
	points []point
}

// read groups the input's rows into series, in the order their keys
// first come, and returns the times of all their points (unsorted, with
// repeats). Rows whose time or value is null, or whose value is not a
// finite number, are left out.
func (tl timeline) read(ctx context.Context, in iter.Seq[[]result.Value]) (order []*series, times []int64, err error) {
	byKey := map[string]*series{}
	var kb strings.Builder
	n := 0
	for row := range in {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		tv, vv := row[tl.time], row[tl.value]
		if tv.IsNull() || tv.Kind() != signin.KindTime || vv.IsNull() || vv.Kind() != signin.KindInt && vv.Kind() != signin.KindFloat {
			continue
		}
		v := vv.Float()
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		kb.Reset()
		for _, i := range tl.keys {
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
			for _, i := range tl.keys {
				s.keys = append(s.keys, row[i])
			}
			byKey[kb.String()] = s
			order = append(order, s)
		}
		t := tv.Time().UnixNano()
		s.points = append(s.points, point{t: t, v: v, row: row})
		times = append(times, t)
	}
	return order, times, nil
}

// buckets is the grid of a timeline's window: the query's time window
// cut into buckets of the bin's width, which a missing bucket of a series
// is part of (make-series' default=0).
type buckets struct {
	lo    int64   // the first bucket's start
	width int64   // nanoseconds; 0 when the times make no grid
	n     int64   // how many buckets
	times []int64 // the input's distinct times, sorted
}

// window returns the buckets of a timeline's window: the query's
// [From, To) when it has both ends, else from the first to the last
// bucket of the input (all keys together), on the grid through the first
// time with step bin, else with step the greatest common divisor of the
// gaps between the input's distinct times (the bin, or a multiple of it
// when no two buckets are ever adjacent). With no grid (a single time, or
// times too far apart for an int64), width is 0 and the buckets are the
// distinct times. It sorts times.
func window(times []int64, bin int64, env *plugins.Env) buckets {
	slices.Sort(times)
	times = slices.Compact(times)
	b := buckets{times: times, n: int64(len(times))}
	if len(times) == 0 {
		return b
	}
	width := bin
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
	if width <= 0 {
		return b
	}
	lo, hi := times[0], times[len(times)-1]
	if env != nil && env.From != math.MinInt64 && env.To != math.MaxInt64 && env.From < env.To {
		// The buckets overlapping [From, To), on the grid of the
		// input's times.
		if a, ok := grid(times[0], width, env.From); ok {
			lo = min(lo, a)
		}
		if c, ok := grid(times[0], width, env.To-1); ok {
			hi = max(hi, c)
		}
	}
	if lo >= 0 || hi <= math.MaxInt64+lo {
		if span := (hi - lo) / width; span >= 0 && span < math.MaxInt32 {
			b.lo, b.width, b.n = lo, width, max(b.n, span+1)
		}
	}
	return b
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

// array lays a series out as arrays: x[i] is bucket i's value, rows[i]
// its row (nil when filled), at[i] its time; with fill, every bucket of
// the window b, the missing ones 0, else the series' points in time
// order. It reuses the slices given. Two rows of one series in one
// bucket, or a time off the window's grid, are errors naming stage.
func (b buckets) array(s *series, fill bool, x []float64, rows [][]result.Value, at []int64, stage string) ([]float64, [][]result.Value, []int64, error) {
	if fill {
		x, rows, at = grow(x, int(b.n)), grow(rows, int(b.n)), grow(at, int(b.n))
		for i := range x {
			x[i], rows[i] = 0, nil
			if b.width > 0 {
				at[i] = b.lo + int64(i)*b.width
			} else {
				at[i] = b.times[i]
			}
		}
	} else {
		slices.SortStableFunc(s.points, func(p, q point) int { return cmp.Compare(p.t, q.t) })
		x, rows, at = x[:0], rows[:0], at[:0]
	}
	for _, p := range s.points {
		i := len(x)
		if fill {
			var ok bool
			if i, ok = b.index(p.t); !ok {
				return nil, nil, nil, fmt.Errorf("the input's times are not on a grid of bin=%v: give the bin the query groups by", time.Duration(b.width))
			}
		} else {
			x, rows, at = append(x, 0), append(rows, nil), append(at, p.t)
		}
		if rows[i] != nil || !fill && i > 0 && at[i-1] == p.t {
			return nil, nil, nil, fmt.Errorf("two rows of one series at %s: %s reads one row per series and bucket", time.Unix(0, p.t).UTC().Format(time.RFC3339), stage)
		}
		x[i], rows[i] = p.v, p.row
	}
	return x, rows, at, nil
}

// output is the columns of a stage that reads the timeline: its keys,
// then own, then, with others, the input's other columns, which pass
// through.
func (tl timeline) output(in []result.Column, own []result.Column, others bool) []result.Column {
	var cols []result.Column
	for _, i := range tl.keys {
		cols = append(cols, in[i])
	}
	cols = append(cols, own...)
	if others {
		for _, i := range tl.others {
			cols = append(cols, in[i])
		}
	}
	return cols
}

// binOf is a stage's bucket width: bin when given, else the query's
// bin(...) when the time column says it (whatever gaps the rows leave),
// else 0, for window to infer from the times.
func (tl timeline) binOf(in []result.Column, bin int64) int64 {
	if bin == 0 && in[tl.time].Bin > 0 {
		return int64(in[tl.time].Bin)
	}
	return bin
}

// filled returns the window of times that a series filled with zeros
// spans, or an error when it holds more than maxBuckets buckets.
func filled(times []int64, bin int64, env *plugins.Env) (buckets, error) {
	b := window(times, bin, env)
	if b.n > maxBuckets {
		return b, fmt.Errorf("the window holds %d buckets of %v, more than %d: give a wider bin", b.n, time.Duration(b.width), maxBuckets)
	}
	return b, nil
}
