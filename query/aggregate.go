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

// group is one merged group of an aggregate query, as its output row
// is computed: its key values, and its number in the merged groups.
type group struct {
	key []result.Value
	m   *merged
	g   uint32
}

// partGroups are one part's groups: its grouper and accumulators, done
// with, for the merge to read (nil when the part's selection is empty),
// what they are charged against the memory limit until merged, and what
// reading the part took.
type partGroups struct {
	gr    *grouper
	accs  []plugins.Acc
	mem   *charge
	rows  []int64 // rows given to each accumulator's Add
	stats execStats
}

// mergeCheck is how many groups the merge folds in between checks of the
// memory limit.
const mergeCheck = 1024

// aggregateRows runs an aggregate or top plan: the groups of every part
// in the time range, on several goroutines, merged by key (merged), then
// the output rows of the groups that hold having. Everything that grows
// with the groups is charged against the query's memory limit as it
// grows; past it, the query stops with a *MemoryError.
func (x *executor) aggregateRows(ctx context.Context) ([][]result.Value, error) {
	parts := x.snap.PartsBetween(x.fromTime(), x.toTime())
	x.stats.parts = len(parts)
	m := newMerged(x.plan)
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
	merge := func(pg *partGroups) error {
		t := x.now()
		defer func() { x.merge += x.since(t) }()
		x.stats.add(&pg.stats)
		if pg.gr == nil {
			return nil // a part read in which nothing was selected
		}
		defer pg.mem.release() // the part's tables are dropped once merged
		x.stats.groups += pg.gr.len()
		return m.fold(pg, charge)
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
	x.merged = m.n
	rows, err := x.groupRows(m, charge)
	if err != nil {
		return nil, stopped(err)
	}
	return rows, nil
}

// groupRows makes the output rows of the merged groups that hold the
// plan's having (which finish then need not apply), charged as they are
// made (and, when some columns are hidden, the rows finish copies
// without them): they outlive the merged groups, as the result's.
func (x *executor) groupRows(m *merged, charge func() error) ([][]result.Value, error) {
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
	x.rowsMem = x.mem.newCharge()
	var rows [][]result.Value
	row := make([]result.Value, len(x.plan.outs))
	grp := group{m: m}
	for g := range m.n {
		grp.g = uint32(g)
		grp.key = m.key(grp.g, grp.key)
		if err := x.outputRow(&grp, row); err != nil {
			return nil, err
		}
		if g%mergeCheck == mergeCheck-1 {
			if err := charge(); err != nil {
				return nil, err
			}
		}
		if x.plan.having != nil && !x.plan.having.holds(row) {
			continue
		}
		n := perRow
		for j, o := range x.plan.outs {
			if o.key < 0 {
				n += valueDataBytes(row[j])
			}
		}
		if len(rows) == cap(rows) {
			x.rowsMem.grow(groupsCharge, sliceBytes(max(2*cap(rows), 8)-cap(rows), 24))
		}
		x.rowsMem.grow(groupsCharge, n)
		rows = append(rows, slices.Clone(row))
	}
	x.havingDone = true
	return rows, charge()
}

func fieldOf(c *engine.Column) *signin.Field {
	if c == nil {
		return nil
	}
	return c.Field
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
	if err != nil || lo >= hi {
		return nil, err
	}
	pg := &partGroups{}
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
	gr, err := newGrouper(x.snap, p, x.plan.keys)
	if err != nil {
		return nil, err
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
	// as long as counting 128 rows per container of 2^16 rows, and an
	// eighth of a row per selected row it merges; a scan decodes the ids
	// of the blocks it touches that are not decoded in the cache, and
	// counts each row.
	containers := uint64(hi-lo)>>16 + 1
	selected := sel.GetCardinality()
	bitmapCost := uint64(n) * (containers*128 + selected/8) * uint64(len(sets))
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

// blockRows is the rows of a block: the memory limit is checked at least
// this often while a part's groups are made.
const blockRows = 1 << 16

// blockScanCost is the cost of decoding a block of ids, in rows counted.
const blockScanCost = 8192

// countIDs counts the rows of each set by their dictionary id in col,
// reading the ids of the blocks that hold them.
func (x *executor) countIDs(ctx context.Context, p *engine.Part, col *engine.Column, sets []*roaring.Bitmap, counts [][]uint64, pg *partGroups) error {
	cols := []*engine.Column{col}
	var vecs []engine.Vector
	buf := make([]uint32, 1024)
	for j, s := range sets {
		c := counts[j]
		cur := -1
		var ids []uint32
		it := s.ManyIterator()
		for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
			for _, r := range buf[:k] {
				if b := int(r >> 16); b != cur {
					if err := ctx.Err(); err != nil {
						return err
					}
					if b >= len(p.Blocks) {
						return fmt.Errorf("query: %v: row %d beyond its blocks", p, r)
					}
					var err error
					if vecs, err = x.snap.ReadBlock(p, b, cols, vecs); err != nil {
						return err
					}
					pg.stats.blocks++
					ids, cur = vecs[0].IDs, b
				}
				c[ids[r&0xffff]]++
			}
		}
	}
	return nil
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
	var rows, rowsOut, groups, arows, agroups []uint32
	pg.rows = make([]int64, len(accs))
	it := union.ManyIterator()
	buf := make([]uint32, 4096)
	var pending []uint32 // rows of union read ahead of their block
	for b := range p.Blocks {
		if err := ctx.Err(); err != nil {
			return err
		}
		base := uint32(b) << 16
		end := base + uint32(p.Blocks[b].Rows)
		// The union's rows in this block.
		rows = rows[:0]
		for {
			if len(pending) == 0 {
				n := it.NextMany(buf)
				if n == 0 {
					break
				}
				pending = buf[:n]
			}
			i := 0
			for i < len(pending) && pending[i] < end {
				rows = append(rows, pending[i]-base)
				i++
			}
			pending = pending[i:]
			if len(pending) > 0 {
				break
			}
		}
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
			if sels[i] != union {
				arows, agroups = arows[:0], agroups[:0]
				for j, r := range rowsOut {
					if sels[i].Contains(base + r) {
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
