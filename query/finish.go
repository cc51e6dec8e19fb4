package query

import (
	"slices"
	"strings"

	"github.com/signinq/signinq/result"
)

// finish applies having, the order and the limit to output rows, and
// drops the hidden columns.
func (x *executor) finish(rows [][]result.Value) [][]result.Value {
	p := x.plan
	if p.having != nil && !x.havingDone {
		rows = slices.DeleteFunc(rows, func(r []result.Value) bool { return !p.having.holds(r) })
	}
	x.kept = len(rows)
	order := func(a, b []result.Value) int {
		for _, o := range p.order {
			c := result.Compare(a[o.col], b[o.col])
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	// The order ends with every key, so that rows tie only on keys that
	// compare equal yet print apart (0 and -0): their text decides, and
	// the order is total, whatever order the parts were merged in. So
	// the sort need not be stable, and is not: a stable sort of many rows
	// merges in place, which takes far longer.
	total := func(a, b []result.Value) int {
		if c := order(a, b); c != 0 {
			return c
		}
		for j, o := range p.outs {
			if o.key >= 0 {
				if c := strings.Compare(a[j].String(), b[j].String()); c != 0 {
					return c
				}
			}
		}
		return 0
	}
	if p.Limit >= 0 && p.Limit < len(rows)/8 { // not Limit*8, which a huge limit overflows
		rows = firstRows(rows, p.Limit, total)
	}
	slices.SortFunc(rows, total)
	if p.Limit >= 0 && len(rows) > p.Limit {
		rows = rows[:p.Limit]
	}
	visible := 0
	for _, o := range p.outs {
		if !o.hidden {
			visible++
		}
	}
	if visible < len(p.outs) {
		for i, r := range rows {
			out := make([]result.Value, 0, visible)
			for j, o := range p.outs {
				if !o.hidden {
					out = append(out, r[j])
				}
			}
			rows[i] = out
		}
	}
	return rows
}

// firstRows returns the n first rows by order, in no particular order,
// keeping the earlier of equal rows: a bounded heap whose root is the last
// of those kept, so that top 10 of a hundred thousand groups sorts ten.
func firstRows(rows [][]result.Value, n int, order func(a, b []result.Value) int) [][]result.Value {
	if n == 0 {
		return nil
	}
	h := slices.Clone(rows[:n])
	// Rows in h keep their input order as a tie-break: i < j when equal.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	after := func(i, j int) bool { // h[i] comes after h[j]
		c := order(h[i], h[j])
		return c > 0 || c == 0 && idx[i] > idx[j]
	}
	down := func(i int) {
		for {
			l, m := 2*i+1, i
			if l < n && after(l, m) {
				m = l
			}
			if r := l + 1; r < n && after(r, m) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m], idx[i], idx[m] = h[m], h[i], idx[m], idx[i]
			i = m
		}
	}
	for i := n/2 - 1; i >= 0; i-- {
		down(i)
	}
	for k := n; k < len(rows); k++ {
		if order(rows[k], h[0]) < 0 { // equal rows: the kept one came first
			h[0], idx[0] = rows[k], k
			down(0)
		}
	}
	// Back in input order, so that the stable sort keeps equal rows as
	// they came.
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int { return idx[a] - idx[b] })
	out := make([][]result.Value, n)
	for i, j := range perm {
		out[i] = h[j]
	}
	return out
}

func (c rowAnd) holds(r []result.Value) bool { return c.l.holds(r) && c.r.holds(r) }

func (c rowOr) holds(r []result.Value) bool { return c.l.holds(r) || c.r.holds(r) }

func (c rowNot) holds(r []result.Value) bool { return !c.x.holds(r) }

func (c rowCmp) holds(r []result.Value) bool {
	a, b := c.l.of(r), c.r.of(r)
	if a.IsNull() || b.IsNull() {
		return false
	}
	d := result.Compare(a, b)
	switch c.op {
	case "=":
		return d == 0
	case "!=":
		return d != 0
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	}
	return d >= 0
}

func (o rowOperand) of(r []result.Value) result.Value {
	if o.calc != nil {
		return o.calc.value(r)
	}
	if o.col < 0 {
		return o.value
	}
	return r[o.col]
}
