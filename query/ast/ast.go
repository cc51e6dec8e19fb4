package ast

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Pos is a position in a query's text: a byte offset, and a line and
// column (1-based, in characters) for messages.
type Pos struct {
	Offset, Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Statement is a query, or a query to explain; or a statement that
// changes the saved queries, with Define or Undefine set and no Query.
type Statement struct {
	Explain  bool // explain: show the plan instead of running it
	Analyze  bool // explain analyze: run it, and show rows and time per step
	Query    *Query
	Define   *Define
	Undefine *Undefine
}

// Define is define NAME[(PARAMS)] = BODY: it saves a query under a
// name. The body is a query (Query), or stages (Stages) when it does not
// read as a query to its end. A use of the name stands at the head of a
// query (a Name or a Call of the first Head) or, for stages, for a stage
// (a Stage, Paren with its arguments).
type Define struct {
	Pos    Pos // of define
	Name   *Name
	Params []*Name
	Query  *Query
	Stages []*Stage
	Body   string // the body's text, as written
}

// Undefine is undefine NAME: it removes a saved query.
type Undefine struct {
	Pos  Pos // of undefine
	Name *Name
}

// QueryKind is what a query returns.
type QueryKind uint8

// The kinds of query.
const (
	Aggregate QueryKind = iota // heads of aggregates: count, dcount(user) as users
	Top                        // top N keys [by aggregate]
	List                       // sign-ins
	Show                       // one sign-in
)

// Query is a parsed query: the syntax as written, positions included.
// Check turns it into what the planner runs. String gives its canonical
// text, which parses back to an equal Query.
type Query struct {
	Pos  Pos
	Kind QueryKind

	Heads   []*Head // Aggregate
	TopN    *Literal
	TopKeys []Expr
	TopBy   Expr   // nil: count
	Fields  []Expr // List; nil with All or for the default fields
	All     bool   // list *
	ID      *Literal

	Where   Expr
	Since   *Literal
	Between [2]*Literal // both set, or neither
	GroupBy []Expr
	// GroupIn is group by KEY in @list: the list, whose values without a
	// sign-in are groups too (of no sign-ins).
	GroupIn *Literal
	Having  Expr
	OrderBy []*Order
	Limit   *Literal
	Stages  []*Stage
}

// Head is one output of an aggregate query: an aggregate, or arithmetic
// over the aggregates of the same head, with an optional alias.
type Head struct {
	Pos   Pos
	Expr  Expr
	Alias *Literal
}

// Order is one key of order by.
type Order struct {
	Pos  Pos
	Expr Expr
	Desc bool
}

// Stage is a plugin stage after "|", with its arguments as written; or
// the use of a saved query of stages (see Define), with the arguments it
// is given in parentheses (Paren, Given); or an operator of the language
// on the rows so far (Operator): where, order by, limit or join, whose
// Name it is, with one of Where, OrderBy, Limit and Join set.
type Stage struct {
	Pos   Pos
	Name  string
	Paren bool   // name(…)
	Given []Expr // the arguments in the parentheses
	Args  []*StageArg

	Where   Expr     // | where COND: a condition on the rows' columns
	OrderBy []*Order // | order by COLUMN [asc|desc], …
	Limit   *Literal // | limit N
	Join    *Join    // | join [left|anti] (QUERY) on KEY, …

	Sequence *Sequence // | sequence by KEY, … within D: STEP then STEP …
}

// Operator reports whether the stage is an operator of the language
// (where, order by, limit, join, sequence) rather than a plugin's stage.
func (s *Stage) Operator() bool {
	return s.Where != nil || s.OrderBy != nil || s.Limit != nil || s.Join != nil || s.Sequence != nil
}

// Join is | join [left|anti] (QUERY) on KEY, …: the rows so far joined
// with the rows of a subquery on equal keys.
type Join struct {
	Pos   Pos    // of join
	Kind  string // "" (inner), "left" or "anti"
	Query *Query
	On    []*Name // the key columns, which both sides have
}

// Sequence is | sequence by KEY, … within D gap D: STEP then STEP …:
// per key, events in time order matching the steps one after another.
type Sequence struct {
	Pos    Pos // of sequence
	By     []*Name
	Within *Literal // from the first matched event to the last at most; nil: none
	Gap    *Literal // between consecutive events of the key at most; nil: none
	Steps  []*SeqStep
}

// SeqStep is one step of a sequence: a condition on an event's columns
// (prev.COLUMN names the previous step's event's), which one event
// satisfies, or with N+ (Min) at least N.
type SeqStep struct {
	Pos  Pos  // of the step (its N+, else its condition)
	Min  int  // N of N+; 0: one event
	Cond Expr // nil: any event (*)
}

// IsOperatorWord reports whether a word after "|" begins an operator of
// the language (where, order, limit, join, sequence) rather than naming a stage:
// no stage may be named so.
func IsOperatorWord(w string) bool {
	switch strings.ToLower(w) {
	case "where", "order", "limit", "join", "sequence":
		return true
	}
	return false
}

// StageArg is one argument of a stage: positional, or name=value.
type StageArg struct {
	Pos   Pos
	Name  string
	Value *Literal
}

// Expr is an expression: a name, a value, a call, an operator.
type Expr interface {
	Position() Pos
	String() string
	expr()
}

// Name is a bare word standing for a field, an alias, or an aggregate
// without arguments (count).
type Name struct {
	Pos  Pos
	Name string
}

// Literal is a value as written: a bare word (a number, a date, a
// duration, an enumeration value, an address) or a quoted string.
type Literal struct {
	Pos    Pos
	Text   string // unquoted
	Quoted bool
}

// Call is a call of an aggregate or a function: dcount(user), bin(1h).
type Call struct {
	Pos  Pos
	Name string
	Args []Expr
}

// Binary is a binary operator: arithmetic (+ - * /), a comparison
// (= != < <= > >=), a match (~ contains startswith endswith like), and,
// or.
type Binary struct {
	Pos  Pos // the operator's
	Op   string
	L, R Expr
}

// Not is not X.
type Not struct {
	Pos Pos
	X   Expr
}

// In is X in (values), or X not in (values); or, with Query set and
// no Values, X [not] in (QUERY): a subquery, whose first column's values
// X is compared with.
type In struct {
	Pos    Pos // of "in" (or "not")
	X      Expr
	Values []*Literal
	Query  *Query
	Not    bool
}

func (*Name) expr()    {}
func (*Literal) expr() {}
func (*Call) expr()    {}
func (*Binary) expr()  {}
func (*Not) expr()     {}
func (*In) expr()      {}

func (e *Name) Position() Pos    { return e.Pos }
func (e *Literal) Position() Pos { return e.Pos }
func (e *Call) Position() Pos    { return e.Pos }
func (e *Binary) Position() Pos  { return e.Pos }
func (e *Not) Position() Pos     { return e.Pos }
func (e *In) Position() Pos      { return e.Pos }

// Binding strength of operators, loosest first.
func precedence(op string) int {
	switch op {
	case "or":
		return 1
	case "and":
		return 2
	case "+", "-":
		return 5
	case "*", "/":
		return 6
	}
	return 4 // comparisons and matches
}

func (e *Name) String() string { return e.Name }

func (e *Literal) String() string {
	if !e.Quoted && Bare(e.Text) {
		return e.Text
	}
	return Quote(e.Text)
}

func (e *Call) String() string { return exprText(e) }

// exprText writes an expression into one builder, in time linear in its
// length however deep it is (a chain of 10,000 operators): String on
// each operand, joined, would copy the text once per level.
func exprText(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// writeExpr writes an expression's canonical text (see String).
func writeExpr(b *strings.Builder, e Expr) {
	paren := func(x Expr, yes bool) {
		if yes {
			b.WriteByte('(')
		}
		writeExpr(b, x)
		if yes {
			b.WriteByte(')')
		}
	}
	switch e := e.(type) {
	case *Call:
		b.WriteString(e.Name)
		b.WriteByte('(')
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, a)
		}
		b.WriteByte(')')
	case *Binary:
		p := precedence(e.Op)
		// Operators are left-associative: a right operand of the same
		// strength keeps its parentheses (a - (b - c)). Comparisons do
		// not chain: one compared is in parentheses on either side.
		paren(e.L, needsParens(e.L, p, p == 4))
		b.WriteString(" " + e.Op + " ")
		sub, ok := e.R.(*Binary)
		paren(e.R, (!ok || !(p <= 2 && sub.Op == e.Op)) && needsParens(e.R, p, true))
	case *Not:
		b.WriteString("not ")
		paren(e.X, needsParens(e.X, 2, true))
	case *In:
		paren(e.X, needsParens(e.X, 4, true))
		if e.Not {
			b.WriteString(" not in (")
		} else {
			b.WriteString(" in (")
		}
		if e.Query != nil {
			b.WriteString(e.Query.String())
		}
		for i, v := range e.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.String())
		}
		b.WriteByte(')')
	default:
		b.WriteString(e.String())
	}
}

func (e *Binary) String() string { return exprText(e) }

// needsParens reports whether x, an operand of an operator of
// precedence p, is written in parentheses: when it binds more loosely,
// or as loosely and equal strength is not enough (same).
func needsParens(x Expr, p int, same bool) bool {
	switch x := x.(type) {
	case *Binary:
		q := precedence(x.Op)
		return q < p || same && q == p
	case *Not:
		return p > 2
	case *In:
		return p >= 4
	}
	return false
}

func (e *Not) String() string { return exprText(e) }

func (e *In) String() string { return exprText(e) }

// String returns the statement's canonical text.
func (s *Statement) String() string {
	switch {
	case s.Define != nil:
		return s.Define.String()
	case s.Undefine != nil:
		return "undefine " + s.Undefine.Name.Name
	case s.Analyze:
		return "explain analyze " + s.Query.String()
	case s.Explain:
		return "explain " + s.Query.String()
	}
	return s.Query.String()
}

// OperandText prints an expression standing where the grammar takes
// arithmetic (a head, a key, an order, a field of list): a condition
// there needs parentheses.
func OperandText(e Expr) string {
	switch e := e.(type) {
	case *Binary:
		if precedence(e.Op) < 5 {
			return "(" + e.String() + ")"
		}
	case *Not, *In:
		return "(" + e.String() + ")"
	}
	return e.String()
}

// String returns the query's canonical text: keywords in lower case,
// single spaces, clauses in the order where, since or between, group by,
// having, order by, limit.
func (q *Query) String() string {
	var b strings.Builder
	list := func(es []Expr) {
		for i, e := range es {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(OperandText(e))
		}
	}
	switch q.Kind {
	case Show:
		return "show " + q.ID.String()
	case List:
		b.WriteString("list")
		if q.All {
			b.WriteString(" *")
		} else if len(q.Fields) > 0 {
			b.WriteByte(' ')
			list(q.Fields)
		}
	case Top:
		fmt.Fprintf(&b, "top %s ", q.TopN)
		list(q.TopKeys)
		if q.TopBy != nil {
			b.WriteString(" by " + OperandText(q.TopBy))
		}
	default:
		for i, h := range q.Heads {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(OperandText(h.Expr))
			if h.Alias != nil {
				b.WriteString(" as " + h.Alias.String())
			}
		}
	}
	if q.Where != nil {
		b.WriteString(" where " + q.Where.String())
	}
	if q.Since != nil {
		b.WriteString(" since " + q.Since.String())
	}
	if q.Between[0] != nil {
		fmt.Fprintf(&b, " between %s and %s", q.Between[0], q.Between[1])
	}
	if len(q.GroupBy) > 0 {
		b.WriteString(" group by ")
		list(q.GroupBy)
		if q.GroupIn != nil {
			b.WriteString(" in " + q.GroupIn.String())
		}
	}
	if q.Having != nil {
		b.WriteString(" having " + q.Having.String())
	}
	for i, o := range q.OrderBy {
		if i == 0 {
			b.WriteString(" order by ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(OperandText(o.Expr))
		if o.Desc {
			b.WriteString(" desc")
		}
	}
	if q.Limit != nil {
		b.WriteString(" limit " + q.Limit.String())
	}
	for _, s := range q.Stages {
		b.WriteString(" | " + s.String())
	}
	return b.String()
}

// String returns the definition's canonical text, its body's
// included.
func (d *Define) String() string {
	var b strings.Builder
	b.WriteString("define " + d.Name.Name)
	if len(d.Params) > 0 {
		b.WriteByte('(')
		for i, p := range d.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.Name)
		}
		b.WriteByte(')')
	}
	b.WriteString(" = ")
	if d.Query != nil {
		b.WriteString(d.Query.String())
	}
	for i, s := range d.Stages {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// String writes a stage as it parses: its name, then its arguments; or
// the operator.
func (s *Stage) String() string {
	var b strings.Builder
	switch {
	case s.Where != nil:
		return "where " + s.Where.String()
	case s.OrderBy != nil:
		b.WriteString("order by ")
		for i, o := range s.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(OperandText(o.Expr))
			if o.Desc {
				b.WriteString(" desc")
			}
		}
		return b.String()
	case s.Limit != nil:
		return "limit " + s.Limit.String()
	case s.Sequence != nil:
		return s.Sequence.String()
	case s.Join != nil:
		b.WriteString("join ")
		if s.Join.Kind != "" {
			b.WriteString(s.Join.Kind + " ")
		}
		b.WriteString("(" + s.Join.Query.String() + ") on ")
		for i, k := range s.Join.On {
			if i > 0 {
				b.WriteString(", ")
			}
			if Bare(k.Name) {
				b.WriteString(k.Name)
			} else {
				b.WriteString(Quote(k.Name))
			}
		}
		return b.String()
	}
	b.WriteString(s.Name)
	if s.Paren {
		b.WriteByte('(')
		for i, e := range s.Given {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(e.String())
		}
		b.WriteByte(')')
	}
	for _, a := range s.Args {
		b.WriteByte(' ')
		if a.Name != "" {
			b.WriteString(a.Name + "=")
		}
		if v := a.Value; !v.Quoted && v.Text == "by" {
			b.WriteString("by") // the keyword, which a stage reads as a word
			continue
		}
		b.WriteString(a.Value.String())
	}
	return b.String()
}

// Number parses a literal as an integer or a decimal number: a finite
// one (inf and nan are not numbers of the language).
func (e *Literal) Number() (float64, bool) {
	if e.Quoted {
		return 0, false
	}
	f, err := strconv.ParseFloat(e.Text, 64)
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// String is the sequence as the parser reads it.
func (s *Sequence) String() string {
	var b strings.Builder
	b.WriteString("sequence")
	for i, k := range s.By {
		if i == 0 {
			b.WriteString(" by ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(k.Name)
	}
	if s.Within != nil {
		b.WriteString(" within " + s.Within.String())
	}
	if s.Gap != nil {
		b.WriteString(" gap " + s.Gap.String())
	}
	b.WriteString(":")
	for i, st := range s.Steps {
		if i > 0 {
			b.WriteString(" then")
		}
		b.WriteByte(' ')
		if st.Min > 0 {
			b.WriteString(strconv.Itoa(st.Min) + "+ ")
		}
		if st.Cond == nil {
			b.WriteString("*")
		} else {
			b.WriteString(st.Cond.String())
		}
	}
	return b.String()
}
