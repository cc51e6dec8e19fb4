package clickhouse

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// group by KEY in @list (absence): ClickHouse groups the sign-ins KEY in
// @list selects; signinq adds, before having, order and limit, a group
// of no sign-ins for each value of the list that no group has (compared
// as the list's membership compares: text without regard to case, an
// address however written, a number by value; equal values once, the
// first spelling), its aggregates those of no sign-ins (count, countif,
// dcount, dcountif 0; values empty; the others null), as the engine
// does.

// absence is what a compiled query adds for group by KEY in @list.
type absence struct {
	key    int // the key's out
	field  *signin.Field
	values []result.Value // the list's, as the key's values, one per compared value
}

// absence compiles group by KEY in @list: the condition that selects
// the sign-ins, and the list's values.
func (c *compiler) absence(q *ast.Query) (string, *absence, error) {
	in := q.GroupIn
	refuseIt := func(why string) (string, *absence, error) {
		return "", nil, refuse(in.Pos, "group by KEY in @list", why)
	}
	if in.Quoted || !strings.HasPrefix(in.Text, "@") || len(q.GroupBy) != 1 {
		return refuseIt("one key in a named list")
	}
	n, ok := q.GroupBy[0].(*ast.Name)
	if !ok {
		return refuseIt("a key of a field")
	}
	f := signin.Lookup(n.Name)
	if f == nil || f.Kind != signin.KindString && f.Kind != signin.KindInt {
		return refuseIt("a key of text, an address or a whole number")
	}
	values, ok := c.lists[strings.ToLower(in.Text[1:])]
	if !ok {
		return refuseIt("named lists live in the store; give them in QueryOptions.Lists")
	}
	cond, err := c.pred(in.Pos, f, "in", []*ast.Literal{in})
	if err != nil {
		return "", nil, err
	}
	a := &absence{field: f}
	seen := map[string]bool{}
	for _, v := range values {
		var val result.Value
		if f.Kind == signin.KindInt {
			i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return refuseIt("the list's value " + strconv.Quote(v) + " is not a whole number")
			}
			val = result.IntValue(i)
		} else {
			if f.Name == "ip" && strings.Contains(v, "/") {
				return refuseIt("the list holds networks")
			}
			val = result.StringValue(v)
		}
		if k := absenceKey(f, val); !seen[k] {
			seen[k] = true
			a.values = append(a.values, val)
		}
	}
	return cond, a, nil
}

// absenceKey is a key's value as the list's membership compares it.
func absenceKey(f *signin.Field, v result.Value) string {
	if f.Kind == signin.KindInt {
		return strconv.FormatInt(v.Int(), 10)
	}
	s := v.Str()
	if f.Name == "ip" {
		if a, err := netip.ParseAddr(s); err == nil {
			return a.Unmap().String()
		}
	}
	return foldKey(s)
}

// addAbsent adds to the decoded rows a row of no sign-ins for each of
// the list's values no row has.
func (cp *Compiled) addAbsent(rows [][]result.Value) ([][]result.Value, error) {
	a := cp.absent
	have := map[string]bool{}
	for _, r := range rows {
		if v := r[a.key]; !v.IsNull() {
			have[absenceKey(a.field, v)] = true
		}
	}
	for _, v := range a.values {
		if have[absenceKey(a.field, v)] {
			continue
		}
		row := make([]result.Value, len(cp.outs))
		for i, o := range cp.outs {
			switch {
			case i == a.key:
				row[i] = v
			case o.calc != nil:
			case o.aggName == "count" || o.aggName == "countif" || o.aggName == "dcount" || o.aggName == "dcountif":
				row[i] = result.IntValue(0)
			case o.aggName == "values" || o.aggName == "valuesif":
				row[i] = result.ListValue([]string{})
			default:
				row[i] = result.Null(o.kind)
			}
		}
		for i, o := range cp.outs {
			if o.calc != nil {
				x, err := eval(o.calc, row)
				if err != nil {
					return nil, err
				}
				row[i] = x
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}
