package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/signinq/signinq/index"
)

// Part is an immutable run of sign-ins of one UTC day, sorted by time and
// cut into blocks of up to 65,536 rows. Ingest adds parts; compaction
// merges a day's parts into few large ones. Rows are numbered from 0 in
// time order; block b holds rows [b<<16, (b+1)<<16).
//
// A Part is safe for concurrent use. Its exported fields must not be
// modified.
type Part struct {
	ID      uint64
	Day     int32 // days since 1970-01-01 UTC
	Rows    int
	MinTime int64 // Unix nanoseconds of the first and last row
	MaxTime int64
	// Types counts the rows of each sign-in type.
	Types [numTypes]int64
	// Blocks are the part's blocks in row order.
	Blocks []BlockHeader
	// Chunks are the raw chunks holding its raw records, in slot order.
	Chunks []uint64
	// Sizes of the part on disk, in bytes, by what they hold.
	ColumnBytes, DictBytes, BitmapBytes, IDBytes, RawBytes int64
	// RawSize is the raw records' size before compression.
	RawSize int64

	cols []partColumn // by column id; shorter in parts written before a column existed

	mu    sync.Mutex
	dicts map[uint16]*index.Dict // decoded dictionaries, kept while the part lives
	// numbers renumber its dictionaries' ids into the store's
	// Numbering of their column, kept while the part lives.
	numbers map[uint16][]uint32
}

// BlockHeader describes one block of a part.
type BlockHeader struct {
	Rows             int
	MinTime, MaxTime int64
}

// partColumn is what a part's header records of one column.
type partColumn struct {
	present bool
	dictLen int
	blocks  []colBlock
}

// colBlock is one column block's size, and the range of its values: for
// EncInt the smallest and largest integer, for EncDict the smallest and
// largest dictionary id. Lists and strings leave them 0.
type colBlock struct {
	size     uint32
	min, max int64
}

// DayTime is the start of a day given as days since 1970-01-01 UTC.
func DayTime(day int32) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }

func dayString(day int32) string { return DayTime(day).Format(time.DateOnly) }

// dayOf is the UTC day of a time in Unix nanoseconds.
func dayOf(nanos int64) int32 {
	const nsPerDay = 86400 * int64(time.Second)
	d := nanos / nsPerDay
	if nanos%nsPerDay < 0 {
		d--
	}
	return int32(d)
}

// blockOf returns the block holding row.
func blockOf(row uint32) int { return int(row >> blockRowsShift) }

// firstRow is the first row of block b.
func (p *Part) firstRow(b int) uint32 { return uint32(b) << blockRowsShift }

// has reports whether the part stores column c.
func (p *Part) has(c *Column) bool { return int(c.ID) < len(p.cols) && p.cols[c.ID].present }

// BlockRange returns the range of values of column c in block b: integers
// for EncInt columns, dictionary ids for EncDict columns. ok is false for
// other encodings and absent columns.
func (p *Part) BlockRange(c *Column, b int) (lo, hi int64, ok bool) {
	if !p.has(c) || (c.Enc != EncInt && c.Enc != EncDict) {
		return 0, 0, false
	}
	cb := p.cols[c.ID].blocks[b]
	return cb.min, cb.max, true
}

// DictLen returns the size of the part's dictionary of column c.
func (p *Part) DictLen(c *Column) int {
	if !p.has(c) {
		return 0
	}
	return p.cols[c.ID].dictLen
}

// String describes the part, e.g. "part 7 (2026-11-25, 1024 rows)".
func (p *Part) String() string {
	return fmt.Sprintf("part %d (%s, %d rows)", p.ID, dayString(p.Day), p.Rows)
}

// Part headers are a sequence of uvarints and varints (docs/format.md,
// "Part header"). Version 2 says how many types it counts rows of before
// their counts (five since the adfs type); version 1 counted four, and is
// still read.
const partHeaderVersion = 2

func (p *Part) appendHeader(dst []byte) []byte {
	u := func(v uint64) { dst = binary.AppendUvarint(dst, v) }
	s := func(v int64) { dst = binary.AppendVarint(dst, v) }
	u(partHeaderVersion)
	u(p.ID)
	s(int64(p.Day))
	u(uint64(p.Rows))
	s(p.MinTime)
	s(p.MaxTime)
	u(uint64(len(p.Types)))
	for _, n := range p.Types {
		u(uint64(n))
	}
	u(uint64(len(p.Blocks)))
	for _, b := range p.Blocks {
		u(uint64(b.Rows))
		s(b.MinTime)
		s(b.MaxTime - b.MinTime)
	}
	u(uint64(len(p.Chunks)))
	prev := uint64(0)
	for _, c := range p.Chunks {
		s(int64(c - prev))
		prev = c
	}
	for _, v := range []int64{p.ColumnBytes, p.DictBytes, p.BitmapBytes, p.IDBytes, p.RawBytes, p.RawSize} {
		u(uint64(v))
	}
	u(uint64(len(p.cols)))
	for _, c := range p.cols {
		if !c.present {
			u(0)
			continue
		}
		u(1)
		u(uint64(c.dictLen))
		for _, b := range c.blocks {
			u(uint64(b.size))
			s(b.min)
			s(b.max - b.min)
		}
	}
	return dst
}

// headerReader reads a header's numbers, remembering the first error.
type headerReader struct {
	b   []byte
	err error
}

func (r *headerReader) u() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("truncated header")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *headerReader) s() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errors.New("truncated header")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a count that must not exceed max.
func (r *headerReader) count(max int) int {
	v := r.u()
	if v > uint64(max) {
		r.fail("count %d exceeds %d", v, max)
		return 0
	}
	return int(v)
}

func (r *headerReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

// decodePartHeader decodes and checks a part header.
func decodePartHeader(b []byte) (*Part, error) {
	r := &headerReader{b: b}
	version := r.u()
	if r.err == nil && version != 1 && version != partHeaderVersion {
		return nil, fmt.Errorf("unknown part header version %d", version)
	}
	p := &Part{}
	p.ID = r.u()
	day := r.s()
	if day < -1<<31 || day >= 1<<31 {
		r.fail("day %d out of range", day)
	}
	p.Day = int32(day)
	p.Rows = r.count(maxPartRows)
	p.MinTime = r.s()
	p.MaxTime = r.s()
	types := 4 // version 1: interactive to managedIdentity
	if version >= 2 {
		types = r.count(len(p.Types))
	}
	typed := int64(0)
	for i := range types {
		p.Types[i] = int64(r.count(maxPartRows))
		typed += p.Types[i]
	}
	nb := r.count(maxPartRows/blockRows + 1)
	if r.err == nil && nb != (p.Rows+blockRows-1)/blockRows {
		r.fail("%d blocks for %d rows", nb, p.Rows)
	}
	if r.err == nil && typed != int64(p.Rows) {
		r.fail("rows by type add to %d, not %d", typed, p.Rows)
	}
	p.Blocks = make([]BlockHeader, nb)
	for i := range p.Blocks {
		b := &p.Blocks[i]
		b.Rows = r.count(blockRows)
		b.MinTime = r.s()
		b.MaxTime = b.MinTime + r.s()
		want := blockRows
		if i == nb-1 {
			want = p.Rows - i*blockRows
		}
		if r.err == nil && b.Rows != want {
			r.fail("block %d has %d rows, want %d", i, b.Rows, want)
		}
	}
	nc := r.count(maxPartRows)
	p.Chunks = make([]uint64, nc)
	prev := uint64(0)
	for i := range p.Chunks {
		prev += uint64(r.s())
		p.Chunks[i] = prev
	}
	for _, v := range []*int64{&p.ColumnBytes, &p.DictBytes, &p.BitmapBytes, &p.IDBytes, &p.RawBytes, &p.RawSize} {
		*v = int64(r.u())
	}
	ncols := r.count(1 << 12)
	p.cols = make([]partColumn, ncols)
	for i := range p.cols {
		c := &p.cols[i]
		switch r.u() {
		case 0:
			continue
		case 1:
		default:
			r.fail("bad presence flag of column %d", i)
		}
		c.present = true
		c.dictLen = r.count(1 << 31)
		c.blocks = make([]colBlock, nb)
		for j := range c.blocks {
			c.blocks[j].size = uint32(r.count(1 << 31))
			c.blocks[j].min = r.s()
			c.blocks[j].max = c.blocks[j].min + r.s()
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("%d bytes after the header", len(r.b))
	}
	if r.err == nil && p.Rows > 0 && (p.Blocks[0].MinTime != p.MinTime || p.Blocks[nb-1].MaxTime != p.MaxTime) {
		r.fail("time range disagrees with its blocks")
	}
	if r.err != nil {
		return nil, r.err
	}
	if p.Rows == 0 {
		return nil, errors.New("empty part")
	}
	if len(p.cols) <= int(colTime.ID) || !p.cols[colTime.ID].present {
		return nil, errors.New("no time column")
	}
	return p, nil
}
