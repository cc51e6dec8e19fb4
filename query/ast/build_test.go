package ast

import (
	"testing"
	"time"
)

// TestBuild checks the text of built trees: what a built query says in
// explain and in errors, and what it would parse from. (query's tests
// check that it parses back to a tree that answers the same.)
func TestBuild(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 5, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		e    Expr
		want string
	}{
		{Field("user"), "user"},
		{Str("app"), `"app"`}, // a value, though it spells a field
		{Str(`q"u\ote\`), `"q\"u\ote\\"`},
		{Word("success"), "success"},
		{Word("where"), `"where"`}, // a keyword is quoted
		{Word("Azure Portal"), `"Azure Portal"`},
		{Int(-50126), "-50126"},
		{Float(0.5), "0.5"},
		{Float(1e21), "1000000000000000000000"},
		{Bool(true), "true"},
		{Time(at), "2026-11-02T09:00:00.000000005Z"},
		{Eq(Field("status"), Word("success")), "status = success"},
		{Compare(Field("time"), "<", Time(at)), "time < 2026-11-02T09:00:00.000000005Z"},
		{IsIn(Field("error"), Int(1), Int(2)), "error in (1, 2)"},
		{NotIn(Field("ip"), Str("1.1.1.1")), `ip not in ("1.1.1.1")`},
		{Negate(IsIn(Field("error"), Int(1))), "not error in (1)"},
		{And(nil, Eq(Field("a"), Word("b")), nil), "a = b"},
		{And(Eq(Field("a"), Int(1)), Or(Eq(Field("b"), Int(2)), And(Eq(Field("c"), Int(3)), Eq(Field("d"), Int(4)))), Eq(Field("e"), Int(5))),
			"a = 1 and (b = 2 or c = 3 and d = 4) and e = 5"},
		{Negate(And(Eq(Field("a"), Int(1)), Eq(Field("b"), Int(2)))), "not (a = 1 and b = 2)"},
		{Fn("count"), "count"},
		{Fn("dcount", Field("user")), "dcount(user)"},
		{Fn("bin", Word("1d")), "bin(1d)"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("%#v: %s, want %s", tc.e, got, tc.want)
		}
		if tc.e.Position() != (Pos{}) {
			t.Errorf("%s has a position: %v", tc.e, tc.e.Position())
		}
	}
	if And() != nil || Or(nil, nil) != nil {
		t.Errorf("And or Or of nothing is not nil")
	}

	q := AggregateOf(NewHead(Fn("count"), "n"), NewHead(Fn("values", Field("user")), "users"))
	q.Where = Eq(Field("status"), Word("success"))
	q.GroupBy = []Expr{Field("ip"), Fn("bin", Word("1h"))}
	q.Limit = Int(10)
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		from, to time.Time
		want     string
	}{
		{from, to, "count as n, values(user) as users where status = success between 2026-11-01T00:00:00Z and 2026-11-08T00:00:00Z group by ip, bin(1h) limit 10"},
		{from, time.Time{}, "count as n, values(user) as users where status = success since 2026-11-01T00:00:00Z group by ip, bin(1h) limit 10"},
		{time.Time{}, time.Time{}, "count as n, values(user) as users where status = success group by ip, bin(1h) limit 10"},
	} {
		if got := q.Within(tc.from, tc.to).String(); got != tc.want {
			t.Errorf("Within(%v, %v): %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
	// An open start: a condition on time, after the query's own.
	l := ListOf(Field("time"), Field("user"))
	l.Where = Eq(Field("status"), Word("failure"))
	want := "list time, user where status = failure and time < 2026-11-08T00:00:00Z"
	if got := l.Within(time.Time{}, to).String(); got != want {
		t.Errorf("Within(open, %v): %s, want %s", to, got, want)
	}
	if got, want := ListOf().String(), "list"; got != want {
		t.Errorf("ListOf(): %s, want %s", got, want)
	}
}
