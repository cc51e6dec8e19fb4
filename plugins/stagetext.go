package plugins

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// What the stages share to read their arguments as queries write them:
// durations. plugins cannot import query, whose lexer this follows.

// durationRE is the query language's duration: a whole number and a unit
// (as query.parseDuration reads it; plugins cannot import query).
var durationRE = regexp.MustCompile(`^([0-9]+)(ms|s|m|h|d|w)$`)

var durationUnits = map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute,
	"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}

// stageDuration reads the argument name as a positive duration written as
// the query language writes them (30m, 1h, 7d).
func stageDuration(name, s string) (time.Duration, error) {
	m := durationRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, fmt.Errorf("%s: %q is not a duration like 1h", name, s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := durationUnits[m[2]]
	if err != nil || n > math.MaxInt64/int64(unit) {
		return 0, fmt.Errorf("%s: %q is too long a duration", name, s)
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: %q is not a positive duration", name, s)
	}
	return time.Duration(n) * unit, nil
}
