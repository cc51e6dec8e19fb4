package baseline

import (
	"context"
	"runtime"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
)

// EachSelected calls work with each of env.Parts (by its index in
// them) and the rows of it the list before the stage selects
// (env.Selected), skipping those it selects none of, on up to GOMAXPROCS
// goroutines at once: work must be safe for concurrent use. The first
// error stops the others and is returned; a panic in work is panicked
// again on the caller's goroutine, where the query turns a stage's
// panic into its error. env.Selected must be set.
func EachSelected(ctx context.Context, env *plugins.Env, work func(i int, p *engine.Part, rows *roaring.Bitmap) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int, len(env.Parts))
	for i := range env.Parts {
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
	for range min(runtime.GOMAXPROCS(0), max(len(env.Parts), 1)) {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					fail(nil, r)
				}
			}()
			for i := range next {
				if err := ctx.Err(); err != nil {
					fail(err, nil)
					return
				}
				p := env.Parts[i]
				rows, err := env.Selected(ctx, p)
				if err == nil && !rows.IsEmpty() {
					err = work(i, p, rows)
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
