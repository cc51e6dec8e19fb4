package engine

import (
	"context"
	"os"
	"testing"
)

// benchIngest times ingest into a fresh store on disk, once per loop; the
// store's opening and closing are not timed.
func benchIngest(b *testing.B, ingest func(db *DB) error) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		db, err := Open(b.TempDir(), &Options{NoBackgroundCompaction: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := ingest(db); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkIngest measures ingest end to end from diagnostic-settings JSON
// lines: reading, parsing, encoding, compressing and writing to disk.
func BenchmarkIngest(b *testing.B) {
	path := genFile(b, 20000, 7, 2)
	info, _ := os.Stat(path)
	b.SetBytes(info.Size())
	benchIngest(b, func(db *DB) error {
		st, err := db.Ingest(context.Background(), []string{path}, IngestOptions{})
		if err == nil && st.Stored != 20000 {
			b.Fatalf("stored %d of 20000", st.Stored)
		}
		return err
	})
}

// BenchmarkIngestRecords measures ingest of typed records through the API,
// in sign-ins per second.
func BenchmarkIngestRecords(b *testing.B) {
	recs := readAll(b, genFile(b, 100000, 8, 2))
	for i := range recs {
		recs[i].Raw = nil // typed records: no raw record to keep
	}
	benchIngest(b, func(db *DB) error {
		st, err := db.IngestRecords(context.Background(), recs)
		if err == nil && st.Committed != int64(len(recs)) {
			b.Fatalf("committed %d of %d", st.Committed, len(recs))
		}
		return err
	})
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "signins/s")
}
