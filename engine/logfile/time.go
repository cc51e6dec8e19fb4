package logfile

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// ParseTime parses a timestamp as the Entra ID exports write them and
// returns it in UTC. It accepts:
//
//	2019-10-18T09:45:48.0729893Z        ISO 8601 / RFC 3339, 0 to 9 (or more) fraction digits
//	2019-10-18T04:45:48.0729893-05:00   any offset, with or without the colon
//	2023-07-26 22:58:30.983201900       a space instead of the T
//	2007-01-09T09:41:00                 no zone: UTC
//	01/09/2007 09:41:00                 US month/day/year, 24-hour clock
//	1/9/2007 9:41:00 AM +01:00          12-hour clock, optional offset
//	9/19/2023, 1:45:17.287 PM           Log Analytics' export, with a comma
//	19.09.2023 13:45:17,287             day.month.year
//	/Date(1758269730000)/               .NET's JSON date, as Windows PowerShell's ConvertTo-Json writes it
//	/Date(1758269730000-0500)/          the same with the writer's offset
//
// A slashed date whose first number is above 12 is read day/month/year.
// Times without a zone are UTC, as the portal and Log Analytics write
// them. A .NET JSON date counts milliseconds since 1970-01-01 UTC (before
// it when negative); the offset that may follow them says only where it
// was written, not the instant, so it is checked and left out. The
// backslashes of its JSON spelling ("\/Date(…)\/") may be there or not.
func ParseTime(s []byte) (time.Time, error) {
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot parse time %q: %w", s, err)
	}
	return t, nil
}

var (
	errTimeSyntax = errors.New("not a recognized time format")
	errTimeRange  = errors.New("a value is out of range")
)

type timeScanner struct {
	s []byte
	i int
}

func (p *timeScanner) more() bool { return p.i < len(p.s) }
func (p *timeScanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// num reads between min and max decimal digits.
func (p *timeScanner) num(min, max int) (int, bool) {
	v, n := 0, 0
	for p.i < len(p.s) && n < max {
		c := p.s[p.i]
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int(c-'0')
		p.i++
		n++
	}
	return v, n >= min
}

func (p *timeScanner) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *timeScanner) spaces() int {
	n := 0
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
		n++
	}
	return n
}

func parseTime(s []byte) (time.Time, error) {
	p := timeScanner{s: s}
	p.spaces()
	if t, ok, err := p.dotNetDate(); ok {
		return t, err
	}
	start := p.i
	a, ok := p.num(1, 4)
	if !ok {
		return time.Time{}, errTimeSyntax
	}
	var year, month, day int
	switch sep := p.peek(); {
	case sep == '-' && p.i-start == 4:
		p.i++
		year = a
		if month, ok = p.num(1, 2); !ok || !p.eat('-') {
			return time.Time{}, errTimeSyntax
		}
		if day, ok = p.num(1, 2); !ok {
			return time.Time{}, errTimeSyntax
		}
	case sep == '/' || sep == '.':
		p.i++
		b, ok := p.num(1, 2)
		if !ok || !p.eat(sep) {
			return time.Time{}, errTimeSyntax
		}
		if year, ok = p.num(4, 4); !ok {
			return time.Time{}, errTimeSyntax
		}
		month, day = a, b
		if sep == '.' || a > 12 {
			month, day = b, a
		}
	default:
		return time.Time{}, errTimeSyntax
	}

	var hour, min, sec, nsec int
	twelve := false
	p.eat(',')
	if p.eat('T') || p.eat('t') || p.spaces() > 0 {
		if p.more() && p.peek() >= '0' && p.peek() <= '9' {
			if hour, ok = p.num(1, 2); !ok || !p.eat(':') {
				return time.Time{}, errTimeSyntax
			}
			if min, ok = p.num(2, 2); !ok {
				return time.Time{}, errTimeSyntax
			}
			if p.eat(':') {
				if sec, ok = p.num(2, 2); !ok {
					return time.Time{}, errTimeSyntax
				}
				if p.eat('.') || p.eat(',') {
					digits := 0
					for p.more() && p.peek() >= '0' && p.peek() <= '9' {
						if digits < 9 {
							nsec = nsec*10 + int(p.peek()-'0')
							digits++
						}
						p.i++
					}
					if digits == 0 {
						return time.Time{}, errTimeSyntax
					}
					for ; digits < 9; digits++ {
						nsec *= 10
					}
				}
			}
			// A 12-hour clock: " AM" / " PM".
			save := p.i
			p.spaces()
			if p.i+1 < len(p.s) && (p.s[p.i+1] == 'M' || p.s[p.i+1] == 'm') {
				switch p.s[p.i] {
				case 'A', 'a', 'P', 'p':
					if hour < 1 || hour > 12 {
						return time.Time{}, errTimeRange
					}
					pm := p.s[p.i] == 'P' || p.s[p.i] == 'p'
					hour %= 12
					if pm {
						hour += 12
					}
					twelve = true
					p.i += 2
				}
			}
			if !twelve {
				p.i = save
			}
		}
	}

	// The zone.
	offset := 0
	p.spaces()
	switch c := p.peek(); {
	case c == 'Z' || c == 'z':
		p.i++
	case c == '+' || c == '-':
		p.i++
		oh, ok := p.num(2, 2)
		if !ok {
			return time.Time{}, errTimeSyntax
		}
		p.eat(':')
		om := 0
		if p.more() {
			if om, ok = p.num(2, 2); !ok {
				return time.Time{}, errTimeSyntax
			}
		}
		if oh > 23 || om > 59 {
			return time.Time{}, errTimeRange
		}
		offset = (oh*60 + om) * 60
		if c == '-' {
			offset = -offset
		}
	case c == 'U' || c == 'G': // UTC, GMT
		if len(s)-p.i >= 3 && (string(s[p.i:p.i+3]) == "UTC" || string(s[p.i:p.i+3]) == "GMT") {
			p.i += 3
		}
	}
	p.spaces()
	if p.more() {
		return time.Time{}, errTimeSyntax
	}

	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || min > 59 || sec > 59 || year < 1 {
		return time.Time{}, errTimeRange
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, nil
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// The first and last instant a time may have: years 1 to 9999, which
// RFC 3339 can write.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// dotNetDate reads a .NET JSON date, /Date(ms)/ or /Date(ms±hhmm)/, with
// or without the backslashes that escape its slashes in JSON. ok is false
// when the text does not start like one; then nothing is consumed.
func (p *timeScanner) dotNetDate() (t time.Time, ok bool, err error) {
	rest := p.s[p.i:]
	switch {
	case bytes.HasPrefix(rest, []byte(`\/Date(`)):
		rest = rest[len(`\/Date(`):]
	case bytes.HasPrefix(rest, []byte(`/Date(`)):
		rest = rest[len(`/Date(`):]
	default:
		return time.Time{}, false, nil
	}
	q := timeScanner{s: rest}
	neg := q.eat('-')
	start := q.i
	var ms int64
	for q.more() && q.peek() >= '0' && q.peek() <= '9' {
		if ms > (1<<62)/10 {
			return time.Time{}, true, errTimeRange
		}
		ms = ms*10 + int64(q.peek()-'0')
		q.i++
	}
	if q.i == start {
		return time.Time{}, true, errTimeSyntax
	}
	if neg {
		ms = -ms
	}
	if c := q.peek(); c == '+' || c == '-' {
		q.i++
		hhmm, ok := q.num(4, 4)
		if !ok {
			return time.Time{}, true, errTimeSyntax
		}
		if hhmm/100 > 23 || hhmm%100 > 59 {
			return time.Time{}, true, errTimeRange
		}
	}
	if !q.eat(')') {
		return time.Time{}, true, errTimeSyntax
	}
	if tail := bytes.TrimRight(q.s[q.i:], " \t"); string(tail) != "/" && string(tail) != `\/` {
		return time.Time{}, true, errTimeSyntax
	}
	if ms < minTime.UnixMilli() || ms > maxTime.UnixMilli() {
		return time.Time{}, true, errTimeRange
	}
	return time.UnixMilli(ms).UTC(), true, nil
}
