package query

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/signinq/signinq/result"
)

// TestSubqueryErrors checks that what is wrong in or about a subquery is
// reported where it stands in the query's text.
func TestSubqueryErrors(t *testing.T) {
	for _, tc := range []struct {
		text, pos, msg string
	}{
		{`count where ip in (list user)`, "1:20", "ip is an IP address and the subquery's first column, user, is text"},
		{`count where user in (top 3 ip)`, "1:22", "user is text and the subquery's first column, ip, is an IP address"},
		{`count where error in (top 3 app)`, "1:23", "error is a number and the subquery's first column, app, is text"},
		{`count where user in (count group by error)`, "1:22", "user is text and the subquery's first column, error, is a number"},
		{`count where time in (list user)`, "1:22", "time is a time"},
		{`count where user in (list user where staus = x)`, "1:38", `unknown field "staus"; did you mean "status"?`},
		{`count where user in (list usr)`, "1:27", `unknown field "usr"`},
		{"count where status = failure\n  and user in (top 5 user where app = x since 1d since 2d)", "2:50", "since is given twice"},
		{`count where user in (show abc)`, "1:22", "a subquery is an aggregate, top or list"},
		{`count where user in (top 0 user)`, "1:26", "top takes a whole number of 1 or more"},
		{`count where user in (list user | spikes)`, "1:34", "spikes"},
		{`count where ip in (top 3 ip where user in (list error))`, "1:44", "user is text and the subquery's first column, error, is a number"},
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
	if _, err := ParseCondition(`user in (list user)`); err == nil || !strings.Contains(err.Error(), "subquery") {
		t.Errorf("ParseCondition with a subquery: %v, want an error about it", err)
	}
}

// TestSubqueryUnlimited checks that a subquery's list is never cut by
// the default limit of list, and runs on the query's now: the answer is
// the same whatever DefaultListLimit is, and equals the answer with the
// values written out (but the empty text of a missing user, which is
// in no subquery's set).
func TestSubqueryUnlimited(t *testing.T) {
	s := diffFixture(t, 7)
	ctx := context.Background()
	run := func(text string, opts Options) *result.Result {
		t.Helper()
		opts.Now = s.now
		res, err := Run(ctx, s.dbs[0], nil, text, opts)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return res
	}
	users := run(`top 1000 user where status = failure since 2d`, Options{})
	if len(users.Rows) < 3 {
		t.Fatalf("the fixture has %d users failing in 2 days; the test needs several", len(users.Rows))
	}
	var quoted []string
	for _, r := range users.Rows {
		if r[0].Str() != "" { // a missing user: in no subquery's set
			quoted = append(quoted, `"`+r[0].Str()+`"`)
		}
	}
	want := run(`count where user in (`+strings.Join(quoted, ", ")+`) group by app`, Options{})
	for _, limit := range []int{0, 1, 2} {
		got := run(`count where user in (list user where status = failure since 2d) group by app`, Options{DefaultListLimit: limit})
		if diff := diffResults(&naiveResult{Result: want}, got); diff != "" {
			t.Errorf("DefaultListLimit %d: the subquery's answer differs from its values written out:\n%s", limit, diff)
		}
	}
}

// TestSubqueryExplain checks that explain shows the subquery, and
// explain analyze what it made.
func TestSubqueryExplain(t *testing.T) {
	s := diffFixture(t, 7)
	res, err := Run(context.Background(), s.dbs[0], nil, `explain analyze count where error in (count group by error having count > 100)`, Options{Now: s.now})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"subquery: count group by error having count > 100: run once, before the query",
		"  group by: error",
		"subquery: 5 rows (count group by error having count > 100)",
	} {
		if !strings.Contains(res.Plan, want) {
			t.Errorf("explain analyze lacks %q:\n%s", want, res.Plan)
		}
	}
}

// TestJoinAntiDistinct checks that an anti join whose right side lists
// only its keys reads them as distinct values (a count grouped by them),
// and that any other right side is read as written.
func TestJoinAntiDistinct(t *testing.T) {
	s := diffFixture(t, 7)
	for _, tc := range []struct {
		q        string
		distinct bool
	}{
		{`count where status=failure group by user | join anti (list user where status=success) on user`, true},
		{`count where status=failure group by user, app | join anti (list app, user since 3d) on user, app`, true},
		{`count where status=failure group by user | join anti (list user, app where status=success) on user`, false}, // a field not a key
		{`count where status=failure group by user | join anti (list user where status=success limit 10) on user`, false},
		{`count where status=failure group by user | join (list user where status=success) on user`, false}, // inner: every row counts
	} {
		res, err := Run(context.Background(), s.dbs[0], nil, "explain "+tc.q, Options{Now: s.now})
		if err != nil {
			t.Fatalf("%s: %v", tc.q, err)
		}
		if got := strings.Contains(res.Plan, "its distinct values are read as count"); got != tc.distinct {
			t.Errorf("%s: distinct %v, want %v:\n%s", tc.q, got, tc.distinct, res.Plan)
		}
	}
}

// TestPipeErrors checks what is wrong in the operators after a | (where,
// order by, limit, join) is reported where it stands, with a
// did-you-mean over the columns.
func TestPipeErrors(t *testing.T) {
	for _, tc := range []struct {
		text, pos, msg string
	}{
		{`count group by user | where usr = x`, "1:29", `unknown column "usr"; did you mean "user"? (the columns: user, count)`},
		{`count group by user | where cont > 5`, "1:29", `unknown column "cont"; did you mean "count"?`},
		{`count group by user | order by usr`, "1:32", `unknown column "usr"; did you mean "user"?`},
		{`count group by user | limit 0`, "1:29", "limit takes a whole number of 1 or more"},
		{`count group by user | where user > 5`, "1:29", "> compares numbers and times; text compares with = and !="},
		{`count group by user | where user < x`, "1:29", "< compares numbers and times; text compares with = and !="},
		{`count group by user | where count + user > 1`, "1:37", "user is text: arithmetic takes numbers"},
		{`count group by user | where count in @passwordFailures`, "1:29", "@passwordFailures is a list of a field's values: count is not a column of a field"},
		{`count group by user | where user in @nosuch`, "1:37", "unknown list @nosuch"},
		{`max(time) as last group by user | where last - now > 1`, "1:46", "last - now is a duration and is compared with a number"},
		{`max(time) as last group by user | where last + last > now`, "1:46", "adds two times: subtract them for the duration between"},
		{`count, max(time) as last group by user | where count + 5m > 1`, "1:48", "count is a number: time arithmetic adds and subtracts times and durations"},
		{`max(time) as last group by user | where last > now - 1`, "1:54", "1 is a number, beside a time: a duration has a unit"},
		{`count group by user | where user in (list user)`, "1:29", "in (QUERY) is for sign-ins"},
		{`count group by user | where count contains 5`, "1:29", "contains matches text; count is a number"},
		{`count group by user | where usr contains 5`, "1:29", "contains matches a column of text: usr is not one of the columns (user, count)"},
		{`count group by user | where user ~ "("`, "1:36", "bad regular expression"},
		{`count group by user | where (count > 1) + 1 > 2`, "1:30", "count > 1 is not a column or a value"},
		{`count group by user | join (count group by user) on user`, "1:29", "the joined query's column count is a column of the rows before the join too: name it otherwise with as (count as count2)"},
		{`count group by user | join (count as c group by user) on usr`, "1:58", `the rows before the join has no column "usr"; did you mean "user"?`},
		{`count group by user | join (count as c group by app) on user`, "1:57", `the joined query has no column "user"`},
		{`count group by user | join (count as c group by ip) on ip`, "1:56", `the rows before the join has no column "ip"`},
		{`count group by user, error | join (count as c group by user, app) on user, error`, "1:76", `the joined query has no column "error"`},
		{`count group by error | join (count as c group by app) on error`, "1:58", `the joined query has no column "error"`},
		{`count, values(app) as apps group by user | join (values(app) as apps, count as c group by user) on apps`, "1:100", "apps is a list of values on one side"},
		{`count group by user | join (list user where usr = x) on user`, "1:45", `unknown field "usr"`},
		{`count group by user | join sideways (list user) on user`, "1:28", "join is join (QUERY), join left (QUERY) or join anti (QUERY), not join sideways"},
		{`count group by user | join (list user) at user`, "1:40", "expected on and the key columns"},
		{`list user | join (list app) on user`, "1:32", `the joined query has no column "user"`},
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

// TestJoinCase checks that a join's text keys match without regard to
// case, as in does, and that a missing key matches nothing: each group
// of the left side is joined with every group of the right whose user is
// the same but for case, on data that spells some users in two ways.
func TestJoinCase(t *testing.T) {
	s := diffFixture(t, 7)
	ctx := context.Background()
	run := func(text string) *result.Result {
		t.Helper()
		res, err := Run(ctx, s.dbs[0], nil, text, Options{Now: s.now})
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return res
	}
	left := run(`count where status = failure since 3d group by user`)
	right := run(`count as c2 since 3d group by user`)
	want, folded, unmatched := 0, 0, 0
	for _, l := range left.Rows {
		n := 0
		for _, r := range right.Rows {
			if l[0].Str() != "" && strings.EqualFold(l[0].Str(), r[0].Str()) {
				n++
				if l[0].Str() != r[0].Str() {
					folded++
				}
			}
		}
		if n == 0 {
			unmatched++
		}
		want += n
	}
	if folded == 0 {
		t.Fatalf("no user is spelled in two ways in the fixture's last 3 days: the test needs some")
	}
	if got := run(`count where status = failure since 3d group by user | join (count as c2 since 3d group by user) on user`); len(got.Rows) != want {
		t.Errorf("inner join: %d rows, want %d (%d pairs equal but for case)", len(got.Rows), want, folded)
	}
	if got := run(`count where status = failure since 3d group by user | join anti (count as c2 since 3d group by user) on user`); len(got.Rows) != unmatched {
		t.Errorf("anti join: %d rows, want %d (the missing user's, which matches nothing)", len(got.Rows), unmatched)
	}
}

// TestSubquerySaved checks that saved queries expand in subqueries and
// joins, and that a saved query may hold them.
func TestSubquerySaved(t *testing.T) {
	ms := NewMacros()
	for _, d := range []string{
		`define busy(N) = top N ip`,
		`define succeeded(D) = list user where status=success since D`,
		`define strangers = count where status=failure and user not in (succeeded(1d)) since 1d group by user`,
		`define seen(D, N) = count where user in (list user since D) group by user | join (top N user by dcount(ip)) on user`,
	} {
		if _, err := ms.Define(d, nil); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	for _, tc := range []struct{ text, want string }{
		{`count where ip in (busy(3)) group by user`, `count where ip in (top 3 ip) group by user`},
		{`countif(user in (succeeded(7d))) as ok`, `countif(user in (list user where status = success since 7d)) as ok`},
		{`count where status=failure since 1d group by user | join anti (succeeded(1d)) on user`, `count where status = failure since 1d group by user | join anti (list user where status = success since 1d) on user`},
		{`strangers`, `count where status = failure and user not in (list user where status = success since 1d) since 1d group by user`},
		{`seen(2d, 5)`, `count where user in (list user since 2d) group by user | join (top 5 user by dcount(ip)) on user`},
	} {
		p, err := Prepare(tc.text, ms, nil, checkNow)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		if got := p.Statement.Query.String(); got != tc.want {
			t.Errorf("%s\n  expanded to %s\n  want        %s", tc.text, got, tc.want)
		}
	}
}

// TestPipeOverflow checks that arithmetic in a where after | that goes
// beyond whole numbers is an error at its operator, never a wrong row;
// and that / makes decimal numbers, as in heads.
func TestPipeOverflow(t *testing.T) {
	s := diffFixture(t, 7)
	ctx := context.Background()
	_, err := Run(ctx, s.dbs[0], nil, `count group by app | where count * 9223372036854775807 > 1`, Options{Now: s.now})
	var qe *Error
	if !errors.As(err, &qe) || qe.Pos.String() != "1:34" || !strings.Contains(qe.Msg, "overflows") {
		t.Errorf("overflow: %v, want an error at 1:34 saying it overflows", err)
	}
	res, err := Run(ctx, s.dbs[0], nil, `count group by app | where count / 2 > 9223372036854775807 / 2`, Options{Now: s.now})
	if err != nil || len(res.Rows) != 0 {
		t.Errorf("decimal: %v, %d rows; want none", err, len(res.Rows))
	}
}
