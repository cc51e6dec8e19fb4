package query

import (
	"errors"
	"time"

	"github.com/signinq/signinq/query/ast"
)

func timeOfNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// timeRange resolves since and between. since D keeps now - D <= time <=
// now, and since T keeps T <= time <= now: nothing after now counts, so
// that a now in the past (an old export's) means what it says.
func (c *checker) timeRange(p *Plan, q *ast.Query) error {
	if q.Since != nil {
		if d, err := ast.ParseDuration(q.Since.Text); err == nil {
			p.From, p.Relative = c.now.Add(-d).UnixNano(), true
		} else {
			if errors.Is(err, ast.ErrDurationTooLong) {
				return errorf(q.Since.Pos, "since %s is too long a duration: at most %s", q.Since, ast.MaxDuration)
			}
			t, err := c.instant(q.Since)
			if err != nil {
				return errorf(q.Since.Pos, "since takes a duration (90m, 24h, 7d, 2w) or a time (2026-11-01, 2026-11-01T08:00:00Z), not %s", q.Since)
			}
			if t.After(c.now) {
				return errorf(q.Since.Pos, "since %s is after now (%s): nothing comes between; use between, or a later now", q.Since, c.now.Format(time.RFC3339Nano))
			}
			p.From = t.UnixNano()
		}
		p.To, p.ToNow = c.now.UnixNano()+1, true // to exclusive: now is in
	}
	if q.Between[0] != nil {
		a, err := c.instant(q.Between[0])
		if err != nil {
			return err
		}
		b, err := c.instant(q.Between[1])
		if err != nil {
			return err
		}
		if !a.Before(b) {
			return errorf(q.Between[1].Pos, "between's end (%s) must come after its start (%s)", q.Between[1], q.Between[0])
		}
		p.From, p.To = a.UnixNano(), b.UnixNano()
	}
	return nil
}

// instant reads a time literal of a query (see ParseTime).
func (c *checker) instant(l *ast.Literal) (time.Time, error) {
	t, err := ParseTime(l.Text)
	if err != nil {
		return time.Time{}, errorf(l.Pos, "%s %v", l, err)
	}
	return t, nil
}

// ParseTime reads a time as the language writes it: a date (midnight
// UTC), or an RFC 3339 timestamp (without an offset: UTC), from 1970 to
// 2261 (what a store holds). The command's --now and the shell's \now
// read times so too.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if t.Year() < 1970 || t.Year() > 2261 {
				return time.Time{}, errors.New("is outside the times a store holds (1970–2261)")
			}
			return t, nil
		}
	}
	return time.Time{}, errors.New("is not a time: write a date (2026-11-01) or an RFC 3339 timestamp (2026-11-01T08:00:00Z)")
}
