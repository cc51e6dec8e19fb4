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

// TestMFAFatigue checks mfafatigue on hand-built sign-ins. Rows print as
// user | prompts | denied | first | last | success | successIp | ips.
func TestMFAFatigue(t *testing.T) {
	s := stagetest.SignIn
	tests := []struct {
		name string
		args []string
		in   [][]result.Value
		want []string
	}{{
		name: "denied pushes, then an approval",
		args: []string{"3", "denials=2"},
		in: [][]result.Value{
			s("10:00", "9.9.9.9", "ann", "OfficeHome", 500121), s("10:03", "9.9.9.9", "ann", "OfficeHome", 500121),
			s("10:06", "9.9.9.9", "ann", "OfficeHome", 50074), s("10:09", "9.9.9.9", "ann", "OfficeHome", 50076),
			s("10:10", "9.9.9.9", "ann", "OfficeHome", 0),
		},
		want: []string{"ann | 4 | 2 | 10:00:00 | 10:09:00 | 10:10:00 | 9.9.9.9 | 9.9.9.9"},
	}, {
		name: "the default: five denied pushes within the hour",
		in: [][]result.Value{
			s("10:00", "9.9.9.9", "ann", "", 500121), s("10:15", "9.9.9.9", "ann", "", 500121),
			s("10:30", "9.9.9.9", "ann", "", 500121), s("10:45", "9.9.9.9", "ann", "", 500121),
			s("10:59:59", "9.9.9.9", "ann", "", 500121),
			s("11:05", "9.9.9.9", "ann", "", 0),
			// Four are too few.
			s("10:00", "9.9.9.9", "bob", "", 500121), s("10:05", "9.9.9.9", "bob", "", 500121),
			s("10:10", "9.9.9.9", "bob", "", 500121), s("10:15", "9.9.9.9", "bob", "", 500121),
			s("10:35", "9.9.9.9", "bob", "", 0),
			// Five, but not within an hour.
			s("10:00", "9.9.9.9", "cat", "", 500121), s("10:15", "9.9.9.9", "cat", "", 500121),
			s("10:30", "9.9.9.9", "cat", "", 500121), s("10:45", "9.9.9.9", "cat", "", 500121),
			s("11:00", "9.9.9.9", "cat", "", 500121), s("11:05", "9.9.9.9", "cat", "", 0),
		},
		want: []string{"ann | 5 | 5 | 10:00:00 | 10:59:59 | 11:05:00 | 9.9.9.9 | 9.9.9.9"},
	}, {
		name: "wrong passwords are not MFA prompts",
		args: []string{"2"},
		in: [][]result.Value{
			s("10:00", "9.9.9.9", "ann", "", 50126), s("10:01", "9.9.9.9", "ann", "", 50126),
			s("10:02", "9.9.9.9", "ann", "", 500121), s("10:03", "9.9.9.9", "ann", "", 0),
		},
	}, {
		name: "codes given",
		args: []string{"prompts=2", "codes=500121", "denials=2"},
		in: [][]result.Value{
			s("10:00", "9.9.9.9", "ann", "", 500121), s("10:01", "9.9.9.9", "ann", "", 50074),
			s("10:02", "8.8.8.8", "ann", "", 500121), s("10:03", "7.7.7.7", "ann", "", 0),
		},
		want: []string{"ann | 2 | 2 | 10:00:00 | 10:02:00 | 10:03:00 | 7.7.7.7 | 7.7.7.7, 8.8.8.8, 9.9.9.9"},
	}, {
		name: "interrupts without denials are not fatigue: they come with any sign-in needing MFA",
		in: slices.Concat(
			stagetest.Prompts("ann", "10:00", 2*time.Minute, 50074, 50076, 50074, 50076, 50074, 50076, 50074, 50076, 50074, 500121),
			[][]result.Value{s("10:30", "9.9.9.9", "ann", "", 0)}),
	}, {
		name: "unless denials=0",
		args: []string{"denials=0"},
		in: slices.Concat(
			stagetest.Prompts("ann", "10:00", 2*time.Minute, 50074, 50076, 50074, 50076, 50074, 50076, 50074, 50076, 50074, 500121),
			[][]result.Value{s("10:30", "9.9.9.9", "ann", "", 0)}),
		want: []string{"ann | 10 | 1 | 10:00:00 | 10:18:00 | 10:30:00 | 9.9.9.9 | 9.9.9.9"},
	}, {
		name: "the default: five denials among the prompts within the hour",
		in: slices.Concat(
			stagetest.Prompts("ann", "10:00", 5*time.Minute, 50074, 500121, 50074, 500121, 500121, 50076, 500121, 500121),
			[][]result.Value{s("10:40", "9.9.9.9", "ann", "", 0)},
			// Four denials are too few.
			stagetest.Prompts("bob", "10:00", 5*time.Minute, 50074, 500121, 50074, 500121, 50074, 50076, 500121, 500121, 50074),
			[][]result.Value{s("10:50", "9.9.9.9", "bob", "", 0)},
			// Five among dozens of prompts, but at most three within an
			// hour.
			stagetest.Prompts("cat", "10:00", 5*time.Minute, slices.Repeat([]int{50074}, 24)...),
			stagetest.Prompts("cat", "10:02:30", 30*time.Minute, 500121, 500121, 500121, 500121, 500121),
			[][]result.Value{s("12:10", "9.9.9.9", "cat", "", 0)}),
		want: []string{"ann | 8 | 5 | 10:00:00 | 10:35:00 | 10:40:00 | 9.9.9.9 | 9.9.9.9"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { stagetest.Check(t, mfafatigue{}, tc.in, tc.args, tc.want) })
	}
}

func TestMFAFatigueBind(t *testing.T) {
	args, err := plugins.BindArgs(mfafatigue{}.Describe(), nil)
	if err != nil {
		t.Fatal(err)
	}
	needs, err := mfafatigue{}.Needs(args)
	if err != nil || !slices.Equal(needs.Fields, []string{"time", "ip", "user", "app", "status", "error"}) ||
		stagetest.WhereText(needs.Where) != "error in (50074, 50076, 500121)" {
		t.Errorf("Needs = %+v, %v", needs, err)
	}
	f := func(cols []result.Column, args []string, want string) {
		t.Helper()
		_, err := stagetest.Run(t, mfafatigue{}, cols, nil, args...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("mfafatigue %v: %v, want an error with %q", args, err, want)
		}
	}
	f(stagetest.Cols, []string{"prompts=-1"}, `prompts: "-1" is not a whole number of at least 1`)
	f(stagetest.Cols, []string{"window=0m"}, `window: "0m" is not a positive duration`)
	f(stagetest.Cols, []string{"failures=3"}, `mfafatigue has no argument "failures"`)
	f(stagetest.Cols, []string{"denials=-1"}, `denials: "-1" is not a whole number of at least 0`)
	f(stagetest.Cols, []string{"denials=many"}, `denials: "many" is not a whole number of at least 0`)
	if _, err := stagetest.BindMap(mfafatigue{}, map[string]string{"prompts": "8", "window": "1h", "codes": "500121", "denials": "x"}); err == nil {
		t.Errorf("mfafatigue's arguments bind with denials=x")
	}
	cols := slices.Clone(stagetest.Cols)
	cols[9].Kind = cols[8].Kind // error as a string
	f(cols, nil, "column error holds strings, not ints")
}
