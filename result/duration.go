package result

import (
	"errors"
	"fmt"
	"slices"
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

// ErrNotDuration is ParseDuration's error for text FormatDuration does
// not write.
var ErrNotDuration = errors.New("not a duration as signinq writes one")

// ParseDuration reads a duration as FormatDuration writes it ("5m30s",
// "1d12h", "-2h", "0s"): for every duration d, ParseDuration of
// FormatDuration(d) is d. Other text, units out of order, repeated or
// beyond an int64 of nanoseconds, is ErrNotDuration.
func ParseDuration(s string) (time.Duration, error) {
	if s == "0s" {
		return 0, nil
	}
	text := s
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if s == "" {
		return 0, fmt.Errorf("%w: %q", ErrNotDuration, text)
	}
	var total uint64
	next := 0 // the first unit the next number may have: units get shorter
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		j := i
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		k := slices.IndexFunc(durationUnits[next:], func(u struct {
			name string
			d    time.Duration
		}) bool {
			return u.name == s[i:j]
		})
		if i == 0 || k < 0 {
			return 0, fmt.Errorf("%w: %q", ErrNotDuration, text)
		}
		unit := durationUnits[next+k].d
		next += k + 1
		n, err := strconv.ParseUint(s[:i], 10, 64)
		if err != nil || n == 0 || n > (1<<63)/uint64(unit) {
			return 0, fmt.Errorf("%w: %q", ErrNotDuration, text)
		}
		total += n * uint64(unit)
		if total > 1<<63 || (total == 1<<63 && !neg) {
			return 0, fmt.Errorf("%w: %q", ErrNotDuration, text)
		}
		s = s[j:]
	}
	if neg {
		return time.Duration(-total), nil
	}
	return time.Duration(total), nil
}
