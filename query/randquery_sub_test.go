package query

// The random queries' subqueries (randquery_test.go): F in (QUERY) and
// F not in (QUERY), whose first column is F's or a field of its kind:
// top, list (with and without limit), an aggregate grouped by the
// column (with having), values of a field; nested now and then.

import (
	"strconv"
	"strings"
)

// rqSubPairs are a field, and the fields of its kind a subquery may
// give the values of.
var rqSubPairs = [][]string{
	{"user", "user", "identity"}, {"app", "app", "resource"}, {"country", "country"}, {"ip", "ip"},
	{"status", "status"}, {"type", "type"}, {"client", "client"}, {"os", "os"}, {"city", "city"},
	{"policy", "policy", "app"}, {"authMethod", "authMethod"}, {"error", "error"}, {"asn", "asn"},
}

// subPred is a random F [not] in (QUERY).
func (g *queryGen) subPred() string {
	pair := rqPick(g, rqSubPairs)
	f, c := pair[0], rqPick(g, pair[1:])
	g.subDepth++
	defer func() { g.subDepth-- }()
	var sub string
	where := func() string {
		if g.chance(0.7) {
			return g.kw("where") + " " + g.cond(1)
		}
		return ""
	}
	text := f != "error" && f != "asn"
	switch g.weighted(30, 30, 30, 10) {
	case 0:
		sub = g.clauses(g.kw("top")+" "+strconv.Itoa(1+g.intn(20))+" "+g.name(c), []string{where(), g.timeClause()})
	case 1:
		sub = g.clauses(g.kw("list")+" "+g.name(c), []string{where(), g.timeClause(), g.limit(0.3, 40)})
	case 2:
		cs := []string{where(), g.timeClause(), g.kw("group") + " " + g.kw("by") + " " + g.name(c)}
		if g.chance(0.4) {
			cs = append(cs, g.kw("having")+" count > "+strconv.Itoa(g.intn(30)))
		}
		sub = g.clauses(g.fn("count"), cs)
	default:
		if !text || f == "ip" {
			return g.pred()
		}
		sub = g.clauses(g.fn("values")+"("+g.name(c)+")", []string{where(), g.timeClause()})
	}
	op := " " + g.kw("in") + " "
	if g.chance(0.4) {
		op = " " + g.kw("not") + op
	}
	return g.name(f) + op + "(" + strings.TrimSpace(sub) + ")"
}
