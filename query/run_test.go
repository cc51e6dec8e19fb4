package query

import (
	"errors"
	"strings"
	"testing"
)

// TestHugeNumbers gives limits, top's N, durations and stages' arguments
// as large as a query can write them: each is a result (the same as
// without the limit) or a positioned error, never a panic (a huge limit
// once overflowed the executor's size arithmetic, and its panic was
// reported as a plugin's).
func TestHugeNumbers(t *testing.T) {
	db, err := fuzzStore()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Now: checkNow}
	same := func(text, want string) {
		t.Helper()
		got, err := Run(t.Context(), db, nil, text, opts)
		if err != nil {
			t.Errorf("%s: %v", text, err)
			return
		}
		w, err := Run(t.Context(), db, nil, want, opts)
		if err != nil {
			t.Fatalf("%s: %v", want, err)
		}
		if len(got.Rows) == 0 || diffRows(got.Rows, w.Rows) {
			t.Errorf("%s: %d rows, unlike %s (%d rows)", text, len(got.Rows), want, len(w.Rows))
		}
	}
	for _, n := range []string{"1152921504606846976", "4611686018427387904", "9223372036854775807"} {
		same("count group by app limit "+n, "count group by app")
		same("top "+n+" app", "count group by app")
		same("top "+n+" user, app by dcount(ip)", "dcount(ip) group by user, app order by dcount(ip) desc, user, app")
		same("list time, user, app limit "+n, "list time, user, app")
	}
	for _, tc := range []struct{ text, pos, msg string }{
		{"count group by app limit 9223372036854775808", "1:26", "limit takes a whole number of 1 or more"},
		{"top 99999999999999999999 app", "1:5", "top takes a whole number of 1 or more"},
		{"count since 100000000000d", "1:13", "since 100000000000d is too long a duration: at most 106751d (292 years)"},
		{"count since 1099511627776w", "1:13", "too long a duration"},
		{"count group by bin(100000000000d)", "1:20", "bin(100000000000d) is too long a duration"},
		{"count where hour(time) = 1 group by bin(9223372036854775807ms)", "1:41", "too long a duration"},
	} {
		_, err := Run(t.Context(), db, nil, tc.text, opts)
		var qe *Error
		if !errors.As(err, &qe) || qe.Pos.String() != tc.pos || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%s:\n  got  %v\n  want %s: …%s…", tc.text, err, tc.pos, tc.msg)
		}
	}
	// The longest durations there are, and the stages' numbers and
	// durations at their extremes: results or errors, never a panic.
	for _, text := range []string{
		"count since 106751d", "count since 9223372036854ms", "count group by bin(106751d)", "count group by bin(1ms) since 1h",
		"list since 7d | spikes k=1e308 min=9223372036854775807 bin=106751d",
		"list since 7d | spray accounts=9223372036854775807 window=106751d",
		"list since 7d | bruteforce failures=9223372036854775807 window=106751d",
		"list since 7d | mfafatigue prompts=9223372036854775807 denials=9223372036854775807 window=106751d",
		"list since 7d | travel speed=1e308 distance=1e308 familiar=9223372036854775807 shared=9223372036854775807 baseline=106751d",
		"list since 7d | newvalue country by user baseline 106751d",
		"list since 7d | grouped window=106751d",
		"count group by subnet(ip, 9223372036854775807)",
	} {
		_, err := Run(t.Context(), db, nil, text, opts)
		if errors.Is(err, ErrInternal) || errors.Is(err, ErrPluginPanic) {
			t.Errorf("%s: %v", text, err)
		}
	}
}
