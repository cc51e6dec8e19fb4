package engine

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/race"
)

// An ingest whose context is cancelled commits what it has read: the
// stats count exactly what the store holds, every record read is either
// stored or a duplicate, and the same ingest again stores the rest,
// counting the first part as duplicates.
func TestIngestInterrupted(t *testing.T) {
	t.Parallel()
	path := genFile(t, race.Quick[int64](20000, 8000), 21, 3)
	recs := readAll(t, path)
	db := openTest(t, t.TempDir())
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	batches := 0
	st, err := db.Ingest(ctx, []string{path}, IngestOptions{
		CommitInterval: -1,
		Progress: func(st IngestStats) {
			// The progress's Stored is what the store holds, not what
			// was read: that is Pending's.
			if n, err := db.Count(); err != nil || n != st.Stored {
				t.Errorf("progress: %d stored, the store holds %d (%v)", st.Stored, n, err)
			}
			if batches++; batches == 3 {
				cancel()
			}
		},
	})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted ingest: %v, want ErrInterrupted and context.Canceled", err)
	}
	n, err := db.Count()
	if err != nil {
		t.Fatal(err)
	}
	if st.Stored != n || n == 0 || n >= int64(len(recs)) {
		t.Fatalf("interrupted: stats say %d stored, the store holds %d, of %d", st.Stored, n, len(recs))
	}
	if st.Pending != 0 || st.Stored+st.Duplicates+st.Rejected != st.Read {
		t.Fatalf("interrupted: %d read but %d stored, %d duplicates, %d rejected, %d pending", st.Read, st.Stored, st.Duplicates, st.Rejected, st.Pending)
	}
	checkSubset(t, db, recs)

	again := ingest(t, db, path)
	if again.Stored != int64(len(recs))-n || again.Duplicates != n {
		t.Fatalf("again: %d stored, %d duplicates; want %d and %d", again.Stored, again.Duplicates, int64(len(recs))-n, n)
	}
	checkSame(t, db, recs)
}

// IngestBatches commits what source added when ctx is done, and tells the
// source's own errors from an interruption.
func TestIngestBatchesInterrupted(t *testing.T) {
	recs := readAll(t, genFile(t, 6000, 22, 2))
	db := openTest(t, t.TempDir())
	const batch = 500
	feed := func(ctx context.Context, stopAfter int) func(add func([]signin.Record) error) error {
		return func(add func([]signin.Record) error) error {
			for i := 0; i < len(recs); i += batch {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := add(recs[i:min(i+batch, len(recs))]); err != nil {
					return err
				}
				if i/batch+1 == stopAfter {
					return errors.New("the source failed")
				}
			}
			return nil
		}
	}

	// A source that fails: nothing of the uncommitted write stays.
	st, err := db.IngestBatches(t.Context(), feed(t.Context(), 3), IngestOptions{CommitInterval: -1})
	if err == nil || errors.Is(err, ErrInterrupted) || st.Stored != 0 {
		t.Fatalf("failed source: %v, %d stored; want its error and nothing stored", err, st.Stored)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var commits []int64
	st, err = db.IngestBatches(ctx, feed(ctx, 0), IngestOptions{
		CommitEvery:    1200,
		CommitInterval: -1,
		OnCommit:       func(n int64) { commits = append(commits, n) },
		Progress: func(st IngestStats) {
			if st.Read == 5*batch {
				cancel()
			}
		},
	})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted: %v", err)
	}
	// Committed at 1500 by count, then what was read when interrupted.
	if st.Read != 5*batch || st.Stored != 5*batch || !slices.Equal(commits, []int64{1500, 5 * batch}) {
		t.Fatalf("interrupted: read %d, stored %d, commits %v; want 2500 both, commits at 1500 and 2500", st.Read, st.Stored, commits)
	}
	if n, _ := db.Count(); n != st.Stored {
		t.Fatalf("the store holds %d, stats say %d", n, st.Stored)
	}
	st, err = db.IngestBatches(t.Context(), feed(t.Context(), 0), IngestOptions{})
	if err != nil || st.Stored != int64(len(recs))-5*batch || st.Duplicates != 5*batch || st.Read != int64(len(recs)) || st.Accepted != int64(len(recs)) {
		t.Fatalf("again: %v, %+v", err, st)
	}
	checkSame(t, db, recs)
}

// CommitInterval commits by time as well as by count: with an interval
// shorter than a batch, every other batch is committed (the timer starts
// with the first sign-in pending); a negative one commits only at the
// end.
func TestIngestCommitInterval(t *testing.T) {
	recs := readAll(t, genFile(t, 3000, 23, 1))
	for _, tc := range []struct {
		interval time.Duration
		commits  int
	}{
		{time.Nanosecond, 3}, // after batches 2 and 4, then the end (batch 5)
		{-1, 1},
	} {
		db := openTest(t, "")
		commits := 0
		st, err := db.IngestBatches(t.Context(), func(add func([]signin.Record) error) error {
			for i := range 5 {
				if err := add(recs[i*600 : (i+1)*600]); err != nil {
					return err
				}
			}
			return nil
		}, IngestOptions{CommitInterval: tc.interval, OnCommit: func(int64) { commits++ }})
		if err != nil || st.Stored != 3000 {
			t.Fatalf("interval %v: %v, %d stored", tc.interval, err, st.Stored)
		}
		if commits != tc.commits {
			t.Errorf("interval %v: %d commits, want %d", tc.interval, commits, tc.commits)
		}
	}
}

// A file ingest with a short interval commits more than once, and the
// store holds what it read, once.
func TestIngestCommitIntervalFile(t *testing.T) {
	path := genFile(t, race.Quick[int64](8000, 4000), 24, 1)
	db := openTest(t, t.TempDir())
	commits := 0
	st, err := db.Ingest(t.Context(), []string{path}, IngestOptions{
		CommitInterval: time.Nanosecond,
		OnCommit:       func(int64) { commits++ },
		OnReject:       func(r *logfile.Reject) { t.Errorf("reject: %v", r) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if commits < 2 || st.Parts < 2 {
		t.Errorf("%d commits, %d parts: the interval did not commit", commits, st.Parts)
	}
	checkSame(t, db, readAll(t, path))
}
