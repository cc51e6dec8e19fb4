package strtab

import "unsafe"

// Table makes strings. A block is append-only: bytes once written are
// never changed, so strings pointing into it stay valid for as long as
// they are referenced (and keep their whole block alive). A Table is not
// safe for concurrent use; its zero value is ready to use.
type Table struct {
	block []byte
}

// BlockSize is the size of a block; strings longer than an eighth of it
// are allocated on their own.
const BlockSize = 64 << 10

// Copy returns b as a string that does not alias b.
func (t *Table) Copy(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(t.block)-len(t.block) {
		if len(b) > BlockSize/8 {
			return string(b)
		}
		t.block = make([]byte, 0, BlockSize)
	}
	n := len(t.block)
	t.block = append(t.block, b...)
	return unsafe.String(&t.block[n], len(b))
}

// Clone returns a copy of s that shares no memory with it.
func (t *Table) Clone(s string) string {
	return t.Copy(unsafe.Slice(unsafe.StringData(s), len(s)))
}
