package result

import (
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// DurationValue makes a duration: what time arithmetic computes (last -
// first, now - time).
func DurationValue(d time.Duration) Value { return Value{kind: signin.KindDuration, i: int64(d)} }

// Duration returns a duration value.
func (v Value) Duration() time.Duration { return time.Duration(v.i) }

// durationUnits are the units a duration is written in, longest first.
var durationUnits = []struct {
	name string
	d    time.Duration
}{
	{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second},
	{"ms", time.Millisecond}, {"us", time.Microsecond}, {"ns", time.Nanosecond},
}

// FormatDuration writes a duration as signinq prints it: whole numbers
// of days, hours, minutes, seconds, milliseconds, microseconds and
// nanoseconds, longest first, those of zero left out ("5m30s", "1d12h",
// "250ms"), "0s" for none, a minus sign before a negative one ("-2h").
// A duration of one unit ("5m", "36h" is "1d12h") is also how the
// language writes one; the query language reads every form back in time
// arithmetic (docs/query-language.md, Time arithmetic).
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	u := uint64(d)
	if d < 0 {
		b.WriteByte('-')
		u = -u // the magnitude, -MinInt64 included
	}
	for _, unit := range durationUnits {
		if n := u / uint64(unit.d); n > 0 {
			b.WriteString(strconv.FormatUint(n, 10))
			b.WriteString(unit.name)
			u -= n * uint64(unit.d)
		}
	}
	return b.String()
}
