package result

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// Value is one cell of a query result: a string, an integer, a decimal
// number, a time, a duration (duration.go), a flag or a list of strings,
// or null (an average of
// nothing, a division by zero). The zero Value is a null string.
type Value struct {
	kind signin.Kind
	null bool
	i    int64 // KindInt; KindTime as Unix nanoseconds; KindDuration in nanoseconds; KindBool as 0 or 1
	f    float64
	s    string
	l    []string
}

// StringValue, IntValue, FloatValue, TimeValue, BoolValue and ListValue
// make values; Null makes the null value of a kind.
func StringValue(s string) Value  { return Value{kind: signin.KindString, s: s} }
func IntValue(v int64) Value      { return Value{kind: signin.KindInt, i: v} }
func FloatValue(v float64) Value  { return Value{kind: signin.KindFloat, f: v} }
func TimeValue(t time.Time) Value { return Value{kind: signin.KindTime, i: t.UnixNano()} }
func ListValue(l []string) Value  { return Value{kind: signin.KindList, l: l} }
func Null(kind signin.Kind) Value { return Value{kind: kind, null: true} }

// BoolValue makes a flag.
func BoolValue(b bool) Value {
	v := Value{kind: signin.KindBool}
	if b {
		v.i = 1
	}
	return v
}

// Kind returns the value's kind.
func (v Value) Kind() signin.Kind { return v.kind }

// IsNull reports whether the value is null.
func (v Value) IsNull() bool { return v.null }

// Str returns a string value ("" for other kinds).
func (v Value) Str() string { return v.s }

// Int returns an integer value, or a flag as 0 or 1.
func (v Value) Int() int64 { return v.i }

// Float returns a number as a float64, whether integer or decimal.
func (v Value) Float() float64 {
	if v.kind == signin.KindInt {
		return float64(v.i)
	}
	return v.f
}

// Time returns a time value, in UTC.
func (v Value) Time() time.Time { return time.Unix(0, v.i).UTC() }

// Bool returns a flag.
func (v Value) Bool() bool { return v.i != 0 }

// List returns a list value. The slice must not be modified.
func (v Value) List() []string { return v.l }

// String formats the value as signinq prints it: times in RFC 3339 UTC
// with fractional seconds only when they are not zero, durations as
// FormatDuration writes them, numbers in the shortest decimal form, lists
// joined by ", ", null as "".
func (v Value) String() string {
	if v.null {
		return ""
	}
	switch v.kind {
	case signin.KindInt:
		return strconv.FormatInt(v.i, 10)
	case signin.KindFloat:
		return strconv.FormatFloat(v.f, 'f', -1, 64)
	case signin.KindTime:
		return v.Time().Format(time.RFC3339Nano)
	case signin.KindDuration:
		return FormatDuration(v.Duration())
	case signin.KindBool:
		return strconv.FormatBool(v.i != 0)
	case signin.KindList:
		return strings.Join(v.l, ", ")
	}
	return v.s
}

// Holds reports whether a op b holds, for a comparison operator of the
// language (=, !=, <, <=, >, >=), comparing as Compare does; a null
// operand never holds, whatever the operator.
func Holds(op string, a, b Value) bool {
	if a.null || b.null {
		return false
	}
	d := Compare(a, b)
	switch op {
	case "=":
		return d == 0
	case "!=":
		return d != 0
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	}
	return d >= 0
}

// Compare orders values of one column: null first, strings and lists in
// byte order, numbers numerically (integers and decimals together), times
// chronologically, durations by length, false before true.
func Compare(a, b Value) int {
	switch {
	case a.null || b.null:
		return cmp.Compare(boolInt64(!a.null), boolInt64(!b.null))
	case a.kind == signin.KindFloat || b.kind == signin.KindFloat:
		return cmp.Compare(a.Float(), b.Float())
	case a.kind == signin.KindString:
		return strings.Compare(a.s, b.s)
	case a.kind == signin.KindList:
		return slices.Compare(a.l, b.l)
	}
	return cmp.Compare(a.i, b.i)
}

func boolInt64(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Equal reports whether two values are the same.
func (v Value) Equal(o Value) bool {
	if v.kind != o.kind && !(v.isNumber() && o.isNumber()) {
		return false
	}
	if v.kind == signin.KindFloat && o.kind == signin.KindFloat && math.IsNaN(v.f) && math.IsNaN(o.f) {
		return v.null == o.null
	}
	return Compare(v, o) == 0
}

func (v Value) isNumber() bool { return v.kind == signin.KindInt || v.kind == signin.KindFloat }

// IsAbsent reports whether v is an absent value: null, the empty
// string, or an empty list.
func (v Value) IsAbsent() bool {
	switch {
	case v.null:
		return true
	case v.kind == signin.KindString:
		return v.s == ""
	case v.kind == signin.KindList:
		return len(v.l) == 0
	}
	return false
}
