package function

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// TestHour checks hour on chosen values: the hour of the day of a time, in UTC, null in.
func TestHour(t *testing.T) {
	check(t, "hour", result.IntValue(23), at(t, "2026-11-29T23:59:59Z"))
	check(t, "hour", result.IntValue(0), at(t, "2026-11-30T00:00:00Z"))
	check(t, "hour", result.IntValue(4), at(t, "2026-11-30T05:30:00+01:00")) // UTC
	check(t, "hour", result.Null(signin.KindInt), result.Null(signin.KindTime))
}
