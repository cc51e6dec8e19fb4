package query

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// list passes the sign-ins the plan selects to yield, newest first (ties
// by id, then type), up to the limit, and stops when yield returns false.
// The rows flow from the store to yield as they are merged, never
// gathered: parts are opened newest first (by their newest sign-in), each
// when the merge reaches its time, and read backwards a row at a time,
// so that what list holds is, for each part open at once (those
// overlapping in time: one or two once a day is compacted), its
// selection's bitmap and one decoded block of the listed columns, and
// the sign-ins of a part that share one instant, which are ordered by id
// and type together. A part older than the limit-th sign-in is never
// read. With fresh, each row is a slice of its own, for a reader that
// keeps it; without, one slice is reused, valid until yield returns.
func (x *executor) list(ctx context.Context, fresh bool, yield func([]result.Value) bool) error {
	p := x.plan
	limit, byDefault := p.Limit, false
	if limit < 0 && x.opts.DefaultListLimit > 0 && len(p.stages) == 0 {
		limit, byDefault = x.opts.DefaultListLimit, true
	}
	parts := slices.Clone(x.snap.PartsBetween(x.fromTime(), x.toTime()))
	slices.SortStableFunc(parts, func(a, b *engine.Part) int { return cmp.Compare(b.MaxTime, a.MaxTime) })
	x.stats.parts = len(parts)
	cols := make([]*engine.Column, len(p.listCols))
	for i, c := range p.listCols {
		cols[i] = c.col
	}
	var shown int
	var err error
	if len(p.order) > 0 {
		// Ordered by columns: every part is read.
		if shown, err = x.listOrdered(ctx, parts, cols, limit, yield); err != nil {
			return err
		}
	} else {
		var next int
		if next, shown, err = x.mergeParts(ctx, parts, cols, limit, fresh, yield); err != nil {
			return err
		}
		if byDefault && shown >= limit {
			if err := x.countRest(ctx, parts[next:]); err != nil {
				return err
			}
		}
	}
	if byDefault {
		if x.listTotal >= 0 {
			x.listTotal += x.stats.rows
		}
		if x.listTotal < 0 || x.listTotal > int64(shown) {
			x.listNote = &result.ListLimitNote{Shown: shown, Total: x.listTotal}
		}
	}
	return nil
}

// mergeParts passes the sign-ins the plan selects in parts (ordered newest
// first by their newest sign-in) to yield, newest first, as list does,
// up to limit (-1: none), and returns how many parts it opened (the
// first next) and how many rows it passed.
func (x *executor) mergeParts(ctx context.Context, parts []*engine.Part, cols []*engine.Column, limit int, fresh bool, yield func([]result.Value) bool) (next, shown int, err error) {
	m := &listMerge{x: x}
	row := make([]result.Value, len(cols))
	var cells []result.Value // fresh rows are cut from it
	for limit < 0 || shown < limit {
		// Open the parts that could hold a sign-in as new as the
		// newest of those open (or as new as any, when none is).
		for next < len(parts) && (len(m.h) == 0 || parts[next].MaxTime >= m.h[0].cur.time) {
			if err := ctx.Err(); err != nil {
				return next, shown, err
			}
			c, err := x.openList(parts[next], cols, limit < 0 || limit > onceRows)
			next++
			if err != nil {
				return next, shown, err
			}
			if c != nil {
				m.push(c)
			}
			if m.err != nil {
				return next, shown, m.err
			}
		}
		if len(m.h) == 0 {
			break
		}
		if shown&255 == 0 {
			if err := ctx.Err(); err != nil {
				return next, shown, err
			}
		}
		c := m.h[0]
		if fresh {
			if len(cells) < len(cols) {
				cells = make([]result.Value, 256*max(len(cols), 1))
			}
			row, cells = cells[:len(cols):len(cols)], cells[len(cols):]
		}
		t := x.now()
		err := c.values(x, cols, row)
		x.out += x.since(t)
		if err != nil {
			return next, shown, err
		}
		shown++
		if !yield(row) {
			return next, shown, nil
		}
		t = x.now()
		if c.advance(x) {
			m.down(0)
		} else {
			m.pop()
		}
		x.stats.group += x.since(t)
		if m.err != nil {
			return next, shown, m.err
		}
		if c.err != nil {
			return next, shown, c.err
		}
	}
	return next, shown, nil
}

// onceRows is the limit beyond which a list reads its fields' blocks past
// the store's cache, as one without a limit does: more than a block's
// rows.
const onceRows = 1 << 16

// listed is a sign-in of a part list selects, before its fields are
// read. Its id and type, which order sign-ins of the same time, are read
// only for such ties (idOK once they are).
type listed struct {
	row  uint32
	time int64
	id   string
	typ  string
	idOK bool
}

// listCursor reads a part's selected sign-ins for list, newest first,
// those of one time by id and type: cur is the next; run holds the rest
// of cur's time, in order, and peek the row after them.
type listCursor struct {
	part    *engine.Part
	it      roaring.IntIterable // the selection, backwards
	cur     listed
	run     []listed
	runBuf  []listed
	peek    uint32
	hasPeek bool
	err     error // reading the id or type of a tie failed

	times, ids, types readColumnCache

	block int // the block of vecs, -1 for none
	vecs  []engine.Vector
	dicts []*index.Dict
	once  bool // vecs are read past the cache
}

// openList evaluates the filter on a part and returns a cursor on its
// selection, nil when it selects nothing.
// With once, the cursor reads the fields' blocks past the store's cache
// (engine.Snapshot.ReadBlockOnce): a list without a limit (or a large
// one) reads them once, and would push out of the cache what queries
// read again.
func (x *executor) openList(part *engine.Part, cols []*engine.Column, once bool) (*listCursor, error) {
	lo, hi, err := x.snap.Rows(part, x.fromTime(), x.toTime())
	if err != nil || lo >= hi {
		return nil, err
	}
	t := x.now()
	ev := &partEval{ctx: x.ctx, snap: x.snap, part: part, lo: lo, hi: hi, stats: &x.stats}
	sel, err := ev.eval(x.plan.filter, nil)
	x.stats.filter += x.since(t)
	if err != nil {
		return nil, err
	}
	if err := x.fnFailed(); err != nil {
		return nil, err
	}
	x.stats.read++ // read, whether or not anything in it was selected
	if sel.IsEmpty() {
		return nil, nil
	}
	x.stats.rows += int64(sel.GetCardinality())
	c := &listCursor{part: part, it: sel.ReverseIterator(), block: -1, dicts: make([]*index.Dict, len(cols)), once: once}
	for j, col := range cols {
		if col.HasDict() && part.DictLen(col) > 0 {
			// Not kept: a list may go through every part once.
			if c.dicts[j], err = x.snap.ReadDict(part, col); err != nil {
				return nil, err
			}
		}
	}
	c.peek, c.hasPeek = c.it.Next(), true
	if !c.advance(x) {
		return nil, c.err
	}
	return c, nil
}

// advance moves the cursor to its next sign-in, and reports whether
// there is one (false with c.err set when reading failed).
func (c *listCursor) advance(x *executor) bool {
	if len(c.run) > 0 {
		c.cur, c.run = c.run[0], c.run[1:]
		return true
	}
	if !c.hasPeek {
		return false
	}
	first := c.peek
	t, err := c.times.int(x, c.part, colByName("time"), first)
	if err != nil {
		c.err = err
		return false
	}
	run := append(c.runBuf[:0], listed{row: first, time: t})
	c.hasPeek = false
	for c.it.HasNext() {
		r := c.it.Next()
		rt, err := c.times.int(x, c.part, colByName("time"), r)
		if err != nil {
			c.err = err
			return false
		}
		if rt != t {
			c.peek, c.hasPeek = r, true
			break
		}
		run = append(run, listed{row: r, time: t})
	}
	c.runBuf = run
	if len(run) > 1 {
		// Sign-ins of one time: by id, then type.
		for i := range run {
			if err := c.loadID(x, &run[i]); err != nil {
				c.err = err
				return false
			}
		}
		slices.SortFunc(run, compareIDType)
	}
	c.cur, c.run = run[0], run[1:]
	return true
}

// loadID reads the id and type of one of the cursor's sign-ins.
func (c *listCursor) loadID(x *executor, l *listed) error {
	if l.idOK {
		return nil
	}
	var err error
	if l.id, err = c.ids.str(x, c.part, colByName("id"), l.row); err != nil {
		return err
	}
	if l.typ, err = c.types.str(x, c.part, colByName("type"), l.row); err != nil {
		return err
	}
	l.idOK = true
	return nil
}

func compareIDType(a, b listed) int {
	if c := strings.Compare(a.id, b.id); c != 0 {
		return c
	}
	return strings.Compare(a.typ, b.typ)
}

// values reads the list's fields of the cursor's sign-in into row.
func (c *listCursor) values(x *executor, cols []*engine.Column, row []result.Value) error {
	r := c.cur.row
	if b := int(r >> 16); b != c.block {
		read := x.snap.ReadBlock
		if c.once {
			read = x.snap.ReadBlockOnce
		}
		var err error
		if c.vecs, err = read(c.part, b, cols, c.vecs); err != nil {
			return err
		}
		x.stats.blocks += len(cols)
		c.block = b
	}
	engine.RowValues(row[:0], c.vecs, c.dicts, r&0xffff)
	for j := range cols {
		if fn := x.plan.listCols[j].fn; fn != nil {
			row[j] = fn.eval(row[j])
			if err := fn.failed(); err != nil {
				return err
			}
		}
	}
	return nil
}

// listMerge is a heap of the open parts' cursors, the one whose sign-in
// comes first at the root. Comparing two sign-ins of one time reads
// their ids and types; an error doing so is left in err.
type listMerge struct {
	x   *executor
	h   []*listCursor
	err error
}

// before reports whether a's sign-in comes before b's.
func (m *listMerge) before(a, b *listCursor) bool {
	if a.cur.time != b.cur.time {
		return a.cur.time > b.cur.time
	}
	if err := a.loadID(m.x, &a.cur); err != nil {
		m.err = err
		return false
	}
	if err := b.loadID(m.x, &b.cur); err != nil {
		m.err = err
		return false
	}
	return compareIDType(a.cur, b.cur) < 0
}

func (m *listMerge) push(c *listCursor) {
	m.h = append(m.h, c)
	for i := len(m.h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !m.before(m.h[i], m.h[parent]) {
			break
		}
		m.h[i], m.h[parent] = m.h[parent], m.h[i]
		i = parent
	}
}

func (m *listMerge) pop() {
	n := len(m.h) - 1
	m.h[0] = m.h[n]
	m.h[n] = nil
	m.h = m.h[:n]
	if n > 0 {
		m.down(0)
	}
}

// down restores the heap below i after its cursor moved on.
func (m *listMerge) down(i int) {
	for {
		l, first := 2*i+1, i
		if l < len(m.h) && m.before(m.h[l], m.h[first]) {
			first = l
		}
		if r := l + 1; r < len(m.h) && m.before(m.h[r], m.h[first]) {
			first = r
		}
		if first == i {
			return
		}
		m.h[i], m.h[first] = m.h[first], m.h[i]
		i = first
	}
}

// fnFailed returns the first failure of a function the plan applies, for
// list to stop at once rather than after rows it has passed on.
func (x *executor) fnFailed() error {
	for _, f := range x.plan.fnCalls() {
		if err := f.failed(); err != nil {
			return err
		}
	}
	return nil
}

// countRest finds, for list's note, how many sign-ins the plan selects in
// the parts a list with its default limit did not need (x.listTotal).
// When the filter is answered by the parts' bitmaps alone, they are
// counted as count does, from the bitmaps, on several goroutines. Other
// filters would have every block they need read, which could make the
// list many times slower: then only whether any is selected is found,
// part by part, newest first, and x.listTotal is -1 when one is.
func (x *executor) countRest(ctx context.Context, parts []*engine.Part) error {
	count := func(p *engine.Part) (int64, error) {
		lo, hi, err := x.snap.Rows(p, x.fromTime(), x.toTime())
		if err != nil || lo >= hi {
			return 0, err
		}
		if x.plan.filter == nil {
			return int64(hi - lo), nil
		}
		var stats execStats // not the list's: explain analyze reports what it read
		ev := &partEval{ctx: x.ctx, snap: x.snap, part: p, lo: lo, hi: hi, stats: &stats}
		sel, err := ev.eval(x.plan.filter, nil)
		if err != nil {
			return 0, err
		}
		return int64(sel.GetCardinality()), nil
	}
	if x.plan.filter == nil || fromBitmapsOnly(x.plan.filter) {
		return x.eachPart(ctx, parts, func(p *engine.Part) (*partGroups, error) {
			n, err := count(p)
			return &partGroups{stats: execStats{rows: n}}, err
		}, func(pg *partGroups) error { x.listTotal += pg.stats.rows; return nil })
	}
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := count(p)
		if err != nil {
			return err
		}
		if n > 0 {
			x.listTotal = -1
			return nil
		}
	}
	return nil
}

// fromBitmapsOnly reports whether a condition is answered from the parts'
// bitmaps without reading a column's blocks: equality and in on indexed
// fields (of few values each), and and, or and not of them.
func fromBitmapsOnly(c cond) bool {
	switch c := c.(type) {
	case *condAnd:
		return !slices.ContainsFunc(c.xs, func(x cond) bool { return !fromBitmapsOnly(x) })
	case *condOr:
		return !slices.ContainsFunc(c.xs, func(x cond) bool { return !fromBitmapsOnly(x) })
	case *condNot:
		return fromBitmapsOnly(c.x)
	case *pred:
		indexed := c.col.Indexed && c.col.HasDict()
		return indexed && c.fn == nil && !c.streamed() && (c.op == opEq || c.op == opIn) && c.operandCount() <= maxUnion && !c.hasRanges()
	}
	return false
}

func colByName(name string) *engine.Column { return engine.LookupColumn(name) }

// readColumnCache reads values of one column of one part row by row,
// keeping the last block it decoded.
type readColumnCache struct {
	block int
	vecs  []engine.Vector
	dict  *index.Dict
	ok    bool
}

func (c *readColumnCache) load(x *executor, p *engine.Part, col *engine.Column, row uint32) (*engine.Vector, error) {
	b := int(row >> 16)
	if !c.ok || c.block != b {
		var err error
		if c.vecs, err = x.snap.ReadBlock(p, b, []*engine.Column{col}, c.vecs); err != nil {
			return nil, err
		}
		x.stats.blocks++
		c.block, c.ok = b, true
		if c.dict == nil && col.HasDict() && p.DictLen(col) > 0 {
			if c.dict, err = x.snap.Dict(p, col); err != nil {
				return nil, err
			}
		}
	}
	return &c.vecs[0], nil
}

func (c *readColumnCache) int(x *executor, p *engine.Part, col *engine.Column, row uint32) (int64, error) {
	v, err := c.load(x, p, col, row)
	if err != nil || v.Absent {
		return signin.NoInt, err
	}
	return v.Ints[row&0xffff], nil
}

func (c *readColumnCache) str(x *executor, p *engine.Part, col *engine.Column, row uint32) (string, error) {
	v, err := c.load(x, p, col, row)
	if err != nil {
		return "", err
	}
	return v.Value(c.dict, row&0xffff).String(), nil
}

// stream hands the sign-ins a list selects to a stage, as the store
// holds them: part by part in the order of Parts, each part's rows in
// time order, in one row reused for each (plugins.Needs.Stream). An error
// stops the sequence and is left in *errp.
func (x *executor) stream(ctx context.Context, errp *error) iter.Seq[[]result.Value] {
	return func(yield func([]result.Value) bool) {
		cols := make([]*engine.Column, len(x.plan.listCols))
		for i, c := range x.plan.listCols {
			cols[i] = c.col
		}
		row := make([]result.Value, len(cols))
		dicts := make([]*index.Dict, len(cols))
		var vecs []engine.Vector
		parts := x.snap.PartsBetween(x.fromTime(), x.toTime())
		x.stats.parts = len(parts)
		for _, part := range parts {
			lo, hi, err := x.snap.Rows(part, x.fromTime(), x.toTime())
			if err != nil {
				*errp = err
				return
			}
			if lo >= hi {
				continue
			}
			ev := &partEval{ctx: x.ctx, snap: x.snap, part: part, lo: lo, hi: hi, stats: &x.stats}
			t := x.now()
			sel, err := ev.eval(x.plan.filter, nil)
			x.stats.filter += x.since(t)
			if err != nil {
				*errp = err
				return
			}
			x.stats.read++ // read, whether or not anything in it was selected
			if sel.IsEmpty() {
				continue
			}
			x.stats.rows += int64(sel.GetCardinality())
			for j, c := range cols {
				dicts[j] = nil
				if c.HasDict() && part.DictLen(c) > 0 {
					if dicts[j], err = x.snap.ReadDict(part, c); err != nil {
						*errp = err
						return
					}
				}
			}
			block := -1
			it := sel.Iterator()
			for it.HasNext() {
				r := it.Next()
				if b := int(r >> 16); b != block {
					if err := ctx.Err(); err != nil {
						*errp = err
						return
					}
					// Past the cache: every block is read once.
					if vecs, err = x.snap.ReadBlockOnce(part, b, cols, vecs); err != nil {
						*errp = err
						return
					}
					x.stats.blocks += len(cols)
					block = b
				}
				engine.RowValues(row[:0], vecs, dicts, r&0xffff)
				for j := range cols {
					if fn := x.plan.listCols[j].fn; fn != nil {
						row[j] = fn.eval(row[j])
					}
				}
				if !yield(row) {
					return
				}
			}
		}
	}
}

// selected returns the rows of a part the list selects, for a stage
// that reads its sign-ins by part (plugins.Env.Selected) rather than
// from stream. It may run on several goroutines at once.
func (x *executor) selected(ctx context.Context, part *engine.Part) (*roaring.Bitmap, error) {
	lo, hi, err := x.snap.Rows(part, x.fromTime(), x.toTime())
	if err != nil || lo >= hi {
		return roaring.New(), err
	}
	var stats execStats
	ev := &partEval{ctx: ctx, snap: x.snap, part: part, lo: lo, hi: hi, stats: &stats}
	sel, err := ev.eval(x.plan.filter, nil)
	if err != nil {
		return nil, err
	}
	stats.read, stats.rows = 1, int64(sel.GetCardinality())
	x.selMu.Lock()
	x.stats.add(&stats)
	x.selMu.Unlock()
	return sel, nil
}

// listSeq is list as the sequence a stage reads: newest first, each row
// a slice of its own (a stage may keep it). An error stops the sequence
// and is left in *errp.
func (x *executor) listSeq(ctx context.Context, errp *error) iter.Seq[[]result.Value] {
	return func(yield func([]result.Value) bool) {
		err := x.list(ctx, true, func(row []result.Value) bool {
			x.outRows++
			return yield(row)
		})
		if err != nil {
			*errp = err
		}
	}
}
