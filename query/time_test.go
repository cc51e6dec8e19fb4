package query

import (
	"testing"
	"time"
)

// TestTimeRange checks since and between against a fixed now.
func TestTimeRange(t *testing.T) {
	for _, tc := range []struct{ text, from, to string }{
		// since ends at now, which it includes: to (exclusive) is a
		// nanosecond after.
		{`count since 24h`, "2026-11-25T00:00:00Z", "2026-11-26T00:00:00.000000001Z"},
		{`count since 90m`, "2026-11-25T22:30:00Z", "2026-11-26T00:00:00.000000001Z"},
		{`count since 2w`, "2026-11-12T00:00:00Z", "2026-11-26T00:00:00.000000001Z"},
		{`count since 2026-11-01`, "2026-11-01T00:00:00Z", "2026-11-26T00:00:00.000000001Z"},
		{`count since 2026-11-01T08:00:00+02:00`, "2026-11-01T06:00:00Z", "2026-11-26T00:00:00.000000001Z"},
		{`count since 2026-11-26`, "2026-11-26T00:00:00Z", "2026-11-26T00:00:00.000000001Z"},
		{`count between 2026-11-01 and 2026-11-08`, "2026-11-01T00:00:00Z", "2026-11-08T00:00:00Z"},
		{`count`, "", ""},
	} {
		st, _ := Parse(tc.text)
		p, err := Check(st, nil, checkNow)
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		x := &executor{plan: p}
		from, to := "", ""
		if !x.fromTime().IsZero() {
			from = x.fromTime().Format(time.RFC3339)
		}
		if !x.toTime().IsZero() {
			to = x.toTime().Format(time.RFC3339Nano)
		}
		if from != tc.from || to != tc.to {
			t.Errorf("%s: [%s, %s), want [%s, %s)", tc.text, from, to, tc.from, tc.to)
		}
	}
}
