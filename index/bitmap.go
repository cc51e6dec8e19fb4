package index

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// The cookies that open roaring's portable serialization.
const (
	roaringCookieRuns   = 12347 // low 16 bits; high 16 bits: containers - 1
	roaringCookieNoRuns = 12346 // a uint32 count of containers follows
)

// checkBitmap checks that b is exactly one bitmap in roaring's portable
// serialization (https://github.com/RoaringBitmap/RoaringFormatSpec) that
// satisfies every invariant roaring relies on, and returns its cardinality.
// Its errors say what is wrong; callers wrap them in ErrCorrupt.
//
// Roaring's own reader checks little more than the lengths, and operations
// on a bitmap that breaks an invariant (unsorted array container, wrong
// bitmap container cardinality, overlapping runs) may panic or give wrong
// answers; its Validate method catches those but costs quadratic time in
// the runs of a container. checkBitmap checks the same invariants in one
// pass over b, before roaring sees it.
func checkBitmap(b []byte) (uint64, error) {
	if len(b) < 4 {
		return 0, fmt.Errorf("bitmap: %d bytes", len(b))
	}
	cookie := binary.LittleEndian.Uint32(b)
	var size int
	var runs []byte // bit i set: container i is a run container
	p := 4
	switch {
	case cookie&0xffff == roaringCookieRuns:
		size = int(cookie>>16) + 1
		nb := (size + 7) / 8
		if len(b)-p < nb {
			return 0, fmt.Errorf("bitmap: truncated run flags")
		}
		runs, p = b[p:p+nb], p+nb
	case cookie == roaringCookieNoRuns:
		if len(b) < 8 {
			return 0, fmt.Errorf("bitmap: truncated header")
		}
		s := binary.LittleEndian.Uint32(b[4:])
		if s > 1<<16 {
			return 0, fmt.Errorf("bitmap: %d containers", s)
		}
		size, p = int(s), 8
	default:
		return 0, fmt.Errorf("bitmap: bad cookie %#x", cookie)
	}
	if len(b)-p < 4*size {
		return 0, fmt.Errorf("bitmap: truncated header")
	}
	hdr := b[p : p+4*size]
	p += 4 * size
	if runs == nil || size >= 4 {
		// Offsets of the containers, which roaring's reader skips.
		if len(b)-p < 4*size {
			return 0, fmt.Errorf("bitmap: truncated offsets")
		}
		p += 4 * size
	}
	var total uint64
	prev := -1
	for i := range size {
		key := int(binary.LittleEndian.Uint16(hdr[4*i:]))
		card := int(binary.LittleEndian.Uint16(hdr[4*i+2:])) + 1
		if key <= prev {
			return 0, fmt.Errorf("bitmap: container keys not increasing at %d", i)
		}
		prev = key
		switch {
		case runs != nil && runs[i/8]>>(i%8)&1 != 0:
			if len(b)-p < 2 {
				return 0, fmt.Errorf("bitmap: truncated run container %d", i)
			}
			nr := int(binary.LittleEndian.Uint16(b[p:]))
			p += 2
			if nr == 0 || len(b)-p < 4*nr {
				return 0, fmt.Errorf("bitmap: bad run container %d", i)
			}
			c, next := 0, 0
			for r := range nr {
				start := int(binary.LittleEndian.Uint16(b[p+4*r:]))
				last := start + int(binary.LittleEndian.Uint16(b[p+4*r+2:]))
				if start < next || last > 0xffff {
					return 0, fmt.Errorf("bitmap: run container %d: bad run %d", i, r)
				}
				c += last - start + 1
				next = last + 2 // runs are disjoint and not adjacent
			}
			if c != card {
				return 0, fmt.Errorf("bitmap: run container %d holds %d values, not %d", i, c, card)
			}
			p += 4 * nr
		case card > 4096:
			if len(b)-p < 8192 {
				return 0, fmt.Errorf("bitmap: truncated bitmap container %d", i)
			}
			c := 0
			for w := b[p : p+8192]; len(w) >= 32; w = w[32:] {
				c += bits.OnesCount64(binary.LittleEndian.Uint64(w)) +
					bits.OnesCount64(binary.LittleEndian.Uint64(w[8:])) +
					bits.OnesCount64(binary.LittleEndian.Uint64(w[16:])) +
					bits.OnesCount64(binary.LittleEndian.Uint64(w[24:]))
			}
			if c != card {
				return 0, fmt.Errorf("bitmap: bitmap container %d holds %d values, not %d", i, c, card)
			}
			p += 8192
		default:
			if len(b)-p < 2*card {
				return 0, fmt.Errorf("bitmap: truncated array container %d", i)
			}
			a := b[p : p+2*card]
			prev := -1
			for j := 1; j < len(a); j += 2 {
				v := int(a[j-1]) | int(a[j])<<8
				if v <= prev {
					return 0, fmt.Errorf("bitmap: array container %d not increasing at %d", i, j/2)
				}
				prev = v
			}
			p += 2 * card
		}
		total += uint64(card)
	}
	if p != len(b) {
		return 0, fmt.Errorf("bitmap: %d bytes after the bitmap", len(b)-p)
	}
	return total, nil
}

// Container sizes as roaring's RunOptimize weighs them: a run container
// of r runs serializes to 2+4r bytes, an array container of c values to
// 2c, and a bitmap container costs 8,192 bytes plus its Go header.
const (
	arrayMaxCard    = 4096
	bitmapContBytes = 8192
	bitmapWeight    = bitmapContBytes + 32
)

// container is one container of a bitmap being written from sorted rows:
// its key (the rows' high 16 bits), its rows, and the runs they form.
type container struct {
	key  uint16
	rows []uint32
	runs int
}

// kind returns how roaring's RunOptimize would store the container: as
// runs when that is smaller than both other forms, else as an array up to
// 4,096 values, else as a bitmap.
func (c *container) kind() (run, bitmap bool) {
	card := len(c.rows)
	if 2+4*c.runs < min(bitmapWeight, 2*card) {
		return true, false
	}
	return false, card > arrayMaxCard
}

// size returns the container's serialized size.
func (c *container) size() int {
	switch run, bitmap := c.kind(); {
	case run:
		return 2 + 4*c.runs
	case bitmap:
		return bitmapContBytes
	}
	return 2 * len(c.rows)
}

// appendBitmap appends the roaring portable serialization of the bitmap
// holding rows, which must be strictly increasing and not empty: the bytes
// roaring.Bitmap.WriteTo writes for that bitmap after RunOptimize, built
// without a roaring.Bitmap. cs is scratch space, returned for reuse.
func appendBitmap(dst []byte, rows []uint32, cs []container) ([]byte, []container) {
	cs = cs[:0]
	for i := 0; i < len(rows); {
		key := rows[i] >> 16
		j, runs := i+1, 1
		for j < len(rows) && rows[j]>>16 == key {
			if rows[j] != rows[j-1]+1 {
				runs++
			}
			j++
		}
		cs = append(cs, container{key: uint16(key), rows: rows[i:j], runs: runs})
		i = j
	}
	n := len(cs)
	hasRun := false
	for i := range cs {
		if run, _ := cs[i].kind(); run {
			hasRun = true
			break
		}
	}
	preamble := 8 + 4*n
	if hasRun {
		preamble = 4 + (n+7)/8 + 4*n
		dst = binary.LittleEndian.AppendUint16(dst, roaringCookieRuns)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(n-1))
		flags := len(dst)
		dst = append(dst, make([]byte, (n+7)/8)...)
		for i := range cs {
			if run, _ := cs[i].kind(); run {
				dst[flags+i/8] |= 1 << (i % 8)
			}
		}
	} else {
		dst = binary.LittleEndian.AppendUint32(dst, roaringCookieNoRuns)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	}
	for i := range cs {
		dst = binary.LittleEndian.AppendUint16(dst, cs[i].key)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(len(cs[i].rows)-1))
	}
	if !hasRun || n >= 4 {
		off := preamble + 4*n
		for i := range cs {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(off))
			off += cs[i].size()
		}
	}
	for i := range cs {
		c := &cs[i]
		switch run, bitmap := c.kind(); {
		case run:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(c.runs))
			for k := 0; k < len(c.rows); {
				s := k
				for k+1 < len(c.rows) && c.rows[k+1] == c.rows[k]+1 {
					k++
				}
				dst = binary.LittleEndian.AppendUint16(dst, uint16(c.rows[s]))
				dst = binary.LittleEndian.AppendUint16(dst, uint16(k-s))
				k++
			}
		case bitmap:
			var words [bitmapContBytes / 8]uint64
			for _, r := range c.rows {
				words[r&0xffff>>6] |= 1 << (r & 63)
			}
			for _, w := range words {
				dst = binary.LittleEndian.AppendUint64(dst, w)
			}
		default:
			for _, r := range c.rows {
				dst = binary.LittleEndian.AppendUint16(dst, uint16(r))
			}
		}
	}
	return dst, cs
}
