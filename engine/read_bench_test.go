package engine_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/benchstore"
)

// The store the read benchmarks use: generated once (30 days, without raw
// records, which reads here never touch) and cached between runs, shared
// with query's benchmarks (internal/benchstore), or named with -store-dir.
var (
	benchStoreRows = flag.Int64("store-rows", 1_000_000, "sign-ins in the store the read benchmarks generate and cache")
	benchStoreDir  = flag.String("store-dir", "", "a store for the read benchmarks to use instead of a generated one")
)

// benchStore returns the directory of the read benchmarks' store.
func benchStore(b *testing.B) string {
	if *benchStoreDir != "" {
		return *benchStoreDir
	}
	dir, err := benchstore.Dir(context.Background(), *benchStoreRows, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkFailedLastDay measures the index primitive queries rest on: the
// rows with status=failure in the last 24 hours, counted. For every part
// overlapping the window: the dictionary finds the value, the bundle gives
// its bitmap, the time column at the window's edges gives a row range,
// and the two intersect. A snapshot is taken each time.
func BenchmarkFailedLastDay(b *testing.B) {
	db, err := engine.Open(benchStore(b), &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	status := engine.LookupColumn("status")
	to := db.Now().Add(time.Nanosecond)
	from := to.Add(-24 * time.Hour)
	count := func() (n uint64) {
		err := db.View(func(s *engine.Snapshot) error {
			for _, p := range s.PartsBetween(from, to) {
				dict, err := s.Dict(p, status)
				if err != nil {
					return err
				}
				id, ok := dict.Find("failure")
				if !ok {
					continue
				}
				failed, err := s.Bitmap(p, status, id)
				if err != nil {
					return err
				}
				lo, hi, err := s.Rows(p, from, to)
				if err != nil {
					return err
				}
				n += failed.AndCardinality(roaring.FlipInt(roaring.New(), int(lo), int(hi)))
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	want := count()
	b.ResetTimer()
	for b.Loop() {
		if n := count(); n != want {
			b.Fatalf("count %d, then %d", want, n)
		}
	}
	b.ReportMetric(float64(want), "failed")
	total, _ := db.Count()
	b.ReportMetric(float64(total), "signins")
}

// BenchmarkOpenCount measures opening the store and counting its
// sign-ins: what a command pays before its first answer.
func BenchmarkOpenCount(b *testing.B) {
	dir := benchStore(b)
	for b.Loop() {
		db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
		if err != nil {
			b.Fatal(err)
		}
		if n, err := db.Count(); err != nil || n == 0 {
			b.Fatalf("count %d, %v", n, err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
