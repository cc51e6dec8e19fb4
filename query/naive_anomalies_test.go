package query

// The naive evaluator's anomalies stage (naive_test.go evaluates what
// comes before it): written from the stage's contract
// (plugins/stage/anomalies.go, docs/plugins.md) over an aggregate query's
// rows, in exact rational arithmetic (math/big) where the stage computes
// in floats, with its defaults read from the stage's descriptor.

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// naiveAnomalies finds the anomalies in an aggregate query's rows: each
// series (the rows' group keys other than the bin) as an array over the
// query's window of bins (a missing bin 0, with fill=zero), its baseline
// the median of each phase of the period plus the mean or least-squares
// line of what the seasonal part leaves, learned from all but the last
// test points; its residuals scored beyond the nearest-rank percentiles
// 10 and 90 (or 25 and 75) in units of their distance; a flag when a score
// passes k (up), -k (down).
func naiveAnomalies(in *naiveResult, st *ast.Stage, q *ast.Query, now time.Time) (*naiveResult, error) {
	args, err := naiveStageArgs("anomalies", st)
	if err != nil {
		return nil, err
	}
	k, ok := new(big.Rat).SetString(args["k"])
	period, err1 := strconv.Atoi(args["period"])
	test, err2 := strconv.Atoi(args["test"])
	if !ok || err1 != nil || err2 != nil || period < 0 || test < 0 {
		return nil, fmt.Errorf("naive: anomalies k=%s period=%s test=%s", args["k"], args["period"], args["test"])
	}
	trend := strings.ToLower(args["trend"])
	lo, hi := 10, 90
	if strings.EqualFold(args["method"], "tukey") {
		lo, hi = 25, 75
	}
	direction := strings.ToLower(args["direction"])
	fill := !strings.EqualFold(args["fill"], "none")

	cols := in.Columns
	tm, val := -1, -1
	for i, c := range cols {
		if c.Key && c.Bin > 0 {
			tm = i
		}
	}
	if tm < 0 {
		return nil, fmt.Errorf("naive: anomalies without a bin key")
	}
	width := cols[tm].Bin
	if b := args["bin"]; !strings.EqualFold(b, "auto") {
		if width, err = naiveSpikesDuration(b); err != nil {
			return nil, err
		}
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
		return nil, fmt.Errorf("naive: anomalies has no value column")
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
	out := &naiveResult{Result: &result.Result{Rows: [][]result.Value{}}}
	for _, i := range keys {
		out.Columns = append(out.Columns, cols[i])
	}
	out.Columns = append(out.Columns, cols[tm], cols[val],
		result.Column{Name: "baseline", Kind: signin.KindFloat},
		result.Column{Name: "score", Kind: signin.KindFloat},
		result.Column{Name: "flag", Kind: signin.KindInt})
	for _, i := range others {
		out.Columns = append(out.Columns, cols[i])
	}
	if direction == "up" { // scores all positive: ordered by the score column
		out.Order = []naiveSortKey{{col: len(keys) + 3, desc: true}, {col: len(keys)}}
		for i := range keys {
			out.Order = append(out.Order, naiveSortKey{col: i})
		}
	}

	// The series, keyed as the naive group keys are.
	all, times := naiveSeriesOf(in.Rows, keys, tm, val)
	if len(times) == 0 {
		out.All = out.Rows
		return out, nil
	}
	// The window's bins: from the first to the last time, widened to the
	// bins holding the query's from and its last instant.
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	first, last := times[0], times[len(times)-1]
	var from, to time.Time
	switch {
	case q.Between[0] != nil:
		from, _ = naiveInstant(q.Between[0].Text)
		to, _ = naiveInstant(q.Between[1].Text)
	case q.Since != nil:
		if d, ok := naiveDuration(q.Since.Text); ok {
			from = now.Add(-d)
		} else {
			from, _ = naiveInstant(q.Since.Text)
		}
		to = now.Add(time.Nanosecond)
	}
	if !to.IsZero() && from.Before(to) {
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
	bins := int(last.Sub(first)/width) + 1

	type anomaly struct {
		key         []result.Value
		t           time.Time
		row         []result.Value
		base, score *big.Rat
		flag        int64
		absRounded  float64
	}
	var found []anomaly
	for _, s := range all {
		// The series as exact values, with their rows and times.
		var x []*big.Rat
		var rows [][]result.Value
		var at []time.Time
		if fill {
			for i := range bins {
				x = append(x, new(big.Rat))
				rows = append(rows, nil)
				at = append(at, first.Add(time.Duration(i)*width))
			}
			for _, p := range s.points {
				d := p.t.Sub(first)
				if d%width != 0 || rows[d/width] != nil {
					return nil, fmt.Errorf("naive: anomalies: %v off the bins or twice", p.t)
				}
				x[d/width] = new(big.Rat).SetFloat64(p.v)
				rows[d/width] = p.row
			}
		} else {
			pts := slices.Clone(s.points)
			sort.SliceStable(pts, func(i, j int) bool { return pts[i].t.Before(pts[j].t) })
			for _, p := range pts {
				x = append(x, new(big.Rat).SetFloat64(p.v))
				rows = append(rows, p.row)
				at = append(at, p.t)
			}
		}
		n := len(x)
		learn := n - test
		if learn < 1 {
			continue
		}
		// The seasonal part: the median of each phase's learning points.
		seasonal := make([]*big.Rat, n)
		for i := range seasonal {
			seasonal[i] = new(big.Rat)
		}
		if period > 0 {
			for j := 0; j < period; j++ {
				var phase []*big.Rat
				for i := j; i < learn; i += period {
					phase = append(phase, x[i])
				}
				if len(phase) == 0 {
					continue
				}
				slices.SortFunc(phase, func(a, b *big.Rat) int { return a.Cmp(b) })
				m := new(big.Rat).Set(phase[len(phase)/2])
				if len(phase)%2 == 0 {
					m.Add(m, phase[len(phase)/2-1])
					m.Quo(m, big.NewRat(2, 1))
				}
				for i := j; i < n; i += period {
					seasonal[i] = m
				}
			}
		}
		// The trend of the rest, over the learning points.
		rest := make([]*big.Rat, n)
		for i := range rest {
			rest[i] = new(big.Rat).Sub(x[i], seasonal[i])
		}
		slope, icept := new(big.Rat), new(big.Rat)
		switch trend {
		case "avg":
			for i := range learn {
				icept.Add(icept, rest[i])
			}
			icept.Quo(icept, big.NewRat(int64(learn), 1))
		case "linefit":
			// slope = (n·Σiy - Σi·Σy) / (n·Σi² - (Σi)²), icept = (Σy - slope·Σi) / n.
			var si, sy, sii, siy big.Rat
			for i := range learn {
				bi := big.NewRat(int64(i), 1)
				si.Add(&si, bi)
				sy.Add(&sy, rest[i])
				sii.Add(&sii, new(big.Rat).Mul(bi, bi))
				siy.Add(&siy, new(big.Rat).Mul(bi, rest[i]))
			}
			nn := big.NewRat(int64(learn), 1)
			den := new(big.Rat).Sub(new(big.Rat).Mul(nn, &sii), new(big.Rat).Mul(&si, &si))
			if den.Sign() != 0 {
				slope.Quo(new(big.Rat).Sub(new(big.Rat).Mul(nn, &siy), new(big.Rat).Mul(&si, &sy)), den)
			}
			icept.Quo(new(big.Rat).Sub(&sy, new(big.Rat).Mul(slope, &si)), nn)
		}
		base := make([]*big.Rat, n)
		res := make([]*big.Rat, n)
		scale := new(big.Rat)
		for i := range n {
			base[i] = new(big.Rat).Add(seasonal[i], new(big.Rat).Add(icept, new(big.Rat).Mul(slope, big.NewRat(int64(i), 1))))
			res[i] = new(big.Rat).Sub(x[i], base[i])
			if a := new(big.Rat).Abs(x[i]); a.Cmp(scale) > 0 {
				scale = a
			}
		}
		// Tukey's test on the residuals, by nearest-rank percentiles.
		sorted := slices.Clone(res)
		slices.SortFunc(sorted, func(a, b *big.Rat) int { return a.Cmp(b) })
		rank := func(p int) *big.Rat {
			r := int(math.Ceil(float64(p) * float64(n) / 100))
			if p*n%100 == 0 {
				r = p * n / 100
			}
			return sorted[max(r, 1)-1]
		}
		plo, phi := rank(lo), rank(hi)
		iqr := new(big.Rat).Sub(phi, plo)
		flat := new(big.Rat).Mul(iqr, big.NewRat(1_000_000_000, 1)).Cmp(scale) <= 0 // the range within 1e-9 of the scale
		for i := range n {
			score := new(big.Rat)
			switch {
			case flat:
			case res[i].Cmp(phi) > 0:
				score.Quo(new(big.Rat).Sub(res[i], phi), iqr)
			case res[i].Cmp(plo) < 0:
				score.Quo(new(big.Rat).Sub(res[i], plo), iqr)
			}
			// Past k only beyond the documented tie: a score within
			// 1e-9·max(1, k) of k is on it (the stage's rule, so that
			// rounding does not decide).
			edge := new(big.Rat).Add(k, new(big.Rat).Mul(maxRat(big.NewRat(1, 1), k), big.NewRat(1, 1_000_000_000)))
			flag := int64(0)
			switch {
			case score.Cmp(edge) > 0:
				flag = 1
			case score.Cmp(new(big.Rat).Neg(edge)) < 0:
				flag = -1
			}
			if flag == 1 && direction != "down" || flag == -1 && direction != "up" {
				f, _ := score.Float64()
				found = append(found, anomaly{s.key, at[i], rows[i], base[i], score, flag, math.Round(math.Abs(f) * 1e4)})
			}
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.absRounded != b.absRounded {
			return a.absRounded > b.absRounded
		}
		if !a.t.Equal(b.t) {
			return a.t.Before(b.t)
		}
		for i := range a.key {
			if c := result.Compare(a.key[i], b.key[i]); c != 0 {
				return c < 0
			}
		}
		return false
	})
	for _, f := range found {
		row := slices.Clone(f.key)
		tv, vv := result.TimeValue(f.t.UTC()), result.FloatValue(0)
		if cols[val].Kind == signin.KindInt {
			vv = result.IntValue(0)
		}
		if f.row != nil {
			tv, vv = f.row[tm], f.row[val]
		}
		row = append(row, tv, vv, naiveRatRound4(f.base), naiveRatRound4(f.score), result.IntValue(f.flag))
		for _, i := range others {
			if f.row != nil {
				row = append(row, f.row[i])
			} else {
				row = append(row, result.Null(cols[i].Kind))
			}
		}
		out.Rows = append(out.Rows, row)
	}
	out.All = out.Rows
	return out, nil
}

// naiveRatRound4 is an exact value as anomalies prints it: to 10
// significant digits, then 4 decimals, halves away from zero.
func naiveRatRound4(x *big.Rat) result.Value {
	f, _ := x.Float64()
	g, err := strconv.ParseFloat(fmt.Sprintf("%.10g", f), 64)
	if err != nil {
		return result.FloatValue(f)
	}
	return result.FloatValue(math.Round(g*1e4) / 1e4)
}

// maxRat is the larger of two rationals.
func maxRat(a, b *big.Rat) *big.Rat {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}
