package engine

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/internal/strtab"
)

// dictBuilder numbers the distinct values of a column in order of first
// appearance. It remembers the last value: many columns repeat from row to
// row.
type dictBuilder[K comparable] struct {
	ids  map[K]uint32
	vals []K
	keep func(K) K // what to store of a new value

	last    K
	lastID  uint32
	hasLast bool
}

func newDictBuilder[K comparable](keep func(K) K) *dictBuilder[K] {
	return &dictBuilder[K]{ids: map[K]uint32{}, keep: keep}
}

func (d *dictBuilder[K]) id(v K) uint32 {
	if d.hasLast && v == d.last {
		return d.lastID
	}
	id, ok := d.ids[v]
	if !ok {
		id = uint32(len(d.vals))
		if d.keep != nil {
			v = d.keep(v)
		}
		d.vals = append(d.vals, v)
		d.ids[v] = id
	}
	d.last, d.lastID, d.hasLast = v, id, true
	return id
}

// colBuilder accumulates one column's values in arrival order. Dictionary
// columns assign ids in order of first appearance; finish sorts the
// dictionary and renumbers.
type colBuilder struct {
	col *Column

	strs *dictBuilder[string]
	ints *dictBuilder[int64]
	flts *dictBuilder[uint64] // the values' bits, NaN as one NaN

	ids  seq[uint32] // EncDict: per row; EncList: the elements
	ends seq[uint32] // EncList: row i's elements end at ids[ends[i]]
	vals seq[int64]  // EncInt: per row
	raw  seq[string] // EncString: per row, copied into tab

	tab    strtab.Table // copies of the strings kept: the record's pin its reader's memory
	recent []recentStr  // string dictionary columns: see strID
	era    uint32       // the entries of recent from this era are valid: see forget
}

func newColBuilder(c *Column) *colBuilder {
	b := &colBuilder{col: c}
	b.ids.pool, b.ends.pool, b.vals.pool = uint32Chunks, uint32Chunks, int64Chunks
	switch c.Enc {
	case EncDict, EncList:
		switch c.DictKind {
		case index.DictString:
			b.strs = newDictBuilder(b.tab.Clone)
			b.recent = make([]recentStr, 1<<recentBits)
			b.era = 1
		case index.DictInt:
			b.ints = newDictBuilder[int64](nil)
		case index.DictFloat:
			b.flts = newDictBuilder[uint64](nil)
		}
	}
	return b
}

func (b *colBuilder) strID(s string) uint32 {
	p := unsafe.StringData(s)
	if p == nil {
		return b.strs.id(s)
	}
	a := uintptr(unsafe.Pointer(p))
	e := &b.recent[uint64(a)*0x9e3779b97f4a7c15>>(64-recentBits)]
	if e.p == a && e.n == len(s) && e.era == b.era {
		return e.id
	}
	id := b.strs.id(s)
	*e = recentStr{a, len(s), id, b.era}
	return id
}

// recentStr remembers the id of a string the caller gave, by the address
// and length of its bytes: a string that many records share (as a
// program's records share their constant strings, and the readers share a
// value equal to the previous record's) is then found without hashing or
// comparing its bytes. Addresses are only compared, never followed, and
// the entries are forgotten when addRows returns: until then the caller's
// records keep the bytes alive, so no other string can take their place.
// An address is kept as a number, so that it keeps nothing alive, and an
// entry counts only in the era it was made in (see forget).
type recentStr struct {
	p   uintptr
	n   int
	id  uint32
	era uint32
}

// recentBits sizes a column's table of recent strings: 1,024 entries, 24
// KB, which stays in a core's first-level cache while a batch's column is
// built (4,096 entries, 96 KB, cost about 10% more CPU time building
// the columns of decoded records: BenchmarkIngestRecords/decoded).
const recentBits = 10

// forget forgets the recent strings: their addresses mean nothing once
// the records they came from may be gone. It starts a new era rather
// than clearing the table, which would cost more than a small batch's
// lookups save; the table is cleared only when the era wraps around.
func (b *colBuilder) forget() {
	if b.recent == nil {
		return
	}
	b.era++
	if b.era == 0 {
		clear(b.recent)
		b.era = 1
	}
}

func (b *colBuilder) intID(v int64) uint32 { return b.ints.id(v) }

func (b *colBuilder) fltID(v float64) uint32 {
	if math.IsNaN(v) {
		v = math.NaN() // one NaN
	}
	return b.flts.id(math.Float64bits(v))
}

// addBatch appends the column's values of recs; slots are their raw
// slots, for _raw. scratch is space for a batch of strings, returned for
// reuse.
func (b *colBuilder) addBatch(recs []*signin.Record, slots []int64, scratch []string) []string {
	if b.col.Enc == EncDict && b.strs != nil {
		// String dictionary columns, most of the work: the batch's
		// values first, then their ids.
		scratch = b.col.Field.Texts(scratch, recs)
		for _, s := range scratch {
			b.ids.add(b.strID(s))
		}
		clear(scratch) // keep none of the caller's strings alive
		b.forget()
		return scratch
	}
	for i, r := range recs {
		b.add(r, slots[i])
	}
	b.forget()
	return scratch
}

// add appends r's value of the column; slot is the raw slot, for _raw.
func (b *colBuilder) add(r *signin.Record, slot int64) {
	c := b.col
	switch c.Enc {
	case EncDict:
		var id uint32
		switch {
		case c == colFormatC:
			id = b.intID(int64(r.Format))
		case c.Field.Kind == signin.KindInt, c.Field.Kind == signin.KindBool:
			v, ok := c.Field.Int(r)
			if !ok {
				v = signin.NoInt
			}
			id = b.intID(v)
		case c.Field.Kind == signin.KindFloat:
			v, _ := c.Field.Float(r)
			id = b.fltID(v)
		default:
			id = b.strID(c.Field.Text(r))
		}
		b.ids.add(id)
	case EncList:
		for _, s := range c.Field.List(r) {
			b.ids.add(b.strID(s))
		}
		b.ends.add(uint32(b.ids.len()))
	case EncInt:
		switch {
		case c == colRawC:
			b.vals.add(slot)
		case c.Field.Kind == signin.KindTime:
			b.vals.add(timeNanos(c.Field.Time(r)))
		default:
			v, ok := c.Field.Int(r)
			if !ok {
				v = signin.NoInt
			}
			b.vals.add(v)
		}
	case EncString:
		b.raw.add(b.tab.Clone(c.Field.Text(r)))
	}
}

// colData is one column of a part, in row order, ready to encode.
type colData struct {
	col  *Column
	strs []string  // sorted string dictionary, or EncString values
	ints []int64   // sorted int dictionary, or EncInt values
	flts []float64 // sorted float dictionary
	ids  []uint32  // EncDict: per row; EncList: elements
	offs []uint32  // EncList
}

// len returns the number of rows.
func (d *colData) len() int {
	switch d.col.Enc {
	case EncDict:
		return len(d.ids)
	case EncList:
		return len(d.offs) - 1
	case EncInt:
		return len(d.ints)
	}
	return len(d.strs)
}

// dictLen is the size of the column's dictionary.
func (d *colData) dictLen() int {
	switch d.col.DictKind {
	case index.DictInt:
		return len(d.ints)
	case index.DictFloat:
		return len(d.flts)
	}
	return len(d.strs)
}

// finish sorts the column's dictionary and returns its data in the order
// perm gives (row i of the result is arrival row perm[i]; nil means
// arrival order).
func (b *colBuilder) finish(perm []uint32, rows int) *colData {
	d := &colData{col: b.col}
	src := func(i int) int { return i }
	if perm != nil {
		src = func(i int) int { return int(perm[i]) }
	}
	switch b.col.Enc {
	case EncDict, EncList:
		var remap []uint32
		switch b.col.DictKind {
		case index.DictString:
			d.strs, remap = sortDict(b.strs.vals, strings.Compare)
		case index.DictInt:
			d.ints, remap = sortDict(b.ints.vals, cmp.Compare[int64])
		case index.DictFloat:
			flts := make([]float64, len(b.flts.vals))
			for i, bits := range b.flts.vals {
				flts[i] = math.Float64frombits(bits)
			}
			d.flts, remap = sortDict(flts, floatOrder)
		}
		if b.col.Enc == EncDict {
			d.ids = make([]uint32, rows)
			if perm == nil {
				b.ids.each(func(i int, id uint32) { d.ids[i] = remap[id] })
				break
			}
			for i := range d.ids {
				d.ids[i] = remap[b.ids.at(src(i))]
			}
			break
		}
		d.offs = make([]uint32, rows+1)
		d.ids = make([]uint32, 0, b.ids.len())
		for i := range rows {
			p := src(i)
			lo := uint32(0)
			if p > 0 {
				lo = b.ends.at(p - 1)
			}
			for e := lo; e < b.ends.at(p); e++ {
				d.ids = append(d.ids, remap[b.ids.at(int(e))])
			}
			d.offs[i+1] = uint32(len(d.ids))
		}
	case EncInt:
		d.ints = make([]int64, rows)
		if perm == nil {
			b.vals.each(func(i int, v int64) { d.ints[i] = v })
			break
		}
		for i := range d.ints {
			d.ints[i] = b.vals.at(src(i))
		}
	case EncString:
		d.strs = make([]string, rows)
		for i := range d.strs {
			d.strs[i] = b.raw.at(src(i))
		}
	}
	return d
}

// floatOrder orders floats totally: NaN (absent) first, -0 before +0.
func floatOrder(a, b float64) int {
	return cmp.Compare(floatKey(a), floatKey(b))
}

func floatKey(f float64) uint64 {
	if math.IsNaN(f) {
		return 0
	}
	k := math.Float64bits(f)
	if k>>63 == 1 {
		return ^k
	}
	return k | 1<<63
}

// sortDict sorts a dictionary given in id order and returns the sorted
// values and, for each old id, its new one.
func sortDict[T any](vals []T, compare func(a, b T) int) ([]T, []uint32) {
	order := make([]uint32, len(vals))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return compare(vals[a], vals[b]) })
	sorted := make([]T, len(vals))
	remap := make([]uint32, len(vals))
	for newID, old := range order {
		sorted[newID] = vals[old]
		remap[old] = uint32(newID)
	}
	return sorted, remap
}

// builder gathers the new sign-ins of one day, in arrival order, until
// they are committed as a part.
type builder struct {
	day   int32
	rows  int
	cols  []*colBuilder
	keys  []index.Key
	types [numTypes]int64

	chunks   []uint64  // raw chunks closed so far, in slot order
	rawBytes int64     // raw records' bytes, uncompressed
	open     *rawChunk // the raw chunk being filled, or nil
}

const numTypes = len(signin.Types)

func newBuilder(day int32) *builder {
	b := &builder{day: day}
	b.cols = make([]*colBuilder, len(columns))
	for i, c := range columns {
		b.cols[i] = newColBuilder(c)
	}
	return b
}

// addRows appends records; slots are their raw slots (noRaw for none).
// Columns are filled a column at a time over the whole batch, by up to
// workers goroutines, each owning some columns: a column's dictionary
// stays in cache while its values go through it.
func (b *builder) addRows(recs []*signin.Record, slots []int64, workers int) {
	if workers <= 1 || len(recs) < 64 {
		var scratch []string
		for _, c := range b.cols {
			scratch = c.addBatch(recs, slots, scratch)
		}
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				var scratch []string
				for ci := w; ci < len(b.cols); ci += workers {
					scratch = b.cols[ci].addBatch(recs, slots, scratch)
				}
			})
		}
		wg.Wait()
	}
	for _, r := range recs {
		b.types[r.Type]++
	}
	b.rows += len(recs)
}

// addRaw places a raw record in the open chunk and returns its slot. When
// the open chunk is full it is closed first and returned, to be
// compressed and stored; newID allocates its successor's id.
func (b *builder) addRaw(raw []byte, newID func() uint64) (slot int64, closed *rawChunk) {
	if len(raw) == 0 {
		return noRaw, nil
	}
	if b.open != nil && b.open.full() {
		closed, b.open = b.open, nil
	}
	if b.open == nil {
		b.open = newRawChunk(newID())
		b.chunks = append(b.chunks, b.open.id)
	}
	slot = int64(len(b.chunks)-1)*slotsPerChunk + int64(len(b.open.ends))
	b.open.add(raw)
	b.rawBytes += int64(len(raw))
	return slot, closed
}

// closeRaw closes the open raw chunk, if any, and returns it.
func (b *builder) closeRaw() *rawChunk {
	c := b.open
	b.open = nil
	return c
}

// finish sorts the gathered rows by time (stably, so arrival order breaks
// ties) and returns the part, whose columns are made as they are asked
// for, each releasing what the builder held of it. The builder must not be
// used afterwards.
func (b *builder) finish(id uint64) *partData {
	times := make([]int64, b.rows)
	sorted := true
	b.cols[colTime.ID].vals.each(func(i int, t int64) {
		times[i] = t
		sorted = sorted && (i == 0 || t >= times[i-1])
	})
	var perm []uint32 // nil: already in time order
	if !sorted {
		perm = make([]uint32, b.rows)
		for i := range perm {
			perm[i] = uint32(i)
		}
		slices.SortStableFunc(perm, func(x, y uint32) int { return cmp.Compare(times[x], times[y]) })
		sortedTimes := make([]int64, b.rows)
		for i, p := range perm {
			sortedTimes[i] = times[p]
		}
		times = sortedTimes
	}
	// The id index maps keys to final rows.
	keys := make([]index.IDEntry, b.rows)
	for row := range keys {
		p := row
		if perm != nil {
			p = int(perm[row])
		}
		keys[row] = index.IDEntry{Key: b.keys[p], Row: uint32(row)}
	}
	return &partData{id: id, day: b.day, rows: b.rows, times: times, keys: keys, types: b.types, chunks: b.chunks, rawBytes: b.rawBytes,
		column: func(i int) (*colData, error) {
			c := b.cols[i]
			d := c.finish(perm, b.rows)
			c.ids.release()
			c.ends.release()
			c.vals.release()
			c.raw.release()
			c.strs, c.ints, c.flts = nil, nil, nil
			return d, nil
		},
	}
}

// parallel runs fn(0..n-1) on up to workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	if workers <= 1 || n <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= n {
					return
				}
				fn(j)
			}
		})
	}
	wg.Wait()
}
