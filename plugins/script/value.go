package script

import (
	"fmt"
	"math"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// Values cross between Go and Starlark as follows (see doc.go):
//
//	string  ↔ str
//	int     ↔ int
//	float   ↔ float (an int is accepted for a float)
//	time    ↔ time (the Time type below)
//	bool    ↔ bool
//	list    ↔ tuple of str (a list of str is accepted back)
//	duration →  str, as the answer prints it (5m30s); not accepted back
//	null    ↔ None

// toStarlark converts a value of a row or an argument for a script.
func toStarlark(v result.Value) starlark.Value {
	if v.IsNull() {
		return starlark.None
	}
	switch v.Kind() {
	case signin.KindInt:
		return starlark.MakeInt64(v.Int())
	case signin.KindFloat:
		return starlark.Float(v.Float())
	case signin.KindTime:
		return Time{ns: v.Time().UnixNano()}
	case signin.KindBool:
		return starlark.Bool(v.Bool())
	case signin.KindList:
		l := v.List()
		t := make(starlark.Tuple, len(l))
		for i, s := range l {
			t[i] = starlark.String(s)
		}
		return t
	case signin.KindDuration:
		return starlark.String(v.String()) // as the answer prints it: "5m30s"
	}
	return starlark.String(v.Str())
}

// fromStarlark converts a script's value to a value of kind, or says why
// it cannot.
func fromStarlark(x starlark.Value, kind signin.Kind) (result.Value, error) {
	if x == starlark.None {
		return result.Null(kind), nil
	}
	switch kind {
	case signin.KindString:
		if s, ok := x.(starlark.String); ok {
			return result.StringValue(string(s)), nil
		}
	case signin.KindInt:
		if i, ok := x.(starlark.Int); ok {
			n, ok := i.Int64()
			if !ok {
				return result.Value{}, fmt.Errorf("%s does not fit in 64 bits", i)
			}
			return result.IntValue(n), nil
		}
	case signin.KindFloat:
		switch f := x.(type) {
		case starlark.Float:
			return result.FloatValue(float64(f)), nil
		case starlark.Int:
			return result.FloatValue(float64(f.Float())), nil
		}
	case signin.KindTime:
		if t, ok := x.(Time); ok {
			return result.TimeValue(time.Unix(0, t.ns)), nil
		}
	case signin.KindBool:
		if b, ok := x.(starlark.Bool); ok {
			return result.BoolValue(bool(b)), nil
		}
	case signin.KindList:
		if seq, ok := x.(starlark.Indexable); ok && (isTuple(x) || isList(x)) {
			l := make([]string, seq.Len())
			for i := range l {
				s, ok := seq.Index(i).(starlark.String)
				if !ok {
					return result.Value{}, fmt.Errorf("a list holds strings, not a %s", seq.Index(i).Type())
				}
				l[i] = string(s)
			}
			return result.ListValue(l), nil
		}
	}
	return result.Value{}, fmt.Errorf("want %s, not %s %s", article(kindName(kind)), article(x.Type()), truncate(x.String()))
}

func isTuple(x starlark.Value) bool { _, ok := x.(starlark.Tuple); return ok }
func isList(x starlark.Value) bool  { _, ok := x.(*starlark.List); return ok }

// kindName is a kind as scripts write it; the kinds of starlark types
// where they differ (a list is a tuple of str).
func kindName(k signin.Kind) string {
	if k > signin.KindList {
		return fmt.Sprintf("kind(%d)", k)
	}
	return k.String()
}

// parseKind reads a kind as scripts write it: string, int, float, time,
// bool, list.
func parseKind(s string) (signin.Kind, bool) {
	for k := signin.KindString; k <= signin.KindList; k++ {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

var kindList = "string, int, float, time, bool, list"

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// argToStarlark is a bound argument as a script sees it: a number as
// an int when written as a whole number, else a float; a duration in
// seconds (seconds); anything else as the str the query wrote.
func argToStarlark(args *plugins.Args, a plugins.Arg) starlark.Value {
	switch a.Type {
	case plugins.ArgNumber:
		if n, ok := args.Whole(a.Name); ok {
			return starlark.MakeInt64(n)
		}
		return starlark.Float(args.Float(a.Name))
	case plugins.ArgDuration:
		return seconds(args.Duration(a.Name))
	}
	return starlark.String(args.Text(a.Name))
}

// seconds is a duration as scripts see it: seconds, an int when whole.
func seconds(d time.Duration) starlark.Value {
	if d%time.Second == 0 {
		return starlark.MakeInt64(int64(d / time.Second))
	}
	return starlark.Float(d.Seconds())
}

// Time is a sign-in time in a script: an instant, shown and read in UTC.
// Its attributes are year, month (1–12), day, hour, minute, second,
// nanosecond, weekday (0 for Monday to 6 for Sunday, as in Python),
// yearday (1–366), unix (seconds since 1970) and unix_nano. Times
// compare with <, ==, …; unix_time(seconds) makes one. Time is immutable
// and safe for concurrent use.
type Time struct{ ns int64 }

var (
	_ starlark.HasAttrs   = Time{}
	_ starlark.Comparable = Time{}
)

var timeAttrs = []string{"day", "hour", "minute", "month", "nanosecond", "second", "unix", "unix_nano", "weekday", "year", "yearday"}

func (t Time) time() time.Time       { return time.Unix(0, t.ns).UTC() }
func (t Time) String() string        { return t.time().Format(time.RFC3339Nano) }
func (t Time) Type() string          { return "time" }
func (t Time) Freeze()               {}
func (t Time) Truth() starlark.Bool  { return true }
func (t Time) Hash() (uint32, error) { return uint32(t.ns) ^ uint32(t.ns>>32), nil }
func (t Time) AttrNames() []string   { return timeAttrs }
func (t Time) Attr(name string) (starlark.Value, error) {
	tt := t.time()
	var n int64
	switch name {
	case "year":
		n = int64(tt.Year())
	case "month":
		n = int64(tt.Month())
	case "day":
		n = int64(tt.Day())
	case "hour":
		n = int64(tt.Hour())
	case "minute":
		n = int64(tt.Minute())
	case "second":
		n = int64(tt.Second())
	case "nanosecond":
		n = int64(tt.Nanosecond())
	case "weekday":
		n = (int64(tt.Weekday()) + 6) % 7
	case "yearday":
		n = int64(tt.YearDay())
	case "unix":
		n = tt.Unix()
	case "unix_nano":
		n = t.ns
	default:
		return nil, nil // no such attribute
	}
	return starlark.MakeInt64(n), nil
}

func (t Time) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	u := y.(Time)
	switch op {
	case syntax.EQL:
		return t.ns == u.ns, nil
	case syntax.NEQ:
		return t.ns != u.ns, nil
	case syntax.LT:
		return t.ns < u.ns, nil
	case syntax.LE:
		return t.ns <= u.ns, nil
	case syntax.GT:
		return t.ns > u.ns, nil
	case syntax.GE:
		return t.ns >= u.ns, nil
	}
	return false, fmt.Errorf("time does not support %s", op)
}

// unixTime is the builtin unix_time(seconds): the time of a number of
// seconds since 1970 (an int, or a float for fractions).
func unixTime(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &x); err != nil {
		return nil, err
	}
	switch v := x.(type) {
	case starlark.Int:
		s, ok := v.Int64()
		if !ok || s > math.MaxInt64/1_000_000_000 || s < math.MinInt64/1_000_000_000 {
			return nil, fmt.Errorf("%s: %s seconds is out of range", b.Name(), v)
		}
		return Time{ns: s * 1e9}, nil
	case starlark.Float:
		f := float64(v) * 1e9
		if math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
			return nil, fmt.Errorf("%s: %s seconds is out of range", b.Name(), v)
		}
		return Time{ns: int64(f)}, nil
	}
	return nil, fmt.Errorf("%s: want seconds (an int or a float), not %s", b.Name(), article(x.Type()))
}
