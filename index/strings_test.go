package index

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

const (
	guid1 = "0f8fad5b-d9cb-469f-a165-70867728950e"
	guid2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	guid3 = "00000000-0000-0000-0000-000000000000"
)

// stringsEncoding returns the encoding AppendStrings chose.
func stringsEncoding(enc []byte) byte { return enc[0] }

// checkStrings checks every accessor of s against vals.
func checkStrings(t *testing.T, s *Strings, vals []string) {
	t.Helper()
	if s.Len() != len(vals) {
		t.Fatalf("Len() = %d, want %d", s.Len(), len(vals))
	}
	for i, v := range vals {
		if got := s.At(i); got != v {
			t.Fatalf("At(%d) = %q, want %q", i, got, v)
		}
		if got := s.AppendTo([]byte("x"), i); string(got) != "x"+v {
			t.Fatalf("AppendTo(%d) = %q, want %q", i, got, "x"+v)
		}
		if !s.Equal(i, v) {
			t.Fatalf("Equal(%d, %q) = false", i, v)
		}
		if s.Equal(i, v+"x") || v != "" && s.Equal(i, "") || v != guid2 && s.Equal(i, guid2) {
			t.Fatalf("Equal(%d, …) true for a value other than %q", i, v)
		}
		if got, want := s.Find(v, i), i; got != want {
			t.Fatalf("Find(%q, %d) = %d, want %d", v, i, got, want)
		}
		want := -1
		if j := slices.Index(vals[i+1:], v); j >= 0 {
			want = i + 1 + j
		}
		if got := s.Find(v, i+1); got != want {
			t.Fatalf("Find(%q, %d) = %d, want %d", v, i+1, got, want)
		}
	}
	for _, v := range []string{"", guid1, guid2, strings.ToUpper(guid1), "nope"} {
		for from := -1; from <= len(vals)+1; from++ {
			want := -1
			if j := slices.Index(vals[min(max(from, 0), len(vals)):], v); j >= 0 {
				want = max(from, 0) + j
			}
			if got := s.Find(v, from); got != want {
				t.Fatalf("Find(%q, %d) = %d, want %d", v, from, got, want)
			}
		}
	}
}

func TestStringsRoundTrip(t *testing.T) {
	up1, up2 := strings.ToUpper(guid1), strings.ToUpper(guid2)
	for _, c := range []struct {
		vals []string
		enc  byte
	}{
		{nil, stringsPlain},
		{[]string{""}, stringsPlain},
		{[]string{"", "", ""}, stringsPlain},
		{[]string{"a", "", "bc", "a"}, stringsPlain},
		{[]string{guid1}, stringsGUIDLower},
		{[]string{guid1, guid2, guid1}, stringsGUIDLower},
		{[]string{"", guid1, "", "", guid2, ""}, stringsGUIDLower},
		{[]string{up1, "", up2}, stringsGUIDUpper},
		{[]string{guid3, guid3}, stringsGUIDLower},
		{[]string{guid3, up1}, stringsGUIDUpper},
		{[]string{guid1, up2}, stringsPlain},
		{[]string{guid1, "x"}, stringsPlain},
		{[]string{guid1[:35] + "g"}, stringsPlain},
		{[]string{strings.ReplaceAll(guid1, "-", "_")}, stringsPlain},
		{[]string{"{" + guid1 + "}"}, stringsPlain},
	} {
		enc := AppendStrings([]byte("h"), c.vals)
		if got := stringsEncoding(enc[1:]); got != c.enc {
			t.Errorf("%q: encoding %d, want %d", c.vals, got, c.enc)
		}
		s, rest, err := DecodeStrings(append(enc[1:], "tail"...))
		if err != nil {
			t.Fatalf("%q: %v", c.vals, err)
		}
		if string(rest) != "tail" {
			t.Fatalf("%q: rest %q", c.vals, rest)
		}
		checkStrings(t, s, c.vals)
		checkPrefixes(t, enc[1:], func(b []byte) error { _, _, err := DecodeStrings(b); return err })
	}
}

// randGUIDs returns n random lowercase GUIDs, every gap-th one empty (none
// if gap is 0).
func randGUIDs(r *rand.Rand, n, gap int) []string {
	vals := make([]string, n)
	for i := range vals {
		if gap > 0 && i%gap == 0 {
			continue
		}
		var g [16]byte
		for j := range g {
			g[j] = byte(r.Uint32())
		}
		vals[i] = string(appendGUID(nil, g[:], 0))
	}
	return vals
}

func TestStringsSparseGUIDs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{63, 64, 65, 200} {
		for _, gap := range []int{1, 2, 3, 64, 0} {
			vals := randGUIDs(r, n, gap)
			if gap == 1 {
				vals[n-1] = guid1
			}
			s, _, err := DecodeStrings(AppendStrings(nil, vals))
			if err != nil {
				t.Fatal(err)
			}
			checkStrings(t, s, vals)
		}
	}
}

func TestStringsCorrupt(t *testing.T) {
	for _, c := range []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"unknown encoding", []byte{3, 0}},
		{"bad count", []byte{0, 0x80}},
		{"count mismatch", append([]byte{0, 2}, AppendIDs(nil, []uint32{1})...)},
		{"values beyond input", append(append([]byte{0, 2}, AppendIDs(nil, []uint32{1, 2})...), "ab"...)},
		{"presence past the rows", []byte{1, 3, 0x09}},
		{"GUIDs beyond input", append([]byte{1, 2, 0x03}, make([]byte, 31)...)},
		{"truncated presence", []byte{1, 9, 0xff}},
		{"lengths overflow", append([]byte{0, 2}, AppendIDs(nil, []uint32{1 << 31, 1 << 31})...)},
	} {
		if _, _, err := DecodeStrings(c.src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", c.name, err)
		}
	}
	// A failed Decode leaves an empty column.
	var s Strings
	if _, err := s.Decode(AppendStrings(nil, []string{"a", "b"})); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decode([]byte{1, 3, 0x09}); err == nil || s.Len() != 0 {
		t.Fatalf("after a failed Decode: err %v, Len %d", err, s.Len())
	}
}

func TestStringsNoAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	plain := AppendStrings(nil, []string{"alpha", "", "beta", "gamma"})
	dense := AppendStrings(nil, randGUIDs(r, 1000, 0))
	sparse := AppendStrings(nil, randGUIDs(r, 1000, 3))
	var s Strings
	buf := make([]byte, 0, 64)
	for _, enc := range [][]byte{plain, dense, sparse} {
		for range 2 {
			if _, err := s.Decode(enc); err != nil {
				t.Fatal(err)
			}
		}
		if n := testing.AllocsPerRun(50, func() { _, _ = s.Decode(enc) }); n != 0 {
			t.Errorf("Decode allocates %v times", n)
		}
		last := s.Len() - 1
		v := s.At(last)
		if n := testing.AllocsPerRun(50, func() {
			buf = s.AppendTo(buf[:0], last)
			if !s.Equal(last, v) || s.Find(v, last) != last || s.Find("", 0) == -2 {
				t.Fatal("wrong answer")
			}
		}); n != 0 {
			t.Errorf("AppendTo, Equal, Find allocate %v times", n)
		}
	}
}

func FuzzDecodeStrings(f *testing.F) {
	for _, vals := range [][]string{nil, {"a", "", "bc"}, {guid1, "", guid2}, {strings.ToUpper(guid1)}, randGUIDs(rand.New(rand.NewPCG(1, 1)), 70, 5)} {
		f.Add(AppendStrings(nil, vals))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _, err := DecodeStrings(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
		} else if s.Len() <= 1<<12 {
			vals := make([]string, s.Len())
			for i := range vals {
				vals[i] = s.At(i)
			}
			again, _, err := DecodeStrings(AppendStrings(nil, vals))
			if err != nil {
				t.Fatalf("re-encoding: %v", err)
			}
			checkStrings(t, again, vals)
			if s.Len() <= 1<<8 {
				checkStrings(t, s, vals)
			}
		}
		// The bytes as values: GUIDs from 16-byte groups, or strings cut
		// at zero bytes, as the first byte says.
		if len(data) == 0 {
			return
		}
		var vals []string
		switch data[0] % 3 {
		case 0:
			vals = strings.Split(string(data[1:]), "\x00")
		default:
			upper := int(data[0]%3) - 1
			for b := data[1:]; len(b) > 0; {
				if b[0] < 0x20 {
					vals, b = append(vals, ""), b[1:]
					continue
				}
				var g [16]byte
				b = b[copy(g[:], b):]
				vals = append(vals, string(appendGUID(nil, g[:], upper)))
			}
		}
		s, rest, err := DecodeStrings(append(AppendStrings(nil, vals), 0xfe))
		if err != nil || string(rest) != "\xfe" {
			t.Fatalf("round trip of %q: %v", vals, err)
		}
		if len(vals) <= 1<<8 {
			checkStrings(t, s, vals)
		}
	})
}

func BenchmarkStringsFind(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		name string
		vals []string
	}{
		{"guid", randGUIDs(r, 65536, 0)},
		{"guid-sparse", randGUIDs(r, 65536, 2)},
		{"plain", func() []string {
			v := randGUIDs(r, 65536, 0)
			for i := range v {
				v[i] = fmt.Sprint(i, v[i])
			}
			return v
		}()},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, _, err := DecodeStrings(AppendStrings(nil, c.vals))
			if err != nil {
				b.Fatal(err)
			}
			needle := c.vals[len(c.vals)-1]
			b.SetBytes(int64(len(c.vals)))
			b.ReportAllocs()
			for b.Loop() {
				if s.Find(needle, 0) != len(c.vals)-1 {
					b.Fatal("not found")
				}
			}
		})
	}
}

func BenchmarkDecodeStrings(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	enc := AppendStrings(nil, randGUIDs(r, 65536, 3))
	var s Strings
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}
