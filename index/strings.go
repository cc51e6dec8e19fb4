package index

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unsafe"
)

// The encodings of a string column.
const (
	stringsPlain     = 0 // packed lengths, then the bytes
	stringsGUIDLower = 1 // presence bits, then 16 bytes per present lowercase GUID
	stringsGUIDUpper = 2 // the same for uppercase GUIDs
)

// guidLen is the length of a GUID's text: 32 hex digits and 4 dashes.
const guidLen = 36

// guidHex are the offsets in a GUID's text of its 16 bytes' hex pairs.
var guidHex = [16]uint8{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// hexValue maps, for lowercase (0) and uppercase (1) text, a byte to its
// hex digit's value, or to 0xff when it is not a digit of that case.
var hexValue = func() (t [2][256]byte) {
	for c := range 256 {
		t[0][c], t[1][c] = 0xff, 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[0][c], t[1][c] = c-'0', c-'0'
	}
	for c := byte(0); c < 6; c++ {
		t[0]['a'+c], t[1]['A'+c] = 10+c, 10+c
	}
	return t
}()

// hexDigits are the lowercase (0) and uppercase (1) hex digits.
var hexDigits = [2]string{"0123456789abcdef", "0123456789ABCDEF"}

// parseGUID parses the canonical text of a GUID in one case (0 lowercase,
// 1 uppercase; digits are of both) into its 16 bytes.
func parseGUID(s string, upper int) (g [16]byte, ok bool) {
	if len(s) != guidLen || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, false
	}
	t := &hexValue[upper]
	var bad byte
	for i, o := range guidHex {
		hi, lo := t[s[o]], t[s[o+1]]
		bad |= hi | lo
		g[i] = hi<<4 | lo&0x0f
	}
	return g, bad&0xf0 == 0
}

// appendGUID appends the canonical text of the GUID g, in lowercase (0) or
// uppercase (1), to dst.
func appendGUID(dst []byte, g []byte, upper int) []byte {
	d := hexDigits[upper]
	var b [guidLen]byte
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	for i, o := range guidHex {
		b[o], b[o+1] = d[g[i]>>4], d[g[i]&0x0f]
	}
	return append(dst, b[:]...)
}

// AppendStrings appends the encoding of a column of strings to dst and
// returns the extended slice. A column whose non-empty values are all
// canonical GUIDs (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) in one case, with
// at least one non-empty value, is stored as 16 bytes per non-empty value;
// any other column as its values' lengths and bytes. The values' total
// length must be below 4 GiB, and there must be at most MaxLen of them.
// Encodings may be concatenated: DecodeStrings returns the bytes that
// follow.
func AppendStrings(dst []byte, vals []string) []byte {
	lower, upper, present := true, true, 0
	for _, v := range vals {
		if v == "" {
			continue
		}
		present++
		if lower {
			_, lower = parseGUID(v, 0)
		}
		if upper {
			_, upper = parseGUID(v, 1)
		}
		if !lower && !upper {
			break
		}
	}
	if present == 0 || !lower && !upper {
		dst = append(dst, stringsPlain)
		dst = binary.AppendUvarint(dst, uint64(len(vals)))
		lens := make([]uint32, len(vals))
		for i, v := range vals {
			lens[i] = uint32(len(v))
		}
		dst = AppendIDs(dst, lens)
		for _, v := range vals {
			dst = append(dst, v...)
		}
		return dst
	}
	enc, cs := byte(stringsGUIDLower), 0
	if !lower {
		enc, cs = stringsGUIDUpper, 1
	}
	dst = append(dst, enc)
	dst = binary.AppendUvarint(dst, uint64(len(vals)))
	nb := (len(vals) + 7) / 8
	dst, p := extend(dst, nb+16*present)
	set, p := p[:nb], p[nb:]
	clear(set)
	for i, v := range vals {
		if v == "" {
			continue
		}
		set[i/8] |= 1 << (i % 8)
		g, _ := parseGUID(v, cs)
		p = p[copy(p, g[:]):]
	}
	return dst
}

// Strings is a read-only view of a string column written by AppendStrings.
// It references the bytes it was decoded from, which must stay alive and
// unmodified while the view or any string it returned is in use. Its
// methods other than Decode are safe for concurrent use.
//
// The zero value is an empty column, ready for Decode.
type Strings struct {
	enc   byte
	n     int
	offs  []uint32 // plain: the n+1 offsets of the values in data
	data  []byte   // plain: the values' bytes; GUIDs: 16 bytes per present row
	dense bool     // GUIDs: every row is present (words and ranks are unused)
	words []uint64 // GUIDs: bit i set when row i is present
	ranks []uint32 // GUIDs: the present rows before each word
}

// DecodeStrings decodes a string column written by AppendStrings from the
// start of src. It returns a view of the column and the bytes of src after
// the encoding; the view references src (see Strings). Errors wrap
// ErrCorrupt.
func DecodeStrings(src []byte) (*Strings, []byte, error) {
	s := new(Strings)
	rest, err := s.Decode(src)
	if err != nil {
		return nil, nil, err
	}
	return s, rest, nil
}

// Decode makes s a view of the string column written by AppendStrings at
// the start of src, reusing s's memory, and returns the bytes of src after
// the encoding. It allocates nothing once s has decoded a column as large.
// On error s is an empty column and the error wraps ErrCorrupt. Decode must
// not run concurrently with any other use of s.
func (s *Strings) Decode(src []byte) ([]byte, error) {
	rest, err := s.decode(src)
	if err != nil {
		s.enc, s.n, s.offs, s.data, s.dense = stringsPlain, 0, s.offs[:0], nil, false
		return nil, err
	}
	return rest, nil
}

func (s *Strings) decode(src []byte) ([]byte, error) {
	if len(src) == 0 || src[0] > stringsGUIDUpper {
		return nil, fmt.Errorf("%w: strings: bad encoding", ErrCorrupt)
	}
	s.enc = src[0]
	un, k := binary.Uvarint(src[1:])
	if k <= 0 || un > MaxLen {
		return nil, fmt.Errorf("%w: strings: bad count", ErrCorrupt)
	}
	src = src[1+k:]
	n := int(un)
	if s.enc == stringsPlain {
		m, base, w, body, rest, err := idsHeader(src)
		if err != nil {
			return nil, err
		}
		if m != n {
			return nil, fmt.Errorf("%w: strings: %d lengths for %d values", ErrCorrupt, m, n)
		}
		s.offs = resize(s.offs, n+1)
		s.offs[0] = 0
		if err := unpackIDs(s.offs[1:], base, w, body); err != nil {
			return nil, err
		}
		var sum uint64
		for i, l := range s.offs[1:] {
			sum += uint64(l)
			if sum > uint64(len(rest)) {
				return nil, fmt.Errorf("%w: strings: value %d beyond the input", ErrCorrupt, i)
			}
			s.offs[i+1] = uint32(sum)
		}
		s.n, s.data = n, rest[:sum]
		return rest[sum:], nil
	}
	nb := (n + 7) / 8
	if nb > len(src) {
		return nil, fmt.Errorf("%w: strings: presence bits beyond the input", ErrCorrupt)
	}
	set := src[:nb]
	src = src[nb:]
	if n%8 != 0 && set[nb-1]>>(n%8) != 0 {
		return nil, fmt.Errorf("%w: strings: presence bits set past the last row", ErrCorrupt)
	}
	present := 0
	s.words = resize(s.words, (n+63)/64)
	s.ranks = resize(s.ranks, len(s.words))
	for j := range s.words {
		var w uint64
		for b, c := range set[8*j : min(8*j+8, nb)] {
			w |= uint64(c) << (8 * b)
		}
		s.words[j], s.ranks[j] = w, uint32(present)
		present += bits.OnesCount64(w)
	}
	if present > len(src)/16 {
		return nil, fmt.Errorf("%w: strings: %d GUIDs beyond the input", ErrCorrupt, present)
	}
	s.n, s.data, s.dense = n, src[:16*present], present == n
	return src[16*present:], nil
}

// Len returns the number of values in the column.
func (s *Strings) Len() int { return s.n }

// Size returns the memory the view's arrays take, in bytes (the bytes it
// was decoded from included).
func (s *Strings) Size() int64 {
	return int64(4*len(s.offs) + len(s.data) + 8*len(s.words) + 4*len(s.ranks))
}

// present reports whether row i of a GUID column holds a value, and its
// index among the present rows.
func (s *Strings) present(i int) (k int, ok bool) {
	if s.dense {
		return i, true
	}
	w := s.words[i>>6]
	m := uint64(1) << (i & 63)
	return int(s.ranks[i>>6]) + bits.OnesCount64(w&(m-1)), w&m != 0
}

// At returns value i; i must be < Len(). For a plain column the string
// references the decoded bytes (see Strings); for a GUID column it is a new
// string.
func (s *Strings) At(i int) string {
	if s.enc == stringsPlain {
		a, b := s.offs[i], s.offs[i+1]
		if a == b {
			return ""
		}
		return unsafe.String(&s.data[a], b-a)
	}
	var buf [guidLen]byte
	return string(s.AppendTo(buf[:0], i))
}

// AppendTo appends value i to dst and returns the extended slice; i must be
// < Len(). It allocates only when dst must grow.
func (s *Strings) AppendTo(dst []byte, i int) []byte {
	if s.enc == stringsPlain {
		return append(dst, s.data[s.offs[i]:s.offs[i+1]]...)
	}
	k, ok := s.present(i)
	if !ok {
		return dst
	}
	return appendGUID(dst, s.data[16*k:16*k+16], int(s.enc-stringsGUIDLower))
}

// Equal reports whether value i is v, byte for byte (a GUID column does not
// match GUIDs of the other case); i must be < Len(). It does not allocate.
func (s *Strings) Equal(i int, v string) bool {
	if s.enc == stringsPlain {
		return string(s.data[s.offs[i]:s.offs[i+1]]) == v
	}
	k, ok := s.present(i)
	if !ok || v == "" {
		return !ok && v == ""
	}
	g, ok := parseGUID(v, int(s.enc-stringsGUIDLower))
	return ok && string(s.data[16*k:16*k+16]) == string(g[:])
}

// Find returns the first row at or after from whose value is v, byte for
// byte, or -1 when there is none. It does not allocate; on a GUID column it
// parses v once and compares 16-byte values.
func (s *Strings) Find(v string, from int) int {
	from = max(from, 0)
	if from >= s.n {
		return -1
	}
	if s.enc == stringsPlain {
		for i := from; i < s.n; i++ {
			a, b := s.offs[i], s.offs[i+1]
			if int(b-a) == len(v) && string(s.data[a:b]) == v {
				return i
			}
		}
		return -1
	}
	if v == "" {
		if s.dense {
			return -1
		}
		for j := from >> 6; j < len(s.words); j++ {
			w := ^s.words[j]
			if j == from>>6 {
				w &= ^uint64(0) << (from & 63)
			}
			if w != 0 {
				if i := j<<6 + bits.TrailingZeros64(w); i < s.n {
					return i
				}
				return -1
			}
		}
		return -1
	}
	g, ok := parseGUID(v, int(s.enc-stringsGUIDLower))
	if !ok {
		return -1
	}
	hi, lo := binary.LittleEndian.Uint64(g[:8]), binary.LittleEndian.Uint64(g[8:])
	d := s.data
	if s.dense {
		for i := from; i < s.n; i++ {
			e := d[16*i : 16*i+16]
			if binary.LittleEndian.Uint64(e) == hi && binary.LittleEndian.Uint64(e[8:]) == lo {
				return i
			}
		}
		return -1
	}
	k, _ := s.present(from)
	for j := from >> 6; j < len(s.words); j++ {
		w := s.words[j]
		if j == from>>6 {
			w &= ^uint64(0) << (from & 63)
		}
		for ; w != 0; w &= w - 1 {
			e := d[16*k : 16*k+16]
			if binary.LittleEndian.Uint64(e) == hi && binary.LittleEndian.Uint64(e[8:]) == lo {
				return j<<6 + bits.TrailingZeros64(w)
			}
			k++
		}
	}
	return -1
}
