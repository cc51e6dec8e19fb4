package plugins

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

var spIn = []engine.ResultColumn{
	{Name: "app", Kind: signin.KindString, Field: "app"},
	{Name: "time", Kind: signin.KindTime, Field: "time"},
	{Name: "count", Kind: signin.KindInt},
}

// spPt is a bucket of the spikes tests: a key, an hour from nvStart and
// a count.
type spPt struct {
	key  string
	hour int
	n    int64
}

func spRows(pts []spPt) [][]engine.Value {
	var rows [][]engine.Value
	for _, p := range pts {
		rows = append(rows, []engine.Value{engine.StringValue(p.key), engine.TimeValue(nvStart.Add(time.Duration(p.hour) * time.Hour)), engine.IntValue(p.n)})
	}
	return rows
}

// spSeriesOf is a key's buckets at hours with value n, and others.
func spSeriesOf(key string, hours []int, n int64, more ...spPt) []spPt {
	var out []spPt
	for _, h := range hours {
		out = append(out, spPt{key, h, n})
	}
	return append(out, more...)
}

func spRange(lo, hi int) []int {
	var out []int
	for h := lo; h < hi; h++ {
		out = append(out, h)
	}
	return out
}

// TestSpikes checks spikes on flat series, single buckets, several
// keys, missing buckets and the query's window.
func TestSpikes(t *testing.T) {
	day2 := &Env{From: nvStart.UnixNano(), To: nvStart.Add(48 * time.Hour).UnixNano(), Now: nvStart.Add(48 * time.Hour)}
	open := &Env{From: math.MinInt64, To: math.MaxInt64}
	cases := []struct {
		name string
		args string
		env  *Env
		pts  []spPt
		want []string // "key hour value median mad score"
	}{
		{"flat", "", open, spSeriesOf("a", spRange(0, 24), 50), nil},
		{"one bucket", "", open, []spPt{{"a", 5, 500}}, nil},
		{"one bucket in the window", "bin=1h", day2, []spPt{{"a", 5, 50}},
			// 47 zeros and 50: median 0, MAD 0, mean deviation 50/48.
			[]string{"a 5 50 0 0 38.2989"}},
		{"one bucket, bin unknown", "", day2, []spPt{{"a", 5, 50}}, nil},
		{"below min", "bin=1h", day2, []spPt{{"a", 5, 9}}, nil},
		{"min lowered", "bin=1h min=1", day2, []spPt{{"a", 5, 9}}, []string{"a 5 9 0 0 38.2989"}},
		{"a spike", "", open, spSeriesOf("a", spRange(0, 24), 20, spPt{"a", 24, 60}, spPt{"a", 25, 22}, spPt{"a", 26, 18}),
			// median 20; deviations 0 (x24), 40, 2, 2: MAD 0, mean 44/27.
			[]string{"a 24 60 20 0 19.5847"}},
		{"several keys", "", open, append(
			spSeriesOf("a", spRange(0, 20), 10, spPt{"a", 20, 11}, spPt{"a", 21, 9}, spPt{"a", 22, 40}, spPt{"a", 23, 12}),
			spSeriesOf("b", spRange(0, 24), 40)...),
			// a: median 10; deviations 1, 0 (x20), 1, 2, 30: MAD 0, mean
			// 34/24. b is flat.
			[]string{"a 22 40 10 0 16.8966"}},
		// 43 zeros and five 100s: mean deviation 500/48.
		{"missing buckets count as zero", "", day2, spSeriesOf("a", []int{3, 4, 5, 6, 7}, 100), []string{
			"a 3 100 0 0 7.6598", "a 4 100 0 0 7.6598", "a 5 100 0 0 7.6598", "a 6 100 0 0 7.6598", "a 7 100 0 0 7.6598"}},
		{"missing buckets left out", "fill=none", day2, spSeriesOf("a", []int{3, 4, 5, 6, 7}, 100), nil},
		{"bin inferred from the gaps", "", open, spSeriesOf("a", []int{0, 1, 10, 20, 30, 40}, 12, spPt{"a", 41, 30}),
			// 1h buckets from 0 to 41: 35 zeros; median 0, MAD 0,
			// mean deviation (6·12+30)/42.
			[]string{"a 41 30 0 0 9.8563", "a 0 12 0 0 3.9425", "a 1 12 0 0 3.9425", "a 10 12 0 0 3.9425", "a 20 12 0 0 3.9425",
				"a 30 12 0 0 3.9425", "a 40 12 0 0 3.9425"}},
		{"bin wider than the gaps say", "", open, spSeriesOf("a", []int{0, 10, 20, 30, 40}, 12, spPt{"a", 50, 30}),
			// 10h apart: no bucket between is missing. Median 12,
			// mean deviation 18/6.
			[]string{"a 50 30 12 0 4.7874"}},
		// 51 buckets, 45 zeros: mean deviation 90/51.
		{"bin given", "bin=1h", open, spSeriesOf("a", []int{0, 10, 20, 30, 40}, 12, spPt{"a", 50, 30}), []string{
			"a 50 30 0 0 13.5642", "a 0 12 0 0 5.4257", "a 10 12 0 0 5.4257", "a 20 12 0 0 5.4257", "a 30 12 0 0 5.4257", "a 40 12 0 0 5.4257"}},
		{"k", "k=20", open, spSeriesOf("a", spRange(0, 24), 20, spPt{"a", 24, 60}, spPt{"a", 25, 22}, spPt{"a", 26, 18}), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := spRows(c.pts)
			slices.Reverse(rows)
			cols, out, err := detRun(t, "spikes", nvArgs2(c.args), spIn, rows, c.env)
			if err != nil {
				t.Fatal(err)
			}
			if names := fmt.Sprint(cols); names != fmt.Sprint([]engine.ResultColumn{spIn[0], spIn[1], spIn[2],
				{Name: "median", Kind: signin.KindFloat}, {Name: "mad", Kind: signin.KindFloat}, {Name: "score", Kind: signin.KindFloat}}) {
				t.Fatalf("columns %v", cols)
			}
			var got []string
			for _, r := range out {
				got = append(got, fmt.Sprintf("%s %d %s %s %s %s", r[0], int(r[1].Time().Sub(nvStart).Hours()), r[2], r[3], r[4], r[5]))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestSpikesColumns: the value is the last aggregate unless named; the
// keys are the other columns; a floating value works.
func TestSpikesColumns(t *testing.T) {
	in := []engine.ResultColumn{
		{Name: "time", Kind: signin.KindTime, Field: "time"},
		{Name: "error", Kind: signin.KindInt, Field: "error"},
		{Name: "count", Kind: signin.KindInt},
		{Name: "avg(latency)", Kind: signin.KindFloat},
	}
	var rows [][]engine.Value
	for h := range 30 {
		n, lat := int64(10), 100.0
		if h == 20 {
			n = 90
		}
		if h == 25 {
			lat = 900.5
		}
		rows = append(rows, []engine.Value{engine.TimeValue(nvStart.Add(time.Duration(h) * time.Hour)), engine.IntValue(50126), engine.IntValue(n), engine.FloatValue(lat)})
	}
	for _, c := range []struct {
		args      string
		hour      int
		value     string
		valueName string
	}{
		{"", 25, "900.5", "avg(latency)"},
		{"value=COUNT", 20, "90", "count"},
	} {
		cols, out, err := detRun(t, "spikes", nvArgs2(c.args), in, rows, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The other aggregate is no key: one series.
		if len(out) != 1 || len(cols) != 6 || cols[0].Name != "error" || cols[1].Name != "time" || cols[2].Name != c.valueName {
			t.Fatalf("spikes %s: %v %v", c.args, cols, out)
		}
		if h := int(out[0][1].Time().Sub(nvStart).Hours()); h != c.hour || out[0][2].String() != c.value || out[0][0].Int() != 50126 {
			t.Errorf("spikes %s: %v", c.args, out[0])
		}
	}
}

// TestSpikesErrors: inputs without a timeline or a number, and bad
// arguments, are errors.
func TestSpikesErrors(t *testing.T) {
	for _, c := range []struct {
		args, want string
		in         []engine.ResultColumn
	}{
		{"", "timeline", []engine.ResultColumn{{Name: "app", Kind: signin.KindString}, {Name: "count", Kind: signin.KindInt}}},
		{"", "number", []engine.ResultColumn{{Name: "time", Kind: signin.KindTime, Field: "time"}, {Name: "app", Kind: signin.KindString, Field: "app"}}},
		{"value=nosuch", "no column", spIn},
		{"value=app", "not numbers", spIn},
		{"k=-1", "k must", spIn},
		{"min=x", "min must", spIn},
		{"bin=0h", "bin", spIn},
		{"fill=linear", "fill", spIn},
	} {
		_, _, err := detRun(t, "spikes", nvArgs2(c.args), c.in, nil, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("spikes %s on %v: %v, want an error saying %q", c.args, c.in, err, c.want)
		}
	}
}

// TestSpikesRobust checks the median and MAD with implicit zeros.
func TestSpikesRobust(t *testing.T) {
	for _, c := range []struct {
		vals              []float64
		zeros             int
		median, mad, scal float64
	}{
		{[]float64{1, 2, 3, 4, 100}, 0, 3, 1, 1.4826},
		{[]float64{100, 4, 3, 2, 1}, 0, 3, 1, 1.4826},
		{[]float64{5, 5, 5}, 0, 5, 0, 0},
		{[]float64{5}, 3, 0, 0, 1.2533 * 5 / 4},
		{[]float64{-2, 4}, 2, 0, 1, 1.4826},
		{[]float64{-3, 3, 6}, 1, 1.5, 3, 1.4826 * 3},
		{nil, 0, 0, 0, 0},
		{nil, 4, 0, 0, 0},
	} {
		m, d, s := spRobust(slices.Clone(c.vals), c.zeros)
		if m != c.median || d != c.mad || math.Abs(s-c.scal) > 1e-12 {
			t.Errorf("spRobust(%v, %d) = %v, %v, %v; want %v, %v, %v", c.vals, c.zeros, m, d, s, c.median, c.mad, c.scal)
		}
	}
	if g, ok := spGrid(0, 10, -15); !ok || g != -20 {
		t.Errorf("spGrid(0, 10, -15) = %v, %v", g, ok)
	}
	if _, ok := spGrid(math.MaxInt64-5, 7, math.MinInt64); ok {
		t.Errorf("spGrid overflows")
	}
}

// FuzzSpikes feeds random rows: spikes must not panic.
func FuzzSpikes(f *testing.F) {
	f.Add([]byte("\x01\x02\x04\x05\x02\x07\x01\x03\x04\x09\x02\x08\x01\x02\x05\x05\x02\x30"), "auto", "zero")
	f.Add([]byte("a longer seed with more rows and more bytes in it"), "1h", "none")
	f.Fuzz(func(t *testing.T, data []byte, bin, fill string) {
		in, rows := detFuzzRows(data, spIn)
		env := &Env{From: nvStart.UnixNano() - int64(len(data))*int64(time.Hour), To: nvStart.UnixNano() + int64(len(data)%3)*int64(time.Hour)}
		if len(data)%2 == 0 {
			env = &Env{From: math.MinInt64, To: math.MaxInt64}
		}
		_, _, _ = detRun(t, "spikes", []StageArg{{Name: "bin", Value: bin}, {Name: "fill", Value: fill}, {Name: "min", Value: "0"}}, in, rows, env)
	})
}
