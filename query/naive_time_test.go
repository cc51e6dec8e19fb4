package query

// The naive evaluator's time arithmetic (naive_test.go), written from
// the language's contract (docs/query-language.md, Time arithmetic) and
// sharing nothing with the executor's (timearith.go): each word now of a
// query is known as its query's now, and arithmetic is done exactly, on
// math/big integers of nanoseconds, and compared exactly.

import (
	"fmt"
	"math/big"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// naiveNows are the words now of the queries the naive evaluator reads,
// each with its query's now: naiveTimeConst reads them as that time.
var naiveNows sync.Map // *ast.Name → time.Time

// naiveNowIn records the query's now for each word now in it.
func naiveNowIn(q *ast.Query, now time.Time) {
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch x := e.(type) {
		case *ast.Name:
			if strings.EqualFold(x.Name, "now") {
				naiveNows.Store(x, now)
			}
		case *ast.Binary:
			walk(x.L)
			walk(x.R)
		case *ast.Not:
			walk(x.X)
		case *ast.In:
			walk(x.X)
		case *ast.Call:
			for _, a := range x.Args {
				walk(a)
			}
		}
	}
	if q.Where != nil {
		walk(q.Where)
	}
	for _, h := range q.Heads {
		walk(h.Expr)
	}
	if q.Having != nil {
		walk(q.Having)
	}
	for _, o := range q.OrderBy {
		walk(o.Expr)
	}
	if q.TopBy != nil {
		walk(q.TopBy)
	}
	for _, s := range q.Stages {
		if s.Where != nil {
			walk(s.Where)
		}
	}
}

// naiveNow returns the time a word now stands for, if e is one.
func naiveNow(e ast.Expr) (time.Time, bool) {
	n, ok := e.(*ast.Name)
	if !ok {
		return time.Time{}, false
	}
	t, ok := naiveNows.Load(n)
	if !ok {
		return time.Time{}, false
	}
	return t.(time.Time), true
}

var naiveDurationPart = regexp.MustCompile(`([0-9]+)(ms|us|ns|w|d|h|m|s)`)

// naiveDurationText reads a duration of time arithmetic: an optional
// minus sign, then numbers with units, longest unit first (5m30s, 1d,
// -2h), as an exact number of nanoseconds.
func naiveDurationText(s string) (*big.Int, bool) {
	s = strings.ToLower(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	units := map[string]int64{"w": 7 * 86400e9, "d": 86400e9, "h": 3600e9, "m": 60e9, "s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1}
	ms := naiveDurationPart.FindAllStringSubmatchIndex(s, -1)
	if len(ms) == 0 {
		return nil, false
	}
	total, end := new(big.Int), 0
	last := int64(1 << 62)
	for _, m := range ms {
		if m[0] != end {
			return nil, false
		}
		end = m[1]
		u := units[s[m[4]:m[5]]]
		if u >= last {
			return nil, false
		}
		last = u
		n, ok := new(big.Int).SetString(s[m[2]:m[3]], 10)
		if !ok {
			return nil, false
		}
		total.Add(total, n.Mul(n, big.NewInt(u)))
	}
	if end != len(s) {
		return nil, false
	}
	if neg {
		total.Neg(total)
	}
	return total, true
}

// naiveTimeVal is a side of time arithmetic: its kind (time or
// duration) and its value for a record, exact, with false when a field
// it reads is missing.
type naiveTimeVal struct {
	kind signin.Kind
	of   func(r *signin.Record) (*big.Int, bool)
}

// naiveTimeExpr compiles time arithmetic over a sign-in's fields.
func naiveTimeExpr(e ast.Expr) (naiveTimeVal, error) {
	switch x := e.(type) {
	case *ast.Binary:
		if x.Op != "+" && x.Op != "-" {
			return naiveTimeVal{}, fmt.Errorf("naive: %s in time arithmetic", x.Op)
		}
		l, err := naiveTimeExpr(x.L)
		if err != nil {
			return naiveTimeVal{}, err
		}
		r, err := naiveTimeExpr(x.R)
		if err != nil {
			return naiveTimeVal{}, err
		}
		k, err := naiveTimeKind(x.Op, l.kind, r.kind)
		if err != nil {
			return naiveTimeVal{}, err
		}
		op := x.Op
		return naiveTimeVal{kind: k, of: func(rec *signin.Record) (*big.Int, bool) {
			a, ok := l.of(rec)
			if !ok {
				return nil, false
			}
			b, ok := r.of(rec)
			if !ok {
				return nil, false
			}
			if op == "+" {
				return new(big.Int).Add(a, b), true
			}
			return new(big.Int).Sub(a, b), true
		}}, nil
	case *ast.Call:
		fn, err := naiveFuncOf(x)
		if err != nil {
			return naiveTimeVal{}, err
		}
		if fn.kind != signin.KindTime {
			return naiveTimeVal{}, fmt.Errorf("naive: %s is not a time", x)
		}
		return naiveTimeVal{kind: signin.KindTime, of: func(r *signin.Record) (*big.Int, bool) {
			v := fn.eval(naiveValue(fn.field, r))
			if v.IsNull() {
				return nil, false
			}
			return big.NewInt(v.Time().UnixNano()), true
		}}, nil
	case *ast.Name:
		if f := signin.Lookup(x.Name); f != nil {
			if f.Kind != signin.KindTime {
				return naiveTimeVal{}, fmt.Errorf("naive: %s is not a time field", f.Name)
			}
			return naiveTimeVal{kind: signin.KindTime, of: func(r *signin.Record) (*big.Int, bool) {
				v := naiveValue(f, r)
				if v.IsNull() {
					return nil, false
				}
				return big.NewInt(v.Time().UnixNano()), true
			}}, nil
		}
	}
	k, n, err := naiveTimeConst(e)
	if err != nil {
		return naiveTimeVal{}, err
	}
	return naiveTimeVal{kind: k, of: func(*signin.Record) (*big.Int, bool) { return n, true }}, nil
}

// naiveTimeConst reads a constant of time arithmetic: a duration or a
// time (now is one by now: naiveNowIn).
func naiveTimeConst(e ast.Expr) (signin.Kind, *big.Int, error) {
	if t, ok := naiveNow(e); ok {
		return signin.KindTime, big.NewInt(t.UnixNano()), nil
	}
	var text string
	switch x := e.(type) {
	case *ast.Name:
		text = x.Name
	case *ast.Literal:
		text = x.Text
	default:
		return 0, nil, fmt.Errorf("naive: %s in time arithmetic", e)
	}
	if d, ok := naiveDurationText(text); ok {
		return signin.KindDuration, d, nil
	}
	if t, err := naiveInstant(text); err == nil {
		return signin.KindTime, big.NewInt(t.UnixNano()), nil
	}
	return 0, nil, fmt.Errorf("naive: %q is not a time or a duration", text)
}

// naiveTimeKind is the kind of a op b: time - time a duration, time ±
// duration and duration + time a time, duration ± duration a duration.
func naiveTimeKind(op string, a, b signin.Kind) (signin.Kind, error) {
	T, D := signin.KindTime, signin.KindDuration
	switch {
	case a == T && b == T && op == "-":
		return D, nil
	case a == T && b == D, a == D && b == T && op == "+":
		return T, nil
	case a == D && b == D:
		return D, nil
	}
	return 0, fmt.Errorf("naive: %s %s %s", a, op, b)
}

// naiveIsTimeArith reports whether a comparison in a condition on
// sign-ins is time arithmetic: a side adds or subtracts, or is now
// beside what is not a text field.
func naiveIsTimeArith(e *ast.Binary) bool {
	is := func(x ast.Expr) bool {
		b, ok := x.(*ast.Binary)
		return ok && (b.Op == "+" || b.Op == "-")
	}
	text := func(x ast.Expr) bool {
		n, ok := x.(*ast.Name)
		if !ok {
			return false
		}
		f := signin.Lookup(n.Name)
		return f != nil && (f.Kind == signin.KindString || f.Kind == signin.KindList)
	}
	_, nowL := naiveNow(e.L)
	_, nowR := naiveNow(e.R)
	return is(e.L) || is(e.R) || nowL && !text(e.R) || nowR && !text(e.L)
}

// naiveTimeCond compiles a comparison of times or durations on a
// sign-in: exact, false when a field it reads is missing.
func naiveTimeCond(e *ast.Binary) (naivePred, error) {
	l, err := naiveTimeExpr(e.L)
	if err != nil {
		return nil, err
	}
	r, err := naiveTimeExpr(e.R)
	if err != nil {
		return nil, err
	}
	if l.kind != r.kind {
		return nil, fmt.Errorf("naive: %s compared with %s", l.kind, r.kind)
	}
	test := naiveTest(e.Op)
	if test == nil {
		return nil, fmt.Errorf("naive: %s on times", e.Op)
	}
	return func(rec *signin.Record) bool {
		a, ok := l.of(rec)
		if !ok {
			return false
		}
		b, ok := r.of(rec)
		return ok && test(a.Cmp(b))
	}, nil
}

func naiveTest(op string) func(int) bool {
	return map[string]func(int) bool{
		"=": func(c int) bool { return c == 0 }, "!=": func(c int) bool { return c != 0 },
		"<": func(c int) bool { return c < 0 }, "<=": func(c int) bool { return c <= 0 },
		">": func(c int) bool { return c > 0 }, ">=": func(c int) bool { return c >= 0 },
	}[op]
}

// naiveRowTime compiles time arithmetic over output columns (having
// last - first <= 5m): columns by name, durations and times, exact; a
// null column gives null. ok is false for an expression that is not
// time arithmetic.
func naiveRowTime(e ast.Expr, cols []result.Column) (func([]result.Value) result.Value, signin.Kind, bool, error) {
	var comp func(e ast.Expr) (signin.Kind, func([]result.Value) (*big.Int, bool), error)
	comp = func(e ast.Expr) (signin.Kind, func([]result.Value) (*big.Int, bool), error) {
		if b, ok := e.(*ast.Binary); ok && (b.Op == "+" || b.Op == "-") {
			lk, l, err := comp(b.L)
			if err != nil {
				return 0, nil, err
			}
			rk, r, err := comp(b.R)
			if err != nil {
				return 0, nil, err
			}
			k, err := naiveTimeKind(b.Op, lk, rk)
			if err != nil {
				return 0, nil, err
			}
			return k, func(row []result.Value) (*big.Int, bool) {
				x, ok := l(row)
				if !ok {
					return nil, false
				}
				y, ok := r(row)
				if !ok {
					return nil, false
				}
				if b.Op == "+" {
					return new(big.Int).Add(x, y), true
				}
				return new(big.Int).Sub(x, y), true
			}, nil
		}
		if i, ok := naiveColumn(cols, e); ok {
			k := cols[i].Kind
			if k != signin.KindTime && k != signin.KindDuration {
				return 0, nil, fmt.Errorf("naive: %s is a %s", e, k)
			}
			return k, func(row []result.Value) (*big.Int, bool) {
				if row[i].IsNull() {
					return nil, false
				}
				return big.NewInt(row[i].Int()), true // a time's and a duration's nanoseconds
			}, nil
		}
		k, n, err := naiveTimeConst(e)
		if err != nil {
			return 0, nil, err
		}
		return k, func([]result.Value) (*big.Int, bool) { return n, true }, nil
	}
	if _, ok := naiveColumn(cols, e); ok {
		return nil, 0, false, nil // a column, named by its text
	}
	switch x := e.(type) {
	case *ast.Binary:
		if x.Op != "+" && x.Op != "-" {
			return nil, 0, false, nil
		}
	case *ast.Name, *ast.Literal:
		if _, _, err := naiveTimeConst(e); err != nil {
			return nil, 0, false, nil
		}
	default:
		return nil, 0, false, nil
	}
	k, f, err := comp(e)
	if err != nil {
		return nil, 0, false, nil // not time arithmetic: numbers
	}
	return func(row []result.Value) result.Value {
		n, ok := f(row)
		if !ok {
			return result.Null(k)
		}
		if !n.IsInt64() {
			panic(fmt.Sprintf("naive: %s is beyond an int64 of nanoseconds: out of the random queries' scope", n))
		}
		if k == signin.KindDuration {
			return result.DurationValue(time.Duration(n.Int64()))
		}
		return result.TimeValue(time.Unix(0, n.Int64()))
	}, k, true, nil
}

// naiveHeadTime computes time arithmetic in a head (max(time) -
// min(time)) from its operands' values, exactly; a result beyond an
// int64 of nanoseconds is errNaiveOverflow.
func naiveHeadTime(op string, a, b result.Value) (result.Value, signin.Kind, error) {
	k, err := naiveTimeKind(op, a.Kind(), b.Kind())
	if err != nil {
		return result.Value{}, 0, err
	}
	if a.IsNull() || b.IsNull() {
		return result.Null(k), k, nil
	}
	x, y := big.NewInt(a.Int()), big.NewInt(b.Int())
	if op == "+" {
		x.Add(x, y)
	} else {
		x.Sub(x, y)
	}
	if !x.IsInt64() {
		return result.Value{}, k, errNaiveOverflow
	}
	if k == signin.KindDuration {
		return result.DurationValue(time.Duration(x.Int64())), k, nil
	}
	return result.TimeValue(time.Unix(0, x.Int64())), k, nil
}

// naiveHeadConst reads a constant of time arithmetic in a head.
func naiveHeadConst(e ast.Expr) (result.Value, bool) {
	k, n, err := naiveTimeConst(e)
	if err != nil || !n.IsInt64() {
		return result.Value{}, false
	}
	if k == signin.KindDuration {
		return result.DurationValue(time.Duration(n.Int64())), true
	}
	return result.TimeValue(time.Unix(0, n.Int64())), true
}

// naiveAggArg reads an aggregate's field argument: a field, whose present
// values it folds, or a function of one (dcount(date(time))), whose
// value for each sign-in it folds unless missing ("", null). f is the
// field, or one standing for the function's values.
func naiveAggArg(e ast.Expr) (f *signin.Field, each func(*signin.Record, func(result.Value)), err error) {
	c, ok := e.(*ast.Call)
	if !ok {
		f, err := naiveField(e)
		if err != nil {
			return nil, nil, err
		}
		return f, func(r *signin.Record, fn func(result.Value)) { naivePresent(f, r, fn) }, nil
	}
	fn, err := naiveFuncOf(c)
	if err != nil {
		return nil, nil, err
	}
	return &signin.Field{Name: fn.name, Kind: fn.kind}, func(r *signin.Record, yield func(result.Value)) {
		v := fn.eval(naiveValue(fn.field, r))
		if v.IsNull() || v.Kind() == signin.KindString && v.Str() == "" {
			return
		}
		yield(v)
	}, nil
}

// naiveSubnet is subnet(ip, bits), from its documented contract: the
// network of an address as text, an IPv4 one (IPv4-mapped too) of bits,
// an IPv6 one of bits when above 32, else 64; "" for text that is not an
// address. It uses package net, not the function's netip.
func naiveSubnet(c *ast.Call) (*naiveFunc, error) {
	if len(c.Args) != 2 {
		return nil, fmt.Errorf("naive: subnet with %d arguments is out of scope", len(c.Args))
	}
	f, err := naiveField(c.Args[0])
	if err != nil {
		return nil, err
	}
	var text string
	switch a := c.Args[1].(type) {
	case *ast.Name:
		text = a.Name
	case *ast.Literal:
		text = a.Text
	}
	bits, err := strconv.Atoi(text)
	if err != nil || bits < 0 || bits > 32 {
		return nil, fmt.Errorf("naive: subnet's bits %q are out of scope", text)
	}
	return &naiveFunc{name: strings.ToLower(c.String()), field: f, kind: signin.KindString, eval: func(v result.Value) result.Value {
		ip := net.ParseIP(v.Str())
		if ip == nil {
			return result.StringValue("")
		}
		n, size := bits, 32
		if ip4 := ip.To4(); ip4 != nil {
			ip = ip4
		} else {
			n, size = 64, 128
		}
		masked := &net.IPNet{IP: ip.Mask(net.CIDRMask(n, size)), Mask: net.CIDRMask(n, size)}
		return result.StringValue(masked.String())
	}}, nil
}
