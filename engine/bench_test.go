package engine

import (
	"context"
	"os"
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// BenchmarkIngest measures ingest end to end from diagnostic-settings JSON
// lines: reading, parsing, encoding, compressing and writing to disk.
func BenchmarkIngest(b *testing.B) {
	path := genFile(b, 20000, 7, 2)
	info, _ := os.Stat(path)
	b.SetBytes(info.Size())
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		db, err := Open(b.TempDir(), &Options{NoBackgroundCompaction: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := db.Ingest(context.Background(), []string{path}, IngestOptions{})
		if err != nil || st.Stored != 20000 {
			b.Fatal(st, err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkIngestRecords measures ingest of typed records through the API,
// in sign-ins per second.
func BenchmarkIngestRecords(b *testing.B) {
	recs := readAll(b, genFile(b, 100000, 8, 2))
	for i := range recs {
		recs[i].Raw = nil // typed records: no raw record to keep
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		db, err := Open(b.TempDir(), &Options{NoBackgroundCompaction: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := db.IngestRecords(context.Background(), recs)
		if err != nil || st.Committed != int64(len(recs)) {
			b.Fatal(st, err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "signins/s")
}

var _ = signin.New
