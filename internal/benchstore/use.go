package benchstore

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/signinq/signinq/internal/gen"
)

// heldEnv lists the stores (their directories, separated by the path
// list separator) a process holds with Use; the processes it starts
// inherit it, so that a test's child process (internal/peakmem) uses
// the store its parent holds instead of waiting for it.
const heldEnv = "SIGNINQ_BENCHSTORE_HELD"

// Use returns the directory of the store of rows sign-ins of the compact
// tenant shape, as Dir does,
// and holds it for the caller alone until release is called: go test
// runs the tests of several packages at once, and a store open in one
// process is refused to the others (the engine locks it). Use waits
// while another process holds it, or generates it. A process started
// while it is held (a test's child) inherits the hold.
func Use(ctx context.Context, rows int64, logf func(format string, args ...any)) (dir string, release func(), err error) {
	return UseShape(ctx, gen.ShapeCompact, rows, logf)
}

// UseShape is Use for a tenant shape (see DirShape).
func UseShape(ctx context.Context, shape gen.Shape, rows int64, logf func(format string, args ...any)) (dir string, release func(), err error) {
	root := CacheRoot()
	dir = filepath.Join(root, StoreName(shape, rows))
	if slices.Contains(filepath.SplitList(os.Getenv(heldEnv)), dir) {
		d, err := DirShape(ctx, root, shape, rows, logf, nil)
		return d, func() {}, err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", nil, err
	}
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return "", nil, err
	}
	if dir, err = DirShape(ctx, root, shape, rows, logf, nil); err != nil {
		unlock()
		return "", nil, err
	}
	before, had := os.LookupEnv(heldEnv)
	os.Setenv(heldEnv, strings.Join(append(filepath.SplitList(before), dir), string(os.PathListSeparator)))
	return dir, func() {
		if had {
			os.Setenv(heldEnv, before)
		} else {
			os.Unsetenv(heldEnv)
		}
		unlock()
	}, nil
}
