package query

import (
	"cmp"
	"context"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// partEval evaluates conditions on one part: each predicate becomes the
// bitmap of the rows of the part's time range that satisfy it. On a
// dictionary column the predicate is decided once per dictionary value,
// and the rows come from the part's bitmaps (or, when too many values
// match to union their bitmaps, from a scan of the column's ids); other
// columns are scanned block by block, skipping blocks whose range of
// values rules them out. A partEval is used by one goroutine.
type partEval struct {
	// ctx, when not nil, is looked at before each condition, block and
	// batch of dictionary values: a cancelled or timed-out query stops
	// within one of them.
	ctx    context.Context
	snap   *engine.Snapshot
	part   *engine.Part
	lo, hi uint32 // the part's rows in the time range
	stats  *execStats
	memo   map[cond]*roaring.Bitmap
	vecs   []engine.Vector
	// matched caches which dictionary values satisfy each predicate.
	matched map[*pred]*matchedIDs
}

// matchedIDs are the dictionary values of a part that satisfy a
// predicate: as a table by id, and the ids in order.
type matchedIDs struct {
	dict  *index.Dict
	table []bool
	ids   []uint32
}

// execStats counts what a query read, for explain analyze.
type execStats struct {
	parts  int   // parts in the time range
	read   int   // parts read: whose sign-ins in the range the filter was evaluated on, whatever it selected
	blocks int   // column blocks decoded
	rows   int64 // sign-ins selected
	groups int   // groups made in parts, before the merge
	// bitmapParts are the parts whose groups were counted from the key's
	// bitmaps rather than its column.
	bitmapParts int

	// With explain analyze on a store with a clock: the time of each
	// step, summed over parts (and so over the goroutines that read
	// them).
	filter, group time.Duration
}

func (s *execStats) add(o *execStats) {
	s.read += o.read
	s.blocks += o.blocks
	s.rows += o.rows
	s.groups += o.groups
	s.bitmapParts += o.bitmapParts
	s.filter += o.filter
	s.group += o.group
}

// maxUnion is the most values whose bitmaps a predicate unions; beyond
// it the column's ids are scanned instead.
const maxUnion = 64

// rangeBitmap returns the rows [lo, hi).
func (e *partEval) rangeBitmap() *roaring.Bitmap {
	b := roaring.New()
	b.AddRange(uint64(e.lo), uint64(e.hi))
	return b
}

// clip removes from b the rows outside [lo, hi).
func (e *partEval) clip(b *roaring.Bitmap) {
	if e.lo > 0 {
		b.RemoveRange(0, uint64(e.lo))
	}
	b.RemoveRange(uint64(e.hi), uint64(e.part.Rows)+1)
}

// eval returns the rows of the time range that satisfy c. within, when
// not nil, holds the only rows that need deciding: the result is a
// subset of it. The bitmap belongs to the caller.
func (e *partEval) eval(c cond, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	if err := e.work(); err != nil {
		return nil, err
	}
	if c == nil {
		if within != nil {
			return within.Clone(), nil
		}
		return e.rangeBitmap(), nil
	}
	if b, ok := e.memo[c]; ok {
		if within != nil {
			return roaring.And(b, within), nil
		}
		return b.Clone(), nil
	}
	var out *roaring.Bitmap
	var err error
	switch c := c.(type) {
	case *condAnd:
		out = within
		xs, err := e.smallestFirst(c.xs)
		if err != nil {
			return nil, err
		}
		for _, x := range xs {
			if out, err = e.eval(x, out); err != nil {
				return nil, err
			}
			if out.IsEmpty() {
				break
			}
		}
	case *condOr:
		out = roaring.New()
		for _, x := range c.xs {
			b, err := e.eval(x, within)
			if err != nil {
				return nil, err
			}
			out.Or(b)
		}
	case *condNot:
		b, err := e.eval(c.x, within)
		if err != nil {
			return nil, err
		}
		if within != nil {
			out = roaring.AndNot(within, b)
		} else {
			// The range less b (a subset of it) is b flipped over the
			// range: the range's bitmap is one run, and a run less
			// scattered rows was rebuilt a range at a time, 60% of
			// tenant != resourceTenant at 1M.
			out = roaring.Flip(b, uint64(e.lo), uint64(e.hi))
			e.clip(out) // were b to hold rows outside the range
		}
	case *pred:
		if out, err = e.pred(c, within); err != nil {
			return nil, err
		}
	case *fieldCmp:
		if out, err = e.compareFields(c, within); err != nil {
			return nil, err
		}
	case *tupleIn:
		if out, err = e.tupleRows(c, within); err != nil {
			return nil, err
		}
	}
	if within == nil {
		if e.memo == nil {
			e.memo = map[cond]*roaring.Bitmap{}
		}
		e.memo[c] = out.Clone()
	}
	return out, nil
}

// work marks a unit of work (a condition, a block, a batch of
// dictionary values), and returns the context's error once it is done.
func (e *partEval) work() error {
	if testHookWork != nil {
		testHookWork()
	}
	if testHookPanic {
		panic("testHookPanic")
	}
	if e.ctx == nil {
		return nil
	}
	return e.ctx.Err()
}

// testHookWork, when not nil, is called at each unit of a filter's work,
// from any goroutine: tests count the work done after a cancellation.
var testHookWork func()

// testHookPanic, when true, makes a filter's work panic as a bug of
// signinq's own would: the tests check that such a panic is ErrInternal,
// never a plugin's.
var testHookPanic bool

// testHookRegexp, when not nil, is called at each match of a regular
// expression (~, like), from any goroutine.
var testHookRegexp func()

// pred evaluates one predicate.
func (e *partEval) pred(p *pred, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	col := p.col
	var out *roaring.Bitmap
	var err error
	if out, ok, err := e.timeRows(p); ok || err != nil {
		if err == nil && within != nil {
			out.And(within)
		}
		return out, err
	}
	switch {
	case (col.Enc == engine.EncDict || col.Enc == engine.EncList) && e.part.DictLen(col) == 0:
		// The part lacks the column: every row lacks a value.
		out = roaring.New()
		if p.matchesAbsent() {
			out = e.rangeBitmap()
		}
	case col.Enc == engine.EncDict || col.Enc == engine.EncList:
		if out, err = e.dictRows(p, within); err != nil {
			return nil, err
		}
	default:
		if out, err = e.scan(p, nil, nil, within); err != nil {
			return nil, err
		}
	}
	if within != nil {
		out.And(within)
	} else {
		e.clip(out)
	}
	return out, nil
}

// timeColumn is the column of the sign-ins' times, by which a part's
// rows are sorted.
var timeColumn = engine.LookupColumn("time")

// timeRange reports whether p compares the time column with one time by
// = < <= > >=: timeRows answers it.
func (p *pred) timeRange() bool {
	return p.col == timeColumn && p.fn == nil && len(p.ints) == 1 && p.op != opNe && p.op <= opGe
}

// timeRows answers a comparison of the time column with a time (time >=
// now - 1d) as since finds its range: a part's rows are sorted by time,
// so the rows that satisfy it are a range, found by a binary search that
// reads at most two blocks of the time column (Snapshot.Rows), clipped
// to the time range. ok is false for another predicate.
func (e *partEval) timeRows(p *pred) (out *roaring.Bitmap, ok bool, err error) {
	if !p.timeRange() {
		return nil, false, nil
	}
	t := p.ints[0]
	var from, to time.Time // [from, to); zero: open
	switch {
	case p.op == opGe:
		from = timeOfNanos(t)
	case p.op == opGt && t < math.MaxInt64:
		from = timeOfNanos(t + 1)
	case p.op == opLt:
		to = timeOfNanos(t)
	case p.op == opLe && t < math.MaxInt64:
		to = timeOfNanos(t + 1)
	case p.op == opEq && t < math.MaxInt64:
		from, to = timeOfNanos(t), timeOfNanos(t+1)
	case p.op == opGt:
		return roaring.New(), true, nil // after the last instant
	case p.op == opLe:
		from = timeOfNanos(math.MinInt64)
	default:
		return nil, false, nil
	}
	lo, hi, err := e.snap.Rows(e.part, from, to)
	if err != nil {
		return nil, true, err
	}
	out = roaring.New()
	if lo, hi = max(lo, e.lo), min(hi, e.hi); lo < hi {
		out.AddRange(uint64(lo), uint64(hi))
	}
	return out, true, nil
}

// match returns the dictionary values of the part that satisfy p, which
// is on a dictionary column the part has.
func (e *partEval) match(p *pred) (*matchedIDs, error) {
	if m := e.matched[p]; m != nil {
		return m, nil
	}
	dict, err := e.snap.Dict(e.part, p.col)
	if err != nil {
		return nil, err
	}
	m := &matchedIDs{dict: dict, table: make([]bool, dict.Len())}
	for id := range uint32(dict.Len()) {
		if id%dictBatch == 0 {
			if err := e.work(); err != nil {
				return nil, err
			}
		}
		if p.matchesID(dict, id) {
			m.table[id] = true
			m.ids = append(m.ids, id)
		}
	}
	if e.matched == nil {
		e.matched = map[*pred]*matchedIDs{}
	}
	e.matched[p] = m
	return m, nil
}

// dictBatch is how many dictionary values a predicate decides between
// two looks at the context.
const dictBatch = 1024

// fromBitmaps reports whether p's rows are the union of its matching
// values' bitmaps: an indexed column, and few enough values.
func (p *pred) fromBitmaps(m *matchedIDs) bool {
	emptyList := p.col.Enc == engine.EncList && p.matchesAbsent()
	return p.col.Indexed && !emptyList && len(m.ids) <= maxUnion
}

// smallestFirst orders the operands of an and for this part: predicates
// answered by bitmaps first, by how many rows their values hold (from the
// bitmaps' table, no row read), then other conditions, then scans, which
// read only the blocks the operands before them left rows in.
func (e *partEval) smallestFirst(xs []cond) ([]cond, error) {
	type ranked struct {
		x     cond
		class int
		rows  uint64
	}
	rs := make([]ranked, len(xs))
	for i, x := range xs {
		rs[i] = ranked{x: x, class: 1}
		switch x.(type) {
		case *fieldCmp, *tupleIn:
			rs[i].class = 2 // a scan
			continue
		}
		p, ok := x.(*pred)
		if !ok {
			continue
		}
		if p.timeRange() {
			rs[i].class = 0 // a row range, found at once
			continue
		}
		if p.col.Enc != engine.EncDict && p.col.Enc != engine.EncList || !p.col.Indexed {
			rs[i].class = 2
			continue
		}
		if e.part.DictLen(p.col) == 0 {
			rs[i].class = 0 // every row lacks the value: all or none, at once
			continue
		}
		m, err := e.match(p)
		if err != nil {
			return nil, err
		}
		if !p.fromBitmaps(m) {
			rs[i].class = 2
			continue
		}
		rs[i].class = 0
		if rs[i].rows, err = e.snap.CardinalityOf(e.part, p.col, m.ids); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		if c := cmp.Compare(a.class, b.class); c != 0 {
			return c
		}
		return cmp.Compare(a.rows, b.rows)
	})
	out := make([]cond, len(rs))
	for i, r := range rs {
		out[i] = r.x
	}
	return out, nil
}

// dictRows returns the rows whose dictionary value satisfies p.
func (e *partEval) dictRows(p *pred, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	m, err := e.match(p)
	if err != nil {
		return nil, err
	}
	dict, table, ids := m.dict, m.table, m.ids
	emptyList := p.col.Enc == engine.EncList && p.matchesAbsent()
	if len(ids) == 0 && !emptyList {
		return roaring.New(), nil
	}
	if p.fromBitmaps(m) {
		return e.snap.Bitmap(e.part, p.col, ids...)
	}
	return e.scan(p, dict, table, within)
}

// scan decides p row by row over the blocks of the time range, reading
// one column; given within, only for its rows, in the blocks that hold
// some. With a dictionary, table says which ids satisfy p.
func (e *partEval) scan(p *pred, dict *index.Dict, table []bool, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	out := roaring.New()
	col := p.col
	cols := []*engine.Column{col}
	var it roaring.IntPeekable
	if within != nil {
		it = within.Iterator()
	}
	for b := range e.part.Blocks {
		base := uint32(b) << 16
		lo, hi, ok := e.blockRows(b, within)
		if !ok {
			continue
		}
		if err := e.work(); err != nil {
			return nil, err
		}
		if col.Enc == engine.EncInt && p.fn == nil {
			if mn, mx, ok := e.part.BlockRange(col, b); ok && !p.mayMatchInts(mn, mx) {
				continue
			}
		}
		var err error
		if e.vecs, err = e.snap.ReadBlock(e.part, b, cols, e.vecs); err != nil {
			return nil, err
		}
		e.stats.blocks++
		v := &e.vecs[0]
		next := nextRow(it, lo, hi)
		for r, more := next(); more; r, more = next() {
			i := r - base
			var ok bool
			switch {
			case v.Absent:
				ok = p.matchesAbsent()
			case p.fn != nil && col.Enc != engine.EncDict:
				ok = p.matchesValue(p.fn.rowValue(v, dict, i))
			case col.Enc == engine.EncList:
				elems := v.Elems[v.Offsets[i]:v.Offsets[i+1]]
				ok = len(elems) == 0 && p.matchesAbsent()
				for _, id := range elems {
					ok = ok || table[id]
				}
			case col.Enc == engine.EncDict:
				ok = table[v.IDs[i]]
			case col.Enc == engine.EncInt:
				ok = p.matchesInt(v.Ints[i])
			case col.Enc == engine.EncString:
				ok = p.matchesString(v.Strings.At(int(i)))
			}
			if ok {
				out.Add(r)
			}
		}
	}
	return out, nil
}

// blockRows returns the rows of block b in the time range, [lo, hi), and
// false when it has none, or none of within.
func (e *partEval) blockRows(b int, within *roaring.Bitmap) (lo, hi uint32, ok bool) {
	base := uint32(b) << 16
	lo, hi = max(base, e.lo), min(base+uint32(e.part.Blocks[b].Rows), e.hi)
	if lo >= hi || within != nil && !within.IntersectsWithInterval(uint64(lo), uint64(hi)) {
		return 0, 0, false
	}
	return lo, hi, true
}

// nextRow returns a function giving, one at a time, the rows of [lo, hi)
// to decide: each, or with it (within's iterator) those of within.
func nextRow(it roaring.IntPeekable, lo, hi uint32) func() (uint32, bool) {
	return func() (uint32, bool) {
		if it == nil {
			lo++
			return lo - 1, lo <= hi
		}
		if it.AdvanceIfNeeded(lo); !it.HasNext() || it.PeekNext() >= hi {
			return 0, false
		}
		return it.Next(), true
	}
}

// compareFields decides a comparison of two fields row by row, reading
// both columns of the blocks of the time range (given within, of the
// blocks holding its rows, for its rows only). A dictionary's values are
// decoded once per part (and a function applied once per value); texts
// are compared as the dictionary holds them.
func (e *partEval) compareFields(c *fieldCmp, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	cols := []*engine.Column{c.l.col}
	ri := 0 // the right side's vector
	if c.r.col != c.l.col {
		cols, ri = append(cols, c.r.col), 1
	}
	var sides [2]sideValues
	for i, s := range []cmpSide{c.l, c.r} {
		sides[i] = sideValues{side: s}
		if (s.col.Enc == engine.EncDict || s.col.Enc == engine.EncList) && e.part.DictLen(s.col) > 0 {
			d, err := e.snap.Dict(e.part, s.col)
			if err != nil {
				return nil, err
			}
			sides[i].dict = d
		}
	}
	// Two text fields of one value each, with dictionaries: each entry's
	// class of texts equal without regard to case, once a part, so that a
	// row compares two numbers.
	var lclass, rclass []uint32
	if c.text && sides[0].foldable() && sides[1].foldable() {
		classes := map[string]uint32{}
		lclass, rclass = foldClasses(sides[0].dict, classes), foldClasses(sides[1].dict, classes)
		out, ok, err := e.compareByBitmaps(c, lclass, rclass, within)
		if err != nil || ok {
			return out, err
		}
	}
	out := roaring.New()
	var it roaring.IntPeekable
	if within != nil {
		it = within.Iterator()
	}
	var lbuf, rbuf []string
	var rows []uint32 // the block's rows that satisfy c
	for b := range e.part.Blocks {
		lo, hi, ok := e.blockRows(b, within)
		if !ok {
			continue
		}
		if err := e.work(); err != nil {
			return nil, err
		}
		var err error
		if e.vecs, err = e.snap.ReadBlock(e.part, b, cols, e.vecs); err != nil {
			return nil, err
		}
		e.stats.blocks += len(cols)
		lv, rv := &e.vecs[0], &e.vecs[ri]
		base := uint32(b) << 16
		next := nextRow(it, lo, hi)
		rows = rows[:0]
		for r, more := next(); more; r, more = next() {
			i := r - base
			var holds bool
			if lclass != nil && !lv.Absent && !rv.Absent {
				holds = lclass[lv.IDs[i]] == rclass[rv.IDs[i]]
			} else if c.text {
				lbuf, rbuf = sides[0].texts(lv, i, lbuf), sides[1].texts(rv, i, rbuf)
				holds = anyEqualFold(lbuf, rbuf)
			} else {
				holds = c.holds(sides[0].num(lv, i), sides[1].num(rv, i))
			}
			if holds {
				rows = append(rows, r)
			}
		}
		out.AddMany(rows)
	}
	return out, nil
}

// maxPairValues is the most entries a dictionary of either side of a
// text comparison may have for compareByBitmaps to decide it: a bitmap
// union per class of texts, against a scan of two columns' blocks.
const maxPairValues = 256

// compareByBitmaps decides the text equality of two indexed fields of one
// value a row (lclass and rclass: the class of texts equal without
// regard to case of each entry of their dictionaries) from their
// bitmaps, reading no block: the rows whose values are of one class are
// the union, over the classes both sides have, of the rows of that class
// on the left and of it on the right. ok is false, deciding nothing,
// when a dictionary has more than maxPairValues entries, or when a
// side's bitmaps do not hold every row of the part (every row has an
// entry, "" when absent, so they should).
func (e *partEval) compareByBitmaps(c *fieldCmp, lclass, rclass []uint32, within *roaring.Bitmap) (*roaring.Bitmap, bool, error) {
	if len(lclass) > maxPairValues || len(rclass) > maxPairValues || !c.l.col.Indexed || !c.r.col.Indexed {
		return nil, false, nil
	}
	for _, col := range []*engine.Column{c.l.col, c.r.col} {
		cards, err := e.snap.Cardinalities(e.part, col)
		if err != nil {
			return nil, false, err
		}
		var n uint64
		for _, k := range cards {
			n += k
		}
		if n != uint64(e.part.Rows) {
			return nil, false, nil
		}
	}
	byClass := func(classes []uint32) map[uint32][]uint32 {
		m := map[uint32][]uint32{}
		for id, k := range classes {
			m[k] = append(m[k], uint32(id))
		}
		return m
	}
	left, right := byClass(lclass), byClass(rclass)
	out := roaring.New()
	for k, lids := range left {
		rids, ok := right[k]
		if !ok {
			continue
		}
		if err := e.work(); err != nil {
			return nil, false, err
		}
		l, err := e.snap.Bitmap(e.part, c.l.col, lids...)
		if err != nil {
			return nil, false, err
		}
		r, err := e.snap.Bitmap(e.part, c.r.col, rids...)
		if err != nil {
			return nil, false, err
		}
		l.And(r)
		out.Or(l)
	}
	if within != nil {
		out.And(within)
	} else {
		e.clip(out)
	}
	return out, true, nil
}

// foldable reports whether a side is a text field of one value a row
// with a dictionary in the part.
func (s *sideValues) foldable() bool {
	return s.side.fn == nil && s.side.col.Enc == engine.EncDict && s.dict != nil && s.dict.Kind() == index.DictString
}

// foldClasses numbers each entry of a dictionary by its text without
// regard to case (foldKey), in the numbering classes.
func foldClasses(d *index.Dict, classes map[string]uint32) []uint32 {
	out := make([]uint32, d.Len())
	for id := range out {
		k := foldKey(d.String(uint32(id)))
		c, ok := classes[k]
		if !ok {
			c = uint32(len(classes))
			classes[k] = c
		}
		out[id] = c
	}
	return out
}

// anyEqualFold reports whether some text of a equals some text of b
// without regard to case.
func anyEqualFold(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

// cmpNum is a number, a time (Unix ns) or a flag (0, 1) compared with
// another: whole in i, decimal in f; ok is false when it is missing.
type cmpNum struct {
	i       int64
	f       float64
	decimal bool
	ok      bool
}

func numOf(v result.Value) cmpNum {
	switch {
	case v.IsNull():
		return cmpNum{}
	case v.Kind() == signin.KindFloat:
		return cmpNum{f: v.Float(), decimal: true, ok: !math.IsNaN(v.Float())}
	}
	return cmpNum{i: v.Int(), ok: true}
}

// holds decides a comparison of numbers, times or flags: false when
// either is missing.
func (c *fieldCmp) holds(a, b cmpNum) bool {
	if !a.ok || !b.ok {
		return false
	}
	var r int
	switch {
	case a.decimal || b.decimal:
		x, y := a.f, b.f
		if !a.decimal {
			x = float64(a.i)
		}
		if !b.decimal {
			y = float64(b.i)
		}
		r = cmp.Compare(x, y)
	case c.diff:
		r = cmpDiff(a.i, b.i, c.off)
	default:
		r = cmp.Compare(a.i, b.i)
	}
	switch c.op {
	case opEq:
		return r == 0
	case opNe:
		return r != 0
	case opLt:
		return r < 0
	case opLe:
		return r <= 0
	case opGt:
		return r > 0
	case opGe:
		return r >= 0
	}
	return false
}

// sideValues reads one side of a comparison of fields in a part's
// blocks, decoding each dictionary value (and applying the function)
// once per part.
type sideValues struct {
	side cmpSide
	dict *index.Dict // nil when the column has none, or the part lacks it
	// By dictionary id: the values, decoded, and their numbers.
	byID  []result.Value
	numID []cmpNum
	done  []bool
	// absent is the value of a row without one, once computed.
	absent     result.Value
	haveAbsent bool
}

// value is row i's value of the side: null when missing, "" for text.
func (s *sideValues) value(v *engine.Vector, i uint32) result.Value {
	col := s.side.col
	if v.Absent || (col.Enc == engine.EncDict || col.Enc == engine.EncList) && s.dict == nil {
		if !s.haveAbsent {
			s.absent, s.haveAbsent = s.apply(col.Absent()), true
		}
		return s.absent
	}
	if col.Enc != engine.EncDict {
		return s.apply(v.Value(s.dict, i))
	}
	id := v.IDs[i]
	s.decode(id)
	return s.byID[id]
}

// decode decodes dictionary value id, once.
func (s *sideValues) decode(id uint32) {
	if s.done == nil {
		n := s.dict.Len()
		s.byID, s.numID, s.done = make([]result.Value, n), make([]cmpNum, n), make([]bool, n)
	}
	if s.done[id] {
		return
	}
	v := s.apply(s.side.col.DictValue(s.dict, id))
	s.byID[id], s.numID[id], s.done[id] = v, numOf(v), true
}

func (s *sideValues) apply(v result.Value) result.Value {
	if s.side.fn != nil {
		return s.side.fn.eval(v)
	}
	return v
}

// num is row i's value of a side of numbers, times or flags.
func (s *sideValues) num(v *engine.Vector, i uint32) cmpNum {
	col := s.side.col
	switch {
	case v.Absent || s.side.fn != nil:
	case col.Enc == engine.EncInt:
		x := v.Ints[i]
		return cmpNum{i: x, ok: x != signin.NoInt}
	case col.Enc == engine.EncDict && s.dict != nil:
		id := v.IDs[i]
		s.decode(id)
		return s.numID[id]
	}
	return numOf(s.value(v, i))
}

// texts are row i's texts of a text side, in buf: a list's elements, or
// one text; "" for a missing value or a list without elements.
func (s *sideValues) texts(v *engine.Vector, i uint32, buf []string) []string {
	buf = buf[:0]
	col := s.side.col
	switch {
	case v.Absent || s.dict == nil && col.Enc != engine.EncString || s.side.fn != nil && col.Enc != engine.EncDict:
		x := s.value(v, i)
		if x.Kind() == signin.KindList {
			buf = append(buf, x.List()...)
		} else {
			buf = append(buf, x.Str())
		}
	case s.side.fn != nil: // a function of a dictionary column: its result, once per value
		buf = append(buf, s.value(v, i).Str())
	case col.Enc == engine.EncList:
		for _, id := range v.Elems[v.Offsets[i]:v.Offsets[i+1]] {
			buf = append(buf, s.dict.String(id))
		}
	case col.Enc == engine.EncDict:
		buf = append(buf, s.dict.String(v.IDs[i]))
	default: // EncString
		buf = append(buf, v.Strings.At(int(i)))
	}
	if len(buf) == 0 {
		buf = append(buf, "")
	}
	return buf
}

// matchesID decides p for a dictionary value.
func (p *pred) matchesID(d *index.Dict, id uint32) bool {
	if p.fn != nil {
		return p.matchesValue(p.fn.idValue(d, id))
	}
	switch d.Kind() {
	case index.DictInt:
		return p.matchesInt(d.Int(id))
	case index.DictFloat:
		return p.matchesFloat(d.Float(id))
	}
	return p.matchesString(d.String(id))
}

// matchesAbsent decides p for a sign-in without a value: the empty string
// for text (and a list without elements); nothing satisfies a comparison
// of numbers, times or flags.
func (p *pred) matchesAbsent() bool {
	if p.fn != nil {
		return p.matchesValue(p.fn.eval(p.col.Absent()))
	}
	k := p.col.Field.Kind
	return (k == signin.KindString || k == signin.KindList) && p.matchesString("")
}

// matchesValue decides p for a function's result: text as text (null as
// ""), numbers, times and flags as numbers, which null never satisfies.
func (p *pred) matchesValue(v result.Value) bool {
	switch v.Kind() {
	case signin.KindString:
		return p.matchesString(v.Str())
	case signin.KindList:
		l := v.List()
		ok := len(l) == 0 && p.matchesString("")
		for _, s := range l {
			ok = ok || p.matchesString(s)
		}
		return ok
	}
	if v.IsNull() {
		return false
	}
	if v.Kind() == signin.KindFloat {
		return p.matchesFloat(v.Float())
	}
	return p.matchesInt(v.Int())
}

// matchesString decides p for a text value, without regard to case.
func (p *pred) matchesString(v string) bool {
	switch p.op {
	case opEq, opIn:
		for _, s := range p.strs {
			if strings.EqualFold(v, s) {
				return true
			}
		}
		return p.matchesAddr(v) || p.inSets(v)
	case opContains:
		return strings.Contains(strings.ToLower(v), strings.ToLower(p.strs[0]))
	case opStarts:
		return strings.HasPrefix(strings.ToLower(v), strings.ToLower(p.strs[0]))
	case opEnds:
		return strings.HasSuffix(strings.ToLower(v), strings.ToLower(p.strs[0]))
	case opLike, opRegex:
		if p.set != nil {
			return p.set.match(v)
		}
		if testHookRegexp != nil {
			testHookRegexp()
		}
		return p.re.MatchString(v)
	case opCIDR:
		for _, s := range p.strs {
			if strings.EqualFold(v, s) {
				return true
			}
		}
		if p.inSets(v) {
			return true
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, c := range p.cidrs {
			if c.Contains(a) {
				return true
			}
		}
		return p.matchesAddr(v)
	}
	return false
}

// matchesAddr decides ip = address by the address, whatever its spelling.
func (p *pred) matchesAddr(v string) bool {
	if len(p.addrs) == 0 {
		return false
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, b := range p.addrs {
		if a == b {
			return true
		}
	}
	return false
}

// matchesInt decides p for an integer, a time (Unix ns) or a flag (0, 1).
func (p *pred) matchesInt(v int64) bool {
	if v == signin.NoInt {
		return false
	}
	switch p.op {
	case opEq, opIn:
		for _, x := range p.ints {
			if v == x {
				return true
			}
		}
		return p.intInSets(v)
	case opNe, opNotIn:
		for _, x := range p.ints {
			if v == x {
				return false
			}
		}
		return !p.intInSets(v)
	}
	if p.field().Kind == signin.KindTime {
		return compareOp(p.op, float64(0), 0, v, p.ints[0])
	}
	return compareOp(p.op, float64(v), p.flts[0], 0, 0)
}

// matchesFloat decides p for a decimal number.
func (p *pred) matchesFloat(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	switch p.op {
	case opEq, opIn:
		for _, x := range p.flts {
			if v == x {
				return true
			}
		}
		return p.floatInSets(v)
	case opNe, opNotIn:
		for _, x := range p.flts {
			if v == x {
				return false
			}
		}
		return !p.floatInSets(v)
	}
	return compareOp(p.op, v, p.flts[0], 0, 0)
}

// compareOp applies an ordering operator: to floats, or to the integers
// when the floats are both zero (times, which floats cannot hold exactly).
func compareOp(op predOp, a, b float64, x, y int64) bool {
	c := 0
	switch {
	case x != 0 || y != 0:
		c = cmpInt(x, y)
	case a < b:
		c = -1
	case a > b:
		c = 1
	}
	switch op {
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	case opGt:
		return c > 0
	case opGe:
		return c >= 0
	}
	return false
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// mayMatchInts reports whether some integer in [mn, mx] may satisfy p: a
// block outside it is skipped.
func (p *pred) mayMatchInts(mn, mx int64) bool {
	if mn == signin.NoInt && mx == signin.NoInt {
		return false // every row lacks a value
	}
	var lo, hi float64
	var tlo, thi int64
	isTime := p.col.Field.Kind == signin.KindTime
	switch p.op {
	case opEq, opIn:
		for _, x := range p.ints {
			if x >= mn && x <= mx {
				return true
			}
		}
		return len(p.sets) > 0 // a set's values may be anywhere
	case opLt, opLe:
		if isTime {
			tlo = p.ints[0]
			return mn < tlo || p.op == opLe && mn <= tlo
		}
		lo = p.flts[0]
		return float64(mn) < lo || p.op == opLe && float64(mn) <= lo
	case opGt, opGe:
		if isTime {
			thi = p.ints[0]
			return mx > thi || p.op == opGe && mx >= thi
		}
		hi = p.flts[0]
		return float64(mx) > hi || p.op == opGe && float64(mx) >= hi
	}
	return true
}
