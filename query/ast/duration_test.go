package ast

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestParseDuration checks the language's durations: every unit, any
// case, zero, the longest that fits, and what is not one.
func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want time.Duration
		err  error
	}{
		{"1ms", time.Millisecond, nil},
		{"90s", 90 * time.Second, nil},
		{"15m", 15 * time.Minute, nil},
		{"1h", time.Hour, nil},
		{"7d", 7 * 24 * time.Hour, nil},
		{"2w", 14 * 24 * time.Hour, nil},
		{"1H", time.Hour, nil},
		{"10MS", 10 * time.Millisecond, nil},
		{"0h", 0, nil},
		{"007m", 7 * time.Minute, nil},
		{"106751d", 106751 * 24 * time.Hour, nil},
		{"9223372036854ms", 9223372036854 * time.Millisecond, nil}, // beyond 1<<40 units, within a Duration
		{"106752d", 0, ErrDurationTooLong},
		{"9223372036855ms", 0, ErrDurationTooLong},
		{"99999999999999999999w", 0, ErrDurationTooLong}, // beyond an int64
		{"", 0, ErrNotDuration},
		{"h", 0, ErrNotDuration},
		{"1", 0, ErrNotDuration},
		{"1y", 0, ErrNotDuration},
		{"1.5h", 0, ErrNotDuration},
		{"-1h", 0, ErrNotDuration},
		{"+1h", 0, ErrNotDuration},
		{" 1h", 0, ErrNotDuration},
		{"1h ", 0, ErrNotDuration},
		{"1hh", 0, ErrNotDuration},
		{"1h30m", 0, ErrNotDuration},
		{"١h", 0, ErrNotDuration}, // digits are ASCII
	} {
		got, err := ParseDuration(tc.s)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, %v", tc.s, got, err, tc.want, tc.err)
		}
	}
}

// FuzzParseDuration checks that ParseDuration never panics, reads only a
// whole number and a unit, in any case, and gives a duration of that
// many units, or one of its two errors.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90m", "7D", "0h", "1ms", "106751d", "106752d", "9223372036854775807ns", "", "-1h", " 1h", "1h ", "1.5h", "99999999999999999999w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !errors.Is(err, ErrNotDuration) && !errors.Is(err, ErrDurationTooLong) {
				t.Fatalf("%q: %v, not one of ParseDuration's errors", s, err)
			}
			return
		}
		lower := strings.ToLower(s)
		i := strings.IndexFunc(lower, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			t.Fatalf("%q read as %v: no number and unit", s, d)
		}
		unit, ok := durationUnits[lower[i:]]
		if !ok {
			t.Fatalf("%q read as %v: unit %q", s, d, lower[i:])
		}
		if d < 0 || d%unit != 0 {
			t.Fatalf("%q read as %v: not a whole number of %v", s, d, unit)
		}
		if again, err := ParseDuration(strings.ToUpper(s)); err != nil || again != d {
			t.Fatalf("%q: %v, but in upper case %v, %v", s, d, again, err)
		}
	})
}
