package plugins

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// What the stages share to read their arguments as queries write them
// and to write the queries they ask the store (Env.Query): durations,
// quoted text, times. plugins cannot import query, whose lexer these
// follow.

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

// queryQuote returns s as a double-quoted string of the query language that
// reads back as s, whatever it holds (as query's quote: a backslash is
// escaped before a quote, a backslash or the end).
func queryQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' && (i+1 == len(s) || s[i+1] == '\\' || s[i+1] == '"') {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// queryTime writes a time in Unix nanoseconds as the query language
// reads it: RFC 3339 in UTC, to the nanosecond.
func queryTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
