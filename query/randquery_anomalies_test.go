package query

import (
	"strings"
	"testing"
)

// anomalies makes an aggregate query grouped by bin(D) and other keys,
// as spikes does, with anomalies after it and arguments of every kind.
func (g *queryGen) anomalies() string {
	heads := g.heads()
	numeric := false
	var hs, values []string
	for _, h := range heads {
		hs = append(hs, h.text)
		if h.numeric {
			numeric = true
			if !strings.ContainsAny(h.ref, " (") {
				values = append(values, h.ref)
			}
		}
	}
	if !numeric {
		hs = append(hs, g.fn("count"))
		values = append(values, "count")
	}
	keys, _ := g.keysOf(1+g.weighted(40, 40, 20), true)
	// Bins of an hour or more: the naive evaluator's exact arithmetic
	// over thousands of 7-minute bins per series takes minutes.
	for i, k := range keys {
		if strings.HasPrefix(strings.ToLower(k), "bin(") {
			keys[i] = k[:4] + rqPick(g, []string{"1h", "2h", "6h", "1d", "3600s", "90m", "12h"}) + ")"
		}
	}
	cs := []string{g.where(), g.timeClause(), g.kw("group") + " " + g.kw("by") + " " + strings.Join(keys, ", ")}
	if h := g.having(heads, 1); h != "" && g.chance(0.2) {
		cs = append(cs, g.kw("having")+" "+h)
	}
	args := rqPick(g, []string{"", "k=3 trend=linefit", "k=2.5 trend=linefit", "trend=none k=0.5", "method=tukey direction=both",
		"period=24 trend=linefit", "period=3", "test=2 trend=linefit", "fill=none", "direction=down k=1", "k=1 fill=none trend=linefit",
		"value=V k=2", "1 linefit 4 tukey 1 both", "k 0 trend none direction both"})
	if strings.Contains(args, "V") {
		if len(values) == 0 {
			args = "k=2"
		} else {
			args = strings.ReplaceAll(args, "V", rqPick(g, values))
		}
	}
	q := g.clauses(strings.Join(hs, ", "), cs) + " | " + g.kw("anomalies")
	if args != "" {
		q += " " + args
	}
	return q
}

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
	g := newQueryGen(seed, s.recs, s.now)
	failed, rejected, empty := 0, 0, 0
	for i := range n {
		now := g.pickNow(s.now)
		g.now = now
		text := g.anomalies()
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
