package query

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// TestSortKeys sorts random rows by sortKeys and by comparing values
// (result.Compare a column at a time, then the keys' text): the orders
// must be the same, over texts with 0 bytes and prefixes of each other,
// negative and huge numbers, NaN, -0 and nulls, ascending and
// descending.
func TestSortKeys(t *testing.T) {
	seed := uint64(20261206)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	texts := []string{"", "a", "a\x00", "a\x00b", "ab", "b", "\x00", "\xff", "Alice", "alice", "alice@contoso.com", "alice@contoso.co", "alice@contoso.com\x00x", "alice@contoso.coma"}
	floats := []float64{math.NaN(), math.Inf(-1), -1.5, math.Copysign(0, -1), 0, 1e-300, 2.5, math.Inf(1)}
	value := func(kind signin.Kind) result.Value {
		if rng.IntN(8) == 0 {
			return result.Null(kind)
		}
		switch kind {
		case signin.KindString:
			return result.StringValue(texts[rng.IntN(len(texts))])
		case signin.KindFloat:
			return result.FloatValue(floats[rng.IntN(len(floats))])
		case signin.KindTime:
			return result.TimeValue(time.Unix(0, rng.Int64N(1<<62)-1<<61))
		}
		return result.IntValue([]int64{math.MinInt64, -7, -1, 0, 1, 42, math.MaxInt64}[rng.IntN(7)])
	}
	kinds := []signin.Kind{signin.KindString, signin.KindFloat, signin.KindInt, signin.KindTime}
	for round := range 40 {
		// Two keys, then two heads; the order some of them, then every key.
		cols := []signin.Kind{kinds[rng.IntN(4)], kinds[rng.IntN(4)], kinds[rng.IntN(4)], kinds[rng.IntN(4)]}
		p := &Plan{}
		for i := range cols {
			k := -1
			if i < 2 {
				k = i
			}
			p.outs = append(p.outs, &outCol{key: k})
		}
		for _, c := range rng.Perm(4)[:rng.IntN(3)] {
			p.order = append(p.order, orderKey{col: c, desc: rng.IntN(2) == 0})
		}
		for _, k := range []int{0, 1} {
			if !slices.ContainsFunc(p.order, func(o orderKey) bool { return o.col == k }) {
				p.order = append(p.order, orderKey{col: k})
			}
		}
		rows := make([][]result.Value, sortKeysMin+rng.IntN(200))
		for i := range rows {
			for _, k := range cols {
				rows[i] = append(rows[i], value(k))
			}
		}
		total := func(a, b []result.Value) int {
			for _, o := range p.order {
				c := result.Compare(a[o.col], b[o.col])
				if o.desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			if c := strings.Compare(a[0].String(), b[0].String()); c != 0 {
				return c
			}
			return strings.Compare(a[1].String(), b[1].String())
		}
		keys := sortKeys(rows, p)
		if keys == nil {
			t.Fatalf("round %d: no keys", round)
		}
		for n := 0; n < 2000; n++ {
			i, j := rng.IntN(len(rows)), rng.IntN(len(rows))
			want := total(rows[i], rows[j])
			got := bytes.Compare(keys.key(i), keys.key(j))
			if sign(got) != sign(want) {
				t.Fatalf("round %d, order %v: rows %v and %v: keys compare %d, values %d", round, p.order, rows[i], rows[j], got, want)
			}
		}
		// The rows sorted by their keys' prefixes and runs are in
		// total's order.
		sorted := slices.Clone(rows)
		sortRows(sorted, p, total)
		for i := 1; i < len(sorted); i++ {
			if total(sorted[i-1], sorted[i]) > 0 {
				t.Fatalf("round %d, order %v: sorted rows %d and %d out of order: %v, %v", round, p.order, i-1, i, sorted[i-1], sorted[i])
			}
		}
		if !sameRows(sorted, rows) {
			t.Fatalf("round %d: sorting changed the rows", round)
		}
	}
}

func sign(c int) int { return min(max(c, -1), 1) }

// sameRows says whether a and b hold the same rows, in any order.
func sameRows(a, b [][]result.Value) bool {
	count := map[string]int{}
	for _, r := range a {
		count[fmt.Sprint(r)]++
	}
	for _, r := range b {
		count[fmt.Sprint(r)]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}
