package query

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/internal/querygen"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
)

// TestTupleParse checks that a parenthesized list of fields before in
// (QUERY) parses as one, prints back as written canonically, and that a
// parenthesized condition still parses as one.
func TestTupleParse(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{`count where (ip, user) in (count group by ip, user having count = 1)`, `count where (ip, user) in (count group by ip, user having count = 1)`},
		{`count where (IP,user,country) NOT IN (list ip, user, country where status=failure)`, `count where (IP, user, country) not in (list ip, user, country where status = failure)`},
		{`count where not (ip, user) in (top 5 ip, user) and status = failure`, `count where not (ip, user) in (top 5 ip, user) and status = failure`},
		{`count where ((ip, user) in (top 5 ip, user) or app = x) and error = 0`, `count where ((ip, user) in (top 5 ip, user) or app = x) and error = 0`},
		{`count where (status = failure or app = x) and user = bob`, `count where (status = failure or app = x) and user = bob`},
		{`count where (status = failure) and (user) in (list user)`, `count where status = failure and user in (list user)`},
		{`countif((ip, user) in (list ip, user where risk = high)) as risky, count group by app`, `countif((ip, user) in (list ip, user where risk = high)) as risky, count group by app`},
	} {
		st, err := Parse(tc.text)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		if got := st.String(); got != tc.want {
			t.Errorf("%s:\n  got  %s\n  want %s", tc.text, got, tc.want)
		}
		again, err := Parse(st.String())
		if err != nil || again.String() != st.String() {
			t.Errorf("%s: the canonical text does not parse back to itself: %v", st, err)
		}
	}
	st, err := Parse(`count where (ip, user) in (list ip, user)`)
	if err != nil {
		t.Fatal(err)
	}
	in, ok := st.Query.Where.(*ast.In)
	if !ok {
		t.Fatalf("the where is %T, want *ast.In", st.Query.Where)
	}
	tu, ok := in.X.(*ast.Tuple)
	if !ok || len(tu.Fields) != 2 || tu.Fields[0].Name != "ip" || tu.Fields[1].Name != "user" || in.Query == nil {
		t.Errorf("the in's X is %#v, want the tuple (ip, user) and a query", in.X)
	}
	if tu.Pos.String() != "1:13" || tu.Fields[1].Pos.String() != "1:18" {
		t.Errorf("the tuple is at %s and its second field at %s, want 1:13 and 1:18", tu.Pos, tu.Fields[1].Pos)
	}
}

// TestTupleErrors checks what is wrong with a list of fields, where it
// stands in the query's text.
func TestTupleErrors(t *testing.T) {
	for _, tc := range []struct {
		text, pos, msg string
	}{
		{`count where (ip, user) = x`, "1:13", "a list of fields is compared with in (QUERY)"},
		{`count where (ip, user) in (a, b)`, "1:13", "a list of fields is compared with in (QUERY)"},
		{`count where (ip, user) contains x`, "1:13", "a list of fields is compared with in (QUERY)"},
		{`count where (ip, user)`, "1:13", "a list of fields is compared with in (QUERY)"},
		{`count where (ip, user) + 1 in (list ip, user)`, "1:13", "a list of fields is compared with in (QUERY)"},
		{`count group by (ip, user)`, "1:16", "a list of fields is compared with in (QUERY)"},
		{`count where app = x having (count, n) in (list ip, user)`, "1:28", ""},
		{`count where (ip, status = failure) in (list ip, user)`, "1:18", "a list of fields holds fields' names: status = failure is not one"},
		{`count where (ip, "user") in (list ip, user)`, "1:18", "a list of fields holds fields' names"},
		{`count where (ip, usr) in (list ip, user)`, "1:18", `unknown field "usr"; did you mean "user"?`},
		{`count where (ip, user) in (list ip)`, "1:28", "(ip, user) compares 2 fields with the subquery's first 2 columns, and it has 1 (ip)"},
		{`count where (ip, user) in (list user, ip)`, "1:28", "ip is an IP address and the subquery's column 1, user, is text"},
		{`count where (user, error) in (count group by user, app)`, "1:31", "error is a number and the subquery's column 2, app, is text"},
		{`count where (user, compliant) in (list user, time)`, "1:35", "compliant is true or false and the subquery's column 2, time, is a time"},
		{`count where (user, app) in (list user, app where staus = x)`, "1:50", `unknown field "staus"`},
		{`count where (a, b, c, d, e, f, g, h, i) in (list user)`, "1:38", "a list of fields holds at most 8 fields"},
		{`count where (user, app) in (show abc)`, "1:29", "a subquery is an aggregate, top or list"},
		{`count group by app | where (app, count) in (list app, error)`, "1:28", "in (QUERY) is for sign-ins"},
	} {
		st, err := Parse(tc.text)
		if err == nil {
			_, err = Check(st, nil, checkNow)
		}
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%q: error %v, want a *query.Error", tc.text, err)
			continue
		}
		if qe.Pos.String() != tc.pos || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%q:\n  got  %v\n  want %s: …%s…", tc.text, err, tc.pos, tc.msg)
		}
	}
}

// TestTupleMembership counts sign-ins of a small store by lists of
// fields, each count worked out by hand: text without regard to case,
// an address however written, a missing value in no tuple (so that not
// in holds on text and fails on a number), each element of a list.
func TestTupleMembership(t *testing.T) {
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	var recs []signin.Record
	for i, tc := range []struct {
		user, ip, app string
		err           int64
		policies      []string
		latitude      float64
	}{
		{"Alice@contoso.com", "10.0.0.1", "A", 50126, nil, 1.5},                // 0
		{"alice@contoso.com", "::ffff:10.0.0.1", "B", 0, nil, 2},               // 1
		{"bob@contoso.com", "10.0.0.2", "A", 50126, nil, 1.5},                  // 2
		{"", "10.0.0.3", "A", signin.NoInt, nil, 3},                            // 3
		{"carol@contoso.com", "10.0.0.1", "C", 50126, []string{"P1", "p2"}, 4}, // 4
		{"carol@contoso.com", "10.0.0.9", "P2", 50053, nil, 2},                 // 5
	} {
		r := signin.New()
		r.ID = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		r.Time, r.Type = day.Add(time.Duration(i)*time.Minute), signin.TypeInteractive
		r.User, r.IP, r.App, r.Error, r.Policies, r.Latitude = tc.user, tc.ip, tc.app, tc.err, tc.policies, tc.latitude
		recs = append(recs, r)
	}
	if _, err := db.IngestRecords(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	now := day.Add(time.Hour)
	for _, tc := range []struct {
		query string
		want  int64
	}{
		// (10.0.0.1, Alice), (10.0.0.2, bob); 10.0.0.3 has no user.
		{`count where (ip, user) in (list ip, user where app = A)`, 3},
		{`count where (ip, user) not in (list ip, user where app = A)`, 3},
		{`count where not (ip, user) in (list ip, user where app = A)`, 3},
		{`count where (IP, USER) in (count where app = A group by ip, user)`, 3},
		// (Alice, 50126), (bob, 50126): a sign-in without an error is in
		// none, and in no not in either; one without a user is in none.
		{`count where (user, error) in (list user, error where app = A)`, 2},
		{`count where (user, error) not in (list user, error where app = A)`, 3},
		{`count where not (user, error) in (list user, error where app = A)`, 4},
		{`count where (error, user) in (list error, user where app in (A, B))`, 3},
		// Each element of a list, in either place.
		{`count where (policy, user) in (list policy, user where app = C)`, 1},
		{`count where (app, user) in (list policy, user where app = C)`, 1},
		{`count where (app, user) in (count where app = C group by policy, user)`, 1},
		{`count where (policy, user) in (list app, user where error = 50053)`, 1},
		// Decimal numbers by value, a whole number column against them.
		{`count where (latitude, app) in (list latitude, app where user = "bob@contoso.com")`, 2},
		{`count where (latitude, ip) in (list error, ip where error = 0)`, 0},
		{`count where (latitude, ip) in (top 10 latitude, ip where latitude = 2)`, 2},
		// Three fields.
		{`count where (ip, user, app) in (list ip, user, app where error = 0)`, 1},
		{`count where (ip, user, app) in (list ip, user, app where error = 50126 and app = A)`, 2},
	} {
		res, err := Run(t.Context(), db, nil, tc.query, Options{Now: now})
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		got := int64(0) // count of none: no row
		if len(res.Rows) > 0 {
			got = res.Rows[0][0].Int()
		}
		if got != tc.want {
			t.Errorf("%s: %d, want %d", tc.query, got, tc.want)
		}
	}
	st, err := Parse(`explain count where (ip, user) in (list ip, user where app = A) and app != B`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Check(st, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"each combination of their values looked up in the hash set", "its first 2 columns, row by row, make a hash set"} {
		if !strings.Contains(p.Explain(), want) {
			t.Errorf("explain does not say %q:\n%s", want, p.Explain())
		}
	}
}

// TestRandomTuples checks that the random queries hold lists of fields,
// of two and three, in and not in, and that each checks.
func TestRandomTuples(t *testing.T) {
	s := diffFixture(t, 1)
	g := querygen.New(1, s.recs, s.now)
	seen := map[string]int{}
	for range 2000 {
		q := g.TuplePred()
		st, err := Parse("count where " + q)
		if err == nil {
			_, err = Check(st, nil, s.now)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "unknown list @") { // the differential's store has them
				t.Errorf("count where %s: %v", q, err)
			}
			continue
		}
		in := st.Query.Where.(*ast.In)
		seen[fmt.Sprintf("%d fields, not %v", len(in.X.(*ast.Tuple).Fields), in.Not)]++
	}
	for _, k := range []string{"2 fields, not false", "2 fields, not true", "3 fields, not false", "3 fields, not true"} {
		if seen[k] == 0 {
			t.Errorf("no random list of %s: %v", k, seen)
		}
	}
}

// TestDifferentialTuples runs random queries whose where holds a list of
// fields through the executor and the naive evaluator, on both stores:
// the random queries of TestDifferential hold few.
func TestDifferentialTuples(t *testing.T) {
	t.Parallel()
	seed, err := diffSeed()
	if err != nil {
		t.Fatalf("bad seed: %v", err)
	}
	t.Logf("seed %d (replay: go test ./query/ -run TestDifferentialTuples -diff.seed=%d)", seed, seed)
	s := diffFixture(t, seed)
	g := querygen.New(seed^0x7091e, s.recs, s.now)
	n := 150
	if testing.Short() {
		n = 60
	}
	agreed := 0
	for i := range n {
		now := g.PickNow(s.now)
		g.SetNow(now)
		q := "count where " + g.TuplePred()
		if g.Chance(0.5) {
			q += " and " + g.Cond(1)
		}
		q += " group by " + querygen.Pick(g, []string{"user", "app", "country", "ip", "error", "status"})
		o := diffRun(s, i%2, q, now)
		switch {
		case o.rejected != nil:
			if !strings.Contains(o.rejected.Error(), "unknown list @") {
				t.Errorf("the executor refuses %s: %v", q, o.rejected)
			}
		case o.diff != "":
			t.Errorf("%s, now %s, query:\n  %s\n%s", diffStoreNames[i%2], now.Format(time.RFC3339Nano), q, o.diff)
		default:
			if o.rows > 0 {
				agreed++
			}
		}
	}
	if agreed < n/4 {
		t.Errorf("only %d of %d queries agreed with rows: the queries test too little", agreed, n)
	}
}

// TestTupleSaved checks that a saved query's parameter stands for a
// field of a list of fields, and that one standing for anything else
// is an error.
func TestTupleSaved(t *testing.T) {
	ms := macrosFrom(
		"define once(F) = count where (ip, F) in (count group by ip, F having count = 1)",
		"define pairs(A, B) = count where (A, B) not in (list A, B where status=success) group by A",
	)
	for _, tc := range []struct{ text, want string }{
		{"once(user) group by user", "count where (ip, user) in (count group by ip, user having count = 1) group by user"},
		{"pairs(app, country)", "count where (app, country) not in (list app, country where status = success) group by app"},
		{`once("a b")`, "error: "},
	} {
		st, err := Parse(tc.text)
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		got := ""
		if st, err = ms.Expand(st); err != nil {
			got = "error: " + err.Error()
		} else {
			got = st.String()
		}
		if tc.want == "error: " {
			if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, "a list of fields") {
				t.Errorf("%s: %s, want an error about the list of fields", tc.text, got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("%s:\n  got  %s\n  want %s", tc.text, got, tc.want)
		}
	}
}

// TestTupleBuilt checks that a list of fields built in Go (ast.Tuple)
// answers as its text does, and that one with a missing field is a
// malformed query, not a panic.
func TestTupleBuilt(t *testing.T) {
	db := builtStore(t)
	now := builtDay.Add(24 * time.Hour)
	q := ast.AggregateOf(ast.NewHead(ast.Fn("count"), ""))
	q.Where = &ast.In{X: &ast.Tuple{Fields: []*ast.Name{ast.Field("ip"), ast.Field("user")}}, Query: ast.ListOf(ast.Field("ip"), ast.Field("user"))}
	q.GroupBy = []ast.Expr{ast.Field("user")}
	plan, err := checkBuilt(q, nil, now)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	built, err := Execute(t.Context(), db, plan, Options{Now: now})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	parsed, err := Run(t.Context(), db, nil, q.String(), Options{Now: now})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if len(built.Rows) == 0 || fmt.Sprint(built.Rows) != fmt.Sprint(parsed.Rows) {
		t.Errorf("%s: built %v, parsed %v", q, built.Rows, parsed.Rows)
	}
	q.Where.(*ast.In).X = &ast.Tuple{Fields: []*ast.Name{ast.Field("ip"), nil}}
	if _, err := checkBuilt(q, nil, now); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a list of fields with a nil field: %v, want a malformed query", err)
	}
}
