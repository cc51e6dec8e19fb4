package plugins

import (
	"unsafe"

	"github.com/signinq/signinq/result"
)

// Sizer is implemented by accumulators that know the memory they hold.
//
// A query's groups may take no more memory than its limit
// (query.Options.MaxMemory). The executor charges each part's
// accumulators with Size after every block of rows it gives them, so that
// a query over the limit stops at once, and the error names the
// aggregate that took the memory. Size must therefore be cheap: a count
// kept as the accumulator grows, never a walk over its groups or values.
// It should count everything the accumulator holds, maps' and slices'
// overhead included (MapEntryBytes, StringBytes and ValueBytes estimate
// what the Go runtime takes for them).
//
// An accumulator without Size is charged DefaultGroupBytes for each group
// of its part and DefaultRowBytes for each row given to Add: enough for
// one that keeps a few numbers per group, or a small value per row; an
// accumulator that keeps more must implement Sizer for the limit to hold.
// Once a part is merged, its accumulator is no longer charged, and the
// merged partials are charged with Partial.Size.
type Sizer interface {
	// Size returns the memory the accumulator holds, in bytes.
	Size() int64
}

// The charges of an accumulator without Size (see Sizer).
const (
	DefaultGroupBytes = 64
	DefaultRowBytes   = 16
)

// ValueBytes is the memory of an result.Value itself, without the text
// or list it may refer to.
const ValueBytes = int64(unsafe.Sizeof(result.Value{}))

// StringBytes estimates the memory a string of n bytes takes when it is
// allocated: its bytes rounded up to the allocator's size class (nothing
// for an empty string). A string that shares another's bytes (a
// dictionary's value) takes nothing of its own, but counting it keeps an
// estimate on the safe side.
func StringBytes(n int) int64 {
	switch {
	case n <= 0:
		return 0
	case n <= 8:
		return 8
	case n <= 16:
		return 16
	case n <= 32:
		return 32
	case n <= 256:
		return int64(n+15) &^ 15
	case n <= 1024:
		return int64(n+63) &^ 63
	case n <= 32<<10:
		return int64(n+1023) &^ 1023
	}
	return int64(n+8191) &^ 8191
}

// MapEntryBytes estimates the memory an entry of a large map takes, with
// its share of the table, when its key and value take kv bytes: a string
// key 16, without its text (count that with StringBytes); a value of
// struct{} after a key takes 8, as the slot is padded for it. Measured
// with Go 1.26's maps: a slot rounded up to 8 bytes and its control byte,
// over the least load a table has (7/16, just after it grew), so that the
// estimate is never short (map[uint64]uint32: 21 to 37 bytes an entry,
// 39 estimated; map[string]struct{}: 31 to 55, 57 estimated).
func MapEntryBytes(kv int) int64 {
	slot := int64(kv+7) &^ 7
	return (slot+1)*16/7 + 1
}

// MapBytes estimates the memory of a map of n entries whose keys and
// values take kv bytes each: its header, and a table of at least 8 slots
// once it holds an entry.
func MapBytes(n, kv int) int64 {
	const header = 48
	switch {
	case n == 0:
		return header
	case n <= 8:
		return header + 8 + 8*(int64(kv+7)&^7)
	}
	return header + int64(n)*MapEntryBytes(kv)
}
