package query

import (
	"bytes"
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
// The keys are sorted by their first 8 bytes as a number, with a radix
// sort (a byte a pass, skipping the bytes all keys share), then each run
// of keys that share those bytes by its whole keys: comparing hundreds of
// thousands of keys as strings was half the time of a query with as many
// groups.
func sortRows(rows [][]result.Value, p *Plan, total func(a, b []result.Value) int) {
	keys := sortKeys(rows, p)
	if keys == nil {
		slices.SortFunc(rows, total)
		return
	}
	order := keys.order()
	sorted := make([][]result.Value, len(rows))
	for i, r := range order {
		sorted[i] = rows[r]
	}
	copy(rows, sorted)
}

// sortKeyTable holds sortKeys's keys end to end: key i is
// buf[ends[i-1]:ends[i]].
type sortKeyTable struct {
	buf  []byte
	ends []int
}

// key returns row i's key.
func (t *sortKeyTable) key(i int) []byte {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.buf[start:t.ends[i]]
}

// prefixed is a row's number and 8 bytes of its key from some depth,
// big-endian, zeros past the key's end.
type prefixed struct {
	prefix uint64
	row    uint32
}

// sortRunMin is the fewest keys sharing their first bytes that are
// sorted by their next 8 bytes, not by comparing them whole.
const sortRunMin = 32

// order returns the rows' numbers in the order of their keys.
func (t *sortKeyTable) order() []uint32 {
	out := make([]uint32, len(t.ends))
	for i := range out {
		out[i] = uint32(i)
	}
	ps := make([]prefixed, len(out))
	tmp := make([]prefixed, len(out))
	t.sortFrom(out, 0, ps, tmp)
	return out
}

// sortFrom sorts rows whose keys share their first depth bytes: by the
// next 8 bytes of each key as a number, with a radix sort (a byte a pass,
// skipping the bytes they all share), then each run of keys that share
// those too likewise from depth+8, or, when few or ended, by comparing
// them whole. ps and tmp are scratch space of at least len(rows).
func (t *sortKeyTable) sortFrom(rows []uint32, depth int, ps, tmp []prefixed) {
	n := len(rows)
	ps, tmp = ps[:n], tmp[:n]
	var or, and uint64 = 0, ^uint64(0)
	longer := false // some key goes on past these 8 bytes
	for i, r := range rows {
		k := t.key(int(r))
		var pre [8]byte
		if depth < len(k) {
			copy(pre[:], k[depth:])
		}
		longer = longer || len(k) > depth+8
		ps[i] = prefixed{binary.BigEndian.Uint64(pre[:]), r}
		or |= ps[i].prefix
		and &= ps[i].prefix
	}
	// An LSD radix sort, stable, of the bytes that differ somewhere.
	for shift := 0; shift < 64; shift += 8 {
		if (or^and)>>shift&0xFF == 0 {
			continue
		}
		var counts [256]int
		for _, p := range ps {
			counts[p.prefix>>shift&0xFF]++
		}
		sum := 0
		for b, c := range counts {
			counts[b] = sum
			sum += c
		}
		for _, p := range ps {
			b := p.prefix >> shift & 0xFF
			tmp[counts[b]] = p
			counts[b]++
		}
		ps, tmp = tmp, ps
	}
	for i := range ps {
		rows[i] = ps[i].row
	}
	if !longer {
		return // the keys all end within these bytes: sorted
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n && ps[j].prefix == ps[i].prefix {
			j++
		}
		switch {
		case j-i >= sortRunMin:
			t.sortFrom(rows[i:j], depth+8, ps[i:j], tmp[i:j])
		case j-i > 1:
			slices.SortFunc(rows[i:j], func(a, b uint32) int { return bytes.Compare(t.key(int(a)), t.key(int(b))) })
		}
		i = j
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
func sortKeys(rows [][]result.Value, p *Plan) *sortKeyTable {
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
	keys := &sortKeyTable{ends: make([]int, len(rows))}
	b := make([]byte, 0, 16*len(rows))
	for i, r := range rows {
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
		keys.ends[i] = len(b)
		if i == 63 {
			// Room for the rest at these keys' mean length and a half.
			b = slices.Grow(b, (len(rows)-64)*len(b)/64*3/2)
		}
	}
	keys.buf = b
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
	if strings.IndexByte(s, 0) < 0 {
		b = append(b, s...)
		return append(b, 0, 0)
	}
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
	return result.Holds(c.op, c.l.of(r), c.r.of(r))
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
