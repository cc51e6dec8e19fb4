package logfile

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/peakmem"
)

// scanInputs reads inputs and returns everything it produced.
func scanInputs(t testing.TB, opts Options, ins ...Input) ([]signin.Record, []*Reject, []*Warning, Summary) {
	t.Helper()
	var recs []signin.Record
	var rejects []*Reject
	var warnings []*Warning
	sum, err := ScanInputs(t.Context(), ins, opts, func(b *Batch) error {
		recs = append(recs, b.Records...)
		rejects = append(rejects, b.Rejects...)
		warnings = append(warnings, b.Warnings...)
		return nil
	})
	if err != nil {
		t.Fatalf("ScanInputs: %v", err)
	}
	return recs, rejects, warnings, sum
}

// streamInput is an input read from r as it is made: nothing of it is
// held by the test.
func streamInput(name string, r io.Reader) Input {
	return Input{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
}

// gzipInput is an input whose bytes are r's, gzipped as they are read:
// compressed on another goroutine, which stops when the reader closes
// the input.
func gzipInput(name string, r io.Reader) Input {
	return Input{Name: name, Open: func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() {
			zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
			_, err := io.Copy(zw, r)
			if err == nil {
				err = zw.Close()
			}
			pw.CloseWithError(err)
		}()
		return pr, nil
	}}
}

// repeat reads as n bytes of pattern repeated (cut at n).
type repeat struct {
	pattern []byte
	off     int
	n       int64
}

func repeated(pattern string, n int64) *repeat { return &repeat{pattern: []byte(pattern), n: n} }

func (r *repeat) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n)]
	for i := range p {
		p[i] = r.pattern[r.off]
		r.off = (r.off + 1) % len(r.pattern)
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// portalParts returns the portal sample's header line and first and
// second data rows, each with its line end.
func portalParts(t testing.TB) (header, row1, row2 string) {
	t.Helper()
	b, err := os.ReadFile(portal("InteractiveSignIns_2025-12-04_2025-12-05.csv"))
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.SplitAfter(string(b), "\n")
	return ls[0], ls[1], ls[2]
}

// TestCSVRecordLimit checks that the record limit holds for CSV as for
// JSON: a row larger than it is rejected with its position and reason,
// and the rows after it are read; a quote that never closes is a row
// that goes on until the limit, not to the end of the file.
func TestCSVRecordLimit(t *testing.T) {
	header, row1, row2 := portalParts(t)
	big := strings.Replace(row2, "python-requests/2.31.0", strings.Repeat("x", 5000), 1)
	tests := []struct {
		name     string
		data     string
		recs     int
		rejectAt int // the line of the one reject
		reason   string
	}{
		{"big-field", header + row1 + big + row1, 2, 3, "a row larger than 4096 bytes"},
		{"big-field-last", header + row1 + big, 1, 3, "a row larger than 4096 bytes"},
		{"multi-line-field", header + row1 + strings.Replace(row2, "python-requests/2.31.0", strings.Repeat("x\n", 2500), 1) + row1, 2, 3, "a row larger than 4096 bytes"},
		{"unclosed-quote", header + row1 + `"2025-12-04T08:21:03Z","unclosed,` + "\n" + strings.Repeat("abc,def\n", 1000), 1, 3, "a quote that does not close?"},
		{"bare-quote", header + `x"y,abc` + "\n" + row1, 1, 2, `invalid CSV: bare " in non-quoted-field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, rejects, _, sum := scanInputs(t, Options{MaxRecordBytes: 4096}, ReaderInput("InteractiveSignIns_x.csv", strings.NewReader(tt.data)))
			if len(recs) != tt.recs || len(rejects) != 1 {
				t.Fatalf("%d records, rejects %v; want %d records and one reject", len(recs), rejects, tt.recs)
			}
			r := rejects[0]
			if r.Line != tt.rejectAt || !strings.Contains(r.Reason, tt.reason) || len(r.Raw) == 0 || len(r.Raw) > 64<<10 {
				t.Errorf("reject %v (%d bytes of raw text), want line %d saying %q", r, len(r.Raw), tt.rejectAt, tt.reason)
			}
			if sum.Rejected != 1 || sum.Accepted != int64(tt.recs) {
				t.Errorf("summary %s", sum.String())
			}
		})
	}
}

// TestDocumentRecordLimit checks that a JSON document's record larger
// than the limit is rejected and that reading goes on after it (it
// ended the input).
func TestDocumentRecordLimit(t *testing.T) {
	g := string(lines(t, "elastic/test-signinlogs-sample.log")[0])
	big := `{"category":"SignInLogs","pad":"` + strings.Repeat("x", 5000) + `","more":[1,2,{"a":"b"}]}`
	tests := []struct {
		name string
		data string
		at   [2]int
	}{
		{"array", "[\n" + g + ",\n" + big + ",\n" + g + "\n]\n", [2]int{3, 1}},
		{"graph-page", `{"value":[` + g + ",\n" + big + ",\n" + g + "]}", [2]int{2, 1}},
		{"pretty-objects", "{\n" + g[1:] + "\n  " + big + "\n" + g + "\n", [2]int{3, 3}},
		{"big-string", "[\n" + g + `,"` + strings.Repeat("y", 9000) + `",` + g + "]", [2]int{2, len(g) + 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, max := range []int{4096, 70000} { // under and over the scanner's first buffer
				data := strings.ReplaceAll(tt.data, strings.Repeat("x", 5000), strings.Repeat("x", max+1))
				data = strings.ReplaceAll(data, strings.Repeat("y", 9000), strings.Repeat("y", 2*max))
				recs, rejects, _, _ := scanInputs(t, Options{MaxRecordBytes: max}, ReaderInput("in.json", strings.NewReader(data)))
				if len(recs) != 2 || len(rejects) != 1 {
					t.Fatalf("limit %d: %d records, rejects %v; want 2 records and one reject", max, len(recs), rejects)
				}
				r := rejects[0]
				if [2]int{r.Line, r.Col} != tt.at || !strings.Contains(r.Reason, fmt.Sprintf("a record larger than %d bytes", max)) || len(r.Raw) == 0 {
					t.Errorf("limit %d: reject %v, want at %d:%d", max, r, tt.at[0], tt.at[1])
				}
			}
		})
	}
}

// TestLineRecordLimit checks JSON lines and formats added from outside:
// the buffer never grows far past the limit, and the line after a long
// one is read.
func TestLineRecordLimit(t *testing.T) {
	g := string(lines(t, "elastic/test-signinlogs-sample.log")[0])
	long := `{"category":"SignInLogs","pad":"` + strings.Repeat("x", 300000) + `"}`
	recs, rejects, _, _ := scanInputs(t, Options{MaxRecordBytes: 4096}, ReaderInput("in.log", strings.NewReader(g+"\n"+long+"\n"+g+"\n")))
	if len(recs) != 2 || len(rejects) != 1 || rejects[0].Line != 2 || !strings.Contains(rejects[0].Reason, "longer than 4096 bytes") {
		t.Errorf("got %d records, rejects %v", len(recs), rejects)
	}
}

// The peak memory of reading hostile inputs, each of hundreds of
// megabytes or more, streamed as it is made. The bounds do not depend
// on the input's size: detection looks at 64 KiB, and a record is held
// up to the record limit (64 MiB by default) and no further.

// TestReadMemoryDetection: telling whether an input is CSV read it whole
// (a 2 MB gzip of zeros went past 8 GB, a 1 GiB sparse file took 4.3 GB).
// An input without a line end in its first 64 KiB, or with binary data,
// is now refused from its first 64 KiB; 64 MiB is the test binary and
// the reader's buffers with room to spare.
func TestReadMemoryDetection(t *testing.T) {
	tests := []struct {
		name   string
		r      func() io.Reader
		reason string
	}{
		{"no-line-end", func() io.Reader { return repeated("abc,", 1<<30) }, "its first line does not end within its first 64 KiB"},
		{"zeros", func() io.Reader { return repeated("\x00", 1<<30) }, "binary data (a NUL byte at byte 1)"},
	}
	for _, tt := range tests {
		for _, gz := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/gzip=%v", tt.name, gz), func(t *testing.T) {
				peakmem.Run(t, 64<<20, func(reset func()) {
					in := streamInput("in.csv", tt.r())
					if gz {
						in = gzipInput("in.csv.gz", tt.r())
					}
					_, rejects, _, sum := scanInputs(t, Options{}, in)
					if len(rejects) != 1 || !rejects[0].Refused || !strings.Contains(rejects[0].Reason, tt.reason) {
						t.Errorf("rejects %v, want the input refused saying %q", rejects, tt.reason)
					}
					if sum.Bytes > 1<<20 {
						t.Errorf("read %d bytes to refuse it", sum.Bytes)
					}
				})
			})
		}
	}
	t.Run("sparse-file", func(t *testing.T) {
		peakmem.Run(t, 64<<20, func(reset func()) {
			p := filepath.Join(t.TempDir(), "sparse.bin")
			f, err := os.Create(p)
			if err == nil {
				err = f.Truncate(1 << 30)
			}
			if err == nil {
				err = f.Close()
			}
			if err != nil {
				t.Fatal(err)
			}
			reset()
			_, rejects, _ := scan(t, Options{}, p)
			if len(rejects) != 1 || !rejects[0].Refused {
				t.Errorf("rejects %v, want the input refused", rejects)
			}
		})
	})
}

// TestReadMemoryCSVRecords: a CSV row was held whole whatever its size
// (an unclosed quote, 3.6 MB compressed, took 4.3 GB), and a 100 MB field
// was accepted and stored. Now the row is rejected at the default limit
// of 64 MiB and the rows after it are read. The bound, 128 MiB, is the
// record held up to the limit (one buffer, see chunks.more), the smaller
// buffers it grew through first and the garbage collector's headroom
// over them; it is the same for a row of 100 MB or 100 GB.
func TestReadMemoryCSVRecords(t *testing.T) {
	header, row1, row2 := portalParts(t)
	t.Run("unclosed-quote", func(t *testing.T) {
		peakmem.Run(t, 128<<20, func(reset func()) {
			in := gzipInput("InteractiveSignIns_x.csv.gz", io.MultiReader(strings.NewReader(header+row1+`"unclosed,`), repeated("abc,def,ghi\n", 256<<20)))
			recs, rejects, _, _ := scanInputs(t, Options{}, in)
			if len(recs) != 1 || len(rejects) != 1 || rejects[0].Line != 3 || !strings.Contains(rejects[0].Reason, fmt.Sprintf("a row larger than %d bytes", DefaultMaxRecordBytes)) {
				t.Errorf("%d records, rejects %v", len(recs), rejects)
			}
		})
	})
	t.Run("header-then-zeros", func(t *testing.T) {
		peakmem.Run(t, 128<<20, func(reset func()) {
			in := gzipInput("InteractiveSignIns_x.csv.gz", io.MultiReader(strings.NewReader(header+row1), repeated("\x00", 256<<20)))
			recs, rejects, _, _ := scanInputs(t, Options{}, in)
			if len(recs) != 1 || len(rejects) != 1 || rejects[0].Line != 3 || !strings.Contains(rejects[0].Reason, fmt.Sprintf("a row larger than %d bytes", DefaultMaxRecordBytes)) {
				t.Errorf("%d records, rejects %v", len(recs), rejects)
			}
		})
	})
	t.Run("100MB-field", func(t *testing.T) {
		peakmem.Run(t, 128<<20, func(reset func()) {
			start, end, _ := strings.Cut(row2, "python-requests/2.31.0")
			in := streamInput("InteractiveSignIns_x.csv", io.MultiReader(strings.NewReader(header+row1+start), repeated("A", 100<<20), strings.NewReader(end+row1)))
			recs, rejects, _, _ := scanInputs(t, Options{}, in)
			if len(recs) != 2 || len(rejects) != 1 || rejects[0].Line != 3 || !strings.Contains(rejects[0].Reason, fmt.Sprintf("a row larger than %d bytes", DefaultMaxRecordBytes)) {
				t.Errorf("%d records, rejects %v", len(recs), rejects)
			}
		})
	})
}

// TestReadMemoryDocumentRecord: a JSON document's record larger than the
// limit ended the input after the scanner's buffer had doubled its way
// past it (461 MB for a 100 MB record). It is now dropped as it goes
// past the limit and skipped, and the records after it are read; the
// bound, 128 MiB, is the record limit's buffer and the garbage
// collector's headroom, whatever the record's size.
func TestReadMemoryDocumentRecord(t *testing.T) {
	g := string(lines(t, "elastic/test-signinlogs-sample.log")[0])
	peakmem.Run(t, 128<<20, func(reset func()) {
		in := gzipInput("graph.json.gz", io.MultiReader(strings.NewReader("[\n"+g+",\n"+`{"category":"SignInLogs","pad":"`), repeated("A", 100<<20), strings.NewReader(`"},`+"\n"+g+"\n]\n")))
		recs, rejects, _, _ := scanInputs(t, Options{}, in)
		if len(recs) != 2 || len(rejects) != 1 || rejects[0].Line != 3 || !strings.Contains(rejects[0].Reason, fmt.Sprintf("a record larger than %d bytes", DefaultMaxRecordBytes)) {
			t.Errorf("%d records, rejects %v", len(recs), rejects)
		}
	})
}

// TestReadMemoryRejectBomb: short broken lines, a reject each, held about
// 2 GB (the batch of a 1 MB job of them kept room for half a million
// records). A job's records and rejects now go to the caller in batches
// of at most flushItems; 64 MiB is the test binary, the jobs in flight
// and the batches of rejects the caller is given, whatever the number of
// lines.
func TestReadMemoryRejectBomb(t *testing.T) {
	g := string(lines(t, "elastic/test-signinlogs-sample.log")[0])
	t.Run("lines", func(t *testing.T) {
		peakmem.Run(t, 64<<20, func(reset func()) {
			const n = 1 << 20
			in := streamInput("bomb.log", io.MultiReader(strings.NewReader(g+"\n"), repeated("{\n", 2*n), strings.NewReader(g+"\n")))
			sum, err := ScanInputs(t.Context(), []Input{in}, Options{}, func(b *Batch) error { return nil })
			if err != nil || sum.Accepted != 2 || sum.Rejected != n {
				t.Errorf("%v: %s", err, sum.String())
			}
		})
	})
	t.Run("event-hub-line", func(t *testing.T) {
		// One line of a million broken records in an Event Hub payload.
		peakmem.Run(t, 64<<20, func(reset func()) {
			const n = 1 << 20
			data := "{\"records\":[" + g + "," + strings.Repeat("{},", n) + g + "]}\n"
			reset()
			sum, err := ScanInputs(t.Context(), []Input{ReaderInput("bomb.json", strings.NewReader(data))}, Options{}, func(b *Batch) error { return nil })
			if err != nil || sum.Accepted != 2 || sum.Rejected != n {
				t.Errorf("%v: %s", err, sum.String())
			}
		})
	})
}

// TestRejectBatches checks that a job split into several batches (see
// worker.flush) loses and reorders nothing.
func TestRejectBatches(t *testing.T) {
	ls := lines(t, "elastic/test-signinlogs-sample.log")
	var data bytes.Buffer
	want := 0
	for i := range 3 * flushItems {
		if i%1000 == 0 {
			data.Write(ls[(i/1000)%len(ls)])
			want++
		} else {
			data.WriteString("{")
		}
		data.WriteByte('\n')
	}
	var lines []int // the line of every record and reject, in the order given
	sum, err := ScanInputs(t.Context(), []Input{ReaderInput("in.log", &data)}, Options{Workers: 2}, func(b *Batch) error {
		for range b.Records {
			lines = append(lines, -1)
		}
		for _, r := range b.Rejects {
			lines = append(lines, r.Line)
		}
		return nil
	})
	if err != nil || sum.Accepted != int64(want) || sum.Rejected != int64(3*flushItems-want) {
		t.Fatalf("%v: %s", err, sum.String())
	}
	// Rejects come in order between batches.
	last := 0
	for _, l := range lines {
		if l < 0 {
			continue
		}
		if l <= last {
			t.Fatalf("reject of line %d after line %d", l, last)
		}
		last = l
	}
}
