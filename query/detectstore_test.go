package query

import (
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// TestDetectAskStore runs spray, bruteforce and mfafatigue as a query
// runs them, where the list before them reads their failures alone
// (Needs.Where) and they ask the store for the successes of their
// candidates (plugins.Env.Query, with the queries they build), and over
// every sign-in of the window with no store to ask: the answers must be
// the same. Loose thresholds make hundreds of candidates, whose
// successes the stages ask for in tens of queries, each naming up to
// tens of spans of their users or addresses.
func TestDetectAskStore(t *testing.T) {
	d := detect(t)
	for _, stage := range []string{
		"spray", "spray accounts=2 share=0", "spray accounts=1 share=0 window=1h",
		"bruteforce", "bruteforce failures=2", "bruteforce failures=1 window=1d",
		"mfafatigue", "mfafatigue prompts=2 denials=1", "mfafatigue prompts=1 denials=0",
	} {
		t.Run(stage, func(t *testing.T) {
			text := "list since 30d | " + stage
			asked := d.query(t, text)
			// The same stage, over every sign-in of the window.
			plan, err := Prepare(text, nil, nil, detectEnd)
			if err != nil {
				t.Fatal(err)
			}
			var fields []string
			for _, c := range planColumns(plan) {
				fields = append(fields, c.Name)
			}
			all := d.query(t, "list "+strings.Join(fields, ", ")+" since 30d limit 10000000")
			var rows [][]result.Value
			s := plan.stages[0]
			env := &plugins.Env{From: plan.From, To: plan.To, Now: plan.Now} // no Query: the rows alone
			err = s.runner.Run(t.Context(), env, slices.Values(all.Rows), func(row []result.Value) error {
				rows = append(rows, row)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) == 0 {
				t.Fatalf("%s finds nothing", text)
			}
			var got, want []string
			for _, r := range asked.Rows {
				got = append(got, rowText(r))
			}
			for _, r := range rows {
				want = append(want, rowText(r))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: asking the store for the successes gives\n%s\nand the rows of every sign-in\n%s",
					text, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestDetectAskDetails runs newvalue and travel right after a list
// without fields, whose rows hold only what they need (time, key and
// value; time and user), so that they read the rest of the sign-ins they
// report from the store (one list each, naming every key and value, or
// user, they found: hundreds), and after list *, whose rows hold it all:
// the answers must be the same.
func TestDetectAskDetails(t *testing.T) {
	d := detect(t)
	for _, stage := range []string{
		"since 7d | newvalue country", "since 7d | newvalue app status=all", "since 7d | newvalue app status=failure newkeys=true",
		"since 7d | newvalue asn by app", "since 30d | travel familiar=0 shared=0",
		"since 30d | travel speed=100 distance=100 familiar=1 shared=1 status=all",
	} {
		t.Run(stage, func(t *testing.T) {
			asked := d.query(t, "list "+stage)
			all := d.query(t, "list * "+stage)
			if len(all.Rows) == 0 {
				t.Fatalf("%s finds nothing", stage)
			}
			var got, want []string
			for _, r := range asked.Rows {
				got = append(got, rowText(r))
			}
			for _, r := range all.Rows {
				want = append(want, rowText(r))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: after a list without fields\n%s\nafter list *\n%s", stage, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
