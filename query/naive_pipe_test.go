package query

// The naive evaluator's operators after a | (naive_test.go): where over
// the rows' columns, order by, limit, and the three joins, each written
// out by loops: a join compares every left row with every right row.

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// naivePipes applies the operators after the |s to a result; any other
// stage is out of scope.
func naivePipes(recs []signin.Record, res *naiveResult, stages []*ast.Stage, now time.Time) (*naiveResult, error) {
	for _, s := range stages {
		if !s.Operator() {
			return nil, fmt.Errorf("naive: the stage %s is out of scope", s.Name)
		}
		var err error
		if res, err = naivePipe(recs, res, s, now); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// naivePipe applies one operator. After any, rows tie no more: their
// order is the one the operator gives.
func naivePipe(recs []signin.Record, in *naiveResult, s *ast.Stage, now time.Time) (*naiveResult, error) {
	out := &naiveResult{Result: &result.Result{Columns: in.Columns}}
	switch {
	case s.Where != nil:
		holds, err := naiveRowCond(s.Where, in.Columns)
		if err != nil {
			return nil, err
		}
		for _, r := range in.Rows {
			ok, err := holds(r)
			if err != nil {
				return nil, err
			}
			if ok {
				out.Rows = append(out.Rows, r)
			}
		}
	case s.OrderBy != nil:
		var keys []naiveSortKey
		for _, o := range s.OrderBy {
			i, ok := naivePipeColumn(in.Columns, o.Expr)
			if !ok {
				return nil, fmt.Errorf("naive: order by %s: no such column", o.Expr)
			}
			keys = append(keys, naiveSortKey{col: i, desc: o.Desc})
		}
		out.Rows = append([][]result.Value(nil), in.Rows...)
		naiveSort(out.Rows, keys)
	case s.Limit != nil:
		n, err := strconv.Atoi(s.Limit.Text)
		if err != nil {
			return nil, err
		}
		out.Rows = in.Rows[:min(n, len(in.Rows))]
	case s.Join != nil:
		return naiveJoin(recs, in, s.Join, now)
	case s.Sequence != nil:
		return naiveSequence(in, s.Sequence) // naive_seq_test.go
	}
	return out, nil
}

// naivePipeColumn finds a column by name, without regard to case.
func naivePipeColumn(cols []result.Column, e ast.Expr) (int, bool) {
	name := ""
	switch e := e.(type) {
	case *ast.Name:
		name = e.Name
	case *ast.Literal:
		if !e.Quoted {
			return 0, false
		}
		name = e.Text
	default:
		return 0, false
	}
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i, true
		}
	}
	if f := signin.Lookup(name); f != nil { // a field's column by another of its names
		for i, c := range cols {
			if c.Name == f.Name && c.Field == f.Name {
				return i, true
			}
		}
	}
	return 0, false
}

// naiveRowCond compiles a where after a |: and, or, not, in (values),
// and comparisons of columns, numbers, arithmetic over them, and texts
// facing a column of text (equal without regard to case, a list when an
// element is), a null satisfying no comparison.
func naiveRowCond(e ast.Expr, cols []result.Column) (func([]result.Value) (bool, error), error) {
	switch e := e.(type) {
	case *ast.Not:
		x, err := naiveRowCond(e.X, cols)
		if err != nil {
			return nil, err
		}
		return func(r []result.Value) (bool, error) { ok, err := x(r); return !ok, err }, nil
	case *ast.In:
		var xs []func([]result.Value) (bool, error)
		var vals []*ast.Literal
		for _, v := range e.Values {
			name, ok := strings.CutPrefix(v.Text, "@")
			if !ok || v.Quoted || !naiveListName.MatchString(name) {
				vals = append(vals, v)
				continue
			}
			// A named list: each of its values compared as written,
			// an address with a network by containment.
			list, ok := naiveListValues(name)
			if !ok {
				return nil, fmt.Errorf("naive: no list @%s", name)
			}
			i, ok := naivePipeColumn(cols, e.X)
			if !ok {
				return nil, fmt.Errorf("naive: %s is not a column", e.X)
			}
			text := cols[i].Kind == signin.KindString || cols[i].Kind == signin.KindList
			for _, lv := range list {
				if pfx, err := netip.ParsePrefix(lv); err == nil && cols[i].Field == "ip" {
					xs = append(xs, func(r []result.Value) (bool, error) {
						a, err := netip.ParseAddr(r[i].Str())
						return err == nil && a.Zone() == "" && pfx.Masked().Contains(a.Unmap()), nil
					})
					continue
				}
				vals = append(vals, &ast.Literal{Text: lv, Quoted: text})
			}
		}
		for _, v := range vals {
			x, err := naiveRowCond(&ast.Binary{Op: "=", L: e.X, R: v}, cols)
			if err != nil {
				return nil, err
			}
			xs = append(xs, x)
		}
		return func(r []result.Value) (bool, error) {
			for _, x := range xs {
				ok, err := x(r)
				if err != nil || ok {
					return ok != e.Not, err
				}
			}
			return e.Not, nil
		}, nil
	case *ast.Binary:
		switch e.Op {
		case "and", "or":
			l, err := naiveRowCond(e.L, cols)
			if err != nil {
				return nil, err
			}
			r, err := naiveRowCond(e.R, cols)
			if err != nil {
				return nil, err
			}
			return func(row []result.Value) (bool, error) {
				a, err := l(row)
				if err != nil {
					return false, err
				}
				b, err := r(row)
				if e.Op == "and" {
					return a && b, err
				}
				return a || b, err
			}, nil
		}
		switch e.Op {
		case "contains", "startswith", "endswith", "like", "~":
			return naiveRowMatch(e, cols)
		}
		kindOf := func(x ast.Expr) signin.Kind {
			if i, ok := naivePipeColumn(cols, x); ok {
				return cols[i].Kind
			}
			return signin.KindInt
		}
		l, err := naiveRowOperand(e.L, cols, kindOf(e.R))
		if err != nil {
			return nil, err
		}
		r, err := naiveRowOperand(e.R, cols, kindOf(e.L))
		if err != nil {
			return nil, err
		}
		return func(row []result.Value) (bool, error) {
			a, err := l(row)
			if err != nil {
				return false, err
			}
			b, err := r(row)
			if err != nil || a.IsNull() || b.IsNull() {
				return false, err
			}
			if isText := func(v result.Value) bool { return v.Kind() == signin.KindString || v.Kind() == signin.KindList }; isText(a) && isText(b) {
				texts := func(v result.Value) []string {
					if v.Kind() == signin.KindList {
						return v.List()
					}
					return []string{v.Str()}
				}
				eq := false
				for _, x := range texts(a) {
					for _, y := range texts(b) {
						eq = eq || strings.EqualFold(x, y)
					}
				}
				return eq == (e.Op == "="), nil
			}
			c := result.Compare(a, b)
			return map[string]bool{"=": c == 0, "!=": c != 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[e.Op], nil
		}, nil
	}
	return nil, fmt.Errorf("naive: %s is not a condition on rows", e)
}

// naiveRowOperand compiles a side of a comparison on rows.
func naiveRowOperand(e ast.Expr, cols []result.Column, facing signin.Kind) (func([]result.Value) (result.Value, error), error) {
	facingText := facing == signin.KindString || facing == signin.KindList
	if !facingText {
		// Time arithmetic and its constants (last - first, now - 30d, 5m),
		// as having's (naive_time_test.go).
		if f, _, ok, err := naiveRowTime(e, cols); err != nil {
			return nil, err
		} else if ok {
			return func(row []result.Value) (result.Value, error) { return f(row), nil }, nil
		}
	}
	if b, ok := e.(*ast.Binary); ok {
		l, err := naiveRowOperand(b.L, cols, signin.KindInt)
		if err != nil {
			return nil, err
		}
		r, err := naiveRowOperand(b.R, cols, signin.KindInt)
		if err != nil {
			return nil, err
		}
		return func(row []result.Value) (result.Value, error) {
			x, err := l(row)
			if err != nil {
				return x, err
			}
			y, err := r(row)
			if err != nil {
				return y, err
			}
			kind := signin.KindFloat
			if b.Op != "/" && x.Kind() == signin.KindInt && y.Kind() == signin.KindInt {
				kind = signin.KindInt
			}
			return naiveArith(b.Op, x, y, kind)
		}, nil
	}
	if l, ok := e.(*ast.Literal); ok && l.Quoted && facingText {
		v := result.StringValue(l.Text)
		return func([]result.Value) (result.Value, error) { return v, nil }, nil
	}
	if i, ok := naivePipeColumn(cols, e); ok {
		return func(r []result.Value) (result.Value, error) { return r[i], nil }, nil
	}
	word, err := naiveText(e)
	if err != nil {
		return nil, err
	}
	var v result.Value
	if facingText {
		v = result.StringValue(word)
	} else if facing == signin.KindBool && (strings.EqualFold(word, "true") || strings.EqualFold(word, "false")) {
		v = result.BoolValue(strings.EqualFold(word, "true"))
	} else if n, err := strconv.ParseInt(word, 10, 64); err == nil {
		v = result.IntValue(n)
	} else if x, ok := naiveNumber(word); ok {
		v = x
	} else {
		return nil, fmt.Errorf("naive: %s is not a column or a number", word)
	}
	return func([]result.Value) (result.Value, error) { return v, nil }, nil
}

// naiveJoin joins rows with a subquery's, evaluated naively, comparing
// each pair of rows: keys equal as the language compares values (text
// without regard to case, an ip as an address; numbers by value), a
// missing key (null, "") equal to nothing.
func naiveJoin(recs []signin.Record, in *naiveResult, j *ast.Join, now time.Time) (*naiveResult, error) {
	right, err := naiveQuery(recs, j.Query.String(), now)
	if err != nil {
		return nil, err
	}
	var lk, rk []int
	for _, k := range j.On {
		li, ok1 := naivePipeColumn(in.Columns, k)
		ri, ok2 := naivePipeColumn(right.Columns, k)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("naive: join on %s: a side lacks it", k.Name)
		}
		lk, rk = append(lk, li), append(rk, ri)
	}
	same := func(a, b result.Value, ip bool) bool {
		if a.IsNull() || b.IsNull() {
			return false
		}
		if a.Kind() == signin.KindString {
			x, y := a.Str(), b.Str()
			if x == "" || y == "" {
				return false
			}
			if ip {
				p, err1 := netip.ParseAddr(x)
				q, err2 := netip.ParseAddr(y)
				if err1 == nil && err2 == nil {
					return p.Unmap() == q.Unmap()
				}
			}
			return strings.EqualFold(x, y)
		}
		return result.Compare(a, b) == 0
	}
	var extra []int
	out := &naiveResult{Result: &result.Result{Columns: append([]result.Column(nil), in.Columns...)}}
	if j.Kind != "anti" {
	cols:
		for i, c := range right.Columns {
			for _, k := range rk {
				if k == i {
					continue cols
				}
			}
			extra = append(extra, i)
			out.Columns = append(out.Columns, result.Column{Name: c.Name, Kind: c.Kind, Field: c.Field, Bin: c.Bin})
		}
	}
	for _, l := range in.Rows {
		matched := false
		for _, r := range right.Rows {
			eq := true
			for k := range lk {
				eq = eq && same(l[lk[k]], r[rk[k]], in.Columns[lk[k]].Field == "ip")
			}
			if !eq {
				continue
			}
			matched = true
			if j.Kind != "anti" {
				row := append([]result.Value(nil), l...)
				for _, i := range extra {
					row = append(row, r[i])
				}
				out.Rows = append(out.Rows, row)
			}
		}
		switch {
		case !matched && j.Kind == "anti":
			out.Rows = append(out.Rows, l)
		case !matched && j.Kind == "left":
			row := append([]result.Value(nil), l...)
			for _, i := range extra {
				row = append(row, result.Null(right.Columns[i].Kind))
			}
			out.Rows = append(out.Rows, row)
		}
	}
	return out, nil
}

// naiveRowMatch is a match of a text column with text, each element of
// a list, a null matching nothing: in lower case for the parts of text,
// as a glob or a regular expression for the patterns.
func naiveRowMatch(e *ast.Binary, cols []result.Column) (func([]result.Value) (bool, error), error) {
	i, ok := naivePipeColumn(cols, e.L)
	if !ok {
		return nil, fmt.Errorf("naive: %s is not a column", e.L)
	}
	text, err := naiveText(e.R)
	if err != nil {
		return nil, err
	}
	lower := strings.ToLower(text)
	var re *regexp.Regexp
	switch e.Op {
	case "like":
		re = naiveGlob(text)
	case "~":
		if re, err = regexp.Compile("(?i)" + text); err != nil {
			return nil, err
		}
	}
	one := func(s string) bool {
		l := strings.ToLower(s)
		switch e.Op {
		case "contains":
			return strings.Index(l, lower) >= 0
		case "startswith":
			return len(l) >= len(lower) && l[:len(lower)] == lower
		case "endswith":
			return len(l) >= len(lower) && l[len(l)-len(lower):] == lower
		}
		return re.MatchString(s)
	}
	return func(row []result.Value) (bool, error) {
		v := row[i]
		if v.IsNull() {
			return false, nil
		}
		if v.Kind() == signin.KindList {
			for _, s := range v.List() {
				if one(s) {
					return true, nil
				}
			}
			return false, nil
		}
		return one(v.Str()), nil
	}, nil
}
