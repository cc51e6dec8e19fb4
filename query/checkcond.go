package query

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
)

// cond checks a condition on sign-ins.
func (c *checker) cond(e ast.Expr) (cond, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			// A chain of one operator is one node, its operands checked
			// in order: without recursion, and in time linear in their
			// number, however many.
			var xs []cond
			for _, operand := range chain(e) {
				x, err := c.cond(operand)
				if err != nil {
					return nil, err
				}
				switch x := x.(type) {
				case *condAnd:
					if e.Op == "and" {
						xs = append(xs, x.xs...)
						continue
					}
				case *condOr:
					if e.Op == "or" {
						xs = append(xs, x.xs...)
						continue
					}
				}
				xs = append(xs, x)
			}
			if e.Op == "and" {
				return &condAnd{xs: xs}, nil
			}
			if xs = combinePatterns(xs); len(xs) == 1 {
				return xs[0], nil
			}
			return &condOr{xs: xs}, nil
		case "+", "-", "*", "/":
			return nil, errorf(e.Pos, "arithmetic (%s) is for aggregates in a query's head, not for conditions on sign-ins", e.Op)
		}
		if c.timeArith(e) {
			return c.timeCond(e) // time >= now - 1d: timearith.go
		}
		return c.pred(e, e.L, e.Op, []ast.Expr{e.R})
	case *ast.Not:
		x, err := c.cond(e.X)
		if err != nil {
			return nil, err
		}
		if n, ok := x.(*condNot); ok {
			return n.x, nil // not not X is X (not app != x: app = x)
		}
		return &condNot{x: x}, nil
	case *ast.In:
		if t, ok := e.X.(*ast.Tuple); ok && e.Query != nil {
			return c.inTuple(e, t) // (ip, user) in (QUERY): tuple.go
		}
		if e.Query != nil {
			return c.inSubquery(e)
		}
		op := "in"
		if e.Not {
			op = "not in"
		}
		vals := make([]ast.Expr, len(e.Values))
		for i, v := range e.Values {
			vals[i] = v
		}
		return c.pred(e, e.X, op, vals)
	case *ast.Name:
		col := engine.LookupColumn(e.Name)
		if col != nil && col.Field.Kind == signin.KindBool {
			return &pred{src: e, col: col, op: opEq, ints: []int64{1}}, nil // compliant alone: compliant = true
		}
		return nil, errorf(e.Pos, "%q alone is not a condition: compare a field with a value (status = failure)", e.Name)
	}
	return nil, errorf(e.Position(), "%s is not a condition: compare a field with a value (status = failure)", e)
}

// chain returns the operands of a chain of e's operator (and, or), left
// to right, however it is parenthesized: a or (b or c) is a, b, c.
func chain(e *ast.Binary) []ast.Expr {
	var out []ast.Expr
	stack := []ast.Expr{e}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b, ok := x.(*ast.Binary); ok && b.Op == e.Op {
			stack = append(stack, b.R, b.L) // the left first
			continue
		}
		out = append(out, x)
	}
	return out
}

// pred checks a predicate: a field (or a function of one), an operator,
// and values, or another field to compare with.
func (c *checker) pred(src, left ast.Expr, op string, right []ast.Expr) (cond, error) {
	l, err := c.leftSide(left)
	if err != nil {
		return nil, err
	}
	if _, isIn := src.(*ast.In); !isIn && len(right) == 1 {
		r, ok, err := c.rightSide(right[0], l, op)
		if err != nil {
			return nil, err
		}
		if ok {
			return c.fieldCmp(src, l, op, r, right[0])
		}
	}
	return c.predOn(src, l.col, l.fn, l.name(), op, right)
}

// leftSide checks what a predicate starts with: a field, or a function
// of one.
func (c *checker) leftSide(left ast.Expr) (cmpSide, error) {
	switch l := left.(type) {
	case *ast.Name:
		col, err := c.field(l)
		return cmpSide{col: col}, err
	case *ast.Call:
		pl, known := c.reg.Lookup(l.Name)
		if !known {
			return cmpSide{}, errorf(l.Pos, "unknown function %q%s", l.Name, didYouMean(l.Name, c.reg.Names(plugins.KindFunction)))
		}
		if pl.Describe().Kind == plugins.KindAggregate {
			return cmpSide{}, errorf(l.Pos, "%s is an aggregate: a condition on aggregates goes in having (group by … having %s > 1)", l.Name, l)
		}
		fn, err := c.function(l)
		if err != nil {
			return cmpSide{}, err
		}
		return cmpSide{col: fn.col, fn: fn}, nil
	case *ast.Binary:
		if l.Op == "+" || l.Op == "-" || l.Op == "*" || l.Op == "/" {
			return cmpSide{}, errorf(l.Pos, "arithmetic (%s) is for aggregates in a query's head, not for conditions on sign-ins", l.Op)
		}
	}
	return cmpSide{}, errorf(left.Position(), "a condition starts with a field: %s is not one", left)
}

// rightSide reads what follows a comparison's operator as a field, or a
// function of one, when it is: a bare word spelled as a field's name
// (tenant != resourceTenant) or as one of its aliases
// (user != UserPrincipalName), or a call of a function. A quoted string,
// and any other word, is a value (false). A field's name or alias
// spelled in another case than the catalog's (client = Browser) is
// refused: it may mean either the field or the text, which matches
// without regard to case.
func (c *checker) rightSide(e ast.Expr, left cmpSide, op string) (cmpSide, bool, error) {
	var side cmpSide
	switch r := e.(type) {
	case *ast.Name:
		col := engine.LookupColumn(r.Name)
		if col == nil {
			return cmpSide{}, false, nil
		}
		if !col.Field.Spelled(r.Name) {
			return cmpSide{}, false, errorf(r.Pos, "%s is the field %s in another case: to compare %s with that field write %s, to compare it with the text quote it (%s %s %s)",
				r.Name, col.Field.Name, left.name(), col.Field.Name, left.name(), op, ast.Quote(r.Name))
		}
		side = cmpSide{col: col}
	case *ast.Call:
		if strings.EqualFold(r.Name, "bin") {
			return cmpSide{}, false, nil // not a function: predOn says what bin is for
		}
		fn, err := c.function(r)
		if err != nil {
			return cmpSide{}, false, err
		}
		side = cmpSide{col: fn.col, fn: fn}
	default:
		return cmpSide{}, false, nil
	}
	switch op {
	case "=", "!=", "<", "<=", ">", ">=":
		return side, true, nil
	}
	text := e.String()
	if n, ok := e.(*ast.Name); ok {
		return cmpSide{}, false, errorf(e.Position(), "%s is a field, and %s matches text or a pattern: to match the text, quote it (%s %s %s); fields compare with = != < <= > >=",
			text, op, left.name(), op, ast.Quote(n.Name))
	}
	return cmpSide{}, false, errorf(e.Position(), "%s matches text or a pattern, not %s: fields and functions of them compare with = != < <= > >=", op, text)
}

// fieldCmp checks a comparison of two fields (or functions of them),
// which must be of one kind: text with text (= and != only), numbers
// with numbers, times with times, flags with flags (= and != only).
func (c *checker) fieldCmp(src ast.Expr, l cmpSide, op string, r cmpSide, right ast.Expr) (cond, error) {
	lf, rf := l.field(), r.field()
	if kindClass(lf.Kind) != kindClass(rf.Kind) {
		hint := ""
		if n, ok := right.(*ast.Name); ok && kindClass(lf.Kind) == signin.KindString {
			hint = fmt.Sprintf("; to compare %s with the text %s, quote it (%s %s %s)", l.name(), n.Name, l.name(), op, ast.Quote(n.Name))
		}
		return nil, errorf(right.Position(), "%s is %s and %s is %s: a field compares with a field of its kind%s", l.name(), kindWords(lf.Kind), r.name(), kindWords(rf.Kind), hint)
	}
	fc := &fieldCmp{src: src, l: l, r: r, text: kindClass(lf.Kind) == signin.KindString}
	switch op {
	case "=", "!=":
		fc.op = map[string]predOp{"=": opEq, "!=": opNe}[op]
	default:
		for _, f := range []*signin.Field{lf, rf} {
			if k := kindClass(f.Kind); k == signin.KindString || k == signin.KindBool {
				return nil, errorf(right.Position(), "%s compares numbers and times; %s is %s", op, f.Name, kindWords(f.Kind))
			}
		}
		fc.op = map[string]predOp{"<": opLt, "<=": opLe, ">": opGt, ">=": opGe}[op]
	}
	if fc.text && fc.op == opNe {
		// As with a value: on text != is the negation of =, which a
		// missing value ("") and a list without the value satisfy.
		fc.op, fc.src = opEq, positive(src)
		return &condNot{x: fc}, nil
	}
	return fc, nil
}

// kindClass is the class of kinds that compare with each other: text
// (string and list), numbers (whole and decimal), times, flags.
func kindClass(k signin.Kind) signin.Kind {
	switch k {
	case signin.KindList:
		return signin.KindString
	case signin.KindFloat:
		return signin.KindInt
	}
	return k
}

// predOn checks a predicate on a column, or on a function of it.
func (c *checker) predOn(src ast.Expr, col *engine.Column, fn *fnApply, name string, op string, right []ast.Expr) (cond, error) {
	vals := make([]*ast.Literal, len(right))
	for i, r := range right {
		switch r := r.(type) {
		case *ast.Literal:
			vals[i] = r
		case *ast.Name:
			vals[i] = &ast.Literal{Pos: r.Pos, Text: r.Name}
		default:
			return nil, errorf(r.Position(), "%s compares with a value (a word, a number or a quoted string), not %s", name, r)
		}
	}
	p := &pred{src: src, col: col, fn: fn}
	f := p.field()
	switch op {
	case "=", "!=", "in", "not in":
		p.op = map[string]predOp{"=": opEq, "!=": opNe, "in": opIn, "not in": opNotIn}[op]
	case "<", "<=", ">", ">=":
		if f.Kind == signin.KindString || f.Kind == signin.KindList || f.Kind == signin.KindBool {
			return nil, errorf(vals[0].Pos, "%s compares numbers and times; %s is %s", op, f.Name, kindWords(f.Kind))
		}
		p.op = map[string]predOp{"<": opLt, "<=": opLe, ">": opGt, ">=": opGe}[op]
	case "contains", "startswith", "endswith", "like", "~":
		if f.Kind != signin.KindString && f.Kind != signin.KindList {
			return nil, errorf(vals[0].Pos, "%s matches text; %s is %s", op, f.Name, kindWords(f.Kind))
		}
		p.op = map[string]predOp{"contains": opContains, "startswith": opStarts, "endswith": opEnds, "like": opLike, "~": opRegex}[op]
	default:
		return nil, errorf(src.Position(), "unknown operator %q", op)
	}
	// On text, != and not in are the negation of = and in: a sign-in
	// without a value, or whose list has no such element, satisfies them.
	// On numbers, times and flags a missing value satisfies no comparison.
	negate := false
	if f.Kind == signin.KindString || f.Kind == signin.KindList {
		switch p.op {
		case opNe:
			p.op, negate = opEq, true
		case opNotIn:
			p.op, negate = opIn, true
		}
	}
	if err := c.operands(p, vals); err != nil {
		return nil, err
	}
	if negate {
		p.src = positive(src)
		return &condNot{x: p}, nil
	}
	return p, nil
}

// positive is a != or not in as the = or in it negates: what a predicate
// negated by a condNot is, for the plan to say (not app = x).
func positive(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case *ast.Binary:
		if e.Op == "!=" {
			return &ast.Binary{Pos: e.Pos, Op: "=", L: e.L, R: e.R}
		}
	case *ast.In:
		if e.Not {
			return &ast.In{Pos: e.Pos, X: e.X, Values: e.Values, Query: e.Query}
		}
	}
	return e
}

func kindWords(k signin.Kind) string {
	switch k {
	case signin.KindString:
		return "text"
	case signin.KindList:
		return "a list of text"
	case signin.KindInt:
		return "a number"
	case signin.KindFloat:
		return "a decimal number"
	case signin.KindTime:
		return "a time"
	case signin.KindDuration:
		return "a duration"
	case signin.KindBool:
		return "true or false"
	}
	return k.String()
}

// operands types a predicate's values by its field's kind.
func (c *checker) operands(p *pred, vals []*ast.Literal) error {
	f := p.field()
	for _, v := range vals {
		if name, ok := listRef(v); ok {
			if err := c.listOperand(p, v, name); err != nil {
				return err
			}
			continue
		}
		switch f.Kind {
		case signin.KindInt:
			n, err := strconv.ParseInt(v.Text, 10, 64)
			if err != nil {
				x, ferr := strconv.ParseFloat(v.Text, 64)
				if ferr != nil || p.op == opEq || p.op == opNe || p.op == opIn || p.op == opNotIn {
					return errorf(v.Pos, "%s is a number: %s is not one", f.Name, v)
				}
				p.flts = append(p.flts, x)
				continue
			}
			p.ints = append(p.ints, n)
			p.flts = append(p.flts, float64(n))
		case signin.KindFloat:
			x, err := strconv.ParseFloat(v.Text, 64)
			if err != nil {
				return errorf(v.Pos, "%s is a decimal number: %s is not one", f.Name, v)
			}
			p.flts = append(p.flts, x)
		case signin.KindBool:
			b, err := strconv.ParseBool(strings.ToLower(v.Text))
			if err != nil {
				return errorf(v.Pos, "%s is true or false, not %s", f.Name, v)
			}
			p.ints = append(p.ints, map[bool]int64{false: 0, true: 1}[b])
		case signin.KindTime:
			if p.op == opIn || p.op == opNotIn {
				return errorf(v.Pos, "compare %s with <, <=, >, >= (or use since and between)", f.Name)
			}
			t, err := c.instant(v)
			if err != nil {
				return err
			}
			p.ints = append(p.ints, t.UnixNano())
		default:
			if err := c.textOperand(p, v); err != nil {
				return err
			}
		}
	}
	p.compactOperands()
	return nil
}

// textOperand types a value compared with a text field.
func (c *checker) textOperand(p *pred, v *ast.Literal) error {
	f := p.field()
	switch p.op {
	case opLike:
		p.re = globRegexp(v.Text)
		return nil
	case opRegex:
		re, err := regexp.Compile("(?i)" + v.Text)
		if err != nil {
			return errorf(v.Pos, "bad regular expression %s: %v", v, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		p.re = re
		return nil
	}
	if f.Name == "ip" && (p.op == opEq || p.op == opIn || p.op == opCIDR) {
		if pfx, err := netip.ParsePrefix(v.Text); err == nil {
			if p.op == opEq {
				return errorf(v.Pos, "%s is a network: write ip in %s", v, v)
			}
			p.op = opCIDR // ip in prefixes, and any addresses beside them
			p.cidrs = append(p.cidrs, pfx.Masked())
			return nil
		}
		if a, err := netip.ParseAddr(v.Text); err == nil {
			p.addrs = append(p.addrs, a.Unmap())
		} else if err := badAddress(v.Text); err != nil {
			return errorf(v.Pos, "%s %v", v, err)
		}
	}
	if f.Values != nil && (p.op == opEq || p.op == opIn) {
		known := false
		for _, k := range f.Values {
			known = known || strings.EqualFold(k, v.Text)
		}
		if !known && v.Text != "" {
			return errorf(v.Pos, "%s has no value %q%s (its values: %s)", f.Name, v.Text, didYouMean(v.Text, f.Values), strings.Join(f.Values, ", "))
		}
	}
	p.strs = append(p.strs, v.Text)
	return nil
}

// badAddress says why a value compared with ip, which is not an
// address, is not the network or address it was meant to be: a network
// (it has a /) that does not parse, or four numbers with dots that are
// not an IPv4 address. Other text is compared as text, and gives nil.
func badAddress(s string) error {
	if addr, bits, ok := strings.Cut(s, "/"); ok {
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return fmt.Errorf("is not a network: %s is not an IP address (%v)", addr, addrReason(err))
		}
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 || n > a.BitLen() {
			return fmt.Errorf("is not a network: its prefix length %s is not a number from 0 to %d (an %s address has %d bits)", bits, a.BitLen(), map[bool]string{true: "IPv6", false: "IPv4"}[a.Is6()], a.BitLen())
		}
		if _, err := netip.ParsePrefix(s); err != nil {
			return fmt.Errorf("is not a network: %v", addrReason(err))
		}
		return nil
	}
	if parts := strings.Split(s, "."); len(parts) == 4 && strings.Trim(s, "0123456789.") == "" {
		_, err := netip.ParseAddr(s)
		return fmt.Errorf("is not an IP address (%v)", addrReason(err))
	}
	return nil
}

// addrReason is netip's reason for refusing an address or network,
// without the call it repeats.
func addrReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	return msg
}

// globRegexp compiles a like pattern: * is any text, ? one character,
// the rest literal; the whole value must match, without regard to case.
func globRegexp(glob string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
