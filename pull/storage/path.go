package storage

import (
	"strconv"
	"strings"
	"time"
)

// BlobHour returns the hour a blob's path names, in UTC: the y=YYYY,
// m=MM, d=DD and h=HH segments, in that order and next to each other,
// wherever they are in the path (diagnostic settings write
// tenantId=…/y=…/m=…/d=…/h=…/m=00/PT1H.json for sign-in logs, and
// resourceId=/…/y=…/… for other categories). ok is false when the path
// names no valid hour (a month 13, a 30 February, an hour 24, a field
// not in digits).
func BlobHour(name string) (hour time.Time, ok bool) {
	segs := strings.Split(name, "/")
	for i := 0; i+3 < len(segs); i++ {
		y, ok1 := field(segs[i], "y=", 4)
		m, ok2 := field(segs[i+1], "m=", 2)
		d, ok3 := field(segs[i+2], "d=", 2)
		h, ok4 := field(segs[i+3], "h=", 2)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			continue
		}
		t := time.Date(y, time.Month(m), d, h, 0, 0, 0, time.UTC)
		if t.Year() != y || t.Month() != time.Month(m) || t.Day() != d || t.Hour() != h {
			continue // normalised: not a real date
		}
		return t, true
	}
	return time.Time{}, false
}

// field parses a segment key=digits, of exactly n digits.
func field(seg, key string, n int) (int, bool) {
	v, ok := strings.CutPrefix(seg, key)
	if !ok || len(v) != n {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	x, err := strconv.Atoi(v)
	return x, err == nil
}
