package query

// A deliberately naive reference evaluator of the query language, for the
// differential test (differential_test.go). It shares nothing with the
// executor but the parser: it takes the AST from Parse and evaluates it
// over a plain slice of records with loops, maps and sorting, by the
// language's contract, and returns an result.Result to compare with the
// executor's. It is slow on purpose and checks little: it is meant to be
// obviously right on the queries the generator (internal/querygen) makes,
// not to validate queries.

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// naiveResult is a result, and how its rows were ordered, so that a
// comparison can tell rows in another order among ties (of sums of
// floats added in another order) from wrong rows.
type naiveResult struct {
	*result.Result
	// Order is what the rows of an aggregate or top query are ordered by;
	// All are the rows before the limit.
	Order []naiveSortKey
	All   [][]result.Value
}

// naiveQuery evaluates a query's text over recs, with now for since.
func naiveQuery(recs []signin.Record, text string, now time.Time) (*naiveResult, error) {
	st, err := Parse(text)
	if err != nil {
		return nil, err
	}
	if st.Explain {
		return nil, fmt.Errorf("naive: explain is out of scope")
	}
	q := st.Query
	naiveNowIn(q, now) // naive_time_test.go
	if len(q.Stages) > 0 && q.Kind != ast.Aggregate && !slices.ContainsFunc(q.Stages, (*ast.Stage).Operator) {
		return nil, fmt.Errorf("naive: stages after %s are out of scope", []string{"an aggregate", "top", "list", "show"}[q.Kind])
	}
	inRange, err := naiveTimeRange(q, now)
	if err != nil {
		return nil, err
	}
	if err := naiveResolveSubqueries(recs, q, now); err != nil {
		return nil, err
	}
	where := func(*signin.Record) bool { return true }
	if q.Where != nil {
		if where, err = naiveCond(q.Where); err != nil {
			return nil, err
		}
	}
	var sel []*signin.Record
	for i := range recs {
		if inRange(recs[i].Time) && where(&recs[i]) {
			sel = append(sel, &recs[i])
		}
	}
	switch q.Kind {
	case ast.List:
		naiveSeqFields(q) // naive_seq_test.go
		res, err := naiveList(q, sel)
		if err != nil {
			return nil, err
		}
		return naivePipes(recs, res, q.Stages, now)
	case ast.Top:
		res, err := naiveTop(q, sel)
		if err != nil {
			return nil, err
		}
		return naivePipes(recs, res, q.Stages, now)
	case ast.Aggregate:
		res, err := naiveAggregate(q, sel)
		if err != nil {
			return nil, err
		}
		for _, s := range q.Stages {
			if s.Operator() {
				if res, err = naivePipe(recs, res, s, now); err != nil {
					return nil, err
				}
				continue
			}
			if strings.EqualFold(s.Name, "anomalies") {
				if res, err = naiveAnomalies(res, s, q, now); err != nil {
					return nil, err
				}
				continue
			}
			if !strings.EqualFold(s.Name, "spikes") {
				return nil, fmt.Errorf("naive: the stage %s is out of scope", s.Name)
			}
			if res, err = naiveSpikes(res, s, q, now); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	return nil, fmt.Errorf("naive: query kind %d is out of scope", q.Kind)
}

// ---- Time ----

var naiveDurationRE = regexp.MustCompile(`^([0-9]+)(ms|s|m|h|d|w)$`)

// naiveDuration parses N followed by ms, s, m, h, d or w.
func naiveDuration(s string) (time.Duration, bool) {
	m := naiveDurationRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, false
	}
	unit := map[string]time.Duration{
		"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
		"d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
	}[m[2]]
	return time.Duration(n) * unit, true
}

// naiveInstant parses a date (midnight UTC) or an RFC 3339 timestamp
// (UTC without a zone).
func naiveInstant(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("naive: %q is not a date or a timestamp", s)
}

func naiveTimeRange(q *ast.Query, now time.Time) (func(time.Time) bool, error) {
	switch {
	case q.Since != nil:
		var from time.Time
		if d, ok := naiveDuration(q.Since.Text); ok {
			from = now.Add(-d)
		} else {
			t, err := naiveInstant(q.Since.Text)
			if err != nil {
				return nil, err
			}
			from = t
		}
		// since ends at now, which it includes.
		return func(t time.Time) bool { return !t.Before(from) && !t.After(now) }, nil
	case q.Between[0] != nil:
		a, err := naiveInstant(q.Between[0].Text)
		if err != nil {
			return nil, err
		}
		b, err := naiveInstant(q.Between[1].Text)
		if err != nil {
			return nil, err
		}
		return func(t time.Time) bool { return !t.Before(a) && t.Before(b) }, nil
	}
	return func(time.Time) bool { return true }, nil
}

// ---- Conditions ----

type naivePred func(*signin.Record) bool

// naiveField resolves a name to a catalog field.
func naiveField(e ast.Expr) (*signin.Field, error) {
	n, ok := e.(*ast.Name)
	if !ok {
		return nil, fmt.Errorf("naive: %s is not a field", e)
	}
	f := signin.Lookup(n.Name)
	if f == nil {
		return nil, fmt.Errorf("naive: unknown field %s", n.Name)
	}
	return f, nil
}

// naiveText is the text of a value: a bare word or a quoted string.
func naiveText(e ast.Expr) (string, error) {
	switch e := e.(type) {
	case *ast.Name:
		return e.Name, nil
	case *ast.Literal:
		return e.Text, nil
	}
	return "", fmt.Errorf("naive: %s is not a value", e)
}

// naiveListName is the name of a list after its @.
var naiveListName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func naiveCond(e ast.Expr) (naivePred, error) {
	switch e := e.(type) {
	case *ast.Name: // a flag alone: flag = true
		f, err := naiveField(e)
		if err != nil {
			return nil, err
		}
		if f.Kind != signin.KindBool {
			return nil, fmt.Errorf("naive: the %s field %s is not a condition", f.Kind, f.Name)
		}
		return naiveFieldPred(f, "=", []string{"true"})
	case *ast.Not:
		x, err := naiveCond(e.X)
		if err != nil {
			return nil, err
		}
		return func(r *signin.Record) bool { return !x(r) }, nil
	case *ast.In:
		if e.Query != nil {
			return naiveSubqueryPred(e)
		}
		f, err := naiveField(e.X)
		if err != nil {
			return nil, err
		}
		var vals []string
		for _, v := range e.Values {
			if name, ok := strings.CutPrefix(v.Text, "@"); ok && !v.Quoted && naiveListName.MatchString(name) {
				// A named list: its values, as if written (a scan of
				// them, addresses by netip.Prefix.Contains).
				list, ok := naiveListValues(name)
				if !ok {
					return nil, fmt.Errorf("naive: no list @%s", name)
				}
				vals = append(vals, list...)
				continue
			}
			vals = append(vals, v.Text)
		}
		op := "in"
		if e.Not {
			op = "not in"
		}
		return naiveFieldPred(f, op, vals)
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := naiveCond(e.L)
			if err != nil {
				return nil, err
			}
			r, err := naiveCond(e.R)
			if err != nil {
				return nil, err
			}
			if e.Op == "and" {
				return func(x *signin.Record) bool { return l(x) && r(x) }, nil
			}
			return func(x *signin.Record) bool { return l(x) || r(x) }, nil
		}
		if naiveIsTimeArith(e) {
			return naiveTimeCond(e) // naive_time_test.go
		}
		if r, ok := naiveRightSide(e.R); ok {
			l, err := naiveSideOf(e.L)
			if err != nil {
				return nil, err
			}
			return naiveCompareSides(l, e.Op, r)
		}
		f, err := naiveField(e.L)
		if err != nil {
			return nil, err
		}
		v, err := naiveText(e.R)
		if err != nil {
			return nil, err
		}
		return naiveFieldPred(f, e.Op, []string{v})
	}
	return nil, fmt.Errorf("naive: %s is not a condition", e)
}

// naiveSide is a side of a comparison of two fields: a field's value, or
// a function's of it.
type naiveSide struct {
	kind  signin.Kind
	value func(*signin.Record) result.Value
}

// naiveSideOf reads a field, or a call of a function of one.
func naiveSideOf(e ast.Expr) (naiveSide, error) {
	if c, ok := e.(*ast.Call); ok {
		fn, err := naiveFuncOf(c)
		if err != nil {
			return naiveSide{}, err
		}
		return naiveSide{kind: fn.kind, value: func(r *signin.Record) result.Value { return fn.eval(naiveValue(fn.field, r)) }}, nil
	}
	f, err := naiveField(e)
	if err != nil {
		return naiveSide{}, err
	}
	return naiveSide{kind: f.Kind, value: func(r *signin.Record) result.Value { return naiveValue(f, r) }}, nil
}

// naiveRightSide reads what follows a comparison's operator as a field
// when it is a bare word naming one, or a call of a function; anything
// else is a value.
func naiveRightSide(e ast.Expr) (naiveSide, bool) {
	switch e := e.(type) {
	case *ast.Name:
		if signin.Lookup(e.Name) == nil {
			return naiveSide{}, false
		}
	case *ast.Call:
	default:
		return naiveSide{}, false
	}
	s, err := naiveSideOf(e)
	return s, err == nil
}

// naiveCompareSides compares two fields: texts without regard to case,
// a missing text being "" and a list equal to the other side when any
// element is (a list without elements being ""), != the negation of =;
// numbers, times and flags by value, a missing one satisfying nothing.
func naiveCompareSides(l naiveSide, op string, r naiveSide) (naivePred, error) {
	isText := func(k signin.Kind) bool { return k == signin.KindString || k == signin.KindList }
	if isText(l.kind) != isText(r.kind) {
		return nil, fmt.Errorf("naive: %s compared with %s", l.kind, r.kind)
	}
	if isText(l.kind) {
		texts := func(v result.Value) []string {
			if v.Kind() == signin.KindList {
				if len(v.List()) == 0 {
					return []string{""}
				}
				return v.List()
			}
			return []string{v.Str()}
		}
		eq := func(x *signin.Record) bool {
			for _, a := range texts(l.value(x)) {
				for _, b := range texts(r.value(x)) {
					if strings.EqualFold(a, b) {
						return true
					}
				}
			}
			return false
		}
		switch op {
		case "=":
			return eq, nil
		case "!=":
			return func(x *signin.Record) bool { return !eq(x) }, nil
		}
		return nil, fmt.Errorf("naive: %s on text", op)
	}
	test := map[string]func(int) bool{
		"=": func(c int) bool { return c == 0 }, "!=": func(c int) bool { return c != 0 },
		"<": func(c int) bool { return c < 0 }, "<=": func(c int) bool { return c <= 0 },
		">": func(c int) bool { return c > 0 }, ">=": func(c int) bool { return c >= 0 },
	}[op]
	if test == nil {
		return nil, fmt.Errorf("naive: %s between fields", op)
	}
	return func(x *signin.Record) bool {
		a, b := l.value(x), r.value(x)
		if a.IsNull() || b.IsNull() {
			return false
		}
		switch {
		case a.Kind() == signin.KindTime:
			return test(a.Time().Compare(b.Time()))
		case a.Kind() == signin.KindFloat || b.Kind() == signin.KindFloat:
			if math.IsNaN(a.Float()) || math.IsNaN(b.Float()) {
				return false
			}
			return test(naiveCmpFloat(a.Float(), b.Float()))
		}
		return test(naiveCmpInt(a.Int(), b.Int()))
	}, nil
}

// ---- Functions ----

// naiveFunc is a function of a field's value, written from the
// functions' documented contracts (docs/query-language.md, Functions).
type naiveFunc struct {
	name  string // the output column's: the call in lower case
	field *signin.Field
	kind  signin.Kind
	eval  func(result.Value) result.Value
}

func naiveFuncOf(c *ast.Call) (*naiveFunc, error) {
	if strings.EqualFold(c.Name, "subnet") {
		return naiveSubnet(c) // naive_time_test.go
	}
	if len(c.Args) != 1 {
		return nil, fmt.Errorf("naive: %s with %d arguments is out of scope", c.Name, len(c.Args))
	}
	f, err := naiveField(c.Args[0])
	if err != nil {
		return nil, err
	}
	fn := &naiveFunc{name: strings.ToLower(c.String()), field: f}
	onTime := func(kind signin.Kind, null result.Value, of func(t time.Time) result.Value) error {
		if f.Kind != signin.KindTime {
			return fmt.Errorf("naive: %s of the %s field %s", c.Name, f.Kind, f.Name)
		}
		fn.kind = kind
		fn.eval = func(v result.Value) result.Value {
			if v.IsNull() {
				return null
			}
			return of(v.Time().UTC())
		}
		return nil
	}
	switch strings.ToLower(c.Name) {
	case "hour":
		err = onTime(signin.KindInt, result.Null(signin.KindInt), func(t time.Time) result.Value { return result.IntValue(int64(t.Hour())) })
	case "date":
		err = onTime(signin.KindTime, result.Null(signin.KindTime), func(t time.Time) result.Value {
			return result.TimeValue(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
		})
	case "weekday":
		err = onTime(signin.KindString, result.StringValue(""), func(t time.Time) result.Value {
			n := int(t.Weekday())
			if n == 0 {
				n = 7 // Monday is 1, Sunday 7
			}
			return result.StringValue(fmt.Sprintf("%d %s", n, t.Weekday().String()[:3]))
		})
	case "domain":
		fn.kind = signin.KindString
		fn.eval = func(v result.Value) result.Value {
			s := v.Str()
			i := strings.LastIndex(s, "@")
			if i < 0 {
				return result.StringValue("")
			}
			return result.StringValue(strings.ToLower(s[i+1:]))
		}
	default:
		return nil, fmt.Errorf("naive: the function %s is out of scope", c.Name)
	}
	if err != nil {
		return nil, err
	}
	return fn, nil
}

// naiveFieldPred is a predicate on one field.
func naiveFieldPred(f *signin.Field, op string, vals []string) (naivePred, error) {
	switch f.Kind {
	case signin.KindString, signin.KindList:
		return naiveTextPred(f, op, vals)
	}
	// Numbers, times and flags: a missing value satisfies nothing.
	type num struct {
		i     int64
		f     float64
		isInt bool
	}
	var lits []num
	for _, v := range vals {
		switch f.Kind {
		case signin.KindInt:
			if i, err := strconv.ParseInt(v, 10, 64); err == nil {
				lits = append(lits, num{i: i, f: float64(i), isInt: true})
			} else if x, err := strconv.ParseFloat(v, 64); err == nil && (op == "<" || op == "<=" || op == ">" || op == ">=") {
				lits = append(lits, num{f: x})
			} else {
				return nil, fmt.Errorf("naive: %q is not a number for %s", v, f.Name)
			}
		case signin.KindFloat:
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("naive: %q is not a number for %s", v, f.Name)
			}
			lits = append(lits, num{f: x})
		case signin.KindTime:
			t, err := naiveInstant(v)
			if err != nil {
				return nil, err
			}
			lits = append(lits, num{i: t.UnixNano(), isInt: true})
		case signin.KindBool:
			switch v {
			case "true":
				lits = append(lits, num{i: 1, isInt: true})
			case "false":
				lits = append(lits, num{i: 0, isInt: true})
			default:
				return nil, fmt.Errorf("naive: %q is not true or false", v)
			}
		}
	}
	// cmp3 compares the record's value with a literal.
	cmp3 := func(r *signin.Record, l num) (int, bool) {
		switch f.Kind {
		case signin.KindFloat:
			v, ok := f.Float(r)
			if !ok {
				return 0, false
			}
			return naiveCmpFloat(v, l.f), true
		case signin.KindTime:
			t := f.Time(r)
			if t.IsZero() {
				return 0, false
			}
			return naiveCmpInt(t.UnixNano(), l.i), true
		}
		v, ok := f.Int(r)
		if !ok {
			return 0, false
		}
		if l.isInt {
			return naiveCmpInt(v, l.i), true
		}
		return naiveCmpFloat(float64(v), l.f), true
	}
	test := map[string]func(int) bool{
		"=": func(c int) bool { return c == 0 }, "!=": func(c int) bool { return c != 0 },
		"<": func(c int) bool { return c < 0 }, "<=": func(c int) bool { return c <= 0 },
		">": func(c int) bool { return c > 0 }, ">=": func(c int) bool { return c >= 0 },
	}
	switch op {
	case "in", "not in":
		return func(r *signin.Record) bool {
			any := false
			for _, l := range lits {
				c, ok := cmp3(r, l)
				if !ok {
					return false // missing: neither in nor not in
				}
				any = any || c == 0
			}
			return any == (op == "in")
		}, nil
	}
	t, ok := test[op]
	if !ok {
		return nil, fmt.Errorf("naive: %s on the %s field %s is out of scope", op, f.Kind, f.Name)
	}
	return func(r *signin.Record) bool {
		c, ok := cmp3(r, lits[0])
		return ok && t(c)
	}, nil
}

func naiveCmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func naiveCmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// naiveTexts is what a text predicate looks at: a string's value (""
// when missing), a list's elements, or "" for a list with none.
func naiveTexts(f *signin.Field, r *signin.Record) []string {
	if f.Kind == signin.KindList {
		if l := f.List(r); len(l) > 0 {
			return l
		}
		return []string{""}
	}
	return []string{f.Text(r)}
}

// naiveGlob turns a like pattern into a regular expression.
func naiveGlob(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, c := range p {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func naiveTextPred(f *signin.Field, op string, vals []string) (naivePred, error) {
	isIP := f.Name == "ip"
	eq := func(v, lit string) bool {
		if strings.EqualFold(v, lit) {
			return true
		}
		if isIP {
			a, err1 := netip.ParseAddr(v)
			b, err2 := netip.ParseAddr(lit)
			return err1 == nil && err2 == nil && a.Unmap() == b.Unmap()
		}
		return false
	}
	var one func(v string) bool // whether one value matches
	switch op {
	case "=", "!=":
		one = func(v string) bool { return eq(v, vals[0]) }
	case "in", "not in":
		var prefixes []netip.Prefix
		var plain []string
		for _, l := range vals {
			if isIP && strings.Contains(l, "/") {
				p, err := netip.ParsePrefix(l)
				if err != nil {
					return nil, fmt.Errorf("naive: %q is not a CIDR prefix", l)
				}
				prefixes = append(prefixes, p.Masked())
				continue
			}
			plain = append(plain, l)
		}
		one = func(v string) bool {
			for _, l := range plain {
				if eq(v, l) {
					return true
				}
			}
			if len(prefixes) > 0 {
				if a, err := netip.ParseAddr(v); err == nil {
					for _, p := range prefixes {
						if p.Contains(a.Unmap()) {
							return true
						}
					}
				}
			}
			return false
		}
	case "contains":
		l := strings.ToLower(vals[0])
		one = func(v string) bool { return strings.Contains(strings.ToLower(v), l) }
	case "startswith":
		l := strings.ToLower(vals[0])
		one = func(v string) bool { return strings.HasPrefix(strings.ToLower(v), l) }
	case "endswith":
		l := strings.ToLower(vals[0])
		one = func(v string) bool { return strings.HasSuffix(strings.ToLower(v), l) }
	case "like":
		re := naiveGlob(vals[0])
		one = re.MatchString
	case "~":
		re, err := regexp.Compile("(?i)" + vals[0])
		if err != nil {
			return nil, fmt.Errorf("naive: bad regular expression %q: %v", vals[0], err)
		}
		one = re.MatchString
	default:
		return nil, fmt.Errorf("naive: %s on the text field %s is out of scope", op, f.Name)
	}
	anyOf := func(r *signin.Record) bool {
		if f.Kind == signin.KindString {
			return one(f.Text(r))
		}
		for _, v := range naiveTexts(f, r) {
			if one(v) {
				return true
			}
		}
		return false
	}
	if op == "!=" || op == "not in" {
		return func(r *signin.Record) bool { return !anyOf(r) }, nil
	}
	return anyOf, nil
}

// ---- Values of fields ----

// naiveValue is a field's value in a record as a result cell: strings as
// they are ("" when missing), lists as lists, other kinds by kind, null
// when missing.
func naiveValue(f *signin.Field, r *signin.Record) result.Value {
	switch f.Kind {
	case signin.KindString:
		return result.StringValue(f.Text(r))
	case signin.KindList:
		return result.ListValue(append([]string{}, f.List(r)...))
	case signin.KindInt:
		if v, ok := f.Int(r); ok {
			return result.IntValue(v)
		}
	case signin.KindFloat:
		if v, ok := f.Float(r); ok {
			return result.FloatValue(v)
		}
	case signin.KindTime:
		if t := f.Time(r); !t.IsZero() {
			return result.TimeValue(t)
		}
	case signin.KindBool:
		if v, ok := f.Int(r); ok {
			return result.BoolValue(v == 1)
		}
	}
	return result.Null(f.Kind)
}

// naivePresent calls fn with each present value of a field in a record:
// a list's non-empty elements, a string when not empty, other kinds when
// present.
func naivePresent(f *signin.Field, r *signin.Record, fn func(result.Value)) {
	switch f.Kind {
	case signin.KindList:
		for _, e := range f.List(r) {
			if e != "" {
				fn(result.StringValue(e))
			}
		}
	case signin.KindString:
		if s := f.Text(r); s != "" {
			fn(result.StringValue(s))
		}
	default:
		if v := naiveValue(f, r); !v.IsNull() {
			fn(v)
		}
	}
}

// naiveKey appends to b a map key for a value of a known kind.
func naiveKey(b []byte, v result.Value) []byte {
	switch {
	case v.IsNull():
		return append(b, "\x00null"...)
	case v.Kind() == signin.KindFloat:
		return strconv.AppendUint(b, math.Float64bits(v.Float()), 16)
	case v.Kind() == signin.KindString:
		return append(b, v.Str()...)
	case v.Kind() == signin.KindList:
		return append(b, strings.Join(v.List(), "\x00")...)
	}
	return strconv.AppendInt(b, v.Int(), 10)
}

// ---- list ----

// naiveDefaultList are the fields list shows by default.
var naiveDefaultList = []string{"time", "type", "identity", "app", "resource", "ip", "status", "error"}

func naiveLimit(q *ast.Query) (int, bool, error) {
	if q.Limit == nil {
		return 0, false, nil
	}
	n, err := strconv.Atoi(q.Limit.Text)
	if err != nil || n < 0 {
		return 0, false, fmt.Errorf("naive: bad limit %q", q.Limit.Text)
	}
	return n, true, nil
}

func naiveList(q *ast.Query, sel []*signin.Record) (*naiveResult, error) {
	var fields []*signin.Field
	switch {
	case q.All:
		fields = signin.Fields()
	case len(q.Fields) == 0:
		for _, n := range naiveDefaultList {
			fields = append(fields, signin.Lookup(n))
		}
	default:
		for _, e := range q.Fields {
			f, err := naiveField(e)
			if err != nil {
				return nil, err
			}
			fields = append(fields, f)
		}
	}
	if q.Having != nil || len(q.OrderBy) > 0 || len(q.GroupBy) > 0 {
		return nil, fmt.Errorf("naive: list with having, order by or group by is out of scope")
	}
	recs := slices.Clone(sel)
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.After(b.Time)
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Type.String() < b.Type.String()
	})
	res := &naiveResult{Result: &result.Result{}}
	for _, f := range fields {
		res.Columns = append(res.Columns, result.Column{Name: f.Name, Kind: f.Kind, Field: f.Name})
	}
	n, limited, err := naiveLimit(q)
	if err != nil {
		return nil, err
	}
	if limited && n < len(recs) {
		recs = recs[:n]
	}
	res.Rows = [][]result.Value{}
	for _, r := range recs {
		row := make([]result.Value, len(fields))
		for i, f := range fields {
			row[i] = naiveValue(f, r)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// ---- Groups ----

// naiveKeySpec is one group key: a field, a function of one, or bin(D)
// of the time.
type naiveKeySpec struct {
	field *signin.Field
	bin   time.Duration
	fn    *naiveFunc
}

func (k naiveKeySpec) column() result.Column {
	switch {
	case k.fn != nil:
		return result.Column{Name: k.fn.name, Kind: k.fn.kind, Key: true}
	case k.field == nil:
		return result.Column{Name: "time", Kind: signin.KindTime, Field: "time", Key: true, Bin: k.bin}
	case k.field.Kind == signin.KindList:
		return result.Column{Name: k.field.Name, Kind: signin.KindString, Field: k.field.Name, Key: true}
	}
	return result.Column{Name: k.field.Name, Kind: k.field.Kind, Field: k.field.Name, Key: true}
}

// values appends to dst the key values of the groups a record belongs to
// for this key.
func (k naiveKeySpec) values(dst []result.Value, r *signin.Record) []result.Value {
	switch {
	case k.fn != nil:
		return append(dst, k.fn.eval(naiveValue(k.fn.field, r)))
	case k.field == nil:
		ns := r.Time.UnixNano()
		d := int64(k.bin)
		q := ns / d
		if ns%d != 0 && ns < 0 {
			q--
		}
		return append(dst, result.TimeValue(time.Unix(0, q*d).UTC()))
	case k.field.Kind == signin.KindList:
		start := len(dst)
		for _, e := range k.field.List(r) {
			if !slices.ContainsFunc(dst[start:], func(v result.Value) bool { return v.Str() == e }) {
				dst = append(dst, result.StringValue(e))
			}
		}
		if len(dst) == start {
			dst = append(dst, result.StringValue(""))
		}
		return dst
	}
	return append(dst, naiveValue(k.field, r))
}

func naiveKeySpecOf(e ast.Expr) (naiveKeySpec, error) {
	if c, ok := e.(*ast.Call); ok && strings.EqualFold(c.Name, "bin") && len(c.Args) == 1 {
		var text string
		switch a := c.Args[0].(type) {
		case *ast.Name:
			text = a.Name
		case *ast.Literal:
			text = a.Text
		}
		d, ok := naiveDuration(text)
		if !ok || d <= 0 {
			return naiveKeySpec{}, fmt.Errorf("naive: bad bin %s", c)
		}
		return naiveKeySpec{bin: d}, nil
	}
	if c, ok := e.(*ast.Call); ok {
		fn, err := naiveFuncOf(c)
		if err != nil {
			return naiveKeySpec{}, err
		}
		return naiveKeySpec{fn: fn}, nil
	}
	f, err := naiveField(e)
	if err != nil {
		return naiveKeySpec{}, err
	}
	return naiveKeySpec{field: f}, nil
}

type naiveGroup struct {
	key  []result.Value
	recs []*signin.Record
}

// naiveGroups puts the records into groups by the keys, in no order. A
// record with several values for a key (a list) goes into a group for
// each combination of its keys' values.
func naiveGroups(keys []naiveKeySpec, sel []*signin.Record) []*naiveGroup {
	if len(keys) == 0 {
		return []*naiveGroup{{recs: sel}}
	}
	byKey := map[string]*naiveGroup{}
	var out []*naiveGroup
	vals := make([][]result.Value, len(keys))
	idx := make([]int, len(keys))
	var buf []byte
	for _, r := range sel {
		for i, k := range keys {
			vals[i] = k.values(vals[i][:0], r)
			idx[i] = 0
		}
		for {
			buf = buf[:0]
			for i := range keys {
				buf = naiveKey(buf, vals[i][idx[i]])
				buf = append(buf, 0xff)
			}
			g := byKey[string(buf)]
			if g == nil {
				g = &naiveGroup{}
				for i := range keys {
					g.key = append(g.key, vals[i][idx[i]])
				}
				byKey[string(buf)] = g
				out = append(out, g)
			}
			g.recs = append(g.recs, r)
			// The next combination, the last key varying fastest.
			i := len(keys) - 1
			for ; i >= 0; i-- {
				if idx[i]++; idx[i] < len(vals[i]) {
					break
				}
				idx[i] = 0
			}
			if i < 0 {
				break
			}
		}
	}
	return out
}

// ---- Aggregates ----

// naiveAgg computes one aggregate over a group's records; its error is
// errNaiveOverflow for a sum beyond an int64.
type naiveAgg struct {
	kind signin.Kind
	eval func(recs []*signin.Record) (result.Value, error)
}

func naiveAggOf(e ast.Expr) (*naiveAgg, error) {
	if n, ok := e.(*ast.Name); ok && strings.EqualFold(n.Name, "count") {
		return &naiveAgg{kind: signin.KindInt, eval: func(recs []*signin.Record) (result.Value, error) {
			return result.IntValue(int64(len(recs))), nil
		}}, nil
	}
	c, ok := e.(*ast.Call)
	if !ok {
		return nil, fmt.Errorf("naive: %s is not an aggregate", e)
	}
	name := strings.ToLower(c.Name)
	argc := map[string]int{"count": 0, "countif": 1, "dcount": 1, "dcountif": 2, "min": 1, "max": 1, "sum": 1, "avg": 1, "values": 1,
		"minif": 2, "maxif": 2, "valuesif": 2}
	want, known := argc[name]
	if !known {
		return nil, fmt.Errorf("naive: unknown aggregate %s", c.Name)
	}
	if len(c.Args) != want {
		return nil, fmt.Errorf("naive: %s takes %d arguments", name, want)
	}
	if name == "count" {
		return naiveAggOf(&ast.Name{Name: "count"})
	}
	if name == "countif" {
		cond, err := naiveCond(c.Args[0])
		if err != nil {
			return nil, err
		}
		return &naiveAgg{kind: signin.KindInt, eval: func(recs []*signin.Record) (result.Value, error) {
			n := 0
			for _, r := range recs {
				if cond(r) {
					n++
				}
			}
			return result.IntValue(int64(n)), nil
		}}, nil
	}
	f, each, err := naiveAggArg(c.Args[0]) // a field, or a function of one: naive_time_test.go
	if err != nil {
		return nil, err
	}
	cond := func(*signin.Record) bool { return true }
	switch name {
	case "dcountif", "minif", "maxif", "valuesif":
		if cond, err = naiveCond(c.Args[1]); err != nil {
			return nil, err
		}
		name = map[string]string{"dcountif": "dcountif", "minif": "min", "maxif": "max", "valuesif": "values"}[name]
	}
	// present calls fn with each present value of the records that
	// satisfy cond.
	present := func(recs []*signin.Record, fn func(result.Value)) {
		for _, r := range recs {
			if cond(r) {
				each(r, fn)
			}
		}
	}
	switch name {
	case "dcount", "dcountif":
		return &naiveAgg{kind: signin.KindInt, eval: func(recs []*signin.Record) (result.Value, error) {
			seen := map[string]bool{}
			var buf []byte
			present(recs, func(v result.Value) {
				buf = naiveKey(buf[:0], v)
				if !seen[string(buf)] {
					seen[string(buf)] = true
				}
			})
			return result.IntValue(int64(len(seen))), nil
		}}, nil
	case "min", "max":
		if f.Kind == signin.KindList {
			return nil, fmt.Errorf("naive: %s of a list", name)
		}
		return &naiveAgg{kind: f.Kind, eval: func(recs []*signin.Record) (result.Value, error) {
			best := result.Null(f.Kind)
			present(recs, func(v result.Value) {
				c := result.Compare(v, best)
				if best.IsNull() || name == "min" && c < 0 || name == "max" && c > 0 {
					best = v
				}
			})
			return best, nil
		}}, nil
	case "sum", "avg":
		if f.Kind != signin.KindInt && f.Kind != signin.KindFloat {
			return nil, fmt.Errorf("naive: %s of a %s", name, f.Kind)
		}
		kind := f.Kind
		if name == "avg" {
			kind = signin.KindFloat
		}
		return &naiveAgg{kind: kind, eval: func(recs []*signin.Record) (result.Value, error) {
			// Whole numbers are added exactly, and a sum beyond an
			// int64 is an overflow, not a wrapped number.
			var si, x big.Int
			var sf float64
			n := 0
			present(recs, func(v result.Value) {
				n++
				if f.Kind == signin.KindInt {
					si.Add(&si, x.SetInt64(v.Int()))
				} else {
					sf += v.Float()
				}
			})
			switch {
			case n == 0:
				return result.Null(kind), nil
			case name == "sum" && f.Kind == signin.KindInt:
				if !si.IsInt64() {
					return result.Value{}, errNaiveOverflow
				}
				return result.IntValue(si.Int64()), nil
			case name == "sum":
				return result.FloatValue(sf), nil
			case f.Kind == signin.KindInt:
				avg, _ := new(big.Float).SetPrec(53).Quo(new(big.Float).SetInt(&si), new(big.Float).SetInt64(int64(n))).Float64()
				return result.FloatValue(avg), nil
			}
			return result.FloatValue(sf / float64(n)), nil
		}}, nil
	case "values":
		return &naiveAgg{kind: signin.KindList, eval: func(recs []*signin.Record) (result.Value, error) {
			seen := map[string]bool{}
			present(recs, func(v result.Value) { seen[v.String()] = true })
			out := []string{}
			for s := range seen {
				out = append(out, s)
			}
			sort.Strings(out)
			return result.ListValue(out), nil
		}}, nil
	}
	return nil, fmt.Errorf("naive: aggregate %s is out of scope", name)
}

// naiveHead is an output column of an aggregate query: an aggregate,
// or arithmetic over aggregates, earlier heads and numbers. Its error is
// errNaiveOverflow.
type naiveHead struct {
	name string
	kind signin.Kind
	eval func(g *naiveGroup, row []result.Value) (result.Value, error)
}

// naiveNumber parses a number written in a head or a condition on
// output columns.
func naiveNumber(s string) (result.Value, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return result.IntValue(i), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return result.FloatValue(f), true
	}
	return result.Value{}, false
}

// errNaiveOverflow is the naive evaluator's verdict that a whole number
// went beyond an int64, or a decimal one beyond a float64: the executor
// must then fail the query with an overflow error.
var errNaiveOverflow = errors.New("naive: a number overflows")

// naiveArith computes a op b by the language's contract
// (docs/query-language.md, "Kinds of query"), apart from the executor's
// checked int64 arithmetic (arith.go): a null operand gives null; + - *
// of whole numbers (kind int) are computed exactly with math/big, and a
// result beyond an int64 is errNaiveOverflow. Otherwise (a decimal
// operand, or /) the operands are decimal numbers, float64s (a whole one
// rounded to 53 bits), and the exact result is rounded once to 53 bits,
// as IEEE 754 rounds; one beyond a float64 is errNaiveOverflow too.
// Division by zero, and an operand that is not a finite number, give
// null.
func naiveArith(op string, a, b result.Value, kind signin.Kind) (result.Value, error) {
	if a.IsNull() || b.IsNull() {
		return result.Null(kind), nil
	}
	if kind == signin.KindInt {
		x, y := big.NewInt(a.Int()), big.NewInt(b.Int())
		switch op {
		case "+":
			x.Add(x, y)
		case "-":
			x.Sub(x, y)
		case "*":
			x.Mul(x, y)
		default:
			return result.Value{}, fmt.Errorf("naive: %s of whole numbers gives a decimal number", op)
		}
		if !x.IsInt64() {
			return result.Value{}, errNaiveOverflow
		}
		return result.IntValue(x.Int64()), nil
	}
	x, okx := naiveExact(a)
	y, oky := naiveExact(b)
	if !okx || !oky || op == "/" && y.Sign() == 0 {
		return result.Null(kind), nil
	}
	r := new(big.Float).SetPrec(53).SetMode(big.ToNearestEven)
	switch op {
	case "+":
		r.Add(x, y)
	case "-":
		r.Sub(x, y)
	case "*":
		r.Mul(x, y)
	case "/":
		r.Quo(x, y)
	}
	f, _ := r.Float64()
	if math.IsInf(f, 0) {
		return result.Value{}, errNaiveOverflow
	}
	return result.FloatValue(f), nil
}

// naiveExact returns a number as a decimal number, in a big.Float of a
// float64's 53 bits: a whole number rounded to them (to nearest, ties to
// even), a decimal one as it is. It reports false for NaN and the
// infinities.
func naiveExact(v result.Value) (*big.Float, bool) {
	if v.Kind() == signin.KindInt {
		return new(big.Float).SetPrec(53).SetMode(big.ToNearestEven).SetInt64(v.Int()), true
	}
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false
	}
	return new(big.Float).SetFloat64(f), true
}

// naiveHeadExpr compiles a head's expression; aliases are the earlier
// heads by lower-cased alias.
func naiveHeadExpr(e ast.Expr, aliases map[string]int, heads []*naiveHead) (signin.Kind, func(*naiveGroup, []result.Value) (result.Value, error), error) {
	if n, ok := e.(*ast.Name); ok {
		if i, ok := aliases[strings.ToLower(n.Name)]; ok {
			return heads[i].kind, func(_ *naiveGroup, row []result.Value) (result.Value, error) { return row[i], nil }, nil
		}
		if v, ok := naiveNumber(n.Name); ok {
			return v.Kind(), func(*naiveGroup, []result.Value) (result.Value, error) { return v, nil }, nil
		}
	}
	if v, ok := naiveHeadConst(e); ok { // naive_time_test.go
		return v.Kind(), func(*naiveGroup, []result.Value) (result.Value, error) { return v, nil }, nil
	}
	if b, ok := e.(*ast.Binary); ok && strings.Contains("+-*/", b.Op) && len(b.Op) == 1 {
		lk, l, err := naiveHeadExpr(b.L, aliases, heads)
		if err != nil {
			return 0, nil, err
		}
		rk, r, err := naiveHeadExpr(b.R, aliases, heads)
		if err != nil {
			return 0, nil, err
		}
		if isTime := func(k signin.Kind) bool { return k == signin.KindTime || k == signin.KindDuration }; isTime(lk) || isTime(rk) {
			kind, err := naiveTimeKind(b.Op, lk, rk) // naive_time_test.go
			if err != nil {
				return 0, nil, err
			}
			op := b.Op
			return kind, func(g *naiveGroup, row []result.Value) (result.Value, error) {
				a, err := l(g, row)
				if err != nil {
					return result.Value{}, err
				}
				b, err := r(g, row)
				if err != nil {
					return result.Value{}, err
				}
				v, _, err := naiveHeadTime(op, a, b)
				return v, err
			}, nil
		}
		for _, k := range []signin.Kind{lk, rk} {
			if k != signin.KindInt && k != signin.KindFloat {
				return 0, nil, fmt.Errorf("naive: arithmetic on a %s in %s", k, e)
			}
		}
		kind := signin.KindFloat
		if b.Op != "/" && lk == signin.KindInt && rk == signin.KindInt {
			kind = signin.KindInt
		}
		op := b.Op
		return kind, func(g *naiveGroup, row []result.Value) (result.Value, error) {
			a, err := l(g, row)
			if err != nil {
				return result.Value{}, err
			}
			b, err := r(g, row)
			if err != nil {
				return result.Value{}, err
			}
			return naiveArith(op, a, b, kind)
		}, nil
	}
	a, err := naiveAggOf(e)
	if err != nil {
		return 0, nil, err
	}
	return a.kind, func(g *naiveGroup, _ []result.Value) (result.Value, error) { return a.eval(g.recs) }, nil
}

// naiveColumn finds an output column by name (an alias, a field name or
// the canonical text of a head), without regard to case.
func naiveColumn(cols []result.Column, e ast.Expr) (int, bool) {
	name := strings.ToLower(e.String())
	for i, c := range cols {
		if strings.ToLower(c.Name) == name {
			return i, true
		}
	}
	// A group key named by an alias of its field.
	if n, ok := e.(*ast.Name); ok {
		if f := signin.Lookup(n.Name); f != nil {
			for i, c := range cols {
				if c.Name == f.Name && c.Field == f.Name {
					return i, true
				}
			}
		}
	}
	return 0, false
}

// naiveHaving compiles a condition on output rows.
func naiveHaving(e ast.Expr, cols []result.Column) (func([]result.Value) bool, error) {
	switch e := e.(type) {
	case *ast.Not:
		x, err := naiveHaving(e.X, cols)
		if err != nil {
			return nil, err
		}
		return func(r []result.Value) bool { return !x(r) }, nil
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := naiveHaving(e.L, cols)
			if err != nil {
				return nil, err
			}
			r, err := naiveHaving(e.R, cols)
			if err != nil {
				return nil, err
			}
			if e.Op == "and" {
				return func(x []result.Value) bool { return l(x) && r(x) }, nil
			}
			return func(x []result.Value) bool { return l(x) || r(x) }, nil
		}
		operand := func(x ast.Expr) (func([]result.Value) result.Value, error) {
			if f, _, ok, err := naiveRowTime(x, cols); ok {
				return f, err // naive_time_test.go
			}
			if n, ok := x.(*ast.Name); ok {
				if v, ok := naiveNumber(n.Name); ok {
					return func([]result.Value) result.Value { return v }, nil
				}
			}
			i, ok := naiveColumn(cols, x)
			if !ok {
				return nil, fmt.Errorf("naive: %s is not an output column", x)
			}
			return func(r []result.Value) result.Value { return r[i] }, nil
		}
		l, err := operand(e.L)
		if err != nil {
			return nil, err
		}
		r, err := operand(e.R)
		if err != nil {
			return nil, err
		}
		test := map[string]func(int) bool{
			"=": func(c int) bool { return c == 0 }, "!=": func(c int) bool { return c != 0 },
			"<": func(c int) bool { return c < 0 }, "<=": func(c int) bool { return c <= 0 },
			">": func(c int) bool { return c > 0 }, ">=": func(c int) bool { return c >= 0 },
		}[e.Op]
		if test == nil {
			return nil, fmt.Errorf("naive: %s in having is out of scope", e.Op)
		}
		return func(row []result.Value) bool {
			a, b := l(row), r(row)
			if a.IsNull() || b.IsNull() {
				return false
			}
			return test(result.Compare(a, b))
		}, nil
	}
	return nil, fmt.Errorf("naive: %s is not a condition on output columns", e)
}

// naiveSortKey is one column to order rows by.
type naiveSortKey struct {
	col  int
	desc bool
}

func naiveSort(rows [][]result.Value, keys []naiveSortKey) {
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range keys {
			c := result.Compare(rows[i][k.col], rows[j][k.col])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
}

func naiveAggregate(q *ast.Query, sel []*signin.Record) (*naiveResult, error) {
	var keys []naiveKeySpec
	for _, e := range q.GroupBy {
		k, err := naiveKeySpecOf(e)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	res := &naiveResult{Result: &result.Result{}}
	for _, k := range keys {
		res.Columns = append(res.Columns, k.column())
	}
	var heads []*naiveHead
	aliases := map[string]int{}
	for _, h := range q.Heads {
		kind, eval, err := naiveHeadExpr(h.Expr, aliases, heads)
		if err != nil {
			return nil, err
		}
		name := strings.ToLower(h.Expr.String())
		if h.Alias != nil {
			name = h.Alias.Text
			aliases[strings.ToLower(name)] = len(heads)
		}
		heads = append(heads, &naiveHead{name: name, kind: kind, eval: eval})
		res.Columns = append(res.Columns, result.Column{Name: name, Kind: kind})
	}
	res.Rows = [][]result.Value{}
	groups := naiveGroups(keys, sel)
	if q.GroupIn != nil { // naive_absence_test.go
		var vals []result.Value
		var err error
		if sel, vals, err = naiveAbsence(q.GroupIn.Text, keys[0].field, sel); err != nil {
			return nil, err
		}
		groups = naiveGroups(keys, sel)
		groups = append(groups, naiveAbsentGroups(keys[0].field, vals, groups)...)
	}
	for _, g := range groups {
		hv := make([]result.Value, len(heads))
		for i, h := range heads {
			v, err := h.eval(g, hv)
			if err != nil {
				return nil, err
			}
			hv[i] = v
		}
		res.Rows = append(res.Rows, append(slices.Clone(g.key), hv...))
	}
	if q.Having != nil {
		having, err := naiveHaving(q.Having, res.Columns)
		if err != nil {
			return nil, err
		}
		var kept [][]result.Value
		for _, r := range res.Rows {
			if having(r) {
				kept = append(kept, r)
			}
		}
		res.Rows = kept
		if res.Rows == nil {
			res.Rows = [][]result.Value{}
		}
	}
	var order []naiveSortKey
	for _, o := range q.OrderBy {
		i, ok := naiveColumn(res.Columns, o.Expr)
		if !ok {
			return nil, fmt.Errorf("naive: order by %s: no such output column", o.Expr)
		}
		order = append(order, naiveSortKey{col: i, desc: o.Desc})
	}
	if len(q.OrderBy) == 0 {
		for i, k := range keys {
			if k.field == nil && k.fn == nil {
				order = append(order, naiveSortKey{col: i})
				break
			}
		}
		if len(order) == 0 && len(heads) > 0 {
			order = append(order, naiveSortKey{col: len(keys), desc: true})
		}
	}
	for i := range keys {
		order = append(order, naiveSortKey{col: i})
	}
	naiveSort(res.Rows, order)
	res.Order, res.All = order, res.Rows
	n, limited, err := naiveLimit(q)
	if err != nil {
		return nil, err
	}
	if limited && n < len(res.Rows) {
		res.Rows = res.Rows[:n]
	}
	return res, nil
}

// ---- top ----

func naiveTop(q *ast.Query, sel []*signin.Record) (*naiveResult, error) {
	if q.Having != nil || len(q.OrderBy) > 0 || q.Limit != nil {
		return nil, fmt.Errorf("naive: top with having, order by or limit is out of scope")
	}
	n, err := strconv.Atoi(q.TopN.Text)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("naive: bad top %q", q.TopN.Text)
	}
	var keys []naiveKeySpec
	res := &naiveResult{Result: &result.Result{}}
	for _, e := range q.TopKeys {
		k, err := naiveKeySpecOf(e)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
		res.Columns = append(res.Columns, k.column())
	}
	by := q.TopBy
	if by == nil {
		by = &ast.Name{Name: "count"}
	}
	kind, eval, err := naiveHeadExpr(by, nil, nil)
	if err != nil {
		return nil, err
	}
	res.Columns = append(res.Columns, result.Column{Name: strings.ToLower(by.String()), Kind: kind})
	res.Rows = [][]result.Value{}
	for _, g := range naiveGroups(keys, sel) {
		v, err := eval(g, nil)
		if err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, append(slices.Clone(g.key), v))
	}
	order := []naiveSortKey{{col: len(keys), desc: true}}
	for i := range keys {
		order = append(order, naiveSortKey{col: i})
	}
	naiveSort(res.Rows, order)
	res.Order, res.All = order, res.Rows
	if n < len(res.Rows) {
		res.Rows = res.Rows[:n]
	}
	return res, nil
}
