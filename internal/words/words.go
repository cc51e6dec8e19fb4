package words

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Integer is the integer types a count may have.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Plural returns word as it follows the count n: word itself for 1,
// word with an s otherwise ("1 row", "0 rows", "2 rows"). It knows only
// regular English plurals, which are all signinq's messages use.
func Plural[N Integer](n N, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Round rounds a duration for people to read, to three or four
// significant digits: to 10 ms from a second up (1.23s), to 10 µs from a
// millisecond up (12.35ms), to the microsecond below (123µs).
func Round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// Float writes f for people: rounded to at most digits decimals, without
// trailing zeros, with a comma between thousands (1,234.5; -0.25;
// 12,000). NaN and infinities are written as strconv writes them.
func Float(f float64, digits int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', max(digits, 0), 64)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if s == "0" {
		neg = false // -0.0001 rounds to 0, not -0
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
