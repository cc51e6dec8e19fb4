package words

import (
	"math"
	"testing"
	"time"
)

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "rows"}, {1, "row"}, {2, "rows"}, {-1, "rows"}} {
		if got := Plural(c.n, "row"); got != c.want {
			t.Errorf("Plural(%d, row) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := Plural(uint8(1), "day"); got != "day" {
		t.Errorf("Plural(uint8(1), day) = %q, want day", got)
	}
}

func TestRound(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{1234 * time.Nanosecond, "1µs"},
		{999_499 * time.Nanosecond, "999µs"},
		{12_345_678 * time.Nanosecond, "12.35ms"},
		{999_999_999, "1s"},
		{1_234_567_890, "1.23s"},
		{83_456_789_000, "1m23.46s"},
	} {
		if got := Round(c.d).String(); got != c.want {
			t.Errorf("Round(%d) = %s, want %s", c.d, got, c.want)
		}
	}
}

func TestFloat(t *testing.T) {
	for _, c := range []struct {
		f      float64
		digits int
		want   string
	}{
		{1234.5, 3, "1,234.5"},
		{123.456, 3, "123.456"},
		{123.4567, 3, "123.457"},
		{2.0 / 3, 3, "0.667"},
		{0.9999, 3, "1"},
		{12000, 3, "12,000"},
		{1234567.891, 2, "1,234,567.89"},
		{-1234.5, 3, "-1,234.5"},
		{-0.0001, 3, "0"},
		{0, 3, "0"},
		{999.9996, 3, "1,000"},
		{100, 0, "100"},
		{1.5, 0, "2"},
		{math.Inf(1), 3, "+Inf"},
		{math.NaN(), 3, "NaN"},
	} {
		if got := Float(c.f, c.digits); got != c.want {
			t.Errorf("Float(%v, %d) = %q, want %q", c.f, c.digits, got, c.want)
		}
	}
}
