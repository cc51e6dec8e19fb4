package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/result"
)

// TestTimeArithErrors checks that time arithmetic of the wrong kinds, or
// beyond the range of times and durations, is refused where it stands,
// with what would work.
func TestTimeArithErrors(t *testing.T) {
	for _, tc := range []struct {
		text, pos, msg string
	}{
		// Conditions on sign-ins.
		{`count where time >= now + now`, "1:25", "now + now adds two times: subtract them for the duration between (last - first), or add a duration to a time (now + 1h)"},
		{`count where time >= now - 1`, "1:27", "1 is a number: a duration has a unit (1m, 1h, 1d)"},
		{`count where time >= 5`, "1:21", "5 is not a time: write a date"},
		{`count where time >= now - 1d * 2`, "1:30", "times and durations are added and subtracted (+ -), not *"},
		{`count where time - ingested > now`, "1:31", "time - ingested is a duration and now is a time: a time compares with a time (time >= now - 1d), a duration with a duration (ingested - time > 5m)"},
		{`count where 1d - time > 5m`, "1:16", "1d - time subtracts a time from a duration"},
		{`count where latency + 1h > 5m`, "1:13", "latency is a number: time arithmetic adds and subtracts times and durations"},
		{`count where app = now - 1d`, "1:13", "app is text and now - 1d is a time"},
		{`count where tme >= now - 1d`, "1:13", `unknown field "tme"; did you mean "time"?`},
		{`count where time >= now - 1x`, "1:27", `1x is not a time or a duration`},
		{`count where now - 1d < now`, "1:17", "compares no field of a sign-in"},
		{`count where time - ingested + time - ingested > 1h`, "1:31", "a comparison of times takes at most two fields"},
		{`count where time contains now - 1d`, "1:13", "contains matches text; times and durations compare with"},
		{`count where time >= now - 106752d`, "1:27", "too long a duration"},
		{`count where time >= now + 106751d`, "1:27", "beyond the times and durations signinq computes"},
		{`count where dcount(user) >= now - 1d`, "1:13", "dcount is an aggregate: a condition on aggregates goes in having"},
		{`countif(time >= now - 1) as x`, "1:23", "1 is a number: a duration has a unit"},
		// Output columns.
		{`min(time) as first, max(time) as last group by user having last - first <= 5`, "1:65", "last - first is a duration: compare it with a duration (5m, 1h, 1d); 5 is a number without a unit"},
		{`max(time) as last group by user having last < 3`, "1:40", "last is a time: compare it with a time (now - 30d, 2026-11-01); 3 is a number without a unit"},
		{`max(time) as last group by user having last + last > now`, "1:45", "last + last adds two times"},
		{`max(time) as last group by user having last - 1 > now`, "1:47", "1 is a number, beside a time: a duration has a unit (1m, 1h, 1d)"},
		{`max(time) as last, count group by user having last - count > now`, "1:54", "count is a number: time arithmetic adds and subtracts times and durations"},
		{`max(time) as last group by user having last > 5m`, "1:47", "last is a time and 5m is a duration: compare a time with a time"},
		{`max(time) as last group by user having last * 2 > now`, "1:45", "times and durations are added and subtracted (+ -), not *"},
		{`max(time) as last group by user having last > now + 106751d`, "1:51", "now + 106751d is beyond the times (1677–2262) signinq computes"},
		{`count + 5m as x`, "1:1", "count is a number: time arithmetic adds and subtracts times and durations"},
		{`max(time) - min(tme) as span`, "1:17", `unknown field "tme"`},
	} {
		st, err := Parse(tc.text)
		if err == nil {
			_, err = Check(st, nil, checkNow)
		}
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%q: error %v, want a *query.Error", tc.text, err)
			continue
		}
		if qe.Pos.String() != tc.pos || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%q:\n  got  %v\n  want %s: …%s…", tc.text, err, tc.pos, tc.msg)
		}
	}
}

// TestParseDurationText checks the durations of time arithmetic: one
// unit as since takes them, several longest first as answers print
// them, a minus sign, and what is not one.
func TestParseDurationText(t *testing.T) {
	for _, tc := range []struct {
		s      string
		want   time.Duration
		ok     bool
		tooBig bool
	}{
		{"5m", 5 * time.Minute, true, false},
		{"5m30s", 5*time.Minute + 30*time.Second, true, false},
		{"1d12h", 36 * time.Hour, true, false},
		{"2w1d", 15 * 24 * time.Hour, true, false},
		{"1s250ms", 1250 * time.Millisecond, true, false},
		{"3us7ns", 3007, true, false},
		{"-2h", -2 * time.Hour, true, false},
		{"0s", 0, true, false},
		{"1H30M", 90 * time.Minute, true, false},
		{"106751d", 106751 * 24 * time.Hour, true, false},
		{"106752d", 0, true, true},
		{"-9223372036854775808ns", -1 << 63, true, false},
		{"9223372036854775808ns", 0, true, true},
		{"9223372036854775807ns", 1<<63 - 1, true, false},
		{"30s5m", 0, false, false}, // units get shorter
		{"5m5m", 0, false, false},
		{"5", 0, false, false},
		{"m", 0, false, false},
		{"-", 0, false, false},
		{"", 0, false, false},
		{"5m ", 0, false, false},
		{"1y", 0, false, false},
		{"now", 0, false, false},
		{"2026-11-01", 0, false, false},
	} {
		d, ok, err := parseDurationText(tc.s)
		if ok != tc.ok || (err != nil) != tc.tooBig || err == nil && d != tc.want {
			t.Errorf("parseDurationText(%q) = %v, %v, %v; want %v, %v, too long %v", tc.s, d, ok, err, tc.want, tc.ok, tc.tooBig)
		}
	}
	// What an answer prints reads back as the same duration.
	for _, d := range []time.Duration{0, 1, 999, time.Second, 330 * time.Second, 36 * time.Hour, 1<<63 - 1, -1 << 63, -90 * time.Minute, 1234567890123} {
		s := result.FormatDuration(d)
		back, ok, err := parseDurationText(s)
		if !ok || err != nil || back != d {
			t.Errorf("FormatDuration(%d) = %q, read back as %v, %v, %v", d, s, back, ok, err)
		}
	}
}
