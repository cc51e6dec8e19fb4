package ast

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// The errors of ParseDuration.
var (
	// ErrNotDuration is ParseDuration's error for text that is not
	// written as a duration.
	ErrNotDuration = errors.New("not a duration")
	// ErrDurationTooLong is ParseDuration's error for a duration written
	// as one but longer than a time.Duration holds (MaxDuration).
	ErrDurationTooLong = errors.New("too long a duration")
)

// MaxDuration says, in words, how long a duration may be: about as long
// as a time.Duration holds.
const MaxDuration = "106751d (292 years)"

// durationUnits are the units of a duration, by their suffix.
var durationUnits = map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute,
	"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}

// ParseDuration reads a duration as the language writes it, in since,
// bin(…) and the arguments of plugins: a whole number of ASCII digits
// and a unit, ms, s, m, h, d (24h) or w (7d), in any case ("90m", "7d",
// "0h"). It returns ErrNotDuration for any other text, spaces and signs
// included, and ErrDurationTooLong for a duration longer than
// MaxDuration.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	unit, ok := durationUnits[s[i:]]
	if i == 0 || !ok {
		return 0, ErrNotDuration
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n > math.MaxInt64/int64(unit) {
		return 0, ErrDurationTooLong
	}
	return time.Duration(n) * unit, nil
}
