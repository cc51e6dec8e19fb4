package engine

import (
	"encoding/binary"
	mathbits "math/bits"

	"github.com/signinq/signinq/index"
)

// keySet is a set of sign-in keys, for duplicate checks: open addressing
// with linear probing over a power-of-two table, about 23 to 45 bytes a
// key. Keys are GUID bytes or hashes, so a cheap mix of their words
// spreads them. A slot whose first byte is freeSlot is free: a key's first
// byte holds its type (below 4) and flags (0x40, 0x80), never 0xff. The
// zero value is an empty set; it is not safe for concurrent use.
type keySet struct {
	slots []index.Key
	n     int
}

const freeSlot = 0xff

func keyHash(k *index.Key) uint64 {
	h := binary.LittleEndian.Uint64(k[1:]) ^ binary.LittleEndian.Uint64(k[9:])*0x9e3779b97f4a7c15 ^ uint64(k[0])
	h ^= h >> 32
	h *= 0xd6e8feb86659fd93
	return h ^ h>>32
}

// find returns the slot holding k, or the free slot where it would go.
func (s *keySet) find(k *index.Key) (int, bool) {
	mask := len(s.slots) - 1
	for i := int(keyHash(k)) & mask; ; i = (i + 1) & mask {
		e := &s.slots[i]
		if e[0] == freeSlot {
			return i, false
		}
		if *e == *k {
			return i, true
		}
	}
}

// has reports whether k is in the set.
func (s *keySet) has(k index.Key) bool {
	if s.n == 0 {
		return false
	}
	_, ok := s.find(&k)
	return ok
}

// add adds k and reports whether it was not in the set. A key whose first
// byte is freeSlot (only corrupt data holds one) is not added.
func (s *keySet) add(k index.Key) bool {
	if k[0] == freeSlot {
		return false
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	i, ok := s.find(&k)
	if ok {
		return false
	}
	s.slots[i] = k
	s.n++
	return true
}

// addAll adds keys, in order, and sets fresh[i] to whether keys[i] was
// not in the set before. It visits the table in slot order, not in the
// keys' order, so that a large batch walks a large table from start to end
// rather than missing the cache at every key; keys equal to each other
// keep their order, so the first of them is the fresh one.
func (s *keySet) addAll(keys []index.Key, fresh []bool) {
	for 4*(s.n+len(keys)) > 3*len(s.slots) {
		s.grow()
	}
	if len(keys) < 1024 {
		for i, k := range keys {
			fresh[i] = s.add(k)
		}
		return
	}
	// A stable radix sort of the keys' positions by their home slots.
	bits := uint(64 - mathbits.LeadingZeros64(uint64(len(s.slots)-1)))
	type ent struct{ slot, i uint32 }
	a, b := make([]ent, len(keys)), make([]ent, len(keys))
	for i := range keys {
		a[i] = ent{uint32(keyHash(&keys[i]) & uint64(len(s.slots)-1)), uint32(i)}
	}
	for shift := uint(0); shift < bits; shift += 11 {
		var count [2049]int
		for _, e := range a {
			count[int(e.slot>>shift&2047)+1]++
		}
		for d := 1; d < len(count); d++ {
			count[d] += count[d-1]
		}
		for _, e := range a {
			d := e.slot >> shift & 2047
			b[count[d]] = e
			count[d]++
		}
		a, b = b, a
	}
	for _, e := range a {
		fresh[e.i] = s.add(keys[e.i])
	}
}

func (s *keySet) grow() {
	old := s.slots
	s.slots = make([]index.Key, max(64, 2*len(old)))
	for i := range s.slots {
		s.slots[i][0] = freeSlot
	}
	for i := range old {
		if old[i][0] != freeSlot {
			j, _ := s.find(&old[i])
			s.slots[j] = old[i]
		}
	}
}

// remove removes k, shifting back the keys that probed past its slot so
// that every key stays reachable from its home slot.
func (s *keySet) remove(k index.Key) {
	if s.n == 0 {
		return
	}
	i, ok := s.find(&k)
	if !ok {
		return
	}
	mask := len(s.slots) - 1
	for j := (i + 1) & mask; s.slots[j][0] != freeSlot; j = (j + 1) & mask {
		// The key at j may move to the hole at i unless its home slot
		// lies cyclically in (i, j].
		h := int(keyHash(&s.slots[j])) & mask
		if i <= j && i < h && h <= j || i > j && (i < h || h <= j) {
			continue
		}
		s.slots[i] = s.slots[j]
		i = j
	}
	s.slots[i][0] = freeSlot
	s.n--
}

// len returns the number of keys in the set.
func (s *keySet) len() int { return s.n }
