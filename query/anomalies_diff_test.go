package query

import (
	"testing"

	"github.com/signinq/signinq/internal/querygen"
)

// TestDifferentialAnomalies runs random queries ending in anomalies
// (random heads, conditions, keys and bins, every argument) on the
// executor and the naive evaluator, which decomposes in exact rationals.
func TestDifferentialAnomalies(t *testing.T) {
	t.Parallel()
	seed, err := diffSeed()
	if err != nil {
		t.Fatalf("bad seed: %v", err)
	}
	t.Logf("seed %d (replay: go test ./query/ -run TestDifferentialAnomalies -diff.seed=%d)", seed, seed)
	n := 300
	if testing.Short() {
		n = 80
	}
	s := diffFixture(t, seed)
	g := querygen.New(seed, s.recs, s.now)
	failed, rejected, empty := 0, 0, 0
	for i := range n {
		now := g.PickNow(s.now)
		g.SetNow(now)
		text := g.Anomalies()
		o := diffRun(s, i%2, text, now)
		switch {
		case o.rejected != nil:
			rejected++
			if rejected <= 3 {
				t.Logf("rejected: %s\n      %v", text, o.rejected)
			}
		case o.diff != "":
			if failed++; failed <= 10 {
				t.Errorf("seed %d, query %d (%s, now %s):\n  %s\n%s", seed, i, diffStoreNames[i%2], now.Format("2006-01-02T15:04:05.999999999Z07:00"), text, o.diff)
			}
		case o.rows == 0:
			empty++
		}
	}
	t.Logf("%d queries: %d rejected, %d with no rows, %d differing", n, rejected, empty, failed)
	if rejected > n/4 {
		t.Errorf("%d of %d queries rejected: the generator makes too few valid ones", rejected, n)
	}
}
