package clickhouse

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// ErrNotExpressible is wrapped by the error for a query the compiler
// cannot say exactly in ClickHouse SQL; the error names the construct
// and why.
var ErrNotExpressible = errors.New("not expressible in ClickHouse SQL")

// NotExpressibleError is the error for a construct Compile refuses.
type NotExpressibleError struct {
	Construct string // what was refused: "stages", "subqueries", "~"
	Why       string // why
	Pos       ast.Pos
}

func (e *NotExpressibleError) Error() string {
	return fmt.Sprintf("%s: %s is not expressible in ClickHouse SQL: %s", e.Pos, e.Construct, e.Why)
}

func (e *NotExpressibleError) Unwrap() error { return ErrNotExpressible }

func refuse(pos ast.Pos, construct, why string) error {
	return &NotExpressibleError{Construct: construct, Why: why, Pos: pos}
}

// unimplemented is the reason for constructs SQL could say but this
// compiler does not yet.
const unimplemented = "signinq does not compile it to SQL yet"

// Compiled is a query compiled to ClickHouse SQL, and what signinq does
// with the rows ClickHouse returns.
type Compiled struct {
	// SQL is the statement, over the table Table of the database, as
	// explain shows it: with subqueries, their statements first (run
	// first) and the conditions on their values named in braces.
	SQL      string
	sql      string          // the statement, its subqueries' conditions marked (subMarker)
	subs     []*subquery     // run first, by Run
	post     []postOp        // the operators after |, applied by signinq
	absent   *absence        // group by KEY in @list: its rows of no sign-ins
	postText []string        // the operators, as written, for explain
	Columns  []result.Column // the answer's columns
	outs     []*out          // every column: selected by SQL, or computed (calc)
	visible  []int           // the outs that are the answer's columns, in order
	having   rowCond         // nil: none
	order    []orderKey      // the rows' order; nil: as ClickHouse returns them
	keys     []int           // the key columns, for the last tie-break (their text)
	limit    int             // -1: none
	sumOver  []int           // outs whose value is a whole-number sum, checked for overflow
}

// out is an output column and the SQL it is selected by.
type out struct {
	name    string
	kind    signin.Kind
	sql     string
	key     bool
	field   string
	bin     time.Duration
	hidden  bool
	agg     string                       // the aggregate's canonical text, for finding it again
	aggName string                       // the aggregate's name in lower case (count, dcountif, …)
	sumF    bool                         // a whole-number sum: a second column holds its float sum
	sumOf   string                       // the field of a whole-number sum
	calc    calc                         // computed by signinq over the row, when sql is ""
	conv    func(string) (string, error) // makes the text SQL selects the value (sqlValue.conv)
}

type orderKey struct {
	col  int
	desc bool
}

// rowCond is having's condition on an output row; an error is an
// overflow of its arithmetic, the query's error.
type rowCond interface {
	holds(r []result.Value) (bool, error)
}

type rowAnd struct{ l, r rowCond }
type rowOr struct{ l, r rowCond }
type rowNot struct{ x rowCond }
type rowCmp struct {
	op   string
	l, r rowOperand
}
type rowOperand struct {
	col   int // -1: value, or calc
	value result.Value
	calc  calc
}

func (c rowAnd) holds(r []result.Value) (bool, error) {
	a, err := c.l.holds(r)
	if err != nil || !a {
		return false, err
	}
	return c.r.holds(r)
}

func (c rowOr) holds(r []result.Value) (bool, error) {
	a, err := c.l.holds(r)
	if err != nil || a {
		return a, err
	}
	return c.r.holds(r)
}

func (c rowNot) holds(r []result.Value) (bool, error) {
	a, err := c.x.holds(r)
	return !a, err
}

func (c rowCmp) holds(r []result.Value) (bool, error) {
	a, err := c.l.of(r)
	if err != nil {
		return false, err
	}
	b, err := c.r.of(r)
	if err != nil {
		return false, err
	}
	return result.Holds(c.op, a, b), nil
}

func (o rowOperand) of(r []result.Value) (result.Value, error) {
	switch {
	case o.calc != nil:
		return eval(o.calc, r)
	case o.col < 0:
		return o.value, nil
	}
	return r[o.col], nil
}

// compiler compiles one checked query.
type compiler struct {
	plan     *query.Plan
	database string
	outs     []*out
	lists    map[string][]string // named lists by lower-case name: the built-ins and the caller's
	given    map[string][]string // the caller's named lists, as given
	reg      *plugins.Registry   // what subqueries are checked against; nil: the standard one
	subs     []*subquery
	fnSQL    map[*signin.Field]string // a function's value standing for a field in a condition (fnField)
	postText []string                 // the operators after |, as written, for explain
}

// Compile compiles a checked plan (query.Prepare) to SQL over the table
// Table of database. A construct it cannot say exactly is an error
// wrapping ErrNotExpressible.
func Compile(plan *query.Plan, database string) (*Compiled, error) {
	return compile(plan, database, nil, nil)
}

// compile is Compile with named lists beside the built-in ones, which
// the plan was checked with.
func compile(plan *query.Plan, database string, lists map[string][]string, reg *plugins.Registry) (*Compiled, error) {
	st := plan.Statement
	if st == nil || st.Query == nil || st.Explain || st.Analyze {
		return nil, refuse(ast.Pos{}, "this statement", "only queries run on ClickHouse")
	}
	c := &compiler{plan: plan, database: database, lists: listValues(lists), given: lists, reg: reg}
	return c.compile()
}

// compile compiles c's plan, a query.
func (c *compiler) compile() (*Compiled, error) {
	cp, err := c.compileQuery()
	if err != nil {
		return nil, err
	}
	cp.sql, cp.subs, cp.postText = cp.SQL, c.subs, c.postText
	cp.SQL = cp.display()
	return cp, nil
}

func (c *compiler) compileQuery() (*Compiled, error) {
	q := c.plan.Statement.Query
	if len(q.Stages) == 0 {
		return c.compileBase(q)
	}
	base := *q
	base.Stages = nil
	cp, err := c.compileBase(&base)
	if err != nil {
		return nil, err
	}
	if cp.post, cp.Columns, err = c.operators(q.Stages, cp.Columns); err != nil {
		return nil, err
	}
	return cp, nil
}

// compileBase compiles a query without stages.
func (c *compiler) compileBase(q *ast.Query) (*Compiled, error) {
	where, err := c.where(q)
	if err != nil {
		return nil, err
	}
	switch q.Kind {
	case ast.Aggregate, ast.Top:
		return c.aggregate(q, where)
	case ast.List:
		return c.list(q, where)
	}
	return nil, refuse(q.Pos, "show", unimplemented)
}

func (c *compiler) table() string { return ident(c.database) + "." + ident(Table) }

// where is the SQL condition of the query's where and time range.
func (c *compiler) where(q *ast.Query) (string, error) {
	var conds []string
	p := c.plan
	if p.From != math.MinInt64 {
		conds = append(conds, fmt.Sprintf("%s >= toDateTime(%d, 'UTC')", ident(colSecond), floorDiv(p.From, 1e9)),
			fmt.Sprintf("%s >= %d", ident("time"), p.From))
	}
	if p.To != math.MaxInt64 {
		conds = append(conds, fmt.Sprintf("%s <= toDateTime(%d, 'UTC')", ident(colSecond), floorDiv(p.To-1, 1e9)),
			fmt.Sprintf("%s < %d", ident("time"), p.To))
	}
	if q.Where != nil {
		s, err := c.cond(q.Where)
		if err != nil {
			return "", err
		}
		conds = append(conds, s)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// cond compiles a condition on sign-ins to SQL that is 1 or 0, never
// null: a missing number, time or flag satisfies no comparison.
func (c *compiler) cond(e ast.Expr) (string, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := c.cond(e.L)
			if err != nil {
				return "", err
			}
			r, err := c.cond(e.R)
			if err != nil {
				return "", err
			}
			return "(" + l + " " + strings.ToUpper(e.Op) + " " + r + ")", nil
		}
		return c.compare(e)
	case *ast.Not:
		x, err := c.cond(e.X)
		if err != nil {
			return "", err
		}
		return not(x), nil
	case *ast.In:
		return c.in(e)
	case *ast.Name:
		f := signin.Lookup(e.Name)
		if f != nil && f.Kind == signin.KindBool {
			return "ifNull(" + ident(f.Name) + " = 1, 0)", nil
		}
	}
	return "", refuse(e.Position(), e.String(), unimplemented)
}

// field resolves the left side of a predicate: a field by name.
func (c *compiler) field(e ast.Expr) (*signin.Field, error) {
	switch e := e.(type) {
	case *ast.Name:
		if f := signin.Lookup(e.Name); f != nil {
			return f, nil
		}
	case *ast.Call:
		return nil, refuse(e.Pos, "a function in a condition ("+e.Name+")", unimplemented)
	case *ast.Tuple:
		return nil, refuse(e.Pos, "several fields at once ("+e.String()+")", unimplemented)
	}
	return nil, refuse(e.Position(), e.String(), unimplemented)
}

// condField resolves the left side of a predicate on values: a field,
// or a function of one (hour(time) >= 22, domain(user) = "contoso.com"),
// whose value the predicate compares as a field of its kind.
func (c *compiler) condField(e ast.Expr) (*signin.Field, error) {
	call, ok := e.(*ast.Call)
	if !ok {
		return c.field(e)
	}
	v, err := fnValue(call)
	if err != nil {
		return nil, err
	}
	if v.conv != nil {
		return nil, refuse(call.Pos, "a condition on "+call.String(), "SQL's values of the function are not its texts")
	}
	f := &signin.Field{Name: strings.ToLower(call.String()), Kind: v.kind}
	if c.fnSQL == nil {
		c.fnSQL = map[*signin.Field]string{}
	}
	c.fnSQL[f] = v.sql
	return f, nil
}

// col is a field's column in SQL, or a function's value (condField).
func (c *compiler) col(f *signin.Field) string {
	if s, ok := c.fnSQL[f]; ok {
		return s
	}
	return ident(f.Name)
}

// str is a text field's value in SQL, or a function's (condField).
func (c *compiler) str(f *signin.Field) string {
	if s, ok := c.fnSQL[f]; ok {
		return s
	}
	return strExpr(f)
}

// isField reports whether a right side is a field, as the checker reads
// it: a bare word spelled as the catalog spells a field or an alias.
func isField(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Name:
		f := signin.Lookup(e.Name)
		return f != nil && f.Spelled(e.Name)
	case *ast.Call:
		return !strings.EqualFold(e.Name, "bin")
	}
	return false
}

// isTimeArith reports whether a comparison is time arithmetic, as the
// engine reads it: a side adds or subtracts, or is now beside a time
// (now alone beside a text field is the text "now").
func (c *compiler) isTimeArith(e *ast.Binary) bool {
	isNow := func(x ast.Expr) bool {
		n, ok := x.(*ast.Name)
		return ok && strings.EqualFold(n.Name, "now")
	}
	addSub := func(x ast.Expr) bool {
		b, ok := x.(*ast.Binary)
		return ok && (b.Op == "+" || b.Op == "-")
	}
	if addSub(e.L) || addSub(e.R) || isNow(e.L) {
		return true
	}
	if !isNow(e.R) {
		return false
	}
	switch l := e.L.(type) {
	case *ast.Name:
		f := signin.Lookup(l.Name)
		return f != nil && f.Kind == signin.KindTime
	case *ast.Call:
		v, err := fnValue(l)
		return err == nil && v.kind == signin.KindTime
	}
	return false
}

var flipped = map[string]string{"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func (c *compiler) compare(e *ast.Binary) (string, error) {
	if c.isTimeArith(e) {
		return c.timeCompare(e)
	}
	if isField(e.R) {
		switch e.Op {
		case "=", "!=", "<", "<=", ">", ">=":
			return c.fieldCompare(e)
		}
	}
	f, err := c.condField(e.L)
	if err != nil {
		return "", err
	}
	lit, err := literal(e.R)
	if err != nil {
		return "", err
	}
	return c.pred(e.Pos, f, e.Op, []*ast.Literal{lit})
}

// timeCompare compiles a comparison of times or durations in a
// condition on sign-ins, as the engine checks it: time fields (and
// date(time)) added and subtracted with constants (now, durations,
// times), at most two fields, one added and one subtracted; a sign-in
// missing a field satisfies none. Two fields compare their difference
// exactly, an int64 overflow of it beyond any constant, as the engine.
func (c *compiler) timeCompare(e *ast.Binary) (string, error) {
	op := e.Op
	if _, ok := flipped[op]; !ok {
		return "", refuse(e.Pos, e.String(), "times compare with = != < <= > >=")
	}
	var fields []timeTerm
	var k int64
	ok := c.timeSide(e.L, 1, &fields, &k) && c.timeSide(e.R, -1, &fields, &k)
	if !ok || len(fields) == 0 || len(fields) > 2 || k == math.MinInt64 {
		return "", refuse(e.Pos, "time arithmetic ("+e.String()+")", "not time fields and constants as the language compares them")
	}
	// Σ fields + k op 0: Σ fields op -k.
	k = -k
	if len(fields) == 1 {
		f := fields[0]
		if f.sign < 0 {
			op, k = flipped[op], -k
		}
		return "ifNull(" + f.sql + " " + op + " " + strconv.FormatInt(k, 10) + ", 0)", nil
	}
	a, b := fields[0], fields[1]
	if a.sign < 0 {
		a, b = b, a
	}
	if a.sign < 0 || b.sign > 0 {
		return "", refuse(e.Pos, "time arithmetic ("+e.String()+")", "two times are compared by their difference")
	}
	d := "(" + a.sql + " - " + b.sql + ")"
	ks := strconv.FormatInt(k, 10)
	over := "((" + a.sql + " >= 0) != (" + b.sql + " >= 0) AND (" + d + " >= 0) != (" + a.sql + " >= 0))"
	cmp := "if(" + over + ", if(" + a.sql + " > " + b.sql + ", 1, -1), if(" + d + " < " + ks + ", -1, if(" + d + " > " + ks + ", 1, 0)))"
	return "ifNull(" + cmp + " " + op + " 0, 0)", nil
}

// timeTerm is a time field (or date(time)) of a comparison, added (sign
// 1) or subtracted (-1).
type timeTerm struct {
	sql  string
	sign int
}

// timeSide reads one side of a comparison of times with the sign it is
// added with: its time fields into fields, its constants summed into k
// (false on an overflow, or what is not a time, a duration or a time
// field).
func (c *compiler) timeSide(e ast.Expr, sign int, fields *[]timeTerm, k *int64) bool {
	switch x := e.(type) {
	case *ast.Binary:
		if x.Op != "+" && x.Op != "-" {
			return false
		}
		rs := sign
		if x.Op == "-" {
			rs = -sign
		}
		return c.timeSide(x.L, sign, fields, k) && c.timeSide(x.R, rs, fields, k)
	case *ast.Call:
		v, err := fnValue(x)
		if err != nil || v.kind != signin.KindTime {
			return false
		}
		*fields = append(*fields, timeTerm{sql: v.sql, sign: sign})
		return true
	case *ast.Name:
		if !strings.EqualFold(x.Name, "now") {
			if f := signin.Lookup(x.Name); f != nil {
				if f.Kind != signin.KindTime {
					return false
				}
				*fields = append(*fields, timeTerm{sql: ident(f.Name), sign: sign})
				return true
			}
		}
	case *ast.Literal:
	default:
		return false
	}
	v, ok := c.timeConst(e)
	if !ok {
		return false
	}
	n := v.Int()
	if sign < 0 {
		if n == math.MinInt64 {
			return false
		}
		n = -n
	}
	sum, ok := plugins.AddInt(*k, n)
	*k = sum
	return ok
}

func duration(e ast.Expr) (time.Duration, bool) {
	var text string
	switch e := e.(type) {
	case *ast.Name:
		text = e.Name
	case *ast.Literal:
		text = e.Text
	default:
		return 0, false
	}
	d, err := ast.ParseDuration(text)
	return d, err == nil
}

// literal is a value on the right of a predicate.
func literal(e ast.Expr) (*ast.Literal, error) {
	switch e := e.(type) {
	case *ast.Literal:
		return e, nil
	case *ast.Name:
		return &ast.Literal{Pos: e.Pos, Text: e.Name}, nil
	}
	return nil, refuse(e.Position(), e.String(), unimplemented)
}

func (c *compiler) in(e *ast.In) (string, error) {
	if e.Query != nil {
		if t, ok := e.X.(*ast.Tuple); ok {
			return c.inTuple(e, t)
		}
		return c.inSubquery(e)
	}
	f, err := c.condField(e.X)
	if err != nil {
		return "", err
	}
	op := "in"
	if e.Not {
		op = "not in"
	}
	return c.pred(e.Pos, f, op, e.Values)
}

// strExpr is a text field's value in SQL.
func strExpr(f *signin.Field) string {
	if f.Name == "type" || f.Name == "status" {
		return "toString(" + ident(f.Name) + ")"
	}
	return ident(f.Name)
}

// fold is text folded for comparison without regard to case.
func fold(s string) string { return "lowerUTF8(" + s + ")" }

// pred compiles a field, an operator and values.
func (c *compiler) pred(pos ast.Pos, f *signin.Field, op string, vals []*ast.Literal) (string, error) {
	var expanded []*ast.Literal
	for _, v := range vals {
		if !v.Quoted && strings.HasPrefix(v.Text, "@") && len(v.Text) > 1 {
			values, ok := c.lists[strings.ToLower(v.Text[1:])]
			if !ok {
				return "", refuse(v.Pos, "a named list ("+v.Text+")", "named lists live in the store; give them in QueryOptions.Lists")
			}
			if len(values) == 0 {
				continue
			}
			for _, x := range values {
				expanded = append(expanded, &ast.Literal{Pos: v.Pos, Text: x, Quoted: true})
			}
			continue
		}
		expanded = append(expanded, v)
	}
	vals = expanded
	if len(vals) == 0 { // in an empty list: in nothing; not in it: text always, numbers when present
		switch {
		case op == "in":
			return "0", nil
		case f.Kind == signin.KindString || f.Kind == signin.KindList:
			return "1", nil
		}
		return "isNotNull(" + c.col(f) + ")", nil
	}
	switch f.Kind {
	case signin.KindString, signin.KindList:
		return c.textPred(pos, f, op, vals)
	}
	col := c.col(f)
	var nums []string
	for _, v := range vals {
		switch f.Kind {
		case signin.KindInt:
			if n, err := strconv.ParseInt(v.Text, 10, 64); err == nil {
				nums = append(nums, strconv.FormatInt(n, 10))
				continue
			}
			x, err := strconv.ParseFloat(v.Text, 64)
			if err != nil {
				return "", refuse(v.Pos, v.String(), "not a number")
			}
			nums = append(nums, floatLit(x))
		case signin.KindFloat:
			x, err := strconv.ParseFloat(v.Text, 64)
			if err != nil {
				return "", refuse(v.Pos, v.String(), "not a number")
			}
			nums = append(nums, floatLit(x))
		case signin.KindBool:
			b, err := strconv.ParseBool(strings.ToLower(v.Text))
			if err != nil {
				return "", refuse(v.Pos, v.String(), "not true or false")
			}
			nums = append(nums, map[bool]string{false: "0", true: "1"}[b])
		case signin.KindTime:
			t, err := query.ParseTime(v.Text)
			if err != nil {
				return "", refuse(v.Pos, v.String(), "not a time")
			}
			nums = append(nums, strconv.FormatInt(t.UnixNano(), 10))
		}
	}
	switch op {
	case "=", "!=", "<", "<=", ">", ">=":
		return "ifNull(" + col + " " + op + " " + nums[0] + ", 0)", nil
	case "in", "not in":
		// NULL IN (…) is 0, and NULL NOT IN (…) 1: a missing value is in
		// neither.
		return "(isNotNull(" + col + ") AND ifNull(" + col + " " + strings.ToUpper(op) + " (" + strings.Join(nums, ", ") + "), 0))", nil
	}
	return "", refuse(pos, op+" on "+f.Name, unimplemented)
}

func floatLit(x float64) string {
	return "toFloat64(" + quote(strconv.FormatFloat(x, 'g', -1, 64)) + ")"
}

// textPred compiles a predicate on text: on a multi-valued field it holds
// when an element satisfies it (a field without elements has the one
// element ""); != and not in are the negations of = and in.
func (c *compiler) textPred(pos ast.Pos, f *signin.Field, op string, vals []*ast.Literal) (string, error) {
	negate := false
	switch op {
	case "!=":
		op, negate = "=", true
	case "not in":
		op, negate = "in", true
	}
	if f.Name == "ip" && op == "in" && len(vals) >= ipSetMin {
		if s, ok := ipSet(vals); ok {
			if negate {
				return not(s), nil
			}
			return s, nil
		}
	}
	x := c.str(f)
	if f.Kind == signin.KindList {
		x = "x"
	}
	if op == "in" && len(vals) >= ipSetMin && f.Name != "ip" {
		// Many texts: a set, not an or of as many tests.
		var quoted []string
		for _, v := range vals {
			quoted = append(quoted, quote(v.Text))
		}
		s := textSet(x, quoted)
		if f.Kind == signin.KindList {
			col := c.col(f)
			s = "arrayExists(x -> " + s + ", if(empty(" + col + "), [''], " + col + "))"
		}
		if negate {
			s = not("(" + s + ")")
		}
		return s, nil
	}
	var ors []string
	for _, v := range vals {
		s, err := c.textValue(pos, f, op, x, v)
		if err != nil {
			return "", err
		}
		ors = append(ors, s)
	}
	s := "(" + strings.Join(ors, " OR ") + ")"
	if f.Kind == signin.KindList {
		col := c.col(f)
		s = "arrayExists(x -> " + s + ", if(empty(" + col + "), [''], " + col + "))"
	}
	if negate {
		s = not(s)
	}
	return s, nil
}

// textValue compiles one value's test of text x.
func (c *compiler) textValue(pos ast.Pos, f *signin.Field, op, x string, v *ast.Literal) (string, error) {
	lit := quote(v.Text)
	switch op {
	case "=", "in":
		eq := fold(x) + " = " + fold(lit)
		if f.Name == "ip" {
			if pfx, err := netip.ParsePrefix(v.Text); err == nil && op == "in" {
				return cidr(pfx.Masked()), nil
			}
			if a, err := netip.ParseAddr(v.Text); err == nil {
				b := a.Unmap().As16()
				return "(ifNull(" + ident(colIP16) + " = " + bytes16(b) + ", 0) OR " + eq + ")", nil
			}
		}
		return eq, nil
	case "contains":
		return "position(" + fold(x) + ", " + fold(lit) + ") > 0", nil
	case "startswith":
		return "substring(" + fold(x) + ", 1, length(" + fold(lit) + ")) = " + fold(lit), nil
	case "endswith":
		return "(length(" + fold(x) + ") >= length(" + fold(lit) + ") AND substring(" + fold(x) + ", length(" + fold(x) + ") - length(" + fold(lit) + ") + 1) = " + fold(lit) + ")", nil
	case "like":
		return fold(x) + " LIKE " + fold(quote(likePattern(v.Text))), nil
	case "~":
		return "", refuse(pos, "~ (a regular expression)", "the language matches it without regard to case, and ClickHouse's match misses case-insensitive patterns ((?i)) on some releases, 18.16 among them")
	}
	return "", refuse(pos, op+" on "+f.Name, unimplemented)
}

// likePattern is a glob (* any text, ? one character) as a LIKE pattern.
func likePattern(glob string) string {
	var b strings.Builder
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func bytes16(b [16]byte) string {
	return "toFixedString(unhex('" + hex.EncodeToString(b[:]) + "'), 16)"
}

// mapped4 is the first 12 bytes of an IPv4-mapped IPv6 address.
const mapped4 = "00000000000000000000ffff"

// cidr is "the address is in the network": a range of 16-byte addresses.
// An IPv4 network holds IPv4 addresses only, an IPv6 one IPv6 addresses
// only, as the engine compares them.
func cidr(p netip.Prefix) string {
	bits := p.Bits()
	a := p.Addr()
	if a.Is4() {
		bits += 96
	}
	lo := a.As16()
	hi := lo
	for i := bits; i < 128; i++ {
		hi[i/8] |= 1 << (7 - i%8)
	}
	col := ident(colIP16)
	s := "ifNull(" + col + " >= " + bytes16(lo) + " AND " + col + " <= " + bytes16(hi) + ", 0)"
	v4 := "ifNull(substring(" + col + ", 1, 12) = unhex('" + mapped4 + "'), 0)"
	if a.Is4() {
		return "(" + s + " AND " + v4 + ")"
	}
	return "(" + s + " AND " + not(v4) + ")"
}

// not negates a condition that is 1 or 0. (ClickHouse 18.16 rewrites
// not(not(x)) as x in a column's name but not in the block, and then
// cannot find the column of a countIf over it: = 0 is not rewritten.)
func not(x string) string { return "(" + x + " = 0)" }

// fieldCompare compiles a comparison of two fields of a sign-in (or
// functions of them, as condField reads them): text
// without regard to case, a missing value the empty text, a multi-valued
// field equal when any element is (no element: the one element ""), !=
// the negation of =; numbers, times and flags present on both sides.
func (c *compiler) fieldCompare(e *ast.Binary) (string, error) {
	l, err := c.condField(e.L)
	if err != nil {
		return "", err
	}
	r, err := c.condField(e.R)
	if err != nil {
		return "", err
	}
	text := func(f *signin.Field) bool { return f.Kind == signin.KindString || f.Kind == signin.KindList }
	if text(l) != text(r) {
		return "", refuse(e.Pos, e.String(), "fields of different kinds")
	}
	if !text(l) {
		return "ifNull(" + c.col(l) + " " + e.Op + " " + c.col(r) + ", 0)", nil
	}
	folded := func(f *signin.Field) string {
		if f.Kind == signin.KindList {
			col := c.col(f)
			return "arrayMap(x -> lowerUTF8(x), if(empty(" + col + "), [''], " + col + "))"
		}
		return "[" + fold(c.str(f)) + "]"
	}
	var eq string
	switch {
	case l.Kind == signin.KindString && r.Kind == signin.KindString:
		eq = fold(c.str(l)) + " = " + fold(c.str(r))
	default:
		eq = "hasAny(" + folded(l) + ", " + folded(r) + ")"
	}
	switch e.Op {
	case "=":
		return "(" + eq + ")", nil
	case "!=":
		return not(eq), nil
	}
	return "", refuse(e.Pos, e.String(), "text compares with = and != only")
}

// listValues are the built-in named lists and the caller's, by name in
// lower case (the caller's shadow none: a store's list cannot take a
// built-in's name).
func listValues(extra map[string][]string) map[string][]string {
	m := map[string][]string{}
	for name, values := range extra {
		m[strings.ToLower(name)] = values
	}
	for _, l := range query.Builtins() {
		m[strings.ToLower(l.Name)] = l.Values
	}
	return m
}
