package querygen

// Random sequences (| sequence) for the differential test: a list,
// keys, bounds, and steps of conditions on the list's columns, prev.
// and functions of them, some repeated, some any event.

import (
	"net/netip"
	"strconv"
	"strings"
)

// rqSeqFields are the fields a random sequence's steps read.
var rqSeqFields = []string{"status", "ip", "app", "country", "error", "user"}

// sequence makes a random list | sequence query.
func (g *Gen) Sequence() string {
	keys := []string{Pick(g, []string{"user", "user", "ip", "app", "identity"})}
	if g.Chance(0.25) {
		if k := Pick(g, []string{"app", "ip", "country"}); k != keys[0] {
			keys = append(keys, k)
		}
	}
	var fields []string
	for _, f := range rqSeqFields {
		if g.Chance(0.5) {
			fields = append(fields, f)
		}
	}
	head := g.kw("list")
	if g.Chance(0.6) {
		cols := []string{"time", "status"}
		for _, f := range append(append([]string(nil), keys...), fields...) {
			if !strings.Contains(strings.Join(cols, ","), f) {
				cols = append(cols, f)
			}
		}
		for i, c := range cols {
			cols[i] = g.Name(c)
		}
		head += " " + strings.Join(cols, ", ")
	}
	since := g.kw("since") + " " + Pick(g, []string{"6h", "1d", "2d", "3d"})
	q := g.Clauses(head, []string{g.Where(), since})
	var names []string
	for _, k := range keys {
		names = append(names, g.Name(k))
	}
	q += " | " + g.kw("sequence") + " " + g.kw("by") + " " + strings.Join(names, ", ")
	durs := []string{"1m", "5m", "10m", "30m", "1h", "2h"}
	switch g.weighted(45, 35, 20) {
	case 0:
		q += " " + g.kw("within") + " " + Pick(g, durs)
	case 1:
		q += " " + g.kw("gap") + " " + Pick(g, durs)
	default:
		q += " " + g.kw("within") + " " + Pick(g, durs) + " " + g.kw("gap") + " " + Pick(g, durs)
	}
	q += ":"
	for i := range 1 + g.Intn(3) {
		if i > 0 {
			q += " " + g.kw("then")
		}
		if g.Chance(0.3) {
			q += " " + strconv.Itoa(1+g.Intn(4)) + "+"
		}
		if g.Chance(0.15) {
			q += " *"
			continue
		}
		q += " " + g.seqCond(fields, i > 0, 2)
	}
	switch g.weighted(60, 20, 20) {
	case 1:
		q += " | " + g.kw("where") + " " + g.kw("events") + " > " + strconv.Itoa(1+g.Intn(4))
	case 2:
		q += " | " + g.kw("order") + " " + g.kw("by") + " " + Pick(g, []string{"last desc", "events", "first"}) + " | " + g.kw("limit") + " " + strconv.Itoa(1+g.Intn(20))
	}
	return q
}

// seqCond is a random condition of a sequence's step on fields (status
// always, the others when listed or read by the list's defaults).
func (g *Gen) seqCond(fields []string, prev bool, depth int) string {
	if depth > 0 && g.Chance(0.25) {
		return g.seqCond(fields, prev, depth-1) + " " + g.kw(Pick(g, []string{"and", "or"})) + " " + g.seqCond(fields, prev, depth-1)
	}
	if depth > 0 && g.Chance(0.08) {
		return g.kw("not") + " (" + g.seqCond(fields, prev, depth-1) + ")"
	}
	f := "status"
	if len(fields) > 0 && g.Chance(0.7) {
		f = Pick(g, fields)
	}
	if prev && g.Chance(0.4) {
		switch {
		case f == "ip" && g.Chance(0.5):
			return "subnet(ip, " + Pick(g, []string{"8", "16", "24"}) + ") " + Pick(g, []string{"=", "!="}) + " prev.subnet(ip, 16)"
		case f == "error":
			return "error " + Pick(g, []string{"=", "!=", ">"}) + " prev.error"
		case g.Chance(0.2):
			return "time - prev.time " + Pick(g, []string{"<=", ">="}) + " " + Pick(g, []string{"30s", "2m", "10m"})
		}
		return g.Name(f) + " " + Pick(g, []string{"=", "!="}) + " prev." + f
	}
	switch f {
	case "status":
		return g.Name("status") + " " + Pick(g, []string{"=", "!="}) + " " + Pick(g, []string{"success", "failure", "interrupted"})
	case "error":
		return g.Name("error") + " " + g.kw("in") + " (0, 50126, " + strconv.FormatInt(g.intValue("error"), 10) + ")"
	case "ip":
		if a, err := netip.ParseAddr(g.rec().IP); err == nil && a.Is4() {
			p, _ := a.Prefix(16)
			return "subnet(ip, 16) " + Pick(g, []string{"=", "!="}) + " " + rqQuote(p.String(), '"')
		}
		return g.Name("ip") + " != " + rqQuote(g.textOf("ip"), '"')
	}
	v := g.textOf(f)
	if g.Chance(0.3) {
		v = g.mixCase(v)
	}
	return g.Name(f) + " " + Pick(g, []string{"=", "!="}) + " " + rqQuote(v, '"')
}

// rqAbsent are fields and lists of their values for group by … in.
var rqAbsent = [][2]string{{"user", "@diffUsers"}, {"app", "@diffApps"}, {"error", "@diffCodes"}, {"country", "@diffCountries"},
	{"error", "@passwordFailures"}, {"client", "@legacyClients"}, {"error", "@sentinelSuccess"}}

// absence makes a random aggregate grouped by a field in a named list.
func (g *Gen) Absence() string {
	ka := Pick(g, rqAbsent)
	heads := []string{g.fn("count")}
	for _, h := range []string{"dcount(ip) as d", "max(time) as last", "values(app) as apps", "sum(latency) as s", "countif(status=failure) as f", "min(error) as e"} {
		if g.Chance(0.25) {
			heads = append(heads, h)
		}
	}
	cs := []string{g.Where(), g.TimeClause(), g.kw("group") + " " + g.kw("by") + " " + g.Name(ka[0]) + " " + g.kw("in") + " " + g.varyCase(ka[1])}
	switch g.weighted(50, 25, 25) {
	case 1:
		cs = append(cs, g.kw("having")+" count = 0")
	case 2:
		cs = append(cs, g.kw("having")+" count > "+strconv.Itoa(g.Intn(20)))
	}
	if g.Chance(0.3) {
		cs = append(cs, g.kw("order")+" "+g.kw("by")+" "+ka[0]+" "+g.kw("desc"), g.kw("limit")+" "+strconv.Itoa(1+g.Intn(5)))
	}
	return g.Clauses(strings.Join(heads, ", "), cs)
}
