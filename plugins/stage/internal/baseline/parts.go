package baseline

import (
	"context"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
)

// EachPart calls work with each of parts (by its index in them) on up
// to GOMAXPROCS goroutines at once: work must be safe for concurrent
// use. The first error stops the others and is returned; a panic in
// work is panicked again on the caller's goroutine, where the query
// turns a stage's panic into its error.
func EachPart(ctx context.Context, parts []*engine.Part, work func(ctx context.Context, i int, p *engine.Part) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int, len(parts))
	for i := range parts {
		next <- i
	}
	close(next)
	var (
		mu       sync.Mutex
		first    error
		panicked any
		wg       sync.WaitGroup
	)
	fail := func(err error, p any) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil && panicked == nil {
			first, panicked = err, p
		}
		cancel()
	}
	for range min(runtime.GOMAXPROCS(0), max(len(parts), 1)) {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					fail(nil, r)
				}
			}()
			for i := range next {
				err := ctx.Err()
				if err == nil {
					err = work(ctx, i, parts[i])
				}
				if err != nil {
					fail(err, nil)
					return
				}
			}
		})
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
	return first
}

// EachSelected calls work, as EachPart does, with each of env.Parts and
// the rows of it the list before the stage selects (env.Selected),
// skipping those it selects none of. env.Selected must be set.
func EachSelected(ctx context.Context, env *plugins.Env, work func(i int, p *engine.Part, rows *roaring.Bitmap) error) error {
	return EachPart(ctx, env.Parts, func(ctx context.Context, i int, p *engine.Part) error {
		rows, err := env.Selected(ctx, p)
		if err != nil || rows.IsEmpty() {
			return err
		}
		return work(i, p, rows)
	})
}

// StatusRows returns the rows of part p in [lo, hi) of a status (as
// Status gives it: "" for all), as StatusWhere selects them: whose
// status is the word without regard to case.
func StatusRows(snap *engine.Snapshot, p *engine.Part, status string, lo, hi uint32) (*roaring.Bitmap, error) {
	rows := roaring.New()
	if lo >= hi {
		return rows, nil
	}
	if status == "" {
		rows.AddRange(uint64(lo), uint64(hi))
		return rows, nil
	}
	col := engine.LookupColumn("status")
	if p.DictLen(col) == 0 {
		return rows, nil
	}
	d, err := snap.Dict(p, col)
	if err != nil {
		return nil, err
	}
	ids := d.Matching(nil, func(s string) bool { return strings.EqualFold(s, status) })
	if len(ids) == 0 {
		return rows, nil
	}
	if rows, err = snap.Bitmap(p, col, ids...); err != nil {
		return nil, err
	}
	rows.RemoveRange(0, uint64(lo))
	rows.RemoveRange(uint64(hi), 1<<32)
	return rows, nil
}

// Times returns a time range in Unix nanoseconds, open ends
// math.MinInt64 and math.MaxInt64, as the engine takes it: open ends
// are zero times.
func Times(from, to int64) (time.Time, time.Time) {
	var f, t time.Time
	if from != math.MinInt64 {
		f = time.Unix(0, from)
	}
	if to != math.MaxInt64 {
		t = time.Unix(0, to)
	}
	return f, t
}

// EachRow calls fn with each of rows of part p, in order, and the
// vectors of cols in the row's block, read once a block as the rows
// reach it (Snapshot.ReadBlockOnce): row&0xffff is the row's offset in
// them. It stops at fn's first error, or when ctx is done.
func EachRow(ctx context.Context, snap *engine.Snapshot, p *engine.Part, rows *roaring.Bitmap, cols []*engine.Column, fn func(vecs []engine.Vector, row uint32) error) error {
	var vecs []engine.Vector
	block := -1
	it := rows.Iterator()
	for it.HasNext() {
		row := it.Next()
		if b := int(row >> 16); b != block {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			if vecs, err = snap.ReadBlockOnce(p, b, cols, vecs); err != nil {
				return err
			}
			block = b
		}
		if err := fn(vecs, row); err != nil {
			return err
		}
	}
	return nil
}
