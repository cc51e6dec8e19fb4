package querygen

// The random queries' lists of fields, (F1, F2, …) [not] in (QUERY)
// (subquery.go): two or three fields of every kind, the
// subquery's columns each of its field's kind (the field itself, or
// one like it), from an aggregate grouped by them (with having), a
// list, or top.

import (
	"strconv"
	"strings"
)

// rqTupleFields are a field, and the fields a subquery's column in its
// place may be.
var rqTupleFields = [][]string{
	{"user", "user", "identity"}, {"app", "app", "resource"}, {"country", "country"}, {"ip", "ip"},
	{"status", "status"}, {"client", "client"}, {"city", "city"}, {"policy", "policy", "app"},
	{"authMethod", "authMethod"}, {"error", "error"}, {"asn", "asn"}, {"compliant", "compliant"},
	{"latitude", "latitude", "longitude"},
}

// tuplePred is a random (F1, F2, …) [not] in (QUERY).
func (g *Gen) TuplePred() string {
	n := 2 + g.Intn(2)
	var fields, cols []string
	used := map[string]bool{} // a subquery groups by a field once
	for len(fields) < n {
		pair := Pick(g, rqTupleFields)
		c := Pick(g, pair[1:])
		if used[pair[0]] || used[c] {
			continue
		}
		used[pair[0]], used[c] = true, true
		fields, cols = append(fields, g.Name(pair[0])), append(cols, g.Name(c))
	}
	g.subDepth++
	defer func() { g.subDepth-- }()
	var cs []string
	if g.Chance(0.7) {
		cs = append(cs, g.kw("where")+" "+g.Cond(1))
	}
	cs = append(cs, g.TimeClause())
	var sub string
	switch g.weighted(50, 30, 20) {
	case 0:
		cs = append(cs, g.kw("group")+" "+g.kw("by")+" "+strings.Join(cols, ", "))
		if g.Chance(0.5) {
			cs = append(cs, g.kw("having")+" count "+Pick(g, []string{"=", "<=", ">"})+" "+strconv.Itoa(1+g.Intn(3)))
		}
		sub = g.Clauses(g.fn("count"), cs)
	case 1:
		sub = g.Clauses(g.kw("list")+" "+strings.Join(cols, ", "), append(cs, g.limit(0.3, 40)))
	default:
		sub = g.Clauses(g.kw("top")+" "+strconv.Itoa(1+g.Intn(30))+" "+strings.Join(cols, ", "), cs)
	}
	op := " " + g.kw("in") + " "
	if g.Chance(0.4) {
		op = " " + g.kw("not") + op
	}
	return "(" + strings.Join(fields, ", ") + ")" + op + "(" + strings.TrimSpace(sub) + ")"
}
