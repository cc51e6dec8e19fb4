package clickhouse

import (
	"strings"
	"testing"

	"github.com/signinq/signinq/result"
)

// TestAbsence: group by KEY in @list selects the sign-ins of the list's
// values in SQL, and adds a row of no sign-ins for each value no group
// has (compared without regard to case; equal values once, the first
// spelling), its aggregates those of no sign-ins, its heads' arithmetic
// computed over them.
func TestAbsence(t *testing.T) {
	lists := map[string][]string{"admins": {"Alice@x", "bob@x", "BOB@X", "carol@x"}}
	cp := compileText(t, `count as n, max(time) as last, values(app) as apps, n + 1 as m group by user in @admins`, lists)
	if !strings.Contains(cp.sql, "lowerUTF8(`user`) = lowerUTF8('Alice@x') OR") || cp.absent == nil {
		t.Fatalf("SQL %s: the sign-ins of the list's users should be selected", cp.sql)
	}
	// ClickHouse's groups: alice's (spelt otherwise) only.
	row := make([]result.Value, len(cp.outs))
	for i, o := range cp.outs {
		switch {
		case o.key:
			row[i] = result.StringValue("alice@X")
		case o.calc != nil:
		case o.aggName == "count":
			row[i] = result.IntValue(3)
		case o.aggName == "values":
			row[i] = result.ListValue([]string{"Teams"})
		default:
			row[i] = result.Null(o.kind)
		}
	}
	row[len(row)-1] = result.IntValue(4)
	rows, err := cp.addAbsent([][]result.Value{row})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		var cells []string
		for _, v := range r {
			if v.IsNull() {
				cells = append(cells, "null")
			} else {
				cells = append(cells, v.String())
			}
		}
		got = append(got, strings.Join(cells, "|"))
	}
	want := []string{"alice@X|3|null|Teams|4", "bob@x|0|null||1", "carol@x|0|null||1"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Whole numbers: the list's values as numbers.
	cp = compileText(t, `count group by error in @passwordFailures`, nil)
	rows, _ = cp.addAbsent(nil)
	if len(rows) != 4 || rows[0][0].Int() != 50126 {
		t.Errorf("error in @passwordFailures without sign-ins: %v", rows)
	}
}
