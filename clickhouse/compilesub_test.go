package clickhouse

import (
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// compileNow is the now of the compiler's table tests.
var compileNow = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// compileText prepares and compiles a query over database db, with
// named lists.
func compileText(t *testing.T, text string, lists map[string][]string) *Compiled {
	t.Helper()
	_, cp, err := prepare(t.Context(), standard.Registry(), text, QueryOptions{Database: "db", Lists: lists}, compileNow)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return cp
}

// TestSubquerySQL: a subquery is compiled as a query of its own (a list
// of values as their distinct values, group by), run first; the outer
// statement holds a marker for its condition, which explain shows named.
func TestSubquerySQL(t *testing.T) {
	cp := compileText(t, `count where ip in (top 2 ip where error=50126) group by user`, nil)
	if len(cp.subs) != 1 {
		t.Fatalf("%d subqueries, want 1", len(cp.subs))
	}
	want := "-- subquery 1, run first; its first column's values make the set of ip in:\n" +
		"--   SELECT `ip`, toInt64(count()) FROM `db`.`signins` WHERE ifNull(`error` = 50126, 0) GROUP BY `ip`\n" +
		"SELECT `user`, toInt64(count()) FROM `db`.`signins` WHERE {ip in subquery 1} GROUP BY `user`"
	if cp.SQL != want {
		t.Errorf("SQL:\n%s\nwant:\n%s", cp.SQL, want)
	}
	if s := cp.subs[0]; s.cp.limit != 2 || s.field.Name != "ip" || s.not || !strings.Contains(cp.sql, s.marker) {
		t.Errorf("subquery: limit %d, field %s, not %v; the statement %q should hold its marker", s.cp.limit, s.field.Name, s.not, cp.sql)
	}
	// A list subquery without limit is its distinct values.
	cp = compileText(t, `count where user not in (list user where status=success)`, nil)
	if got := cp.subs[0].cp.sql; got != "SELECT `user`, toInt64(count()) FROM `db`.`signins` WHERE (lowerUTF8(toString(`status`)) = lowerUTF8('success')) GROUP BY `user`" || !cp.subs[0].not {
		t.Errorf("list subquery: %s (not %v)", got, cp.subs[0].not)
	}
	// Several fields at once: a set of tuples; a multi-valued field
	// among them is refused, naming it.
	cp = compileText(t, `count where (ip, error) not in (list ip, error where status=failure)`, nil)
	if s := cp.subs[0]; s.tuple == nil || !s.not || !strings.Contains(s.cp.sql, "GROUP BY `ip`, `error`") {
		t.Errorf("(ip, error) not in (list …): %+v %s", s, s.cp.sql)
	}
	if _, _, err := prepare(t.Context(), standard.Registry(), `count where (ip, policy) in (count group by ip, policy)`, QueryOptions{}, compileNow); err == nil || !strings.Contains(err.Error(), "a multi-valued field in several fields at once") {
		t.Errorf("(ip, policy) in (…): %v, want a refusal naming the multi-valued field", err)
	}
}

// TestSetCond: the condition on a subquery's values, as the engine's
// sets hold them: nulls and empty text left out, a list's elements each a
// value, an address as its 16 bytes (any spelling), text folded, numbers
// present, not in on text the negation of in.
func TestSetCond(t *testing.T) {
	user, ip, errf, policy := signin.Lookup("user"), signin.Lookup("ip"), signin.Lookup("error"), signin.Lookup("policy")
	cases := []struct {
		f    *signin.Field
		not  bool
		vals []result.Value
		want string
	}{
		{user, false, []result.Value{result.StringValue("A@x"), result.StringValue(""), result.Null(signin.KindString), result.ListValue([]string{"b@x", "A@x"})},
			"(lowerUTF8(`user`) IN (SELECT lowerUTF8(arrayJoin(['A@x', 'b@x']))))"},
		{user, true, []result.Value{result.StringValue("A@x")}, "((lowerUTF8(`user`) IN (SELECT lowerUTF8(arrayJoin(['A@x'])))) = 0)"},
		{user, false, nil, "(0)"},
		{user, true, nil, "((0) = 0)"},
		{ip, false, []result.Value{result.StringValue("::ffff:10.0.0.1"), result.StringValue("unknown")},
			"(if((isNotNull(`_ip`) AND position(`ip`, '%') = 0), ifNull(`_ip` IN (SELECT toFixedString(unhex(arrayJoin(['00000000000000000000ffff0a000001'])), 16)), 0), lowerUTF8(`ip`) IN (SELECT lowerUTF8(arrayJoin(['unknown'])))))"},
		{policy, false, []result.Value{result.StringValue("MFA")}, "(arrayExists(x -> lowerUTF8(x) IN (SELECT lowerUTF8(arrayJoin(['MFA']))), `policy`))"},
		{errf, false, []result.Value{result.IntValue(50126), result.FloatValue(7), result.FloatValue(7.5), result.Null(signin.KindInt)},
			"(isNotNull(`error`) AND ifNull(`error` IN (50126, 7), 0))"},
		{errf, true, []result.Value{result.IntValue(1)}, "(isNotNull(`error`) AND ifNull(`error` NOT IN (1), 0))"},
		{errf, true, nil, "isNotNull(`error`)"},
		{errf, false, nil, "0"},
	}
	for _, tc := range cases {
		got, err := setCond(tc.f, tc.not, tc.vals)
		if err != nil || got != tc.want {
			t.Errorf("%s not=%v %v:\n got %s (%v)\nwant %s", tc.f.Name, tc.not, tc.vals, got, err, tc.want)
		}
	}
	if _, err := setCond(ip, false, []result.Value{result.StringValue("fe80::1%eth0")}); err == nil {
		t.Error("an address with a zone should be refused")
	}
}

// TestTupleCond: the rows of a subquery of several fields make a set of
// tuples, each combination of their values (an element of each list),
// none with a value missing; a number missing on the sign-in satisfies
// neither in nor not in.
func TestTupleCond(t *testing.T) {
	ts := &tupleSub{fields: []*signin.Field{signin.Lookup("ip"), signin.Lookup("user"), signin.Lookup("error")}}
	rows := [][]result.Value{
		{result.StringValue("::ffff:10.0.0.1"), result.ListValue([]string{"A@x", "b@x"}), result.IntValue(1)},
		{result.StringValue("x"), result.StringValue(""), result.IntValue(2)},              // a user missing: no tuple
		{result.StringValue("unknown"), result.StringValue("c@x"), result.FloatValue(2.5)}, // not a whole number: no tuple
	}
	got, err := ts.cond(true, rows)
	want := "(isNotNull(`error`) AND (((if(isNotNull(`_ip`) AND position(`ip`, '%') = 0, concat('a', hex(assumeNotNull(`_ip`))), concat('t', lowerUTF8(`ip`))), lowerUTF8(`user`), assumeNotNull(`error`)) IN (SELECT if(substring(c1, 1, 1) = 'a', c1, concat('t', lowerUTF8(substring(c1, 2)))), lowerUTF8(c2), c3 FROM (SELECT ['a00000000000000000000FFFF0A000001', 'a00000000000000000000FFFF0A000001'] AS a1, ['A@x', 'b@x'] AS a2, [toInt64(1), toInt64(1)] AS a3) ARRAY JOIN a1 AS c1, a2 AS c2, a3 AS c3)) = 0))"
	if err != nil || got != want {
		t.Errorf("got  %s (%v)\nwant %s", got, err, want)
	}
	if got, _ := ts.cond(false, nil); got != "(isNotNull(`error`) AND 0)" {
		t.Errorf("no rows: %s", got)
	}
}
