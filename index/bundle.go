package index

import (
	"encoding/binary"
	"fmt"
	"math"
	mathbits "math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// bundleEntry is the size of an entry of a bundle's table: id,
// cardinality and end offset, each a little-endian uint32.
const bundleEntry = 12

// BundleWriter builds a bundle: the bitmaps of one field of one part, one
// per dictionary id, each the rows holding that value. The zero value is
// ready to use. A BundleWriter is not safe for concurrent use.
type BundleWriter struct {
	table   []byte // the entries so far
	payload []byte // the serialized bitmaps so far
	n       int
	last    uint32
	any     bool        // Add was called since the last Reset
	cs      []container // AddRows's scratch
}

// Add adds the bitmap of dictionary id id. Ids must be strictly increasing
// across the calls since the last Reset, else Add returns an error wrapping
// ErrInvalid; so must a bitmap's cardinality fit in a uint32. An empty bitmap
// is skipped. Add calls bm.RunOptimize, which may change bm's internal
// representation (not its values), then serializes it: bm may be reused
// after Add returns.
func (w *BundleWriter) Add(id uint32, bm *roaring.Bitmap) error {
	if w.any && id <= w.last {
		return fmt.Errorf("%w: bundle: id %d after %d", ErrInvalid, id, w.last)
	}
	card := bm.GetCardinality()
	if card > math.MaxUint32 {
		return fmt.Errorf("%w: bundle: bitmap of id %d holds %d values", ErrInvalid, id, card)
	}
	w.last, w.any = id, true
	if card == 0 {
		return nil
	}
	bm.RunOptimize()
	start := len(w.payload)
	if _, err := bm.WriteTo((*appender)(&w.payload)); err != nil {
		w.payload = w.payload[:start]
		return err
	}
	if uint64(len(w.payload)) > math.MaxUint32 {
		w.payload = w.payload[:start]
		return fmt.Errorf("%w: bundle larger than 4 GiB", ErrInvalid)
	}
	w.entry(id, uint32(card))
	return nil
}

// AddRows adds the bitmap of dictionary id id given as its rows, which
// must be strictly increasing. It writes exactly what Add writes for the
// bitmap of those rows, without building a roaring.Bitmap: a part's
// bitmaps are written from its columns at the cost of one pass over the
// rows. Its errors are Add's; rows that do not increase are an error too.
func (w *BundleWriter) AddRows(id uint32, rows []uint32) error {
	if w.any && id <= w.last {
		return fmt.Errorf("%w: bundle: id %d after %d", ErrInvalid, id, w.last)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i] <= rows[i-1] {
			return fmt.Errorf("%w: bundle: rows of id %d not increasing at %d", ErrInvalid, id, i)
		}
	}
	w.last, w.any = id, true
	if len(rows) == 0 {
		return nil
	}
	start := len(w.payload)
	w.payload, w.cs = appendBitmap(w.payload, rows, w.cs)
	if uint64(len(w.payload)) > math.MaxUint32 {
		w.payload = w.payload[:start]
		return fmt.Errorf("%w: bundle larger than 4 GiB", ErrInvalid)
	}
	w.entry(id, uint32(len(rows)))
	return nil
}

// entry adds the table entry of a bitmap just written.
func (w *BundleWriter) entry(id, card uint32) {
	w.table = binary.LittleEndian.AppendUint32(w.table, id)
	w.table = binary.LittleEndian.AppendUint32(w.table, card)
	w.table = binary.LittleEndian.AppendUint32(w.table, uint32(len(w.payload)))
	w.n++
}

// Len returns the number of bitmaps added (empty ones excepted).
func (w *BundleWriter) Len() int { return w.n }

// Size returns the size of the bundle's encoding.
func (w *BundleWriter) Size() int {
	return uvarintLen(uint64(w.n)) + len(w.table) + len(w.payload)
}

// uvarintLen is the size of v as a uvarint.
func uvarintLen(v uint64) int { return (mathbits.Len64(v|1) + 6) / 7 }

// AppendTo appends the bundle's encoding to dst and returns the extended
// slice. The writer is unchanged: more bitmaps may be added.
func (w *BundleWriter) AppendTo(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(w.n))
	dst = append(dst, w.table...)
	return append(dst, w.payload...)
}

// Reset empties the writer, keeping its memory.
func (w *BundleWriter) Reset() {
	*w = BundleWriter{table: w.table[:0], payload: w.payload[:0], cs: w.cs[:0]}
}

// appender is an io.Writer appending to a byte slice.
type appender []byte

func (a *appender) Write(p []byte) (int, error) {
	*a = append(*a, p...)
	return len(p), nil
}

// Bundle is a read-only view of a bundle written by a BundleWriter. It
// references the bytes it was decoded from, which must stay alive and
// unmodified while the Bundle or any bitmap it returned is in use. Its
// methods are safe for concurrent use.
//
// Entries are in increasing order of id; methods taking an entry index i
// require i < Len().
type Bundle struct {
	n       int
	table   []byte // n entries of bundleEntry bytes
	payload []byte
}

// DecodeBundle decodes a bundle written by a BundleWriter, which must span
// all of src. It checks the table (ids increasing, cardinalities not zero,
// offsets increasing and ending at the end of src) but not the bitmaps,
// which Bitmap checks when asked for them. The Bundle references src (see
// Bundle). Errors wrap ErrCorrupt.
func DecodeBundle(src []byte) (*Bundle, error) {
	un, k := binary.Uvarint(src)
	if k <= 0 || un > uint64(len(src)-k)/bundleEntry {
		return nil, fmt.Errorf("%w: bundle: bad count", ErrCorrupt)
	}
	n := int(un)
	b := &Bundle{n: n, table: src[k : k+n*bundleEntry], payload: src[k+n*bundleEntry:]}
	var end uint32
	for i := range n {
		t := b.table[i*bundleEntry : i*bundleEntry+bundleEntry]
		id, card, e := binary.LittleEndian.Uint32(t), binary.LittleEndian.Uint32(t[4:]), binary.LittleEndian.Uint32(t[8:])
		if i > 0 && id <= b.ID(i-1) {
			return nil, fmt.Errorf("%w: bundle: ids not increasing at %d", ErrCorrupt, i)
		}
		if card == 0 {
			return nil, fmt.Errorf("%w: bundle: empty bitmap at %d", ErrCorrupt, i)
		}
		if e <= end {
			return nil, fmt.Errorf("%w: bundle: offsets not increasing at %d", ErrCorrupt, i)
		}
		end = e
	}
	if uint64(end) != uint64(len(b.payload)) {
		return nil, fmt.Errorf("%w: bundle: bitmaps end at %d of %d bytes", ErrCorrupt, end, len(b.payload))
	}
	return b, nil
}

// Len returns the number of bitmaps in the bundle.
func (b *Bundle) Len() int { return b.n }

// Size is the bytes the bundle reads, its table and bitmaps.
func (b *Bundle) Size() int64 { return int64(len(b.table) + len(b.payload)) }

// ID returns the dictionary id of entry i.
func (b *Bundle) ID(i int) uint32 {
	return binary.LittleEndian.Uint32(b.table[i*bundleEntry:])
}

// Cardinality returns the number of rows in entry i's bitmap, without
// decoding it.
func (b *Bundle) Cardinality(i int) uint64 {
	return uint64(binary.LittleEndian.Uint32(b.table[i*bundleEntry+4:]))
}

// span returns the bytes of entry i's bitmap.
func (b *Bundle) span(i int) []byte {
	var start uint32
	if i > 0 {
		start = binary.LittleEndian.Uint32(b.table[i*bundleEntry-4:])
	}
	return b.payload[start:binary.LittleEndian.Uint32(b.table[i*bundleEntry+8:])]
}

// search returns the index of the first entry at or after from whose id
// is >= id, or Len().
func (b *Bundle) search(from int, id uint32) int {
	lo, hi := from, b.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if b.ID(m) < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Find returns the index of the entry of dictionary id id, and whether
// there is one (ids with no rows have none).
func (b *Bundle) Find(id uint32) (i int, ok bool) {
	i = b.search(0, id)
	return i, i < b.n && b.ID(i) == id
}

// Bitmap returns entry i's bitmap. It checks the serialized bitmap in full
// (structure, and cardinality against the table) in time linear in its size,
// and returns an error wrapping ErrCorrupt when it is not valid.
//
// The bitmap is copy-on-write over the bundle's bytes: the caller may
// modify it, which copies the parts it changes and never writes to the
// bundle's bytes, but those bytes must stay alive and unmodified while it,
// or any bitmap computed from it, is in use.
func (b *Bundle) Bitmap(i int) (*roaring.Bitmap, error) {
	buf := b.span(i)
	card, err := checkBitmap(buf)
	if err != nil {
		return nil, fmt.Errorf("%w: bundle entry %d (id %d): %v", ErrCorrupt, i, b.ID(i), err)
	}
	if card != b.Cardinality(i) {
		return nil, fmt.Errorf("%w: bundle entry %d (id %d): bitmap holds %d rows, the table says %d", ErrCorrupt, i, b.ID(i), card, b.Cardinality(i))
	}
	bm := roaring.New()
	if _, err := bm.FromBuffer(buf); err != nil {
		// Unreachable after checkBitmap, but roaring's reader is the judge.
		return nil, fmt.Errorf("%w: bundle entry %d (id %d): %v", ErrCorrupt, i, b.ID(i), err)
	}
	return bm, nil
}

// Union returns the union of the bitmaps of the dictionary ids ids, which
// must be ascending; ids without an entry add nothing. The result is
// copy-on-write over the bundle's bytes, like Bitmap's.
func (b *Bundle) Union(ids []uint32) (*roaring.Bitmap, error) {
	var buf [16]*roaring.Bitmap
	bms := buf[:0]
	i := 0
	for _, id := range ids {
		// Ids are ascending: search only past the last entry found.
		j := b.search(i, id)
		if j == b.n {
			break
		}
		i = j
		if b.ID(j) != id {
			continue
		}
		bm, err := b.Bitmap(j)
		if err != nil {
			return nil, err
		}
		bms = append(bms, bm)
	}
	return union(bms), nil
}

// UnionRange returns the union of the bitmaps of the dictionary ids in
// [lo, hi). The result is copy-on-write over the bundle's bytes, like
// Bitmap's.
func (b *Bundle) UnionRange(lo, hi uint32) (*roaring.Bitmap, error) {
	if lo >= hi {
		return roaring.New(), nil
	}
	var buf [16]*roaring.Bitmap
	bms := buf[:0]
	for i, end := b.search(0, lo), b.search(0, hi); i < end; i++ {
		bm, err := b.Bitmap(i)
		if err != nil {
			return nil, err
		}
		bms = append(bms, bm)
	}
	return union(bms), nil
}

// union returns the union of bms, which it may modify or return.
func union(bms []*roaring.Bitmap) *roaring.Bitmap {
	switch len(bms) {
	case 0:
		return roaring.New()
	case 1:
		return bms[0]
	}
	return roaring.FastOr(bms...)
}

// CardinalityOf returns the sum of the cardinalities of the bitmaps of the
// dictionary ids ids, which must be ascending, from the table alone. For a
// single-valued field, whose bitmaps are disjoint, it is the number of rows
// holding one of the values; for a multi-valued field it counts a row once
// per value of ids it holds.
func (b *Bundle) CardinalityOf(ids []uint32) uint64 {
	var sum uint64
	i := 0
	for _, id := range ids {
		j := b.search(i, id)
		if j == b.n {
			break
		}
		i = j
		if b.ID(j) == id {
			sum += b.Cardinality(j)
		}
	}
	return sum
}
