package query

// Random sequences (| sequence) for the differential test: a list,
// keys, bounds, and steps of conditions on the list's columns, prev.
// and functions of them, some repeated, some any event.

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rqSeqFields are the fields a random sequence's steps read.
var rqSeqFields = []string{"status", "ip", "app", "country", "error", "user"}

// sequence makes a random list | sequence query.
func (g *queryGen) sequence() string {
	keys := []string{rqPick(g, []string{"user", "user", "ip", "app", "identity"})}
	if g.chance(0.25) {
		if k := rqPick(g, []string{"app", "ip", "country"}); k != keys[0] {
			keys = append(keys, k)
		}
	}
	var fields []string
	for _, f := range rqSeqFields {
		if g.chance(0.5) {
			fields = append(fields, f)
		}
	}
	head := g.kw("list")
	if g.chance(0.6) {
		cols := []string{"time", "status"}
		for _, f := range append(append([]string(nil), keys...), fields...) {
			if !strings.Contains(strings.Join(cols, ","), f) {
				cols = append(cols, f)
			}
		}
		for i, c := range cols {
			cols[i] = g.name(c)
		}
		head += " " + strings.Join(cols, ", ")
	}
	since := g.kw("since") + " " + rqPick(g, []string{"6h", "1d", "2d", "3d"})
	q := g.clauses(head, []string{g.where(), since})
	var names []string
	for _, k := range keys {
		names = append(names, g.name(k))
	}
	q += " | " + g.kw("sequence") + " " + g.kw("by") + " " + strings.Join(names, ", ")
	durs := []string{"1m", "5m", "10m", "30m", "1h", "2h"}
	switch g.weighted(45, 35, 20) {
	case 0:
		q += " " + g.kw("within") + " " + rqPick(g, durs)
	case 1:
		q += " " + g.kw("gap") + " " + rqPick(g, durs)
	default:
		q += " " + g.kw("within") + " " + rqPick(g, durs) + " " + g.kw("gap") + " " + rqPick(g, durs)
	}
	q += ":"
	for i := range 1 + g.intn(3) {
		if i > 0 {
			q += " " + g.kw("then")
		}
		if g.chance(0.3) {
			q += " " + strconv.Itoa(1+g.intn(4)) + "+"
		}
		if g.chance(0.15) {
			q += " *"
			continue
		}
		q += " " + g.seqCond(fields, i > 0, 2)
	}
	switch g.weighted(60, 20, 20) {
	case 1:
		q += " | " + g.kw("where") + " " + g.kw("events") + " > " + strconv.Itoa(1+g.intn(4))
	case 2:
		q += " | " + g.kw("order") + " " + g.kw("by") + " " + rqPick(g, []string{"last desc", "events", "first"}) + " | " + g.kw("limit") + " " + strconv.Itoa(1+g.intn(20))
	}
	return q
}

// seqCond is a random condition of a sequence's step on fields (status
// always, the others when listed or read by the list's defaults).
func (g *queryGen) seqCond(fields []string, prev bool, depth int) string {
	if depth > 0 && g.chance(0.25) {
		return g.seqCond(fields, prev, depth-1) + " " + g.kw(rqPick(g, []string{"and", "or"})) + " " + g.seqCond(fields, prev, depth-1)
	}
	if depth > 0 && g.chance(0.08) {
		return g.kw("not") + " (" + g.seqCond(fields, prev, depth-1) + ")"
	}
	f := "status"
	if len(fields) > 0 && g.chance(0.7) {
		f = rqPick(g, fields)
	}
	if prev && g.chance(0.4) {
		switch {
		case f == "ip" && g.chance(0.5):
			return "subnet(ip, " + rqPick(g, []string{"8", "16", "24"}) + ") " + rqPick(g, []string{"=", "!="}) + " prev.subnet(ip, 16)"
		case f == "error":
			return "error " + rqPick(g, []string{"=", "!=", ">"}) + " prev.error"
		case g.chance(0.2):
			return "time - prev.time " + rqPick(g, []string{"<=", ">="}) + " " + rqPick(g, []string{"30s", "2m", "10m"})
		}
		return g.name(f) + " " + rqPick(g, []string{"=", "!="}) + " prev." + f
	}
	switch f {
	case "status":
		return g.name("status") + " " + rqPick(g, []string{"=", "!="}) + " " + rqPick(g, []string{"success", "failure", "interrupted"})
	case "error":
		return g.name("error") + " " + g.kw("in") + " (0, 50126, " + strconv.FormatInt(g.intValue("error"), 10) + ")"
	case "ip":
		if a, err := netip.ParseAddr(g.rec().IP); err == nil && a.Is4() {
			p, _ := a.Prefix(16)
			return "subnet(ip, 16) " + rqPick(g, []string{"=", "!="}) + " " + rqQuote(p.String(), '"')
		}
		return g.name("ip") + " != " + rqQuote(g.textOf("ip"), '"')
	}
	v := g.textOf(f)
	if g.chance(0.3) {
		v = g.mixCase(v)
	}
	return g.name(f) + " " + rqPick(g, []string{"=", "!="}) + " " + rqQuote(v, '"')
}

// rqAbsent are fields and lists of their values for group by … in.
var rqAbsent = [][2]string{{"user", "@diffUsers"}, {"app", "@diffApps"}, {"error", "@diffCodes"}, {"country", "@diffCountries"},
	{"error", "@passwordFailures"}, {"client", "@legacyClients"}, {"error", "@sentinelSuccess"}}

// absence makes a random aggregate grouped by a field in a named list.
func (g *queryGen) absence() string {
	ka := rqPick(g, rqAbsent)
	heads := []string{g.fn("count")}
	for _, h := range []string{"dcount(ip) as d", "max(time) as last", "values(app) as apps", "sum(latency) as s", "countif(status=failure) as f", "min(error) as e"} {
		if g.chance(0.25) {
			heads = append(heads, h)
		}
	}
	cs := []string{g.where(), g.timeClause(), g.kw("group") + " " + g.kw("by") + " " + g.name(ka[0]) + " " + g.kw("in") + " " + g.varyCase(ka[1])}
	switch g.weighted(50, 25, 25) {
	case 1:
		cs = append(cs, g.kw("having")+" count = 0")
	case 2:
		cs = append(cs, g.kw("having")+" count > "+strconv.Itoa(g.intn(20)))
	}
	if g.chance(0.3) {
		cs = append(cs, g.kw("order")+" "+g.kw("by")+" "+ka[0]+" "+g.kw("desc"), g.kw("limit")+" "+strconv.Itoa(1+g.intn(5)))
	}
	return g.clauses(strings.Join(heads, ", "), cs)
}

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
	g := newQueryGen(seed^0x5e9, s.recs, s.now)
	n := 300
	if testing.Short() {
		n = 100
	}
	matched, rejected := 0, 0
	for i := range n {
		text := g.sequence()
		if i%3 == 2 {
			text = g.absence()
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
