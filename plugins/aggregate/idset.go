package aggregate

import (
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// idSet is a set of numbers, sized to what it holds: a short slice
// while it has at most smallSet numbers (most groups of a per-user or
// per-address grouping hold one to three), then a bitset up to its
// largest number while its owner's budget of bitset words lasts (the
// numbers are dictionary ids or numberings, dense from 0), else a
// roaring bitmap. The zero value is the empty set.
type idSet struct {
	small  []uint32
	*large // nil while small
}

// large is an idSet past smallSet numbers: a bitset, or a bitmap.
type large struct {
	bits []uint64
	big  *roaring.Bitmap
}

// smallSet is the most numbers an idSet keeps in its slice, searched
// linearly.
const smallSet = 16

// add adds id and returns the change in the set's size in bytes (as
// bytes counts it). room is what is left of the owner's budget of bitset
// words, which a bitset made or grown takes from.
func (s *idSet) add(id uint32, room *int) int64 {
	switch {
	case s.large == nil:
	case s.bits != nil:
		w := int(id >> 6)
		if w < len(s.bits) {
			s.bits[w] |= 1 << (id & 63)
			return 0
		}
		n := max(w+1, 2*len(s.bits))
		if n-len(s.bits) <= *room {
			*room -= n - len(s.bits)
			before := len(s.bits)
			s.bits = append(s.bits, make([]uint64, n-len(s.bits))...)
			s.bits[w] |= 1 << (id & 63)
			return int64(len(s.bits)-before) * 8
		}
		before := s.bytes()
		s.big = roaring.New()
		for w, x := range s.bits {
			for x != 0 {
				s.big.Add(uint32(w*64 + bits.TrailingZeros64(x)))
				x &= x - 1
			}
		}
		*room += len(s.bits)
		s.bits = nil
		s.big.Add(id)
		return s.bytes() - before
	default:
		if s.big.CheckedAdd(id) {
			return 2
		}
		return 0
	}
	for _, x := range s.small {
		if x == id {
			return 0
		}
	}
	if len(s.small) < smallSet {
		c := cap(s.small)
		s.small = append(s.small, id)
		return int64(cap(s.small)-c) * 4
	}
	before := s.bytes()
	top := id
	for _, x := range s.small {
		top = max(top, x)
	}
	s.large = &large{}
	if n := int(top>>6) + 1; n <= *room {
		*room -= n
		s.bits = make([]uint64, n)
		for _, x := range s.small {
			s.bits[x>>6] |= 1 << (x & 63)
		}
		s.bits[id>>6] |= 1 << (id & 63)
	} else {
		s.big = roaring.BitmapOf(s.small...)
		s.big.Add(id)
	}
	s.small = nil
	return s.bytes() - before
}

// len returns the number of ids in the set.
func (s *idSet) len() int {
	switch {
	case s.large == nil:
	case s.bits != nil:
		n := 0
		for _, x := range s.bits {
			n += bits.OnesCount64(x)
		}
		return n
	default:
		return int(s.big.GetCardinality())
	}
	return len(s.small)
}

// each calls fn with each id, in no particular order.
func (s *idSet) each(fn func(id uint32)) {
	switch {
	case s.large == nil:
		for _, id := range s.small {
			fn(id)
		}
	case s.bits != nil:
		for w, x := range s.bits {
			for x != 0 {
				fn(uint32(w*64 + bits.TrailingZeros64(x)))
				x &= x - 1
			}
		}
	default:
		it := s.big.Iterator()
		for it.HasNext() {
			fn(it.Next())
		}
	}
}

// bytes is the memory of the set's numbers: about two bytes a number
// in a roaring bitmap (its containers hold them in two bytes, or in
// bitmaps once dense).
func (s *idSet) bytes() int64 {
	switch {
	case s.large == nil:
		return int64(cap(s.small)) * 4
	case s.bits != nil:
		return 56 + int64(len(s.bits))*8
	}
	return 56 + int64(s.big.GetCardinality())*2 + 64
}

// release returns the set's bitset words to its owner's budget.
func (s *idSet) release(room *int) {
	if s.large != nil {
		*room += len(s.bits)
	}
}

// setBytes is the memory of an idSet's header in a slice of them.
const setBytes = 32
