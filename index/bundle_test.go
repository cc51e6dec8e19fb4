package index

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// testBitmaps returns bitmaps with array, bitmap and run containers.
func testBitmaps() []*roaring.Bitmap {
	r := rand.New(rand.NewPCG(9, 9))
	arr := roaring.BitmapOf(1, 5, 70000, 1<<20)
	dense := roaring.New()
	for range 20000 {
		dense.Add(r.Uint32N(1 << 17))
	}
	runs := roaring.New()
	runs.AddRange(10, 100000)
	runs.AddRange(200000, 200001)
	mixed := roaring.New()
	mixed.AddRange(0, 1<<16)
	for i := range uint32(6000) {
		mixed.Add(1<<16 + 3*i)
	}
	mixed.Add(1 << 30)
	many := roaring.New() // ≥ 4 containers with runs: an offset header
	for k := range uint64(5) {
		many.AddRange(k<<16, k<<16+10)
	}
	return []*roaring.Bitmap{arr, dense, runs, mixed, many, roaring.BitmapOf(0), roaring.BitmapOf(^uint32(0))}
}

func buildBundle(t testing.TB, ids []uint32, bms []*roaring.Bitmap) []byte {
	t.Helper()
	var w BundleWriter
	for i, id := range ids {
		if err := w.Add(id, bms[i]); err != nil {
			t.Fatal(err)
		}
	}
	return w.AppendTo(nil)
}

func TestBundleRoundTrip(t *testing.T) {
	bms := testBitmaps()
	bms = append(bms, roaring.New()) // skipped
	ids := make([]uint32, len(bms))
	for i := range ids {
		ids[i] = uint32(3*i + 1)
	}
	enc := buildBundle(t, ids, bms)
	orig := slices.Clone(enc)
	b, err := DecodeBundle(enc)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != len(bms)-1 {
		t.Fatalf("Len() = %d, want %d", b.Len(), len(bms)-1)
	}
	for i := range b.Len() {
		if b.ID(i) != ids[i] || b.Cardinality(i) != bms[i].GetCardinality() {
			t.Fatalf("entry %d: id %d card %d", i, b.ID(i), b.Cardinality(i))
		}
		if j, ok := b.Find(ids[i]); !ok || j != i {
			t.Fatalf("Find(%d) = %d, %v", ids[i], j, ok)
		}
		if _, ok := b.Find(ids[i] + 1); ok {
			t.Fatalf("Find(%d) found an entry", ids[i]+1)
		}
		bm, err := b.Bitmap(i)
		if err != nil {
			t.Fatal(err)
		}
		if !bm.Equals(bms[i]) {
			t.Fatalf("Bitmap(%d) differs", i)
		}
		// Copy-on-write: modifying the bitmap leaves the bytes alone.
		bm.Add(12345)
		bm.Remove(bm.Minimum())
		bm.AddRange(0, 1<<17)
		bm.Or(roaring.BitmapOf(7, 1<<25))
		bm.And(roaring.BitmapOf(7, 8))
		if string(enc) != string(orig) {
			t.Fatalf("modifying Bitmap(%d) changed the bundle's bytes", i)
		}
	}
	if _, ok := b.Find(0); ok {
		t.Fatal("Find(0) found an entry")
	}
	checkPrefixes(t, enc, func(b []byte) error { _, err := DecodeBundle(b); return err })
	if _, err := DecodeBundle(append(enc[:len(enc):len(enc)], 0)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("trailing byte: err = %v", err)
	}

	// Unions.
	want := func(sel ...int) *roaring.Bitmap {
		u := roaring.New()
		for _, i := range sel {
			u.Or(bms[i])
		}
		return u
	}
	for _, c := range []struct {
		ids []uint32
		sel []int
	}{
		{nil, nil},
		{[]uint32{0, 2, 3, 1000}, nil},
		{[]uint32{1}, []int{0}},
		{[]uint32{1, 4, 5}, []int{0, 1}},
		{[]uint32{0, 4, 7, 10, 11, 1000}, []int{1, 2, 3}},
		{ids[:len(ids)-1], []int{0, 1, 2, 3, 4, 5, 6}},
	} {
		u, err := b.Union(c.ids)
		if err != nil {
			t.Fatal(err)
		}
		if w := want(c.sel...); !u.Equals(w) {
			t.Fatalf("Union(%v): %d rows, want %d", c.ids, u.GetCardinality(), w.GetCardinality())
		}
		var card uint64
		for _, i := range c.sel {
			card += bms[i].GetCardinality()
		}
		if got := b.CardinalityOf(c.ids); got != card {
			t.Fatalf("CardinalityOf(%v) = %d, want %d", c.ids, got, card)
		}
		u.AddRange(0, 1<<20)
		if string(enc) != string(orig) {
			t.Fatal("modifying a union changed the bundle's bytes")
		}
	}
	for _, c := range []struct {
		lo, hi uint32
		sel    []int
	}{
		{0, 0, nil},
		{5, 2, nil},
		{0, 1, nil},
		{0, 2, []int{0}},
		{1, 5, []int{0, 1}},
		{2, 11, []int{1, 2, 3}},
		{0, 1 << 31, []int{0, 1, 2, 3, 4, 5, 6}},
	} {
		u, err := b.UnionRange(c.lo, c.hi)
		if err != nil {
			t.Fatal(err)
		}
		if !u.Equals(want(c.sel...)) {
			t.Fatalf("UnionRange(%d, %d) differs", c.lo, c.hi)
		}
		u.AddRange(0, 1<<20)
		if string(enc) != string(orig) {
			t.Fatal("modifying a union changed the bundle's bytes")
		}
	}
}

func TestBundleWriter(t *testing.T) {
	var w BundleWriter
	if err := w.Add(5, roaring.BitmapOf(1)); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(5, roaring.BitmapOf(2)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("repeated id: err = %v", err)
	}
	if err := w.Add(4, roaring.BitmapOf(2)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("decreasing id: err = %v", err)
	}
	if err := w.Add(6, roaring.New()); err != nil || w.Len() != 1 {
		t.Fatalf("empty bitmap: err %v, Len %d", err, w.Len())
	}
	if err := w.Add(6, roaring.BitmapOf(3)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("id of a skipped bitmap again: err = %v", err)
	}
	w.Reset()
	if w.Len() != 0 {
		t.Fatal("Reset left entries")
	}
	if err := w.Add(0, roaring.BitmapOf(9)); err != nil {
		t.Fatal(err)
	}
	b, err := DecodeBundle(w.AppendTo(nil))
	if err != nil || b.Len() != 1 || b.ID(0) != 0 {
		t.Fatalf("after Reset: %v", err)
	}
	var empty BundleWriter
	b, err = DecodeBundle(empty.AppendTo(nil))
	if err != nil || b.Len() != 0 {
		t.Fatalf("empty bundle: %v", err)
	}
	if u, err := b.Union([]uint32{1}); err != nil || !u.IsEmpty() {
		t.Fatal("union of an empty bundle")
	}
}

// rawBundle builds a bundle with the given table entries (id, card, end)
// and payload, bypassing the writer.
func rawBundle(payload []byte, entries ...[3]uint32) []byte {
	b := binary.AppendUvarint(nil, uint64(len(entries)))
	for _, e := range entries {
		for _, v := range e {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	return append(b, payload...)
}

func TestDecodeBundleCorrupt(t *testing.T) {
	p := make([]byte, 20)
	for _, c := range []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"bad count", []byte{0x80}},
		{"count beyond input", []byte{2, 1, 2, 3}},
		{"ids equal", rawBundle(p, [3]uint32{1, 1, 10}, [3]uint32{1, 1, 20})},
		{"ids decreasing", rawBundle(p, [3]uint32{2, 1, 10}, [3]uint32{1, 1, 20})},
		{"zero cardinality", rawBundle(p, [3]uint32{1, 0, 20})},
		{"offsets equal", rawBundle(p, [3]uint32{1, 1, 10}, [3]uint32{2, 1, 10}, [3]uint32{3, 1, 20})},
		{"zero-length first", rawBundle(p, [3]uint32{1, 1, 0}, [3]uint32{2, 1, 20})},
		{"end short of payload", rawBundle(p, [3]uint32{1, 1, 19})},
		{"end past payload", rawBundle(p, [3]uint32{1, 1, 21})},
		{"payload without entries", rawBundle(p)},
	} {
		if b, err := DecodeBundle(c.src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, %v; want ErrCorrupt", c.name, b, err)
		}
	}
}

func TestBundleBitmapCorrupt(t *testing.T) {
	ser := func(bm *roaring.Bitmap) []byte {
		bm.RunOptimize()
		b, err := bm.ToBytes()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	arr := ser(roaring.BitmapOf(1, 2, 3))
	runs := ser(func() *roaring.Bitmap { bm := roaring.New(); bm.AddRange(10, 20); bm.AddRange(30, 40); return bm }())
	dense := ser(func() *roaring.Bitmap {
		bm := roaring.New()
		for i := range uint32(5000) {
			bm.Add(2 * i)
		}
		return bm
	}())
	set := func(b []byte, off int, vals ...byte) []byte {
		b = slices.Clone(b)
		copy(b[off:], vals)
		return b
	}
	// Layouts: arr = cookie 12346 (8) + header (4) + offsets (4) + 3 values;
	// runs = cookie 12347 (4) + run flags (1) + header (4) + nr (2) + runs;
	// dense = 8 + 4 + 4 + 8192.
	for _, c := range []struct {
		name string
		bm   []byte
		card uint32
	}{
		{"cardinality differs from the table", arr, 4},
		{"bad cookie", set(arr, 0, 0x39, 0x31), 3},
		{"too many containers", set(arr, 4, 0, 0, 2, 0), 3},
		{"array unsorted", set(arr, 16, 2, 0, 1, 0), 3},
		{"array duplicate", set(arr, 16, 1, 0, 1, 0), 3},
		{"array truncated", arr[:len(arr)-2], 3},
		{"trailing bytes", append(slices.Clone(arr), 0, 0), 3},
		{"runs overlap", set(runs, 11, 10, 0, 9, 0, 15, 0, 9, 0), 20},
		{"runs adjacent", set(runs, 11, 10, 0, 9, 0, 20, 0, 9, 0), 20},
		{"runs unsorted", set(runs, 11, 30, 0, 9, 0, 10, 0, 9, 0), 20},
		{"run past 65535", set(runs, 11, 10, 0, 9, 0, 0xf0, 0xff, 0x20, 0), 20},
		{"no runs", set(runs, 9, 0, 0)[:11], 20},
		{"run count too big", set(runs, 9, 3, 0), 20},
		{"run cardinality differs from header", set(runs, 7, 20, 0), 21},
		{"bitmap cardinality differs", set(dense, 10, 0x88, 0x13), 5001},
		{"bitmap truncated", dense[:len(dense)-1], 5000},
		{"empty", nil, 1},
		{"cookie only", arr[:4], 3},
	} {
		src := rawBundle(c.bm, [3]uint32{7, c.card, uint32(len(c.bm))})
		b, err := DecodeBundle(src)
		if err != nil {
			if len(c.bm) == 0 {
				continue // the table already rejects a zero-length bitmap
			}
			t.Fatalf("%s: %v", c.name, err)
		}
		bm, err := b.Bitmap(0)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, %v; want ErrCorrupt", c.name, bm, err)
		}
		if _, err := b.Union([]uint32{7}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Union: err %v, want ErrCorrupt", c.name, err)
		}
		if _, err := b.UnionRange(0, 8); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: UnionRange: err %v, want ErrCorrupt", c.name, err)
		}
	}
	// The unmodified serializations pass.
	for _, c := range []struct {
		bm   []byte
		card uint32
	}{{arr, 3}, {runs, 20}, {dense, 5000}} {
		b, err := DecodeBundle(rawBundle(c.bm, [3]uint32{7, c.card, uint32(len(c.bm))}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Bitmap(0); err != nil {
			t.Fatal(err)
		}
	}
}

// exerciseBitmap runs operations on a bitmap that checkBitmap accepted:
// none may panic, and they must agree with its cardinality.
func exerciseBitmap(t *testing.T, bm *roaring.Bitmap, card uint64) {
	t.Helper()
	// Validate takes time quadratic in a container's runs: skip it on
	// bitmaps with possibly thousands of runs.
	if bm.GetSerializedSizeInBytes() <= 1<<14 {
		if err := bm.Validate(); err != nil {
			t.Fatalf("accepted bitmap fails Validate: %v", err)
		}
	}
	if bm.GetCardinality() != card {
		t.Fatalf("cardinality %d, want %d", bm.GetCardinality(), card)
	}
	n := uint64(0)
	prev, first := uint32(0), true
	it := bm.Iterator()
	for it.HasNext() {
		v := it.Next()
		if !first && v <= prev {
			t.Fatalf("iteration not increasing: %d after %d", v, prev)
		}
		prev, first = v, false
		n++
	}
	if n != card {
		t.Fatalf("iterated %d values, want %d", n, card)
	}
	if card > 0 {
		mn, mx := bm.Minimum(), bm.Maximum()
		if !bm.Contains(mn) || !bm.Contains(mx) || bm.Rank(mx) != card {
			t.Fatal("Minimum, Maximum, Contains or Rank disagree")
		}
		if v, err := bm.Select(uint32(card - 1)); err != nil || v != mx {
			t.Fatal("Select disagrees")
		}
	}
	other := roaring.BitmapOf(0, 1, 2, 65535, 65536, 1<<20, 1<<31)
	other.AddRange(100, 5000)
	and := roaring.And(bm, other)
	or := roaring.Or(bm, other)
	if and.GetCardinality()+or.GetCardinality() != card+other.GetCardinality() {
		t.Fatal("|A∩B| + |A∪B| != |A| + |B|")
	}
	_ = roaring.AndNot(bm, other)
	_ = roaring.Xor(bm, other)
	_ = roaring.FastOr(bm, other, bm)
	c := bm.Clone()
	c.RunOptimize()
	if !c.Equals(bm) {
		t.Fatal("RunOptimize changed the values")
	}
	bm.Add(12345)
	bm.RemoveRange(0, 1000)
	bm.Flip(0, 70000)
}

func FuzzDecodeBundle(f *testing.F) {
	bms := testBitmaps()
	// Small bundles (large inputs slow the fuzzer down), and each test
	// bitmap alone.
	runs := roaring.New()
	runs.AddRange(5, 100)
	runs.AddRange(1<<16, 1<<16+3)
	f.Add(buildBundle(f, []uint32{0, 2, 3}, []*roaring.Bitmap{bms[0], runs, bms[len(bms)-1]}))
	f.Add(buildBundle(f, []uint32{1}, []*roaring.Bitmap{roaring.BitmapOf(1, 2, 3)}))
	for _, bm := range bms {
		// Serialized bitmaps alone, for the checks of the bitmaps.
		bm.RunOptimize()
		b, err := bm.ToBytes()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := slices.Clone(data)
		// The bytes as a bundle.
		if b, err := DecodeBundle(data); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
		} else {
			var all []uint32
			for i := range min(b.Len(), 64) {
				all = append(all, b.ID(i))
				bm, err := b.Bitmap(i)
				if err != nil {
					if !errors.Is(err, ErrCorrupt) {
						t.Fatalf("error %v does not wrap ErrCorrupt", err)
					}
					continue
				}
				exerciseBitmap(t, bm, b.Cardinality(i))
			}
			if u, err := b.Union(all); err == nil {
				_ = u.GetCardinality()
				u.AddRange(0, 1<<17)
			}
		}
		// The bytes as a serialized bitmap.
		if card, err := checkBitmap(data); err == nil && card > 0 && card <= 1<<32-1 {
			b, err := DecodeBundle(rawBundle(data, [3]uint32{1, uint32(card), uint32(len(data))}))
			if err != nil {
				t.Fatal(err)
			}
			bm, err := b.Bitmap(0)
			if err != nil {
				t.Fatalf("checked bitmap rejected: %v", err)
			}
			exerciseBitmap(t, bm, card)
		}
		if string(data) != string(orig) {
			t.Fatal("the input bytes changed")
		}
		// The bytes as bitmaps: each pair of bytes a row, a zero pair ends
		// a bitmap; the first byte spreads the rows.
		if len(data) == 0 {
			return
		}
		shift := data[0] % 17
		var in []*roaring.Bitmap
		var inIDs []uint32
		cur := roaring.New()
		for b := data[1:min(len(data), 512)]; len(b) >= 2; b = b[2:] {
			v := uint32(binary.LittleEndian.Uint16(b))
			if v == 0 {
				in, inIDs, cur = append(in, cur), append(inIDs, uint32(len(inIDs)*3)), roaring.New()
				continue
			}
			cur.AddRange(uint64(v)<<shift, uint64(v)<<shift+uint64(b[0]%4))
		}
		in, inIDs = append(in, cur), append(inIDs, uint32(len(inIDs)*3))
		want := make([]*roaring.Bitmap, len(in))
		for i, bm := range in {
			want[i] = bm.Clone()
		}
		b, err := DecodeBundle(buildBundle(t, inIDs, in))
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for j, bm := range want {
			if bm.IsEmpty() {
				continue
			}
			if b.ID(i) != inIDs[j] {
				t.Fatalf("entry %d: id %d, want %d", i, b.ID(i), inIDs[j])
			}
			got, err := b.Bitmap(i)
			if err != nil || !got.Equals(bm) {
				t.Fatalf("round trip of bitmap %d: %v", j, err)
			}
			i++
		}
		if i != b.Len() {
			t.Fatalf("Len() = %d, want %d", b.Len(), i)
		}
	})
}

func benchmarkBundleBitmap(b *testing.B, bm *roaring.Bitmap) {
	enc := buildBundle(b, []uint32{1}, []*roaring.Bitmap{bm})
	bd, err := DecodeBundle(enc)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bd.Bitmap(0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBundleBitmap decodes one bitmap of rows of a part of 1<<20
// rows; bytes are the bundle's.
func BenchmarkBundleBitmap(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	b.Run("sparse", func(b *testing.B) { // array containers: 1 row in 64
		bm := roaring.New()
		for i := uint32(0); i < 1<<20; i += 1 + r.Uint32N(127) {
			bm.Add(i)
		}
		benchmarkBundleBitmap(b, bm)
	})
	b.Run("dense", func(b *testing.B) { // bitmap containers: 1 row in 2
		bm := roaring.New()
		for i := uint32(0); i < 1<<20; i++ {
			if r.Uint32N(2) == 0 {
				bm.Add(i)
			}
		}
		benchmarkBundleBitmap(b, bm)
	})
	b.Run("runs", func(b *testing.B) { // run containers: rows sorted by value
		bm := roaring.New()
		for i := uint64(0); i < 1<<20; i += 1 << 12 {
			bm.AddRange(i, i+1<<11)
		}
		benchmarkBundleBitmap(b, bm)
	})
}

func BenchmarkBundleUnion(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	const values = 64
	bms := make([]*roaring.Bitmap, values)
	ids := make([]uint32, values)
	for i := range bms {
		bms[i], ids[i] = roaring.New(), uint32(i)
	}
	for row := uint32(0); row < 1<<20; row++ {
		bms[r.Uint32N(values)].Add(row)
	}
	bd, err := DecodeBundle(buildBundle(b, ids, bms))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bd.UnionRange(0, values/2); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentReaders runs the views' readers from several goroutines at
// once, modifying the bitmaps they return; run it with -race.
func TestConcurrentReaders(t *testing.T) {
	bms := testBitmaps()
	ids := make([]uint32, len(bms))
	for i := range ids {
		ids[i] = uint32(i)
	}
	enc := buildBundle(t, ids, bms)
	orig := slices.Clone(enc)
	b, err := DecodeBundle(enc)
	if err != nil {
		t.Fatal(err)
	}
	strs, _, err := DecodeStrings(AppendStrings(nil, []string{guid1, "", guid2}))
	if err != nil {
		t.Fatal(err)
	}
	denc, _ := AppendStringDict(nil, []string{"a", "b", "c"})
	d, err := DecodeDict(denc)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 20 {
				for i := range b.Len() {
					bm, err := b.Bitmap(i)
					if err != nil {
						t.Error(err)
						return
					}
					bm.AddRange(0, 1<<17)
				}
				u, err := b.Union(ids)
				if err != nil {
					t.Error(err)
					return
				}
				u.Flip(0, 1<<20)
				if strs.Find(guid2, 0) != 2 || strs.At(0) != guid1 {
					t.Error("Strings read wrong")
				}
				if id, ok := d.Find("b"); !ok || id != 1 {
					t.Error("Dict read wrong")
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	if string(enc) != string(orig) {
		t.Fatal("the bundle's bytes changed")
	}
}

// TestAddRowsMatchesAdd checks that AddRows writes, byte for byte, what Add
// writes for the bitmap of the same rows: every kind of container, the
// size thresholds between them, and the offset header's presence.
func TestAddRowsMatchesAdd(t *testing.T) {
	check := func(name string, rows []uint32) {
		t.Helper()
		var a, b BundleWriter
		if err := a.Add(7, roaring.BitmapOf(rows...)); err != nil {
			t.Fatal(err)
		}
		if err := b.AddRows(7, rows); err != nil {
			t.Fatal(err)
		}
		if got, want := b.AppendTo(nil), a.AppendTo(nil); !slices.Equal(got, want) {
			t.Errorf("%s: AddRows wrote %d bytes, Add %d; first difference at %d", name, len(got), len(want), firstDiff(got, want))
		}
	}
	span := func(lo, hi uint32) []uint32 {
		var r []uint32
		for v := lo; v < hi; v++ {
			r = append(r, v)
		}
		return r
	}
	stride := func(lo, n, step uint32) []uint32 {
		var r []uint32
		for i := range n {
			r = append(r, lo+i*step)
		}
		return r
	}
	check("one", []uint32{5})
	check("max", []uint32{^uint32(0)})
	check("full container", span(0, 1<<16))
	check("one run", span(100, 5000))
	// Around the array/bitmap threshold, without runs.
	for _, n := range []uint32{4095, 4096, 4097, 4111, 4112, 4113, 8000, 32768} {
		check("stride", stride(3, n, 2))
	}
	// Runs against arrays and bitmaps of every size.
	for _, runs := range []uint32{1, 2, 3, 1000, 2047, 2048, 2049, 2055, 2056, 3000} {
		var rows []uint32
		for k := range runs {
			rows = append(rows, span(k*20, k*20+3)...)
		}
		check("runs", rows)
	}
	// Several containers, with and without runs, below and above the
	// offset header threshold of 4 containers.
	for _, n := range []uint32{2, 3, 4, 5, 40} {
		var withRuns, without []uint32
		for k := range n {
			withRuns = append(withRuns, span(k<<16, k<<16+50)...)
			without = append(without, stride(k<<17, 10, 7)...)
		}
		check("containers with runs", withRuns)
		check("containers without runs", without)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 40 {
		bm := roaring.New()
		density := 1 + r.IntN(64)
		for range r.IntN(20000) {
			base := r.Uint32N(4) << 16
			v := base + r.Uint32N(uint32(1<<16/density)+1)*uint32(density)
			bm.AddRange(uint64(v), uint64(v)+uint64(r.IntN(4))+1)
		}
		if bm.IsEmpty() {
			continue
		}
		check("random "+string(rune('a'+i%26)), bm.ToArray())
	}
	for _, bm := range testBitmaps() {
		check("test bitmap", bm.ToArray())
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestAddRowsRefuses(t *testing.T) {
	var w BundleWriter
	if err := w.AddRows(1, []uint32{1, 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("repeated row: %v", err)
	}
	if err := w.AddRows(2, []uint32{3, 2}); !errors.Is(err, ErrInvalid) {
		t.Errorf("decreasing rows: %v", err)
	}
	if err := w.AddRows(3, nil); err != nil || w.Len() != 0 {
		t.Errorf("no rows: %v, %d bitmaps", err, w.Len())
	}
	if err := w.AddRows(3, []uint32{9}); !errors.Is(err, ErrInvalid) {
		t.Errorf("id not increasing: %v", err)
	}
}

// FuzzAddRows checks AddRows against Add on rows made from the input.
func FuzzAddRows(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 200, 201}, uint8(0))
	f.Add([]byte{255, 255, 0, 0, 1, 1}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, spread uint8) {
		seen := map[uint32]bool{}
		var rows []uint32
		for i := 0; i+1 < len(data); i += 2 {
			v := uint32(data[i])<<8 | uint32(data[i+1])
			v = v<<(spread%17) | uint32(i)%3
			if !seen[v] {
				seen[v] = true
				rows = append(rows, v)
			}
		}
		slices.Sort(rows)
		var a, b BundleWriter
		if err := a.Add(1, roaring.BitmapOf(rows...)); err != nil {
			t.Fatal(err)
		}
		if err := b.AddRows(1, rows); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.AppendTo(nil), b.AppendTo(nil)) {
			t.Fatalf("AddRows differs from Add for %d rows", len(rows))
		}
	})
}

func TestBundleWriterSize(t *testing.T) {
	var w BundleWriter
	for i, bm := range testBitmaps() {
		if err := w.Add(uint32(i), bm); err != nil {
			t.Fatal(err)
		}
		if got := len(w.AppendTo(nil)); got != w.Size() {
			t.Fatalf("after %d bitmaps: Size %d, encoding %d bytes", i+1, w.Size(), got)
		}
	}
	for _, v := range []uint64{0, 1, 127, 128, 1<<14 - 1, 1 << 14, 1<<63 + 5} {
		if uvarintLen(v) != len(binary.AppendUvarint(nil, v)) {
			t.Errorf("uvarintLen(%d) = %d", v, uvarintLen(v))
		}
	}
}
