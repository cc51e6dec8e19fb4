package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func key(typ byte, id uint64) Key {
	var k Key
	k[0] = typ
	binary.BigEndian.PutUint64(k[9:], id)
	return k
}

func TestIDIndexRoundTrip(t *testing.T) {
	f := func(entries []IDEntry) {
		t.Helper()
		want := slices.Clone(entries)
		slices.SortFunc(want, func(a, b IDEntry) int { return bytes.Compare(a.Key[:], b.Key[:]) })
		enc, err := AppendIDIndex([]byte("h"), entries)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(entries, want) {
			t.Fatal("entries not sorted in place")
		}
		x, err := DecodeIDIndex(enc[1:])
		if err != nil {
			t.Fatal(err)
		}
		if x.Len() != len(want) {
			t.Fatalf("Len() = %d, want %d", x.Len(), len(want))
		}
		for i, e := range want {
			if k, row := x.At(i); k != e.Key || row != e.Row {
				t.Fatalf("At(%d) = %x, %d; want %x, %d", i, k, row, e.Key, e.Row)
			}
			if row, ok := x.Find(e.Key); !ok || row != e.Row {
				t.Fatalf("Find(%x) = %d, %v; want %d", e.Key, row, ok, e.Row)
			}
			for _, probe := range []Key{key(e.Key[0], 1<<63), key(e.Key[0]+1, 0)} {
				k := probe
				k[16] ^= 1
				_, wantOK := slices.BinarySearchFunc(want, k, func(a IDEntry, k Key) int { return bytes.Compare(a.Key[:], k[:]) })
				if _, ok := x.Find(k); ok != wantOK {
					t.Fatalf("Find(%x) = %v, want %v", k, ok, wantOK)
				}
			}
		}
		checkPrefixes(t, enc[1:], func(b []byte) error { _, err := DecodeIDIndex(b); return err })
		if _, err := DecodeIDIndex(append(enc[1:len(enc):len(enc)], 0)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("trailing byte: err = %v", err)
		}
	}
	f(nil)
	f([]IDEntry{{key(1, 5), 3}})
	f([]IDEntry{{key(2, 5), 0}, {key(1, 5), 1}, {key(1, 6), 2}, {key(0, 1<<63), 9}})
	var hi, lo Key
	for i := range hi {
		hi[i] = 0xff
	}
	lo[8] = 1 // differs only in the first word
	f([]IDEntry{{hi, 1}, {lo, 2}, {Key{}, 3}, {key(0, 1), 4}})
	r := rand.New(rand.NewPCG(1, 1))
	many := make([]IDEntry, 1000)
	for i := range many {
		for j := range many[i].Key {
			many[i].Key[j] = byte(r.Uint32())
		}
		many[i].Key[0] %= 3
		many[i].Row = uint32(i)
	}
	f(many)
}

func TestIDIndexInvalid(t *testing.T) {
	dst, err := AppendIDIndex([]byte{7}, []IDEntry{{key(1, 2), 1}, {key(0, 1), 2}, {key(1, 2), 3}})
	if !errors.Is(err, ErrInvalid) || string(dst) != "\x07" {
		t.Fatalf("duplicate keys: got %v, %v", dst, err)
	}
	entry := func(k Key, row uint32) []byte { return binary.LittleEndian.AppendUint32(k[:], row) }
	for _, c := range []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"bad count", []byte{0xff}},
		{"count beyond input", append([]byte{2}, entry(key(1, 1), 1)...)},
		{"keys equal", slices.Concat([]byte{2}, entry(key(1, 1), 1), entry(key(1, 1), 2))},
		{"keys decreasing", slices.Concat([]byte{2}, entry(key(1, 2), 1), entry(key(1, 1), 2))},
		{"partial entry", slices.Concat([]byte{1}, entry(key(1, 1), 1), []byte{1})},
	} {
		if x, err := DecodeIDIndex(c.src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, %v; want ErrCorrupt", c.name, x, err)
		}
	}
}

func TestIDIndexFindNoAllocs(t *testing.T) {
	enc, _ := AppendIDIndex(nil, []IDEntry{{key(1, 1), 1}, {key(1, 2), 2}})
	x, _ := DecodeIDIndex(enc)
	if n := testing.AllocsPerRun(100, func() { x.Find(key(1, 2)) }); n != 0 {
		t.Errorf("Find allocates %v times", n)
	}
}

func FuzzDecodeIDIndex(f *testing.F) {
	for _, entries := range [][]IDEntry{nil, {{key(1, 2), 3}}, {{key(1, 2), 3}, {key(2, 1), 4}, {key(0, 9), 1}}} {
		enc, err := AppendIDIndex(nil, entries)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if x, err := DecodeIDIndex(data); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
		} else {
			entries := make([]IDEntry, x.Len())
			for i := range entries {
				entries[i].Key, entries[i].Row = x.At(i)
				if row, ok := x.Find(entries[i].Key); !ok || row != entries[i].Row {
					t.Fatalf("Find(At(%d)) = %d, %v", i, row, ok)
				}
			}
			again, err := AppendIDIndex(nil, slices.Clone(entries))
			if err != nil {
				t.Fatal(err)
			}
			y, err := DecodeIDIndex(again)
			if err != nil || y.Len() != len(entries) {
				t.Fatalf("re-encoding: %v", err)
			}
			for i, e := range entries {
				if k, row := y.At(i); k != e.Key || row != e.Row {
					t.Fatalf("re-encoding: entry %d differs", i)
				}
			}
		}
		// The bytes as keys: 17 bytes each, deduplicated.
		var entries []IDEntry
		seen := map[Key]bool{}
		for b := data; len(b) >= keyLen; b = b[keyLen:] {
			k := Key(b[:keyLen])
			if !seen[k] {
				seen[k] = true
				entries = append(entries, IDEntry{k, uint32(len(entries))})
			}
		}
		enc, err := AppendIDIndex(nil, slices.Clone(entries))
		if err != nil {
			t.Fatal(err)
		}
		x, err := DecodeIDIndex(enc)
		if err != nil || x.Len() != len(entries) {
			t.Fatalf("round trip: %v", err)
		}
		for _, e := range entries {
			if row, ok := x.Find(e.Key); !ok || row != e.Row {
				t.Fatalf("Find(%x) = %d, %v; want %d", e.Key, row, ok, e.Row)
			}
		}
	})
}

// BenchmarkIDIndexFind looks up keys in the id index of a part of a
// million sign-ins.
func BenchmarkIDIndexFind(b *testing.B) {
	r := rand.New(rand.NewPCG(4, 4))
	entries := make([]IDEntry, 1<<20)
	for i := range entries {
		entries[i].Key[0] = byte(r.Uint32N(4))
		binary.LittleEndian.PutUint64(entries[i].Key[1:], r.Uint64())
		binary.LittleEndian.PutUint64(entries[i].Key[9:], r.Uint64())
		entries[i].Row = uint32(i)
	}
	keys := make([]Key, 1024)
	for i := range keys {
		keys[i] = entries[r.IntN(len(entries))].Key
	}
	enc, err := AppendIDIndex(nil, entries)
	if err != nil {
		b.Fatal(err)
	}
	x, err := DecodeIDIndex(enc)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := x.Find(keys[i%len(keys)]); !ok {
			b.Fatal("not found")
		}
		i++
	}
}

func TestKeyCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var keys []Key
	for range 200 {
		var k Key
		for i := range k {
			// Few distinct bytes, so that keys share long prefixes.
			k[i] = byte(r.IntN(3)) * 0x7f
		}
		keys = append(keys, k)
	}
	for i := range keys {
		for j := range keys {
			if got, want := keys[i].Compare(&keys[j]), bytes.Compare(keys[i][:], keys[j][:]); got != want {
				t.Fatalf("%x vs %x: Compare %d, bytewise %d", keys[i], keys[j], got, want)
			}
		}
	}
}

// TestSortEntries checks the radix sort against a comparison sort, with
// keys sharing long prefixes and keys differing only past eight bytes.
func TestSortEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 511, 512, 3000} {
		entries := make([]IDEntry, n)
		for i := range entries {
			k := &entries[i].Key
			k[0] = byte(r.IntN(3))
			if r.IntN(2) == 0 {
				for j := 1; j < len(k); j++ {
					k[j] = byte(r.Uint32()) // random ids
				}
			} else {
				k[12] = byte(r.IntN(256)) // ids equal in their first bytes
			}
			entries[i].Row = uint32(i)
		}
		want := slices.Clone(entries)
		slices.SortStableFunc(want, func(a, b IDEntry) int { return bytes.Compare(a.Key[:], b.Key[:]) })
		sortEntries(entries)
		for i := range entries {
			if entries[i].Key != want[i].Key {
				t.Fatalf("n=%d: entry %d is %x, want %x", n, i, entries[i].Key, want[i].Key)
			}
		}
	}
}
