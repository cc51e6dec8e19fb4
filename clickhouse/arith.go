package clickhouse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// calc is arithmetic over a row's aggregates, which signinq computes as
// the engine does: whole numbers exact, an overflow an error, / a
// decimal number, division by zero or a null operand null.
type calc interface{ kind() signin.Kind }

type calcCol struct { // an aggregate's column
	i int
	k signin.Kind
}

type calcLit struct{ v result.Value }

type calcOp struct {
	src  *ast.Binary
	op   string
	l, r calc
	k    signin.Kind
}

func (c calcCol) kind() signin.Kind { return c.k }
func (c calcLit) kind() signin.Kind { return c.v.Kind() }
func (c calcOp) kind() signin.Kind  { return c.k }

// value compiles a head's expression: an aggregate (a column of the
// SQL), a number, a reference to another head by its alias, and + - * /
// of them.
func (c *compiler) value(e ast.Expr, aliases map[string]*ast.Head, resolving map[*ast.Head]bool) (calc, error) {
	switch e := e.(type) {
	case *ast.Literal:
		if !e.Quoted {
			if n, err := strconv.ParseInt(e.Text, 10, 64); err == nil {
				return calcLit{result.IntValue(n)}, nil
			}
			if x, ok := e.Number(); ok {
				return calcLit{result.FloatValue(x)}, nil
			}
		}
		if v, ok := c.timeConst(e); ok {
			return calcLit{v}, nil
		}
		return nil, refuse(e.Pos, "a value in a head ("+e.String()+")", "not a number, a time or a duration")
	case *ast.Name:
		if h := aliases[strings.ToLower(e.Name)]; h != nil {
			if resolving[h] {
				return nil, refuse(e.Pos, e.Name, "refers to itself")
			}
			resolving[h] = true
			defer delete(resolving, h)
			return c.value(h.Expr, aliases, resolving)
		}
		if e.Name[0] >= '0' && e.Name[0] <= '9' || e.Name[0] == '-' || e.Name[0] == '.' {
			return c.value(&ast.Literal{Pos: e.Pos, Text: e.Name}, nil, nil)
		}
		if v, ok := c.timeConst(e); ok {
			return calcLit{v}, nil
		}
		return c.aggColumn(e)
	case *ast.Call:
		return c.aggColumn(e)
	case *ast.Binary:
		switch e.Op {
		case "+", "-", "*", "/":
		default:
			return nil, refuse(e.Pos, e.String(), "not a value")
		}
		l, err := c.value(e.L, aliases, resolving)
		if err != nil {
			return nil, err
		}
		r, err := c.value(e.R, aliases, resolving)
		if err != nil {
			return nil, err
		}
		if k, ok := timeArithKind(e.Op, l.kind(), r.kind()); ok {
			return calcOp{src: e, op: e.Op, l: l, r: r, k: k}, nil
		}
		for _, k := range []signin.Kind{l.kind(), r.kind()} {
			if k != signin.KindInt && k != signin.KindFloat {
				return nil, refuse(e.Pos, "arithmetic of "+k.String()+" ("+e.String()+")", "not numbers, times or durations as the language adds them")
			}
		}
		k := signin.KindInt
		if e.Op == "/" || l.kind() == signin.KindFloat || r.kind() == signin.KindFloat {
			k = signin.KindFloat
		}
		return calcOp{src: e, op: e.Op, l: l, r: r, k: k}, nil
	}
	return nil, refuse(e.Position(), e.String(), "not a value")
}

// aggColumn is an aggregate's column of the SQL, added hidden once
// however often the heads use it.
func (c *compiler) aggColumn(e ast.Expr) (calc, error) {
	text := strings.ToLower(e.String())
	for i, o := range c.outs {
		if o.agg == text && o.sql != "" {
			return calcCol{i: i, k: o.kind}, nil
		}
	}
	o, err := c.agg(e)
	if err != nil {
		return nil, err
	}
	o.name, o.hidden = text, true
	c.outs = append(c.outs, o)
	return calcCol{i: len(c.outs) - 1, k: o.kind}, nil
}

// errOverflow is the error of arithmetic beyond its kind's range, as the
// engine's: it names the head and the operands.
func errOverflow(op calcOp, l, r result.Value) error {
	what := "whole numbers (±9,223,372,036,854,775,807): a / makes a decimal number, whose range is wider"
	if op.k == signin.KindFloat {
		what = "decimal numbers (±1.8e308)"
	}
	return fmt.Errorf("clickhouse: %s overflows: %s %s %s is beyond the range of %s: %w", ast.OperandText(op.src), l, op.op, r, what, plugins.ErrOverflow)
}

// eval computes a calc over a row of decoded columns.
func eval(c calc, row []result.Value) (result.Value, error) {
	switch c := c.(type) {
	case calcCol:
		return row[c.i], nil
	case calcLit:
		return c.v, nil
	case calcOp:
		l, err := eval(c.l, row)
		if err != nil {
			return result.Value{}, err
		}
		r, err := eval(c.r, row)
		if err != nil {
			return result.Value{}, err
		}
		v, ok := query.Arithmetic(c.op, l, r, c.k)
		if !ok {
			return result.Value{}, errOverflow(c, l, r)
		}
		return v, nil
	}
	return result.Value{}, errors.New("clickhouse: unknown value")
}

// timeArithKind is the kind of l op r when one side is a time or a
// duration, as the language types time arithmetic: time - time a
// duration, time ± duration and duration + time a time, duration ±
// duration a duration. ok is false for numbers, and for what the
// checker refuses.
func timeArithKind(op string, l, r signin.Kind) (signin.Kind, bool) {
	if op != "+" && op != "-" {
		return 0, false
	}
	switch {
	case l == signin.KindTime && r == signin.KindTime && op == "-":
		return signin.KindDuration, true
	case l == signin.KindTime && r == signin.KindDuration:
		return signin.KindTime, true
	case l == signin.KindDuration && r == signin.KindDuration:
		return signin.KindDuration, true
	case l == signin.KindDuration && r == signin.KindTime && op == "+":
		return signin.KindTime, true
	}
	return 0, false
}

// timeConst reads a constant of time arithmetic over output columns:
// now (the query's), a duration (1d, 5m30s, -1h) or a time (2026-11-01).
func (c *compiler) timeConst(e ast.Expr) (result.Value, bool) {
	var text string
	switch e := e.(type) {
	case *ast.Name:
		if strings.EqualFold(e.Name, "now") {
			return result.TimeValue(c.plan.Now), true
		}
		text = e.Name
	case *ast.Literal:
		if e.Quoted {
			return result.Value{}, false
		}
		text = e.Text
	default:
		return result.Value{}, false
	}
	if d, ok := query.DurationText(text); ok {
		return result.DurationValue(d), true
	}
	if signin.Lookup(text) != nil {
		return result.Value{}, false
	}
	if t, err := query.ParseTime(text); err == nil {
		return result.TimeValue(t), true
	}
	return result.Value{}, false
}
