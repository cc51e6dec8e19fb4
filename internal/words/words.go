package words

import "time"

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
