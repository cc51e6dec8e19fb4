package query

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/signinq/signinq/result"
)

// TestFirstRows checks the bounded selection of the first rows against a
// full stable sort, with many equal rows.
func TestFirstRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	order := func(a, b []result.Value) int { return result.Compare(b[0], a[0]) } // descending
	for range 300 {
		rows := make([][]result.Value, rng.IntN(200)+1)
		for i := range rows {
			rows[i] = []result.Value{result.IntValue(int64(rng.IntN(20))), result.IntValue(int64(i))}
		}
		n := rng.IntN(len(rows) + 1)
		want := slices.Clone(rows)
		slices.SortStableFunc(want, order)
		want = want[:n]
		got := firstRows(rows, n, order)
		slices.SortStableFunc(got, order)
		if !slices.EqualFunc(got, want, func(a, b []result.Value) bool { return a[1].Equal(b[1]) }) {
			t.Fatalf("first %d of %d rows:\n got  %v\n want %v", n, len(rows), got, want)
		}
	}
}
