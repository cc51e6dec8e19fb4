package index

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

// DictKind is the type of a dictionary's values. Its value is the first
// byte of a dictionary's encoding.
type DictKind uint8

// The kinds of dictionaries.
const (
	DictString DictKind = 1 + iota // strings, sorted bytewise
	DictInt                        // int64s; math.MinInt64 means absent
	DictFloat                      // float64s; NaN means absent
)

var dictKindNames = [...]string{DictString: "string", DictInt: "int", DictFloat: "float"}

// String returns the kind's name: "string", "int" or "float".
func (k DictKind) String() string {
	if k >= DictString && int(k) < len(dictKindNames) {
		return dictKindNames[k]
	}
	return "DictKind(" + strconv.Itoa(int(k)) + ")"
}

// floatKey maps a float64 to a key whose unsigned order is the total order
// of dictionaries of floats: every NaN first (as 0), then -Inf up to -0,
// +0 up to +Inf.
func floatKey(f float64) uint64 {
	if f != f {
		return 0
	}
	k := math.Float64bits(f)
	if k>>63 == 1 {
		return ^k
	}
	return k | 1<<63
}

// AppendStringDict appends the encoding of a dictionary of strings to dst
// and returns the extended slice. The values must be strictly increasing
// bytewise; otherwise it returns dst unchanged and an error wrapping
// ErrInvalid.
func AppendStringDict(dst []byte, sorted []string) ([]byte, error) {
	offs := make([]uint32, len(sorted)+1)
	var end uint64
	for i, v := range sorted {
		if i > 0 && sorted[i-1] >= v {
			return dst, fmt.Errorf("%w: string dictionary not strictly increasing at %d", ErrInvalid, i)
		}
		end += uint64(len(v))
		if end > math.MaxUint32 {
			return dst, fmt.Errorf("%w: string dictionary longer than 4 GiB", ErrInvalid)
		}
		offs[i+1] = uint32(end)
	}
	dst = append(dst, byte(DictString))
	dst = AppendIDs(dst, offs)
	for _, v := range sorted {
		dst = append(dst, v...)
	}
	return dst, nil
}

// AppendIntDict appends the encoding of a dictionary of int64s to dst and
// returns the extended slice. The values must be strictly increasing;
// otherwise it returns dst unchanged and an error wrapping ErrInvalid.
func AppendIntDict(dst []byte, sorted []int64) ([]byte, error) {
	for i := 1; i < len(sorted); i++ {
		if sorted[i-1] >= sorted[i] {
			return dst, fmt.Errorf("%w: int dictionary not strictly increasing at %d", ErrInvalid, i)
		}
	}
	dst = append(dst, byte(DictInt))
	return AppendInts(dst, sorted), nil
}

// AppendFloatDict appends the encoding of a dictionary of float64s to dst
// and returns the extended slice. The values must be strictly increasing in
// the total order where NaN comes first and -0 < +0, so there is at most
// one NaN, first; otherwise it returns dst unchanged and an error wrapping
// ErrInvalid. The values' IEEE 754 bits are stored as they are.
func AppendFloatDict(dst []byte, sorted []float64) ([]byte, error) {
	for i := 1; i < len(sorted); i++ {
		if floatKey(sorted[i-1]) >= floatKey(sorted[i]) {
			return dst, fmt.Errorf("%w: float dictionary not strictly increasing at %d", ErrInvalid, i)
		}
	}
	dst = append(dst, byte(DictFloat))
	dst = binary.AppendUvarint(dst, uint64(len(sorted)))
	for _, v := range sorted {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
	}
	return dst, nil
}

// Dict is a read-only view of a dictionary: the sorted distinct values of
// one field in one part, whose ids are their positions. It references the
// bytes it was decoded from (a string dictionary's strings point into
// them), which must stay alive and unmodified while the Dict or any string
// it returned is in use. Its methods are safe for concurrent use.
//
// Methods taking an id require id < Len(); the accessors of one kind
// (String, Int, Float) require a dictionary of that kind. The finders of
// another kind than the dictionary's find nothing.
type Dict struct {
	kind DictKind
	n    int
	offs []uint32 // DictString: the n+1 offsets of the values in data
	data []byte   // DictString: the values' bytes; DictFloat: 8 bytes per value
	ints []int64  // DictInt: the values
}

// DictOf returns the dictionary of sorted values, strings, int64s or
// float64s, as a part stores it: what AppendStringDict, AppendIntDict or
// AppendFloatDict writes, decoded. Its errors are theirs.
func DictOf[T string | int64 | float64](sorted []T) (*Dict, error) {
	var b []byte
	var err error
	switch vs := any(sorted).(type) {
	case []string:
		b, err = AppendStringDict(nil, vs)
	case []int64:
		b, err = AppendIntDict(nil, vs)
	case []float64:
		b, err = AppendFloatDict(nil, vs)
	}
	if err != nil {
		return nil, err
	}
	return DecodeDict(b)
}

// DecodeDict decodes a dictionary written by AppendStringDict, AppendIntDict
// or AppendFloatDict, which must span all of src. It checks that the values
// are strictly increasing. The Dict references src (see Dict). Errors wrap
// ErrCorrupt.
func DecodeDict(src []byte) (*Dict, error) {
	if len(src) == 0 {
		return nil, fmt.Errorf("%w: dictionary: empty", ErrCorrupt)
	}
	d := &Dict{kind: DictKind(src[0])}
	src = src[1:]
	var rest []byte
	switch d.kind {
	case DictString:
		m, base, w, body, r, err := idsHeader(src)
		if err != nil {
			return nil, err
		}
		// Only the first value may be empty: n <= bytes + 1.
		if m == 0 || m-2 > len(r) {
			return nil, fmt.Errorf("%w: dictionary: %d offsets for %d bytes", ErrCorrupt, m, len(r))
		}
		d.offs = make([]uint32, m)
		if err := unpackIDs(d.offs, base, w, body); err != nil {
			return nil, err
		}
		if d.offs[0] != 0 {
			return nil, fmt.Errorf("%w: dictionary offsets start at %d", ErrCorrupt, d.offs[0])
		}
		for i := 1; i < m; i++ {
			if d.offs[i] < d.offs[i-1] {
				return nil, fmt.Errorf("%w: dictionary offsets decrease at %d", ErrCorrupt, i)
			}
		}
		end := d.offs[m-1]
		if uint64(end) > uint64(len(r)) {
			return nil, fmt.Errorf("%w: dictionary values beyond the input", ErrCorrupt)
		}
		d.n, d.data, rest = m-1, r[:end], r[end:]
		for i := 1; i < d.n; i++ {
			if d.String(uint32(i-1)) >= d.String(uint32(i)) {
				return nil, fmt.Errorf("%w: dictionary not strictly increasing at %d", ErrCorrupt, i)
			}
		}
	case DictInt:
		// Strictly increasing values at most w bytes apart number at most
		// 256^w: check before allocating.
		m, _, w, _, _, err := intsHeader(src)
		if err != nil {
			return nil, err
		}
		if w < 4 && m > 1<<(8*w) {
			return nil, fmt.Errorf("%w: dictionary: %d distinct values of width %d", ErrCorrupt, m, w)
		}
		vals, r, err := DecodeInts(nil, src)
		if err != nil {
			return nil, err
		}
		for i := 1; i < len(vals); i++ {
			if vals[i-1] >= vals[i] {
				return nil, fmt.Errorf("%w: dictionary not strictly increasing at %d", ErrCorrupt, i)
			}
		}
		d.n, d.ints, rest = len(vals), vals, r
	case DictFloat:
		un, k := binary.Uvarint(src)
		if k <= 0 || un > uint64(len(src)-k)/8 {
			return nil, fmt.Errorf("%w: dictionary: bad count", ErrCorrupt)
		}
		d.n = int(un)
		d.data, rest = src[k:k+8*d.n], src[k+8*d.n:]
		for i := 1; i < d.n; i++ {
			if floatKey(d.Float(uint32(i-1))) >= floatKey(d.Float(uint32(i))) {
				return nil, fmt.Errorf("%w: dictionary not strictly increasing at %d", ErrCorrupt, i)
			}
		}
	default:
		return nil, fmt.Errorf("%w: dictionary: unknown kind %d", ErrCorrupt, d.kind)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: dictionary: %d bytes after the values", ErrCorrupt, len(rest))
	}
	return d, nil
}

// Kind returns the kind of the dictionary's values.
func (d *Dict) Kind() DictKind { return d.kind }

// Len returns the number of values; their ids are 0..Len()-1.
func (d *Dict) Len() int { return d.n }

// String returns the value of id in a DictString dictionary. The string
// references the decoded bytes (see Dict).
func (d *Dict) String(id uint32) string {
	a, b := d.offs[id], d.offs[id+1]
	if a == b {
		return ""
	}
	return unsafe.String(&d.data[a], b-a)
}

// Int returns the value of id in a DictInt dictionary.
func (d *Dict) Int(id uint32) int64 { return d.ints[id] }

// Float returns the value of id in a DictFloat dictionary.
func (d *Dict) Float(id uint32) float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(d.data[8*id:]))
}

// search returns the smallest id in [lo, Len()) for which f is true, or
// Len(); f must be false then true over that range.
func (d *Dict) search(lo int, f func(id uint32) bool) uint32 {
	return uint32(lo + sort.Search(d.n-lo, func(i int) bool { return f(uint32(lo + i)) }))
}

// Find returns the id of s in a DictString dictionary, and whether it is
// there.
func (d *Dict) Find(s string) (uint32, bool) {
	if d.kind != DictString {
		return 0, false
	}
	lo, hi := 0, d.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.String(uint32(m)) < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return uint32(lo), lo < d.n && d.String(uint32(lo)) == s
}

// FindInt returns the id of v in a DictInt dictionary, and whether it is
// there.
func (d *Dict) FindInt(v int64) (uint32, bool) {
	if d.kind != DictInt {
		return 0, false
	}
	lo, hi := 0, len(d.ints)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.ints[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return uint32(lo), lo < len(d.ints) && d.ints[lo] == v
}

// FindFloat returns the id of v in a DictFloat dictionary, and whether it
// is there. Values are told apart by the dictionary's total order: -0 and
// +0 are different values, and any NaN finds the dictionary's NaN.
func (d *Dict) FindFloat(v float64) (uint32, bool) {
	if d.kind != DictFloat {
		return 0, false
	}
	k := floatKey(v)
	lo, hi := 0, d.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if floatKey(d.Float(uint32(m))) < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return uint32(lo), lo < d.n && floatKey(d.Float(uint32(lo))) == k
}

// PrefixRange returns the ids [lo, hi) of the values of a DictString
// dictionary that start with prefix; lo == hi when there are none.
func (d *Dict) PrefixRange(prefix string) (lo, hi uint32) {
	if d.kind != DictString {
		return 0, 0
	}
	lo = d.search(0, func(id uint32) bool { return d.String(id) >= prefix })
	hi = d.search(int(lo), func(id uint32) bool { return !strings.HasPrefix(d.String(id), prefix) })
	return lo, hi
}

// IntRange returns the ids [lo, hi) of the values of a DictInt dictionary
// in [min, max]; lo == hi when there are none.
func (d *Dict) IntRange(min, max int64) (lo, hi uint32) {
	if d.kind != DictInt {
		return 0, 0
	}
	lo = d.search(0, func(id uint32) bool { return d.ints[id] >= min })
	hi = d.search(int(lo), func(id uint32) bool { return d.ints[id] > max })
	return lo, hi
}

// FloatRange returns the ids [lo, hi) of the values of a DictFloat
// dictionary numerically in [min, max] (so both zeros are in [0, 0]); lo ==
// hi when there are none. NaN is in no range, and a NaN bound makes the
// range empty.
func (d *Dict) FloatRange(min, max float64) (lo, hi uint32) {
	if d.kind != DictFloat || min != min || max != max {
		return 0, 0
	}
	start := 0
	if d.n > 0 && d.Float(0) != d.Float(0) {
		start = 1
	}
	lo = d.search(start, func(id uint32) bool { return d.Float(id) >= min })
	hi = d.search(int(lo), func(id uint32) bool { return d.Float(id) > max })
	return lo, hi
}

// Matching appends to dst, in increasing order, the ids of the values of a
// DictString dictionary that match, and returns the extended slice: the
// values a pattern (contains, a glob, a regular expression) selects, each
// tested once per part however many rows hold it.
func (d *Dict) Matching(dst []uint32, match func(s string) bool) []uint32 {
	if d.kind != DictString {
		return dst
	}
	for id := range uint32(d.n) {
		if match(d.String(id)) {
			dst = append(dst, id)
		}
	}
	return dst
}
