package api_test

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// decodeSeed is TestDecodeRow's seed, fixed so that a run does not
// depend on the date; -decode.seed tries another, and a run prints the
// one it used.
var decodeSeedFlag = flag.Uint64("decode.seed", 20261206, "the seed of TestDecodeRow's random rows")

func decodeSeed(t *testing.T) uint64 {
	seed := *decodeSeedFlag
	t.Logf("seed %d (replay: go test ./api -run TestDecodeRow -decode.seed=%d)", seed, seed)
	return seed
}

// randomValue is a value of kind k, often an extreme one: null, empty,
// zero, negative, NaN and infinities, the longest durations, times with
// and without nanoseconds, strings with quotes, escapes and non-ASCII.
func randomValue(rng *rand.Rand, k signin.Kind) result.Value {
	if rng.IntN(8) == 0 {
		return result.Null(k)
	}
	strs := []string{"", "Microsoft Teams", `a "quoted" \ back\slash`, "line\nbreak\ttab\x01", "é — 日本 😀", "null", "1", "<script>&", "\u2028\u2029"}
	switch k {
	case signin.KindInt:
		return result.IntValue([]int64{0, -1, 1, math.MaxInt64, math.MinInt64, rng.Int64(), -rng.Int64(), 50126}[rng.IntN(8)])
	case signin.KindFloat:
		return result.FloatValue([]float64{0, math.Copysign(0, -1), 1.5, -2.25, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64,
			math.SmallestNonzeroFloat64, 1e21, 1e-7, rng.Float64() * 1e6, rng.NormFloat64()}[rng.IntN(13)])
	case signin.KindTime:
		t := time.Unix(rng.Int64N(4e9), 0)
		if rng.IntN(2) == 0 {
			t = t.Add(time.Duration(rng.Int64N(1e9)))
		}
		return result.TimeValue(t)
	case signin.KindBool:
		return result.BoolValue(rng.IntN(2) == 0)
	case signin.KindList:
		l := []string{}
		for range rng.IntN(4) {
			l = append(l, strs[rng.IntN(len(strs))])
		}
		return result.ListValue(l)
	case signin.KindDuration:
		return result.DurationValue([]time.Duration{0, 1, -1, math.MaxInt64, math.MinInt64, time.Duration(rng.Int64()),
			-time.Duration(rng.Int64N(1e15)), 36 * time.Hour, 5*time.Minute + 30*time.Second}[rng.IntN(9)])
	}
	return result.StringValue(strs[rng.IntN(len(strs))])
}

// TestDecodeRow writes rows of every kind with the json writer, as the
// API's ndjson form does, reads them back with DecodeRow, and checks
// that the values are those written, and that the table and csv writers
// write the same of both: what a command asking a holder prints is what
// it would have printed holding the store itself.
func TestDecodeRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(decodeSeed(t), 17))
	kinds := []signin.Kind{signin.KindString, signin.KindInt, signin.KindFloat, signin.KindTime, signin.KindBool, signin.KindList, signin.KindDuration}
	var cols []result.Column
	for i, k := range kinds {
		cols = append(cols, result.Column{Name: k.String() + " ✓ \"" + strconv.Itoa(i), Kind: k})
	}
	cols[0].Field, cols[0].Key = "app", true
	cols[3].Bin = time.Hour
	back, err := api.ResultColumns(api.ColumnsOf(cols))
	if err != nil {
		t.Fatal(err)
	}
	for i := range cols {
		if back[i] != cols[i] {
			t.Fatalf("column %d read back as %+v, was %+v", i, back[i], cols[i])
		}
	}
	var rows [][]result.Value
	for range 2000 {
		row := make([]result.Value, len(kinds))
		for i, k := range kinds {
			row[i] = randomValue(rng, k)
		}
		rows = append(rows, row)
	}
	write := func(name string, rows [][]result.Value) string {
		p, _ := standard.Registry().Lookup(name)
		var b bytes.Buffer
		seq := func(yield func([]result.Value, error) bool) {
			for _, r := range rows {
				if !yield(r, nil) {
					return
				}
			}
		}
		if err := p.(plugins.Writer).Write(&b, cols, seq, plugins.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	var decoded [][]result.Value
	for i, line := range strings.SplitAfter(strings.TrimSuffix(write("json", rows), "\n"), "\n") {
		row, err := api.DecodeRow(cols, []byte(line))
		if err != nil {
			t.Fatalf("row %d: %v\n%s", i, err, line)
		}
		for j, v := range row {
			w := rows[i][j]
			same := v.Kind() == w.Kind() && v.IsNull() == w.IsNull() && v.String() == w.String()
			if w.Kind() == signin.KindFloat && !w.IsNull() {
				same = same && math.Float64bits(v.Float()) == math.Float64bits(w.Float()) || math.IsNaN(v.Float()) && math.IsNaN(w.Float())
			}
			if w.Kind() == signin.KindTime && !w.IsNull() {
				same = same && v.Time().Equal(w.Time())
			}
			if w.Kind() == signin.KindDuration && !w.IsNull() {
				same = same && v.Duration() == w.Duration()
			}
			if !same {
				t.Fatalf("row %d column %s: read back %v (%v, null %v), wrote %v (%v, null %v)\n%s", i, cols[j].Name, v, v.Kind(), v.IsNull(), w, w.Kind(), w.IsNull(), line)
			}
		}
		decoded = append(decoded, row)
	}
	for _, w := range []string{"json", "csv", "table"} {
		if a, b := write(w, rows), write(w, decoded); a != b {
			t.Errorf("the %s writer writes the rows read back otherwise than the rows", w)
		}
	}
}

// TestDecodeRowRefuses checks that what the json writer does not write
// of the columns is an error, not a row.
func TestDecodeRowRefuses(t *testing.T) {
	cols := []result.Column{{Name: "n", Kind: signin.KindInt}, {Name: "d", Kind: signin.KindDuration}}
	for _, line := range []string{``, `[]`, `{"n":1}`, `{"n":1,"d":"5m","x":1}`, `{"d":"5m","n":1}`, `{"n":1.5,"d":"5m"}`,
		`{"n":"1","d":"5m"}`, `{"n":1,"d":"5 minutes"}`, `{"n":1,"d":5}`, `{"n":1,"d":"5m"} x`, `{"n":1 "d":"5m"}`, `{"n":1,"d":"5m`} {
		if row, err := api.DecodeRow(cols, []byte(line)); !errors.Is(err, api.ErrDecode) {
			t.Errorf("DecodeRow(%q) = %v, %v; want ErrDecode", line, row, err)
		}
	}
}
