package query

import (
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// Plan is a checked query, ready to run: names resolved to catalog fields
// and plugins, values typed, the time range absolute. Check makes it
// (Prepare parses, expands and checks); Execute and ExecuteRows run it;
// Explain describes it. Its exported fields say what the statement is and
// what it reads; how it computes (conditions, groups, aggregates, order,
// stages) is the executor's, which Explain words. A plan may run more
// than once, but not in two goroutines at once: a run records in it what
// its steps did, for explain analyze. It does not depend on participle.
type Plan struct {
	Statement *ast.Statement // as checked: saved queries expanded
	Kind      ast.QueryKind
	Now       time.Time // what relative times were resolved against
	// The time range, in Unix nanoseconds: from inclusive, to exclusive;
	// open ends are the extremes.
	From, To int64
	// ToNow: the range ends at now, which it includes (since): To is
	// Now plus a nanosecond. Relative: it starts at a duration before
	// now (since D), so that what it selects depends on now.
	ToNow, Relative bool
	// scanFrom and scanTo are the range of times the executor reads:
	// From and To, narrowed by the filter's comparisons of the time
	// (where time >= now - 1d reads what since 1d reads): narrowScan.
	scanFrom, scanTo int64

	filter cond // nil: every sign-in in the range

	keys []*key     // group by, or top's keys
	aggs []*aggSpec // every aggregate the heads, having and top use
	outs []*outCol  // the output columns, keys first then heads
	// having filters output rows.
	having rowCond
	order  []orderKey // the full order of output rows
	Limit  int        // of output rows (or list's sign-ins); -1: none
	// anyOrder: the rows are asked for as a set (an anti join's distinct
	// right side), so that without a limit they need no sort.
	anyOrder bool

	absent *absence // group by KEY in @list (absence.go)

	listCols []*listCol // list
	ShowID   string     // show
	// Stream: the list hands its sign-ins to the first stage as the store
	// holds them, one reused row at a time (plugins.Needs.Stream).
	Stream bool

	stages []*boundStage
	// subs are the subqueries (in (QUERY), join), run first (subquery.go).
	subs []*subquery

	reg   *plugins.Registry // what the plan was checked against: its stages' queries are too
	lists *listSource       // and the named lists it read
}

// Stages returns the names of the plan's stages (after "|"), in order:
// with any, the answer's rows are the last stage's.
func (p *Plan) Stages() []string {
	names := make([]string, len(p.stages))
	for i, s := range p.stages {
		names[i] = s.src.Name
	}
	return names
}

// predOp is the operator of a predicate on a field.
type predOp uint8

const (
	opEq predOp = iota
	opNe        // numeric fields: present and different
	opLt
	opLe
	opGt
	opGe
	opIn
	opNotIn // numeric fields: present and in none
	opContains
	opStarts
	opEnds
	opLike
	opRegex
	opCIDR // ip in prefixes (and addresses)
)

var opNames = [...]string{"=", "!=", "<", "<=", ">", ">=", "in", "not in", "contains", "startswith", "endswith", "like", "~", "in"}

// cond is a condition on sign-ins, checked.
type cond interface{ String() string }

type condAnd struct{ xs []cond }
type condOr struct{ xs []cond }
type condNot struct{ x cond }

// pred is a predicate on one field. String fields compare without regard
// to case; a multi-valued field satisfies it when any element does.
type pred struct {
	src   ast.Expr // the predicate as written
	col   *engine.Column
	op    predOp
	strs  []string // string operands, as given (eq, in, ordering, contains, starts, ends)
	ints  []int64  // integer, time (Unix ns) and flag (0, 1) operands
	flts  []float64
	re    *regexp.Regexp // like and ~
	cidrs []netip.Prefix // ip in
	addrs []netip.Addr   // ip = address, ip in (addresses)
	fn    *fnApply       // a predicate on a function of col: hour(time) >= 22
	// sets, for in, hold more values: named lists' (@name), literal
	// ones beyond smallIn, which then leave strs, ints, flts, cidrs and
	// addrs (compactOperands), and a subquery's (in (QUERY): streamed,
	// the predicate's only operand).
	sets []*members
	// set, for or'ed patterns (~, like) on one field (combinePatterns),
	// matches them all, and patterns counts them; nil and 0 for a
	// predicate as written.
	set      *patternSet
	patterns int
}

// field is what the predicate compares: its column's field, or the
// function's result.
func (p *pred) field() *signin.Field {
	if p.fn != nil {
		return p.fn.field
	}
	return p.col.Field
}

// fieldCmp compares two fields of a sign-in, or functions of them, of
// one kind: tenant = resourceTenant, latency > asn, time < ingested. Text
// (op opEq; != is its negation, condNot) compares without regard to
// case, a missing value being "", and holds when some element of one
// side equals some element of the other (a list without elements being
// ""); numbers, times and flags compare as numbers, and a missing value
// on either side satisfies no comparison.
type fieldCmp struct {
	src  ast.Expr // the comparison as written
	op   predOp
	l, r cmpSide
	text bool
	// diff: the comparison is of l - r with off, in nanoseconds (time
	// arithmetic: time < ingested - 1h is time - ingested < -1h).
	diff bool
	off  int64
}

// cmpSide is a side of a comparison: a field, or a function of one.
type cmpSide struct {
	col *engine.Column
	fn  *fnApply
}

// field is the side's field, or the function's result.
func (s cmpSide) field() *signin.Field {
	if s.fn != nil {
		return s.fn.field
	}
	return s.col.Field
}

// name is the side as messages name it.
func (s cmpSide) name() string { return s.field().Name }

func (c *fieldCmp) String() string { return c.src.String() }

func (c *condAnd) String() string { return joinConds(c.xs, " and ") }
func (c *condOr) String() string  { return "(" + joinConds(c.xs, " or ") + ")" }
func (c *condNot) String() string { return "not " + c.x.String() }
func (p *pred) String() string    { return p.src.String() }

func joinConds(xs []cond, sep string) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(x.String())
	}
	return b.String()
}

// key is a grouping key: a field, or bin(D) of the time.
type key struct {
	src  ast.Expr
	name string // the output column's name
	col  *engine.Column
	bin  int64    // bin(D): the bucket's length in nanoseconds; 0 for a field
	fn   *fnApply // a function of col: hour(time)
	kind signin.Kind
}

// aggSpec is one aggregate to compute per group.
type aggSpec struct {
	src   ast.Expr // the call as written
	text  string   // canonical text, to find it again
	agg   plugins.Aggregate
	field *engine.Column // nil for none; for a function of a field, the column of its values (fn.col)
	fn    *aggFn         // a function of a field (dcount(date(time))): aggfunc.go; nil for a field
	cond  cond           // countif's and dcountif's condition; nil for none
	kind  signin.Kind
}

// outCol is an output column: a key, or a head.
type outCol struct {
	name   string
	kind   signin.Kind
	key    int     // index in Plan.keys, or -1
	val    valExpr // a head's value, over the aggregates
	hidden bool    // computed for having or order by, not output
}

// valExpr computes a head's value from a group's aggregates.
type valExpr interface{ kind() signin.Kind }

type aggRef struct {
	i int // index in Plan.aggs
	k signin.Kind
}

type numLit struct{ v result.Value }

type arith struct {
	src  *ast.Binary // as written, for its errors
	op   string
	l, r valExpr
	k    signin.Kind
}

func (a aggRef) kind() signin.Kind { return a.k }
func (n numLit) kind() signin.Kind { return n.v.Kind() }
func (a arith) kind() signin.Kind  { return a.k }

// rowCond is a condition on output rows (having).
type rowCond interface{ holds(row []result.Value) bool }

type rowAnd struct{ l, r rowCond }
type rowOr struct{ l, r rowCond }
type rowNot struct{ x rowCond }

// rowCmp compares two operands: output columns or constants.
type rowCmp struct {
	op   string
	l, r rowOperand
}

type rowOperand struct {
	col   int // output column, or -1 for the constant
	value result.Value
	calc  *rowCalc // arithmetic over the row's columns (| where), or nil
}

// orderKey orders output rows by a column.
type orderKey struct {
	col  int
	desc bool
}

// listCol is a column of list: a field, or a function of one.
type listCol struct {
	name string
	col  *engine.Column
	fn   *fnApply
}

// boundStage is a stage bound to the columns it receives.
type boundStage struct {
	src    *ast.Stage
	runner plugins.Runner
	// For explain analyze: the rows it emitted and how long it took.
	rows int
	took time.Duration
}
