package query

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// Time arithmetic: now (the query's, Plan.Now), times and durations
// added and subtracted. In a condition on sign-ins (where, countif's)
// a comparison of times or durations is made a predicate on one field
// against a constant (time >= now - 1d) or a comparison of two fields
// with a constant between them (time < ingested - 1h); over output
// columns (having, order by, heads) it is arithmetic of valExprs
// (checkheads.go, arith.go). The kinds are checked at each operator:
// time - time is a duration, time ± duration a time, duration ±
// duration a duration; anything else (time + time, a number for a
// duration) is an error that says what would work. A result beyond an
// int64 of nanoseconds (times 1677–2262, durations ±292 years) is an
// error, never a wrapped number.

// isNow reports whether e is the word now.
func isNow(e ast.Expr) bool {
	n, ok := e.(*ast.Name)
	return ok && strings.EqualFold(n.Name, "now")
}

// isAddSub reports whether e is a sum or a difference.
func isAddSub(e ast.Expr) bool {
	b, ok := e.(*ast.Binary)
	return ok && (b.Op == "+" || b.Op == "-")
}

// errDurationRange is parseDurationText's error for a duration longer
// than an int64 of nanoseconds.
var errDurationRange = errors.New("too long a duration: at most " + ast.MaxDuration)

// durationUnitsText are the units of a duration written in time
// arithmetic: ast.ParseDuration's, and the microseconds and nanoseconds
// an answer may print (result.FormatDuration).
var durationUnitsText = map[string]time.Duration{"w": 7 * 24 * time.Hour, "d": 24 * time.Hour, "h": time.Hour,
	"m": time.Minute, "s": time.Second, "ms": time.Millisecond, "us": time.Microsecond, "ns": time.Nanosecond}

// parseDurationText reads a duration as time arithmetic writes it: a
// whole number and a unit (5m, 7d, as since takes), or several, longest
// first, as answers print them (5m30s, 1d12h, 1s250ms), after an
// optional minus sign (-2h). ok is false for text not written so; err
// is errDurationRange for one beyond an int64 of nanoseconds.
func parseDurationText(s string) (d time.Duration, ok bool, err error) {
	s = strings.ToLower(s)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if s == "" {
		return 0, false, nil
	}
	var total uint64
	last := time.Duration(1<<63 - 1) // the previous unit: units get shorter
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		j := i
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		unit, known := durationUnitsText[s[i:j]]
		if i == 0 || !known || unit >= last {
			return 0, false, nil
		}
		last = unit
		n, perr := strconv.ParseUint(s[:i], 10, 64)
		if perr != nil || n > (1<<63)/uint64(unit) {
			return 0, true, errDurationRange
		}
		total += n * uint64(unit)
		if total > 1<<63 {
			return 0, true, errDurationRange
		}
		s = s[j:]
	}
	if total == 1<<63 {
		if !neg {
			return 0, true, errDurationRange
		}
		return time.Duration(-1 << 63), true, nil
	}
	if neg {
		return -time.Duration(total), true, nil
	}
	return time.Duration(total), true, nil
}

// DurationText reads a duration as time arithmetic writes it (5m,
// 1d12h, -2h), as the language reads it: false for other text and for
// one beyond an int64 of nanoseconds. For the translations of a query to
// other engines (packages clickhouse and kql).
func DurationText(s string) (time.Duration, bool) {
	d, ok, err := parseDurationText(s)
	return d, ok && err == nil
}

// timeKindWords names a kind of time arithmetic for messages.
func timeKindWords(k signin.Kind) string {
	if k == signin.KindDuration {
		return "a duration"
	}
	return kindWords(k)
}

// timeArithKind is the kind of l op r in time arithmetic, or an error
// (at the operator) saying what would work. One of the kinds is a time
// or a duration.
func timeArithKind(e *ast.Binary, l, r signin.Kind) (signin.Kind, error) {
	isNum := func(k signin.Kind) bool { return k == signin.KindInt || k == signin.KindFloat }
	switch {
	case e.Op != "+" && e.Op != "-":
		return 0, errorf(e.Pos, "times and durations are added and subtracted (+ -), not %s: %s", e.Op, e)
	case isNum(l) || isNum(r):
		num, other, ok := e.L, r, isNum(l)
		if !ok {
			num, other = e.R, l
		}
		if !isNumberWord(num) {
			return 0, errorf(num.Position(), "%s is a number: time arithmetic adds and subtracts times and durations (now - 1d, last - first)", ast.OperandText(num))
		}
		return 0, errorf(num.Position(), "%s is a number, beside %s: a duration has a unit (%sm, %sh, %sd)", num, timeKindWords(other), num, num, num)
	case l == signin.KindTime && r == signin.KindTime:
		if e.Op == "-" {
			return signin.KindDuration, nil
		}
		return 0, errorf(e.Pos, "%s adds two times: subtract them for the duration between (last - first), or add a duration to a time (now + 1h)", e)
	case l == signin.KindTime && r == signin.KindDuration:
		return signin.KindTime, nil
	case l == signin.KindDuration && r == signin.KindDuration:
		return signin.KindDuration, nil
	case l == signin.KindDuration && r == signin.KindTime:
		if e.Op == "+" {
			return signin.KindTime, nil
		}
		return 0, errorf(e.Pos, "%s subtracts a time from a duration: subtract a duration from a time (now - 1d), or a time from a time (last - first)", e)
	}
	bad, k := e.L, l
	if l == signin.KindTime || l == signin.KindDuration {
		bad, k = e.R, r
	}
	return 0, errorf(bad.Position(), "%s is %s: time arithmetic adds and subtracts times and durations (now - 1d, last - first)", ast.OperandText(bad), kindWords(k))
}

// timeConstant reads a word of time arithmetic that is a constant: now,
// a duration (1d, 5m30s) or a time (2026-11-01). ok is false for other
// text.
func (c *checker) timeConstant(e ast.Expr) (v result.Value, ok bool, err error) {
	var text string
	var pos ast.Pos
	switch e := e.(type) {
	case *ast.Name:
		if isNow(e) {
			return result.TimeValue(c.now), true, nil
		}
		text, pos = e.Name, e.Pos
	case *ast.Literal:
		text, pos = e.Text, e.Pos
	default:
		return result.Value{}, false, nil
	}
	d, isDur, err := parseDurationText(text)
	if err != nil {
		return result.Value{}, false, errorf(pos, "%s is %v", e, err)
	}
	if isDur {
		return result.DurationValue(d), true, nil
	}
	if t, err := ParseTime(text); err == nil {
		return result.TimeValue(t), true, nil
	}
	return result.Value{}, false, nil
}

// timeOperand checks a constant operand of time arithmetic over output
// columns: now, a duration or a time.
func (c *checker) timeOperand(e ast.Expr) (valExpr, bool, error) {
	v, ok, err := c.timeConstant(e)
	if err != nil || !ok {
		return nil, false, err
	}
	return numLit{v}, true, nil
}

// timeSum is one side of a comparison of times or durations in a
// condition on sign-ins: fields (or functions of them) added and
// subtracted, and a constant, the sum of its times and durations in
// nanoseconds.
type timeSum struct {
	fields []timeField
	c      int64
}

// timeField is a field of a timeSum, added (sign 1) or subtracted (-1).
type timeField struct {
	side cmpSide
	sign int
	src  ast.Expr
}

// timeSide checks one side of a comparison in time arithmetic, with the
// sign it is added with.
func (c *checker) timeSide(e ast.Expr, sign int, s *timeSum) (signin.Kind, error) {
	switch x := e.(type) {
	case *ast.Binary:
		if x.Op != "+" && x.Op != "-" {
			if x.Op == "*" || x.Op == "/" {
				return 0, errorf(x.Pos, "times and durations are added and subtracted (+ -), not %s: %s", x.Op, x)
			}
			return 0, errorf(x.Pos, "%s is a condition, not a time or a duration", x)
		}
		lk, err := c.timeSide(x.L, sign, s)
		if err != nil {
			return 0, err
		}
		rs := sign
		if x.Op == "-" {
			rs = -sign
		}
		rk, err := c.timeSide(x.R, rs, s)
		if err != nil {
			return 0, err
		}
		return timeArithKind(x, lk, rk)
	case *ast.Call:
		if pl, ok := c.reg.Lookup(x.Name); ok && pl.Describe().Kind == plugins.KindAggregate {
			return 0, errorf(x.Pos, "%s is an aggregate: a condition on aggregates goes in having (group by … having %s > now - 1d)", x.Name, x)
		}
		fn, err := c.function(x)
		if err != nil {
			return 0, err
		}
		if fn.kind == signin.KindTime {
			s.fields = append(s.fields, timeField{side: cmpSide{col: fn.col, fn: fn}, sign: sign, src: x})
		}
		return fn.kind, nil
	case *ast.Name:
		if !isNow(x) {
			if col := engine.LookupColumn(x.Name); col != nil {
				if col.Field.Kind == signin.KindTime {
					s.fields = append(s.fields, timeField{side: cmpSide{col: col}, sign: sign, src: x})
				}
				return col.Field.Kind, nil
			}
		}
	case *ast.Literal:
	default:
		return 0, errorf(e.Position(), "%s is a condition, not a time or a duration", e)
	}
	v, ok, err := c.timeConstant(e)
	if err != nil {
		return 0, err
	}
	if !ok {
		text := strings.TrimPrefix(e.String(), "-")
		if _, isNum := (&ast.Literal{Text: text}).Number(); isNum {
			return 0, errorf(e.Position(), "%s is a number: a duration has a unit (%sm, %sh, %sd)", e, text, text, text)
		}
		if n, isWord := e.(*ast.Name); isWord && isName(n.Name) {
			return 0, errorf(n.Pos, "unknown field %q%s; time arithmetic takes time fields, now, durations (1d, 5m30s) and times (2026-11-01)", n.Name, didYouMean(n.Name, fieldNames()))
		}
		return 0, errorf(e.Position(), "%s is not a time or a duration: write now, a duration (1d, 5m30s) or a time (2026-11-01)", e)
	}
	n := v.Int()
	if sign < 0 {
		if n == -1<<63 {
			return 0, errorf(e.Position(), "%s is beyond the durations signinq computes (±292 years)", e)
		}
		n = -n
	}
	sum, ok := plugins.AddInt(s.c, n)
	if !ok {
		return 0, errorf(e.Position(), "the constants up to %s are beyond the times and durations signinq computes (1677–2262, ±292 years)", e)
	}
	s.c = sum
	return v.Kind(), nil
}

// timeArith reports whether a comparison in a condition on sign-ins is
// time arithmetic: a side adds or subtracts, or is now beside a time
// (now alone beside a text field is the text "now").
func (c *checker) timeArith(e *ast.Binary) bool {
	if isAddSub(e.L) || isAddSub(e.R) || isNow(e.L) {
		return true
	}
	if !isNow(e.R) {
		return false
	}
	switch l := e.L.(type) {
	case *ast.Name:
		col := engine.LookupColumn(l.Name)
		return col != nil && col.Field.Kind == signin.KindTime
	case *ast.Call:
		if fn, err := c.function(l); err == nil {
			return fn.kind == signin.KindTime
		}
	}
	return false
}

// timeCond checks a comparison of times or durations in a condition on
// sign-ins: a predicate on one field against a constant (time >= now -
// 1d), or a comparison of two fields' difference with a constant
// (ingested - time > 5m, time < ingested - 1h).
func (c *checker) timeCond(e *ast.Binary) (cond, error) {
	op, isCmp := map[string]predOp{"=": opEq, "!=": opNe, "<": opLt, "<=": opLe, ">": opGt, ">=": opGe}[e.Op]
	if !isCmp {
		return nil, errorf(e.Pos, "%s matches text; times and durations compare with = != < <= > >=", e.Op)
	}
	var l, r timeSum
	lk, err := c.timeSide(e.L, 1, &l)
	if err != nil {
		return nil, err
	}
	rk, err := c.timeSide(e.R, -1, &r)
	if err != nil {
		return nil, err
	}
	if lk != rk || lk != signin.KindTime && lk != signin.KindDuration {
		bad := e.R
		if lk != signin.KindTime && lk != signin.KindDuration {
			bad = e.L
		}
		return nil, errorf(bad.Position(), "%s is %s and %s is %s: a time compares with a time (time >= now - 1d), a duration with a duration (ingested - time > 5m)",
			ast.OperandText(e.L), timeKindWords(lk), ast.OperandText(e.R), timeKindWords(rk))
	}
	// L op R is L - R op 0: r holds -R, so Σ fields + l.c + r.c op 0,
	// Σ fields op -(l.c + r.c).
	fields := append(l.fields, r.fields...)
	k, ok := plugins.AddInt(l.c, r.c)
	if ok && k != -1<<63 {
		k = -k
	} else {
		return nil, errorf(e.Pos, "%s compares with a constant beyond the times and durations signinq computes (1677–2262, ±292 years)", e)
	}
	switch {
	case len(fields) == 0:
		return nil, errorf(e.Pos, "%s compares no field of a sign-in: compare a time field (time >= now - 1d)", e)
	case len(fields) > 2:
		return nil, errorf(fields[2].src.Position(), "%s: a comparison of times takes at most two fields, one added and one subtracted (ingested - time > 5m)", e)
	case len(fields) == 1:
		f := fields[0]
		if f.sign < 0 { // -f op k: f op' -k
			op = map[predOp]predOp{opEq: opEq, opNe: opNe, opLt: opGt, opLe: opGe, opGt: opLt, opGe: opLe}[op]
			k = -k // k != MinInt64: checked above
		}
		return &pred{src: e, col: f.side.col, fn: f.side.fn, op: op, ints: []int64{k}}, nil
	}
	a, b := fields[0], fields[1]
	if a.sign < 0 {
		a, b = b, a
	}
	// Two fields of a time kind, one added and one subtracted: the kinds'
	// check leaves no other way.
	return &fieldCmp{src: e, op: op, l: a.side, r: b.side, diff: true, off: k}, nil
}

// timeOverflowWords says what range a result of a kind left.
func timeOverflowWords(k signin.Kind) string {
	if k == signin.KindDuration {
		return "durations (±292 years)"
	}
	return "times (1677–2262)"
}

// timeValueOf makes a value of a time kind from nanoseconds.
func timeValueOf(k signin.Kind, ns int64) result.Value {
	if k == signin.KindDuration {
		return result.DurationValue(time.Duration(ns))
	}
	return result.TimeValue(timeOfNanos(ns))
}

// cmpDiff compares a - b with off, exactly: a difference beyond an
// int64 is beyond any off.
func cmpDiff(a, b, off int64) int {
	d, ok := plugins.SubInt(a, b)
	if !ok {
		if a > b {
			return 1
		}
		return -1
	}
	switch {
	case d < off:
		return -1
	case d > off:
		return 1
	}
	return 0
}

// isNumberWord reports whether e is a number written as a word.
func isNumberWord(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Name:
		_, ok := (&ast.Literal{Text: e.Name}).Number()
		return ok
	case *ast.Literal:
		_, ok := e.Number()
		return ok
	}
	return false
}

// isTimeKind reports whether k is a time or a duration.
func isTimeKind(k signin.Kind) bool { return k == signin.KindTime || k == signin.KindDuration }

// colRef is an output column within arithmetic over output columns
// (having last - first <= 5m): the value the row holds, computed
// before (a key, a head, or a hidden column before this one).
type colRef struct {
	i int // index in Plan.outs
	k signin.Kind
}

func (c colRef) kind() signin.Kind { return c.k }

// timeValue checks time arithmetic over output columns, aggregates and
// constants: its kind, and a constant's value at once (now - 30d), so
// that one beyond the range is an error of the text.
func (c *checker) timeValue(e *ast.Binary, l, r valExpr) (valExpr, error) {
	k, err := timeArithKind(e, l.kind(), r.kind())
	if err != nil {
		return nil, err
	}
	a := arith{src: e, op: e.Op, l: l, r: r, k: k}
	ln, lok := l.(numLit)
	rn, rok := r.(numLit)
	if !lok || !rok {
		return a, nil
	}
	v, ok := Arithmetic(e.Op, ln.v, rn.v, k)
	if !ok {
		return nil, errorf(e.Pos, "%s is beyond the %s signinq computes", ast.OperandText(e), timeOverflowWords(k))
	}
	return numLit{v}, nil
}

// timeKinds says why a comparison over output columns of a time or a
// duration with something else is refused, and what would work.
func timeKinds(e *ast.Binary, lk, rk signin.Kind) error {
	side, other, ok := e.R, lk, isTimeKind(lk)
	if !ok {
		side, other = e.L, rk
	}
	want := "a time (now - 30d, 2026-11-01)"
	if other == signin.KindDuration {
		want = "a duration (5m, 1h, 1d)"
	}
	if isNumberWord(side) {
		subject := map[bool]ast.Expr{true: e.L, false: e.R}[ok]
		return errorf(subject.Position(), "%s is %s: compare it with %s; %s is a number without a unit", ast.OperandText(subject), timeKindWords(other), want, side)
	}
	return errorf(side.Position(), "%s is %s and %s is %s: compare %s with %s",
		ast.OperandText(e.L), timeKindWords(lk), ast.OperandText(e.R), timeKindWords(rk), timeKindWords(other), want)
}

// narrowScan sets the range of times the executor reads: the plan's
// range, narrowed by the comparisons of the time with a time that the
// filter requires of every sign-in (time >= now - 1d, alone or and'ed
// with others), so that only the parts and rows of that range are read,
// as since reads its own. The plan's From and To, what the query says
// its range is (explain, stages, the note of an empty range), stay.
func narrowScan(p *Plan) {
	p.scanFrom, p.scanTo = p.From, p.To
	var xs []cond
	switch f := p.filter.(type) {
	case *condAnd:
		xs = f.xs
	case *pred:
		xs = []cond{f}
	}
	for _, x := range xs {
		pr, ok := x.(*pred)
		if !ok || !pr.timeRange() {
			continue
		}
		t := pr.ints[0]
		from, to := int64(math.MinInt64), int64(math.MaxInt64) // [from, to)
		switch pr.op {
		case opGe:
			from = t
		case opGt:
			from = t + 1
			if t == math.MaxInt64 {
				from = t // nothing: [MaxInt64, MaxInt64)
			}
		case opLt:
			to = t
		case opLe:
			if t < math.MaxInt64 {
				to = t + 1
			}
		case opEq:
			from, to = t, t+1
			if t == math.MaxInt64 {
				to = t
			}
		}
		p.scanFrom, p.scanTo = max(p.scanFrom, from), min(p.scanTo, to)
	}
	if p.scanFrom > p.scanTo {
		p.scanTo = p.scanFrom // nothing
	}
}
