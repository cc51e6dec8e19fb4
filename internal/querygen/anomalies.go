package querygen

import (
	"strings"
)

// anomalies makes an aggregate query grouped by bin(D) and other keys,
// as spikes does, with anomalies after it and arguments of every kind.
func (g *Gen) Anomalies() string {
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
			keys[i] = k[:4] + Pick(g, []string{"1h", "2h", "6h", "1d", "3600s", "90m", "12h"}) + ")"
		}
	}
	cs := []string{g.Where(), g.TimeClause(), g.kw("group") + " " + g.kw("by") + " " + strings.Join(keys, ", ")}
	if h := g.having(heads, 1); h != "" && g.Chance(0.2) {
		cs = append(cs, g.kw("having")+" "+h)
	}
	args := Pick(g, []string{"", "k=3 trend=linefit", "k=2.5 trend=linefit", "trend=none k=0.5", "method=tukey direction=both",
		"period=24 trend=linefit", "period=3", "test=2 trend=linefit", "fill=none", "direction=down k=1", "k=1 fill=none trend=linefit",
		"value=V k=2", "1 linefit 4 tukey 1 both", "k 0 trend none direction both"})
	if strings.Contains(args, "V") {
		if len(values) == 0 {
			args = "k=2"
		} else {
			args = strings.ReplaceAll(args, "V", Pick(g, values))
		}
	}
	q := g.Clauses(strings.Join(hs, ", "), cs) + " | " + g.kw("anomalies")
	if args != "" {
		q += " " + args
	}
	return q
}
