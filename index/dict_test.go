package index

import (
	"errors"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestDictKindString(t *testing.T) {
	for k, want := range map[DictKind]string{DictString: "string", DictInt: "int", DictFloat: "float", 0: "DictKind(0)", 9: "DictKind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("DictKind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func mustDict(t testing.TB, enc []byte, err error) *Dict {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeDict(enc)
	if err != nil {
		t.Fatal(err)
	}
	checkPrefixes(t, enc, func(b []byte) error { _, err := DecodeDict(b); return err })
	if _, err := DecodeDict(append(enc[:len(enc):len(enc)], 0)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("trailing byte: err = %v, want ErrCorrupt", err)
	}
	return d
}

// checkStringDict checks every method of a string dictionary of vals.
func checkStringDict(t *testing.T, d *Dict, vals []string) {
	t.Helper()
	if d.Kind() != DictString || d.Len() != len(vals) {
		t.Fatalf("Kind %v Len %d, want string %d", d.Kind(), d.Len(), len(vals))
	}
	for i, v := range vals {
		if d.String(uint32(i)) != v {
			t.Fatalf("String(%d) = %q, want %q", i, d.String(uint32(i)), v)
		}
	}
	probes := append(slices.Clone(vals), "", "\x00", "\xff", "a", "zz")
	for _, v := range vals {
		probes = append(probes, v+"\x00", v[:len(v)/2])
	}
	for _, p := range probes {
		id, ok := d.Find(p)
		want, wantOK := slices.BinarySearch(vals, p)
		if ok != wantOK || ok && id != uint32(want) {
			t.Fatalf("Find(%q) = %d, %v; want %d, %v", p, id, ok, want, wantOK)
		}
		lo, hi := d.PrefixRange(p)
		var wlo, whi uint32
		first := true
		for i, v := range vals {
			if strings.HasPrefix(v, p) {
				if first {
					wlo, first = uint32(i), false
				}
				whi = uint32(i) + 1
			}
		}
		if first {
			wlo, whi = lo, lo
		}
		if lo != wlo || hi != whi {
			t.Fatalf("PrefixRange(%q) = [%d,%d), want [%d,%d)", p, lo, hi, wlo, whi)
		}
	}
	if _, ok := d.FindInt(0); ok {
		t.Fatal("FindInt on a string dictionary found a value")
	}
	if lo, hi := d.IntRange(math.MinInt64, math.MaxInt64); lo != hi {
		t.Fatal("IntRange on a string dictionary is not empty")
	}
}

func TestStringDict(t *testing.T) {
	for _, vals := range [][]string{
		nil,
		{""},
		{"", "a"},
		{"a", "ab", "abc", "abd", "b", "ba", "\xff"},
		{"Mozilla/5.0", "Windows 10", "Windows 11", "iOS 17"},
	} {
		enc, err := AppendStringDict([]byte("head"), vals)
		d := mustDict(t, enc[4:], err)
		checkStringDict(t, d, vals)
	}
}

func TestIntDict(t *testing.T) {
	vals := []int64{math.MinInt64, -1 << 40, -5, 0, 3, 1 << 40, math.MaxInt64}
	enc, err := AppendIntDict(nil, vals)
	d := mustDict(t, enc, err)
	if d.Kind() != DictInt || d.Len() != len(vals) {
		t.Fatalf("Kind %v Len %d", d.Kind(), d.Len())
	}
	for i, v := range vals {
		if d.Int(uint32(i)) != v {
			t.Fatalf("Int(%d) = %d, want %d", i, d.Int(uint32(i)), v)
		}
	}
	for _, p := range append(slices.Clone(vals), -6, -4, 1, 2, 4, math.MaxInt64-1, math.MinInt64+1) {
		id, ok := d.FindInt(p)
		want, wantOK := slices.BinarySearch(vals, p)
		if ok != wantOK || ok && id != uint32(want) {
			t.Fatalf("FindInt(%d) = %d, %v; want %d, %v", p, id, ok, want, wantOK)
		}
	}
	for _, c := range []struct {
		min, max int64
		lo, hi   uint32
	}{
		{math.MinInt64, math.MaxInt64, 0, 7},
		{-5, 3, 2, 5},
		{-4, 2, 3, 4},
		{1, 2, 4, 4},
		{4, -4, 5, 5},
		{math.MaxInt64, math.MaxInt64, 6, 7},
		{math.MinInt64, math.MinInt64, 0, 1},
	} {
		if lo, hi := d.IntRange(c.min, c.max); lo != c.lo || hi != c.hi {
			t.Errorf("IntRange(%d, %d) = [%d,%d), want [%d,%d)", c.min, c.max, lo, hi, c.lo, c.hi)
		}
	}
	if _, ok := d.Find("3"); ok {
		t.Error("Find on an int dictionary found a value")
	}
	for _, vals := range [][]int64{nil, {7}, {0, 255}, {0, 1, 2}} {
		enc, err := AppendIntDict(nil, vals)
		d := mustDict(t, enc, err)
		if d.Len() != len(vals) {
			t.Fatalf("%v: Len %d", vals, d.Len())
		}
	}
}

func TestFloatDict(t *testing.T) {
	negZero := math.Copysign(0, -1)
	vals := []float64{math.NaN(), math.Inf(-1), -1.5, negZero, 0, 1e-300, 2.5, math.Inf(1)}
	enc, err := AppendFloatDict(nil, vals)
	d := mustDict(t, enc, err)
	if d.Kind() != DictFloat || d.Len() != len(vals) {
		t.Fatalf("Kind %v Len %d", d.Kind(), d.Len())
	}
	for i, v := range vals {
		if math.Float64bits(d.Float(uint32(i))) != math.Float64bits(v) {
			t.Fatalf("Float(%d) = %v, want %v", i, d.Float(uint32(i)), v)
		}
		id, ok := d.FindFloat(v)
		if !ok || id != uint32(i) {
			t.Fatalf("FindFloat(%v) = %d, %v; want %d", v, id, ok, i)
		}
	}
	if _, ok := d.FindFloat(1); ok {
		t.Error("FindFloat(1) found a value")
	}
	if id, ok := d.FindFloat(math.Float64frombits(0x7ff8000000000abc)); !ok || id != 0 {
		t.Error("FindFloat of another NaN did not find the NaN")
	}
	nan := math.NaN()
	for _, c := range []struct {
		min, max float64
		lo, hi   uint32
	}{
		{math.Inf(-1), math.Inf(1), 1, 8},
		{0, 0, 3, 5},
		{negZero, negZero, 3, 5},
		{-2, 1, 2, 6},
		{1, 2, 6, 6},
		{3, -3, 7, 7},
		{nan, 1, 0, 0},
		{-1, nan, 0, 0},
		{math.Inf(1), math.Inf(1), 7, 8},
	} {
		if lo, hi := d.FloatRange(c.min, c.max); lo != c.lo || hi != c.hi {
			t.Errorf("FloatRange(%v, %v) = [%d,%d), want [%d,%d)", c.min, c.max, lo, hi, c.lo, c.hi)
		}
	}
	// Without NaN.
	enc, err = AppendFloatDict(nil, vals[1:])
	d = mustDict(t, enc, err)
	if lo, hi := d.FloatRange(math.Inf(-1), -1); lo != 0 || hi != 2 {
		t.Errorf("FloatRange without NaN = [%d,%d), want [0,2)", lo, hi)
	}
	for _, vals := range [][]float64{nil, {nan}} {
		enc, err := AppendFloatDict(nil, vals)
		if d := mustDict(t, enc, err); d.Len() != len(vals) {
			t.Fatalf("%v: Len %d", vals, d.Len())
		}
	}
}

func TestDictInvalid(t *testing.T) {
	negZero := math.Copysign(0, -1)
	nan := math.NaN()
	for _, c := range []struct {
		name string
		f    func() ([]byte, error)
	}{
		{"strings equal", func() ([]byte, error) { return AppendStringDict([]byte{1}, []string{"a", "a"}) }},
		{"strings decreasing", func() ([]byte, error) { return AppendStringDict([]byte{1}, []string{"b", "a"}) }},
		{"ints equal", func() ([]byte, error) { return AppendIntDict([]byte{1}, []int64{1, 1}) }},
		{"ints decreasing", func() ([]byte, error) { return AppendIntDict([]byte{1}, []int64{2, 1}) }},
		{"two NaNs", func() ([]byte, error) { return AppendFloatDict([]byte{1}, []float64{nan, nan}) }},
		{"NaN last", func() ([]byte, error) { return AppendFloatDict([]byte{1}, []float64{1, nan}) }},
		{"+0 before -0", func() ([]byte, error) { return AppendFloatDict([]byte{1}, []float64{0, negZero}) }},
		{"floats equal", func() ([]byte, error) { return AppendFloatDict([]byte{1}, []float64{1, 1}) }},
	} {
		dst, err := c.f()
		if !errors.Is(err, ErrInvalid) || string(dst) != "\x01" {
			t.Errorf("%s: got %v, %v; want ErrInvalid and dst unchanged", c.name, dst, err)
		}
	}
}

func TestDecodeDictCorrupt(t *testing.T) {
	str := func(offs []uint32, data string) []byte {
		return append(AppendIDs([]byte{byte(DictString)}, offs), data...)
	}
	f64 := func(bits ...uint64) []byte {
		b := []byte{byte(DictFloat), byte(len(bits))}
		for _, v := range bits {
			for j := range 8 {
				b = append(b, byte(v>>(8*j)))
			}
		}
		return b
	}
	for _, c := range []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"unknown kind", []byte{0, 0, 0, 0}},
		{"kind 4", []byte{4, 0, 0, 0}},
		{"no offsets", str(nil, "")},
		{"offsets not from 0", str([]uint32{1, 2}, "ab")},
		{"offsets decrease", str([]uint32{0, 2, 1}, "ab")},
		{"values beyond input", str([]uint32{0, 3}, "ab")},
		{"strings equal", str([]uint32{0, 1, 2}, "aa")},
		{"strings decreasing", str([]uint32{0, 1, 2}, "ba")},
		{"two empty strings", str([]uint32{0, 0, 0}, "")},
		{"many empty strings", append(append([]byte{byte(DictString)}, 0xff, 0xff, 0xff, 0x7f), 0, 0)},
		{"ints equal", AppendInts([]byte{byte(DictInt)}, []int64{1, 1})},
		{"ints decreasing", AppendInts([]byte{byte(DictInt)}, []int64{2, 1})},
		{"many equal ints", []byte{byte(DictInt), 0xff, 0xff, 0xff, 0x7f, 0, 0}},
		{"257 ints of width 1", AppendInts([]byte{byte(DictInt)}, make([]int64, 257))},
		{"floats truncated", f64(1)[:5]},
		{"floats equal", f64(1, 1)},
		{"zeros reversed", f64(0, 1<<63)},
		{"two NaNs", f64(0x7ff8000000000001, 0x7ff8000000000002)},
		{"NaN after a number", f64(0, 0x7ff8000000000001)},
		{"float count huge", []byte{byte(DictFloat), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	} {
		if d, err := DecodeDict(c.src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, %v; want ErrCorrupt", c.name, d, err)
		}
	}
}

func TestDictNoAllocs(t *testing.T) {
	vals := []string{"a", "b", "c", "d", "e"}
	enc, _ := AppendStringDict(nil, vals)
	d, _ := DecodeDict(enc)
	ienc, _ := AppendIntDict(nil, []int64{1, 2, 3})
	di, _ := DecodeDict(ienc)
	fenc, _ := AppendFloatDict(nil, []float64{1, 2, 3})
	df, _ := DecodeDict(fenc)
	if n := testing.AllocsPerRun(100, func() {
		d.Find("c")
		d.PrefixRange("b")
		_ = d.String(3)
		di.FindInt(2)
		di.IntRange(1, 2)
		df.FindFloat(2)
		df.FloatRange(1, 2)
	}); n != 0 {
		t.Errorf("lookups allocate %v times", n)
	}
}

func FuzzDecodeDict(f *testing.F) {
	add := func(enc []byte, err error) {
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	add(AppendStringDict(nil, []string{"", "a", "ab", "b"}))
	add(AppendStringDict(nil, nil))
	add(AppendIntDict(nil, []int64{math.MinInt64, -3, 0, 1 << 40}))
	add(AppendFloatDict(nil, []float64{math.NaN(), -1, math.Copysign(0, -1), 0, 2}))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := DecodeDict(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
		} else {
			n := uint32(d.Len())
			var again []byte
			switch d.Kind() {
			case DictString:
				vals := make([]string, n)
				for i := range n {
					vals[i] = d.String(i)
					if id, ok := d.Find(vals[i]); !ok || id != i {
						t.Fatalf("Find(String(%d)) = %d, %v", i, id, ok)
					}
					lo, hi := d.PrefixRange(vals[i])
					if lo != i || hi <= i {
						t.Fatalf("PrefixRange(String(%d)) = [%d,%d)", i, lo, hi)
					}
				}
				again, err = AppendStringDict(nil, vals)
			case DictInt:
				vals := make([]int64, n)
				for i := range n {
					vals[i] = d.Int(i)
					if id, ok := d.FindInt(vals[i]); !ok || id != i {
						t.Fatalf("FindInt(Int(%d)) = %d, %v", i, id, ok)
					}
					if lo, hi := d.IntRange(vals[i], vals[i]); lo != i || hi != i+1 {
						t.Fatalf("IntRange(Int(%d)) = [%d,%d)", i, lo, hi)
					}
				}
				again, err = AppendIntDict(nil, vals)
			case DictFloat:
				vals := make([]float64, n)
				for i := range n {
					vals[i] = d.Float(i)
					if id, ok := d.FindFloat(vals[i]); !ok || id != i {
						t.Fatalf("FindFloat(Float(%d)) = %d, %v", i, id, ok)
					}
					lo, hi := d.FloatRange(vals[i], vals[i])
					if v := vals[i]; v == v && (lo > i || hi <= i) || v != v && lo != hi {
						t.Fatalf("FloatRange(Float(%d)) = [%d,%d)", i, lo, hi)
					}
				}
				again, err = AppendFloatDict(nil, vals)
			default:
				t.Fatalf("decoded kind %v", d.Kind())
			}
			if err != nil {
				t.Fatalf("re-encoding: %v", err)
			}
			if _, err := DecodeDict(again); err != nil {
				t.Fatalf("re-encoding: %v", err)
			}
		}
		// The bytes as values: strings cut at zero bytes, or 8-byte ints
		// and floats, sorted and deduplicated.
		if len(data) == 0 {
			return
		}
		var enc []byte
		var check func(d *Dict)
		switch data[0] % 3 {
		case 0:
			vals := strings.Split(string(data[1:]), "\x00")
			slices.Sort(vals)
			vals = slices.Compact(vals)
			enc, err = AppendStringDict(nil, vals)
			check = func(d *Dict) { checkStringDict(t, d, vals) }
		case 1:
			var vals []int64
			for b := data[1:]; len(b) >= 8; b = b[8:] {
				vals = append(vals, int64(leUint64(b)))
			}
			slices.Sort(vals)
			vals = slices.Compact(vals)
			enc, err = AppendIntDict(nil, vals)
			check = func(d *Dict) {
				for i, v := range vals {
					if d.Int(uint32(i)) != v {
						t.Fatalf("Int(%d) = %d, want %d", i, d.Int(uint32(i)), v)
					}
				}
			}
		case 2:
			var vals []float64
			for b := data[1:]; len(b) >= 8; b = b[8:] {
				vals = append(vals, math.Float64frombits(leUint64(b)))
			}
			sort.Slice(vals, func(i, j int) bool { return floatKey(vals[i]) < floatKey(vals[j]) })
			vals = slices.CompactFunc(vals, func(a, b float64) bool { return floatKey(a) == floatKey(b) })
			enc, err = AppendFloatDict(nil, vals)
			check = func(d *Dict) {
				for i, v := range vals {
					if math.Float64bits(d.Float(uint32(i))) != math.Float64bits(v) {
						t.Fatalf("Float(%d) = %v, want %v", i, d.Float(uint32(i)), v)
					}
				}
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		d, err = DecodeDict(enc)
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		check(d)
	})
}

func leUint64(b []byte) uint64 {
	var v uint64
	for j := range 8 {
		v |= uint64(b[j]) << (8 * j)
	}
	return v
}

func BenchmarkDictFind(b *testing.B) {
	vals := make([]string, 100000)
	for i := range vals {
		vals[i] = "value-" + strconv.Itoa(1000000+i*7)
	}
	enc, err := AppendStringDict(nil, vals)
	if err != nil {
		b.Fatal(err)
	}
	d, err := DecodeDict(enc)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := d.Find(vals[i]); !ok {
			b.Fatal("not found")
		}
		i = (i + 7919) % len(vals)
	}
}

func BenchmarkDecodeDict(b *testing.B) {
	vals := make([]string, 100000)
	for i := range vals {
		vals[i] = "value-" + strconv.Itoa(1000000+i*7)
	}
	enc, err := AppendStringDict(nil, vals)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeDict(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDictMatching(t *testing.T) {
	vals := []string{"", "admin@contoso.com", "alice@contoso.com", "alice@fabrikam.com", "bob@contoso.com"}
	enc, err := AppendStringDict(nil, vals)
	d := mustDict(t, enc, err)
	got := d.Matching([]uint32{99}, func(s string) bool { return strings.HasSuffix(s, "@contoso.com") })
	if !slices.Equal(got, []uint32{99, 1, 2, 4}) {
		t.Errorf("Matching @contoso.com: %v", got)
	}
	if got := d.Matching(nil, func(string) bool { return false }); len(got) != 0 {
		t.Errorf("Matching nothing: %v", got)
	}
	ints, err := AppendIntDict(nil, []int64{1, 2})
	if got := mustDict(t, ints, err).Matching(nil, func(string) bool { return true }); len(got) != 0 {
		t.Errorf("Matching an int dictionary: %v", got)
	}
}
