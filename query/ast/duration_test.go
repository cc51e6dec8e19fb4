package ast

import (
	"errors"
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
