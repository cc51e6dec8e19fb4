package query

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/signinq/signinq/query/ast"
)

// examples are the queries of the language's documentation: every one
// must parse, and print back in canonical form.
var examples = []struct{ text, canonical string }{
	{`count`, `count`},
	// Subqueries; values in parentheses stay values.
	{`count where ip in (top 20 ip where error in (50126, 50053) since 1d) since 1d group by user`, `count where ip in (top 20 ip where error in (50126, 50053) since 1d) since 1d group by user`},
	{`dcount(user) as users where user not in (list user where status=success since 30d) and status=failure since 1d group by ip`, `dcount(user) as users where user not in (list user where status = success since 30d) and status = failure since 1d group by ip`},
	{`count where user in (count)`, `count where user in (count)`},
	{`count where user in (alice, "Bob Smith")`, `count where user in (alice, "Bob Smith")`},
	{`count where app in (count, dcount(user) group by app)`, `count where app in (count, dcount(user) group by app)`},
	{`count where not user in (list user where ip in (top 1 ip))`, `count where not user in (list user where ip in (top 1 ip))`},
	{`countif(user in (list user limit 5)) as n`, `countif(user in (list user limit 5)) as n`},
	// Operators after a |, and joins.
	{`count where status!=success since 14d group by user, bin(1d) | spikes k=3 | where median > 50`, `count where status != success since 14d group by user, bin(1d) | spikes k=3 | where median > 50`},
	{`count group by app | WHERE count>5 | ORDER BY app DESC, count | LIMIT 3 | where app != "Teams"`, `count group by app | where count > 5 | order by app desc, count | limit 3 | where app != "Teams"`},
	{`count where status=failure since 1d group by user | JOIN anti (list user where status=success since 1d) on user`, `count where status = failure since 1d group by user | join anti (list user where status = success since 1d) on user`},
	{`count group by user, ip | join LEFT (count as c2 group by user, ip) ON user, ip | join inner (top 3 user) on user`, `count group by user, ip | join left (count as c2 group by user, ip) on user, ip | join (top 3 user) on user`},
	{`countif(status!=success) as failures where app contains "Azure Portal" since 1d group by user | join (countif(status!=success) as weekFailures, count as weekTotal where app contains "Azure Portal" since 7d group by user) on user | where failures >= 10 and failures > 5 * weekFailures / weekTotal`, `countif(status != success) as failures where app contains "Azure Portal" since 1d group by user | join (countif(status != success) as weekFailures, count as weekTotal where app contains "Azure Portal" since 7d group by user) on user | where failures >= 10 and failures > 5 * weekFailures / weekTotal`},
	{`count where app = join group by app | spikes`, `count where app = join group by app | spikes`},
	{`count | join (count) user`, ``},
	{`count | join outer (count) on user`, ``},
	{`count where status=failure since 24h`, `count where status = failure since 24h`},
	{`count where status=failure since 24h group by app`, `count where status = failure since 24h group by app`},
	{`dcount(user) where app="Office 365 Exchange Online" since 7d`, `dcount(user) where app = "Office 365 Exchange Online" since 7d`},
	{`count, dcount(user) as users where type=interactive group by country`, `count, dcount(user) as users where type = interactive group by country`},
	{`count where type in (servicePrincipal, managedIdentity) group by type, resource`, `count where type in (servicePrincipal, managedIdentity) group by type, resource`},
	{`top 10 browser where type=interactive since 7d`, `top 10 browser where type = interactive since 7d`},
	{`top 5 ip by dcount(user) where error=50126 since 1h`, `top 5 ip by dcount(user) where error = 50126 since 1h`},
	{`count where error in (50053, 50126) since 3d group by ip having count >= 20`, `count where error in (50053, 50126) since 3d group by ip having count >= 20`},
	{`count since 24h group by bin(1h)`, `count since 24h group by bin(1h)`},
	{`count where status=failure and not country in (US, CA) group by user, country order by count desc limit 50`, `count where status = failure and not country in (US, CA) group by user, country order by count desc limit 50`},
	{`count where ip in 10.0.0.0/8 or ip in 2001:db8::/32`, `count where ip in (10.0.0.0/8) or ip in (2001:db8::/32)`},
	{`count where app contains "azure" and user startswith "admin"`, `count where app contains "azure" and user startswith "admin"`},
	{`count where user like "*@contoso.com" and client != "Browser"`, `count where user like "*@contoso.com" and client != "Browser"`},
	{`count where latency > 1000 and risk in (medium, high)`, `count where latency > 1000 and risk in (medium, high)`},
	{`count where policy="Require MFA" and ca=failure group by user`, `count where policy = "Require MFA" and ca = failure group by user`},
	{`min(time) as first, max(time) as last, count where user="alice@contoso.com" group by country`, `min(time) as first, max(time) as last, count where user = "alice@contoso.com" group by country`},
	{`countif(status=failure) as failed, count as total, failed * 100 / total as pct since 7d group by app having failed > 10 order by pct desc`, `countif(status = failure) as failed, count as total, failed * 100 / total as pct since 7d group by app having failed > 10 order by pct desc`},
	{`count, dcountif(user, status=success) as ok, dcountif(user, error in (50053, 50126)) as bad since 3d group by ip having bad > ok`, `count, dcountif(user, status = success) as ok, dcountif(user, error in (50053, 50126)) as bad since 3d group by ip having bad > ok`},
	{`values(ip) as ips, count where user="alice@contoso.com" since 30d group by app`, `values(ip) as ips, count where user = "alice@contoso.com" since 30d group by app`},
	{`list time, user, app, ip, status, error where user="alice@contoso.com" since 7d limit 20`, `list time, user, app, ip, status, error where user = "alice@contoso.com" since 7d limit 20`},
	{`list where ip="203.0.113.7" between 2026-11-01 and 2026-11-08`, `list where ip = "203.0.113.7" between 2026-11-01 and 2026-11-08`},
	{`show 933f20c0-9ff1-4a9c-8ad5-8e0c3b0f2e00`, `show 933f20c0-9ff1-4a9c-8ad5-8e0c3b0f2e00`},
	// Case, spacing, quotes and parentheses.
	{`COUNT  Where STATUS=Failure SINCE 24h`, `COUNT where STATUS = Failure since 24h`},
	{`count where ip ~ '^10\.0\.'`, `count where ip ~ "^10\.0\."`},
	{`count where app = 'it''s'`, ``}, // two strings: an error
	{`count where app = "say \"hi\"" or app = 'a\\b'`, `count where app = "say \"hi\"" or app = "a\b"`},
	{`count where (a = 1 or b = 2) and not (c = 3 or d = 4)`, `count where (a = 1 or b = 2) and not (c = 3 or d = 4)`},
	{`count where a = 1 or b = 2 and c = 3`, `count where a = 1 or b = 2 and c = 3`},
	{`count where not not a = 1`, `count where a = 1`}, // not not X is X
	{`count where not not not a = 1`, `count where not a = 1`},
	{`count where not (not (a = 1 or b = 2))`, `count where a = 1 or b = 2`},
	{`(count + 1) * 2 as x, count - (count - 1)`, `(count + 1) * 2 as x, count - (count - 1)`},
	{`list *`, `list *`},
	{`count where app = "where"`, `count where app = "where"`},
	{`explain analyze count | stage a b=c "d e"`, `explain analyze count | stage a b=c "d e"`},
	{`list since 7d | newvalue country BY user baseline 30d | grouped 1h`, `list since 7d | newvalue country by user baseline 30d | grouped 1h`},
	{`list since 7d | newvalue country By=user "by"`, `list since 7d | newvalue country by=user "by"`},
	{`count group by hour(time), subnet(ip, 24)`, `count group by hour(time), subnet(ip, 24)`},
	{`list time, domain(user) where weekday(time) in ("6 Sat", "7 Sun")`, `list time, domain(user) where weekday(time) in ("6 Sat", "7 Sun")`},
	{`count where country not in (US) since 2026-11-01T08:00:00Z`, `count where country not in (US) since 2026-11-01T08:00:00Z`},
	{`count where latency > -5 and error != 0`, `count where latency > -5 and error != 0`},
	// A field on the right stays a bare word; a quoted value stays quoted.
	{`count where tenant!=resourceTenant or app="resourceTenant"`, `count where tenant != resourceTenant or app = "resourceTenant"`},
	{`count where hour(time)=hour(ingested)`, `count where hour(time) = hour(ingested)`},
}

func TestParseExamples(t *testing.T) {
	for _, ex := range examples {
		st, err := Parse(ex.text)
		if ex.canonical == "" {
			if err == nil {
				t.Errorf("%s: parsed as %s, want an error", ex.text, st)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", ex.text, err)
			continue
		}
		got := st.String()
		if got != ex.canonical {
			t.Errorf("%s\n  printed %s\n  want    %s", ex.text, got, ex.canonical)
		}
		again, err := Parse(got)
		if err != nil {
			t.Errorf("%s: canonical form does not parse: %v", got, err)
			continue
		}
		if !reflect.DeepEqual(stripPos(again), stripPos(st)) {
			t.Errorf("%s: canonical form parses to another tree", got)
		}
	}
}

// stripPos returns the statement's canonical text and tree shape without
// positions, to compare trees.
func stripPos(st *ast.Statement) string { return st.String() + "|" + shape(st.Query) }

func shape(q *ast.Query) string {
	var b strings.Builder
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch e := e.(type) {
		case nil:
			b.WriteString("nil")
		case *ast.Name:
			b.WriteString("N(" + e.Name + ")")
		case *ast.Literal:
			b.WriteString("L(" + e.Text + ")")
		case *ast.Call:
			b.WriteString("C(" + e.Name)
			for _, a := range e.Args {
				walk(a)
			}
			b.WriteString(")")
		case *ast.Binary:
			b.WriteString("B(" + e.Op)
			walk(e.L)
			walk(e.R)
			b.WriteString(")")
		case *ast.Not:
			b.WriteString("!(")
			walk(e.X)
			b.WriteString(")")
		case *ast.In:
			b.WriteString("I(")
			walk(e.X)
			for _, v := range e.Values {
				walk(v)
			}
			b.WriteString(")")
		}
	}
	for _, h := range q.Heads {
		walk(h.Expr)
	}
	walk(q.Where)
	walk(q.Having)
	for _, g := range q.GroupBy {
		walk(g)
	}
	return b.String()
}

// TestParseErrors checks that bad queries give errors at the right place
// that say what is wrong.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		text string
		pos  string // line:column
		msg  string // a part of the message
	}{
		{``, "1:1", "ends too soon; expected a query"},
		{`count where`, "1:12", "expected a condition"},
		{`count where status= since 24h`, "1:21", `not the keyword "since"`},
		{`count group app`, "1:13", `expected "by"`},
		{`count by app`, "1:7", `did you mean "group by"?`},
		{`count where a = "x`, "1:17", "unterminated string"},
		{`count where a ! b`, "1:15", `use "!=" for "is not"`},
		{`count since 24h since 1h`, "1:17", "since is given twice"},
		{`count since 1h between 2026-01-01 and 2026-01-02`, "1:1", "use one"},
		{`list group by app`, "1:6", "list lists sign-ins and has no group by"},
		{`show x where a = 1`, "1:8", "show takes a sign-in's id and nothing else"},
		{`count where a = 1 b`, "1:19", "expected and, or, a clause"},
		{`count limit`, "1:12", "ends too soon; expected a value"},
		{"count where\n  a ! b", "2:5", `unexpected "!"`},
	} {
		_, err := Parse(tc.text)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%q: error %v, want a *query.Error", tc.text, err)
			continue
		}
		if qe.Pos.String() != tc.pos || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%q: %v, want %s: …%s…", tc.text, err, tc.pos, tc.msg)
		}
	}
}

func TestCaret(t *testing.T) {
	e := &Error{Pos: ast.Pos{Line: 1, Col: 13}, Msg: "x"}
	if got, want := e.Caret("count where staus=x"), "count where staus=x\n            ^"; got != want {
		t.Errorf("caret:\n%s\nwant\n%s", got, want)
	}
	e = &Error{Pos: ast.Pos{Line: 2, Col: 3}}
	if got, want := e.Caret("count where\n  a ! b"), "  a ! b\n  ^"; got != want {
		t.Errorf("caret on line 2:\n%s\nwant\n%s", got, want)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"status", "user", "userAgent", "userId", "country", "app", "appId"}
	for _, tc := range []struct{ word, want string }{
		{"staus", "status"}, {"STATUS", "status"}, {"usr", "user"}, {"contry", "country"},
		{"stat", "status"}, {"xyz", ""}, {"ap", "app"}, {"userag", "userAgent"},
	} {
		if got := suggest(tc.word, names); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

// TestQuoteRoundTrip checks that quote gives what unquote reads back.
func TestQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "a", `a"b`, `a\b`, `a\`, `\"`, `\\`, `x\\\"y`, "tab\there", "ü"} {
		q := ast.Quote(s)
		l := &lex{src: q}
		tok, err := l.Next()
		if err != nil || tok.Type != tokString || tok.Value != q {
			t.Errorf("ast.Quote(%q) = %s does not lex as one string: %v", s, q, err)
			continue
		}
		if got := ast.Unquote(q); got != s {
			t.Errorf("ast.Unquote(ast.Quote(%q)) = %q", s, got)
		}
	}
}

// TestParseCondition checks conditions parsed apart from a query (a
// Starlark stage's where): the tree, positions in the condition's own
// text, and errors there.
func TestParseCondition(t *testing.T) {
	e, err := ParseCondition(`status=failure and app in ("a", b)`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.String(), `status = failure and app in ("a", b)`; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	in := e.(*ast.Binary).R.(*ast.In)
	if p := in.Values[1].Pos; p.Line != 1 || p.Col != 33 || p.Offset != 32 {
		t.Errorf("b is at %+v, want 1:33, offset 32", p)
	}
	for text, want := range map[string]string{
		"status=":                 "1:8: the query ends too soon",
		"status=failure since 1d": `is a condition and more`,
		"status=failure | spray":  `is a condition and more`,
		"status=failure\nand and": "2:5:",
		"":                        "1:1:",
	} {
		if _, err := ParseCondition(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %s", text, err, want)
		}
	}
}
