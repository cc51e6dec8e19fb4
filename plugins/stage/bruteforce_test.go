package stage

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/result"
)

// TestBruteforce checks bruteforce on hand-built sign-ins. Rows print as
// user | failures | first | last | success | successIp | ips.
func TestBruteforce(t *testing.T) {
	s := stagetest.SignIn
	// fails makes n failures of a user from an address, a minute apart
	// from 10:00.
	fails := func(n int, user, ip string) [][]result.Value {
		var out [][]result.Value
		for i := range n {
			out = append(out, s(stagetest.At("10:00").Add(time.Duration(i)*time.Minute).Format("15:04"), ip, user, "OfficeHome", 50126))
		}
		return out
	}
	join := func(parts ...[][]result.Value) [][]result.Value { return slices.Concat(parts...) }
	one := func(r []result.Value) [][]result.Value { return [][]result.Value{r} }
	tests := []struct {
		name string
		args []string
		in   [][]result.Value
		want []string
	}{{
		name: "failures then a success",
		args: []string{"3"},
		in:   join(fails(3, "ann", "6.6.6.6"), one(s("10:05", "1.1.1.1", "ann", "OfficeHome", 0))),
		want: []string{"ann | 3 | 10:00:00 | 10:02:00 | 10:05:00 | 1.1.1.1 | 1.1.1.1, 6.6.6.6"},
	}, {
		name: "too few failures",
		args: []string{"4"},
		in:   join(fails(3, "ann", "6.6.6.6"), one(s("10:05", "1.1.1.1", "ann", "OfficeHome", 0))),
	}, {
		name: "no success",
		args: []string{"3"},
		in:   join(fails(5, "ann", "6.6.6.6"), one(s("10:05", "1.1.1.1", "bob", "OfficeHome", 0))),
	}, {
		name: "a success until a window after the last failure",
		args: []string{"3", "30m"},
		in: join(fails(3, "ann", "6.6.6.6"), one(s("10:32", "6.6.6.6", "ann", "OfficeHome", 0)),
			fails(3, "bob", "6.6.6.6"), one(s("10:32:01", "6.6.6.6", "bob", "OfficeHome", 0))),
		want: []string{"ann | 3 | 10:00:00 | 10:02:00 | 10:32:00 | 6.6.6.6 | 6.6.6.6"},
	}, {
		name: "failures spread wider than the window",
		args: []string{"3", "2m"},
		in:   join(fails(3, "ann", "6.6.6.6"), one(s("10:03", "6.6.6.6", "ann", "OfficeHome", 0))),
	}, {
		name: "the first success after the burst, not one during it",
		args: []string{"3"},
		in: join(fails(6, "ann", "6.6.6.6"), one(s("10:04:30", "1.1.1.1", "ann", "OfficeHome", 0)),
			one(s("10:07", "6.6.6.6", "ann", "OfficeHome", 0)), one(s("10:08", "6.6.6.6", "ann", "OfficeHome", 0))),
		want: []string{"ann | 6 | 10:00:00 | 10:05:00 | 10:07:00 | 6.6.6.6 | 6.6.6.6"},
	}, {
		name: "else the last success during it after enough failures",
		args: []string{"3"},
		in: join(fails(6, "ann", "6.6.6.6"), one(s("10:01:30", "1.1.1.1", "ann", "OfficeHome", 0)),
			one(s("10:03:30", "2.2.2.2", "ann", "OfficeHome", 0)), one(s("10:04:30", "3.3.3.3", "ann", "OfficeHome", 0))),
		want: []string{"ann | 6 | 10:00:00 | 10:05:00 | 10:04:30 | 3.3.3.3 | 3.3.3.3, 6.6.6.6"},
	}, {
		name: "but not one that too few failures precede",
		args: []string{"3"},
		in:   join(fails(4, "ann", "6.6.6.6"), one(s("10:01:30", "1.1.1.1", "ann", "OfficeHome", 0))),
	}, {
		name: "the default codes; interrupts and other failures do not count",
		args: []string{"failures=3"},
		in: [][]result.Value{
			s("10:00", "6.6.6.6", "ann", "OfficeHome", 50126), s("10:01", "6.6.6.6", "ann", "OfficeHome", 50053),
			s("10:02", "6.6.6.6", "ann", "OfficeHome", 50074), s("10:03", "6.6.6.6", "ann", "OfficeHome", 50057),
			s("10:04", "6.6.6.6", "ann", "OfficeHome", 0),
		},
	}, {
		name: "two bursts of one user, users without a name left out",
		args: []string{"2", "10m"},
		in: [][]result.Value{
			s("10:00", "6.6.6.6", "ann", "", 50126), s("10:01", "6.6.6.6", "ann", "", 50126), s("10:02", "6.6.6.6", "ann", "", 0),
			s("12:00", "7.7.7.7", "ann", "", 50055), s("12:01", "7.7.7.7", "ann", "", 50053), s("12:02", "7.7.7.7", "ann", "", 0),
			s("11:00", "6.6.6.6", "", "", 50126), s("11:01", "6.6.6.6", "", "", 50126), s("11:02", "6.6.6.6", "", "", 0),
		},
		want: []string{
			"ann | 2 | 10:00:00 | 10:01:00 | 10:02:00 | 6.6.6.6 | 6.6.6.6",
			"ann | 2 | 12:00:00 | 12:01:00 | 12:02:00 | 7.7.7.7 | 7.7.7.7",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { stagetest.Check(t, bruteforce{}, tc.in, tc.args, tc.want) })
	}
}

func TestBruteforceBind(t *testing.T) {
	d := bruteforce{}.Describe()
	args, err := plugins.BindArgs(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	needs, err := bruteforce{}.Needs(args)
	if err != nil || !slices.Equal(needs.Fields, []string{"time", "ip", "user", "app", "status", "error"}) ||
		stagetest.WhereText(needs.Where) != "error in (50053, 50055, 50126)" {
		t.Errorf("Needs = %+v, %v", needs, err)
	}
	f := func(cols []result.Column, args []string, want string) {
		t.Helper()
		_, err := stagetest.Run(t, bruteforce{}, cols, nil, args...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bruteforce %v: %v, want an error with %q", args, err, want)
		}
	}
	f(stagetest.Cols, []string{"failures=ten"}, `failures: "ten" is not a whole number of at least 1`)
	f(stagetest.Cols, []string{"window=1y"}, `window: "1y" is not a duration like 1h`)
	f(stagetest.Cols, []string{"codes=50126;50053"}, `codes: "50126;50053" is not an error code`)
	f(stagetest.Cols[5:], nil, "needs the column(s) time, user, app")
}
