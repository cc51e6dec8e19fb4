package function

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// TestWeekday checks weekday on chosen values: the day of the week, numbered from Monday, null in.
func TestWeekday(t *testing.T) {
	check(t, "weekday", result.StringValue("1 Mon"), at(t, "2026-11-30T10:00:00Z"))
	check(t, "weekday", result.StringValue("7 Sun"), at(t, "2026-11-29T23:59:59Z"))
	check(t, "weekday", result.StringValue(""), result.Null(signin.KindTime))
}
