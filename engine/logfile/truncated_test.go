package logfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
)

// gzipCut gzips before and after, and returns the file cut where before
// ends: a sync flush there makes the cut decompress to exactly before.
func gzipCut(t *testing.T, before, after string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(before))
	if err := zw.Flush(); err != nil {
		t.Fatal(err)
	}
	n := buf.Len()
	zw.Write([]byte(after))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()[:n]
}

// TestTruncatedGzip checks that a gzip file cut short is an error naming
// the file, wherever the cut falls: a cut on a record's end was taken for
// the end of the file (read 50 records, 0 rejected, exit status 0), and
// a cut inside a record was reported as that record cut short. The
// records before the cut are read; the reject says the file is truncated
// and where, holds the cut record's beginning, and is counted apart.
func TestTruncatedGzip(t *testing.T) {
	ls := lines(t, "elastic/test-signinlogs-sample.log")
	rec := func(i int) string { return string(ls[i%len(ls)]) }
	var jsonl, array strings.Builder
	array.WriteString("[\n")
	for i := range 60 {
		jsonl.WriteString(rec(i) + "\n")
	}
	header, row1, row2 := portalParts(t)
	var csvRows strings.Builder
	for i := range 60 {
		csvRows.WriteString([]string{row1, row2}[i%2])
	}
	// The first 50 records, and the 51st.
	first := func(s string, n int) string {
		i := 0
		for range n {
			i += strings.IndexByte(s[i:], '\n') + 1
		}
		return s[:i]
	}
	j50, j51 := first(jsonl.String(), 50), rec(50)
	c50, c51 := header+first(csvRows.String(), 50), row1
	a50 := "[\n"
	for i := range 50 {
		a50 += rec(i) + ",\n"
	}
	tests := []struct {
		name        string
		file        string
		before      string
		after       string
		recs        int
		line, col   int
		inside      bool
		rawFragment string
	}{
		{"jsonl-on-a-record-end", "PT1H.json.gz", j50, jsonl.String()[len(j50):], 50, 51, 1, false, ""},
		{"jsonl-inside-a-record", "PT1H.json.gz", j50 + j51[:1000], jsonl.String()[len(j50)+1000:], 50, 51, 1, true, j51[:1000]},
		{"array-between-records", "graph.json.gz", a50, rec(50) + "\n]\n", 50, 52, 1, false, ""},
		{"array-inside-a-record", "graph.json.gz", a50 + j51[:1000], j51[1000:] + "\n]\n", 50, 52, 1, true, j51[:1000]},
		{"csv-on-a-row-end", "InteractiveSignIns_x.csv.gz", c50, csvRows.String()[len(c50)-len(header):], 50, 52, 1, false, ""},
		{"csv-inside-a-row", "InteractiveSignIns_x.csv.gz", c50 + c51[:100], c51[100:], 50, 52, 1, true, c51[:100]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := gzipCut(t, tt.before, tt.after)
			recs, rejects, _, sum := scanInputs(t, Options{}, ReaderInput(tt.file, bytes.NewReader(data)))
			if len(recs) != tt.recs || len(rejects) != 1 {
				t.Fatalf("%d records, rejects %v; want %d records and the truncation", len(recs), rejects, tt.recs)
			}
			r := rejects[0]
			if !errors.Is(r, ErrTruncated) || r.Refused || r.Input != tt.file || r.Line != tt.line || r.Col != tt.col {
				t.Errorf("reject %v, want the truncation at %d:%d", r, tt.line, tt.col)
			}
			if !strings.Contains(r.Reason, "the file is truncated: its gzip stream stops short") || strings.Contains(r.Reason, "cut short") ||
				strings.Contains(r.Reason, "inside the record") != tt.inside {
				t.Errorf("reason %q", r.Reason)
			}
			if !bytes.Equal(r.Raw, []byte(tt.rawFragment)) {
				t.Errorf("raw %.80q, want %.80q", r.Raw, tt.rawFragment)
			}
			if sum.Truncated != 1 || sum.Rejected != 0 || sum.Accepted != int64(tt.recs) || sum.Read != int64(tt.recs) || sum.Clean() ||
				!strings.HasSuffix(sum.String(), "0 rejected; 1 input truncated") {
				t.Errorf("summary %+v: %s", sum, sum.String())
			}
		})
	}

	// A file cut in its header is refused, as truncated; one whose cut
	// falls in the trailer (all the text read) is still truncated.
	whole := gz(t, []byte(jsonl.String()))
	_, rejects, _, sum := scanInputs(t, Options{}, ReaderInput("head.json.gz", bytes.NewReader(whole[:6])))
	if len(rejects) != 1 || !rejects[0].Refused || !strings.Contains(rejects[0].Reason, "the file is truncated: its gzip header is cut short") || sum.Refused != 1 {
		t.Errorf("cut in the header: rejects %v", rejects)
	}
	recs, rejects, _, sum := scanInputs(t, Options{}, ReaderInput("trailer.json.gz", bytes.NewReader(whole[:len(whole)-3])))
	if len(recs) != 60 || len(rejects) != 1 || !errors.Is(rejects[0], ErrTruncated) || sum.Truncated != 1 {
		t.Errorf("cut in the trailer: %d records, rejects %v", len(recs), rejects)
	}
}
