package logfile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
)

// benchInput builds about size bytes of one format by repeating real
// sample records, each copy with its own id so that nothing is shared
// that real logs would not share.
func benchInput(b *testing.B, format string, size int) (name string, data []byte) {
	b.Helper()
	read := func(p string) []byte {
		d, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	var recs [][]byte
	for _, l := range bytes.Split(read(sample("elastic/test-non-interactive-user-sample.log")), []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 {
			recs = append(recs, l)
		}
	}
	id := func(i int) []byte { return fmt.Appendf(nil, `"id":"%08x-0000-4000-8000-000000000000"`, i) }
	reid := func(rec []byte, i int) []byte {
		j := bytes.Index(rec, []byte(`"id":"`))
		k := j + 6 + bytes.IndexByte(rec[j+6:], '"') + 1
		return append(append(append([]byte{}, rec[:j]...), id(i)...), rec[k:]...)
	}
	var out bytes.Buffer
	switch format {
	case "diag-jsonl":
		for i := 0; out.Len() < size; i++ {
			out.Write(reid(recs[i%len(recs)], i))
			out.WriteByte('\n')
		}
		return "PT1H.json", out.Bytes()
	case "eventhub":
		for i := 0; out.Len() < size; {
			out.WriteString(`{"records":[`)
			for j := 0; j < 100; j, i = j+1, i+1 {
				if j > 0 {
					out.WriteByte(',')
				}
				out.Write(reid(recs[i%len(recs)], i))
			}
			out.WriteString("]}\n")
		}
		return "eventhub.json", out.Bytes()
	case "graph":
		page := read(sample("graph/graph-beta-signins-list-example1.json"))
		start := bytes.IndexByte(page, '[') + 1
		end := bytes.LastIndexByte(page, ']')
		rec := bytes.TrimSpace(page[start:end])
		out.WriteString(`{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns","value":[`)
		for i := 0; out.Len() < size; i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			out.Write(reid(rec, i))
		}
		out.WriteString("]}")
		return "graph.json", out.Bytes()
	case "portal-csv":
		file := read(portal("InteractiveSignIns_2025-12-04_2025-12-05.csv"))
		header, rows, _ := bytes.Cut(file, []byte("\n"))
		out.Write(header)
		out.WriteByte('\n')
		for out.Len() < size {
			out.Write(rows)
		}
		return "InteractiveSignIns_bench.csv", out.Bytes()
	case "la-csv":
		file := read(sample("log-analytics-csv/signinlogs-la-export-2rows.csv"))
		header, rows, _ := bytes.Cut(file, []byte("\n"))
		out.Write(header)
		out.WriteByte('\n')
		rows = bytes.TrimRight(rows, "\n")
		for out.Len() < size {
			out.Write(rows)
			out.WriteByte('\n')
		}
		return "la.csv", out.Bytes()
	}
	b.Fatalf("unknown format %s", format)
	return "", nil
}

// BenchmarkRead measures each reader end to end (detection, splitting,
// decoding into records) from memory, on one worker and on all. It
// reports MB/s and records/s; compare runs with benchstat.
func BenchmarkRead(b *testing.B) {
	for _, format := range []string{"diag-jsonl", "eventhub", "graph", "portal-csv", "la-csv"} {
		for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("%s/workers=%d", format, workers), func(b *testing.B) {
				name, data := benchInput(b, format, 16<<20)
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				var n int64
				for b.Loop() {
					sum, err := ScanInputs(context.Background(), []Input{ReaderInput(name, bytes.NewReader(data))},
						Options{Workers: workers}, func(*Batch) error { return nil })
					if err != nil || !sum.Clean() {
						b.Fatalf("%v %s", err, sum.String())
					}
					n += sum.Accepted
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkCanonical measures the canonical JSON form that signinq parse
// prints.
func BenchmarkCanonical(b *testing.B) {
	recs, _, _ := scan(b, Options{}, sample("elastic/test-non-interactive-user-sample.log"))
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		for i := range recs {
			buf = signin.AppendJSON(buf[:0], &recs[i])
		}
	}
	b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReadGenerated measures the readers on a generated tenant's
// sign-ins (internal/gen), which vary as a real tenant's do: users, apps,
// devices, outcomes and record sizes (2 to 5 KB for user sign-ins).
func BenchmarkReadGenerated(b *testing.B) {
	g, err := gen.New(gen.Config{Count: 20000, Seed: 1, End: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	files := map[string][]string{}
	for _, f := range []struct {
		name   string
		format signin.Format
	}{{"diag", signin.FormatDiag}, {"graph", signin.FormatGraph}, {"la-csv", signin.FormatLogAnalyticsCSV}} {
		var buf bytes.Buffer
		if err := g.Write(context.Background(), f.format, &buf, nil); err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		files[f.name] = []string{p}
	}
	portal, err := g.WritePortalCSV(context.Background(), filepath.Join(dir, "portal"), nil)
	if err != nil {
		b.Fatal(err)
	}
	files["portal-csv"] = portal
	for _, name := range []string{"diag", "graph", "portal-csv", "la-csv"} {
		for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("%s/workers=%d", name, workers), func(b *testing.B) {
				var size int64
				for _, p := range files[name] {
					st, err := os.Stat(p)
					if err != nil {
						b.Fatal(err)
					}
					size += st.Size()
				}
				b.SetBytes(size)
				b.ReportAllocs()
				var n int64
				for b.Loop() {
					sum, err := Scan(context.Background(), files[name], Options{Workers: workers}, func(*Batch) error { return nil })
					if err != nil || !sum.Clean() || sum.Accepted != 20000 {
						b.Fatalf("%v %s", err, sum.String())
					}
					n += sum.Accepted
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}
