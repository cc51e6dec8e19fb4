package ast

import (
	"strconv"
	"time"
)

// Constructors of the trees a program builds instead of parsing: the
// queries a stage asks of the store (plugins.Env.Query) and the
// conditions it adds to the list before it (plugins.Needs.Where).
//
// A built node has no position (the zero Pos): an error about it says
// what is wrong, not where. Values are literals, never names, so that a
// value that happens to spell a field ("app") is still a value. String
// gives a built tree's canonical text, which parses back to a tree that
// checks the same.

// Field is a field by name (user, ip, time), or an alias.
func Field(name string) *Name { return &Name{Name: name} }

// Str is a text value, written quoted: it is text whatever it holds.
func Str(s string) *Literal { return &Literal{Text: s, Quoted: true} }

// Word is a value written as a bare word when it can be (success, 1h,
// a number, an address), quoted when it must be.
func Word(s string) *Literal { return &Literal{Text: s} }

// Int is a whole number.
func Int(n int64) *Literal { return Word(strconv.FormatInt(n, 10)) }

// Float is a decimal number, written with as many digits as tell it
// apart (a number the language reads back as f).
func Float(f float64) *Literal { return Word(strconv.FormatFloat(f, 'f', -1, 64)) }

// Bool is true or false.
func Bool(b bool) *Literal { return Word(strconv.FormatBool(b)) }

// Time is an instant: RFC 3339 in UTC, to the nanosecond.
func Time(t time.Time) *Literal { return Word(t.UTC().Format(time.RFC3339Nano)) }

// Compare is x op v, op one of = != < <= > >= ~ contains startswith
// endswith like.
func Compare(x Expr, op string, v Expr) *Binary { return &Binary{Op: op, L: x, R: v} }

// Eq is x = v.
func Eq(x, v Expr) *Binary { return Compare(x, "=", v) }

// IsIn is x in (values).
func IsIn(x Expr, values ...*Literal) *In { return &In{X: x, Values: values} }

// NotIn is x not in (values).
func NotIn(x Expr, values ...*Literal) *In { return &In{X: x, Values: values, Not: true} }

// Negate is not x.
func Negate(x Expr) *Not { return &Not{X: x} }

// And joins conditions with and, leaving out the nil ones: nil when
// none is left, the condition itself when one is. The chain leans left,
// as the parser builds it, and is checked without recursion however
// long it is.
func And(xs ...Expr) Expr { return chainOf("and", xs) }

// Or joins conditions with or, as And joins them with and.
func Or(xs ...Expr) Expr { return chainOf("or", xs) }

func chainOf(op string, xs []Expr) Expr {
	var out Expr
	for _, x := range xs {
		switch {
		case x == nil:
		case out == nil:
			out = x
		default:
			out = &Binary{Op: op, L: out, R: x}
		}
	}
	return out
}

// Fn is a call of an aggregate or a function: dcount(user), bin(1d).
// Without arguments it is the bare name, as count is written.
func Fn(name string, args ...Expr) Expr {
	if len(args) == 0 {
		return &Name{Name: name}
	}
	return &Call{Name: name, Args: args}
}

// NewHead is a head of an aggregate query, named alias ("" for none:
// the column is named after the head's text, min(time)).
func NewHead(e Expr, alias string) *Head {
	h := &Head{Expr: e}
	if alias != "" {
		h.Alias = Word(alias)
	}
	return h
}

// ListOf is "list fields": the sign-ins, with those fields (the default
// fields when none).
func ListOf(fields ...Expr) *Query { return &Query{Kind: List, Fields: fields} }

// AggregateOf is an aggregate query with those heads. Its groups are
// q.GroupBy, set after.
func AggregateOf(heads ...*Head) *Query { return &Query{Kind: Aggregate, Heads: heads} }

// Within sets q's time range to [from, to), a zero time leaving its end
// open: between from and to, since from, or, with from open and to not,
// the condition time < to added to q's own (the language has no clause
// for a range open at its start). It returns q.
func (q *Query) Within(from, to time.Time) *Query {
	q.Since, q.Between = nil, [2]*Literal{}
	switch {
	case !from.IsZero() && !to.IsZero():
		q.Between = [2]*Literal{Time(from), Time(to)}
	case !from.IsZero():
		q.Since = Time(from)
	case !to.IsZero():
		q.Where = And(q.Where, Compare(Field("time"), "<", Time(to)))
	}
	return q
}
