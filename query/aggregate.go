package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// group is one group of an aggregate query, as its output row is
// computed: its key values, and its number in the tables of the
// aggregates' states.
type group struct {
	key    []result.Value
	tables []plugins.Table
	g      uint32
}

// partGroups are one part's groups: its grouper and accumulators, done
// with, for the merge to read (nil when the part's selection is empty),
// what they are charged against the memory limit until merged, and what
// reading the part took.
type partGroups struct {
	part *engine.Part
	// numbers renumber each key's ids into the store's numbering of its
	// field, for the keys numbered so (nil for others).
	numbers [][]uint32
	// The groups finished in the part (finishPart): done by group, how
	// many, and the rows of those that hold having (charged in mem.rows).
	done     []bool
	finished int
	out      [][]result.Value
	gr       *grouper
	accs     []plugins.Acc
	mem      *charge
	rows     []int64 // rows given to each accumulator's Add
	stats    execStats
}

// mergeCheck is how many groups the merge folds in between checks of the
// memory limit.
const mergeCheck = 1024

// aggregateRows runs an aggregate or top plan: the groups of every part
// in the time range, on several goroutines, merged by key (merged), then
// the output rows of the groups that hold having. Everything that grows
// with the groups is charged against the query's memory limit as it
// grows; past it, the query stops with a *MemoryError.
//
// With a bin key, the parts are read in time order, and once no part
// left to merge can hold a bucket, the groups of that bucket are done:
// their rows are made and the groups dropped as the merge goes, so that
// the merged groups of group by bin(1h), user, ip over 30 days are those
// of the few parts being merged, not of all.
func (x *executor) aggregateRows(ctx context.Context) ([][]result.Value, error) {
	parts := x.snap.PartsBetween(x.fromTime(), x.toTime())
	x.stats.parts = len(parts)
	m := newMerged(x.plan, x.snap)
	mem := x.mem.newCharge()
	defer mem.release() // the merged groups are dropped once the rows are made
	charge := func() error {
		mem.set(groupsCharge, m.size())
		for i, t := range m.tables {
			mem.set(aggCharge+i, t.Size())
		}
		x.mem.merged.Store(int64(m.n))
		return x.mem.check()
	}
	x.rowsMem = x.mem.newCharge()
	rm := x.newRowMaker(x.rowsMem.grow, charge)
	rm.where = x.firstWhere()
	grp := group{tables: m.tables}
	flushed := func(g uint32) error {
		grp.g, grp.key = g, m.key(g, grp.key)
		return rm.add(&grp)
	}
	bin := slices.IndexFunc(x.plan.keys, func(k *key) bool { return k.bin != 0 })
	var done *doneBuckets
	if bin >= 0 {
		done = newDoneBuckets(parts, bin, x.plan.keys[bin].bin)
		parts = done.parts
		if x.plan.absent == nil {
			x.finishing = done
		}
	}
	merge := func(pg *partGroups) error {
		t := x.now()
		defer func() { x.merge += x.since(t) }()
		x.stats.add(&pg.stats)
		if pg.gr != nil {
			x.stats.groups += pg.gr.len()
			err := m.fold(pg, charge)
			// The part's rows are the query's now, and its tables
			// dropped.
			m.total += pg.finished
			rm.rows = append(rm.rows, pg.out...)
			for what, n := range pg.mem.rows {
				x.rowsMem.grow(what, n)
			}
			pg.mem.release()
			if err != nil {
				return err
			}
		}
		if done != nil {
			if before, ok := done.merged(pg.part); ok {
				return m.flush(bin, before, flushed)
			}
		}
		return nil
	}
	// A memory error says how far the query went.
	stopped := func(err error) error {
		var me *MemoryError
		if errors.As(err, &me) {
			me.Parts, me.PartsRead = len(parts), int(x.started.Load())
		}
		return err
	}
	err := x.eachPart(ctx, parts, func(p *engine.Part) (*partGroups, error) { return x.partGroups(ctx, p) }, merge)
	if err != nil {
		return nil, stopped(err)
	}
	if x.plan.absent != nil {
		x.addAbsent(m) // absence.go
	}
	if len(x.plan.keys) == 0 && m.n == 0 {
		m.add(nil) // an aggregate of no sign-ins: one row, of counts 0 and nulls
	}
	for g := range m.n {
		if err := flushed(uint32(g)); err != nil {
			return nil, stopped(err)
		}
	}
	x.merged = m.total + m.n
	x.havingDone = true
	if err := charge(); err != nil {
		return nil, stopped(err)
	}
	return rm.rows, nil
}

// rowMaker makes the output rows of groups that hold the plan's having
// (which finish then need not apply), charging them as they are made
// (and, when some columns are hidden, the rows finish copies without
// them).
type rowMaker struct {
	x      *executor
	grow   func(what int, n int64) // charges n bytes of rows to what
	check  func() error            // checks the memory limit, every mergeCheck rows
	perRow int64
	row    []result.Value // the row being made
	made   int
	rows   [][]result.Value
	// where is the | where right after the aggregate, when its rows
	// need not be made to know it drops them (firstWhere).
	where *whereRunner
}

// firstWhere returns the | where that follows the plan's aggregate,
// when a row it drops may be dropped as having drops one: the plan has
// no limit (which would count the rows before it) and no hidden column
// (the where's columns are the rows' own). The where still runs as a
// stage, on the rows it kept.
func (x *executor) firstWhere() *whereRunner {
	p := x.plan
	if p.Limit >= 0 || len(p.stages) == 0 {
		return nil
	}
	for _, o := range p.outs {
		if o.hidden {
			return nil
		}
	}
	w, _ := p.stages[0].runner.(*whereRunner)
	return w
}

func (x *executor) newRowMaker(grow func(int, int64), check func() error) *rowMaker {
	visible := 0
	for _, o := range x.plan.outs {
		if !o.hidden {
			visible++
		}
	}
	perRow := rowBytes + sliceBytes(len(x.plan.outs), valueBytes)
	if visible < len(x.plan.outs) {
		perRow += sliceBytes(visible, valueBytes)
	}
	return &rowMaker{x: x, grow: grow, check: check, perRow: perRow, row: make([]result.Value, len(x.plan.outs))}
}

// add makes group g's row, if it holds having.
func (r *rowMaker) add(g *group) error {
	x := r.x
	if err := x.outputRow(g, r.row); err != nil {
		return err
	}
	r.made++
	if r.made%mergeCheck == 0 {
		if err := r.check(); err != nil {
			return err
		}
	}
	if x.plan.having != nil && !x.plan.having.holds(r.row) {
		return nil
	}
	if w := r.where; w != nil {
		holds := w.cond.holds(r.row)
		if w.err != nil {
			w.err = nil // the row is kept, for the where to fail on it as a stage
		} else if !holds {
			return nil
		}
	}
	// A value an aggregate computed is charged to it, the rest to the
	// groups.
	n := r.perRow
	for j, o := range x.plan.outs {
		if o.key >= 0 {
			continue
		}
		if a, ok := o.val.(aggRef); ok {
			if b := valueDataBytes(r.row[j]); b > 0 {
				r.grow(aggCharge+a.i, b)
			}
			continue
		}
		n += valueDataBytes(r.row[j])
	}
	if len(r.rows) == cap(r.rows) {
		n += sliceBytes(max(2*cap(r.rows), 8)-cap(r.rows), 24)
	}
	r.grow(groupsCharge, n)
	r.rows = append(r.rows, slices.Clone(r.row))
	return nil
}

// finishPart makes, in the goroutine that read a part, the rows of the
// part's groups that no other part can hold (finishing), so that they
// need not be merged: the groups of the buckets of a bin key that no
// other part's times reach. It marks them done in pg.
func (x *executor) finishPart(pg *partGroups) error {
	f, gr := x.finishing, pg.gr
	shared := f.sharedOf(pg.part)
	pk := &gr.keys[f.key]
	var tables []plugins.Table
	var rm *rowMaker
	grp := group{key: make([]result.Value, len(gr.keys))}
	for gi := range gr.len() {
		g := uint32(gi)
		if isShared(shared, pk.base+int64(gr.id(g, f.key))) {
			continue
		}
		if tables == nil {
			tables = newTables(x.plan)
			pg.done = make([]bool, gr.len())
			pg.mem.rows = make([]int64, len(pg.mem.by))
			rm = x.newRowMaker(func(what int, n int64) { pg.mem.rows[what] += n }, func() error { return pg.mem.sizePart(gr, pg.accs, pg.rows) })
			grp.tables = tables
		}
		pg.done[g] = true
		pg.finished++
		for j, t := range tables {
			t.Fold(grp.g, pg.accs[j], g)
		}
		for i := range gr.keys {
			grp.key[i] = gr.keys[i].value(gr.id(g, i))
		}
		if err := rm.add(&grp); err != nil {
			return err
		}
		// The tables hold one group at a time.
		for _, t := range tables {
			t.Keep(nil)
		}
	}
	if rm != nil {
		pg.out = rm.rows
	}
	return nil
}

// eachPart runs work on every part, on up to GOMAXPROCS goroutines, and
// gives the results to merge, one at a time, on the calling goroutine. It
// stops at the first error (work's or merge's), or when ctx is done: the
// goroutines start no other part, and those reading one stop at their
// next block.
func (x *executor) eachPart(ctx context.Context, parts []*engine.Part, work func(*engine.Part) (*partGroups, error), merge func(*partGroups) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		pg  *partGroups
		err error
	}
	next := make(chan *engine.Part, len(parts))
	for _, p := range parts {
		next <- p
	}
	close(next)
	// Parts done wait for the merge in a queue no longer than the
	// goroutines: their tables are held (and charged) until merged.
	workers := min(runtime.GOMAXPROCS(0), max(len(parts), 1))
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for p := range next {
				if ctx.Err() != nil {
					return
				}
				x.started.Add(1)
				pg, err := safeWork(work, p)
				results <- result{pg, err}
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var first error
	for r := range results {
		switch {
		case first != nil:
		case r.err != nil:
			first = r.err
			cancel()
		case ctx.Err() != nil:
			first = ctx.Err() // cancelled, or past the time limit: merge no more
		case r.pg != nil:
			if err := merge(r.pg); err != nil {
				first = err
				cancel()
			}
		}
	}
	if first == nil {
		first = x.ctx.Err()
	}
	return first
}

// safeWork runs work on a part, turning a panic into the query's error:
// an aggregate plugin's (ErrPluginPanic), or signinq's own (ErrInternal).
func safeWork(work func(*engine.Part) (*partGroups, error), p *engine.Part) (pg *partGroups, err error) {
	defer func() {
		if r := recover(); r != nil {
			pg, err = nil, recovered(r)
		}
	}()
	return work(p)
}

// partGroups computes one part's groups.
func (x *executor) partGroups(ctx context.Context, p *engine.Part) (*partGroups, error) {
	lo, hi, err := x.snap.Rows(p, x.fromTime(), x.toTime())
	if err != nil {
		return nil, err
	}
	if lo >= hi {
		return &partGroups{part: p}, nil // nothing in the time range
	}
	pg := &partGroups{part: p}
	pg.stats.read = 1
	t := x.now()
	ev := &partEval{ctx: ctx, snap: x.snap, part: p, lo: lo, hi: hi, stats: &pg.stats}
	sel, err := ev.eval(x.plan.filter, nil)
	if err != nil {
		return nil, err
	}
	pg.stats.filter = x.since(t)
	if sel.IsEmpty() {
		return pg, nil // read, and counted so, though it has no group
	}
	t = x.now()
	defer func() { pg.stats.group = x.since(t) }()
	pg.stats.rows = int64(sel.GetCardinality())
	aggs := x.plan.aggs
	sels := make([]*roaring.Bitmap, len(aggs))
	union := sel
	for i, a := range aggs {
		sels[i] = sel
		if a.cond != nil {
			if sels[i], err = ev.eval(a.cond, sel); err != nil {
				return nil, err
			}
		}
	}
	accs := make([]plugins.Acc, len(aggs))
	fns := make([]*partFn, len(aggs))
	for i, a := range aggs {
		in := plugins.Input{Field: fieldOf(a.field)}
		switch {
		case a.fn != nil:
			// A function of a field: the part's dictionary of its values.
			if fns[i], err = x.newPartFn(ctx, p, a.fn, union, lo, hi); err != nil {
				return nil, err
			}
			in.Dict = fns[i].dict
		case a.field != nil && a.field.HasDict():
			if p.DictLen(a.field) == 0 {
				in.Dict = a.field.EmptyDict()
			} else if in.Dict, err = x.snap.Dict(p, a.field); err != nil {
				return nil, err
			}
			if in.Numbers, in.Numbering, err = x.snap.Numbers(p, a.field); err != nil {
				return nil, err
			}
		}
		accs[i] = a.agg.NewAcc(in)
	}
	// The part's tables are charged against the memory limit as they
	// grow, and until they are merged.
	pg.mem = x.mem.newCharge()
	defer func() {
		if pg.gr == nil {
			pg.mem.release()
		}
	}()
	for _, f := range fns {
		if f != nil {
			pg.mem.extra += f.size() // held until the part is done
		}
	}
	gr, err := newGrouper(x.snap, p, x.plan.keys, uint64(pg.stats.rows))
	if err != nil {
		return nil, err
	}
	pg.numbers = make([][]uint32, len(x.plan.keys))
	for i, k := range x.plan.keys {
		if numbered(k) {
			if pg.numbers[i], _, err = x.snap.Numbers(p, k.col); err != nil {
				return nil, err
			}
		}
	}
	if err := pg.mem.sizePart(gr, accs, nil); err != nil {
		return nil, err
	}
	switch {
	case len(x.plan.keys) == 0 && allCounters(accs):
		// Counts without keys: the bitmaps' cardinalities.
		gr.one()
		for i, acc := range accs {
			acc.(plugins.Counter).AddCount(0, sels[i].GetCardinality())
		}
	case len(x.plan.keys) == 1 && x.plan.keys[0].bin != 0 && allCounters(accs):
		if err := x.binCounts(ctx, p, gr, lo, hi, sel, sels, accs, pg); err != nil {
			return nil, err
		}
	case len(x.plan.keys) == 1 && x.plan.keys[0].fn == nil && x.plan.keys[0].col.Enc == engine.EncDict && p.DictLen(x.plan.keys[0].col) > 0 && allCounters(accs):
		if err := x.dictCounts(ctx, p, gr, lo, hi, sel, sels, accs, pg); err != nil {
			return nil, err
		}
	default:
		if err := x.blocks(ctx, p, gr, union, sels, accs, fns, pg); err != nil {
			return nil, err
		}
	}
	if err := pg.mem.sizePart(gr, accs, pg.rows); err != nil {
		return nil, err
	}
	pg.gr, pg.accs = gr, accs
	if x.finishing != nil {
		if err := x.finishPart(pg); err != nil {
			return nil, err
		}
	}
	return pg, nil
}

// binCounts counts the selected rows of each time bucket of a part: its
// rows are sorted by time, so a bucket is a row range, found by binary
// search in the time column of the blocks holding selected rows, and its
// count the selection's rank at its ends. The work grows with the buckets
// holding sign-ins, not with those of the time range.
func (x *executor) binCounts(ctx context.Context, p *engine.Part, gr *grouper, lo, hi uint32, sel *roaring.Bitmap, sels []*roaring.Bitmap, accs []plugins.Acc, pg *partGroups) error {
	k := x.plan.keys[0]
	rank := func(b *roaring.Bitmap, r uint32) uint64 { // rows < r
		if r == 0 {
			return 0
		}
		return b.Rank(r - 1)
	}
	cols := []*engine.Column{k.col}
	var vecs []engine.Vector
	for b := range p.Blocks {
		base := uint32(b) << 16
		a, end := max(base, lo), min(base+uint32(p.Blocks[b].Rows), hi)
		if a >= end || rank(sel, end) == rank(sel, a) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if vecs, err = x.snap.ReadBlock(p, b, cols, vecs); err != nil {
			return err
		}
		times := vecs[0].Ints
		for a < end {
			bucket := floorDiv(times[a-base], k.bin)
			next := end // the last bucket of all times holds the rest
			if bucket < math.MaxInt64/k.bin-1 {
				n, _ := slices.BinarySearch(times[a-base:end-base], (bucket+1)*k.bin)
				next = a + uint32(n)
			}
			if rank(sel, next) != rank(sel, a) { // only buckets holding selected sign-ins are groups
				id := uint32(bucket - gr.keys[0].base)
				gr.cur[0] = id
				g := gr.group(uint64(id))
				for i, acc := range accs {
					if c := rank(sels[i], next) - rank(sels[i], a); c > 0 {
						acc.(plugins.Counter).AddCount(g, c)
					}
				}
			}
			a = next
		}
		if err := pg.mem.sizePart(gr, accs, nil); err != nil {
			return err
		}
	}
	return nil
}

// dictCounts counts the selected rows of each value of a dictionary key,
// without a group table probed per row: by intersecting the selections
// with each value's bitmap when the values are few enough for that to be
// cheaper, else in arrays indexed by dictionary id over the key's column.
func (x *executor) dictCounts(ctx context.Context, p *engine.Part, gr *grouper, lo, hi uint32, sel *roaring.Bitmap, sels []*roaring.Bitmap, accs []plugins.Acc, pg *partGroups) error {
	col := x.plan.keys[0].col
	n := p.DictLen(col)
	// The distinct selections: the filter's (whose counts say which
	// groups exist), then each condition's.
	sets, which := []*roaring.Bitmap{sel}, make([]int, len(sels))
	for i, s := range sels {
		j := slices.Index(sets, s)
		if j < 0 {
			sets, j = append(sets, s), len(sets)
		}
		which[i] = j
	}
	// The counts are charged while they last.
	pg.mem.extra = int64(len(sets)) * sliceBytes(n, 8)
	defer func() { pg.mem.extra = 0 }()
	if err := pg.mem.sizePart(gr, accs, nil); err != nil {
		return err
	}
	counts := make([][]uint64, len(sets))
	for j := range counts {
		counts[j] = make([]uint64, n)
	}
	// Costs in rows scanned: an intersection of two bitmaps takes about
	// as long as counting 128 rows per container of 2^16 rows (dense
	// containers are ANDed a word at a time), and, when the selection is
	// sparse (fewer than 4,096 rows a container: an array), three
	// quarters of a row per selected row it merges, for each value (at
	// 10M sign-ins, a day's 13,456 failures by their 24 errors took 0.4
	// ms from the bitmaps, against 0.02 ms counting the rows' ids once
	// decoded); a scan decodes the ids of the blocks it touches that are
	// not decoded in the cache, and counts each row.
	containers := uint64(hi-lo)>>16 + 1
	selected := sel.GetCardinality()
	merged := uint64(0)
	if selected < containers*4096 {
		merged = selected * 3 / 4
	}
	bitmapCost := uint64(n) * (containers*128 + merged) * uint64(len(sets))
	scanCost := selected * uint64(len(sets))
	for b := int(lo >> 16); b <= int((hi-1)>>16) && b < len(p.Blocks); b++ {
		if !x.snap.BlockCached(p, col, b) {
			scanCost += blockScanCost
		}
	}
	var err error
	if col.Indexed && bitmapCost < scanCost {
		pg.stats.bitmapParts++
		err = x.snap.EachBitmap(p, col, func(id uint32, rows *roaring.Bitmap) error {
			if int(id) >= n {
				return fmt.Errorf("query: %v: a bitmap of %s for id %d, beyond its dictionary", p, col.Name, id)
			}
			for j, s := range sets {
				counts[j][id] = s.AndCardinality(rows)
			}
			return nil
		})
	} else {
		err = x.countIDs(ctx, p, col, sets, counts, pg)
	}
	if err != nil {
		return err
	}
	for id := range n {
		if id%blockRows == blockRows-1 {
			if err := pg.mem.sizePart(gr, accs, nil); err != nil {
				return err
			}
		}
		if counts[0][id] == 0 {
			continue // only values of selected sign-ins are groups
		}
		gr.cur[0] = uint32(id)
		g := gr.group(uint64(id))
		for i, acc := range accs {
			if c := counts[which[i]][id]; c > 0 {
				acc.(plugins.Counter).AddCount(g, c)
			}
		}
	}
	return nil
}

// rowCursor reads a selection's rows a block at a time, in order.
type rowCursor struct {
	it      roaring.ManyIntIterable
	buf     []uint32
	pending []uint32 // rows read ahead of their block
}

func newRowCursor(sel *roaring.Bitmap) *rowCursor {
	return &rowCursor{it: sel.ManyIterator(), buf: make([]uint32, 4096)}
}

// next appends to dst the selection's rows in [base, end), as offsets
// from base; the blocks are asked for in order.
func (c *rowCursor) next(base, end uint32, dst []uint32) []uint32 {
	for {
		if len(c.pending) == 0 {
			n := c.it.NextMany(c.buf)
			if n == 0 {
				return dst
			}
			c.pending = c.buf[:n]
		}
		i := 0
		for i < len(c.pending) && c.pending[i] < end {
			if c.pending[i] >= base {
				dst = append(dst, c.pending[i]-base)
			}
			i++
		}
		c.pending = c.pending[i:]
		if len(c.pending) > 0 {
			return dst
		}
	}
}

// blockRows is the rows of a block: the memory limit is checked at least
// this often while a part's groups are made.
const blockRows = 1 << 16

// blockScanCost is the cost of decoding a block of ids, in rows counted.
const blockScanCost = 8192

// countIDs counts the rows of each set by their dictionary id in col,
// reading the ids of the blocks that hold them.
func (x *executor) countIDs(ctx context.Context, p *engine.Part, col *engine.Column, sets []*roaring.Bitmap, counts [][]uint64, pg *partGroups) error {
	cols := []*engine.Column{col}
	for j, s := range sets {
		c := counts[j]
		read, err := x.eachSelectedBlock(ctx, p, cols, s, func(vecs []engine.Vector, rows []uint32) error {
			ids := vecs[0].IDs
			for _, r := range rows {
				c[ids[r&0xffff]]++
			}
			return nil
		})
		pg.stats.blocks += read
		if err != nil {
			return err
		}
	}
	return nil
}

// eachSelectedBlock calls fn with each run of the rows of sel, ascending,
// that one block of part p holds, and the vectors of cols of that block,
// read once for its runs; it checks ctx before reading a block, and
// returns how many it read. fn's rows are valid only during the call; an
// error from fn ends the walk and is returned.
func (x *executor) eachSelectedBlock(ctx context.Context, p *engine.Part, cols []*engine.Column, sel *roaring.Bitmap, fn func(vecs []engine.Vector, rows []uint32) error) (read int, err error) {
	var vecs []engine.Vector
	buf := make([]uint32, 4096)
	cur := -1
	it := sel.ManyIterator()
	for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
		for start := 0; start < k; {
			b := int(buf[start] >> 16)
			end := start + 1
			for end < k && int(buf[end]>>16) == b {
				end++
			}
			if b != cur {
				if err := ctx.Err(); err != nil {
					return read, err
				}
				if b >= len(p.Blocks) {
					return read, fmt.Errorf("query: %v: row %d beyond its blocks", p, buf[start])
				}
				if vecs, err = x.snap.ReadBlock(p, b, cols, vecs); err != nil {
					return read, err
				}
				read++
				cur = b
			}
			if err := fn(vecs, buf[start:end]); err != nil {
				return read, err
			}
			start = end
		}
	}
	return read, nil
}

func allCounters(accs []plugins.Acc) bool {
	for _, a := range accs {
		if _, ok := a.(plugins.Counter); !ok {
			return false
		}
	}
	return true
}

// blocks feeds the selected rows of each block to the accumulators, with
// their groups.
func (x *executor) blocks(ctx context.Context, p *engine.Part, gr *grouper, union *roaring.Bitmap, sels []*roaring.Bitmap, accs []plugins.Acc, fns []*partFn, pg *partGroups) error {
	// The columns to read: the keys', then the aggregates' fields.
	var cols []*engine.Column
	colIndex := map[*engine.Column]int{}
	need := func(c *engine.Column) {
		if _, ok := colIndex[c]; !ok {
			colIndex[c] = len(cols)
			cols = append(cols, c)
		}
	}
	for _, k := range x.plan.keys {
		need(k.col)
	}
	for _, a := range x.plan.aggs {
		if a.field != nil {
			need(a.source()) // a function's field
		}
	}
	var vecs []engine.Vector
	var rows, rowsOut, groups, arows, agroups, crows []uint32
	pg.rows = make([]int64, len(accs))
	all := newRowCursor(union)
	// The rows of each condition's selection, block by block.
	conds := make([]*rowCursor, len(accs))
	for i := range accs {
		if sels[i] != union {
			conds[i] = newRowCursor(sels[i])
		}
	}
	for b := range p.Blocks {
		if err := ctx.Err(); err != nil {
			return err
		}
		base := uint32(b) << 16
		end := base + uint32(p.Blocks[b].Rows)
		rows = all.next(base, end, rows[:0])
		if len(rows) == 0 {
			continue
		}
		var err error
		if len(cols) > 0 {
			if vecs, err = x.snap.ReadBlock(p, b, cols, vecs); err != nil {
				return err
			}
			pg.stats.blocks += len(cols)
		}
		keyVecs := make([]*engine.Vector, len(x.plan.keys))
		for i, k := range x.plan.keys {
			keyVecs[i] = &vecs[colIndex[k.col]]
		}
		rowsOut, groups, err = gr.assign(rows, keyVecs, rowsOut[:0], groups[:0])
		if err != nil {
			return err
		}
		for i, acc := range accs {
			ar, ag := rowsOut, groups
			if conds[i] != nil {
				// rowsOut is in row order (a row's groups one after
				// the other), and so are the condition's rows: walk
				// both.
				crows = conds[i].next(base, end, crows[:0])
				arows, agroups = arows[:0], agroups[:0]
				k := 0
				for j, r := range rowsOut {
					for k < len(crows) && crows[k] < r {
						k++
					}
					if k == len(crows) {
						break
					}
					if crows[k] == r {
						arows, agroups = append(arows, r), append(agroups, groups[j])
					}
				}
				ar, ag = arows, agroups
			}
			var col *engine.Vector
			if a := x.plan.aggs[i]; a.field != nil {
				col = &vecs[colIndex[a.source()]]
				if fns[i] != nil {
					col = fns[i].vector(col, base, rowsOut)
				}
			}
			if len(ar) > 0 {
				acc.Add(ag, ar, col)
				pg.rows[i] += int64(len(ar))
			}
		}
		if err := pg.mem.sizePart(gr, accs, pg.rows); err != nil {
			return err
		}
	}
	return nil
}

func fieldOf(c *engine.Column) *signin.Field {
	if c == nil {
		return nil
	}
	return c.Field
}
