package query

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestAbsence checks group by KEY in @list on sign-ins worked out by
// hand (listTestDB: users zoë.åberg@, a@ and B@contoso.com three times
// each; addresses 10.0.0.1, 10.2.0.1 and ::ffff:10.2.0.1 among others):
// the list's values without sign-ins are groups of none, in the list's
// spelling; those with sign-ins keep the stored spelling, matched
// without regard to case, an address however written.
func TestAbsence(t *testing.T) {
	db := listTestDB(t)
	for name, values := range map[string][]string{
		"people": {"ZOË.ÅBERG@contoso.com", "b@contoso.com", "c@contoso.com", "C@CONTOSO.COM"},
		"addrs":  {"::ffff:10.0.0.1", "10.2.0.1", "9.9.9.9"},
		"codes":  {"0", "50126", "12345"},
	} {
		if err := SetList(db, name, values); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ query, want string }{
		{"count group by user in @people order by user", "B@contoso.com 3; c@contoso.com 0; zoë.åberg@contoso.com 3"},
		{"count as n group by user in @people having n = 0", "c@contoso.com 0"},
		// zoë has no sign-in to Other: her group is of none, in the
		// list's spelling.
		{"count, max(time), dcount(ip), values(app) where app = Other group by user in @people order by user",
			"B@contoso.com 3 2026-11-01T00:08:00Z 2 Other; ZOË.ÅBERG@contoso.com 0 null 0 ; c@contoso.com 0 null 0 "},
		// ::ffff:10.0.0.1 is 10.0.0.1's group; 10.2.0.1 is in two, as
		// stored; 9.9.9.9 in none.
		{"count group by ip in @addrs order by ip", "10.0.0.1 1; 10.2.0.1 1; 9.9.9.9 0; ::ffff:10.2.0.1 1"},
		{"count group by error in @codes order by error", "0 3; 12345 0; 50126 2"},
		// Built-in lists; after a |.
		{"count group by error in @passwordFailures | where count = 0 | order by error", "50053 0; 50055 0; 50056 0"},
	} {
		res, err := listRun(t, db, tc.query)
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		var rows []string
		for _, r := range res.Rows {
			var cells []string
			for _, v := range r {
				if v.IsNull() {
					cells = append(cells, "null")
				} else {
					cells = append(cells, v.String())
				}
			}
			rows = append(rows, strings.Join(cells, " "))
		}
		if got := strings.Join(rows, "; "); got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.query, got, tc.want)
		}
	}
}

// TestAbsenceErrors checks the errors of group by … in: positioned.
func TestAbsenceErrors(t *testing.T) {
	db := listTestDB(t)
	for _, tc := range []struct{ query, pos, msg string }{
		{"count group by user in @nope", "1:24", "unknown list @nope"},
		{"count group by user in admins", "1:24", "takes a named list"},
		{"count group by app, user in @diffUsers", "1:29", "groups by one key"},
		{"count group by domain(user) in @diffUsers", "1:16", "groups by a field"},
		{"count group by bin(1h) in @diffUsers", "1:16", "groups by a field"},
		{"count group by policy in @diffUsers", "1:16", "a list of values"},
		{"count group by time in @diffUsers", "1:16", "group by … in @diffUsers takes a field of text"},
		{"count group by error in @diffUsers", "1:25", "cannot be tested against error"},
		{"count group by ip in @diffNets", "1:22", "holds networks"},
		{"list group by user in @diffUsers", "1:6", "has no group by"},
	} {
		_, err := listRun(t, db, tc.query)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%s: %v, want a query error", tc.query, err)
			continue
		}
		if pos := fmt.Sprintf("%d:%d", qe.Pos.Line, qe.Pos.Col); pos != tc.pos || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%s:\n got  %s: %s\n want %s: …%s…", tc.query, pos, qe.Msg, tc.pos, tc.msg)
		}
	}
}
