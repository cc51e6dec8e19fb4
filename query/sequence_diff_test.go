package query

import (
	"testing"
	"time"

	"github.com/signinq/signinq/internal/querygen"
)

// TestDifferentialSequences runs random sequences and absences alone
// through the executor and the naive evaluator (TestDifferential runs
// them among the other queries, fewer).
func TestDifferentialSequences(t *testing.T) {
	t.Parallel()
	seed, err := diffSeed()
	if err != nil {
		t.Fatalf("bad seed: %v", err)
	}
	t.Logf("seed %d (replay: go test ./query/ -run TestDifferentialSequences -diff.seed=%d)", seed, seed)
	s := diffFixture(t, seed)
	g := querygen.New(seed^0x5e9, s.recs, s.now)
	n := 300
	if testing.Short() {
		n = 100
	}
	matched, rejected := 0, 0
	for i := range n {
		text := g.Sequence()
		if i%3 == 2 {
			text = g.Absence()
		}
		o := diffRun(s, i%2, text, s.now)
		switch {
		case o.rejected != nil:
			rejected++
			t.Logf("rejected: %s: %v", text, o.rejected)
		case o.diff != "":
			t.Errorf("seed %d, query %d (%s):\n  %s\n%s\n  replay: -diff.seed=%d -diff.query=%q -diff.now=%s", seed, i, diffStoreNames[i%2], text, o.diff, seed, text, s.now.Format(time.RFC3339Nano))
		case o.rows > 0:
			matched++
		}
	}
	t.Logf("%d queries: %d with rows, %d rejected", n, matched, rejected)
	if rejected*10 > n || matched*3 < n {
		t.Errorf("%d of %d rejected, %d with rows: the generator should make valid queries that match", rejected, n, matched)
	}
}
