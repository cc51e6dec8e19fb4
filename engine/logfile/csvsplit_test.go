package logfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"testing"
)

// csvRecordEnds returns where csvEnds finds records end in data fed in
// pieces of at most n bytes, and the end of the input when a last
// record has no line end.
func csvRecordEnds(data []byte, n int) []int {
	var c csvEnds
	var ends []int
	start := 0 // where the record being read starts
	for off := 0; off < len(data); {
		piece := data[off:min(len(data), off+n)]
		i := 0
		for {
			k := c.next(piece[i:])
			if k < 0 {
				break
			}
			i += k
			ends = append(ends, off+i)
			start = off + i
		}
		off += len(piece)
	}
	if start < len(data) {
		ends = append(ends, len(data))
	}
	return ends
}

// encodingCSVEnds returns where encoding/csv ends the records of data
// (blank lines are none of its records).
func encodingCSVEnds(data []byte) []int {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	var ends []int
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return ends
		}
		if _, ok := err.(*csv.ParseError); err != nil && !ok {
			return ends
		}
		ends = append(ends, int(cr.InputOffset()))
	}
}

// checkCSVEnds checks that csvEnds ends records where encoding/csv does,
// however data is cut into pieces: the splitter cuts CSV files into jobs
// at these ends, and each job is parsed with encoding/csv on its own.
func checkCSVEnds(t *testing.T, data []byte) {
	t.Helper()
	ends := csvRecordEnds(data, len(data)+1)
	for _, n := range []int{1, 2, 7} {
		if got := csvRecordEnds(data, n); !slices.Equal(got, ends) {
			t.Fatalf("%q: ends %v in pieces of %d, %v whole", data, got, n, ends)
		}
	}
	// Every end encoding/csv finds is one of them; the others end blank
	// lines, which it skips.
	want := encodingCSVEnds(data)
	prev := 0
	for _, e := range ends {
		if len(want) > 0 && want[0] == e {
			want = want[1:]
		} else if rec := data[prev:e]; len(bytes.TrimRight(rec, "\r\n")) > 0 && !bytes.Equal(rec, []byte("\r")) {
			t.Fatalf("%q: a record ends at %d (%q), where encoding/csv ends none (its ends: %v; csvEnds: %v)", data, e, rec, encodingCSVEnds(data), ends)
		}
		prev = e
	}
	if len(want) > 0 {
		t.Fatalf("%q: encoding/csv ends records at %v, which csvEnds misses (%v)", data, want, ends)
	}
}

func TestCSVEnds(t *testing.T) {
	for _, s := range []string{
		"", "a,b\n", "a,b", "a,b\r\n\r\nc,d\r\n", `"a","b"` + "\n", `"a` + "\n" + `b",c` + "\n" + "d\n",
		`"a""b",c` + "\n", `a"b,c` + "\n" + `"d` + "\n", `"a"x,b` + "\n" + `c` + "\n", `"a"` + "\r\n" + `"b"` + "\r",
		`"a"` + "\r" + `"b"` + "\n", `"unclosed` + "\n" + "x\ny\n", "\n\n\na\n", `,"",""""` + "\n", `"a",` + "\n",
	} {
		checkCSVEnds(t, []byte(s))
	}
}

func FuzzCSVEnds(f *testing.F) {
	header, row1, row2 := portalParts(f)
	f.Add([]byte(header + row1 + row2))
	f.Add([]byte(`"a","b""c"` + "\r\n" + `"d` + "\n" + `e",f` + "\n" + `g"h,"i"j` + "\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCSVEnds(t, data)
	})
}
