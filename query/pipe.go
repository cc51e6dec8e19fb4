package query

import (
	"context"
	"iter"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// The operators of the language after a |, on the rows so far (an
// aggregate's, top's, a list's or a stage's): where, order by, limit
// (this file), join (join.go) and sequence (sequence.go). Each is bound, as a stage is, to the
// columns it receives, and runs as one (a plugins.Runner), in the order
// written among the stages.

// operator checks an operator after a | and adds it to the plan's
// stages.
func (c *checker) operator(p *Plan, s *ast.Stage) error {
	in := stageInput(p)
	var r plugins.Runner
	var err error
	switch {
	case s.Where != nil:
		w := &whereRunner{cols: in}
		w.cond, err = (&rowChecker{c: c, cols: in, fail: &w.err}).cond(s.Where)
		r = w
	case s.OrderBy != nil:
		r, err = orderOf(in, s.OrderBy)
	case s.Limit != nil:
		var n int
		n, err = c.count(s.Limit, "limit")
		r = &limitRunner{cols: in, n: n}
	case s.Join != nil:
		r, err = c.join(in, s.Join)
	case s.Sequence != nil:
		r, err = c.sequence(in, s.Sequence)
	}
	if err != nil {
		return err
	}
	p.stages = append(p.stages, &boundStage{src: s, runner: r})
	return nil
}

// rowChecker checks a condition on rows of known columns (| where): the
// having of rows without aggregates. It makes having's conditions
// (rowAnd, rowOr, rowNot, rowCmp), whose operands are columns, numbers,
// texts, times, flags and arithmetic over numbers (rowCalc), and text
// comparisons (rowTextCmp).
type rowChecker struct {
	c    *checker
	cols []result.Column
	fail *error // where a rowCalc records an overflow
}

func (rc *rowChecker) cond(e ast.Expr) (rowCond, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := rc.cond(e.L)
			if err != nil {
				return nil, err
			}
			r, err := rc.cond(e.R)
			if err != nil {
				return nil, err
			}
			if e.Op == "and" {
				return rowAnd{l, r}, nil
			}
			return rowOr{l, r}, nil
		case "=", "!=", "<", "<=", ">", ">=":
			return rc.compare(e.Op, e.L, e.R, e)
		case "contains", "startswith", "endswith", "like", "~":
			return rc.match(e)
		}
	case *ast.Not:
		x, err := rc.cond(e.X)
		if err != nil {
			return nil, err
		}
		if n, ok := x.(rowNot); ok {
			return n.x, nil
		}
		return rowNot{x}, nil
	case *ast.In:
		if e.Query != nil {
			return nil, errorf(e.Pos, "a where after | compares columns with values: in (QUERY) is for sign-ins (write it in the query's where, or join)")
		}
		var or rowCond
		for _, v := range e.Values {
			x, err := rc.inValue(e.X, v, e)
			if err != nil {
				return nil, err
			}
			if or == nil {
				or = x
			} else {
				or = rowOr{or, x}
			}
		}
		if e.Not {
			return rowNot{or}, nil
		}
		return or, nil
	}
	return nil, errorf(e.Position(), "a where after | compares columns with values or each other (where count >= 20), not %s", e)
}

// inValue checks one value of an in (…) over a row's column: a value,
// as = compares it, or a named list (@name), whose set the column's
// value is tested against as F in @name tests a sign-in's field.
func (rc *rowChecker) inValue(x ast.Expr, v *ast.Literal, src ast.Expr) (rowCond, error) {
	name, ok := listRef(v)
	if !ok {
		return rc.compare("=", x, v, src)
	}
	i, ok := rc.column(x)
	var f *signin.Field
	if ok {
		f = signin.Lookup(rc.cols[i].Field)
	}
	if f == nil {
		return nil, errorf(x.Position(), "@%s is a list of a field's values: %s is not a column of a field", name, x)
	}
	l, err := rc.c.lists.lookup(name)
	if err != nil {
		return nil, err
	}
	if l == nil && rc.c.lists != nil && rc.c.lists.lenient {
		l = &List{Name: name} // a saved query's, checked where it runs
	}
	if l == nil {
		return nil, errorf(v.Pos, "unknown list @%s%s", name, didYouMean("@"+name, rc.c.lists.names()))
	}
	m, err := l.membersFor(f)
	if err != nil {
		return nil, errorf(v.Pos, "%v", err)
	}
	return rowInList{col: i, m: m}, nil
}

// rowInList holds when a row's column holds a value of a named list's
// set (a multi-valued one when one of its elements does); a null, or
// empty text, is in no list.
type rowInList struct {
	col int
	m   *members
}

func (c rowInList) holds(row []result.Value) bool {
	v := row[c.col]
	switch {
	case v.IsNull():
		return false
	case v.Kind() == signin.KindList:
		return slices.ContainsFunc(v.List(), func(s string) bool { return s != "" && c.m.hasString(s) })
	case v.Kind() == signin.KindString:
		return v.Str() != "" && c.m.hasString(v.Str())
	case v.Kind() == signin.KindFloat:
		return c.m.hasFloat(v.Float())
	}
	return c.m.hasInt(v.Int())
}

// compare checks a comparison of two operands.
func (rc *rowChecker) compare(op string, le, re ast.Expr, src ast.Expr) (rowCond, error) {
	// A column on one side types a value on the other: text, a time.
	lcol, lok := rc.column(le)
	rcol, rok := rc.column(re)
	lk, rk := noKind, noKind
	if lok {
		lk = rc.cols[lcol].Kind
	}
	if rok {
		rk = rc.cols[rcol].Kind
	}
	l, err := rc.operand(le, rk)
	if err != nil {
		return nil, err
	}
	r, err := rc.operand(re, lk)
	if err != nil {
		return nil, err
	}
	lk, rk = rc.kind(l), rc.kind(r)
	numeric := func(k signin.Kind) bool { return k == signin.KindInt || k == signin.KindFloat }
	text := func(k signin.Kind) bool { return k == signin.KindString || k == signin.KindList }
	switch {
	case numeric(lk) && numeric(rk):
	case text(lk) && text(rk):
		if op != "=" && op != "!=" {
			return nil, errorf(src.Position(), "%s compares numbers and times; text compares with = and !=", op)
		}
		return rowTextCmp{eq: op == "=", l: l, r: r}, nil
	case lk == rk && (lk == signin.KindTime || lk == signin.KindDuration || lk == signin.KindBool):
		if lk == signin.KindBool && op != "=" && op != "!=" {
			return nil, errorf(src.Position(), "%s compares numbers and times; true or false compares with = and !=", op)
		}
	default:
		side, k := re, rk
		if numeric(rk) || text(rk) && !text(lk) && !numeric(lk) {
			side, k = le, lk
		}
		other := lk
		if side == le {
			other = rk
		}
		return nil, errorf(side.Position(), "%s is %s and is compared with %s: a where after | compares values of one kind", side, kindWords(k), kindWords(other))
	}
	return rowCmp{op: op, l: l, r: r}, nil
}

// match checks a match of a text column with text: contains,
// startswith, endswith, like and ~, as on sign-ins (without regard to
// case; a list column when one of its elements matches).
func (rc *rowChecker) match(e *ast.Binary) (rowCond, error) {
	i, ok := rc.column(e.L)
	if !ok {
		names := columnNames(rc.cols)
		return nil, errorf(e.L.Position(), "%s matches a column of text: %s is not one of the columns (%s)", e.Op, e.L, strings.Join(names, ", "))
	}
	if k := rc.cols[i].Kind; k != signin.KindString && k != signin.KindList {
		return nil, errorf(e.Pos, "%s matches text; %s is %s", e.Op, rc.cols[i].Name, kindWords(k))
	}
	var text string
	switch r := e.R.(type) {
	case *ast.Literal:
		text = r.Text
	case *ast.Name:
		text = r.Name
	default:
		return nil, errorf(e.R.Position(), "%s matches with text (a word or a quoted string), not %s", e.Op, e.R)
	}
	m := rowMatch{col: i, op: e.Op, text: strings.ToLower(text)}
	switch e.Op {
	case "like":
		m.re = globRegexp(text)
	case "~":
		re, err := regexp.Compile("(?i)" + text)
		if err != nil {
			return nil, errorf(e.R.Position(), "bad regular expression %s: %v", e.R, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		m.re = re
	}
	return m, nil
}

// rowMatch is a match of a text column: null matches nothing.
type rowMatch struct {
	col  int
	op   string
	text string // lower case
	re   *regexp.Regexp
}

func (m rowMatch) holds(row []result.Value) bool {
	v := row[m.col]
	if v.IsNull() {
		return false
	}
	one := func(s string) bool {
		switch m.op {
		case "contains":
			return strings.Contains(strings.ToLower(s), m.text)
		case "startswith":
			return strings.HasPrefix(strings.ToLower(s), m.text)
		case "endswith":
			return strings.HasSuffix(strings.ToLower(s), m.text)
		}
		return m.re.MatchString(s)
	}
	if v.Kind() == signin.KindList {
		return slices.ContainsFunc(v.List(), one)
	}
	return one(v.Str())
}

// column finds the column an operand names: a bare word or a quoted
// string spelled as a column's name, without regard to case.
func (rc *rowChecker) column(e ast.Expr) (int, bool) {
	var name string
	switch e := e.(type) {
	case *ast.Name:
		name = e.Name
	case *ast.Literal:
		if !e.Quoted {
			return -1, false
		}
		name = e.Text
	default:
		return -1, false
	}
	return ColumnNamed(rc.cols, name)
}

// columnNamed finds a column by its name, without regard to case, or a
// field's column by another of the field's names (UserPrincipalName for
// user).
func ColumnNamed(cols []result.Column, name string) (int, bool) {
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i, true
		}
	}
	if f := signin.Lookup(name); f != nil {
		for i, c := range cols {
			if c.Name == f.Name && c.Field == f.Name {
				return i, true
			}
		}
	}
	return -1, false
}

// operand checks one side of a comparison: a column; a number; arithmetic
// over numbers and numeric columns; or, facing a column of text, times
// or flags (other), a value of its kind. A quoted string facing text is
// text, else it names a column.
func (rc *rowChecker) operand(e ast.Expr, other signin.Kind) (rowOperand, error) {
	if b, ok := e.(*ast.Binary); ok {
		switch b.Op {
		case "+", "-", "*", "/":
			return rc.calc(b)
		}
	}
	lit, isLit := e.(*ast.Literal)
	textOther := other == signin.KindString || other == signin.KindList
	if isLit && lit.Quoted && textOther {
		return rowOperand{col: -1, value: result.StringValue(lit.Text)}, nil
	}
	if i, ok := rc.column(e); ok {
		return rowOperand{col: i}, nil
	}
	var word string
	var pos ast.Pos
	switch e := e.(type) {
	case *ast.Name:
		word, pos = e.Name, e.Pos
	case *ast.Literal:
		word, pos = e.Text, e.Pos
		if e.Quoted && !textOther {
			names := columnNames(rc.cols)
			return rowOperand{}, errorf(pos, "unknown column %s%s (the columns: %s)", e, didYouMean(e.Text, names), strings.Join(names, ", "))
		}
	default:
		return rowOperand{}, errorf(e.Position(), "%s is not a column or a value", e)
	}
	switch {
	case textOther:
		return rowOperand{col: -1, value: result.StringValue(word)}, nil
	case other == signin.KindTime:
		t, err := rc.c.instant(&ast.Literal{Pos: pos, Text: word})
		if err != nil {
			return rowOperand{}, err
		}
		return rowOperand{col: -1, value: result.TimeValue(t)}, nil
	case other == signin.KindBool:
		b, err := strconv.ParseBool(strings.ToLower(word))
		if err != nil {
			return rowOperand{}, errorf(pos, "%s is not true or false", word)
		}
		return rowOperand{col: -1, value: result.BoolValue(b)}, nil
	}
	if n, err := strconv.ParseInt(word, 10, 64); err == nil {
		return rowOperand{col: -1, value: result.IntValue(n)}, nil
	}
	if x, ok := (&ast.Literal{Text: word}).Number(); ok {
		return rowOperand{col: -1, value: result.FloatValue(x)}, nil
	}
	// now, a duration (5m) or a time (2026-11-01), as in having
	// (timearith.go).
	if v, ok, err := rc.c.timeConstant(e); err != nil || ok {
		return rowOperand{col: -1, value: v}, err
	}
	names := columnNames(rc.cols)
	return rowOperand{}, errorf(pos, "unknown column %q%s (the columns: %s)", word, didYouMean(word, names), strings.Join(names, ", "))
}

// calc checks arithmetic over numbers and numeric columns, or time
// arithmetic over times and durations (last - first, now - 30d) as
// having does (timearith.go).
func (rc *rowChecker) calc(b *ast.Binary) (rowOperand, error) {
	var sides [2]rowOperand
	for i, e := range []ast.Expr{b.L, b.R} {
		o, err := rc.operand(e, noKind)
		if err != nil {
			return rowOperand{}, err
		}
		sides[i] = o
	}
	if lk, rk := rc.kind(sides[0]), rc.kind(sides[1]); isTimeKind(lk) || isTimeKind(rk) {
		k, err := timeArithKind(b, lk, rk)
		if err != nil {
			return rowOperand{}, err
		}
		return rowOperand{col: -1, calc: &rowCalc{src: b, op: b.Op, l: sides[0], r: sides[1], k: k, fail: rc.fail}}, nil
	}
	for i, e := range []ast.Expr{b.L, b.R} {
		if k := rc.kind(sides[i]); k != signin.KindInt && k != signin.KindFloat {
			return rowOperand{}, errorf(e.Position(), "%s is %s: arithmetic takes numbers", e, kindWords(k))
		}
	}
	k := signin.KindInt
	if b.Op == "/" || rc.kind(sides[0]) == signin.KindFloat || rc.kind(sides[1]) == signin.KindFloat {
		k = signin.KindFloat
	}
	return rowOperand{col: -1, calc: &rowCalc{src: b, op: b.Op, l: sides[0], r: sides[1], k: k, fail: rc.fail}}, nil
}

// kind is an operand's kind.
func (rc *rowChecker) kind(o rowOperand) signin.Kind {
	switch {
	case o.calc != nil:
		return o.calc.k
	case o.col >= 0:
		return rc.cols[o.col].Kind
	}
	return o.value.Kind()
}

// noKind stands for no kind: an operand not facing a column.
const noKind = signin.Kind(math.MaxUint8)

func columnNames(cols []result.Column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// rowCalc is arithmetic over a row's numbers: as in heads (arith.go),
// null when either side is, or on division by zero; a result beyond its
// kind's range is an error, recorded in fail.
type rowCalc struct {
	src  *ast.Binary
	op   string
	l, r rowOperand
	k    signin.Kind
	fail *error
}

func (c *rowCalc) value(row []result.Value) result.Value {
	a, b := c.l.of(row), c.r.of(row)
	v, ok := Arithmetic(c.op, a, b, c.k)
	if !ok && *c.fail == nil {
		*c.fail = errorf(c.src.Pos, "%s overflows: %s %s %s is beyond the range of numbers", ast.OperandText(c.src), numberWords(a), c.op, numberWords(b))
	}
	return v
}

// rowTextCmp compares texts without regard to case: a list equals a text
// when one of its elements does. A null satisfies neither = nor !=.
type rowTextCmp struct {
	eq   bool
	l, r rowOperand
}

func (c rowTextCmp) holds(row []result.Value) bool {
	a, b := c.l.of(row), c.r.of(row)
	if a.IsNull() || b.IsNull() {
		return false
	}
	if a.Kind() == signin.KindString && b.Kind() == signin.KindString {
		return strings.EqualFold(a.Str(), b.Str()) == c.eq
	}
	texts := func(v result.Value) []string {
		if v.Kind() == signin.KindList {
			return v.List()
		}
		return []string{v.Str()}
	}
	return anyEqualFold(texts(a), texts(b)) == c.eq
}

// whereRunner is | where COND.
type whereRunner struct {
	cols []result.Column
	cond rowCond
	err  error // an overflow of arithmetic in cond
}

func (w *whereRunner) Columns() []result.Column { return w.cols }

func (w *whereRunner) Run(ctx context.Context, _ *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	w.err = nil
	n := 0
	for row := range in {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ok := w.cond.holds(row)
		if w.err != nil {
			return w.err
		}
		if ok {
			if err := emit(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// orderRunner is | order by COLUMN [asc|desc], …: a stable sort, nulls
// first ascending, as order by sorts.
type orderRunner struct {
	cols  []result.Column
	order []orderKey
}

// orderOf checks order by's columns, named as they are.
func orderOf(cols []result.Column, items []*ast.Order) (*orderRunner, error) {
	r := &orderRunner{cols: cols}
	rc := &rowChecker{cols: cols}
	for _, o := range items {
		i, ok := rc.column(o.Expr)
		if !ok {
			names := columnNames(cols)
			word := o.Expr.String()
			if l, isLit := o.Expr.(*ast.Literal); isLit {
				word = l.Text
			}
			return nil, errorf(o.Expr.Position(), "unknown column %q%s (the columns: %s)", word, didYouMean(word, names), strings.Join(names, ", "))
		}
		r.order = append(r.order, orderKey{col: i, desc: o.Desc})
	}
	return r, nil
}

func (r *orderRunner) Columns() []result.Column { return r.cols }

func (r *orderRunner) Run(ctx context.Context, _ *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	var rows [][]result.Value
	for row := range in {
		rows = append(rows, row)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	slices.SortStableFunc(rows, func(a, b []result.Value) int {
		for _, o := range r.order {
			c := result.Compare(a[o.col], b[o.col])
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	for _, row := range rows {
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// limitRunner is | limit N: the first N rows.
type limitRunner struct {
	cols []result.Column
	n    int
}

func (r *limitRunner) Columns() []result.Column { return r.cols }

func (r *limitRunner) Run(_ context.Context, _ *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	n := 0
	for row := range in {
		if n >= r.n {
			break
		}
		n++
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}
