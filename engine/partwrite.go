package engine

import (
	"sync"

	"github.com/signinq/signinq/index"
)

// partData is a part before it is encoded: its rows' times and keys, and
// its columns, made one at a time when encodePart asks for them so that a
// part's columns are never all in memory at once.
type partData struct {
	id       uint64
	day      int32
	rows     int
	times    []int64 // the time column, in row order
	keys     []index.IDEntry
	types    [numTypes]int64
	chunks   []uint64
	rawBytes int64 // raw records, uncompressed
	rawDisk  int64 // raw chunks, as stored

	// column returns column i in row order, or nil for a column the part
	// does not have. It is called once per column, from several
	// goroutines at a time.
	column func(i int) (*colData, error)
}

// encodePart encodes a part's values, hands each to put as soon as it is
// made, and returns the part's header. Columns are made and encoded by up
// to workers goroutines; put must be safe for concurrent use.
func encodePart(d *partData, workers int, put func(key, val []byte) error) (*Part, error) {
	p := &Part{ID: d.id, Day: d.day, Rows: d.rows, Types: d.types, Chunks: d.chunks, RawBytes: d.rawDisk, RawSize: d.rawBytes}
	times := d.times
	p.MinTime, p.MaxTime = times[0], times[len(times)-1]
	nb := (d.rows + blockRows - 1) / blockRows
	p.Blocks = make([]BlockHeader, nb)
	for b := range p.Blocks {
		lo, hi := b*blockRows, min((b+1)*blockRows, d.rows)
		p.Blocks[b] = BlockHeader{Rows: hi - lo, MinTime: times[lo], MaxTime: times[hi-1]}
	}
	p.cols = make([]partColumn, len(columns))
	type result struct {
		col, dict, bm int64
		err           error
	}
	results := make([]result, len(columns))
	parallel(len(columns), workers, func(i int) {
		res := &results[i]
		cd, err := d.column(i)
		if err != nil || cd == nil {
			res.err = err
			return
		}
		res.col, res.dict, res.bm, res.err = encodeColumn(d.id, cd, &p.cols[i], nb, put)
	})
	for i := range results {
		r := &results[i]
		if r.err != nil {
			return nil, r.err
		}
		p.ColumnBytes += r.col
		p.DictBytes += r.dict
		p.BitmapBytes += r.bm
	}
	ids, err := index.AppendIDIndex(nil, d.keys)
	if err != nil {
		return nil, err
	}
	key := dataKey(d.id, kindIDs, 0, 0)
	val := seal(key, ids)
	p.IDBytes = int64(len(val))
	if err := put(key, val); err != nil {
		return nil, err
	}
	return p, nil
}

// encodeColumn encodes one column of part id: its nb blocks, its
// dictionary and its bitmaps, handing each value to put, and describes it
// in pc. It returns the bytes of each kind written.
func encodeColumn(id uint64, cd *colData, pc *partColumn, nb int, put func(key, val []byte) error) (col, dict, bm int64, err error) {
	pc.present = true
	pc.blocks = make([]colBlock, nb)
	rows := cd.len()
	var buf []byte
	for b := range nb {
		lo, hi := b*blockRows, min((b+1)*blockRows, rows)
		cb := &pc.blocks[b]
		buf = buf[:0]
		switch cd.col.Enc {
		case EncDict:
			ids := cd.ids[lo:hi]
			mn, mx := ids[0], ids[0]
			for _, v := range ids {
				mn, mx = min(mn, v), max(mx, v)
			}
			cb.min, cb.max = int64(mn), int64(mx)
			buf = index.AppendIDs(buf, ids)
		case EncList:
			base := cd.offs[lo]
			offs := make([]uint32, hi-lo+1)
			for j := range offs {
				offs[j] = cd.offs[lo+j] - base
			}
			if buf, err = index.AppendLists(buf, offs, cd.ids[base:cd.offs[hi]]); err != nil {
				return
			}
		case EncInt:
			vals := cd.ints[lo:hi]
			mn, mx := vals[0], vals[0]
			for _, v := range vals {
				mn, mx = min(mn, v), max(mx, v)
			}
			cb.min, cb.max = mn, mx
			buf = index.AppendInts(buf, vals)
		case EncString:
			buf = index.AppendStrings(buf, cd.strs[lo:hi])
		}
		key := dataKey(id, kindColumn, cd.col.ID, b)
		val := seal(key, append(make([]byte, 0, len(buf)+4), buf...))
		cb.size = uint32(len(val))
		col += int64(len(val))
		if err = put(key, val); err != nil {
			return
		}
	}
	if cd.col.Enc != EncDict && cd.col.Enc != EncList {
		return
	}
	pc.dictLen = cd.dictLen()
	var dv []byte
	switch cd.col.DictKind {
	case index.DictString:
		dv, err = index.AppendStringDict(nil, cd.strs)
	case index.DictInt:
		dv, err = index.AppendIntDict(nil, cd.ints)
	case index.DictFloat:
		dv, err = index.AppendFloatDict(nil, cd.flts)
	}
	if err != nil {
		return
	}
	key := dataKey(id, kindDict, cd.col.ID, 0)
	val := seal(key, dv)
	dict = int64(len(val))
	if err = put(key, val); err != nil || !cd.col.Indexed {
		return
	}
	bundle, err := buildBundle(cd)
	if err != nil {
		return
	}
	key = dataKey(id, kindBundle, cd.col.ID, 0)
	val = seal(key, bundle)
	bm = int64(len(val))
	err = put(key, val)
	return
}

// buildBundle builds a dictionary column's bitmaps: the rows of each
// value, found by a counting sort of the rows by id. The result has room
// for the value's checksum.
func buildBundle(cd *colData) ([]byte, error) {
	n := cd.dictLen()
	sc := bundleScratch.Get().(*bundleBufs)
	defer bundleScratch.Put(sc)
	counts := grown(&sc.counts, n+1)
	clear(counts)
	for _, id := range cd.ids {
		counts[id+1]++
	}
	for i := 1; i <= n; i++ {
		counts[i] += counts[i-1]
	}
	rows := grown(&sc.rows, len(cd.ids))
	next := grown(&sc.next, n)
	copy(next, counts[:n])
	if cd.col.Enc == EncDict {
		for row, id := range cd.ids {
			rows[next[id]] = uint32(row)
			next[id]++
		}
	} else {
		for row := 0; row+1 < len(cd.offs); row++ {
			for _, id := range cd.ids[cd.offs[row]:cd.offs[row+1]] {
				if k := next[id]; k > counts[id] && rows[k-1] == uint32(row) {
					continue // a repeated element
				}
				rows[next[id]] = uint32(row)
				next[id]++
			}
		}
	}
	w := &sc.w
	w.Reset()
	for id := range n {
		if err := w.AddRows(uint32(id), rows[counts[id]:next[id]]); err != nil {
			return nil, err
		}
	}
	return w.AppendTo(make([]byte, 0, w.Size()+4)), nil
}

// bundleBufs is buildBundle's scratch space, reused across columns and
// parts.
type bundleBufs struct {
	counts, rows, next []uint32
	w                  index.BundleWriter
}

var bundleScratch = sync.Pool{New: func() any { return new(bundleBufs) }}

// grown returns (*s)[:n], growing *s if needed.
func grown(s *[]uint32, n int) []uint32 {
	if cap(*s) < n {
		*s = make([]uint32, n)
	}
	return (*s)[:n]
}
