package query

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// group by KEY in @list: absence. The groups are those of the list's
// values: the sign-ins whose key is in the list (as KEY in @list
// selects them: text without regard to case), grouped as group by
// groups them, and a group of no sign-ins for each value of the list
// that none has (count 0, dcount 0, min and max null, values empty),
// its key the list's spelling of the value. Then having, order and limit
// as for any group: count where status=success since 90d group by user
// in @admins having count = 0.
//
// One key, a field of one value: text, an address or a whole number
// (not a function, a bin or a multi-valued field).

// absence is what a plan adds for group by KEY in @list.
type absence struct {
	list   string
	field  *signin.Field
	values []result.Value // the list's, as the key's values, one per folded value
}

// absence checks group by KEY in @list, after the keys.
func (c *checker) absence(p *Plan, q *ast.Query) error {
	in := q.GroupIn
	name, ok := listRef(in)
	if !ok {
		return errorf(in.Pos, "group by %s in takes a named list, whose values without sign-ins are groups too: group by %s in @admins, not %s", q.GroupBy[0], q.GroupBy[0], in)
	}
	if len(q.GroupBy) != 1 {
		return errorf(in.Pos, "group by … in @%s groups by one key, the list's field: group by %s in @%s", name, q.GroupBy[len(q.GroupBy)-1], name)
	}
	n, ok := q.GroupBy[0].(*ast.Name)
	k := p.keys[0]
	if !ok || k.fn != nil || k.bin != 0 {
		return errorf(q.GroupBy[0].Position(), "group by … in @%s groups by a field (group by user in @%s), not %s", name, name, q.GroupBy[0])
	}
	f := k.col.Field
	switch {
	case f.Kind == signin.KindList:
		return errorf(n.Pos, "%s is a list of values: group by … in @%s takes a field of one value", f.Name, name)
	case f.Kind != signin.KindString && f.Kind != signin.KindInt:
		return errorf(n.Pos, "%s is %s: group by … in @%s takes a field of text, addresses or whole numbers", f.Name, kindWords(f.Kind), name)
	}
	// The sign-ins: those of the list's values, as KEY in @list.
	w, err := c.cond(&ast.In{Pos: in.Pos, X: n, Values: []*ast.Literal{in}})
	if err != nil {
		return err
	}
	if p.filter == nil {
		p.filter = w
	} else {
		p.filter = &condAnd{xs: []cond{p.filter, w}}
	}
	l, err := c.lists.lookup(name)
	if err != nil {
		return err
	}
	a := &absence{list: name, field: f}
	if l == nil {
		p.absent = a // an unknown list a saved query's check takes as empty
		return nil
	}
	seen := map[string]bool{}
	for _, v := range l.Values {
		var val result.Value
		if f.Kind == signin.KindInt {
			i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return errorf(in.Pos, "list @%s groups %s: its value %q is not a whole number", name, f.Name, v)
			}
			val = result.IntValue(i)
		} else {
			if f.Name == "ip" && strings.Contains(v, "/") {
				return errorf(in.Pos, "list @%s holds networks (%s): group by ip in @%s makes a group of each address of the list, so its values are addresses", name, v, name)
			}
			val = result.StringValue(v)
		}
		if fk := absenceKey(f, val); !seen[fk] {
			seen[fk] = true
			a.values = append(a.values, val)
		}
	}
	p.absent = a
	return nil
}

// absenceKey is a key's value as the list's membership compares it:
// text without regard to case, an address however written, a number.
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

// addAbsent adds to the merged groups a group of no sign-ins for each
// value of the list that no group has.
func (x *executor) addAbsent(m *merged) {
	a := x.plan.absent
	have := make(map[string]bool, m.n)
	for g := range m.n { // the values of the groups' one key
		if v := m.keys[0].value(m.nums[g]); !v.IsNull() {
			have[absenceKey(a.field, v)] = true
		}
	}
	for _, v := range a.values {
		if !have[absenceKey(a.field, v)] {
			m.add([]result.Value{v})
		}
	}
}
