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
	{"status", "status"}, {"type", "type"}, {"client", "client"}, {"os", "os"}, {"city", "city"}, {"place", "place", "city"},
	{"policy", "policy", "app"}, {"authMethod", "authMethod"}, {"error", "error"}, {"asn", "asn"},
}

// subPred is a random F [not] in (QUERY).
func (g *queryGen) subPred() string {
	if g.chance(0.3) {
		return g.tuplePred() // randquery_tuple_test.go
	}
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

// rqPipeKeys are the fields piped queries group and join by.
var rqPipeKeys = []string{"type", "status", "app", "country", "client", "os", "error", "user", "ip", "city", "risk", "compliant", "asn"}

// piped makes a query whose columns it knows (an aggregate grouped by
// one or two keys, top, list), then where, order by, limit and joins
// after |s, in any order.
func (g *queryGen) piped() string {
	keys := []string{rqPick(g, rqPipeKeys)}
	if k := rqPick(g, rqPipeKeys); k != keys[0] && g.chance(0.3) {
		keys = append(keys, k)
	}
	var head string
	var nums []string // numeric columns
	// unique: the rows have one row per key, so that a join with rows
	// of many per key (a list's) stays of their size.
	unique := true
	text := map[string]bool{}
	for _, k := range keys {
		if k != "error" && k != "asn" && k != "compliant" {
			text[k] = true
		}
	}
	names := func() string {
		var ns []string
		for _, k := range keys {
			ns = append(ns, g.name(k))
		}
		return strings.Join(ns, ", ")
	}
	switch g.weighted(60, 20, 20) {
	case 0:
		head = g.fn("count")
		nums = append(nums, "count")
		if g.chance(0.4) {
			head += ", " + g.fn("dcount") + "(" + g.name(rqPick(g, []string{"user", "ip", "app"})) + ") as d"
			nums = append(nums, "d")
		}
		head = g.clauses(head, []string{g.where(), g.timeClause(), g.kw("group") + " " + g.kw("by") + " " + names()})
	case 1:
		keys = keys[:1]
		head = g.clauses(g.kw("top")+" "+strconv.Itoa(1+g.intn(30))+" "+names(), []string{g.where(), g.timeClause()})
		nums = append(nums, "count")
	default:
		head = g.clauses(g.kw("list")+" "+names(), []string{g.where(), g.timeClause(), g.limit(0.5, 200)})
		unique = false
	}
	cols := append(append([]string(nil), keys...), nums...)
	q := head
	for n := 1 + g.intn(3); n > 0; n-- {
		switch g.weighted(35, 20, 15, 30) {
		case 0:
			q += " | " + g.kw("where") + " " + g.rowCond(keys, nums, text, 2)
		case 1:
			var os []string
			for i := 0; i < 1+g.intn(2); i++ {
				o := rqPick(g, cols)
				if g.chance(0.5) {
					o += " " + g.kw("desc")
				}
				os = append(os, o)
			}
			q += " | " + g.kw("order") + " " + g.kw("by") + " " + strings.Join(os, ", ")
		case 2:
			q += " | " + g.kw("limit") + " " + strconv.Itoa(1+g.intn(20))
		default:
			kind := rqPick(g, []string{"", "", "left ", "anti "})
			var sub string
			switch {
			case g.chance(0.5) || !unique && kind != "anti ":
				c := "c" + strconv.Itoa(len(cols))
				sub = g.clauses(g.fn("count")+" as "+c, []string{g.where(), g.timeClause(), g.kw("group") + " " + g.kw("by") + " " + names()})
				if kind != "anti " {
					nums = append(nums, c)
					cols = append(cols, c)
				}
			default:
				sub = g.clauses(g.kw("list")+" "+names(), []string{g.where(), g.timeClause(), g.limit(0.5, 100)})
				unique = unique && kind == "anti "
			}
			q += " | " + g.kw("join") + " " + kind + "(" + sub + ") on " + names()
		}
	}
	return q
}

// rowCond is a random condition on a piped query's rows.
func (g *queryGen) rowCond(keys, nums []string, text map[string]bool, depth int) string {
	if depth > 0 && g.chance(0.3) {
		op := rqPick(g, []string{"and", "or"})
		return g.rowCond(keys, nums, text, depth-1) + " " + g.kw(op) + " " + g.rowCond(keys, nums, text, depth-1)
	}
	if depth > 0 && g.chance(0.1) {
		return g.kw("not") + " (" + g.rowCond(keys, nums, text, depth-1) + ")"
	}
	k := rqPick(g, keys)
	if len(nums) > 0 && g.chance(0.6) {
		n := rqPick(g, nums)
		right := strconv.Itoa(g.intn(40))
		switch {
		case len(nums) > 1 && g.chance(0.3):
			right = rqPick(g, nums)
		case len(nums) > 1 && g.chance(0.3):
			right = strconv.Itoa(1+g.intn(5)) + " * " + rqPick(g, nums) + " / " + rqPick(g, nums)
		case g.chance(0.1):
			right = "0.5 * " + rqPick(g, nums) + " + 1"
		}
		return n + " " + rqPick(g, []string{"=", "!=", "<", "<=", ">", ">="}) + " " + right
	}
	if !text[k] {
		if k == "compliant" {
			return k + " = " + rqPick(g, []string{"true", "false"})
		}
		return k + " " + rqPick(g, []string{"=", "!=", "<", ">="}) + " " + strconv.FormatInt(g.intValue(k), 10)
	}
	v := g.textOf(k)
	if g.chance(0.3) {
		v = g.mixCase(v)
	}
	lit := rqQuote(v, '"')
	if g.chance(0.2) {
		switch g.intn(5) {
		case 0:
			return k + " " + g.kw("contains") + " " + rqQuote(g.substr(v), '"')
		case 1:
			return k + " " + g.kw("startswith") + " " + rqQuote(g.prefix(v), '"')
		case 2:
			return k + " " + g.kw("endswith") + " " + rqQuote(g.suffix(v), '"')
		case 3:
			return k + " " + g.kw("like") + " " + rqQuote(g.glob(v), '"')
		}
		return k + " ~ " + rqQuote(g.regex(v), '"')
	}
	if g.chance(0.2) {
		return k + " " + g.kw("in") + " (" + lit + ", " + rqQuote(g.textOf(k), '\'') + ")"
	}
	return k + " " + rqPick(g, []string{"=", "!="}) + " " + lit
}
