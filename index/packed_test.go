package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestWidth(t *testing.T) {
	for _, c := range []struct {
		max  uint64
		want int
	}{
		{0, 0}, {1, 1}, {255, 1}, {256, 2}, {1<<16 - 1, 2}, {1 << 16, 3},
		{1<<24 - 1, 3}, {1 << 24, 4}, {math.MaxUint32, 4}, {1 << 32, 5},
		{1<<56 - 1, 7}, {1 << 56, 8}, {math.MaxUint64, 8},
	} {
		if got := Width(c.max); got != c.want {
			t.Errorf("Width(%d) = %d, want %d", c.max, got, c.want)
		}
	}
}

// checkPrefixes checks that decode rejects every strict prefix of a valid
// encoding with an error wrapping ErrCorrupt.
func checkPrefixes(t testing.TB, enc []byte, decode func([]byte) error) {
	t.Helper()
	for i := range len(enc) {
		if err := decode(enc[:i:i]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix of %d of %d bytes: err = %v, want ErrCorrupt", i, len(enc), err)
		}
	}
}

func TestIDsRoundTrip(t *testing.T) {
	f := func(ids []uint32, width int) {
		t.Helper()
		enc := AppendIDs([]byte("head"), ids)
		enc = append(enc, "tail"...)
		got, rest, err := DecodeIDs(nil, enc[4:])
		if err != nil {
			t.Fatalf("%v: %v", ids, err)
		}
		if !slices.Equal(got, ids) || string(rest) != "tail" {
			t.Fatalf("decoded %v rest %q, want %v rest \"tail\"", got, rest, ids)
		}
		if w := int(enc[4+uvarintLen(uint64(len(ids)))+uvarintLen(uint64(slicesMin(ids)))]); w != width {
			t.Fatalf("%v: width %d, want %d", ids, w, width)
		}
		checkPrefixes(t, enc[4:len(enc)-4], func(b []byte) error { _, _, err := DecodeIDs(nil, b); return err })
	}
	f(nil, 0)
	f([]uint32{7}, 0)
	f([]uint32{5, 5, 5}, 0)
	f([]uint32{3, 1, 2, 255 + 1}, 1)
	f([]uint32{1000, 1000 + 65535}, 2)
	f([]uint32{0, 1 << 16, 5}, 3)
	f([]uint32{0, math.MaxUint32, 1}, 4)
	f([]uint32{math.MaxUint32, math.MaxUint32 - 200}, 1)
	f([]uint32{math.MaxUint32}, 0)
}

func slicesMin[T int64 | uint32](s []T) T {
	if len(s) == 0 {
		return 0
	}
	return slices.Min(s)
}

func TestIntsRoundTrip(t *testing.T) {
	f := func(vals []int64, width int) {
		t.Helper()
		enc := AppendInts(nil, vals)
		enc = append(enc, 0xff)
		got, rest, err := DecodeInts(nil, enc)
		if err != nil {
			t.Fatalf("%v: %v", vals, err)
		}
		if !slices.Equal(got, vals) || string(rest) != "\xff" {
			t.Fatalf("decoded %v rest %q, want %v", got, rest, vals)
		}
		_, n := binary.Varint(enc[uvarintLen(uint64(len(vals))):])
		if w := int(enc[uvarintLen(uint64(len(vals)))+n]); w != width {
			t.Fatalf("%v: width %d, want %d", vals, w, width)
		}
		checkPrefixes(t, enc[:len(enc)-1], func(b []byte) error { _, _, err := DecodeInts(nil, b); return err })
	}
	f(nil, 0)
	f([]int64{-3}, 0)
	f([]int64{math.MinInt64, math.MinInt64}, 0)
	f([]int64{-1, 1, 200}, 1)
	f([]int64{-1000, 1000}, 2)
	f([]int64{0, 1 << 20}, 3)
	f([]int64{-1 << 31, 1 << 31}, 5)
	f([]int64{math.MinInt64, 0, 12345678901}, 8)
	f([]int64{math.MinInt64, math.MaxInt64}, 8)
	f([]int64{math.MaxInt64 - 70000, math.MaxInt64}, 3)
	f([]int64{math.MinInt64, math.MinInt64 + 1<<48}, 7)
	f([]int64{1 << 40, 1<<40 + 1<<39, 1 << 40}, 5)
	f([]int64{-1 << 50, 1 << 50}, 7)
}

func TestDecodeIDsReusesDst(t *testing.T) {
	ids := make([]uint32, 1000)
	for i := range ids {
		ids[i] = uint32(i * 7)
	}
	enc := AppendIDs(nil, ids)
	dst := make([]uint32, 3, 2000)
	got, _, err := DecodeIDs(dst, enc)
	if err != nil || &got[0] != &dst[:1][0] || !slices.Equal(got, ids) {
		t.Fatalf("DecodeIDs did not decode into dst: err %v", err)
	}
	if n := testing.AllocsPerRun(100, func() { got, _, _ = DecodeIDs(got, enc) }); n != 0 {
		t.Errorf("DecodeIDs into a large enough dst allocates %v times", n)
	}
	vals := []int64{-5, 1 << 40, 3}
	ienc := AppendInts(nil, vals)
	idst := make([]int64, 0, 8)
	if n := testing.AllocsPerRun(100, func() { idst, _, _ = DecodeInts(idst, ienc) }); n != 0 {
		t.Errorf("DecodeInts into a large enough dst allocates %v times", n)
	}
}

func TestDecodeIDsCorrupt(t *testing.T) {
	for _, c := range []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"bad count varint", []byte{0x80, 0x80}},
		{"no minimum", []byte{1}},
		{"minimum over uint32", binary.AppendUvarint([]byte{1}, 1<<32)},
		{"no width", []byte{1, 0}},
		{"width 5", []byte{1, 0, 5, 1, 2, 3, 4, 5}},
		{"truncated values", []byte{3, 0, 2, 1, 0, 2, 0, 3}},
		{"count over MaxLen", append(binary.AppendUvarint(nil, MaxLen+1), 0, 0)},
		{"huge count", append(binary.AppendUvarint(nil, math.MaxUint64), 0, 1)},
		{"overflow", append(binary.AppendUvarint([]byte{2}, math.MaxUint32-1), 1, 0, 2)},
		{"overflow width 4", []byte{1, 1, 4, 0xff, 0xff, 0xff, 0xff}},
	} {
		dst := make([]uint32, 2, 4)
		got, rest, err := DecodeIDs(dst, c.src)
		if !errors.Is(err, ErrCorrupt) || len(got) != 0 || rest != nil {
			t.Errorf("%s: got %v, %v, %v; want ErrCorrupt", c.name, got, rest, err)
		}
	}
	for _, c := range []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"bad minimum varint", []byte{1, 0x80}},
		{"width 9", []byte{1, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"truncated values", []byte{2, 0, 5, 1, 2, 3, 4, 5, 6}},
		{"count over MaxLen", append(binary.AppendUvarint(nil, MaxLen+1), 0, 0)},
	} {
		if _, _, err := DecodeInts(nil, c.src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("ints %s: err = %v, want ErrCorrupt", c.name, err)
		}
	}
}

func TestIntsWrapping(t *testing.T) {
	// Distances wrap: a minimum near MaxInt64 plus a distance wraps round
	// to negative values. Decoding is total; canonical encodings never do it.
	src := binary.AppendVarint([]byte{1}, math.MaxInt64)
	src = append(src, 1, 2)
	got, _, err := DecodeInts(nil, src)
	if err != nil || got[0] != math.MinInt64+1 {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestListsRoundTrip(t *testing.T) {
	f := func(offsets, ids []uint32, wantOffs []uint32) {
		t.Helper()
		enc, err := AppendLists([]byte{9}, offsets, ids)
		if err != nil {
			t.Fatal(err)
		}
		offs, vals, rest, err := DecodeLists(nil, nil, append(enc[1:], 7))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(offs, wantOffs) || !slices.Equal(vals, ids) || string(rest) != "\x07" {
			t.Fatalf("got %v %v %q, want %v %v", offs, vals, rest, wantOffs, ids)
		}
		checkPrefixes(t, enc[1:], func(b []byte) error { _, _, _, err := DecodeLists(nil, nil, b); return err })
	}
	f(nil, nil, []uint32{0})
	f([]uint32{0}, nil, []uint32{0})
	f([]uint32{0, 0, 0}, nil, []uint32{0, 0, 0})
	f([]uint32{0, 2, 2, 5}, []uint32{4, 1, 9, 9, 1000}, []uint32{0, 2, 2, 5})
	f([]uint32{0, 1}, []uint32{math.MaxUint32}, []uint32{0, 1})
}

func TestAppendListsInvalid(t *testing.T) {
	for _, c := range []struct {
		name         string
		offsets, ids []uint32
	}{
		{"no offsets with ids", nil, []uint32{1}},
		{"offsets not from 0", []uint32{1, 2}, []uint32{1, 2}},
		{"offsets decrease", []uint32{0, 2, 1, 2}, []uint32{1, 2}},
		{"offsets short of ids", []uint32{0, 1}, []uint32{1, 2}},
		{"offsets past ids", []uint32{0, 3}, []uint32{1, 2}},
	} {
		dst, err := AppendLists([]byte{1}, c.offsets, c.ids)
		if !errors.Is(err, ErrInvalid) || string(dst) != "\x01" {
			t.Errorf("%s: got %v, %v; want ErrInvalid and dst unchanged", c.name, dst, err)
		}
	}
}

func TestDecodeListsCorrupt(t *testing.T) {
	lens := AppendIDs(nil, []uint32{1, 2})
	for _, c := range []struct {
		name string
		src  []byte
	}{
		{"too few values", AppendIDs(lens[:len(lens):len(lens)], []uint32{1, 2})},
		{"too many values", AppendIDs(lens[:len(lens):len(lens)], []uint32{1, 2, 3, 4})},
		{"no values", lens},
		{"lengths overflow", AppendIDs(AppendIDs(nil, []uint32{math.MaxUint32, 1}), nil)},
	} {
		offs, vals, rest, err := DecodeLists(make([]uint32, 3), make([]uint32, 3), c.src)
		if !errors.Is(err, ErrCorrupt) || len(offs) != 0 || len(vals) != 0 || rest != nil {
			t.Errorf("%s: got %v %v %v %v, want ErrCorrupt", c.name, offs, vals, rest, err)
		}
	}
}

// randIDs returns n ids within width w bytes of base.
func randIDs(r *rand.Rand, n, w int, base uint32) []uint32 {
	ids := make([]uint32, n)
	for i := range ids {
		ids[i] = base + uint32(r.Uint64N(uint64(1)<<(8*w)))
	}
	return ids
}

func TestIDsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var dst []uint32
	for w := 0; w <= 4; w++ {
		for _, n := range []int{1, 2, 3, 100, 1000} {
			base := uint32(r.Uint64N(uint64(math.MaxUint32) - uint64(1)<<(8*w) + 2))
			ids := randIDs(r, n, w, base)
			enc := AppendIDs(nil, ids)
			var err error
			dst, _, err = DecodeIDs(dst, enc)
			if err != nil || !slices.Equal(dst, ids) {
				t.Fatalf("w %d n %d: %v", w, n, err)
			}
		}
	}
}

func FuzzDecodeIDs(f *testing.F) {
	for _, ids := range [][]uint32{nil, {1}, {1, 1}, {1, 200}, {1, 70000, 3}, {0, math.MaxUint32}, {1 << 20, 1 << 21}} {
		f.Add(AppendIDs(nil, ids))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Arbitrary bytes: an error, or values that re-encode to a
		// valid encoding of the same values.
		ids, rest, err := DecodeIDs(nil, data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
		} else {
			if len(rest) > len(data) || len(rest) > 0 && &rest[0] != &data[len(data)-len(rest)] {
				t.Fatal("rest is not a suffix of the input")
			}
			if len(ids) <= 1<<16 {
				again, _, err := DecodeIDs(nil, AppendIDs(nil, ids))
				if err != nil || !slices.Equal(again, ids) {
					t.Fatalf("re-encoding: %v", err)
				}
			}
		}
		// The bytes as values, in groups of widths the first byte picks.
		if len(data) == 0 {
			return
		}
		w := int(data[0]%4) + 1
		var vals []uint32
		for b := data[1:]; len(b) >= w; b = b[w:] {
			var v uint32
			for j := range w {
				v |= uint32(b[j]) << (8 * j)
			}
			vals = append(vals, v)
		}
		enc := AppendIDs(nil, vals)
		got, rest, err := DecodeIDs(make([]uint32, 0, 3), append(enc, data...))
		if err != nil || !slices.Equal(got, vals) || string(rest) != string(data) {
			t.Fatalf("round trip of %v: got %v, %v", vals, got, err)
		}
	})
}

func FuzzDecodeInts(f *testing.F) {
	for _, vals := range [][]int64{nil, {1}, {-1, -1}, {-100, 100}, {1, 1 << 40}, {math.MinInt64, math.MaxInt64}, {math.MinInt64, 0}} {
		f.Add(AppendInts(nil, vals))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vals, _, err := DecodeInts(nil, data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
		} else if len(vals) <= 1<<16 {
			again, _, err := DecodeInts(nil, AppendInts(nil, vals))
			if err != nil || !slices.Equal(again, vals) {
				t.Fatalf("re-encoding: %v", err)
			}
		}
		if len(data) == 0 {
			return
		}
		w := int(data[0]%8) + 1
		var in []int64
		for b := data[1:]; len(b) >= w; b = b[w:] {
			var v uint64
			for j := range w {
				v |= uint64(b[j]) << (8 * j)
			}
			if data[0]&0x80 != 0 {
				v = -v
			}
			in = append(in, int64(v))
		}
		got, rest, err := DecodeInts(nil, append(AppendInts(nil, in), data...))
		if err != nil || !slices.Equal(got, in) || string(rest) != string(data) {
			t.Fatalf("round trip of %v: got %v, %v", in, got, err)
		}
	})
}

func FuzzDecodeLists(f *testing.F) {
	seed := func(offsets, ids []uint32) {
		enc, err := AppendLists(nil, offsets, ids)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	seed(nil, nil)
	seed([]uint32{0, 2, 2, 3}, []uint32{1, 2, 3})
	seed([]uint32{0, 1, 300}, make([]uint32, 300))
	f.Fuzz(func(t *testing.T, data []byte) {
		offs, vals, _, err := DecodeLists(nil, nil, data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
		} else {
			if len(offs) == 0 || offs[0] != 0 || int(offs[len(offs)-1]) != len(vals) || !slices.IsSorted(offs) {
				t.Fatalf("bad offsets %v for %d values", offs, len(vals))
			}
			if len(offs)+len(vals) <= 1<<16 {
				enc, err := AppendLists(nil, offs, vals)
				if err != nil {
					t.Fatal(err)
				}
				o2, v2, _, err := DecodeLists(nil, nil, enc)
				if err != nil || !slices.Equal(o2, offs) || !slices.Equal(v2, vals) {
					t.Fatalf("re-encoding: %v", err)
				}
			}
		}
		// The bytes as rows: each byte a value, a zero byte ends a row.
		offsets := []uint32{0}
		var ids []uint32
		for _, c := range data {
			if c == 0 {
				offsets = append(offsets, uint32(len(ids)))
			} else {
				ids = append(ids, uint32(c)*1000)
			}
		}
		offsets = append(offsets, uint32(len(ids)))
		enc, err := AppendLists(nil, offsets, ids)
		if err != nil {
			t.Fatal(err)
		}
		o, v, rest, err := DecodeLists(nil, nil, append(enc, 1))
		if err != nil || !slices.Equal(o, offsets) || !slices.Equal(v, ids) || string(rest) != "\x01" {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func benchmarkIDs(b *testing.B, w int) {
	ids := randIDs(rand.New(rand.NewPCG(1, 2)), 65536, w, 1000)
	enc := AppendIDs(nil, ids)
	dst := make([]uint32, 0, len(ids))
	b.SetBytes(int64(4 * len(ids)))
	b.ReportAllocs()
	for b.Loop() {
		dst, _, _ = DecodeIDs(dst, enc)
	}
}

// BenchmarkDecodeIDs decodes a block of 65,536 ids; bytes are those
// decoded (4 per id).
func BenchmarkDecodeIDs(b *testing.B) {
	for w := 0; w <= 4; w++ {
		b.Run(fmt.Sprintf("w=%d", w), func(b *testing.B) { benchmarkIDs(b, w) })
	}
}

// BenchmarkDecodeInts decodes a block of 65,536 ints; bytes are those
// decoded (8 per value).
func BenchmarkDecodeInts(b *testing.B) {
	for _, w := range []int{1, 2, 4, 5, 8} {
		b.Run(fmt.Sprintf("w=%d", w), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			vals := make([]int64, 65536)
			for i := range vals {
				vals[i] = -1<<40 + int64(r.Uint64()>>(64-8*w))
			}
			enc := AppendInts(nil, vals)
			dst := make([]int64, 0, len(vals))
			b.SetBytes(int64(8 * len(vals)))
			b.ReportAllocs()
			for b.Loop() {
				dst, _, _ = DecodeInts(dst, enc)
			}
		})
	}
}

func BenchmarkAppendIDs(b *testing.B) {
	ids := randIDs(rand.New(rand.NewPCG(1, 2)), 65536, 2, 1000)
	buf := make([]byte, 0, 1<<20)
	b.SetBytes(int64(4 * len(ids)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendIDs(buf[:0], ids)
	}
}
