package query

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/signinq/signinq/query/ast"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// Arithmetic in heads. Whole numbers stay whole through + - *, and a
// result beyond an int64 is an error at the operator (never a wrapped
// number, never a silent decimal); / always gives a decimal number.
// Times and durations add and subtract (timearith.go), in nanoseconds,
// and one beyond an int64 of them is an error too. An
// aggregate whose whole-number result overflows (sum) is an error at its
// call, naming the group.

// outputRow computes a group's output row: its keys, then its heads
// (hidden ones included).
func (x *executor) outputRow(g *group, row []result.Value) error {
	for i, o := range x.plan.outs {
		if o.key >= 0 {
			row[i] = g.key[o.key]
			continue
		}
		v, err := x.eval(o.val, g, row)
		if err != nil {
			return err
		}
		row[i] = v
	}
	return nil
}

// eval computes a head's value for a group, whose output row so far
// (the columns before the head's) is row.
func (x *executor) eval(v valExpr, g *group, row []result.Value) (result.Value, error) {
	switch v := v.(type) {
	case aggRef:
		val, err := g.tables[v.i].Value(g.g)
		if err != nil {
			a := x.plan.aggs[v.i]
			return result.Value{}, &Error{Pos: a.src.Position(), Msg: fmt.Sprintf("%s%s: %v", a.src, x.groupWords(g), err), Err: err}
		}
		return val, nil
	case numLit:
		return v.v, nil
	case colRef:
		return row[v.i], nil
	case arith:
		l, err := x.eval(v.l, g, row)
		if err != nil {
			return result.Value{}, err
		}
		r, err := x.eval(v.r, g, row)
		if err != nil {
			return result.Value{}, err
		}
		out, ok := Arithmetic(v.op, l, r, v.k)
		if !ok && isTimeKind(v.k) {
			return result.Value{}, errorf(v.src.Pos, "%s overflows%s: %s %s %s is beyond the %s signinq computes",
				ast.OperandText(v.src), x.groupWords(g), l, v.op, r, timeOverflowWords(v.k))
		}
		if !ok {
			what := "whole numbers (±9,223,372,036,854,775,807): a / makes a decimal number, whose range is wider"
			if v.k == signin.KindFloat {
				what = "decimal numbers (±1.8e308)"
			}
			return result.Value{}, errorf(v.src.Pos, "%s overflows%s: %s %s %s is beyond the range of %s",
				ast.OperandText(v.src), x.groupWords(g), numberWords(l), v.op, numberWords(r), what)
		}
		return out, nil
	}
	return result.Value{}, nil
}

// groupWords names a group for a message: " for app = Teams, …", or ""
// without keys.
func (x *executor) groupWords(g *group) string {
	if len(x.plan.keys) == 0 || len(g.key) != len(x.plan.keys) {
		return ""
	}
	parts := make([]string, len(g.key))
	for i, k := range x.plan.keys {
		parts[i] = k.name + " = " + quoteIfNeeded(g.key[i].String())
	}
	return " for " + strings.Join(parts, ", ")
}

// numberWords writes a number for a message: decimal numbers in the
// shortest form, with an exponent when large (1e+300).
func numberWords(v result.Value) string {
	if v.Kind() == signin.KindFloat && !v.IsNull() {
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return v.String()
}

// quoteIfNeeded writes a value as the language would read it.
func quoteIfNeeded(s string) string {
	if ast.Bare(s) {
		return s
	}
	return ast.Quote(s)
}

// Arithmetic applies + - * / to two values of a head's arithmetic as the
// language defines it, kind being the result's: null when either is null
// or on division by zero; / always gives a decimal number; times and
// durations take + and - in nanoseconds. It reports false when the result
// overflows: whole numbers beyond an int64, decimal numbers beyond a
// float64. Other engines' translations compute heads with it, so that
// they overflow where the engine does.
func Arithmetic(op string, a, b result.Value, kind signin.Kind) (result.Value, bool) {
	if a.IsNull() || b.IsNull() {
		return result.Null(kind), true
	}
	if isTimeKind(kind) {
		// Times and durations, in nanoseconds: + and - (the checker
		// allows no other), checked.
		x, y := a.Int(), b.Int()
		r, ok := plugins.AddInt(x, y)
		if op == "-" {
			r, ok = plugins.SubInt(x, y)
		}
		if !ok {
			return result.Null(kind), false
		}
		return timeValueOf(kind, r), true
	}
	if kind == signin.KindInt {
		x, y := a.Int(), b.Int()
		var r int64
		ok := false
		switch op {
		case "+":
			r, ok = plugins.AddInt(x, y)
		case "-":
			r, ok = plugins.SubInt(x, y)
		case "*":
			r, ok = plugins.MulInt(x, y)
		}
		if op != "/" {
			return result.IntValue(r), ok
		}
	}
	x, y := a.Float(), b.Float()
	var r float64
	switch op {
	case "+":
		r = x + y
	case "-":
		r = x - y
	case "*":
		r = x * y
	case "/":
		if y == 0 {
			return result.Null(kind), true
		}
		r = x / y
	}
	if math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
		return result.Null(kind), false // finite numbers overflowed
	}
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return result.Null(kind), true
	}
	return result.FloatValue(r), true
}
