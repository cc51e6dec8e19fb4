package logfile

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// pieces reads r in pieces of at most n bytes, as a gzip reader gives
// them.
type pieces struct {
	r io.Reader
	n int
}

func (p *pieces) Read(b []byte) (int, error) { return p.r.Read(b[:min(len(b), p.n)]) }

// scanUnits returns the units a scanner finds in data read in pieces of
// at most n bytes, and the error that ended it (nil at the end).
func scanUnits(data []byte, n, max int) (*jsonScanner, []unit, error) {
	sc := newJSONScanner(&pieces{bytes.NewReader(data), n}, max)
	var units []unit
	for {
		u, err := sc.next()
		if err == io.EOF {
			return sc, units, nil
		}
		if err != nil {
			return sc, units, err
		}
		u.raw = bytes.Clone(u.raw)
		units = append(units, u)
	}
}

// TestScanLongStringLinear checks that a long string read in small
// pieces is looked at once: a 60 MB string in a gzip file took 5.6 s
// against 0.46 s plain, as each piece made the scanner look at the
// string again from its start. The scanner counts the bytes its string
// scanning looks at: at most about the input's size, however it is cut.
func TestScanLongStringLinear(t *testing.T) {
	const size = 4 << 20
	strs := map[string]string{
		"plain":       strings.Repeat("a", size),
		"escapes":     strings.Repeat(`ab\"c\\`, size/6),
		"backslashes": strings.Repeat(`\\`, size/2),
	}
	for name, s := range strs {
		for _, wrap := range []string{`[{"category":"SignInLogs","pad":"%s"}]`, `{"value":[{"pad":"%s"}]}`, `{"pad":"%s"}` + "\n"} {
			data := []byte(fmt.Sprintf(wrap, s))
			for _, n := range []int{1 << 10, 32 << 10} {
				sc, units, err := scanUnits(data, n, 64<<20)
				if err != nil || len(units) != 1 || units[0].err != "" || !bytes.Contains(units[0].raw, []byte(s)) {
					t.Fatalf("%s %.20s, pieces of %d: %d units, %v", name, wrap, n, len(units), err)
				}
				if sc.work > int64(len(data))+int64(len(data))/8 {
					t.Errorf("%s %.20s, pieces of %d: looked at %d bytes of string for %d bytes of input", name, wrap, n, sc.work, len(data))
				}
			}
		}
	}
}

// FuzzJSONScanPieces checks that the scanner finds the same units and
// the same errors however the input is cut into reads (strings read in
// pieces are resumed where they stopped), with a small record limit so
// that records larger than it are met too.
func FuzzJSONScanPieces(f *testing.F) {
	g := `{"category":"SignInLogs","time":"2025-01-01T00:00:00Z","properties":{"id":"a\"b\\","x":[1,{"y":"z"}]}}`
	for _, s := range []string{"[" + g + "," + g + "]", `{"value":[` + g + `],"@odata.nextLink":"x"}`, g + "\n" + g, "[" + g + `,"\\\\\"` + "\n" + `"]`,
		"[" + g + `,{"pad":"` + strings.Repeat("x", 300) + `"},` + g + "]", `{"records":[` + g + "]}\n{", `[{"a":"\` + "\n"} {
		f.Add([]byte(s), uint8(3), uint16(200))
	}
	f.Fuzz(func(t *testing.T, data []byte, n uint8, lim uint16) {
		limit := 64 + int(lim)
		_, whole, werr := scanUnits(data, len(data)+1, limit)
		_, cut, cerr := scanUnits(data, 1+int(n%16), limit)
		if fmt.Sprint(werr) != fmt.Sprint(cerr) || !sameError(werr, cerr) {
			t.Fatalf("errors differ: whole %v, in pieces %v", werr, cerr)
		}
		if len(whole) != len(cut) {
			t.Fatalf("%d units whole, %d in pieces", len(whole), len(cut))
		}
		for i := range whole {
			w, c := whole[i], cut[i]
			if w.line != c.line || w.col != c.col || w.err != c.err || !bytes.Equal(w.raw, c.raw) {
				t.Fatalf("unit %d: whole %d:%d %q %.40q, in pieces %d:%d %q %.40q", i, w.line, w.col, w.err, w.raw, c.line, c.col, c.err, c.raw)
			}
			if w.err == "" && len(w.raw) > limit {
				t.Fatalf("unit %d of %d bytes, over the limit %d", i, len(w.raw), limit)
			}
		}
	})
}

func sameError(a, b error) bool {
	ea, _ := a.(*scanError)
	eb, _ := b.(*scanError)
	if ea == nil || eb == nil {
		return ea == eb
	}
	return ea.line == eb.line && ea.col == eb.col && ea.msg == eb.msg
}
