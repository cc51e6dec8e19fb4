package index

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// MaxLen is the largest number of values a string column, or a packed
// sequence of width 0 (all values equal: nothing but the count is stored),
// may hold. Decoders reject larger counts as corrupt, so that a few garbage
// bytes cannot ask for a huge allocation; encoders must not be given more
// values. Other packed sequences are bounded by their bytes alone.
const MaxLen = 1 << 24

// Width returns the number of bytes needed to store every value in
// 0..max: 0 when max is 0, else 1 to 8.
func Width(max uint64) int {
	return (bits.Len64(max) + 7) >> 3
}

// AppendIDs appends the packed encoding of ids to dst and returns the
// extended slice. The encoding is frame-of-reference: a count, the minimum,
// and each value's distance from the minimum in a fixed number of bytes.
// Encodings may be concatenated: DecodeIDs returns the bytes that follow.
func AppendIDs(dst []byte, ids []uint32) []byte {
	if len(ids) == 0 {
		return append(dst, 0, 0, 0)
	}
	lo, hi := ids[0], ids[0]
	for _, v := range ids[1:] {
		lo = min(lo, v)
		hi = max(hi, v)
	}
	w := Width(uint64(hi - lo))
	dst = binary.AppendUvarint(dst, uint64(len(ids)))
	dst = binary.AppendUvarint(dst, uint64(lo))
	dst = append(dst, byte(w))
	dst, p := extend(dst, len(ids)*w)
	switch w {
	case 1:
		p = p[:len(ids)]
		for i, v := range ids {
			p[i] = byte(v - lo)
		}
	case 2:
		for i, v := range ids {
			binary.LittleEndian.PutUint16(p[2*i:], uint16(v-lo))
		}
	case 3:
		for i, v := range ids {
			d := v - lo
			q := p[3*i : 3*i+3]
			q[0], q[1], q[2] = byte(d), byte(d>>8), byte(d>>16)
		}
	case 4:
		for i, v := range ids {
			binary.LittleEndian.PutUint32(p[4*i:], v-lo)
		}
	}
	return dst
}

// DecodeIDs decodes a sequence written by AppendIDs from the start of src.
// It returns dst[:0] extended with the values, reusing dst's capacity, and
// the bytes of src after the encoding. On error it returns dst[:0], nil and
// an error wrapping ErrCorrupt.
func DecodeIDs(dst []uint32, src []byte) (ids []uint32, rest []byte, err error) {
	n, base, w, body, rest, err := idsHeader(src)
	if err != nil {
		return dst[:0], nil, err
	}
	ids = resize(dst, n)
	if err := unpackIDs(ids, base, w, body); err != nil {
		return dst[:0], nil, err
	}
	return ids, rest, nil
}

// idsHeader reads the header of an AppendIDs encoding and checks that the
// values fit in src. body holds exactly n*w bytes.
func idsHeader(src []byte) (n int, base uint32, w int, body, rest []byte, err error) {
	un, k := binary.Uvarint(src)
	if k <= 0 {
		return 0, 0, 0, nil, nil, fmt.Errorf("%w: packed ids: bad count", ErrCorrupt)
	}
	src = src[k:]
	ub, k := binary.Uvarint(src)
	if k <= 0 || ub > math.MaxUint32 {
		return 0, 0, 0, nil, nil, fmt.Errorf("%w: packed ids: bad minimum", ErrCorrupt)
	}
	src = src[k:]
	if len(src) == 0 || src[0] > 4 {
		return 0, 0, 0, nil, nil, fmt.Errorf("%w: packed ids: bad width", ErrCorrupt)
	}
	w = int(src[0])
	src = src[1:]
	if w == 0 && un > MaxLen || w > 0 && un > uint64(len(src)/w) {
		return 0, 0, 0, nil, nil, fmt.Errorf("%w: packed ids: %d values of %d bytes in %d bytes", ErrCorrupt, un, w, len(src))
	}
	n = int(un)
	return n, uint32(ub), w, src[:n*w], src[n*w:], nil
}

// unpackIDs writes the len(out) values of body, packed w bytes each, plus
// base into out. It fails when a value overflows uint32.
func unpackIDs(out []uint32, base uint32, w int, body []byte) error {
	switch w {
	case 0:
		for i := range out {
			out[i] = base
		}
		return nil
	case 1:
		out = out[:len(body)]
		for i, c := range body {
			out[i] = base + uint32(c)
		}
	case 2:
		i := 0
		for ; i+4 <= len(out) && 2*i+8 <= len(body); i += 4 {
			x := binary.LittleEndian.Uint64(body[2*i : 2*i+8])
			o := out[i : i+4 : i+4]
			o[0], o[1], o[2], o[3] = base+uint32(x&0xffff), base+uint32(x>>16&0xffff), base+uint32(x>>32&0xffff), base+uint32(x>>48)
		}
		for ; i < len(out) && 2*i+2 <= len(body); i++ {
			out[i] = base + uint32(binary.LittleEndian.Uint16(body[2*i:2*i+2]))
		}
	case 3:
		const m = 1<<24 - 1
		i := 0
		for ; i+4 <= len(out) && 3*i+12 <= len(body); i += 4 {
			b := body[3*i : 3*i+12 : 3*i+12]
			x, y := binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint32(b[8:])
			o := out[i : i+4 : i+4]
			o[0], o[1] = base+uint32(x&m), base+uint32(x>>24&m)
			o[2], o[3] = base+(uint32(x>>48)|(y&0xff)<<16), base+y>>8
		}
		for ; i < len(out) && 3*i+3 <= len(body); i++ {
			b := body[3*i : 3*i+3 : 3*i+3]
			out[i] = base + (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16)
		}
	case 4:
		i := 0
		for ; i+2 <= len(out) && 4*i+8 <= len(body); i += 2 {
			x := binary.LittleEndian.Uint64(body[4*i : 4*i+8])
			o := out[i : i+2 : i+2]
			o[0], o[1] = base+uint32(x), base+uint32(x>>32)
		}
		for ; i < len(out) && 4*i+4 <= len(body); i++ {
			out[i] = base + binary.LittleEndian.Uint32(body[4*i:4*i+4])
		}
	}
	if uint64(base)+(uint64(1)<<(8*w)-1) > math.MaxUint32 {
		// Some value of width w could overflow, and wrap round below base.
		for i, v := range out {
			if v < base {
				return fmt.Errorf("%w: packed ids: value %d overflows uint32", ErrCorrupt, i)
			}
		}
	}
	return nil
}

// AppendInts appends the packed encoding of vals to dst and returns the
// extended slice. Like AppendIDs it stores a count, the minimum and each
// value's distance from it in a fixed number of bytes; distances are
// computed in wrapping uint64 arithmetic, so every int64 including
// math.MinInt64 is a legal value. Encodings may be concatenated.
func AppendInts(dst []byte, vals []int64) []byte {
	if len(vals) == 0 {
		return append(dst, 0, 0, 0)
	}
	lo, hi := vals[0], vals[0]
	for _, v := range vals[1:] {
		lo = min(lo, v)
		hi = max(hi, v)
	}
	w := Width(uint64(hi) - uint64(lo))
	dst = binary.AppendUvarint(dst, uint64(len(vals)))
	dst = binary.AppendVarint(dst, lo)
	dst = append(dst, byte(w))
	dst, p := extend(dst, len(vals)*w)
	ulo := uint64(lo)
	switch w {
	case 0:
	case 1:
		p = p[:len(vals)]
		for i, v := range vals {
			p[i] = byte(uint64(v) - ulo)
		}
	case 2:
		for i, v := range vals {
			binary.LittleEndian.PutUint16(p[2*i:], uint16(uint64(v)-ulo))
		}
	case 4:
		for i, v := range vals {
			binary.LittleEndian.PutUint32(p[4*i:], uint32(uint64(v)-ulo))
		}
	case 8:
		for i, v := range vals {
			binary.LittleEndian.PutUint64(p[8*i:], uint64(v)-ulo)
		}
	default:
		for i, v := range vals {
			d := uint64(v) - ulo
			q := p[i*w : i*w+w]
			for j := range q {
				q[j] = byte(d >> (8 * j))
			}
		}
	}
	return dst
}

// DecodeInts decodes a sequence written by AppendInts from the start of
// src. It returns dst[:0] extended with the values, reusing dst's capacity,
// and the bytes of src after the encoding. On error it returns dst[:0], nil
// and an error wrapping ErrCorrupt.
func DecodeInts(dst []int64, src []byte) (vals []int64, rest []byte, err error) {
	n, base, w, body, rest, err := intsHeader(src)
	if err != nil {
		return dst[:0], nil, err
	}
	vals = resize(dst, n)
	unpackInts(vals, base, w, body)
	return vals, rest, nil
}

// intsHeader reads the header of an AppendInts encoding and checks that
// the values fit in src. body holds exactly n*w bytes.
func intsHeader(src []byte) (n int, base uint64, w int, body, rest []byte, err error) {
	un, k := binary.Uvarint(src)
	if k <= 0 {
		return 0, 0, 0, nil, nil, fmt.Errorf("%w: packed ints: bad count", ErrCorrupt)
	}
	src = src[k:]
	b, k := binary.Varint(src)
	if k <= 0 {
		return 0, 0, 0, nil, nil, fmt.Errorf("%w: packed ints: bad minimum", ErrCorrupt)
	}
	src = src[k:]
	if len(src) == 0 || src[0] > 8 {
		return 0, 0, 0, nil, nil, fmt.Errorf("%w: packed ints: bad width", ErrCorrupt)
	}
	w = int(src[0])
	src = src[1:]
	if w == 0 && un > MaxLen || w > 0 && un > uint64(len(src)/w) {
		return 0, 0, 0, nil, nil, fmt.Errorf("%w: packed ints: %d values of %d bytes in %d bytes", ErrCorrupt, un, w, len(src))
	}
	n = int(un)
	return n, uint64(b), w, src[:n*w], src[n*w:], nil
}

// unpackInts writes the len(out) values of body, packed w bytes each, plus
// base (wrapping) into out. body holds len(out)*w bytes.
func unpackInts(out []int64, base uint64, w int, body []byte) {
	switch w {
	case 0:
		for i := range out {
			out[i] = int64(base)
		}
	case 1:
		out = out[:len(body)]
		for i, c := range body {
			out[i] = int64(base + uint64(c))
		}
	case 2:
		for i := 0; i < len(out) && 2*i+2 <= len(body); i++ {
			out[i] = int64(base + uint64(binary.LittleEndian.Uint16(body[2*i:2*i+2])))
		}
	case 4:
		for i := 0; i < len(out) && 4*i+4 <= len(body); i++ {
			out[i] = int64(base + uint64(binary.LittleEndian.Uint32(body[4*i:4*i+4])))
		}
	case 8:
		for i := 0; i < len(out) && 8*i+8 <= len(body); i++ {
			out[i] = int64(base + binary.LittleEndian.Uint64(body[8*i:8*i+8]))
		}
	default:
		// Widths 3, 5, 6, 7: a 64-bit load masked, while 8 bytes remain.
		mask := uint64(1)<<(8*w) - 1
		i := 0
		for ; i < len(out) && i*w+8 <= len(body); i++ {
			out[i] = int64(base + binary.LittleEndian.Uint64(body[i*w:i*w+8])&mask)
		}
		for ; i < len(out) && i*w+w <= len(body); i++ {
			var d uint64
			for j, c := range body[i*w : i*w+w] {
				d |= uint64(c) << (8 * j)
			}
			out[i] = int64(base + d)
		}
	}
}

// AppendLists appends the encoding of a list column to dst: row i holds
// ids[offsets[i]:offsets[i+1]]. offsets holds one entry per row plus one,
// starts at 0, never decreases and ends at len(ids); an empty offsets is
// taken as no rows (ids must then be empty). The encoding is the rows'
// lengths, packed with AppendIDs, followed by the packed ids. It returns an
// error wrapping ErrInvalid, and dst unchanged, when offsets is not valid.
func AppendLists(dst []byte, offsets []uint32, ids []uint32) ([]byte, error) {
	if len(offsets) == 0 {
		if len(ids) != 0 {
			return dst, fmt.Errorf("%w: lists: no offsets for %d ids", ErrInvalid, len(ids))
		}
		offsets = []uint32{0}
	}
	if offsets[0] != 0 {
		return dst, fmt.Errorf("%w: lists: offsets start at %d", ErrInvalid, offsets[0])
	}
	if last := offsets[len(offsets)-1]; uint64(last) != uint64(len(ids)) {
		return dst, fmt.Errorf("%w: lists: offsets end at %d, not at %d ids", ErrInvalid, last, len(ids))
	}
	lens := make([]uint32, len(offsets)-1)
	for i := range lens {
		if offsets[i+1] < offsets[i] {
			return dst, fmt.Errorf("%w: lists: offsets decrease at %d", ErrInvalid, i+1)
		}
		lens[i] = offsets[i+1] - offsets[i]
	}
	dst = AppendIDs(dst, lens)
	return AppendIDs(dst, ids), nil
}

// DecodeLists decodes a list column written by AppendLists from the start
// of src. It returns offs, offsets[:0] extended with the rows+1 offsets
// (offs[0] is 0; no rows decode as offs == [0]), and vals, ids[:0] extended
// with the values, both reusing their capacity, and the bytes of src after
// the encoding. Row i's values are vals[offs[i]:offs[i+1]]. On error it
// returns offsets[:0], ids[:0], nil and an error wrapping ErrCorrupt.
func DecodeLists(offsets, ids []uint32, src []byte) (offs, vals []uint32, rest []byte, err error) {
	n, base, w, body, rest, err := idsHeader(src)
	if err != nil {
		return offsets[:0], ids[:0], nil, err
	}
	offs = resize(offsets, n+1)
	offs[0] = 0
	if err := unpackIDs(offs[1:], base, w, body); err != nil {
		return offsets[:0], ids[:0], nil, err
	}
	var sum uint64
	for i, l := range offs[1:] {
		sum += uint64(l)
		if sum > math.MaxUint32 {
			return offsets[:0], ids[:0], nil, fmt.Errorf("%w: lists: offsets overflow at row %d", ErrCorrupt, i)
		}
		offs[i+1] = uint32(sum)
	}
	vals, rest, err = DecodeIDs(ids, rest)
	if err != nil {
		return offsets[:0], ids[:0], nil, err
	}
	if uint64(len(vals)) != sum {
		return offsets[:0], ids[:0], nil, fmt.Errorf("%w: lists: rows hold %d values, not %d", ErrCorrupt, sum, len(vals))
	}
	return offs, vals, rest, nil
}

// resize returns s with length n, reusing its capacity when it suffices.
func resize[T any](s []T, n int) []T {
	return slices.Grow(s[:0], n)[:n]
}

// extend returns dst extended by n bytes, and those n bytes.
func extend(dst []byte, n int) ([]byte, []byte) {
	l := len(dst)
	dst = slices.Grow(dst, n)[:l+n]
	return dst, dst[l:]
}
