package plugins

import (
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine"
)

// srSignIn makes a sign-in row of srTestCols for the detection stages:
// its status follows from the error as Entra ID's does (0 success, the
// MFA interrupts interrupted, the rest failure).
func srSignIn(tm, ip, user, app string, code int) []engine.Value {
	status := "failure"
	switch code {
	case 0:
		status = "success"
	case 50074, 50055:
		status = "interrupted"
	}
	kv := map[string]any{"time": tm, "type": "interactive", "error": code, "status": status}
	for k, v := range map[string]string{"ip": ip, "user": user, "app": app} {
		if v != "" {
			kv[k] = v
		}
	}
	return srRow(srTestCols, kv)
}

// srCheck runs a stage over rows in their order and reversed, and
// compares what it gives with want (rows printed by srFormat).
func srCheck(t *testing.T, st Stage, rows [][]engine.Value, args []string, want []string) {
	t.Helper()
	for _, order := range []string{"as given", "reversed"} {
		out, err := runTestStage(t, st, srTestCols, rows, args...)
		if err != nil {
			t.Fatal(err)
		}
		if got := srFormat(out); !slices.Equal(got, want) {
			t.Errorf("%s %v, rows %s: got\n%s\nwant\n%s", st.Describe().Name, args, order, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		rows = slices.Clone(rows)
		slices.Reverse(rows)
	}
}

// TestSpray checks spray on hand-built sign-ins. Rows print as ip |
// first | last | accounts | failures | apps | succeeded | successUsers |
// users.
func TestSpray(t *testing.T) {
	s := srSignIn
	tests := []struct {
		name string
		args []string
		in   [][]engine.Value
		want []string
	}{{
		name: "three accounts within the hour",
		args: []string{"3"},
		in: [][]engine.Value{
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:20", "6.6.6.6", "b", "EXO", 50126),
			s("10:25", "6.6.6.6", "a", "PS", 50053), s("10:59:59", "6.6.6.6", "c", "EXO", 50034),
		},
		want: []string{"6.6.6.6 | 10:00:00 | 10:59:59 | 3 | 4 | EXO, PS | false |  | a, b, c"},
	}, {
		name: "a window holds what is less than its length after its start",
		args: []string{"3"},
		in:   [][]engine.Value{s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:20", "6.6.6.6", "b", "EXO", 50126), s("11:00", "6.6.6.6", "c", "EXO", 50126)},
	}, {
		name: "the default codes; other failures and interrupts do not count",
		args: []string{"accounts=3"},
		in: [][]engine.Value{
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:01", "6.6.6.6", "b", "EXO", 50053),
			s("10:02", "6.6.6.6", "c", "EXO", 50057), s("10:03", "6.6.6.6", "d", "EXO", 50074),
		},
	}, {
		name: "codes given",
		args: []string{"accounts=3", "codes=50057, 50074, 50126"},
		in: [][]engine.Value{
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:01", "6.6.6.6", "b", "EXO", 50053),
			s("10:02", "6.6.6.6", "c", "EXO", 50057), s("10:03", "6.6.6.6", "d", "EXO", 50074),
		},
		want: []string{"6.6.6.6 | 10:00:00 | 10:03:00 | 3 | 3 | EXO | false |  | a, c, d"},
	}, {
		name: "successes from the first failure until a window after the last",
		args: []string{"2", "30m"},
		in: [][]engine.Value{
			s("09:59", "6.6.6.6", "early", "EXO", 0),
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:00", "6.6.6.6", "during", "EXO", 0),
			s("10:10", "6.6.6.6", "b", "EXO", 50126), s("10:40", "6.6.6.6", "edge", "EXO", 0),
			s("10:40:01", "6.6.6.6", "late", "EXO", 0), s("10:20", "7.7.7.7", "elsewhere", "EXO", 0),
		},
		want: []string{"6.6.6.6 | 10:00:00 | 10:10:00 | 2 | 2 | EXO | true | during, edge | a, b"},
	}, {
		name: "failures without a user count, but not as accounts; rows without a time or an address are left out",
		args: []string{"2"},
		in: [][]engine.Value{
			s("10:00", "6.6.6.6", "a", "EXO", 50126), s("10:01", "6.6.6.6", "", "EXO", 50126),
			s("10:02", "", "b", "EXO", 50126), srRow(srTestCols, map[string]any{"ip": "6.6.6.6", "user": "c", "error": 50126}),
			s("10:03", "6.6.6.6", "a", "", 50126), s("10:04", "6.6.6.6", "b", "EXO", 50126),
		},
		want: []string{"6.6.6.6 | 10:00:00 | 10:04:00 | 2 | 4 | EXO | false |  | a, b"},
	}, {
		name: "two sprays from one address, two addresses",
		args: []string{"2", "1h"},
		in: [][]engine.Value{
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
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { srCheck(t, spray{}, tc.in, tc.args, tc.want) })
	}
}

func TestSprayBind(t *testing.T) {
	d := spray{}.Describe()
	args, err := BindArgs(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	needs, err := spray{}.Needs(args)
	if err != nil || !slices.Equal(needs.Fields, []string{"time", "ip", "user", "app", "status", "error"}) ||
		needs.Where != "error in (50034, 50053, 50055, 50126) or status=success" {
		t.Errorf("Needs = %+v, %v", needs, err)
	}
	args, _ = BindArgs(d, []StageArg{{Name: "codes", Value: "50126"}})
	if needs, _ := (spray{}).Needs(args); needs.Where != "error in (50126) or status=success" {
		t.Errorf("Needs with codes=50126: %q", needs.Where)
	}
	f := func(cols []engine.ResultColumn, args []string, want string) {
		t.Helper()
		_, err := runTestStage(t, spray{}, cols, nil, args...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("spray %v: %v, want an error with %q", args, err, want)
		}
	}
	f(srTestCols, []string{"accounts=0"}, `accounts: "0" is not a whole number of at least 1`)
	f(srTestCols, []string{"window=7x"}, `window: "7x" is not a duration like 1h`)
	f(srTestCols, []string{"codes=x"}, `codes: "x" is not an error code`)
	f(srTestCols, []string{"ips=3"}, `spray has no argument "ips"`)
	f(srTestCols[:2], nil, "needs the column(s) ip, user, app, status, error")
	if _, err := (spray{}).Needs(map[string]string{"accounts": "1", "window": "1h", "codes": ""}); err == nil {
		t.Errorf("Needs accepts no codes")
	}
}
