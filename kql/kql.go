package kql

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
)

// ErrNotExpressible is the error of a query, or a part of one, that KQL
// cannot say with the same meaning: the error names the construct and
// why ("not expressible in KQL: … because …").
var ErrNotExpressible = errors.New("not expressible in KQL")

// Options say how to translate.
type Options struct {
	// InterruptCodes is the status classification's interrupt set
	// (docs/fields.md); nil: signin.DefaultInterruptCodes.
	InterruptCodes []int64
	// Lists are named lists' values, for F in @name, inlined in the KQL;
	// the built-in lists (query.Builtins) need not be given. A list not
	// given is not expressible.
	Lists []*query.List
}

// refuse is the error of a construct KQL cannot express.
func refuse(construct any, why string, args ...any) error {
	return fmt.Errorf("%w: %v, because %s", ErrNotExpressible, construct, fmt.Sprintf(why, args...))
}

// Translate returns the KQL of a checked query (query.Check, Prepare)
// over the Log Analytics sign-in tables, unioned as its type conditions
// need, or an error wrapping ErrNotExpressible naming what KQL cannot
// say with the same meaning. It reads the plan's syntax tree (saved
// queries expanded), time range and now, never the query's text. The
// KQL's times are fixed (datetime(…)), from the plan's now: the same
// query gives the same KQL wherever it runs. Of an explain statement, the
// query explained is translated.
func Translate(p *query.Plan, opts Options) (string, error) {
	if p == nil || p.Statement == nil || p.Statement.Query == nil {
		return "", refuse("the statement", "only queries translate")
	}
	t := &translator{plan: p, opts: opts, used: map[string]bool{}, lets: new([]string)}
	if opts.InterruptCodes != nil {
		t.status = status(opts.InterruptCodes)
	} else {
		t.status = columns["status"]
	}
	out, err := t.query(p.Statement.Query)
	if err != nil {
		return "", err
	}
	if len(*t.lets) == 0 {
		return out, nil
	}
	return strings.Join(*t.lets, "\n") + "\n" + out, nil
}

// subquery translates the query of F in (QUERY) as a let statement,
// checked as its own plan at the same now (for its time range), and
// returns its name and its first column.
func (t *translator) subquery(q *ast.Query) (string, *out, error) {
	name, outs, err := t.subqueryOuts(q)
	if err != nil {
		return "", nil, err
	}
	return name, &outs[0], nil
}

// subqueryOuts is subquery, giving every output column.
func (t *translator) subqueryOuts(q *ast.Query) (string, []out, error) {
	lists := make(map[string][]string, len(t.opts.Lists))
	for _, l := range t.opts.Lists {
		lists[l.Name] = l.Values
	}
	p, err := query.CheckLists(&ast.Statement{Query: q}, standard.Registry(), t.plan.Now, lists)
	if err != nil {
		return "", nil, refuse("in ("+q.String()+")", "the subquery does not check on its own: %v", err)
	}
	sub := &translator{plan: p, opts: t.opts, status: t.status, used: map[string]bool{}, lets: t.lets}
	text, err := sub.query(q)
	if err != nil {
		return "", nil, err
	}
	if len(sub.outs) == 0 {
		return "", nil, refuse("("+q.String()+")", "its columns are not known")
	}
	name := fmt.Sprintf("subquery%d", len(*t.lets)+1)
	*t.lets = append(*t.lets, "let "+name+" = "+strings.ReplaceAll(text, "\n", "\n    ")+";")
	return name, sub.outs, nil
}

type translator struct {
	plan   *query.Plan
	opts   Options
	status column
	used   map[string]bool // the fields read, by catalog name
	order  []string        // used, in the order first read
	// first is the first output column (a subquery's values), and lets
	// the subqueries' let statements, shared with the subqueries'
	// translators (lets counts them for their names).
	first *out
	outs  []out
	lets  *[]string
	// pre are the steps before the conditions (mv-apply of the
	// multi-valued fields' conditions), expand those between the
	// conditions and the summarize (mv-expand of multi-valued keys).
	pre, expand []string
	// empty are the summarized columns' values for no sign-ins, in
	// emptyOrder (group by … in @list).
	empty      map[string]string
	emptyOrder []string
	aliases    map[string]bool // the heads' aliases, lower case
}

// field resolves a name to a catalog field KQL reads, and notes it.
func (t *translator) field(n *ast.Name) (*signin.Field, string, error) {
	f := signin.Lookup(n.Name)
	if f == nil {
		return nil, "", refuse(n.Name, "it is not a field")
	}
	if f.Kind == signin.KindList {
		if !listFields[f.Name] {
			return nil, "", refuse(f.Name, "the lists of names nested in each of its NetworkLocationDetails are not translated yet")
		}
		return nil, "", refuse(f.Name, "it is multi-valued: conditions on it and group by it are translated, this use of it is not yet")
	}
	if columns[f.Name] == nil {
		return nil, "", refuse(f.Name, "the Log Analytics tables do not carry it as signinq reads it")
	}
	if !t.used[f.Name] {
		t.used[f.Name] = true
		t.order = append(t.order, f.Name)
	}
	return f, ident(f.Name), nil
}

// listField resolves a multi-valued field KQL reads as a dynamic array
// of its distinct elements (tables.go), and notes it; nil when the name
// is not one.
func (t *translator) listField(e ast.Expr) (*signin.Field, string, error) {
	n, ok := e.(*ast.Name)
	if !ok {
		return nil, "", nil
	}
	f := signin.Lookup(n.Name)
	if f == nil || f.Kind != signin.KindList {
		return nil, "", nil
	}
	if !listFields[f.Name] {
		_, _, err := t.field(n)
		return nil, "", err
	}
	if !t.used[f.Name] {
		t.used[f.Name] = true
		t.order = append(t.order, f.Name)
	}
	return f, ident(f.Name), nil
}

// elements is a multi-valued field's array as the language sees it: its
// elements, or the one value "" when it has none.
func elements(c string) string {
	return "iff(array_length(" + c + ") > 0, " + c + ", dynamic([\"\"]))"
}

// anyElement counts, per sign-in, the elements of a multi-valued column
// c (the value "" when it has none) that satisfy pred (of the element
// __x, a string), in a column of its own (mv-apply, before the
// conditions: the subtable has an element at least, and summarize
// without keys gives it one row, so no sign-in is dropped); it returns
// the column.
func (t *translator) anyElement(c, pred string) string {
	col := ident(fmt.Sprintf("__m%d", len(t.pre)+1))
	t.pre = append(t.pre, "mv-apply __x = "+elements(c)+" to typeof(string) on (summarize "+col+" = countif("+pred+"))")
	return col
}

// listCompare is a condition on a multi-valued field: = and the text
// tests hold when an element satisfies them, != when none is equal.
func (t *translator) listCompare(e *ast.Binary, c string) (string, error) {
	var text string
	switch r := e.R.(type) {
	case *ast.Literal:
		text = r.Text
	case *ast.Name:
		if g := signin.Lookup(r.Name); g != nil {
			if g.Kind != signin.KindString || g.Name == "ip" || e.Op != "=" && e.Op != "!=" {
				return "", refuse(e, "comparing a multi-valued field with another multi-valued field or an address is not translated yet")
			}
			// An element equal to the other field's value (text
			// without regard to case, a missing value being "").
			_, d, err := t.field(r)
			if err != nil {
				return "", err
			}
			col := t.anyElement(c, "__x =~ "+d)
			if e.Op == "!=" {
				return "(" + col + " == 0)", nil
			}
			return "(" + col + " > 0)", nil
		}
		text = r.Name
	default:
		return "", refuse(e, "functions of fields and arithmetic are not translated")
	}
	s := str(text)
	var pred string
	switch e.Op {
	case "=", "!=":
		pred = "__x =~ " + s
	case "contains", "startswith", "endswith":
		pred = "__x " + e.Op + " " + s
	case "~":
		pred = "__x matches regex " + str("(?i)"+text)
	case "like":
		pred = "__x matches regex " + str(globRegexp(text))
	default:
		return "", refuse(e, "text compares by = != and matches here; its order is not translated")
	}
	col := t.anyElement(c, pred)
	if e.Op == "!=" {
		return "(" + col + " == 0)", nil
	}
	return "(" + col + " > 0)", nil
}

// operand is a field, or a function of one the translation knows (a
// field of its own kind, named by its text as the language names it):
// hour(time), weekday(time), date(time) in UTC as KQL's datetimes are,
// and domain(user), the text after the last @, in lower case ("" without
// one).
func (t *translator) operand(e ast.Expr) (*signin.Field, string, error) {
	switch e := e.(type) {
	case *ast.Name:
		return t.field(e)
	case *ast.Call:
		name := strings.ToLower(e.Name)
		if len(e.Args) != 1 {
			return nil, "", refuse(e, "the function %s is not translated", name)
		}
		a, ok := e.Args[0].(*ast.Name)
		if !ok {
			return nil, "", refuse(e, "its argument is not a field")
		}
		f, c, err := t.field(a)
		if err != nil {
			return nil, "", err
		}
		fn := &signin.Field{Name: strings.ToLower(e.String())}
		var x string
		switch {
		case name == "hour" && f.Kind == signin.KindTime:
			fn.Kind, x = signin.KindInt, "tolong(hourofday("+c+"))"
		case name == "date" && f.Kind == signin.KindTime:
			fn.Kind, x = signin.KindTime, "startofday("+c+")"
		case name == "weekday" && f.Kind == signin.KindTime:
			var b strings.Builder
			b.WriteString("case(")
			for i, d := range []string{"7 Sun", "1 Mon", "2 Tue", "3 Wed", "4 Thu", "5 Fri", "6 Sat"} {
				fmt.Fprintf(&b, "dayofweek(%s) == %dd, %s, ", c, i, str(d))
			}
			b.WriteString(`"")`)
			fn.Kind, x = signin.KindString, b.String()
		case name == "domain" && f.Kind == signin.KindString:
			fn.Kind, x = signin.KindString, "tolower(extract("+str("@([^@]*)$")+", 1, "+c+"))"
		default:
			return nil, "", refuse(e, "the function %s is not translated", name)
		}
		return fn, x, nil
	}
	return nil, "", refuse(e, "only fields and functions of one are translated here")
}

// ident is a column's name in KQL, bracketed so that any name is one
// (time, type, user are keywords or functions there).
func ident(name string) string {
	return "['" + strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), "'", `\'`) + "']"
}

func (t *translator) query(q *ast.Query) (string, error) {
	var body []string
	if q.Where != nil {
		c, err := t.cond(q.Where)
		if err != nil {
			return "", err
		}
		body = append(body, "where "+c)
	}
	if q.GroupIn != nil {
		// The sign-ins of the list's values, as KEY in @list selects them.
		if len(q.GroupBy) != 1 {
			return "", refuse("group by … in "+q.GroupIn.String(), "it groups by one key")
		}
		c, err := t.cond(&ast.In{Pos: q.GroupIn.Pos, X: q.GroupBy[0], Values: []*ast.Literal{q.GroupIn}})
		if err != nil {
			return "", err
		}
		body = append(body, "where "+c)
	}
	var rest []string
	var err error
	switch q.Kind {
	case ast.Aggregate:
		rest, err = t.aggregate(q)
	case ast.Top:
		rest, err = t.top(q)
	case ast.List:
		rest, err = t.list(q)
	default:
		return "", refuse("show", "it prints the original record, which Log Analytics does not keep")
	}
	if err != nil {
		return "", err
	}
	src, err := t.source(q)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(src)
	steps := append(append(append(t.pre, body...), t.expand...), rest...)
	for _, s := range steps {
		b.WriteString("\n| " + s)
	}
	return b.String(), nil
}

// source is the union of the tables the query's type conditions allow,
// each projected to the fields the query reads, named as the catalog
// names them, and cut to the query's time range.
func (t *translator) source(q *ast.Query) (string, error) {
	if !t.used["time"] {
		t.used["time"] = true
		t.order = append([]string{"time"}, t.order...)
	}
	types, err := t.types(q.Where)
	if err != nil {
		return "", err
	}
	rng, err := t.timeRange()
	if err != nil {
		return "", err
	}
	var branches []string
	for _, tb := range tables {
		if types != nil && !types[tb.typ] {
			continue
		}
		var ps []string
		lproj, lsteps := listBranch(tb, t.used)
		for _, name := range t.order {
			if listFields[name] {
				continue
			}
			col := columns[name]
			if name == "status" {
				col = t.status
			}
			e := col(tb)
			if e == "" {
				e = nulls[signin.Lookup(name).Kind]
				if e == "" {
					e = `""`
				}
			}
			ps = append(ps, ident(name)+" = "+e)
		}
		br := tb.name + "\n| project " + strings.Join(append(ps, lproj...), ", ")
		if rng != "" {
			br += "\n| where " + rng
		}
		for _, s := range lsteps {
			br += "\n| " + s
		}
		branches = append(branches, br)
	}
	switch len(branches) {
	case 0:
		return "", refuse("type", "the types it selects are in none of the four tables translated (adfs sign-ins are in ADFSSignInLogs)")
	case 1:
		return branches[0], nil
	}
	for i, br := range branches {
		branches[i] = "(" + strings.ReplaceAll(br, "\n", "\n    ") + ")"
	}
	return "union\n    " + strings.Join(branches, ",\n    "), nil
}

// types is the set of types the where's top-level conjuncts allow (type
// = X, type in (…)); nil when they do not narrow it.
func (t *translator) types(e ast.Expr) (map[string]bool, error) {
	var set map[string]bool
	var walk func(e ast.Expr)
	narrow := func(vals []string) {
		m := map[string]bool{}
		for _, v := range vals {
			for _, tb := range tables {
				if strings.EqualFold(tb.typ, v) && (set == nil || set[tb.typ]) {
					m[tb.typ] = true
				}
			}
		}
		set = m
	}
	isType := func(x ast.Expr) bool {
		n, ok := x.(*ast.Name)
		if !ok {
			return false
		}
		f := signin.Lookup(n.Name)
		return f != nil && f.Name == "type"
	}
	walk = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.Binary:
			if e.Op == "and" {
				walk(e.L)
				walk(e.R)
			} else if e.Op == "=" && isType(e.L) {
				switch r := e.R.(type) {
				case *ast.Literal:
					narrow([]string{r.Text})
				case *ast.Name:
					narrow([]string{r.Name})
				}
			}
		case *ast.In:
			if !e.Not && e.Query == nil && isType(e.X) {
				var vs []string
				for _, v := range e.Values {
					if strings.HasPrefix(v.Text, "@") && !v.Quoted {
						return // a list: no narrowing
					}
					vs = append(vs, v.Text)
				}
				narrow(vs)
			}
		}
	}
	if e != nil {
		walk(e)
	}
	return set, nil
}

// timeRange is the condition of since and between on the time column.
// KQL's datetimes are 100 ns ticks, as the tables' times are: a bound
// between two ticks is rounded to the tick that selects the same ticks
// (from up, an inclusive end down, an exclusive end up).
func (t *translator) timeRange() (string, error) {
	p := t.plan
	var cs []string
	if p.From != minInt64 {
		cs = append(cs, ident("time")+" >= "+datetime(ceilTick(p.From)))
	}
	if p.To != maxInt64 {
		if p.ToNow {
			cs = append(cs, ident("time")+" <= "+datetime(floorTick(p.To-1)))
		} else {
			cs = append(cs, ident("time")+" < "+datetime(ceilTick(p.To)))
		}
	}
	return strings.Join(cs, " and "), nil
}

func floorTick(ns int64) int64 {
	r := ns % 100
	if r < 0 {
		r += 100
	}
	return ns - r
}

func ceilTick(ns int64) int64 {
	if f := floorTick(ns); f != ns {
		return f + 100
	}
	return ns
}

const (
	minInt64 = -1 << 63
	maxInt64 = 1<<63 - 1
)

// datetime is a KQL datetime literal of Unix nanoseconds in whole ticks.
func datetime(ns int64) string {
	return "datetime(" + time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.0000000Z") + ")"
}

// cond is a condition on sign-ins, as a KQL boolean that is never null:
// a missing number, time or flag satisfies no comparison (so not X keeps
// it), as the language says.
func (t *translator) cond(e ast.Expr) (string, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := t.cond(e.L)
			if err != nil {
				return "", err
			}
			r, err := t.cond(e.R)
			if err != nil {
				return "", err
			}
			return "(" + l + " " + e.Op + " " + r + ")", nil
		}
		return t.compare(e)
	case *ast.Not:
		x, err := t.cond(e.X)
		if err != nil {
			return "", err
		}
		return "not(" + x + ")", nil
	case *ast.In:
		return t.in(e)
	case *ast.Name: // a flag alone: compliant
		f, c, err := t.field(e)
		if err != nil {
			return "", err
		}
		if f.Kind != signin.KindBool {
			return "", refuse(e, "it is not a flag")
		}
		return "(isnotnull(" + c + ") and " + c + " == true)", nil
	}
	return "", refuse(e, "it is not a condition this translation knows")
}

// compare is FIELD OP VALUE, or FIELD OP FIELD (a bare word on the right
// that the catalog spells as a field or alias is that field: the
// checker refused other spellings of one).
func (t *translator) compare(e *ast.Binary) (string, error) {
	if lf, c, err := t.listField(e.L); lf != nil || err != nil {
		if err != nil {
			return "", err
		}
		return t.listCompare(e, c)
	}
	if _, ok := e.L.(*ast.Binary); ok {
		return t.timeSums(e) // now - 1d < time, time - ingested > 5m
	}
	f, c, err := t.operand(e.L)
	if err != nil {
		return "", err
	}
	if f.Kind == signin.KindTime {
		if s, err := t.timeCompare(e, c); err == nil || !isTimeSum(e.R) {
			return s, err
		}
		return t.timeSums(e) // time < date(ingested), time >= ingested - time + now
	}
	if lf, d, err := t.listField(e.R); lf != nil || err != nil {
		// A field compared with a multi-valued one: equal when an
		// element is (app = policy).
		if err != nil {
			return "", err
		}
		if f.Kind != signin.KindString || f.Name == "ip" || e.Op != "=" && e.Op != "!=" {
			return "", refuse(e, "comparing a multi-valued field with another multi-valued field or an address is not translated yet")
		}
		col := t.anyElement(d, "__x =~ "+c)
		if e.Op == "!=" {
			return "(" + col + " == 0)", nil
		}
		return "(" + col + " > 0)", nil
	}
	if call, ok := e.R.(*ast.Call); ok {
		// A function of a field on the right: hour(time) != hour(ingested).
		g, d, err := t.operand(call)
		if err != nil {
			return "", err
		}
		if (f.Kind == signin.KindInt || f.Kind == signin.KindFloat) && (g.Kind == signin.KindInt || g.Kind == signin.KindFloat) || f.Kind == g.Kind && f.Kind != signin.KindString {
			if op, ok := cmpOps[e.Op]; ok {
				return "(isnotnull(" + c + ") and isnotnull(" + d + ") and " + c + " " + op + " " + d + ")", nil
			}
		}
		if f.Kind == signin.KindString && g.Kind == signin.KindString && (e.Op == "=" || e.Op == "!=") {
			return "(" + c + " " + map[string]string{"=": "=~", "!=": "!~"}[e.Op] + " " + d + ")", nil
		}
		return "", refuse(e, "this comparison of a field with a function of one is not translated")
	}
	var v *ast.Literal
	switch r := e.R.(type) {
	case *ast.Literal:
		v = r
	case *ast.Name:
		if g := signin.Lookup(r.Name); g != nil {
			return t.fieldCompare(e, f, c, r)
		}
		v = &ast.Literal{Pos: r.Pos, Text: r.Name}
	default:
		return "", refuse(e, "functions of fields and arithmetic are not translated")
	}
	if f.Name == "ip" {
		return t.ipCompare(e, c, v)
	}
	switch f.Kind {
	case signin.KindString:
		s := str(v.Text)
		switch e.Op {
		case "=":
			return "(" + c + " =~ " + s + ")", nil
		case "!=":
			return "(" + c + " !~ " + s + ")", nil
		case "contains":
			return "(" + c + " contains " + s + ")", nil
		case "startswith":
			return "(" + c + " startswith " + s + ")", nil
		case "endswith":
			return "(" + c + " endswith " + s + ")", nil
		case "~":
			return "(" + c + " matches regex " + str("(?i)"+v.Text) + ")", nil
		case "like":
			return "(" + c + " matches regex " + str(globRegexp(v.Text)) + ")", nil
		}
		return "", refuse(e, "text compares by = != and matches here; its order is not translated")
	case signin.KindInt, signin.KindFloat, signin.KindBool:
		lit, err := t.number(f, v)
		if err != nil {
			return "", err
		}
		op, ok := cmpOps[e.Op]
		if !ok {
			return "", refuse(e, "%s takes numbers' comparisons only", f.Name)
		}
		return "(isnotnull(" + c + ") and " + c + " " + op + " " + lit + ")", nil
	}
	return "", refuse(e, "its kind is not translated")
}

var cmpOps = map[string]string{"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

// fieldCompare compares two fields of a sign-in: text without regard to
// case (a missing value is "", so != is the negation of =); numbers and
// flags only when both are present.
func (t *translator) fieldCompare(e *ast.Binary, f *signin.Field, c string, r *ast.Name) (string, error) {
	g, d, err := t.field(r)
	if err != nil {
		return "", err
	}
	switch {
	case f.Kind == signin.KindString && g.Kind == signin.KindString:
		switch e.Op {
		case "=":
			return "(" + c + " =~ " + d + ")", nil
		case "!=":
			return "(" + c + " !~ " + d + ")", nil
		}
	case f.Name == "ip" || g.Name == "ip":
	case f.Kind == g.Kind || (f.Kind == signin.KindInt || f.Kind == signin.KindFloat) && (g.Kind == signin.KindInt || g.Kind == signin.KindFloat):
		if op, ok := cmpOps[e.Op]; ok {
			return "(isnotnull(" + c + ") and isnotnull(" + d + ") and " + c + " " + op + " " + d + ")", nil
		}
	}
	return "", refuse(e, "this comparison of two fields is not translated")
}

// timeCompare is TIME OP CONSTANT (now, a time, durations added and
// subtracted) or TIME OP TIME2 [± DURATION]: a sign-in missing a time
// satisfies none. A constant between two 100 ns ticks is rounded to the
// tick that selects the same ticks, as in timeRange.
func (t *translator) timeCompare(e *ast.Binary, c string) (string, error) {
	op, ok := cmpOps[e.Op]
	if !ok {
		return "", refuse(e, "times compare by = != < <= > >=")
	}
	field, off, isConst, err := t.timeExpr(e.R)
	if err != nil {
		return "", err
	}
	if !isConst {
		if off%100 != 0 {
			return "", refuse(e, "KQL's timespans are in 100-nanosecond ticks")
		}
		rhs := field
		if off != 0 {
			rhs += " + totimespan(" + strconv.FormatInt(off/100, 10) + ")"
		}
		return "(isnotnull(" + c + ") and isnotnull(" + field + ") and " + c + " " + op + " " + rhs + ")", nil
	}
	var d string
	switch e.Op {
	case "=":
		if off%100 != 0 {
			return "false", nil
		}
		d = datetime(off)
	case "!=":
		if off%100 != 0 {
			return "isnotnull(" + c + ")", nil
		}
		d = datetime(off)
	case ">=", "<":
		d = datetime(ceilTick(off))
	default:
		d = datetime(floorTick(off))
	}
	return "(isnotnull(" + c + ") and " + c + " " + op + " " + d + ")", nil
}

// isTimeSum says whether e is a sum that timeSums may read (a function
// of a field, or + and - of terms).
func isTimeSum(e ast.Expr) bool {
	switch e.(type) {
	case *ast.Binary, *ast.Call:
		return true
	}
	return false
}

// timeSums is a comparison of times or durations whose sides are sums
// of time fields (or functions of them: date(ingested)), durations, times
// and now: L op R in KQL's datetime and timespan arithmetic, exact in 100
// ns ticks, which the tables' times are in (a constant between two
// ticks is refused); a sign-in missing any of the fields satisfies none.
func (t *translator) timeSums(e *ast.Binary) (string, error) {
	op, ok := cmpOps[e.Op]
	if !ok {
		return "", refuse(e, "times compare by = != < <= > >=")
	}
	var fields []string
	l, lk, err := t.timeTerm(e.L, &fields)
	if err != nil {
		return "", err
	}
	r, rk, err := t.timeTerm(e.R, &fields)
	if err != nil {
		return "", err
	}
	if lk != rk {
		return "", refuse(e, "its sides are of two kinds")
	}
	var b strings.Builder
	b.WriteString("(")
	for _, f := range fields {
		b.WriteString("isnotnull(" + f + ") and ")
	}
	b.WriteString(l + " " + op + " " + r + ")")
	return b.String(), nil
}

// timeTerm is a side of timeSums: its KQL, its kind (a time or a
// duration), and the fields it reads added to fields.
func (t *translator) timeTerm(e ast.Expr, fields *[]string) (string, signin.Kind, error) {
	switch x := e.(type) {
	case *ast.Binary:
		if x.Op != "+" && x.Op != "-" {
			break
		}
		l, lk, err := t.timeTerm(x.L, fields)
		if err != nil {
			return "", 0, err
		}
		r, rk, err := t.timeTerm(x.R, fields)
		if err != nil {
			return "", 0, err
		}
		return timeArith(x, l, lk, r, rk)
	case *ast.Call:
		f, c, err := t.operand(x)
		if err != nil {
			return "", 0, err
		}
		if f.Kind != signin.KindTime {
			return "", 0, refuse(x, "it is not a time")
		}
		*fields = append(*fields, c)
		return c, signin.KindTime, nil
	case *ast.Name:
		if strings.EqualFold(x.Name, "now") {
			return timeConst(x, t.plan.Now.UnixNano(), signin.KindTime)
		}
		if f := signin.Lookup(x.Name); f != nil {
			f, c, err := t.field(x)
			if err != nil {
				return "", 0, err
			}
			if f.Kind != signin.KindTime {
				return "", 0, refuse(x, "it is not a time")
			}
			*fields = append(*fields, c)
			return c, signin.KindTime, nil
		}
		return timeText(x, x.Name)
	case *ast.Literal:
		return timeText(x, x.Text)
	}
	return "", 0, refuse(e, "only times, durations, now and time fields (or functions of them) are added and subtracted here")
}

// timeText is a time or a duration written in a query.
func timeText(e ast.Expr, text string) (string, signin.Kind, error) {
	if d, ok := query.DurationText(text); ok {
		return timeConst(e, int64(d), signin.KindDuration)
	}
	if tm, err := query.ParseTime(text); err == nil {
		return timeConst(e, tm.UnixNano(), signin.KindTime)
	}
	return "", 0, refuse(e, "it is not a time or a duration")
}

// timeExpr is the right side of a time comparison: a constant (Unix ns)
// or a time field plus an offset.
func (t *translator) timeExpr(e ast.Expr) (field string, off int64, isConst bool, err error) {
	switch e := e.(type) {
	case *ast.Name:
		if strings.EqualFold(e.Name, "now") {
			return "", t.plan.Now.UnixNano(), true, nil
		}
		if f := signin.Lookup(e.Name); f != nil {
			if f.Kind != signin.KindTime {
				return "", 0, false, refuse(e, "it is not a time")
			}
			_, c, err := t.field(e)
			return c, 0, false, err
		}
		tm, perr := query.ParseTime(e.Name)
		if perr != nil {
			return "", 0, false, refuse(e, "it is not a time this translation reads")
		}
		return "", tm.UnixNano(), true, nil
	case *ast.Literal:
		tm, perr := query.ParseTime(e.Text)
		if perr != nil {
			return "", 0, false, refuse(e, "it is not a time this translation reads")
		}
		return "", tm.UnixNano(), true, nil
	case *ast.Binary:
		if e.Op != "+" && e.Op != "-" {
			break
		}
		var dtext string
		switch r := e.R.(type) {
		case *ast.Name:
			dtext = r.Name
		case *ast.Literal:
			dtext = r.Text
		}
		d, derr := ast.ParseDuration(dtext)
		if derr != nil {
			break
		}
		field, off, isConst, err = t.timeExpr(e.L)
		if err != nil {
			return "", 0, false, err
		}
		if e.Op == "-" {
			d = -d
		}
		return field, off + int64(d), isConst, nil
	}
	return "", 0, false, refuse(e, "only a time, now, or a time field, with durations added or subtracted, is translated here")
}

// number is a literal as the field's kind in KQL.
func (t *translator) number(f *signin.Field, v *ast.Literal) (string, error) {
	switch f.Kind {
	case signin.KindInt:
		if n, err := strconv.ParseInt(v.Text, 10, 64); err == nil {
			return "long(" + strconv.FormatInt(n, 10) + ")", nil
		}
		fallthrough // a decimal number: compared by value
	case signin.KindFloat:
		x, err := strconv.ParseFloat(v.Text, 64)
		if err != nil {
			return "", refuse(v, "%s takes numbers", f.Name)
		}
		return "real(" + strconv.FormatFloat(x, 'f', -1, 64) + ")", nil
	case signin.KindBool:
		switch strings.ToLower(v.Text) {
		case "true", "false":
			return strings.ToLower(v.Text), nil
		}
		return "", refuse(v, "%s takes true or false", f.Name)
	}
	return "", refuse(v, "%s is not a number", f.Name)
}

// ipCompare is ip = ADDRESS (in any spelling of it) and ip != ADDRESS.
func (t *translator) ipCompare(e *ast.Binary, c string, v *ast.Literal) (string, error) {
	if e.Op != "=" && e.Op != "!=" {
		return "", refuse(e, "ip's text is the address in canonical form (RFC 5952, IPv4-mapped addresses unmapped: docs/fields.md), which KQL has no function to write (parse_ipv6 writes every group in full), and the IPAddress column holds the address as logged")
	}
	m, err := ipMatch(c, v.Text)
	if err != nil {
		return "", err
	}
	if e.Op == "!=" {
		return "not(" + m + ")", nil
	}
	return m, nil
}

// ipMatch is the condition that the address column c is the address or
// in the network s, written in any spelling (IPv6 zeros, IPv4-mapped
// IPv6), as the language compares addresses.
func ipMatch(c, s string) (string, error) {
	if pfx, err := netip.ParsePrefix(s); err == nil {
		pfx = pfx.Masked()
		if pfx.Addr().Is4() {
			mapped := netip.PrefixFrom(netip.AddrFrom16(pfx.Addr().As16()), pfx.Bits()+96)
			return fmt.Sprintf("(coalesce(ipv4_is_in_range(%s, %s), false) or coalesce(ipv6_is_in_range(%s, %s), false))",
				c, str(pfx.String()), c, str(mapped.String())), nil
		}
		return fmt.Sprintf("coalesce(ipv6_is_in_range(%s, %s), false)", c, str(pfx.String())), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return "", refuse(s, "it is not an address or network")
	}
	if a.Is4() {
		return fmt.Sprintf("(coalesce(ipv4_compare(%s, %s) == 0, false) or coalesce(ipv6_compare(%s, %s) == 0, false))",
			c, str(a.String()), c, str(netip.AddrFrom16(a.As16()).String())), nil
	}
	return fmt.Sprintf("coalesce(ipv6_compare(%s, %s) == 0, false)", c, str(a.String())), nil
}

// in is F in (values), F not in (values), with named lists among them.
func (t *translator) in(e *ast.In) (string, error) {
	if tu, ok := e.X.(*ast.Tuple); ok && e.Query != nil {
		return t.inTuple(e, tu)
	}
	lf, lc, err := t.listField(e.X)
	if err != nil {
		return "", err
	}
	var f *signin.Field
	var c string
	if lf == nil {
		f, c, err = t.operand(e.X)
		if err != nil {
			return "", err
		}
	} else if e.Query != nil {
		return "", refuse(e, "a multi-valued field in a subquery is not translated yet")
	}
	if e.Query != nil {
		return t.inQuery(e, f, c)
	}
	var vals []string
	for _, v := range e.Values {
		if !v.Quoted && strings.HasPrefix(v.Text, "@") {
			l := t.namedList(v.Text[1:])
			if l == nil {
				return "", refuse(v.Text, "the named list's values are the store's: give them (explain --kql with a store)")
			}
			vals = append(vals, l.Values...)
			continue
		}
		vals = append(vals, v.Text)
	}
	if len(vals) == 0 {
		return "", refuse(e, "it has no values")
	}
	if lf != nil {
		// Some element among the values (in), none (not in).
		var ss []string
		for _, v := range vals {
			ss = append(ss, str(v))
		}
		col := t.anyElement(lc, "__x in~ ("+strings.Join(ss, ", ")+")")
		if e.Not {
			return "(" + col + " == 0)", nil
		}
		return "(" + col + " > 0)", nil
	}
	var out string
	switch {
	case f.Name == "ip":
		var ms []string
		for _, v := range vals {
			m, err := ipMatch(c, v)
			if err != nil {
				return "", err
			}
			ms = append(ms, m)
		}
		out = "(" + strings.Join(ms, " or ") + ")"
		if e.Not {
			out = "not" + out
		}
		return out, nil
	case f.Kind == signin.KindString:
		var ss []string
		for _, v := range vals {
			ss = append(ss, str(v))
		}
		op := " in~ "
		if e.Not {
			op = " !in~ "
		}
		return "(" + c + op + "(" + strings.Join(ss, ", ") + "))", nil
	case f.Kind == signin.KindInt || f.Kind == signin.KindFloat || f.Kind == signin.KindBool:
		var ls []string
		for _, v := range vals {
			l, err := t.number(f, &ast.Literal{Pos: e.Pos, Text: v})
			if err != nil {
				return "", err
			}
			ls = append(ls, l)
		}
		op := " in "
		if e.Not {
			op = " !in "
		}
		return "(isnotnull(" + c + ") and " + c + op + "(" + strings.Join(ls, ", ") + "))", nil
	}
	return "", refuse(e, "in (…) of times is not translated")
}

// inQuery is F [not] in (QUERY): F among the values of the subquery's
// first column, missing values (null, "") being in no subquery; text
// without regard to case. On text, not in is the negation of in (a
// missing F satisfies it); on numbers, times and flags a missing F
// satisfies neither.
func (t *translator) inQuery(e *ast.In, f *signin.Field, c string) (string, error) {
	name, col, err := t.subquery(e.Query)
	if err != nil {
		return "", err
	}
	v := ident(col.name)
	switch {
	case f.Name == "ip" || col.name == "ip":
		return "", refuse(e, "an address is in a subquery in any of its spellings, which KQL's in does not compare")
	case f.Kind == signin.KindString && col.kind == signin.KindString:
		set := "(" + name + " | where isnotempty(" + v + ") | project " + v + ")"
		if e.Not {
			return "(" + c + " !in~ " + set + ")", nil
		}
		return "(" + c + " in~ " + set + ")", nil
	case f.Kind == col.kind && f.Kind != signin.KindString:
		set := "(" + name + " | where isnotnull(" + v + ") | project " + v + ")"
		op := " in "
		if e.Not {
			op = " !in "
		}
		return "(isnotnull(" + c + ") and " + c + op + set + ")", nil
	}
	return "", refuse(e, "the subquery's column is of another kind")
}

// inTuple is (F1, F2, …) [not] in (QUERY): the fields' values together
// among the rows of the subquery's first columns, each compared as F in
// (QUERY) compares one (text without regard to case, lowered with
// tolower on both sides; numbers, times and flags by value), as one key:
// each value's text after its length (strcat(strlen(v), ":", v, …)),
// which no two different lists of values share. A sign-in missing a
// value is in no row, and the subquery's rows missing one are left out;
// not in is the negation of in, except that a sign-in missing a number,
// a time or a flag satisfies neither.
func (t *translator) inTuple(e *ast.In, tu *ast.Tuple) (string, error) {
	name, outs, err := t.subqueryOuts(e.Query)
	if err != nil {
		return "", err
	}
	if len(outs) < len(tu.Fields) {
		return "", refuse(e.Query, "its columns are fewer than the fields")
	}
	var lkey, rkey, lpresent, rpresent, nonText []string
	for i, n := range tu.Fields {
		f := signin.Lookup(n.Name)
		if f != nil && f.Kind == signin.KindList {
			return "", refuse(tu, "a multi-valued field among several fields is not translated yet")
		}
		f, c, err := t.field(n)
		if err != nil {
			return "", err
		}
		o := outs[i]
		if f.Name == "ip" || o.name == "ip" {
			return "", refuse(tu, "an address is in a subquery in any of its spellings, which KQL's in does not compare")
		}
		if o.kind != f.Kind || f.Kind == signin.KindFloat {
			return "", refuse(tu, "the subquery's column %s is of another kind, or of decimal numbers, which are not translated here", o.name)
		}
		r := ident(o.name)
		var l2, r2 string
		if f.Kind == signin.KindString {
			l2, r2 = "tolower("+c+")", "tolower("+r+")"
			lpresent = append(lpresent, "isnotempty("+c+")")
			rpresent = append(rpresent, "isnotempty("+r+")")
		} else {
			l2, r2 = "tostring("+c+")", "tostring("+r+")"
			lpresent = append(lpresent, "isnotnull("+c+")")
			rpresent = append(rpresent, "isnotnull("+r+")")
			nonText = append(nonText, "isnotnull("+c+")")
		}
		lkey = append(lkey, "strlen("+l2+"), \":\", "+l2)
		rkey = append(rkey, "strlen("+r2+"), \":\", "+r2)
	}
	set := "(" + name + " | where " + strings.Join(rpresent, " and ") + " | project strcat(" + strings.Join(rkey, ", ") + "))"
	in := "(" + strings.Join(lpresent, " and ") + " and strcat(" + strings.Join(lkey, ", ") + ") in " + set + ")"
	if !e.Not {
		return in, nil
	}
	if len(nonText) == 0 {
		return "not" + in, nil
	}
	return "(" + strings.Join(nonText, " and ") + " and not" + in + ")", nil
}

// namedList is the named list of that name: a built-in, or one of Options.Lists.
func (t *translator) namedList(name string) *query.List {
	for _, l := range append(query.Builtins(), t.opts.Lists...) {
		if strings.EqualFold(l.Name, name) {
			return l
		}
	}
	return nil
}

// globRegexp is like's glob as the regular expression the language
// matches it with (query's globRegexp): the whole value, any case, *
// any text and ? one character, line breaks included.
func globRegexp(glob string) string {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(quoteMeta(r))
		}
	}
	b.WriteString("$")
	return b.String()
}

func quoteMeta(r rune) string {
	if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
		return `\` + string(r)
	}
	return string(r)
}
