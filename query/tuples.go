package query

import "math/bits"

// tuples finds the merged groups by their tuple of key numbers: an open
// addressing table of group numbers, whose tuples are the merged
// groups' own (merged.nums), so that a group costs four bytes a slot
// beside them, and finding one hashes a few numbers and compares them.
type tuples struct {
	width int
	slots []uint32 // group + 1; 0 is empty
	n     int      // groups in slots
	from  int      // the first group in slots (reset)
}

// hashTuple mixes a tuple's numbers into a hash (multiply, rotate, then
// the finalizer of MurmurHash3).
func hashTuple(t []uint32) uint64 {
	h := uint64(len(t)) * 0x9e3779b97f4a7c15
	for _, x := range t {
		h = bits.RotateLeft64(h^uint64(x)*0xc2b2ae3d27d4eb4f, 31) * 0x9e3779b97f4a7c15
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// find returns the group whose tuple is t among the groups nums holds
// (group g's at g*width), or inserts group next, whose tuple the caller
// appends to nums, and reports whether it did.
func (ts *tuples) find(t []uint32, nums []uint32, next uint32) (uint32, bool) {
	if 2*(ts.n+1) > len(ts.slots) {
		ts.grow(nums)
	}
	mask := uint64(len(ts.slots) - 1)
	for i := hashTuple(t) & mask; ; i = (i + 1) & mask {
		s := ts.slots[i]
		if s == 0 {
			ts.slots[i] = next + 1
			ts.n++
			return next, true
		}
		g := s - 1
		if equalTuple(nums[int(g)*ts.width:int(g+1)*ts.width], t) {
			return g, false
		}
	}
}

func equalTuple(a, b []uint32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// reset empties the table, whose groups from next on are those it
// finds.
func (ts *tuples) reset(next int) {
	clear(ts.slots)
	ts.n, ts.from = 0, next
}

// grow doubles the slots (at least 64) and puts the groups back.
func (ts *tuples) grow(nums []uint32) {
	ts.rebuild(nums, max(64, 2*len(ts.slots)))
}

// rebuild makes slots of size n (a power of two) holding every group
// nums holds from the first in the table on.
func (ts *tuples) rebuild(nums []uint32, n int) {
	ts.slots = make([]uint32, n)
	ts.n = 0
	mask := uint64(n - 1)
	for g := ts.from; (g+1)*ts.width <= len(nums); g++ {
		i := hashTuple(nums[g*ts.width:(g+1)*ts.width]) & mask
		for ts.slots[i] != 0 {
			i = (i + 1) & mask
		}
		ts.slots[i] = uint32(g) + 1
		ts.n++
	}
}

// size is the memory of the slots.
func (ts *tuples) size() int64 { return int64(len(ts.slots)) * 4 }
