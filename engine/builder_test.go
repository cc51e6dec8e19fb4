package engine

import (
	"math"
	"testing"
	"unsafe"
)

// TestStrIDForget checks that the recent strings of a dictionary column
// are forgotten between batches: a string whose bytes are at the address
// of an earlier batch's string, with other contents, gets its own id, also
// when the eras wrap around.
func TestStrIDForget(t *testing.T) {
	at := func(buf []byte) string { return unsafe.String(&buf[0], len(buf)) }
	for _, tc := range []struct {
		name string
		era  uint32 // the era the first batch is forgotten in
	}{
		{"next era", 1},
		{"eras wrap around", math.MaxUint32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newColBuilder(columnByName["app"])
			buf := []byte("aaaa")
			first := b.strID(at(buf))
			if again := b.strID(at(buf)); again != first {
				t.Fatalf("the same string in one batch: ids %d and %d", first, again)
			}
			// After the wrap the era is the first batch's again: its
			// entries must be gone.
			b.era = tc.era
			b.forget()
			copy(buf, "bbbb")
			b.strID(at([]byte("cccc"))) // not the last value looked up
			second := b.strID(at(buf))
			if second == first || b.strs.vals[second] != "bbbb" || b.strs.vals[first] != "aaaa" {
				t.Fatalf("after forget: %q has id %d, %q had %d (values %q)", "bbbb", second, "aaaa", first, b.strs.vals)
			}
			if b.era == 0 {
				t.Fatalf("era 0 is current")
			}
		})
	}
}
