package querygen

// The generator's main forms: aggregate queries (heads with aliases and
// arithmetic, group by fields, functions of a field and bin, having,
// order by, limit), top and list, and aggregate queries grouped by bin
// with spikes after them, under conditions of every operator on every
// kind of field and comparisons of two fields, time arithmetic (now -
// 1d, last - first; timearith.go) and functions of a field inside
// aggregates, with values drawn from the data so that most filters
// select something, and some that select nothing.

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/signinq/signinq/query/ast"

	"github.com/signinq/signinq/engine/signin"
)

// The fields the generator uses, by what it does with them.
var (
	rqText = []string{"type", "status", "reason", "details", "identity", "user", "userId", "userName", "userType",
		"app", "appId", "resource", "country", "state", "city", "client", "browser", "os", "userAgent",
		"device", "trust", "protocol", "authRequirement", "ca", "risk", "riskAggregated", "riskState", "riskDetail",
		"sp", "msiType", "tenant", "crossTenant", "tokenIssuer", "sessionId", "id", "correlationId",
		"firstAuthMethod", "firstStepResult", "originalTransferMethod", "logTenant", "place"}
	rqList = []string{"authMethod", "policy", "riskEvents",
		"stepResult", "policyResult", "policyFailed", "policyReportOnly", "networkType", "networkName"}
	rqInt   = []string{"error", "asn", "latency", "signInCount"}
	rqFloat = []string{"latitude", "longitude"}
	rqTime  = []string{"time", "ingested"}
	rqBool  = []string{"compliant", "managed", "isInteractive", "firstStepSucceeded"}
	// rqKeys are fields to group by: few values each, or a few hundred.
	rqKeys = []string{"type", "status", "app", "resource", "country", "client", "os", "browser", "ca", "risk",
		"userType", "trust", "error", "compliant", "managed", "asn", "policy", "authMethod", "riskEvents",
		"city", "user", "ip", "msiType", "crossTenant", "identity", "protocol", "state", "latitude", "riskState",
		"authRequirement", "tenant", "firstAuthMethod", "stepResult", "policyFailed", "isInteractive", "networkType", "place"}
	// rqMinMax are fields min and max take; rqValues, fields values takes.
	rqMinMax = []string{"time", "ingested", "error", "latency", "asn", "latitude", "longitude", "app", "user",
		"country", "ip", "type", "status", "browser", "signInCount"}
	rqValues = []string{"country", "app", "ip", "error", "policy", "authMethod", "riskEvents", "status", "type",
		"client", "os", "city", "asn", "user", "ca", "policyFailed", "stepResult", "place"}
	rqDcount = []string{"user", "ip", "app", "country", "error", "policy", "authMethod", "riskEvents", "identity",
		"device", "asn", "latency", "sessionId", "type", "status", "city", "latitude", "compliant", "time", "userAgent",
		"policyResult", "firstAuthMethod", "place"}
	rqNumeric = []string{"error", "asn", "latency", "signInCount", "latitude", "longitude"}
	rqAliases = []string{"n", "total", "failed", "users", "ips", "ok", "bad", "pct", "first", "last", "hits",
		"apps", "avgLatency", "x", "y", "z", "ratio", "share", "Peak", "n2"}
	rqBins = []string{"1h", "6h", "1d", "30m", "12h", "1w", "2h", "90m", "3h", "3600s", "2d", "15m", "7m", "13h", "5d", "1440m"}
)

// Gen makes random queries about records.
type Gen struct {
	r    *rand.Rand
	recs []signin.Record
	now  time.Time
	from time.Time // the earliest sign-in
	// subDepth is how deep in subqueries the generator is
	// (subquery.go).
	subDepth int
}

func New(seed uint64, recs []signin.Record, now time.Time) *Gen {
	g := &Gen{r: rand.New(rand.NewPCG(seed, seed^0x5eed)), recs: recs, now: now, from: now}
	for i := range recs {
		if recs[i].Time.Before(g.from) {
			g.from = recs[i].Time
		}
	}
	return g
}

func (g *Gen) Chance(p float64) bool { return g.r.Float64() < p }
func (g *Gen) Intn(n int) int        { return g.r.IntN(n) }

func Pick[T any](g *Gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// weighted picks an index by weights.
func (g *Gen) weighted(ws ...int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	n := g.Intn(total)
	for i, w := range ws {
		if n < w {
			return i
		}
		n -= w
	}
	return len(ws) - 1
}

// kw writes a keyword, sometimes in upper or title case.
func (g *Gen) kw(k string) string {
	switch {
	case g.Chance(0.05):
		return strings.ToUpper(k)
	case g.Chance(0.03):
		return strings.ToUpper(k[:1]) + k[1:]
	}
	return k
}

// name writes a field name, sometimes in another case than the catalog's,
// sometimes as one of its aliases (its Log Analytics or Graph name).
func (g *Gen) Name(f string) string {
	switch g.weighted(74, 8, 7, 5, 6) {
	case 1:
		return strings.ToLower(f)
	case 2:
		return strings.ToUpper(f)
	case 3:
		return g.mixCase(f)
	case 4:
		if as := signin.Lookup(f).Aliases(); len(as) > 0 {
			return g.varyCase(Pick(g, as))
		}
	}
	return f
}

func (g *Gen) mixCase(s string) string {
	b := []rune(s)
	for i, c := range b {
		if g.Chance(0.5) {
			if unicode.IsUpper(c) {
				b[i] = unicode.ToLower(c)
			} else {
				b[i] = unicode.ToUpper(c)
			}
		}
	}
	return string(b)
}

// varyCase returns s in another case, for case-insensitive matches.
func (g *Gen) varyCase(s string) string {
	switch g.weighted(60, 15, 15, 10) {
	case 1:
		return strings.ToLower(s)
	case 2:
		return strings.ToUpper(s)
	case 3:
		return g.mixCase(s)
	}
	return s
}

// rqBare reports whether s can be written as a bare word meaning itself
// as a value: one word, not a keyword, not a field's name.
func rqBare(s string) bool {
	if s == "" || ast.IsKeyword(s) || signin.Lookup(s) != nil {
		return false
	}
	for _, c := range s {
		if unicode.IsSpace(c) || strings.ContainsRune(`(),|=!<>~"'\`, c) || c > unicode.MaxASCII {
			return false
		}
	}
	if len(s) == 1 && strings.ContainsRune("*/+-", rune(s[0])) {
		return false
	}
	if strings.ContainsRune("*/+-", rune(s[0])) {
		// An operator character before a break stands alone; before
		// anything else it starts a word.
		return len(s) > 1
	}
	return true
}

// rqQuote quotes s with q (" or '), escaping backslashes and q.
func rqQuote(s string, q byte) string {
	var b strings.Builder
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		if s[i] == q || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte(q)
	return b.String()
}

// val writes a text value: bare when it can be and the dice say so,
// else quoted.
func (g *Gen) val(s string) string {
	if rqBare(s) && g.Chance(0.7) {
		return s
	}
	if g.Chance(0.2) {
		return rqQuote(s, '\'')
	}
	return rqQuote(s, '"')
}

// rec returns a random record.
func (g *Gen) rec() *signin.Record { return &g.recs[g.Intn(len(g.recs))] }

// textOf draws a value of a text field from the data, preferring present
// ones; for a list, an element.
func (g *Gen) textOf(name string) string {
	f := signin.Lookup(name)
	for try := 0; try < 8; try++ {
		r := g.rec()
		if f.Kind == signin.KindList {
			if l := f.List(r); len(l) > 0 {
				return Pick(g, l)
			}
			continue
		}
		if s := f.Text(r); s != "" || try == 7 {
			return s
		}
	}
	return ""
}

// miss returns a value no sign-in has.
func (g *Gen) miss() string {
	return Pick(g, []string{"zz-nomatch", "Nothing Here", "no.such@contoso.com", "qqq", "ÄÖÜ", "0000"})
}

// textValue is a value to compare a text field with: mostly from the
// data, in varied case; sometimes one nothing has, sometimes "". An
// enumeration's value is one of its values (the language refuses
// others), maybe one the data lacks.
func (g *Gen) textValue(name string) string {
	if vs := signin.Lookup(name).Values; vs != nil {
		if g.Chance(0.3) {
			return g.varyCase(Pick(g, vs))
		}
		return g.varyCase(g.textOf(name))
	}
	switch g.weighted(85, 10, 5) {
	case 1:
		return g.miss()
	case 2:
		return ""
	}
	return g.varyCase(g.textOf(name))
}

func (g *Gen) op(op string) string {
	if op[0] >= 'a' && op[0] <= 'z' || g.Chance(0.6) {
		return " " + g.kw(op) + " "
	}
	return op
}

// inList writes (v1, v2, …) of n values made by one.
func (g *Gen) inList(n int, one func() string) string {
	vs := make([]string, n)
	for i := range vs {
		vs[i] = one()
	}
	return "(" + strings.Join(vs, ", ") + ")"
}

// textPred is a predicate on a text field (a string or a list).
func (g *Gen) textPred(name string) string {
	f := g.Name(name)
	v := g.textOf(name)
	switch g.weighted(25, 10, 12, 6, 12, 8, 6, 10, 8) {
	case 0:
		return f + g.op("=") + g.val(g.textValue(name))
	case 1:
		return f + g.op("!=") + g.val(g.textValue(name))
	case 2, 3:
		not := ""
		if g.Chance(0.35) {
			not = g.kw("not") + " "
		}
		return f + " " + not + g.kw("in") + " " + g.inList(1+g.Intn(4), func() string { return g.val(g.textValue(name)) })
	case 4:
		if g.Chance(0.3) { // one or two characters: many values match
			r := []rune(v)
			if len(r) > 2 {
				i := g.Intn(len(r) - 1)
				v = string(r[i : i+1+g.Intn(2)])
			}
			return f + g.op("contains") + g.val(g.varyCase(v))
		}
		return f + g.op("contains") + g.val(g.varyCase(g.substr(v)))
	case 5:
		return f + g.op("startswith") + g.val(g.varyCase(g.prefix(v)))
	case 6:
		return f + g.op("endswith") + g.val(g.varyCase(g.suffix(v)))
	case 7:
		return f + g.op("like") + g.val(g.glob(v))
	default:
		return f + g.op("~") + rqQuote(g.regex(v), '"')
	}
}

// substr returns a part of s (not empty when s is not), cut between
// characters.
func (g *Gen) substr(s string) string {
	if s == "" || g.Chance(0.05) {
		return g.miss()
	}
	r := []rune(s)
	i := g.Intn(len(r))
	j := i + 1 + g.Intn(len(r)-i)
	return string(r[i:j])
}

// prefix and suffix return a beginning or an end of s, maybe empty, maybe
// all of it.
func (g *Gen) prefix(s string) string {
	r := []rune(s)
	return string(r[:g.Intn(len(r)+1)])
}

func (g *Gen) suffix(s string) string {
	r := []rune(s)
	return string(r[g.Intn(len(r)+1):])
}

// glob makes a like pattern matching s, or, sometimes, something else.
func (g *Gen) glob(s string) string {
	var p string
	switch g.weighted(20, 20, 20, 15, 10, 5, 5, 5) {
	case 0: // prefix*
		p = g.prefix(s) + "*"
	case 1: // *suffix
		p = "*" + g.suffix(s)
	case 2: // *middle*
		p = "*" + g.substr(s) + "*"
	case 3: // some characters as ?
		r := []rune(s)
		for i := range r {
			if g.Chance(0.2) {
				r[i] = '?'
			}
		}
		p = string(r)
	case 4: // exact
		p = s
	case 5:
		p = "*"
	case 6: // a character too many
		p = s + "?"
	default:
		p = "*" + g.miss() + "*"
	}
	return g.varyCase(p)
}

// regex makes a regular expression found in s, or, sometimes, not.
func (g *Gen) regex(s string) string {
	switch g.weighted(25, 20, 20, 15, 10, 10) {
	case 0:
		return regexp.QuoteMeta(g.varyCase(g.substr(s)))
	case 1:
		return "^" + regexp.QuoteMeta(g.varyCase(g.prefix(s)))
	case 2:
		return regexp.QuoteMeta(g.varyCase(g.suffix(s))) + "$"
	case 3:
		return Pick(g, []string{`[0-9]{3}`, `^[a-m]`, `\.com$`, `(teams|outlook)`, `^$`, `\s`, `^.{5,8}$`, `a.*e`, `^(?:us|de)$`, `\d+\.\d+`})
	case 4:
		return "^" + regexp.QuoteMeta(s) + "$"
	}
	return regexp.QuoteMeta(g.miss())
}

// ipValue is an address to compare ip with: from the data, in another
// spelling sometimes (IPv4-mapped, expanded IPv6, upper case), or not.
func (g *Gen) ipValue() string {
	s := g.textOf("ip")
	a, err := netip.ParseAddr(s)
	if err != nil || g.Chance(0.08) {
		return Pick(g, []string{"203.0.113.7", "2001:db8::1", "10.1.2.3", "::1"})
	}
	switch g.weighted(60, 15, 15, 10) {
	case 1:
		if a.Is4() {
			return netip.AddrFrom16(a.As16()).String() // ::ffff:a.b.c.d
		}
		return a.StringExpanded()
	case 2:
		return strings.ToUpper(a.StringExpanded())
	case 3:
		return g.varyCase(s)
	}
	return s
}

// cidr is a prefix holding an address of the data, sometimes unmasked.
func (g *Gen) cidr() string {
	s := g.textOf("ip")
	a, err := netip.ParseAddr(s)
	if err != nil || g.Chance(0.1) {
		return Pick(g, []string{"10.0.0.0/8", "2001:db8::/32", "192.168.0.0/16", "0.0.0.0/0", "::/0", "203.0.113.0/24"})
	}
	bits := Pick(g, []int{8, 12, 16, 20, 24, 28, 32})
	if a.Is6() {
		bits = Pick(g, []int{16, 32, 48, 64, 96, 128})
	}
	if g.Chance(0.3) {
		return netip.PrefixFrom(a, bits).String() // not masked
	}
	p, _ := a.Prefix(bits)
	return p.String()
}

func (g *Gen) ipPred() string {
	f := g.Name("ip")
	switch g.weighted(25, 10, 25, 10, 10, 10, 10) {
	case 0:
		return f + g.op("=") + g.val(g.ipValue())
	case 1:
		return f + g.op("!=") + g.val(g.ipValue())
	case 2, 3:
		not := ""
		if g.Chance(0.3) {
			not = g.kw("not") + " "
		}
		return f + " " + not + g.kw("in") + " " + g.inList(1+g.Intn(3), func() string {
			if g.Chance(0.6) {
				return g.cidr()
			}
			return g.val(g.ipValue())
		})
	case 4:
		ip := g.textOf("ip")
		if i := strings.IndexAny(ip, ".:"); i > 0 {
			ip = ip[:i+1]
		}
		return f + g.op("startswith") + g.val(ip)
	case 5:
		return f + g.op("contains") + g.val(g.substr(g.textOf("ip")))
	}
	return f + g.op("like") + g.val(g.glob(g.textOf("ip")))
}

// intValue draws a value of an integer field from the data, or near it.
func (g *Gen) intValue(name string) int64 {
	f := signin.Lookup(name)
	for try := 0; try < 8; try++ {
		if v, ok := f.Int(g.rec()); ok {
			if g.Chance(0.15) {
				v += int64(g.Intn(21) - 10)
			}
			return v
		}
	}
	return int64(g.Intn(1000))
}

func (g *Gen) numPred(name string) string {
	f := g.Name(name)
	cmp := Pick(g, []string{"<", "<=", ">", ">="})
	switch g.weighted(20, 10, 30, 10, 15, 5) {
	case 0:
		return f + g.op("=") + strconv.FormatInt(g.intValue(name), 10)
	case 1:
		return f + g.op("!=") + strconv.FormatInt(g.intValue(name), 10)
	case 2:
		return f + g.op(cmp) + strconv.FormatInt(g.intValue(name), 10)
	case 3:
		return f + g.op(cmp) + strconv.FormatInt(g.intValue(name), 10) + ".5"
	case 4:
		not := ""
		if g.Chance(0.35) {
			not = g.kw("not") + " "
		}
		return f + " " + not + g.kw("in") + " " + g.inList(1+g.Intn(4), func() string { return strconv.FormatInt(g.intValue(name), 10) })
	}
	return f + g.op(cmp) + "99999999"
}

func (g *Gen) floatValue(name string) string {
	f := signin.Lookup(name)
	for try := 0; try < 8; try++ {
		if v, ok := f.Float(g.rec()); ok {
			if g.Chance(0.3) {
				v = float64(int64(v)) + 0.5
			}
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return "0"
}

func (g *Gen) floatPred(name string) string {
	f := g.Name(name)
	switch g.weighted(60, 20, 10, 10) {
	case 0:
		return f + g.op(Pick(g, []string{"<", "<=", ">", ">="})) + g.floatValue(name)
	case 1:
		return f + g.op("=") + g.floatValue(name)
	case 2:
		return f + g.op("!=") + g.floatValue(name)
	}
	return f + " " + g.kw("in") + " " + g.inList(1+g.Intn(3), func() string { return g.floatValue(name) })
}

// instant writes a time in the data's window (a little beyond, too): a
// date, or a timestamp, sometimes with fractional seconds.
func (g *Gen) instant() string {
	span := g.now.Sub(g.from) + 48*time.Hour
	t := g.from.Add(-24*time.Hour + time.Duration(g.r.Int64N(int64(span))))
	switch g.weighted(40, 30, 15, 10, 5) {
	case 0:
		return t.Format("2006-01-02")
	case 1:
		return t.Truncate(time.Second).Format(time.RFC3339)
	case 2:
		return t.Format(time.RFC3339Nano)
	case 3: // without a zone: UTC
		return t.Truncate(time.Millisecond).Format("2006-01-02T15:04:05.999999999")
	}
	return t.Add(2 * time.Hour).In(time.FixedZone("", 2*3600)).Truncate(time.Minute).Format(time.RFC3339)
}

func (g *Gen) timePred(name string) string {
	if g.Chance(0.5) {
		return g.timeArithPred() // timearith.go
	}
	f := g.Name(name)
	switch g.weighted(70, 15, 15) {
	case 0:
		return f + g.op(Pick(g, []string{"<", "<=", ">", ">="})) + g.instant()
	case 1: // exactly a sign-in's time
		t := signin.Lookup(name).Time(g.rec())
		if t.IsZero() {
			t = g.now
		}
		return f + g.op(Pick(g, []string{"=", "!=", "<=", ">="})) + t.Format(time.RFC3339Nano)
	}
	return f + g.op(Pick(g, []string{"=", "!="})) + g.instant()
}

func (g *Gen) boolPred(name string) string {
	f := g.Name(name)
	b := Pick(g, []string{"true", "false"})
	switch g.weighted(40, 25, 20, 15) {
	case 0:
		return f + g.op("=") + b
	case 1:
		return f + g.op("!=") + b
	case 2: // a flag alone means flag = true
		return f
	}
	not := ""
	if g.Chance(0.4) {
		not = g.kw("not") + " "
	}
	return f + " " + not + g.kw("in") + " " + g.inList(1+g.Intn(2), func() string { return Pick(g, []string{"true", "false"}) })
}

// rqPairs are fields (and functions of one) that compare with each
// other, by kind: text (lists among them), numbers, times, flags.
var rqPairs = map[string][][2]string{
	"text": {{"tenant", "resourceTenant"}, {"user", "identity"}, {"userName", "user"}, {"app", "resource"},
		{"appId", "resourceId"}, {"sp", "app"}, {"identity", "sp"}, {"city", "state"}, {"country", "state"}, {"place", "city"},
		{"risk", "riskAggregated"}, {"type", "status"}, {"policy", "authMethod"}, {"app", "policy"},
		{"riskEvents", "riskDetail"}, {"user", "user"}, {"authMethod", "authMethod"}, {"device", "deviceId"},
		{"domain(user)", "domain(identity)"}, {"weekday(time)", "weekday(ingested)"}, {"userAgent", "browser"},
		{"policyFailed", "policy"}, {"firstAuthMethod", "authMethod"}, {"logTenant", "tenant"}, {"stepResult", "firstStepResult"}},
	"number": {{"latency", "asn"}, {"error", "asn"}, {"latency", "error"}, {"signInCount", "latency"},
		{"latitude", "longitude"}, {"asn", "latitude"}, {"latency", "latency"}, {"error", "signInCount"},
		{"hour(time)", "hour(ingested)"}, {"hour(ingested)", "signInCount"}, {"longitude", "error"}},
	"time": {{"time", "ingested"}, {"ingested", "time"}, {"time", "time"}, {"date(time)", "date(ingested)"},
		{"date(ingested)", "time"}},
	"flag": {{"compliant", "managed"}, {"managed", "compliant"}, {"compliant", "compliant"}, {"isInteractive", "firstStepSucceeded"}},
}

// side writes a field or a function of one as a comparison's left side:
// its name in any case.
func (g *Gen) side(s string) string {
	if fn, arg, ok := strings.Cut(strings.TrimSuffix(s, ")"), "("); ok {
		return g.fn(fn) + "(" + g.Name(arg) + ")"
	}
	return g.Name(s)
}

// fieldCmpPred compares two fields of one kind (tenant != resourceTenant):
// the right one spelled as the catalog spells it, which makes a bare word
// a field.
func (g *Gen) fieldCmpPred() string {
	kind := Pick(g, []string{"text", "text", "number", "number", "time", "flag"})
	pair := Pick(g, rqPairs[kind])
	if g.Chance(0.3) {
		pair[0], pair[1] = pair[1], pair[0]
	}
	ops := []string{"=", "!=", "<", "<=", ">", ">="}
	if kind == "text" || kind == "flag" {
		ops = ops[:2]
	}
	right := pair[1]
	if strings.Contains(right, "(") {
		right = g.side(right)
	}
	return g.side(pair[0]) + g.op(Pick(g, ops)) + right
}

// pred is a random predicate.
func (g *Gen) pred() string {
	if g.Chance(0.08) {
		return g.fieldCmpPred()
	}
	if g.Chance(0.06) {
		return g.listPred()
	}
	if g.subDepth < 2 && g.Chance(0.03) {
		return g.subPred()
	}
	switch g.weighted(45, 12, 10, 15, 4, 7, 7) {
	case 0:
		return g.textPred(Pick(g, rqText))
	case 1:
		return g.textPred(Pick(g, rqList))
	case 2:
		return g.ipPred()
	case 3:
		return g.numPred(Pick(g, rqInt))
	case 4:
		return g.floatPred(Pick(g, rqFloat))
	case 5:
		return g.timePred(Pick(g, rqTime))
	}
	return g.boolPred(Pick(g, rqBool))
}

// cond is a random condition of up to depth levels of and, or, not and
// parentheses.
func (g *Gen) Cond(depth int) string {
	if depth <= 0 || g.Chance(0.5) {
		return g.pred()
	}
	switch g.weighted(40, 25, 20, 15) {
	case 0:
		return g.Cond(depth-1) + " " + g.kw("and") + " " + g.Cond(depth-1)
	case 1:
		return g.Cond(depth-1) + " " + g.kw("or") + " " + g.Cond(depth-1)
	case 2:
		if g.Chance(0.5) {
			return g.kw("not") + " (" + g.Cond(depth-1) + ")"
		}
		return g.kw("not") + " " + g.Cond(depth-1)
	}
	return "(" + g.Cond(depth-1) + ")"
}

// fn writes an aggregate's name, sometimes in upper case.
func (g *Gen) fn(name string) string {
	if g.Chance(0.05) {
		return strings.ToUpper(name)
	}
	return name
}

// agg is a random aggregate, and whether it is a number.
func (g *Gen) agg(numeric bool) (string, bool) {
	for {
		switch g.weighted(25, 15, 15, 8, 8, 8, 8, 8, 5) {
		case 0:
			return g.fn("count"), true
		case 1:
			return g.fn("countif") + "(" + g.Cond(1) + ")", true
		case 2:
			return g.fn("dcount") + "(" + g.aggField(rqDcount, signin.KindString, signin.KindInt, signin.KindTime) + ")", true
		case 3:
			return g.fn("dcountif") + "(" + g.aggField(rqDcount, signin.KindString, signin.KindTime) + ", " + g.Cond(1) + ")", true
		case 4, 5:
			fn := Pick(g, []string{"min", "max"})
			f := Pick(g, rqMinMax)
			k := signin.Lookup(f).Kind
			isNum := k == signin.KindInt || k == signin.KindFloat
			if numeric && !isNum {
				continue
			}
			if g.Chance(0.1) {
				return g.fn(fn) + "(" + g.side("hour(time)") + ")", true // a function of a field: timearith.go
			}
			if g.Chance(0.15) {
				return g.fn(fn+"if") + "(" + g.Name(f) + ", " + g.Cond(1) + ")", isNum
			}
			return g.fn(fn) + "(" + g.Name(f) + ")", isNum
		case 6, 7:
			return g.fn(Pick(g, []string{"sum", "avg"})) + "(" + g.Name(Pick(g, rqNumeric)) + ")", true
		default:
			if numeric {
				continue
			}
			if g.Chance(0.15) {
				return g.fn("valuesif") + "(" + g.aggField(rqValues, signin.KindString, signin.KindInt) + ", " + g.Cond(1) + ")", false
			}
			return g.fn("values") + "(" + g.aggField(rqValues, signin.KindString, signin.KindInt) + ")", false
		}
	}
}

// rqHead is a head being generated.
type rqHead struct {
	text    string // as written, alias included
	ref     string // how having and order by name its column
	numeric bool
	kind    signin.Kind // a time's or a duration's (timeHead), for timeHaving
}

// number is a number in arithmetic: small ones mostly, and now and
// then one near the end of a range, whose products and sums go beyond an
// int64 (3037000500 squared does), or a float64 (1e200 squared), which
// both evaluators must find.
func (g *Gen) number() string {
	if g.Chance(0.15) {
		return Pick(g, []string{"3037000500", "4611686018427387904", "9223372036854775807", "-9223372036854775807", "1e200"})
	}
	return Pick(g, []string{"0", "1", "2", "3", "10", "100", "1000", "0.5", "2.5", "60"})
}

// arith is arithmetic over aggregates, earlier numeric heads and numbers.
func (g *Gen) arith(heads []rqHead, depth int) string {
	operand := func() string {
		switch g.weighted(45, 35, 20) {
		case 0:
			var nums []rqHead
			for _, h := range heads {
				if h.numeric && h.ref != "" && !strings.ContainsAny(h.ref, " (") {
					nums = append(nums, h)
				}
			}
			if len(nums) > 0 {
				return Pick(g, nums).ref
			}
			fallthrough
		case 1:
			a, _ := g.agg(true)
			return a
		}
		return g.number()
	}
	l, r := operand(), operand()
	if depth > 0 && g.Chance(0.3) {
		r = "(" + g.arith(heads, depth-1) + ")"
	}
	e := l + " " + Pick(g, []string{"+", "-", "*", "/"}) + " " + r
	if depth > 0 && g.Chance(0.3) {
		e += " " + Pick(g, []string{"+", "-", "*", "/"}) + " " + operand()
	}
	return e
}

// heads makes 1 to 4 heads.
func (g *Gen) heads() []rqHead {
	n := 1 + g.weighted(40, 30, 20, 10)
	var heads []rqHead
	names := map[string]bool{} // the columns' names, so that no two are alike
	for len(heads) < n {
		var h rqHead
		if g.Chance(0.06) {
			h = g.timeHead() // timearith.go
		} else if len(heads) > 0 && g.Chance(0.25) || g.Chance(0.08) {
			h.text, h.numeric = g.arith(heads, 1), true
		} else {
			h.text, h.numeric = g.agg(false)
		}
		h.ref = h.text
		if g.Chance(0.4) {
			h.ref = Pick(g, rqAliases)
		}
		if names[strings.ToLower(h.ref)] {
			continue
		}
		names[strings.ToLower(h.ref)] = true
		if a := h.ref; a != h.text {
			if g.Chance(0.1) {
				h.text += " " + g.kw("as") + " " + rqQuote(a, '"')
			} else {
				h.text += " " + g.kw("as") + " " + a
			}
		}
		heads = append(heads, h)
	}
	return heads
}

// since is a since clause's value: a duration or an instant (not after
// now, which since refuses).
func (g *Gen) since() string {
	if g.Chance(0.75) {
		if g.Chance(0.6) {
			return Pick(g, []string{"30m", "1h", "6h", "12h", "24h", "36h", "2d", "3d", "7d", "1w", "2w", "30d", "90s", "3600s", "500ms", "1d", "10d", "9d"})
		}
		return strconv.Itoa(1+g.Intn(300)) + Pick(g, []string{"ms", "s", "m", "h", "d", "w"})
	}
	s := g.instant()
	if t, err := instant(s); err == nil && t.After(g.now) {
		return g.now.Format(time.RFC3339Nano)
	}
	return s
}

// pickNow chooses a query's now: mostly end, the end of the data's
// window; else a sign-in's own time (since includes now) or an instant
// within the window, so that since must leave out what comes after now.
func (g *Gen) PickNow(end time.Time) time.Time {
	switch g.weighted(70, 15, 15) {
	case 1:
		return g.rec().Time
	case 2:
		return g.from.Add(time.Duration(g.r.Int64N(int64(end.Sub(g.from)) + 1)))
	}
	return end
}

// timeClause is since …, between … and …, or nothing.
func (g *Gen) TimeClause() string {
	switch g.weighted(45, 40, 15) {
	case 1:
		return g.kw("since") + " " + g.since()
	case 2:
		a, b := g.instant(), g.instant()
		ta, _ := instant(a)
		tb, _ := instant(b)
		if ta.Equal(tb) {
			b = g.now.Format(time.RFC3339)
			tb = g.now
		}
		if ta.After(tb) {
			a, b = b, a
		}
		return g.kw("between") + " " + a + " " + g.kw("and") + " " + b
	}
	return ""
}

// rqFnKeys are functions of a field to group by.
var rqFnKeys = []string{"hour(time)", "weekday(time)", "date(time)", "domain(user)", "hour(ingested)", "date(ingested)", "domain(identity)"}

// keys makes 0 to 3 group keys: fields, functions of one, and bin(D).
func (g *Gen) keys() (texts, refs []string) {
	return g.keysOf(g.weighted(30, 40, 22, 8), false)
}

// keysOf makes n group keys, one of them bin(D) when bin is set.
func (g *Gen) keysOf(n int, bin bool) (texts, refs []string) {
	seen := map[string]bool{}
	binAt := -1
	if bin {
		binAt = g.Intn(n)
	}
	for len(texts) < n {
		if !seen["time"] && (len(texts) == binAt || binAt < 0 && g.Chance(0.2)) {
			seen["time"] = true
			texts = append(texts, g.fn("bin")+"("+Pick(g, rqBins)+")")
			refs = append(refs, "time")
			continue
		}
		if len(texts) == binAt {
			continue
		}
		if g.Chance(0.1) {
			f := Pick(g, rqFnKeys)
			if !seen[f] {
				seen[f] = true
				texts = append(texts, g.side(f))
				refs = append(refs, g.side(f))
			}
			continue
		}
		f := Pick(g, rqKeys)
		if seen[f] {
			continue
		}
		seen[f] = true
		texts = append(texts, g.Name(f))
		refs = append(refs, g.Name(f))
	}
	return texts, refs
}

// having makes a condition on numeric heads, or on heads of times and
// durations.
func (g *Gen) having(heads []rqHead, depth int) string {
	if g.Chance(0.3) {
		if s := g.timeHaving(heads); s != "" { // timearith.go
			return s
		}
	}
	var nums []rqHead
	for _, h := range heads {
		if h.numeric {
			nums = append(nums, h)
		}
	}
	if len(nums) == 0 {
		return ""
	}
	if depth > 0 && g.Chance(0.3) {
		switch g.Intn(3) {
		case 0:
			return g.having(heads, depth-1) + " " + g.kw("and") + " " + g.having(heads, depth-1)
		case 1:
			return g.having(heads, depth-1) + " " + g.kw("or") + " " + g.having(heads, depth-1)
		}
		return g.kw("not") + " (" + g.having(heads, depth-1) + ")"
	}
	ref := func() string {
		r := Pick(g, nums).ref
		if g.Chance(0.1) {
			r = g.mixCase(r)
		}
		return r
	}
	op := Pick(g, []string{"=", "!=", "<", "<=", ">", ">="})
	if g.Chance(0.2) && len(nums) > 1 {
		return ref() + " " + op + " " + ref()
	}
	return ref() + " " + op + " " + Pick(g, []string{"0", "1", "2", "5", "10", "20", "50", "100", "1000", "0.5", "1.5"})
}

// clauses joins a query's head and clauses, sometimes in another order
// than the canonical one.
func (g *Gen) Clauses(head string, cs []string) string {
	var kept []string
	for _, c := range cs {
		if c != "" {
			kept = append(kept, c)
		}
	}
	if g.Chance(0.1) {
		g.r.Shuffle(len(kept), func(i, j int) { kept[i], kept[j] = kept[j], kept[i] })
	}
	sep := " "
	if g.Chance(0.05) {
		sep = "\n  "
	}
	if len(kept) == 0 {
		return head
	}
	return head + sep + strings.Join(kept, sep)
}

func (g *Gen) Where() string {
	if g.Chance(0.7) {
		return g.kw("where") + " " + g.Cond(2)
	}
	return ""
}

func (g *Gen) limit(p float64, max int) string {
	if g.Chance(p) {
		return g.kw("limit") + " " + strconv.Itoa(1+g.Intn(max))
	}
	return ""
}

// aggregate makes an aggregate query.
func (g *Gen) aggregate() string {
	heads := g.heads()
	keys, keyRefs := g.keys()
	var hs []string
	for _, h := range heads {
		hs = append(hs, h.text)
	}
	cs := []string{g.Where(), g.TimeClause()}
	if len(keys) > 0 {
		cs = append(cs, g.kw("group")+" "+g.kw("by")+" "+strings.Join(keys, ", "))
		if h := g.having(heads, 1); h != "" && g.Chance(0.3) {
			cs = append(cs, g.kw("having")+" "+h)
		}
	}
	if g.Chance(0.4) {
		var refs []string
		for _, h := range heads {
			if h.ref == h.text || !strings.ContainsAny(h.ref, " ") {
				refs = append(refs, h.ref)
			}
		}
		refs = append(refs, keyRefs...)
		var os []string
		for i := 0; i < 1+g.Intn(2) && len(refs) > 0; i++ {
			o := Pick(g, refs)
			switch g.Intn(3) {
			case 1:
				o += " " + g.kw("asc")
			case 2:
				o += " " + g.kw("desc")
			}
			os = append(os, o)
		}
		if len(os) > 0 {
			cs = append(cs, g.kw("order")+" "+g.kw("by")+" "+strings.Join(os, ", "))
		}
	}
	cs = append(cs, g.limit(0.3, 30))
	return g.Clauses(strings.Join(hs, ", "), cs)
}

// top makes a top query.
func (g *Gen) top() string {
	n := 1 + g.Intn(2)
	var keys []string
	seen := map[string]bool{}
	for len(keys) < n {
		f := Pick(g, rqKeys)
		if !seen[f] {
			seen[f] = true
			keys = append(keys, g.Name(f))
		}
	}
	head := g.kw("top") + " " + strconv.Itoa(1+g.Intn(15)) + " " + strings.Join(keys, ", ")
	if g.Chance(0.5) {
		a, _ := g.agg(true)
		switch {
		case g.Chance(0.2):
			a, _ = g.agg(false)
			if strings.HasPrefix(strings.ToLower(a), "values") {
				a = "count"
			}
		case g.Chance(0.1): // arithmetic, as in a head
			a = g.arith(nil, 1)
		}
		head += " " + g.kw("by") + " " + a
	}
	return g.Clauses(head, []string{g.Where(), g.TimeClause()})
}

// list makes a list query.
func (g *Gen) List() string {
	head := g.kw("list")
	switch g.weighted(30, 15, 55) {
	case 1:
		head += " *"
	case 2:
		all := signin.Fields()
		n := 1 + g.Intn(6)
		var fs []string
		for i := 0; i < n; i++ {
			fs = append(fs, g.Name(Pick(g, all).Name))
		}
		head += " " + strings.Join(fs, ", ")
	}
	return g.Clauses(head, []string{g.Where(), g.TimeClause(), g.limit(0.75, 50)})
}

// spikes makes an aggregate query grouped by bin(D) and other keys, and
// spikes after it: the series are the keys but the bin, whatever the
// other heads are (values, max(time), arithmetic).
func (g *Gen) spikes() string {
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
	cs := []string{g.Where(), g.TimeClause(), g.kw("group") + " " + g.kw("by") + " " + strings.Join(keys, ", ")}
	if h := g.having(heads, 1); h != "" && g.Chance(0.2) {
		cs = append(cs, g.kw("having")+" "+h)
	}
	args := Pick(g, []string{"", "", "k=2 min=1", "min=0", "k=1 min=1", "1 0", "k=0.5 min=0", "fill=none min=1", "bin=1h min=1", "k=2 min=1 fill=none", "value=V min=1", "value V k 1.5 min 2"})
	if strings.Contains(args, "V") {
		if len(values) == 0 {
			args = "k=2 min=1" // no head named by a word
		} else {
			args = strings.ReplaceAll(args, "V", Pick(g, values))
		}
	}
	q := g.Clauses(strings.Join(hs, ", "), cs) + " | " + g.kw("spikes")
	if args != "" {
		q += " " + args
	}
	return q
}

// query makes a random query.
func (g *Gen) Query() string {
	switch g.weighted(60, 15, 20, 8, 12, 6, 4) {
	case 6:
		return g.Absence() // randquery_seq_test.go
	case 5:
		return g.Sequence() // randquery_seq_test.go
	case 4:
		return g.piped() // randquery_sub_test.go
	case 1:
		return g.top()
	case 2:
		return g.List()
	case 3:
		return g.spikes()
	}
	return g.aggregate()
}

// String describes the generator, for messages.
func (g *Gen) String() string {
	return fmt.Sprintf("Gen{%d records, now %s}", len(g.recs), g.now.Format(time.RFC3339))
}

// listPred is a predicate on a named list (lists_test.go's diffLists and
// the built-ins), alone or among values, or on an in-list of more values
// than smallIn, which the checker makes a set.
func (g *Gen) listPred() string {
	in := " " + g.kw("in") + " "
	if g.Chance(0.3) {
		in = " " + g.kw("not") + in
	}
	list := func(name string, more func() string) string {
		name = "@" + g.mixCase(name)
		if more == nil || g.Chance(0.5) {
			return name
		}
		vs := []string{name, more()}
		if g.Chance(0.5) {
			vs[0], vs[1] = vs[1], vs[0]
		}
		return "(" + strings.Join(vs, ", ") + ")"
	}
	code := func() string { return strconv.FormatInt(g.intValue("error"), 10) }
	switch g.Intn(8) {
	case 0:
		return g.Name("ip") + in + list("diffNets", func() string {
			if g.Chance(0.5) {
				return g.cidr()
			}
			return g.val(g.ipValue())
		})
	case 1:
		return g.Name("error") + in + list(Pick(g, []string{"passwordFailures", "sentinelSuccess", "caFailures", "mfaCodes", "diffCodes"}), code)
	case 2:
		return g.Name("app") + in + list("diffApps", func() string { return g.val(g.textValue("app")) })
	case 3:
		return g.Name("client") + in + list("legacyClients", func() string { return g.val(g.textValue("client")) })
	case 4:
		return g.Name(Pick(g, []string{"user", "identity"})) + in + list("diffUsers", func() string { return g.val(g.textValue("user")) })
	case 5:
		return g.Name("country") + in + list("diffCountries", nil)
	case 6:
		return g.Name("ip") + in + g.inList(smallIn+1+g.Intn(30), func() string {
			if g.Chance(0.6) {
				return g.cidr()
			}
			return g.val(g.ipValue())
		})
	}
	name := Pick(g, []string{"app", "user", "error", "country", "policy"})
	one := func() string { return g.val(g.textValue(name)) }
	if name == "error" {
		one = code
	}
	return g.Name(name) + in + g.inList(smallIn+1+g.Intn(20), one)
}

// SetNow sets the time the queries are about: what their since, between
// and now count from.
func (g *Gen) SetNow(t time.Time) { g.now = t }

// Rand is the generator's source of randomness, for tests that draw
// more of their own from the same seed.
func (g *Gen) Rand() *rand.Rand { return g.r }

// Recs are the sign-ins the queries are about.
func (g *Gen) Recs() []signin.Record { return g.recs }

// instant reads a date or a timestamp as the language writes them.
func instant(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("querygen: %q is not a date or a timestamp", s)
}

// smallIn is query's: the most literal values a predicate tests one by
// one; the generator makes in-lists longer than it, which the checker
// makes sets of.
const smallIn = 16
