package benchstore

import (
	"bufio"
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

// readyName is the marker a finished store or file has beside it: what
// is there without it was left by an interrupted run and is made again.
const readyName = "ready"

// CacheRoot is the directory the benchmarks cache their stores and files
// in: signinq-bench in the user's cache directory (the temporary
// directory when there is none).
func CacheRoot() string {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "signinq-bench")
}

// Dir returns the directory of the store of rows sign-ins of the
// compact tenant shape in CacheRoot (engine-vV-ROWS, V the store's
// format version), generating it first when no finished one is there;
// logf says so when it does.
func Dir(ctx context.Context, rows int64, logf func(format string, args ...any)) (string, error) {
	return DirIn(ctx, CacheRoot(), rows, logf, nil)
}

// DirIn is Dir with the cache in root, and progress, when not nil,
// called with the sign-ins generated so far while it generates.
func DirIn(ctx context.Context, root string, rows int64, logf func(format string, args ...any), progress func(done int64)) (string, error) {
	return DirShape(ctx, root, gen.ShapeCompact, rows, logf, progress)
}

// StoreName returns the name of the directory of the store of rows
// sign-ins of a tenant shape: engine-vV-ROWS for the compact shape (the
// name stores had before there were shapes), engine-vV-SHAPE-ROWS for
// the others.
func StoreName(shape gen.Shape, rows int64) string {
	if shape == gen.ShapeCompact {
		return fmt.Sprintf("engine-v%d-%d", engine.FormatVersion, rows)
	}
	return fmt.Sprintf("engine-v%d-%s-%d", engine.FormatVersion, shape, rows)
}

// DirShape is DirIn for a tenant shape: the store is StoreName(shape,
// rows) in root.
func DirShape(ctx context.Context, root string, shape gen.Shape, rows int64, logf func(format string, args ...any), progress func(done int64)) (string, error) {
	if rows <= 0 {
		return "", fmt.Errorf("a benchmark store needs at least one sign-in, not %d", rows)
	}
	dir := filepath.Join(root, StoreName(shape, rows))
	ready := filepath.Join(dir, readyName)
	if _, err := os.Stat(ready); err == nil {
		return dir, nil
	}
	if logf != nil {
		logf("generating %d sign-ins%s into %s (once)", rows, ofShape(shape), dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := generate(ctx, dir, shape, rows, progress); err != nil {
		return "", fmt.Errorf("generating the benchmark store %s: %w", dir, err)
	}
	return dir, os.WriteFile(ready, nil, 0o644)
}

// ofShape names a shape other than the compact one in a message.
func ofShape(shape gen.Shape) string {
	if shape == gen.ShapeCompact {
		return ""
	}
	return " of the " + shape.String() + " tenant shape"
}

func generate(ctx context.Context, dir string, shape gen.Shape, rows int64, progress func(int64)) error {
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		return err
	}
	defer db.Close()
	g, err := gen.New(gen.Config{Count: rows, Seed: Seed, End: End, Shape: shape})
	if err != nil {
		return err
	}
	w, err := db.NewWriter()
	if err != nil {
		return err
	}
	defer w.Close()
	var recs []signin.Record
	var done int64
	err = g.Generate(ctx, func(evs []gen.Event) error {
		recs = recs[:0]
		for i := range evs {
			recs = append(recs, evs[i].Record)
		}
		if err := w.Add(recs); err != nil {
			return err
		}
		done += int64(len(evs))
		if progress != nil {
			progress(done)
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

// DiagFile returns the path of a file in root holding rows sign-ins of
// the compact tenant shape in the diagnostic-settings format (JSON
// lines, as in storage blobs), made with the generator as Dir's stores
// are (seed Seed, 30 days before End), writing it first when no finished
// one is there (diag-ROWS.jsonl, with diag-ROWS.ready beside it once
// complete); logf says so when it does, and progress, when not nil, is
// called with the sign-ins written so far. A file of a million sign-ins
// takes about 4.2 GB.
func DiagFile(ctx context.Context, root string, rows int64, logf func(format string, args ...any), progress func(done int64)) (string, error) {
	return DiagFileShape(ctx, root, gen.ShapeCompact, rows, logf, progress)
}

// DiagFileShape is DiagFile for a tenant shape: the file is
// diag-ROWS.jsonl for the compact shape, diag-SHAPE-ROWS.jsonl for the
// others.
func DiagFileShape(ctx context.Context, root string, shape gen.Shape, rows int64, logf func(format string, args ...any), progress func(done int64)) (string, error) {
	if rows <= 0 {
		return "", fmt.Errorf("a diagnostic export needs at least one sign-in, not %d", rows)
	}
	base := fmt.Sprintf("diag-%d", rows)
	if shape != gen.ShapeCompact {
		base = fmt.Sprintf("diag-%s-%d", shape, rows)
	}
	path := filepath.Join(root, base+".jsonl")
	ready := filepath.Join(root, base+"."+readyName)
	if _, err := os.Stat(ready); err == nil {
		return path, nil
	}
	if logf != nil {
		logf("writing %d sign-ins%s as diagnostic-settings JSON lines to %s (once)", rows, ofShape(shape), path)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	if err := writeDiag(ctx, path, shape, rows, progress); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("writing the benchmark export %s: %w", path, err)
	}
	return path, os.WriteFile(ready, nil, 0o644)
}

func writeDiag(ctx context.Context, path string, shape gen.Shape, rows int64, progress func(int64)) error {
	g, err := gen.New(gen.Config{Count: rows, Seed: Seed, End: End, Shape: shape})
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := g.Write(ctx, signin.FormatDiag, bw, progress); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
