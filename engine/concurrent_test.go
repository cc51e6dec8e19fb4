package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/race"
)

// TestConcurrent runs queries from many goroutines while two writers
// ingest and compaction merges: every snapshot must see whole commits,
// and its bitmaps must agree with its counts. Run it with -race.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	recs := readAll(t, genFile(t, race.Quick[int64](16000, 8000), 31, 2))
	db := openTest(t, "")
	var done atomic.Bool
	var writers, wg sync.WaitGroup
	for w := range 2 {
		writers.Go(func() {
			wr, err := db.NewWriter()
			if err != nil {
				t.Error(err)
				return
			}
			defer wr.Close()
			for i := w * 1000; i < len(recs); i += 2000 {
				if err := wr.Add(recs[i:min(i+1000, len(recs))]); err != nil {
					t.Error(err)
					return
				}
				if err := wr.Commit(); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for !done.Load() {
			if _, err := db.Compact(context.Background()); err != nil {
				t.Error(err)
				return
			}
		}
	})
	status := LookupColumn("status")
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for !done.Load() {
				err := db.View(func(s *Snapshot) error {
					if s.Count()%1000 != 0 && s.Count() != int64(len(recs)) {
						t.Errorf("snapshot sees %d sign-ins: not whole commits of 1000", s.Count())
					}
					total := uint64(0)
					for _, p := range s.Parts() {
						cards, err := s.Cardinalities(p, status)
						if err != nil {
							return err
						}
						for _, n := range cards {
							total += n
						}
						lo, hi, err := s.Rows(p, signin.Record{}.Time, signin.Record{}.Time)
						if err != nil {
							return err
						}
						if lo != 0 || int(hi) != p.Rows {
							t.Errorf("%v: open time range is rows [%d, %d)", p, lo, hi)
						}
					}
					if total != uint64(s.Count()) {
						t.Errorf("status bitmaps count %d rows, snapshot has %d", total, s.Count())
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	writers.Wait()
	done.Store(true)
	wg.Wait()
	readers.Wait()
	checkSame(t, db, recs)
}
