package query

// The naive evaluator's (F1, F2, …) in (QUERY) (naive_sub_test.go): the
// subquery evaluated naively, then, for each record, each of its rows
// compared place by place with the record's fields, as F in (QUERY)
// compares one: nothing shared with the executor's keys and hash set.

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// naiveSubRows holds, for each (F1, F2, …) in (QUERY) of a query being
// evaluated, its subquery's rows.
var naiveSubRows sync.Map // *ast.In -> [][]result.Value

// naiveTuplePred is (F1, F2, …) [not] in (QUERY): in when some row of
// the subquery matches the record at every place, a place matching as F
// in (QUERY) does with the row's value there alone (text: some non-empty
// element of the record's equal to some non-empty element of the value
// without regard to case, an ip as the same address; numbers, times and
// flags: both present and equal). not in is in's negation, but fails
// when a number, time or flag field of the record is missing.
func naiveTuplePred(e *ast.In, t *ast.Tuple) (naivePred, error) {
	fields := make([]*signin.Field, len(t.Fields))
	for i, n := range t.Fields {
		f, err := naiveField(n)
		if err != nil {
			return nil, err
		}
		fields[i] = f
	}
	v, ok := naiveSubRows.Load(e)
	if !ok {
		return nil, fmt.Errorf("naive: the subquery %s was not evaluated", e.Query)
	}
	rows := v.([][]result.Value)
	for _, row := range rows {
		if len(row) < len(fields) {
			return nil, fmt.Errorf("naive: the subquery %s has %d columns, fewer than %s", e.Query, len(row), t)
		}
	}
	isText := func(f *signin.Field) bool { return f.Kind == signin.KindString || f.Kind == signin.KindList }
	// The rows' values, each once: the texts of a text place, the value
	// of another.
	type place struct {
		texts []string
		v     result.Value
	}
	seen := map[string]bool{}
	var places [][]place
	for _, row := range rows {
		ps := make([]place, len(fields))
		for i, f := range fields {
			v := row[i]
			ps[i].v = v
			switch {
			case !isText(f) || v.IsNull():
			case v.Kind() == signin.KindList:
				ps[i].texts = v.List()
			default:
				ps[i].texts = []string{v.Str()}
			}
		}
		if k := fmt.Sprintf("%#v", ps); !seen[k] {
			seen[k] = true
			places = append(places, ps)
		}
	}
	return func(r *signin.Record) bool {
		texts := make([][]string, len(fields))
		vals := make([]result.Value, len(fields))
		missingNum := false
		for i, f := range fields {
			if isText(f) {
				texts[i] = naiveTexts(f, r)
				continue
			}
			vals[i] = naiveValue(f, r)
			missingNum = missingNum || vals[i].IsNull()
		}
		matches := func(i int, p place) bool {
			if isText(fields[i]) {
				for _, x := range texts[i] {
					for _, m := range p.texts {
						if naiveSameMember(fields[i], x, m) {
							return true
						}
					}
				}
				return false
			}
			x, v := vals[i], p.v
			switch {
			case x.IsNull() || v.IsNull():
				return false
			case x.Kind() == signin.KindFloat || v.Kind() == signin.KindFloat:
				return x.Float() == v.Float()
			}
			return x.Int() == v.Int()
		}
		in := false
		for _, ps := range places {
			all := true
			for i := range fields {
				if !matches(i, ps[i]) {
					all = false
					break
				}
			}
			if all {
				in = true
				break
			}
		}
		if e.Not {
			return !in && !missingNum
		}
		return in
	}, nil
}

// naiveSameMember reports whether a record's text equals a subquery's
// value: neither empty, equal without regard to case, or for ip the
// same address.
func naiveSameMember(f *signin.Field, a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if strings.EqualFold(a, b) {
		return true
	}
	if f.Name != "ip" {
		return false
	}
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	return err1 == nil && err2 == nil && x.Unmap() == y.Unmap()
}
