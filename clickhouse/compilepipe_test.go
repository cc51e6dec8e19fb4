package clickhouse

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/result"
)

func rowsText(rows [][]result.Value) string {
	var lines []string
	for _, r := range rows {
		var cells []string
		for _, v := range r {
			if v.IsNull() {
				cells = append(cells, "null")
				continue
			}
			cells = append(cells, v.String())
		}
		lines = append(lines, strings.Join(cells, " "))
	}
	return strings.Join(lines, "; ")
}

func userCount(pairs ...any) [][]result.Value {
	var rows [][]result.Value
	for i := 0; i < len(pairs); i += 2 {
		u := result.StringValue(pairs[i].(string))
		var n result.Value
		if pairs[i+1] == nil {
			n = result.Null(signin.KindInt)
		} else {
			n = result.IntValue(int64(pairs[i+1].(int)))
		}
		rows = append(rows, []result.Value{u, n})
	}
	return rows
}

// TestPipeOperators: where, order by and limit after a query apply to
// the rows, as the engine's: arithmetic over columns, text without regard
// to case, a null in no comparison, a stable sort with nulls first.
func TestPipeOperators(t *testing.T) {
	cases := []struct {
		query string
		in    [][]result.Value
		want  string
	}{
		{`count group by user | where count > 2 * 3`, userCount("a", 7, "b", 6, "c", nil), "a 7"},
		{`count group by user | where user = "ALICE" or count / 4 >= 2`, userCount("alice", 1, "b", 8, "c", 7), "alice 1; b 8"},
		{`count group by user | where not count != 5`, userCount("a", 5, "b", nil), "a 5; b null"},
		{`count group by user | where user contains LI and user != bob`, userCount("Alice", 1, "bob", 2, "Li", 3), "Alice 1; Li 3"},
		{`count group by user | where count in (1, 3)`, userCount("a", 1, "b", 2, "c", 3), "a 1; c 3"},
		{`count group by user | order by count desc, user | limit 3`, userCount("b", 2, "a", 2, "c", nil, "d", 5), "d 5; a 2; b 2"},
		{`count group by user | order by count`, userCount("b", 2, "c", nil, "a", 1), "c null; a 1; b 2"},
	}
	for _, tc := range cases {
		cp := compileText(t, tc.query, nil)
		rows := tc.in
		for _, op := range cp.post {
			var err error
			if rows, err = op.apply(t.Context(), nil, rows); err != nil {
				t.Fatalf("%s: %v", tc.query, err)
			}
		}
		if got := rowsText(rows); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.query, got, tc.want)
		}
	}
	// Flags and times: a flag with true or false, a time with a time and
	// with time arithmetic.
	t0 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	flagTime := [][]result.Value{
		{result.BoolValue(true), result.TimeValue(t0), result.TimeValue(t0.Add(4 * time.Minute))},
		{result.BoolValue(false), result.TimeValue(t0), result.TimeValue(t0.Add(6 * time.Minute))},
		{result.Null(signin.KindBool), result.Null(signin.KindTime), result.Null(signin.KindTime)},
	}
	cp := compileText(t, `min(time) as first, max(time) as last group by managed | where managed != false and last - first <= 5m and first >= 2026-11-20`, nil)
	rows, err := cp.post[0].apply(t.Context(), nil, flagTime)
	if err != nil || len(rows) != 1 || !rows[0][0].Equal(result.BoolValue(true)) {
		t.Errorf("flags and times: %s (%v), want the first row", rowsText(rows), err)
	}
	// An overflow of a where's arithmetic is the query's error, the
	// engine's own.
	cp = compileText(t, `count group by user | where count * 9223372036854775807 > 1`, nil)
	var qe *query.Error
	if _, err := cp.post[0].apply(t.Context(), nil, userCount("a", 2)); !errors.As(err, &qe) || !strings.Contains(qe.Msg, " overflows") {
		t.Errorf("overflow: %v, want the engine's overflow error", err)
	}
	// What the operators do not compile is refused, naming it.
	for _, q := range []string{`list since 7d | spray`, `count group by bin(1h) | spikes`} {
		if _, _, err := prepare(t.Context(), nil, q, QueryOptions{}, compileNow); !errors.Is(err, ErrNotExpressible) {
			t.Errorf("%s: %v, want not expressible", q, err)
		}
	}
}

// TestJoinRows: a join pairs rows on keys compared as the language
// compares them (text without regard to case, an ip however written,
// numbers by value), a missing key matching nothing; left keeps the
// unmatched rows once with nulls, anti only them.
func TestJoinRows(t *testing.T) {
	left := userCount("Alice@x", 1, "", 2, "bob@x", 3)
	right := userCount("alice@X", 10, "ALICE@x", 11, "", 12)
	for _, tc := range []struct{ query, want string }{
		{`count group by user | join (count as c2 group by user) on user`, "Alice@x 1 10; Alice@x 1 11"},
		{`count group by user | join left (count as c2 group by user) on user`, "Alice@x 1 10; Alice@x 1 11;  2 null; bob@x 3 null"},
		{`count group by user | join anti (count as c2 group by user) on user`, " 2; bob@x 3"},
	} {
		cp := compileText(t, tc.query, nil)
		j := cp.post[0].(*pipeJoin)
		if got := rowsText(j.joinRows(slices.Clone(left), right)); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.query, got, tc.want)
		}
		wantCols := 3
		if j.kind == "anti" {
			wantCols = 2
		}
		if len(cp.Columns) != wantCols {
			t.Errorf("%s: columns %v", tc.query, cp.Columns)
		}
	}
	// An anti join of a list of its keys reads their distinct values.
	cp := compileText(t, `count group by user | join anti (list user where status=success) on user`, nil)
	if got := cp.post[0].(*pipeJoin).right.sql; !strings.Contains(got, "GROUP BY `user`") {
		t.Errorf("anti join's right side: %s, want the distinct users", got)
	}
	ips := []bool{true}
	a, _ := joinKey([]result.Value{result.StringValue("::ffff:10.0.0.1")}, []int{0}, ips)
	b, _ := joinKey([]result.Value{result.StringValue("10.0.0.1")}, []int{0}, ips)
	if a != b {
		t.Errorf("ip keys %q and %q differ", a, b)
	}
	x, _ := joinKey([]result.Value{result.IntValue(7)}, []int{0}, []bool{false})
	y, _ := joinKey([]result.Value{result.FloatValue(7)}, []int{0}, []bool{false})
	if x != y {
		t.Errorf("7 and 7.0 keys %q and %q differ", x, y)
	}
	if foldKey("K") != foldKey("\u212a") || foldKey("Σ") != foldKey("ς") {
		t.Error("foldKey does not fold as strings.EqualFold")
	}
}
