package benchstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
)

// A store holds the given number of sign-ins generated with seed Seed
// over the 30 days before End (the benchmarks' now), without original
// records, compacted.
const Seed = 7

// End is the end of the generated window.
var End = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// commitRows is how many sign-ins each commit of the generation holds.
const commitRows = 1 << 19

// Dir returns the directory of the store of rows sign-ins in the user's
// cache directory (signinq-bench/engine-vV-ROWS, V the store's format
// version), generating it first when no finished one is there; logf says
// so when it does.
func Dir(ctx context.Context, rows int64, logf func(format string, args ...any)) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "signinq-bench", fmt.Sprintf("engine-v%d-%d", engine.FormatVersion, rows))
	ready := filepath.Join(dir, "ready")
	if _, err := os.Stat(ready); err == nil {
		return dir, nil
	}
	logf("generating %d sign-ins into %s (once)", rows, dir)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := generate(ctx, dir, rows); err != nil {
		return "", fmt.Errorf("generating the benchmark store %s: %w", dir, err)
	}
	return dir, os.WriteFile(ready, nil, 0o644)
}

func generate(ctx context.Context, dir string, rows int64) error {
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		return err
	}
	defer db.Close()
	g, err := gen.New(gen.Config{Count: rows, Seed: Seed, End: End})
	if err != nil {
		return err
	}
	w, err := db.NewWriter()
	if err != nil {
		return err
	}
	defer w.Close()
	var recs []signin.Record
	err = g.Generate(ctx, func(evs []gen.Event) error {
		recs = recs[:0]
		for i := range evs {
			recs = append(recs, evs[i].Record)
		}
		if err := w.Add(recs); err != nil {
			return err
		}
		if w.Pending() >= commitRows {
			return w.Commit()
		}
		return nil
	})
	if err == nil {
		err = w.Commit()
	}
	if err == nil {
		_, err = db.Compact(ctx)
	}
	return err
}
