package index

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
)

// Key identifies a sign-in in a part's id index: byte 0 is the sign-in's
// type, bytes 1 to 16 its id's 16 bytes. Keys order bytewise.
type Key [17]byte

// Compare orders keys bytewise, returning -1, 0 or +1, a word at a time.
func (k *Key) Compare(o *Key) int {
	if k[0] != o[0] {
		return cmp.Compare(k[0], o[0])
	}
	if a, b := binary.BigEndian.Uint64(k[1:]), binary.BigEndian.Uint64(o[1:]); a != b {
		return cmp.Compare(a, b)
	}
	return cmp.Compare(binary.BigEndian.Uint64(k[9:]), binary.BigEndian.Uint64(o[9:]))
}

// IDEntry maps a sign-in's key to its row in a part.
type IDEntry struct {
	Key Key
	Row uint32
}

// idEntry is the size of an entry of an id index: the key, then the row
// as a little-endian uint32.
const idEntry = keyLen + 4

// keyLen is the size of a Key.
const keyLen = 17

// AppendIDIndex appends the encoding of an id index to dst and returns the
// extended slice. It sorts entries by key, in place. Keys must be unique;
// otherwise it returns dst unchanged and an error wrapping ErrInvalid.
func AppendIDIndex(dst []byte, entries []IDEntry) ([]byte, error) {
	sortEntries(entries)
	for i := 1; i < len(entries); i++ {
		if entries[i-1].Key == entries[i].Key {
			return dst, fmt.Errorf("%w: id index: duplicate key %x", ErrInvalid, entries[i].Key)
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(entries)))
	dst, p := extend(dst, len(entries)*idEntry)
	for i, e := range entries {
		q := p[i*idEntry : i*idEntry+idEntry]
		copy(q, e.Key[:])
		binary.LittleEndian.PutUint32(q[keyLen:], e.Row)
	}
	return dst, nil
}

// sortEntries sorts entries by key: a radix sort of the keys' first eight
// bytes (ids are random, so these nearly always differ), then runs of
// equal prefixes by the whole key.
func sortEntries(entries []IDEntry) {
	n := len(entries)
	if n < 512 {
		slices.SortFunc(entries, func(a, b IDEntry) int { return a.Key.Compare(&b.Key) })
		return
	}
	type pref struct {
		p uint64
		i uint32
	}
	a, b := make([]pref, n), make([]pref, n)
	for i := range entries {
		a[i] = pref{binary.BigEndian.Uint64(entries[i].Key[:]), uint32(i)}
	}
	for shift := 0; shift < 64; shift += 8 {
		var count [257]int
		for _, e := range a {
			count[int(byte(e.p>>shift))+1]++
		}
		if count[int(byte(a[0].p>>shift))+1] == n {
			continue // one digit for all: nothing to do (the type byte)
		}
		for d := 1; d <= 256; d++ {
			count[d] += count[d-1]
		}
		for _, e := range a {
			d := byte(e.p >> shift)
			b[count[d]] = e
			count[d]++
		}
		a, b = b, a
	}
	out := make([]IDEntry, n)
	for i, e := range a {
		out[i] = entries[e.i]
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n && a[j].p == a[i].p {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(out[i:j], func(a, b IDEntry) int { return a.Key.Compare(&b.Key) })
		}
		i = j
	}
	copy(entries, out)
}

// IDIndex is a read-only view of an id index written by AppendIDIndex: a
// part's sign-ins' keys in increasing order, with their rows. It
// references the bytes it was decoded from, which must stay alive and
// unmodified while it is in use. Its methods are safe for concurrent use.
type IDIndex struct {
	n       int
	entries []byte
}

// DecodeIDIndex decodes an id index written by AppendIDIndex, which must
// span all of src. It checks that the keys are strictly increasing. The
// IDIndex references src (see IDIndex). Errors wrap ErrCorrupt.
func DecodeIDIndex(src []byte) (*IDIndex, error) {
	un, k := binary.Uvarint(src)
	if k <= 0 || un > uint64(len(src)-k)/idEntry {
		return nil, fmt.Errorf("%w: id index: bad count", ErrCorrupt)
	}
	n := int(un)
	if len(src)-k != n*idEntry {
		return nil, fmt.Errorf("%w: id index: %d bytes after the entries", ErrCorrupt, len(src)-k-n*idEntry)
	}
	x := &IDIndex{n: n, entries: src[k:]}
	for i := 1; i < n; i++ {
		if bytes.Compare(x.key(i-1), x.key(i)) >= 0 {
			return nil, fmt.Errorf("%w: id index: keys not increasing at %d", ErrCorrupt, i)
		}
	}
	return x, nil
}

// Len returns the number of entries.
func (x *IDIndex) Len() int { return x.n }

// key returns the bytes of entry i's key.
func (x *IDIndex) key(i int) []byte {
	return x.entries[i*idEntry : i*idEntry+keyLen]
}

// At returns entry i's key and row; i must be < Len(). Entries are in
// increasing order of key.
func (x *IDIndex) At(i int) (Key, uint32) {
	e := x.entries[i*idEntry : i*idEntry+idEntry]
	return Key(e[:keyLen]), binary.LittleEndian.Uint32(e[keyLen:])
}

// Find returns the row of the sign-in with key k, and whether the index
// holds it. It does not allocate.
func (x *IDIndex) Find(k Key) (row uint32, ok bool) {
	// Compare as a byte and two big-endian words: the bytewise order.
	k0, k1, k2 := k[0], binary.BigEndian.Uint64(k[1:]), binary.BigEndian.Uint64(k[9:])
	lo, hi := 0, x.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		e := x.entries[m*idEntry : m*idEntry+idEntry]
		e0, e1, e2 := e[0], binary.BigEndian.Uint64(e[1:]), binary.BigEndian.Uint64(e[9:])
		if e0 < k0 || e0 == k0 && (e1 < k1 || e1 == k1 && e2 < k2) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == x.n {
		return 0, false
	}
	e := x.entries[lo*idEntry : lo*idEntry+idEntry]
	if Key(e[:keyLen]) != k {
		return 0, false
	}
	return binary.LittleEndian.Uint32(e[keyLen:]), true
}
