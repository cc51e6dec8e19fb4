package clickhouse

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// The operators after a | (where, order by, limit, join) work on the
// rows a query gives, which are few beside the sign-ins they come from:
// ClickHouse computes the rows (and a join's right side, a query of its
// own compiled as any), and signinq applies the operators to them as the
// engine does (docs/query-language.md, "After a query"): a where's
// comparisons with result.Holds, order by a stable sort with
// result.Compare, a join by a hash table of the right side's keys
// compared as the language compares values.

// postOp is an operator applied by signinq to the rows of a compiled
// query, in order.
type postOp interface {
	apply(ctx context.Context, conn driver.Conn, rows [][]result.Value) ([][]result.Value, error)
}

// operators compiles the operators after the query's |, against the
// columns the query gives; a stage that reads only its rows (a plugin's
// that is not a plugins.Needer: spikes, trend, anomalies, timeline) runs
// in signinq on the rows ClickHouse computes (pipeStage); a stage that
// reads sign-ins, or a sequence, is refused.
func (c *compiler) operators(stages []*ast.Stage, cols []result.Column) ([]postOp, []result.Column, error) {
	var ops []postOp
	for i, s := range stages {
		var op postOp
		var err error
		switch {
		case s.Where != nil:
			w := &pipeWhere{}
			pc := &pipeChecker{cols: cols, c: c}
			w.cond, err = pc.cond(s.Where)
			op = w
		case s.OrderBy != nil:
			o := &pipeOrder{}
			for _, x := range s.OrderBy {
				i, ok := columnOf(cols, x.Expr)
				if !ok {
					return nil, nil, refuse(x.Pos, "| order by "+x.Expr.String(), "not a column")
				}
				o.order = append(o.order, orderKey{col: i, desc: x.Desc})
			}
			op = o
		case s.Limit != nil:
			n, perr := strconv.Atoi(s.Limit.Text)
			if perr != nil || n < 1 {
				return nil, nil, refuse(s.Limit.Pos, "| limit "+s.Limit.Text, "not a whole number of 1 or more")
			}
			op = pipeLimit(n)
		case s.Join != nil:
			var j *pipeJoin
			j, err = c.join(cols, s.Join)
			if err == nil {
				op, cols = j, j.cols
			}
		case s.Sequence != nil:
			return nil, nil, refuse(s.Pos, "| sequence", "a sequence matches each key's sign-ins in time order, step after step: signinq runs it on the sign-ins")
		default:
			if !c.rowStage(s) {
				return nil, nil, refuse(s.Pos, "| "+strings.ToLower(s.Name), "stages are signinq's plugins: they run in signinq on the sign-ins or rows a query gives")
			}
			op, cols = &pipeStage{plan: c.plan, i: i}, c.plan.StageColumns(i)
		}
		if err != nil {
			return nil, nil, err
		}
		ops = append(ops, op)
		c.postText = append(c.postText, s.String())
	}
	return ops, cols, nil
}

// rowStage tells a plugin's stage that reads only the rows before it
// (not a plugins.Needer, which reads sign-ins and the store): it can run
// on the rows ClickHouse computes. Without a registry (Compile), none.
func (c *compiler) rowStage(s *ast.Stage) bool {
	if c.reg == nil || s.Paren {
		return false
	}
	pl, ok := c.reg.Lookup(s.Name)
	if !ok {
		return false
	}
	if _, isStage := pl.(plugins.Stage); !isStage {
		return false
	}
	_, needer := pl.(plugins.Needer)
	return !needer
}

// pipeStage runs a plugin's stage that reads only its rows on the rows
// before it, as the engine runs it (query.Plan.RunStage), with the
// query's time range and now: the store is not there to read.
type pipeStage struct {
	plan *query.Plan
	i    int // the stage's index among the query's stages
}

func (s *pipeStage) apply(ctx context.Context, _ driver.Conn, rows [][]result.Value) ([][]result.Value, error) {
	p := s.plan
	env := &plugins.Env{From: p.From, To: p.To, Now: p.Now, Query: func(context.Context, *ast.Query) (*result.Result, error) {
		return nil, fmt.Errorf("clickhouse: a stage after a query on ClickHouse reads only its rows")
	}}
	out, _, err := p.RunStage(ctx, s.i, env, rows)
	return out, err
}

// columnOf finds the column a bare word or a quoted string names, as the
// engine does: by name without regard to case, or a field's column by
// another of the field's names.
func columnOf(cols []result.Column, e ast.Expr) (int, bool) {
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

type pipeWhere struct{ cond pipeCond }

func (w *pipeWhere) apply(_ context.Context, _ driver.Conn, rows [][]result.Value) ([][]result.Value, error) {
	var out [][]result.Value
	for _, r := range rows {
		ok, err := w.cond.holds(r)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

type pipeOrder struct{ order []orderKey }

func (o *pipeOrder) apply(_ context.Context, _ driver.Conn, rows [][]result.Value) ([][]result.Value, error) {
	slices.SortStableFunc(rows, func(a, b []result.Value) int {
		for _, k := range o.order {
			c := result.Compare(a[k.col], b[k.col])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return rows, nil
}

type pipeLimit int

func (n pipeLimit) apply(_ context.Context, _ driver.Conn, rows [][]result.Value) ([][]result.Value, error) {
	if len(rows) > int(n) {
		rows = rows[:n]
	}
	return rows, nil
}

// pipeCond is a where's condition on a row; an error is an overflow of
// its arithmetic, the query's error as the engine's.
type pipeCond interface {
	holds(r []result.Value) (bool, error)
}

type pipeAnd struct{ l, r pipeCond }
type pipeOr struct{ l, r pipeCond }
type pipeNot struct{ x pipeCond }

func (c pipeAnd) holds(r []result.Value) (bool, error) {
	a, err := c.l.holds(r)
	if err != nil || !a {
		return false, err
	}
	return c.r.holds(r)
}

func (c pipeOr) holds(r []result.Value) (bool, error) {
	a, err := c.l.holds(r)
	if err != nil || a {
		return a, err
	}
	return c.r.holds(r)
}

func (c pipeNot) holds(r []result.Value) (bool, error) {
	a, err := c.x.holds(r)
	return !a, err
}

// pipeOperand is a column, a value, or arithmetic over numbers.
type pipeOperand struct {
	col   int // -1: value or calc
	value result.Value
	calc  *pipeCalc
}

func (o pipeOperand) of(r []result.Value) (result.Value, error) {
	switch {
	case o.calc != nil:
		return o.calc.value(r)
	case o.col < 0:
		return o.value, nil
	}
	return r[o.col], nil
}

type pipeCalc struct {
	src  *ast.Binary
	op   string
	l, r pipeOperand
	k    signin.Kind
}

func (c *pipeCalc) value(r []result.Value) (result.Value, error) {
	a, err := c.l.of(r)
	if err != nil {
		return result.Value{}, err
	}
	b, err := c.r.of(r)
	if err != nil {
		return result.Value{}, err
	}
	v, ok := query.Arithmetic(c.op, a, b, c.k)
	if !ok {
		return result.Value{}, fmt.Errorf("clickhouse: %s overflows: %s %s %s is beyond the range of numbers: %w", ast.OperandText(c.src), a, c.op, b, plugins.ErrOverflow)
	}
	return v, nil
}

// pipeCmp compares two operands as having does (result.Holds: a null
// satisfies no comparison).
type pipeCmp struct {
	op   string
	l, r pipeOperand
}

func (c pipeCmp) holds(r []result.Value) (bool, error) {
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

// pipeTextCmp compares texts without regard to case (strings.EqualFold,
// as the engine); a list equals a text when one of its elements does; a
// null satisfies neither = nor !=.
type pipeTextCmp struct {
	eq   bool
	l, r pipeOperand
}

func (c pipeTextCmp) holds(r []result.Value) (bool, error) {
	a, _ := c.l.of(r)
	b, _ := c.r.of(r)
	if a.IsNull() || b.IsNull() {
		return false, nil
	}
	texts := func(v result.Value) []string {
		if v.Kind() == signin.KindList {
			return v.List()
		}
		return []string{v.Str()}
	}
	for _, x := range texts(a) {
		for _, y := range texts(b) {
			if strings.EqualFold(x, y) {
				return c.eq, nil
			}
		}
	}
	return !c.eq, nil
}

// pipeMatch is contains, startswith or endswith of a text column (lower
// case, as the engine); a null matches nothing.
type pipeMatch struct {
	col  int
	op   string
	text string
}

func (m pipeMatch) holds(row []result.Value) (bool, error) {
	v := row[m.col]
	if v.IsNull() {
		return false, nil
	}
	one := func(s string) bool {
		switch m.op {
		case "contains":
			return strings.Contains(strings.ToLower(s), m.text)
		case "startswith":
			return strings.HasPrefix(strings.ToLower(s), m.text)
		}
		return strings.HasSuffix(strings.ToLower(s), m.text)
	}
	if v.Kind() == signin.KindList {
		return slices.ContainsFunc(v.List(), one), nil
	}
	return one(v.Str()), nil
}

// pipeChecker compiles a where's condition over known columns, as the
// engine checks it; what this does not compile is refused.
type pipeChecker struct {
	cols []result.Column
	c    *compiler // for now and the constants of time arithmetic
}

func (pc *pipeChecker) cond(e ast.Expr) (pipeCond, error) {
	switch e := e.(type) {
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := pc.cond(e.L)
			if err != nil {
				return nil, err
			}
			r, err := pc.cond(e.R)
			if err != nil {
				return nil, err
			}
			if e.Op == "and" {
				return pipeAnd{l, r}, nil
			}
			return pipeOr{l, r}, nil
		case "=", "!=", "<", "<=", ">", ">=":
			return pc.compare(e.Op, e.L, e.R, e)
		case "contains", "startswith", "endswith":
			i, ok := columnOf(pc.cols, e.L)
			if !ok {
				break
			}
			var text string
			switch r := e.R.(type) {
			case *ast.Literal:
				text = r.Text
			case *ast.Name:
				text = r.Name
			default:
				return nil, refuse(e.Pos, "| where "+e.String(), unimplemented)
			}
			return pipeMatch{col: i, op: e.Op, text: strings.ToLower(text)}, nil
		}
	case *ast.Not:
		x, err := pc.cond(e.X)
		if err != nil {
			return nil, err
		}
		if n, ok := x.(pipeNot); ok {
			return n.x, nil
		}
		return pipeNot{x}, nil
	case *ast.In:
		if e.Query != nil {
			break
		}
		var or pipeCond
		for _, v := range e.Values {
			if !v.Quoted && strings.HasPrefix(v.Text, "@") && len(v.Text) > 1 {
				return nil, refuse(v.Pos, "a named list in a where after | ("+v.Text+")", unimplemented)
			}
			x, err := pc.compare("=", e.X, v, e)
			if err != nil {
				return nil, err
			}
			if or == nil {
				or = x
			} else {
				or = pipeOr{or, x}
			}
		}
		if or == nil {
			return nil, refuse(e.Pos, "| where "+e.String(), unimplemented)
		}
		if e.Not {
			return pipeNot{or}, nil
		}
		return or, nil
	}
	what := "| where " + e.String()
	if b, ok := e.(*ast.Binary); ok {
		what = "| where with " + b.Op
	}
	return nil, refuse(e.Position(), what, unimplemented)
}

// noKind stands for an operand not facing a column.
const noKind = signin.Kind(math.MaxUint8)

func (pc *pipeChecker) compare(op string, le, re ast.Expr, src ast.Expr) (pipeCond, error) {
	lk, rk := noKind, noKind
	if i, ok := columnOf(pc.cols, le); ok {
		lk = pc.cols[i].Kind
	}
	if i, ok := columnOf(pc.cols, re); ok {
		rk = pc.cols[i].Kind
	}
	l, err := pc.operand(le, rk)
	if err != nil {
		return nil, err
	}
	r, err := pc.operand(re, lk)
	if err != nil {
		return nil, err
	}
	lk, rk = pc.kind(l), pc.kind(r)
	numeric := func(k signin.Kind) bool { return k == signin.KindInt || k == signin.KindFloat }
	text := func(k signin.Kind) bool { return k == signin.KindString || k == signin.KindList }
	switch {
	case numeric(lk) && numeric(rk):
		return pipeCmp{op: op, l: l, r: r}, nil
	case text(lk) && text(rk) && (op == "=" || op == "!="):
		return pipeTextCmp{eq: op == "=", l: l, r: r}, nil
	case lk == rk && (lk == signin.KindTime || lk == signin.KindDuration):
		return pipeCmp{op: op, l: l, r: r}, nil
	case lk == rk && lk == signin.KindBool && (op == "=" || op == "!="):
		return pipeCmp{op: op, l: l, r: r}, nil
	}
	return nil, refuse(src.Position(), "| where "+src.String(), "comparisons of times, durations and flags after | are "+unimplemented)
}

func (pc *pipeChecker) kind(o pipeOperand) signin.Kind {
	switch {
	case o.calc != nil:
		return o.calc.k
	case o.col >= 0:
		return pc.cols[o.col].Kind
	}
	return o.value.Kind()
}

// operand compiles one side of a comparison as the engine reads it: a
// column; a number; arithmetic over numbers; facing a text column, a
// word or a quoted string is text.
func (pc *pipeChecker) operand(e ast.Expr, other signin.Kind) (pipeOperand, error) {
	if b, ok := e.(*ast.Binary); ok {
		switch b.Op {
		case "+", "-", "*", "/":
			return pc.calc(b)
		}
	}
	lit, isLit := e.(*ast.Literal)
	textOther := other == signin.KindString || other == signin.KindList
	if isLit && lit.Quoted && textOther {
		return pipeOperand{col: -1, value: result.StringValue(lit.Text)}, nil
	}
	if i, ok := columnOf(pc.cols, e); ok {
		return pipeOperand{col: i}, nil
	}
	var word string
	switch e := e.(type) {
	case *ast.Name:
		word = e.Name
	case *ast.Literal:
		word = e.Text
		if e.Quoted && !textOther {
			return pipeOperand{}, refuse(e.Pos, e.String(), "not a column")
		}
	default:
		return pipeOperand{}, refuse(e.Position(), e.String(), "not a column or a value")
	}
	switch {
	case textOther:
		return pipeOperand{col: -1, value: result.StringValue(word)}, nil
	case other == signin.KindTime:
		t, err := query.ParseTime(word)
		if err != nil {
			return pipeOperand{}, refuse(e.Position(), word, "not a time")
		}
		return pipeOperand{col: -1, value: result.TimeValue(t)}, nil
	case other == signin.KindBool:
		b, err := strconv.ParseBool(strings.ToLower(word))
		if err != nil {
			return pipeOperand{}, refuse(e.Position(), word, "not true or false")
		}
		return pipeOperand{col: -1, value: result.BoolValue(b)}, nil
	}
	if n, err := strconv.ParseInt(word, 10, 64); err == nil {
		return pipeOperand{col: -1, value: result.IntValue(n)}, nil
	}
	if x, ok := (&ast.Literal{Text: word}).Number(); ok {
		return pipeOperand{col: -1, value: result.FloatValue(x)}, nil
	}
	if v, ok := pc.c.timeConst(e); ok {
		return pipeOperand{col: -1, value: v}, nil
	}
	return pipeOperand{}, refuse(e.Position(), "| where with "+word, "not a column or a value")
}

func (pc *pipeChecker) calc(b *ast.Binary) (pipeOperand, error) {
	var sides [2]pipeOperand
	for i, e := range []ast.Expr{b.L, b.R} {
		o, err := pc.operand(e, noKind)
		if err != nil {
			return pipeOperand{}, err
		}
		sides[i] = o
	}
	if k, ok := timeArithKind(b.Op, pc.kind(sides[0]), pc.kind(sides[1])); ok {
		return pipeOperand{col: -1, calc: &pipeCalc{src: b, op: b.Op, l: sides[0], r: sides[1], k: k}}, nil
	}
	for i, e := range []ast.Expr{b.L, b.R} {
		if k := pc.kind(sides[i]); k != signin.KindInt && k != signin.KindFloat {
			return pipeOperand{}, refuse(e.Position(), "| where with arithmetic of "+k.String(), "not numbers, times or durations as the language adds them")
		}
	}
	k := signin.KindInt
	if b.Op == "/" || pc.kind(sides[0]) == signin.KindFloat || pc.kind(sides[1]) == signin.KindFloat {
		k = signin.KindFloat
	}
	return pipeOperand{col: -1, calc: &pipeCalc{src: b, op: b.Op, l: sides[0], r: sides[1], k: k}}, nil
}

// pipeJoin is | join [left|anti] (QUERY) on K, …: the right side a
// compiled query, run by ClickHouse when the join applies.
type pipeJoin struct {
	kind         string // "", "left", "anti"
	right        *Compiled
	lkeys, rkeys []int
	ips          []bool
	extra        []int // the right's columns added (inner, left)
	cols         []result.Column
}

// join compiles a join against the columns it receives.
func (c *compiler) join(left []result.Column, j *ast.Join) (*pipeJoin, error) {
	q := j.Query
	if j.Kind == "anti" {
		if d := antiDistinct(j); d != nil {
			q = d
		}
	}
	right, err := c.subCompile(q, j.Pos, "a join's query")
	if err != nil {
		return nil, err
	}
	r := &pipeJoin{kind: j.Kind, right: right}
	isKey := map[int]bool{}
	for _, k := range j.On {
		li, lok := columnOf(left, k)
		ri, rok := columnOf(right.Columns, k)
		if !lok || !rok {
			return nil, refuse(k.Pos, "join on "+k.Name, "not a column of both sides")
		}
		lc, rc := left[li], right.Columns[ri]
		if lc.Kind == signin.KindList || rc.Kind == signin.KindList || isKey[ri] {
			return nil, refuse(k.Pos, "join on "+k.Name, "not a key")
		}
		isKey[ri] = true
		r.lkeys, r.rkeys = append(r.lkeys, li), append(r.rkeys, ri)
		r.ips = append(r.ips, lc.Field == "ip" && lc.Kind == signin.KindString)
	}
	r.cols = left
	if r.kind == "anti" {
		return r, nil
	}
	r.cols = slices.Clone(left)
	for i, rc := range right.Columns {
		if isKey[i] {
			continue
		}
		r.extra = append(r.extra, i)
		r.cols = append(r.cols, result.Column{Name: rc.Name, Kind: rc.Kind, Field: rc.Field, Bin: rc.Bin})
	}
	return r, nil
}

// antiDistinct is, for the right side of an anti join that lists only
// its keys, the query of their distinct combinations: count … group by
// the same fields, as the engine reads it. nil for any other.
func antiDistinct(j *ast.Join) *ast.Query {
	q := j.Query
	if q.Kind != ast.List || q.All || len(q.Fields) == 0 || q.Limit != nil || len(q.Stages) > 0 || len(q.Fields) != len(j.On) {
		return nil
	}
	for _, f := range q.Fields {
		n, ok := f.(*ast.Name)
		if !ok || !slices.ContainsFunc(j.On, func(k *ast.Name) bool { return strings.EqualFold(k.Name, n.Name) }) {
			return nil
		}
	}
	return &ast.Query{Pos: q.Pos, Kind: ast.Aggregate, Heads: []*ast.Head{{Pos: q.Pos, Expr: &ast.Name{Pos: q.Pos, Name: "count"}}},
		Where: q.Where, Since: q.Since, Between: q.Between, GroupBy: q.Fields}
}

func (j *pipeJoin) apply(ctx context.Context, conn driver.Conn, rows [][]result.Value) ([][]result.Value, error) {
	res, err := j.right.Run(ctx, conn)
	if err != nil {
		return nil, err
	}
	return j.joinRows(rows, res.Rows), nil
}

// joinRows joins the left rows with the right side's.
func (j *pipeJoin) joinRows(rows, right [][]result.Value) [][]result.Value {
	table := map[string][]int{}
	for i, row := range right {
		if k, ok := joinKey(row, j.rkeys, j.ips); ok {
			table[k] = append(table[k], i)
		}
	}
	var out [][]result.Value
	for _, row := range rows {
		var matches []int
		if k, ok := joinKey(row, j.lkeys, j.ips); ok {
			matches = table[k]
		}
		switch {
		case j.kind == "anti":
			if len(matches) == 0 {
				out = append(out, row)
			}
		case len(matches) == 0 && j.kind == "left":
			o := slices.Clone(row)
			for range j.extra {
				o = append(o, result.Null(j.cols[len(o)].Kind))
			}
			out = append(out, o)
		default:
			for _, m := range matches {
				o := slices.Clone(row)
				for _, i := range j.extra {
					o = append(o, right[m][i])
				}
				out = append(out, o)
			}
		}
	}
	return out
}

// joinKey is a row's key over the columns at, equal for two rows exactly
// when the language finds their keys equal: text folded as
// strings.EqualFold folds it, an ip as its address, numbers by value;
// false when a key is missing (null, or empty text).
func joinKey(row []result.Value, at []int, ips []bool) (string, bool) {
	var b []byte
	for j, i := range at {
		v := row[i]
		if v.IsNull() {
			return "", false
		}
		switch v.Kind() {
		case signin.KindString:
			s := v.Str()
			if s == "" {
				return "", false
			}
			if ips[j] {
				if a, err := netip.ParseAddr(s); err == nil {
					s = a.Unmap().String()
				}
			}
			s = foldKey(s)
			b = append(b, 's')
			b = strconv.AppendInt(b, int64(len(s)), 10)
			b = append(b, ':')
			b = append(b, s...)
		case signin.KindFloat:
			x := v.Float()
			if math.IsNaN(x) {
				return "", false
			}
			if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
				b = append(b, 'n')
				b = strconv.AppendInt(b, int64(x), 10)
			} else {
				b = append(b, 'f')
				b = strconv.AppendUint(b, math.Float64bits(x), 16)
			}
		default: // whole numbers, times, flags
			b = append(b, 'n')
			b = strconv.AppendInt(b, v.Int(), 10)
		}
		b = append(b, ';')
	}
	return string(b), true
}

// foldKey is text folded so that two texts are equal under
// strings.EqualFold exactly when their keys are: each rune the smallest
// of its orbit under unicode.SimpleFold, an ASCII capital its small
// letter (the engine's folding of keys).
func foldKey(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		if 'A' <= m && m <= 'Z' {
			m += 'a' - 'A'
		}
		b = utf8.AppendRune(b, m)
	}
	return string(b)
}
