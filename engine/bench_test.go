package engine

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4/options"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
)

// benchIngest times ingest into a fresh store on disk, once per loop; the
// store's opening and closing are not timed.
func benchIngest(b *testing.B, ingest func(db *DB) error) {
	b.ReportAllocs()
	defer reportCPU(b)()
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
// in sign-ins per second, records without a raw record to keep:
//
//   - stream: a day of a 5,000-user tenant, 1,000,000 sign-ins in time
//     order, made by the generator and given 100,000 at a time, as a
//     program collecting sign-ins from a stream would (each call commits
//     a part). Only the calls are timed, and cpu-ms/op counts only the CPU
//     spent during them.
//   - month: 30 days, 200,000 sign-ins in one call: 30 small parts at
//     once, the costliest shape per sign-in.
//   - decoded: the month's sign-ins as the readers decode them from JSON
//     lines, whose strings are not shared between records.
func BenchmarkIngestRecords(b *testing.B) {
	b.Run("stream", func(b *testing.B) {
		const n, batch = 1000000, 100000
		b.ReportAllocs()
		var cpu time.Duration
		recs := make([]signin.Record, 0, batch)
		for b.Loop() {
			b.StopTimer()
			db, err := Open(b.TempDir(), &Options{NoBackgroundCompaction: true})
			if err != nil {
				b.Fatal(err)
			}
			g, err := gen.New(gen.Config{Count: n, Seed: 8, Days: 1, End: genEnd, Workers: 1})
			if err != nil {
				b.Fatal(err)
			}
			flush := func() error {
				b.StartTimer()
				start := cpuTime()
				st, err := db.IngestRecords(context.Background(), recs)
				cpu += cpuTime() - start
				b.StopTimer()
				if err == nil && st.Committed != int64(len(recs)) {
					b.Fatalf("committed %d of %d", st.Committed, len(recs))
				}
				recs = recs[:0]
				return err
			}
			err = g.Generate(context.Background(), func(evs []gen.Event) error {
				for i := range evs {
					recs = append(recs, evs[i].Record)
					if len(recs) == batch {
						if err := flush(); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err == nil && len(recs) > 0 {
				err = flush()
			}
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "signins/s")
	})
	b.Run("month", func(b *testing.B) {
		benchIngestRecords(b, genRecords(b, gen.Config{Count: 200000, Seed: 8, End: genEnd}))
	})
	b.Run("decoded", func(b *testing.B) {
		recs := readAll(b, genFile(b, 200000, 8, 30))
		for i := range recs {
			recs[i].Raw = nil
		}
		benchIngestRecords(b, recs)
	})
}

func benchIngestRecords(b *testing.B, recs []signin.Record) {
	benchIngest(b, func(db *DB) error {
		st, err := db.IngestRecords(context.Background(), recs)
		if err == nil && st.Committed != int64(len(recs)) {
			b.Fatalf("committed %d of %d", st.Committed, len(recs))
		}
		return err
	})
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "signins/s")
}

// reportCPU reports the CPU time the process spent per iteration (user and
// system, every goroutine), from when it is called to when the function it
// returns is: on a shared machine, a measure of work that other load
// disturbs less than wall time. It includes untimed setup inside the loop.
func reportCPU(b *testing.B) func() {
	before := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-before).Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBadgerSettings measures what the place of column blocks in
// Badger does to a scan, on a day of 1,000,000 sign-ins: every block of
// the app column decoded and counted by value, as a full-range group by
// does. Blocks are in the value log (the store's setting, ValueThreshold
// 1 KiB), or in the LSM tree (Badger's default threshold, 1 MiB) with
// Badger's block compression (ZSTD) or without.
func BenchmarkBadgerSettings(b *testing.B) {
	recs := genRecords(b, gen.Config{Count: 1000000, Seed: 3, Days: 1, End: genEnd})
	app := LookupColumn("app")
	for _, tc := range []struct {
		name        string
		threshold   int64
		compression options.CompressionType
	}{
		{"vlog", 1 << 10, options.ZSTD},
		{"lsm-zstd", 1 << 20, options.ZSTD},
		{"lsm-none", 1 << 20, options.None},
	} {
		b.Run(tc.name, func(b *testing.B) {
			saved := tuning
			defer func() { tuning = saved }()
			tuning.valueThreshold, tuning.compression = tc.threshold, tc.compression
			db, err := Open(b.TempDir(), &Options{NoBackgroundCompaction: true})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.IngestRecords(context.Background(), recs); err != nil {
				b.Fatal(err)
			}
			scan := func() int {
				var counts []int
				var vecs []Vector
				err := db.View(func(s *Snapshot) error {
					for _, p := range s.Parts() {
						counts = make([]int, p.DictLen(app))
						for blk := range p.Blocks {
							var err error
							if vecs, err = s.ReadBlock(p, blk, []*Column{app}, vecs); err != nil {
								return err
							}
							for _, id := range vecs[0].IDs {
								counts[id]++
							}
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				return len(counts)
			}
			scan()
			b.ResetTimer()
			for b.Loop() {
				scan()
			}
			b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func genRecords(b *testing.B, cfg gen.Config) []signin.Record {
	b.Helper()
	g, err := gen.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]signin.Record, 0, cfg.Count)
	err = g.Generate(context.Background(), func(evs []gen.Event) error {
		for i := range evs {
			recs = append(recs, evs[i].Record)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return recs
}
