package query

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"github.com/signinq/signinq/engine/signin"

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
	if !p.anyOrder || p.Limit >= 0 { // a set (an anti join's right side) has no order to keep
		sortRows(rows, p, total)
	}
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

// sortRows sorts rows by total, the plan's order made total: many rows
// by keys of bytes that compare as total does (sortKeys), few by total.
func sortRows(rows [][]result.Value, p *Plan, total func(a, b []result.Value) int) {
	keys := sortKeys(rows, p)
	if keys == nil {
		slices.SortFunc(rows, total)
		return
	}
	type keyed struct {
		key string
		row []result.Value
	}
	ks := make([]keyed, len(rows))
	for i := range rows {
		ks[i] = keyed{keys[i], rows[i]}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	for i := range ks {
		rows[i] = ks[i].row
	}
}

// sortKeysMin is the fewest rows sorted by sortKeys: below, comparing
// values costs less than making the keys.
const sortKeysMin = 512

// sortKeys returns, for a sort of many rows by the plan's order, each
// row's key: bytes that compare (as strings) as finish's total order
// compares the rows. Each column of the order in turn: 0 for null, else
// 1 and the value (a whole number, a time, a duration or a flag as 8
// bytes big-endian, its sign bit flipped; a decimal number likewise from
// its bits, NaN lowest and -0 as 0; a text with each 0 byte as 0 0xFF,
// ended by 0 0), every byte inverted for a descending column; then the
// text of each key of decimals (0 and -0 compare equal). It returns nil for few rows, or a column of lists or of
// numbers of both kinds, which total compares itself.
func sortKeys(rows [][]result.Value, p *Plan) []string {
	if len(rows) < sortKeysMin {
		return nil
	}
	for _, o := range p.order {
		var kind signin.Kind
		seen := false
		for _, r := range rows {
			v := r[o.col]
			if v.IsNull() {
				continue
			}
			switch {
			case v.Kind() == signin.KindList:
				return nil
			case !seen:
				kind, seen = v.Kind(), true
			case v.Kind() != kind && (v.Kind() == signin.KindFloat || kind == signin.KindFloat):
				return nil // compared as decimals: not this encoding
			}
		}
	}
	// The keys' text breaks ties only where values compare equal yet
	// print apart: decimals (0 and -0); texts, whole numbers and times
	// compare equal only when they print the same.
	var ties []int
	for j, o := range p.outs {
		if o.key >= 0 && slices.ContainsFunc(rows, func(r []result.Value) bool { return r[j].Kind() == signin.KindFloat }) {
			ties = append(ties, j)
		}
	}
	keys := make([]string, len(rows))
	var b []byte
	for i, r := range rows {
		b = b[:0]
		for _, o := range p.order {
			start := len(b)
			b = appendSortKey(b, r[o.col])
			if o.desc {
				for j := start; j < len(b); j++ {
					b[j] = ^b[j]
				}
			}
		}
		for _, j := range ties {
			b = appendSortText(b, r[j].String())
		}
		keys[i] = string(b)
	}
	return keys
}

// appendSortKey appends a value's bytes of sortKeys.
func appendSortKey(b []byte, v result.Value) []byte {
	if v.IsNull() {
		return append(b, 0)
	}
	b = append(b, 1)
	switch v.Kind() {
	case signin.KindString:
		return appendSortText(b, v.Str())
	case signin.KindFloat:
		f := v.Float()
		var u uint64
		switch {
		case math.IsNaN(f):
			u = 0
		case f == 0:
			u = 1 << 63 // -0 as 0, which compare equal
		case f > 0:
			u = math.Float64bits(f) ^ 1<<63
		default:
			u = ^math.Float64bits(f)
		}
		return binary.BigEndian.AppendUint64(b, u)
	}
	return binary.BigEndian.AppendUint64(b, uint64(v.Int())^1<<63)
}

// appendSortText appends a text's bytes of sortKeys.
func appendSortText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			b = append(b, 0, 0xFF)
		} else {
			b = append(b, s[i])
		}
	}
	return append(b, 0, 0)
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
