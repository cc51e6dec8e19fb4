package function

import (
	"testing"
)

// TestDate checks date on chosen values: the day of a time, before the epoch too, null in.
func TestDate(t *testing.T) {
	check(t, "date", at(t, "2026-11-29T00:00:00Z"), at(t, "2026-11-29T23:59:59Z"))
	check(t, "date", at(t, "1969-12-31T00:00:00Z"), at(t, "1969-12-31T12:00:00Z")) // before the epoch
}
