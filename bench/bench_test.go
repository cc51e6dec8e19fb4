package bench

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/query"
)

// The store BenchmarkStandard uses: 30 days of generated sign-ins,
// without raw records, compacted, cached between runs and shared with
// the engine's and the query language's benchmarks (internal/benchstore),
// or named with -store-dir.
var (
	benchRows  = flag.Int64("store-rows", 1_000_000, "sign-ins in the store the benchmarks generate and cache")
	benchDir   = flag.String("store-dir", "", "a store for the benchmarks to use instead of a generated one")
	benchShape = flag.String("store-shape", "compact", "the tenant shape of the generated store: compact or wide")
)

// BenchmarkStandard measures each query of the standard set, warm, as a
// sub-benchmark named after its text; besides ns/op (the mean), it
// reports the 95th and 99th percentiles of the iterations. It sets the
// lists the queries read on the store (SetLists) first. Run with
// -store-rows=10000000 for the goals' size, and -store-shape=wide for
// the wide tenant shape, whose sub-benchmarks are under shape=wide/ (the
// compact shape's keep their names); signinq bench measures several
// sizes, shapes, cold runs and ingest in one go.
func BenchmarkStandard(b *testing.B) {
	shape, err := gen.ParseShape(*benchShape)
	if err != nil {
		b.Fatal(err)
	}
	dir := *benchDir
	if dir == "" {
		if dir, err = benchstore.DirShape(context.Background(), benchstore.CacheRoot(), shape, *benchRows, b.Logf, nil); err != nil {
			b.Fatal(err)
		}
	}
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := SetLists(ctx, db); err != nil {
		b.Fatal(err)
	}
	opts := query.Options{Now: benchstore.End}
	prefix := ""
	if shape != gen.ShapeCompact {
		prefix = "shape=" + shape.String() + "/"
	}
	for _, q := range Queries() {
		b.Run(prefix+q.Text, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				t := time.Now()
				if _, err := query.Run(ctx, db, nil, q.Text, opts); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t))
			}
			sortDurations(times)
			b.ReportMetric(float64(Percentile(times, 95).Nanoseconds()), "p95-ns/op")
			b.ReportMetric(float64(Percentile(times, 99).Nanoseconds()), "p99-ns/op")
		})
	}
}
