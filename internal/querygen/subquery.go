package querygen

// The random queries' subqueries (querygen.go): F in (QUERY) and
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
func (g *Gen) subPred() string {
	if g.Chance(0.3) {
		return g.TuplePred() // tuple.go
	}
	pair := Pick(g, rqSubPairs)
	f, c := pair[0], Pick(g, pair[1:])
	g.subDepth++
	defer func() { g.subDepth-- }()
	var sub string
	where := func() string {
		if g.Chance(0.7) {
			return g.kw("where") + " " + g.Cond(1)
		}
		return ""
	}
	text := f != "error" && f != "asn"
	switch g.weighted(30, 30, 30, 10) {
	case 0:
		sub = g.Clauses(g.kw("top")+" "+strconv.Itoa(1+g.Intn(20))+" "+g.Name(c), []string{where(), g.TimeClause()})
	case 1:
		sub = g.Clauses(g.kw("list")+" "+g.Name(c), []string{where(), g.TimeClause(), g.limit(0.3, 40)})
	case 2:
		cs := []string{where(), g.TimeClause(), g.kw("group") + " " + g.kw("by") + " " + g.Name(c)}
		if g.Chance(0.4) {
			cs = append(cs, g.kw("having")+" count > "+strconv.Itoa(g.Intn(30)))
		}
		sub = g.Clauses(g.fn("count"), cs)
	default:
		if !text || f == "ip" {
			return g.pred()
		}
		sub = g.Clauses(g.fn("values")+"("+g.Name(c)+")", []string{where(), g.TimeClause()})
	}
	op := " " + g.kw("in") + " "
	if g.Chance(0.4) {
		op = " " + g.kw("not") + op
	}
	return g.Name(f) + op + "(" + strings.TrimSpace(sub) + ")"
}

// rqPipeKeys are the fields piped queries group and join by.
var rqPipeKeys = []string{"type", "status", "app", "country", "client", "os", "error", "user", "ip", "city", "risk", "compliant", "asn"}

// piped makes a query whose columns it knows (an aggregate grouped by
// one or two keys, top, list), then where, order by, limit and joins
// after |s, in any order.
func (g *Gen) piped() string {
	keys := []string{Pick(g, rqPipeKeys)}
	if k := Pick(g, rqPipeKeys); k != keys[0] && g.Chance(0.3) {
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
			ns = append(ns, g.Name(k))
		}
		return strings.Join(ns, ", ")
	}
	switch g.weighted(60, 20, 20) {
	case 0:
		head = g.fn("count")
		nums = append(nums, "count")
		if g.Chance(0.4) {
			head += ", " + g.fn("dcount") + "(" + g.Name(Pick(g, []string{"user", "ip", "app"})) + ") as d"
			nums = append(nums, "d")
		}
		head = g.Clauses(head, []string{g.Where(), g.TimeClause(), g.kw("group") + " " + g.kw("by") + " " + names()})
	case 1:
		keys = keys[:1]
		head = g.Clauses(g.kw("top")+" "+strconv.Itoa(1+g.Intn(30))+" "+names(), []string{g.Where(), g.TimeClause()})
		nums = append(nums, "count")
	default:
		head = g.Clauses(g.kw("list")+" "+names(), []string{g.Where(), g.TimeClause(), g.limit(0.5, 200)})
		unique = false
	}
	cols := append(append([]string(nil), keys...), nums...)
	q := head
	for n := 1 + g.Intn(3); n > 0; n-- {
		switch g.weighted(35, 20, 15, 30) {
		case 0:
			q += " | " + g.kw("where") + " " + g.rowCond(keys, nums, text, 2)
		case 1:
			var os []string
			for i := 0; i < 1+g.Intn(2); i++ {
				o := Pick(g, cols)
				if g.Chance(0.5) {
					o += " " + g.kw("desc")
				}
				os = append(os, o)
			}
			q += " | " + g.kw("order") + " " + g.kw("by") + " " + strings.Join(os, ", ")
		case 2:
			q += " | " + g.kw("limit") + " " + strconv.Itoa(1+g.Intn(20))
		default:
			kind := Pick(g, []string{"", "", "left ", "anti "})
			var sub string
			switch {
			case g.Chance(0.5) || !unique && kind != "anti ":
				c := "c" + strconv.Itoa(len(cols))
				sub = g.Clauses(g.fn("count")+" as "+c, []string{g.Where(), g.TimeClause(), g.kw("group") + " " + g.kw("by") + " " + names()})
				if kind != "anti " {
					nums = append(nums, c)
					cols = append(cols, c)
				}
			default:
				sub = g.Clauses(g.kw("list")+" "+names(), []string{g.Where(), g.TimeClause(), g.limit(0.5, 100)})
				unique = unique && kind == "anti "
			}
			q += " | " + g.kw("join") + " " + kind + "(" + sub + ") on " + names()
		}
	}
	return q
}

// rowCond is a random condition on a piped query's rows.
func (g *Gen) rowCond(keys, nums []string, text map[string]bool, depth int) string {
	if depth > 0 && g.Chance(0.3) {
		op := Pick(g, []string{"and", "or"})
		return g.rowCond(keys, nums, text, depth-1) + " " + g.kw(op) + " " + g.rowCond(keys, nums, text, depth-1)
	}
	if depth > 0 && g.Chance(0.1) {
		return g.kw("not") + " (" + g.rowCond(keys, nums, text, depth-1) + ")"
	}
	k := Pick(g, keys)
	if len(nums) > 0 && g.Chance(0.6) {
		n := Pick(g, nums)
		right := strconv.Itoa(g.Intn(40))
		switch {
		case len(nums) > 1 && g.Chance(0.3):
			right = Pick(g, nums)
		case len(nums) > 1 && g.Chance(0.3):
			right = strconv.Itoa(1+g.Intn(5)) + " * " + Pick(g, nums) + " / " + Pick(g, nums)
		case g.Chance(0.1):
			right = "0.5 * " + Pick(g, nums) + " + 1"
		}
		return n + " " + Pick(g, []string{"=", "!=", "<", "<=", ">", ">="}) + " " + right
	}
	if !text[k] {
		if k == "compliant" {
			return k + " = " + Pick(g, []string{"true", "false"})
		}
		return k + " " + Pick(g, []string{"=", "!=", "<", ">="}) + " " + strconv.FormatInt(g.intValue(k), 10)
	}
	v := g.textOf(k)
	if g.Chance(0.3) {
		v = g.mixCase(v)
	}
	lit := rqQuote(v, '"')
	if g.Chance(0.2) {
		switch g.Intn(5) {
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
	if g.Chance(0.2) {
		return k + " " + g.kw("in") + " (" + lit + ", " + rqQuote(g.textOf(k), '\'') + ")"
	}
	return k + " " + Pick(g, []string{"=", "!="}) + " " + lit
}
