package logfile

import "unsafe"

// strtab makes the strings of decoded records. It copies bytes into large
// shared blocks rather than allocating each string on its own, so that
// decoding a record costs a handful of allocations, not one per field.
//
// A block is append-only: bytes once written are never changed, so strings
// pointing into it stay valid for as long as they are referenced. A strtab
// belongs to one decoder and is not safe for concurrent use.
type strtab struct {
	block []byte
}

const strBlockSize = 64 << 10

// copy returns b as a string that does not alias b.
func (t *strtab) copy(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(t.block)-len(t.block) {
		if len(b) > strBlockSize/8 {
			return string(b)
		}
		t.block = make([]byte, 0, strBlockSize)
	}
	n := len(t.block)
	t.block = append(t.block, b...)
	return unsafe.String(&t.block[n], len(b))
}

// unsafeString views b as a string without copying. The string must not
// outlive b's next modification; callers use it only for lookups.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
