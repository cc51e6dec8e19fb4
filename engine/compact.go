package engine

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
)

// CompactStats counts what a compaction did.
type CompactStats struct {
	Days        int // days merged
	PartsBefore int // their parts before
	PartsAfter  int // and after
	Rows        int64
}

// Compact merges the parts of every day that has more than one into as
// few parts as maxPartRows allows, each sorted by time in full blocks.
// Queries see the day's sign-ins throughout, before and after.
func (db *DB) Compact(ctx context.Context) (st CompactStats, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "store "+db.dir)
	st, err = db.compactDays(ctx, 2)
	if err == nil && st.Days > 0 {
		err = db.collectGarbage(false)
	}
	return st, err
}

// compactDays merges the days with at least minParts parts.
func (db *DB) compactDays(ctx context.Context, minParts int) (st CompactStats, err error) {
	db.compactMu.Lock()
	defer db.compactMu.Unlock()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "store "+db.dir)
	if err := db.writable(); err != nil {
		return st, err
	}
	man, err := db.manifest()
	if err != nil {
		return st, err
	}
	var days []int32
	for i := 0; i < len(man.parts); {
		j := i
		for j < len(man.parts) && man.parts[j].Day == man.parts[i].Day {
			j++
		}
		if j-i >= minParts && !compacted(man.parts[i:j]) {
			days = append(days, man.parts[i].Day)
		}
		i = j
	}
	for _, day := range days {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		before, after, rows, err := db.compactDay(ctx, day)
		if err != nil {
			return st, fmt.Errorf("engine: compact %s: %w", dayString(day), err)
		}
		st.Days++
		st.PartsBefore += before
		st.PartsAfter += after
		st.Rows += rows
	}
	return st, nil
}

// compacted reports whether a day's parts are already as merged as they
// can be: all full but the last, in time order without overlap.
func compacted(parts []*Part) bool {
	for i, p := range parts[:len(parts)-1] {
		if p.Rows < maxPartRows || p.MaxTime > parts[i+1].MinTime {
			return false
		}
	}
	return true
}

// compactDay merges one day's parts.
func (db *DB) compactDay(ctx context.Context, day int32) (before, after int, rows int64, err error) {
	snap, err := db.Snapshot()
	if err != nil {
		return 0, 0, 0, err
	}
	defer snap.Close()
	snap.noCache = true
	inputs := snap.man.day(day)
	if len(inputs) < 2 {
		return len(inputs), len(inputs), 0, nil
	}
	m, err := newMerge(snap, inputs)
	if err != nil {
		return 0, 0, 0, err
	}
	// The write's marker, as for an ingest. A compaction that fails leaves
	// it, and what it wrote, for the next Open to delete.
	db.writeMu.RLock()
	defer db.writeMu.RUnlock()
	db.space.begin()
	defer db.space.end()
	start := db.newID()
	marker := idKey(prefixPending, start)
	val := binary.AppendUvarint(nil, start)
	if err := db.space.grow(writeSize(marker, val)); err != nil {
		return 0, 0, 0, err
	}
	if err := db.bdb.Update(func(txn *badger.Txn) error {
		return txn.Set(marker, val)
	}); err != nil {
		return 0, 0, 0, err
	}
	workers := db.opts.workers()
	var outs []*Part
	wb := db.bdb.NewWriteBatch()
	defer wb.Cancel()
	for lo := 0; lo < len(m.order); lo += maxPartRows {
		if err := ctx.Err(); err != nil {
			return 0, 0, 0, err
		}
		hi := min(lo+maxPartRows, len(m.order))
		d, err := m.part(db.newID(), lo, hi, lo == 0)
		if err != nil {
			return 0, 0, 0, err
		}
		p, err := encodePart(d, workers, func(key, val []byte) error { return db.put(wb, key, val) })
		if err != nil {
			return 0, 0, 0, err
		}
		outs = append(outs, p)
	}
	if err := wb.Flush(); err != nil {
		return 0, 0, 0, err
	}
	if err := db.commit(outs, inputs, marker, nil); err != nil {
		return 0, 0, 0, err
	}
	return len(inputs), len(outs), int64(len(m.order)), nil
}

// merge plans the merge of a day's parts: the rows of all of them in time
// order (input order breaks ties), and each input's place in the merged
// raw slot space.
type merge struct {
	snap     *Snapshot
	inputs   []*Part
	order    []mergeRow // the merged rows
	slotBase []int64    // per input: added to its raw slots
	chunks   []uint64   // every input's chunks, in input order
	keys     [][]index.Key
	times    [][]int64 // per input: its time column
	rawDisk  int64
	rawBytes int64
}

// mergeRow is a row of an input.
type mergeRow struct {
	in  uint32
	row uint32
}

func newMerge(snap *Snapshot, inputs []*Part) (*merge, error) {
	m := &merge{snap: snap, inputs: inputs, slotBase: make([]int64, len(inputs)), keys: make([][]index.Key, len(inputs))}
	times := make([][]int64, len(inputs))
	total := 0
	for i, p := range inputs {
		col, err := snap.readColumn(p, colTime)
		if err != nil {
			return nil, err
		}
		times[i] = col.Ints
		total += p.Rows
		m.slotBase[i] = int64(len(m.chunks)) * slotsPerChunk
		m.chunks = append(m.chunks, p.Chunks...)
		m.rawDisk += p.RawBytes
		m.rawBytes += p.RawSize
		keys := make([]index.Key, p.Rows)
		err = snap.ids(p, func(ix *index.IDIndex) error {
			for j := range ix.Len() {
				k, row := ix.At(j)
				if int(row) >= len(keys) {
					return corrupt(describeKey(dataKey(p.ID, kindIDs, 0, 0)), fmt.Errorf("row %d beyond the part", row))
				}
				keys[row] = k
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		m.keys[i] = keys
	}
	m.times = times
	// A k-way merge by time.
	m.order = make([]mergeRow, 0, total)
	h := &mergeHeap{times: times}
	for i := range inputs {
		h.rows = append(h.rows, mergeRow{in: uint32(i)})
	}
	heap.Init(h)
	for h.Len() > 0 {
		r := h.rows[0]
		m.order = append(m.order, r)
		if int(r.row)+1 < len(times[r.in]) {
			h.rows[0].row++
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return m, nil
}

type mergeHeap struct {
	times [][]int64
	rows  []mergeRow
}

func (h *mergeHeap) Len() int { return len(h.rows) }
func (h *mergeHeap) Less(i, j int) bool {
	a, b := h.rows[i], h.rows[j]
	ta, tb := h.times[a.in][a.row], h.times[b.in][b.row]
	return ta < tb || ta == tb && a.in < b.in
}
func (h *mergeHeap) Swap(i, j int) { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *mergeHeap) Push(x any)    { h.rows = append(h.rows, x.(mergeRow)) }
func (h *mergeHeap) Pop() any {
	x := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return x
}

// part plans the merged rows [lo, hi) as a part, whose columns are merged
// as encodePart asks for them. The first part of a merge carries the raw
// records' sizes; all carry every input's chunks.
func (m *merge) part(id uint64, lo, hi int, first bool) (*partData, error) {
	rows := m.order[lo:hi]
	d := &partData{id: id, day: m.inputs[0].Day, rows: len(rows), chunks: m.chunks}
	if first {
		d.rawDisk, d.rawBytes = m.rawDisk, m.rawBytes
	}
	d.times = make([]int64, len(rows))
	d.keys = make([]index.IDEntry, len(rows))
	for i, r := range rows {
		d.times[i] = m.times[r.in][r.row]
		d.keys[i] = index.IDEntry{Key: m.keys[r.in][r.row], Row: uint32(i)}
	}
	// The type column, for the part's counts by type; kept to be encoded.
	tc, err := m.column(colType, rows)
	if err != nil {
		return nil, err
	}
	counts := make([]int64, len(tc.strs))
	for _, id := range tc.ids {
		counts[id]++
	}
	for id, n := range counts {
		t, ok := signin.ParseType(tc.strs[id])
		if !ok {
			return nil, corrupt(fmt.Sprintf("type column of day %s", dayString(d.day)), fmt.Errorf("unknown type %q", tc.strs[id]))
		}
		d.types[t] += n
	}
	d.column = func(i int) (*colData, error) {
		if columns[i] == colType {
			return tc, nil
		}
		return m.column(columns[i], rows)
	}
	return d, nil
}

// column builds one column of merged rows. A column no input has is left
// out; inputs without it contribute absent values.
func (m *merge) column(c *Column, rows []mergeRow) (*colData, error) {
	have := false
	for _, p := range m.inputs {
		have = have || p.has(c)
	}
	if !have {
		return nil, nil
	}
	if c.Enc == EncString {
		strs := make([][]string, len(m.inputs))
		for i, p := range m.inputs {
			var err error
			if strs[i], err = m.snap.readStrings(p, c); err != nil {
				return nil, err
			}
		}
		d := &colData{col: c, strs: make([]string, len(rows))}
		for i, r := range rows {
			if in := strs[r.in]; in != nil {
				d.strs[i] = in[r.row]
			}
		}
		return d, nil
	}
	ins := make([]*Vector, len(m.inputs))
	for i, p := range m.inputs {
		v, err := m.snap.readColumn(p, c)
		if err != nil {
			return nil, err
		}
		ins[i] = v
	}
	d := &colData{col: c}
	if c.Enc == EncInt {
		d.ints = make([]int64, len(rows))
		for i, r := range rows {
			v := ins[r.in]
			switch {
			case v.Absent:
				d.ints[i] = absentInt(c)
			case c == colRawC && v.Ints[r.row] != noRaw:
				d.ints[i] = v.Ints[r.row] + m.slotBase[r.in]
			default:
				d.ints[i] = v.Ints[r.row]
			}
		}
		return d, nil
	}
	// Dictionary columns: remap each input's ids into the merged, sorted
	// dictionary of the values these rows use.
	dicts := make([]*index.Dict, len(m.inputs))
	for i, p := range m.inputs {
		dict, err := m.snap.Dict(p, c)
		if err != nil {
			return nil, err
		}
		dicts[i] = dict
	}
	used := make([][]bool, len(m.inputs))
	for i := range used {
		used[i] = make([]bool, dicts[i].Len())
	}
	absentUsed := false
	for _, r := range rows {
		v := ins[r.in]
		switch {
		case v.Absent:
			absentUsed = true
		case c.Enc == EncDict:
			used[r.in][v.IDs[r.row]] = true
		default:
			for _, id := range v.Elems[v.Offsets[r.row]:v.Offsets[r.row+1]] {
				used[r.in][id] = true
			}
		}
	}
	absent := absentUsed && c.Enc == EncDict
	var remap [][]uint32
	var absentID uint32
	switch c.DictKind {
	case index.DictString:
		d.strs, remap, absentID = mergeDicts(dicts, used, (*index.Dict).String, absent, "", strings.Compare)
	case index.DictInt:
		d.ints, remap, absentID = mergeDicts(dicts, used, (*index.Dict).Int, absent, absentInt(c), cmp.Compare[int64])
	case index.DictFloat:
		d.flts, remap, absentID = mergeDicts(dicts, used, (*index.Dict).Float, absent, math.NaN(), floatOrder)
	}
	if c.Enc == EncDict {
		d.ids = make([]uint32, len(rows))
		for i, r := range rows {
			if v := ins[r.in]; v.Absent {
				d.ids[i] = absentID
			} else {
				d.ids[i] = remap[r.in][v.IDs[r.row]]
			}
		}
		return d, nil
	}
	d.offs = make([]uint32, len(rows)+1)
	for i, r := range rows {
		if v := ins[r.in]; !v.Absent {
			for _, id := range v.Elems[v.Offsets[r.row]:v.Offsets[r.row+1]] {
				d.ids = append(d.ids, remap[r.in][id])
			}
		}
		d.offs[i+1] = uint32(len(d.ids))
	}
	return d, nil
}

// mergeDicts merges the values the inputs use (used[i][id] for input i's
// dictionary) into one sorted dictionary, with the absent value when
// withAbsent, and returns it, each input's ids remapped into it, and the
// absent value's id.
func mergeDicts[T any](dicts []*index.Dict, used [][]bool, value func(*index.Dict, uint32) T, withAbsent bool, absent T, compare func(a, b T) int) ([]T, [][]uint32, uint32) {
	var vals []T
	for i, dict := range dicts {
		for id, u := range used[i] {
			if u {
				vals = append(vals, value(dict, uint32(id)))
			}
		}
	}
	if withAbsent {
		vals = append(vals, absent)
	}
	slices.SortFunc(vals, compare)
	vals = slices.CompactFunc(vals, func(a, b T) bool { return compare(a, b) == 0 })
	find := func(v T) uint32 {
		j, _ := slices.BinarySearchFunc(vals, v, compare)
		return uint32(j)
	}
	remap := make([][]uint32, len(dicts))
	for i, dict := range dicts {
		remap[i] = make([]uint32, dict.Len())
		for id, u := range used[i] {
			if u {
				remap[i][id] = find(value(dict, uint32(id)))
			}
		}
	}
	return vals, remap, find(absent)
}

// absentInt is the value an integer column stores for "no value".
func absentInt(c *Column) int64 {
	if c == colRawC {
		return noRaw
	}
	return math.MinInt64
}

// readColumn decodes a whole dictionary, list or int column of a part,
// all blocks in row order.
func (s *Snapshot) readColumn(p *Part, c *Column) (*Vector, error) {
	out := &Vector{Column: c, Rows: p.Rows}
	if c.Enc == EncString {
		return nil, fmt.Errorf("engine: readColumn of string column %s", c.Name)
	}
	if !p.has(c) {
		out.Absent = true
		return out, nil
	}
	if c.Enc == EncList {
		out.Offsets = []uint32{0}
	}
	var v Vector
	for b := range p.Blocks {
		if err := s.readVector(p, c, b, &v, !s.noCache); err != nil {
			return nil, err
		}
		switch c.Enc {
		case EncDict:
			out.IDs = append(out.IDs, v.IDs...)
		case EncInt:
			out.Ints = append(out.Ints, v.Ints...)
		case EncList:
			base := uint32(len(out.Elems))
			for _, o := range v.Offsets[1:] {
				out.Offsets = append(out.Offsets, base+o)
			}
			out.Elems = append(out.Elems, v.Elems...)
		}
	}
	return out, nil
}

// readStrings returns the values of a whole string column of a part, or
// nil when the part does not have it.
func (s *Snapshot) readStrings(p *Part, c *Column) ([]string, error) {
	if !p.has(c) {
		return nil, nil
	}
	out := make([]string, 0, p.Rows)
	var v Vector
	for b := range p.Blocks {
		if err := s.readVector(p, c, b, &v, !s.noCache); err != nil {
			return nil, err
		}
		for i := range v.Strings.Len() {
			out = append(out, v.Strings.At(i))
		}
	}
	return out, nil
}

// compactor is the background goroutine that merges the parts of days
// that collected compactParts or more.
func (db *DB) compactor() {
	defer db.bg.wg.Done()
	for {
		select {
		case <-db.bg.stop:
			return
		case <-db.bg.kick:
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-db.bg.stop:
			case <-ctx.Done():
			}
			cancel()
		}()
		err := db.compactInBackground(ctx)
		if err != nil && ctx.Err() == nil {
			db.opts.logf("engine: background compaction: %v", err)
		}
		cancel()
	}
}

// compactInBackground is a round of the background compactor.
func (db *DB) compactInBackground(ctx context.Context) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "store "+db.dir)
	_, err = db.compactDays(ctx, compactParts)
	if err == nil {
		err = db.collectGarbage(true)
	}
	if err == nil {
		err = db.reclaim()
	}
	return err
}

// kickCompactor wakes the background compactor.
func (db *DB) kickCompactor() {
	select {
	case db.bg.kick <- struct{}{}:
	default:
	}
}
