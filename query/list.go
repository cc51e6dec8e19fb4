package query

import (
	"cmp"
	"context"
	"iter"
	"math"
	"slices"
	"strings"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
)

// listed is a sign-in list selects, before its fields are read. Its id
// and type, which order sign-ins of the same time, are read only for
// such ties (see breakTies).
type listed struct {
	part *engine.Part
	row  uint32
	time int64
	id   string
	typ  string
}

// list returns the sign-ins the plan selects, newest first (ties by id,
// then type), up to the limit. Parts are visited newest first, and a
// part older than the limit-th sign-in found so far is not read.
func (x *executor) list(ctx context.Context) ([][]engine.Value, error) {
	p := x.plan
	limit, byDefault := p.Limit, false
	if limit < 0 && x.opts.DefaultListLimit > 0 && len(p.Stages) == 0 {
		limit, byDefault = x.opts.DefaultListLimit, true
	}
	parts := slices.Clone(x.snap.PartsBetween(x.fromTime(), x.toTime()))
	slices.SortFunc(parts, func(a, b *engine.Part) int { return cmp.Compare(b.MaxTime, a.MaxTime) })
	x.stats.parts = len(parts)
	var found []listed
	cut := int64(math.MinInt64) // the limit-th newest time so far
	for i, part := range parts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if limit > 0 && len(found) >= limit && part.MaxTime < cut {
			if byDefault {
				if err := x.countRest(ctx, parts[i:]); err != nil {
					return nil, err
				}
			}
			break
		}
		got, err := x.listPart(part, limit)
		if err != nil {
			return nil, err
		}
		found = append(found, got...)
		if limit > 0 && len(found) >= limit {
			sortByTime(found)
			cut = found[limit-1].time
			// Keep the ties of the limit-th, which a later part's sign-in
			// could still come before.
			keep := limit
			for keep < len(found) && found[keep].time == cut {
				keep++
			}
			found = found[:keep]
		}
	}
	sortByTime(found)
	if err := x.breakTies(found); err != nil {
		return nil, err
	}
	if limit > 0 && len(found) > limit {
		found = found[:limit]
	}
	if byDefault {
		if x.listTotal >= 0 {
			x.listTotal += x.stats.rows
		}
		if x.listTotal < 0 || x.listTotal > int64(len(found)) {
			x.listNote = &engine.ListLimitNote{Shown: len(found), Total: x.listTotal}
		}
	}
	t := x.now()
	defer func() { x.out = x.since(t) }()
	return x.listRows(found)
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
		if x.plan.Filter == nil {
			return int64(hi - lo), nil
		}
		var stats execStats // not the list's: explain analyze reports what it read
		ev := &partEval{ctx: x.ctx, snap: x.snap, part: p, lo: lo, hi: hi, stats: &stats}
		sel, err := ev.eval(x.plan.Filter, nil)
		if err != nil {
			return 0, err
		}
		return int64(sel.GetCardinality()), nil
	}
	if x.plan.Filter == nil || fromBitmapsOnly(x.plan.Filter) {
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
		indexed := c.col.Indexed && (c.col.Enc == engine.EncDict || c.col.Enc == engine.EncList)
		return indexed && c.fn == nil && (c.op == opEq || c.op == opIn) && len(c.strs)+len(c.ints)+len(c.flts) <= maxUnion
	}
	return false
}

// sortByTime orders sign-ins newest first, and those of one time by
// where they are stored, for breakTies to order by id and type.
func sortByTime(l []listed) {
	slices.SortFunc(l, func(a, b listed) int {
		if c := cmp.Compare(b.time, a.time); c != 0 {
			return c
		}
		if c := cmp.Compare(a.part.ID, b.part.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.row, b.row)
	})
}

// breakTies orders the sign-ins of each time by id, then type, reading
// the ids and types of those sign-ins only.
func (x *executor) breakTies(l []listed) error {
	caches := map[*engine.Part]*[2]readColumnCache{}
	for i := 0; i < len(l); {
		j := i + 1
		for j < len(l) && l[j].time == l[i].time {
			j++
		}
		if j-i > 1 {
			run := l[i:j]
			for k := range run {
				c := caches[run[k].part]
				if c == nil {
					c = new([2]readColumnCache)
					caches[run[k].part] = c
				}
				var err error
				if run[k].id, err = c[0].str(x, run[k].part, colByName("id"), run[k].row); err != nil {
					return err
				}
				if run[k].typ, err = c[1].str(x, run[k].part, colByName("type"), run[k].row); err != nil {
					return err
				}
			}
			slices.SortStableFunc(run, func(a, b listed) int {
				if c := strings.Compare(a.id, b.id); c != 0 {
					return c
				}
				return strings.Compare(a.typ, b.typ)
			})
		}
		i = j
	}
	return nil
}

// listPart returns a part's selected sign-ins, newest first: all of them,
// or with a limit, the limit newest and those as new as the last.
func (x *executor) listPart(part *engine.Part, limit int) ([]listed, error) {
	lo, hi, err := x.snap.Rows(part, x.fromTime(), x.toTime())
	if err != nil || lo >= hi {
		return nil, err
	}
	t := x.now()
	ev := &partEval{ctx: x.ctx, snap: x.snap, part: part, lo: lo, hi: hi, stats: &x.stats}
	sel, err := ev.eval(x.plan.Filter, nil)
	x.stats.filter += x.since(t)
	if err != nil {
		return nil, err
	}
	x.stats.read++ // read, whether or not anything in it was selected
	if sel.IsEmpty() {
		return nil, nil
	}
	t = x.now()
	defer func() { x.stats.group += x.since(t) }()
	x.stats.rows += int64(sel.GetCardinality())
	var rows []uint32
	it := sel.ReverseIterator()
	var times readColumnCache
	for it.HasNext() {
		r := it.Next()
		if limit > 0 && len(rows) >= limit {
			t, err := times.int(x, part, colByName("time"), r)
			if err != nil {
				return nil, err
			}
			last, err := times.int(x, part, colByName("time"), rows[len(rows)-1])
			if err != nil {
				return nil, err
			}
			if t != last {
				break
			}
		}
		rows = append(rows, r)
	}
	out := make([]listed, len(rows))
	for i, r := range rows {
		out[i].part, out[i].row = part, r
		if out[i].time, err = times.int(x, part, colByName("time"), r); err != nil {
			return nil, err
		}
	}
	return out, nil
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
		if c.dict == nil && (col.Enc == engine.EncDict || col.Enc == engine.EncList) && p.DictLen(col) > 0 {
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

// listRows reads the list's fields of the sign-ins found, a block at a
// time.
func (x *executor) listRows(found []listed) ([][]engine.Value, error) {
	type place struct {
		part  *engine.Part
		block int
	}
	byBlock := map[place][]int{}
	var places []place
	for i, f := range found {
		pl := place{f.part, int(f.row >> 16)}
		if byBlock[pl] == nil {
			places = append(places, pl)
		}
		byBlock[pl] = append(byBlock[pl], i)
	}
	cols := make([]*engine.Column, len(x.plan.ListCols))
	for i, c := range x.plan.ListCols {
		cols[i] = c.col
	}
	out := make([][]engine.Value, len(found))
	cells := make([]engine.Value, len(found)*len(cols)) // one allocation for every row
	var vecs []engine.Vector
	for _, pl := range places {
		var err error
		if vecs, err = x.snap.ReadBlock(pl.part, pl.block, cols, vecs); err != nil {
			return nil, err
		}
		x.stats.blocks += len(cols)
		dicts := make([]*index.Dict, len(cols))
		for j, c := range cols {
			if (c.Enc == engine.EncDict || c.Enc == engine.EncList) && pl.part.DictLen(c) > 0 {
				if dicts[j], err = x.snap.Dict(pl.part, c); err != nil {
					return nil, err
				}
			}
		}
		for _, i := range byBlock[pl] {
			r := found[i].row & 0xffff
			row := cells[i*len(cols) : (i+1)*len(cols) : (i+1)*len(cols)]
			for j := range cols {
				row[j] = vecs[j].Value(dicts[j], r)
				if fn := x.plan.ListCols[j].fn; fn != nil {
					row[j] = fn.eval(row[j])
				}
			}
			out[i] = row
		}
	}
	return out, nil
}

// stream hands the sign-ins a list selects to a stage, as the store
// holds them: part by part in the order of Parts, each part's rows in
// time order, in one row reused for each (plugins.Needs.Stream). An error
// stops the sequence and is left in *errp.
func (x *executor) stream(ctx context.Context, errp *error) iter.Seq[[]engine.Value] {
	return func(yield func([]engine.Value) bool) {
		cols := make([]*engine.Column, len(x.plan.ListCols))
		for i, c := range x.plan.ListCols {
			cols[i] = c.col
		}
		row := make([]engine.Value, len(cols))
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
			sel, err := ev.eval(x.plan.Filter, nil)
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
				if (c.Enc == engine.EncDict || c.Enc == engine.EncList) && part.DictLen(c) > 0 {
					if dicts[j], err = x.snap.Dict(part, c); err != nil {
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
					if vecs, err = x.snap.ReadBlock(part, b, cols, vecs); err != nil {
						*errp = err
						return
					}
					x.stats.blocks += len(cols)
					block = b
				}
				for j := range cols {
					row[j] = vecs[j].Value(dicts[j], r&0xffff)
					if fn := x.plan.ListCols[j].fn; fn != nil {
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
