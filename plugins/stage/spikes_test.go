package stage

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/result"
)

var timelineCols = []result.Column{
	{Name: "app", Kind: signin.KindString, Field: "app"},
	{Name: "time", Kind: signin.KindTime, Field: "time"},
	{Name: "count", Kind: signin.KindInt},
}

// bucket is a bucket of the spikes tests: a key, an hour from stagetest.Start and
// a count.
type bucket struct {
	key  string
	hour int
	n    int64
}

// bucketRows are the buckets as rows of timelineCols.
func bucketRows(pts []bucket) [][]result.Value {
	var rows [][]result.Value
	for _, p := range pts {
		rows = append(rows, []result.Value{result.StringValue(p.key), result.TimeValue(stagetest.Start.Add(time.Duration(p.hour) * time.Hour)), result.IntValue(p.n)})
	}
	return rows
}

// seriesOf is a key's buckets at hours with value n, and others.
func seriesOf(key string, hours []int, n int64, more ...bucket) []bucket {
	var out []bucket
	for _, h := range hours {
		out = append(out, bucket{key, h, n})
	}
	return append(out, more...)
}

func hoursBetween(lo, hi int) []int {
	var out []int
	for h := lo; h < hi; h++ {
		out = append(out, h)
	}
	return out
}

// TestSpikes checks spikes on flat series, single buckets, several
// keys, missing buckets and the query's window.
func TestSpikes(t *testing.T) {
	day2 := &plugins.Env{From: stagetest.Start.UnixNano(), To: stagetest.Start.Add(48 * time.Hour).UnixNano(), Now: stagetest.Start.Add(48 * time.Hour)}
	open := &plugins.Env{From: math.MinInt64, To: math.MaxInt64}
	cases := []struct {
		name string
		args string
		env  *plugins.Env
		pts  []bucket
		want []string // "key hour value median mad score"
	}{
		{"flat", "", open, seriesOf("a", hoursBetween(0, 24), 50), nil},
		{"one bucket", "", open, []bucket{{"a", 5, 500}}, nil},
		{"one bucket in the window", "bin=1h", day2, []bucket{{"a", 5, 50}},
			// 47 zeros and 50: median 0, MAD 0, mean deviation 50/48.
			[]string{"a 5 50 0 0 38.2989"}},
		{"one bucket, bin unknown", "", day2, []bucket{{"a", 5, 50}}, nil},
		{"below min", "bin=1h", day2, []bucket{{"a", 5, 9}}, nil},
		{"min lowered", "bin=1h min=1", day2, []bucket{{"a", 5, 9}}, []string{"a 5 9 0 0 38.2989"}},
		{"a spike", "", open, seriesOf("a", hoursBetween(0, 24), 20, bucket{"a", 24, 60}, bucket{"a", 25, 22}, bucket{"a", 26, 18}),
			// median 20; deviations 0 (x24), 40, 2, 2: MAD 0, mean 44/27.
			[]string{"a 24 60 20 0 19.5847"}},
		{"several keys", "", open, append(
			seriesOf("a", hoursBetween(0, 20), 10, bucket{"a", 20, 11}, bucket{"a", 21, 9}, bucket{"a", 22, 40}, bucket{"a", 23, 12}),
			seriesOf("b", hoursBetween(0, 24), 40)...),
			// a: median 10; deviations 1, 0 (x20), 1, 2, 30: MAD 0, mean
			// 34/24. b is flat.
			[]string{"a 22 40 10 0 16.8966"}},
		// 43 zeros and five 100s: mean deviation 500/48.
		{"missing buckets count as zero", "", day2, seriesOf("a", []int{3, 4, 5, 6, 7}, 100), []string{
			"a 3 100 0 0 7.6598", "a 4 100 0 0 7.6598", "a 5 100 0 0 7.6598", "a 6 100 0 0 7.6598", "a 7 100 0 0 7.6598"}},
		{"missing buckets left out", "fill=none", day2, seriesOf("a", []int{3, 4, 5, 6, 7}, 100), nil},
		{"bin inferred from the gaps", "", open, seriesOf("a", []int{0, 1, 10, 20, 30, 40}, 12, bucket{"a", 41, 30}),
			// 1h buckets from 0 to 41: 35 zeros; median 0, MAD 0,
			// mean deviation (6·12+30)/42.
			[]string{"a 41 30 0 0 9.8563", "a 0 12 0 0 3.9425", "a 1 12 0 0 3.9425", "a 10 12 0 0 3.9425", "a 20 12 0 0 3.9425",
				"a 30 12 0 0 3.9425", "a 40 12 0 0 3.9425"}},
		{"bin wider than the gaps say", "", open, seriesOf("a", []int{0, 10, 20, 30, 40}, 12, bucket{"a", 50, 30}),
			// 10h apart: no bucket between is missing. Median 12,
			// mean deviation 18/6.
			[]string{"a 50 30 12 0 4.7874"}},
		// 51 buckets, 45 zeros: mean deviation 90/51.
		{"bin given", "bin=1h", open, seriesOf("a", []int{0, 10, 20, 30, 40}, 12, bucket{"a", 50, 30}), []string{
			"a 50 30 0 0 13.5642", "a 0 12 0 0 5.4257", "a 10 12 0 0 5.4257", "a 20 12 0 0 5.4257", "a 30 12 0 0 5.4257", "a 40 12 0 0 5.4257"}},
		{"k", "k=20", open, seriesOf("a", hoursBetween(0, 24), 20, bucket{"a", 24, 60}, bucket{"a", 25, 22}, bucket{"a", 26, 18}), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := bucketRows(c.pts)
			slices.Reverse(rows)
			cols, out, err := stagetest.RunArgs(t, spikes{}, stagetest.Args(c.args), timelineCols, rows, c.env)
			if err != nil {
				t.Fatal(err)
			}
			if names := fmt.Sprint(cols); names != fmt.Sprint([]result.Column{timelineCols[0], timelineCols[1], timelineCols[2],
				{Name: "median", Kind: signin.KindFloat}, {Name: "mad", Kind: signin.KindFloat}, {Name: "score", Kind: signin.KindFloat}}) {
				t.Fatalf("columns %v", cols)
			}
			var got []string
			for _, r := range out {
				got = append(got, fmt.Sprintf("%s %d %s %s %s %s", r[0], int(r[1].Time().Sub(stagetest.Start).Hours()), r[2], r[3], r[4], r[5]))
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
	in := []result.Column{
		{Name: "time", Kind: signin.KindTime, Field: "time"},
		{Name: "error", Kind: signin.KindInt, Field: "error"},
		{Name: "count", Kind: signin.KindInt},
		{Name: "avg(latency)", Kind: signin.KindFloat},
	}
	var rows [][]result.Value
	for h := range 30 {
		n, lat := int64(10), 100.0
		if h == 20 {
			n = 90
		}
		if h == 25 {
			lat = 900.5
		}
		rows = append(rows, []result.Value{result.TimeValue(stagetest.Start.Add(time.Duration(h) * time.Hour)), result.IntValue(50126), result.IntValue(n), result.FloatValue(lat)})
	}
	for _, c := range []struct {
		args             string
		hour             int
		value, valueName string
		otherValue       string
		other            string
	}{
		{"", 25, "900.5", "avg(latency)", "10", "count"},
		{"value=COUNT", 20, "90", "count", "100", "avg(latency)"},
	} {
		cols, out, err := stagetest.RunArgs(t, spikes{}, stagetest.Args(c.args), in, rows, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The other aggregate is no key: one series, and it passes
		// through after the score.
		if len(out) != 1 || len(cols) != 7 || cols[0].Name != "error" || cols[1].Name != "time" || cols[2].Name != c.valueName || cols[6].Name != c.other {
			t.Fatalf("spikes %s: %v %v", c.args, cols, out)
		}
		if h := int(out[0][1].Time().Sub(stagetest.Start).Hours()); h != c.hour || out[0][2].String() != c.value || out[0][0].Int() != 50126 || out[0][6].String() != c.otherValue {
			t.Errorf("spikes %s: %v", c.args, out[0])
		}
	}
}

// TestSpikesKeys: on an aggregate query's rows the series are exactly
// its group keys other than the bin (result.Column.Key), a
// function key among them; other aggregates, of any kind, pass through.
func TestSpikesKeys(t *testing.T) {
	bin := result.Column{Name: "time", Kind: signin.KindTime, Field: "time", Key: true, Bin: time.Hour}
	app := result.Column{Name: "app", Kind: signin.KindString, Field: "app", Key: true}
	count := result.Column{Name: "count", Kind: signin.KindInt}
	// a's 30 hours: 10 sign-ins an hour, 90 at hour 20; b's: 40 an hour.
	type bucket struct {
		key  result.Value
		hour int
		n    int64
	}
	var buckets []bucket
	for h := range 30 {
		n := int64(10)
		if h == 20 {
			n = 90
		}
		buckets = append(buckets, bucket{result.StringValue("a"), h, n}, bucket{result.StringValue("b"), h, 40})
	}
	at := func(h int) result.Value { return result.TimeValue(stagetest.Start.Add(time.Duration(h) * time.Hour)) }
	for _, c := range []struct {
		name string
		in   []result.Column
		row  func(b bucket) []result.Value // the input row of a bucket
		want string                        // the output: columns, then rows
	}{
		{"values(ip) passes through",
			[]result.Column{app, bin, count, {Name: "ips", Kind: signin.KindList}},
			func(b bucket) []result.Value {
				return []result.Value{b.key, at(b.hour), result.IntValue(b.n), result.ListValue([]string{fmt.Sprintf("10.0.0.%d", b.hour)})}
			},
			"app time count median mad score ips\na 2026-10-20T20:00:00Z 90 10 0 23.9368 10.0.0.20"},
		{"max(time) passes through",
			[]result.Column{app, bin, count, {Name: "last", Kind: signin.KindTime}},
			func(b bucket) []result.Value {
				return []result.Value{b.key, at(b.hour), result.IntValue(b.n), result.TimeValue(stagetest.Start.Add(time.Duration(b.hour)*time.Hour + 59*time.Minute))}
			},
			"app time count median mad score last\na 2026-10-20T20:00:00Z 90 10 0 23.9368 2026-10-20T20:59:00Z"},
		{"the time is the bin, whatever comes first",
			[]result.Column{{Name: "last", Kind: signin.KindTime}, app, bin, count},
			func(b bucket) []result.Value {
				return []result.Value{result.TimeValue(stagetest.Start), b.key, at(b.hour), result.IntValue(b.n)}
			},
			"app time count median mad score last\na 2026-10-20T20:00:00Z 90 10 0 23.9368 2026-10-20T00:00:00Z"},
		{"a function key makes series",
			// hour(time) as the key: a (now 3) and b (now 5) would make
			// one series of 10s and 40s, where 90 is no spike.
			[]result.Column{{Name: "hour(time)", Kind: signin.KindInt, Key: true}, bin, count},
			func(b bucket) []result.Value {
				h := int64(3)
				if b.key.Str() == "b" {
					h = 5
				}
				return []result.Value{result.IntValue(h), at(b.hour), result.IntValue(b.n)}
			},
			"hour(time) time count median mad score\n3 2026-10-20T20:00:00Z 90 10 0 23.9368"},
		{"a key of times that is not the bin makes series",
			[]result.Column{{Name: "date(time)", Kind: signin.KindTime, Key: true}, bin, count},
			func(b bucket) []result.Value {
				d := result.TimeValue(stagetest.Start)
				if b.key.Str() == "b" {
					d = result.TimeValue(stagetest.Start.Add(24 * time.Hour))
				}
				return []result.Value{d, at(b.hour), result.IntValue(b.n)}
			},
			"date(time) time count median mad score\n2026-10-20T00:00:00Z 2026-10-20T20:00:00Z 90 10 0 23.9368"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rows [][]result.Value
			for _, b := range buckets {
				rows = append(rows, c.row(b))
			}
			cols, out, err := stagetest.RunArgs(t, spikes{}, nil, c.in, rows, nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, col := range cols {
				names = append(names, col.Name)
			}
			got := []string{strings.Join(names, " ")}
			for _, r := range out {
				var cells []string
				for _, v := range r {
					cells = append(cells, v.String())
				}
				got = append(got, strings.Join(cells, " "))
			}
			if g := strings.Join(got, "\n"); g != c.want {
				t.Errorf("got\n%s\nwant\n%s", g, c.want)
			}
		})
	}
	// A key is no value, and an aggregate of times no timeline.
	for _, c := range []struct {
		args, want string
		in         []result.Column
	}{
		{"value=hour(time)", "group key", []result.Column{{Name: "hour(time)", Kind: signin.KindInt, Key: true}, bin, count}},
		{"", "number", []result.Column{{Name: "hour(time)", Kind: signin.KindInt, Key: true}, bin}},
		{"", "timeline", []result.Column{app, count, {Name: "last", Kind: signin.KindTime}}},
	} {
		if _, _, err := stagetest.RunArgs(t, spikes{}, stagetest.Args(c.args), c.in, nil, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("spikes %s on %v: %v, want an error saying %q", c.args, c.in, err, c.want)
		}
	}
}

// TestSpikesErrors: inputs without a timeline or a number, and bad
// arguments, are errors.
func TestSpikesErrors(t *testing.T) {
	for _, c := range []struct {
		args, want string
		in         []result.Column
	}{
		{"", "timeline", []result.Column{{Name: "app", Kind: signin.KindString}, {Name: "count", Kind: signin.KindInt}}},
		{"", "number", []result.Column{{Name: "time", Kind: signin.KindTime, Field: "time"}, {Name: "app", Kind: signin.KindString, Field: "app"}}},
		{"value=nosuch", "no column", timelineCols},
		{"value=app", "not numbers", timelineCols},
		{"k=-1", `k: "-1" is not a number of at least 0`, timelineCols},
		{"min=x", `min: "x" is not a number`, timelineCols},
		{"bin=0h", "bin", timelineCols},
		{"fill=linear", "fill", timelineCols},
	} {
		_, _, err := stagetest.RunArgs(t, spikes{}, stagetest.Args(c.args), c.in, nil, nil)
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
		m, d, s := robust(slices.Clone(c.vals), c.zeros)
		if m != c.median || d != c.mad || math.Abs(s-c.scal) > 1e-12 {
			t.Errorf("robust(%v, %d) = %v, %v, %v; want %v, %v, %v", c.vals, c.zeros, m, d, s, c.median, c.mad, c.scal)
		}
	}
	if g, ok := grid(0, 10, -15); !ok || g != -20 {
		t.Errorf("grid(0, 10, -15) = %v, %v", g, ok)
	}
	if _, ok := grid(math.MaxInt64-5, 7, math.MinInt64); ok {
		t.Errorf("grid overflows")
	}
}

// FuzzSpikes feeds random rows: spikes must not panic.
func FuzzSpikes(f *testing.F) {
	f.Add([]byte("\x01\x02\x04\x05\x02\x07\x01\x03\x04\x09\x02\x08\x01\x02\x05\x05\x02\x30"), "auto", "zero")
	f.Add([]byte("a longer seed with more rows and more bytes in it"), "1h", "none")
	f.Fuzz(func(t *testing.T, data []byte, bin, fill string) {
		in, rows := stagetest.FuzzRows(data, timelineCols)
		env := &plugins.Env{From: stagetest.Start.UnixNano() - int64(len(data))*int64(time.Hour), To: stagetest.Start.UnixNano() + int64(len(data)%3)*int64(time.Hour)}
		if len(data)%2 == 0 {
			env = &plugins.Env{From: math.MinInt64, To: math.MaxInt64}
		}
		_, _, _ = stagetest.RunArgs(t, spikes{}, []plugins.StageArg{{Name: "bin", Value: bin}, {Name: "fill", Value: fill}, {Name: "min", Value: "0"}}, in, rows, env)
	})
}
