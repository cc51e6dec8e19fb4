package index

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// Key identifies a sign-in in a part's id index: byte 0 is the sign-in's
// type, bytes 1 to 16 its id's 16 bytes. Keys order bytewise.
type Key [17]byte

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
	slices.SortFunc(entries, func(a, b IDEntry) int { return bytes.Compare(a.Key[:], b.Key[:]) })
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
