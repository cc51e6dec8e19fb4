package stage

import (
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/stage/internal/stagetest"
	"github.com/signinq/signinq/result"
)

// TestSpray checks spray on hand-built sign-ins. Rows print as ip |
// first | last | accounts | failures | apps | succeeded | successUsers |
// users.
func TestSpray(t *testing.T) {
	s := stagetest.SignIn
	// Three accounts failing from an address, and the accounts that
	// succeed from it then: one of them (a) and five others.
	natFails := [][]result.Value{s("10:00", "8.8.8.8", "a", "EXO", 50126), s("10:10", "8.8.8.8", "b", "EXO", 50126), s("10:20", "8.8.8.8", "c", "EXO", 50126)}
	natWins := [][]result.Value{
		s("10:05", "8.8.8.8", "a", "EXO", 0), s("10:06", "8.8.8.8", "d", "EXO", 0), s("10:30", "8.8.8.8", "e", "EXO", 0),
		s("11:20", "8.8.8.8", "f", "EXO", 0), s("10:40", "8.8.8.8", "g", "EXO", 0), s("10:41", "8.8.8.8", "h", "EXO", 0),
		s("10:42", "8.8.8.8", "d", "EXO", 0),
	}
	tests := []struct {
		name string
		args []string
		in   [][]result.Value
		want []string
	}{{
		name: "three accounts within the hour",
		args: []string{"3"},
		in: [][]result.Value{
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:20", "6.6.6.6", "b", "EXO", 50126),
			s("10:25", "6.6.6.6", "a", "PS", 50053), s("10:59:59", "6.6.6.6", "c", "EXO", 50034),
		},
		want: []string{"6.6.6.6 | 10:00:00 | 10:59:59 | 3 | 4 | EXO, PS | false |  | a, b, c"},
	}, {
		name: "a window holds what is less than its length after its start",
		args: []string{"3"},
		in:   [][]result.Value{s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:20", "6.6.6.6", "b", "EXO", 50126), s("11:00", "6.6.6.6", "c", "EXO", 50126)},
	}, {
		name: "the default codes; other failures and interrupts do not count",
		args: []string{"accounts=3"},
		in: [][]result.Value{
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:01", "6.6.6.6", "b", "EXO", 50053),
			s("10:02", "6.6.6.6", "c", "EXO", 50057), s("10:03", "6.6.6.6", "d", "EXO", 50074),
		},
	}, {
		name: "codes given",
		args: []string{"accounts=3", "codes=50057, 50074, 50126"},
		in: [][]result.Value{
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:01", "6.6.6.6", "b", "EXO", 50053),
			s("10:02", "6.6.6.6", "c", "EXO", 50057), s("10:03", "6.6.6.6", "d", "EXO", 50074),
		},
		want: []string{"6.6.6.6 | 10:00:00 | 10:03:00 | 3 | 3 | EXO | false |  | a, c, d"},
	}, {
		name: "successes from the first failure until a window after the last",
		args: []string{"2", "30m"},
		in: [][]result.Value{
			s("09:59", "6.6.6.6", "early", "EXO", 0),
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:00", "6.6.6.6", "during", "EXO", 0),
			s("10:10", "6.6.6.6", "b", "EXO", 50126), s("10:40", "6.6.6.6", "edge", "EXO", 0),
			s("10:40:01", "6.6.6.6", "late", "EXO", 0), s("10:20", "7.7.7.7", "elsewhere", "EXO", 0),
		},
		want: []string{"6.6.6.6 | 10:00:00 | 10:10:00 | 2 | 2 | EXO | true | during, edge | a, b"},
	}, {
		name: "failures without a user count, but not as accounts; rows without a time or an address are left out",
		args: []string{"2"},
		in: [][]result.Value{
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:01", "6.6.6.6", "", "EXO", 50126),
			s("10:02", "", "b", "EXO", 50126), stagetest.Row(stagetest.Cols, map[string]any{"ip": "6.6.6.6", "user": "c", "error": 50126}),
			s("10:03", "6.6.6.6", "a", "", 50126), s("10:04", "6.6.6.6", "b", "EXO", 50126),
		},
		want: []string{"6.6.6.6 | 10:00:00 | 10:04:00 | 2 | 4 | EXO | false |  | a, b"},
	}, {
		name: "two sprays from one address, two addresses",
		args: []string{"2", "1h"},
		in: [][]result.Value{
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:30", "6.6.6.6", "b", "EXO", 50126),
			s("11:29", "6.6.6.6", "c", "EXO", 50126), // shares a window with b: the same spray
			s("13:00", "6.6.6.6", "a", "EXO", 50126), s("13:10", "6.6.6.6", "d", "EXO", 50126),
			s("10:00", "5.5.5.5", "a", "EXO", 50126), s("10:05", "5.5.5.5", "b", "EXO", 50126),
			s("12:00", "4.4.4.4", "x", "EXO", 50126), s("14:00", "4.4.4.4", "y", "EXO", 50126),
		},
		want: []string{
			"5.5.5.5 | 10:00:00 | 10:05:00 | 2 | 2 | EXO | false |  | a, b",
			"6.6.6.6 | 10:00:00 | 11:29:00 | 3 | 3 | EXO | false |  | a, b, c",
			"6.6.6.6 | 13:00:00 | 13:10:00 | 2 | 2 | EXO | false |  | a, d",
		},
	}, {
		name: "a busy office or NAT address is not a spray: most of its accounts get in",
		args: []string{"3"},
		in:   slices.Concat(natFails, natWins),
	}, {
		name: "unless share=0",
		args: []string{"3", "share=0"},
		in:   slices.Concat(natFails, natWins),
		want: []string{"8.8.8.8 | 10:00:00 | 10:20:00 | 3 | 3 | EXO | true | a, d, e, f, g, h | a, b, c"},
	}, {
		name: "the share counts the accounts seen once: 3 failing of 6 seen is half",
		args: []string{"3"},
		in:   slices.Concat(natFails, natWins[:4]),
		want: []string{"8.8.8.8 | 10:00:00 | 10:20:00 | 3 | 3 | EXO | true | a, d, e, f | a, b, c"},
	}, {
		name: "3 of 7 is less than half",
		args: []string{"3"},
		in:   slices.Concat(natFails, natWins[:5]),
	}, {
		name: "successes before the first failure or later than a window after the last are not seen",
		args: []string{"3"},
		in: slices.Concat(natFails, [][]result.Value{
			s("09:59", "8.8.8.8", "x", "EXO", 0), s("11:20:01", "8.8.8.8", "y", "EXO", 0), s("10:30", "8.8.8.9", "z", "EXO", 0),
		}),
		want: []string{"8.8.8.8 | 10:00:00 | 10:20:00 | 3 | 3 | EXO | false |  | a, b, c"},
	}, {
		name: "share=1: no account but those failing",
		args: []string{"3", "share=1"},
		in:   slices.Concat(natFails, natWins[:1]),
		want: []string{"8.8.8.8 | 10:00:00 | 10:20:00 | 3 | 3 | EXO | true | a | a, b, c"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { stagetest.Check(t, spray{}, tc.in, tc.args, tc.want) })
	}
}

func TestSprayBind(t *testing.T) {
	d := spray{}.Describe()
	args, err := plugins.BindArgs(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	needs, err := spray{}.Needs(args)
	if err != nil || !slices.Equal(needs.Fields, []string{"time", "ip", "user", "app", "status", "error"}) ||
		stagetest.WhereText(needs.Where) != "error in (50034, 50053, 50055, 50126)" {
		t.Errorf("Needs = %+v, %v", needs, err)
	}
	args, _ = plugins.BindArgs(d, []plugins.StageArg{{Name: "codes", Value: "50126"}})
	if needs, _ := (spray{}).Needs(args); stagetest.WhereText(needs.Where) != "error in (50126)" {
		t.Errorf("Needs with codes=50126: %v", needs.Where)
	}
	f := func(cols []result.Column, args []string, want string) {
		t.Helper()
		_, err := stagetest.Run(t, spray{}, cols, nil, args...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("spray %v: %v, want an error with %q", args, err, want)
		}
	}
	f(stagetest.Cols, []string{"accounts=0"}, `accounts: "0" is not a whole number of at least 1`)
	f(stagetest.Cols, []string{"window=7x"}, `window: "7x" is not a duration like 1h`)
	f(stagetest.Cols, []string{"codes=x"}, `codes: "x" is not an error code`)
	f(stagetest.Cols, []string{"ips=3"}, `spray has no argument "ips"`)
	f(stagetest.Cols, []string{"share=1.5"}, `share: "1.5" is not a number from 0 to 1`)
	f(stagetest.Cols, []string{"share=-0.1"}, `share: "-0.1" is not a number from 0 to 1`)
	f(stagetest.Cols, []string{"share=NaN"}, `share: "NaN" is not a number from 0 to 1`)
	f(stagetest.Cols, []string{"share=half"}, `share: "half" is not a number from 0 to 1`)
	f(stagetest.Cols[:2], nil, "needs the column(s) ip, user, app, status, error")
	if _, err := stagetest.BindMap(spray{}, map[string]string{"accounts": "1", "window": "1h", "codes": ""}); err == nil {
		t.Errorf("spray's arguments bind with no codes")
	}
}
