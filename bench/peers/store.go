package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/signinq/signinq/engine"
)

// The benchmark stores, as the main module's internal/benchstore makes
// them: seed 7, the 30 days before benchEnd (the queries' now), no raw
// records, compacted. This module cannot import internal packages, so it
// makes a missing store with the signinq command (gen --db), which runs
// the same generator with the same parameters.
const benchSeed = 7

// benchEnd is the end of the generated window and the queries' now
// (internal/benchstore.End).
var benchEnd = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// cacheRoot is where the benchmark stores live:
// os.UserCacheDir()/signinq-bench, as internal/benchstore has it.
func cacheRoot() string {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "signinq-bench")
}

// storeDir is the directory of the store of rows sign-ins of a tenant
// shape (internal/benchstore.StoreName's layout: the compact shape's
// name has no shape).
func storeDir(root, shape string, rows int64) string {
	return filepath.Join(root, fmt.Sprintf("engine-v%d-%s%d", engine.FormatVersion, shapePart(shape), rows))
}

// shapePart is a tenant shape's part of a cached name: none for the
// compact shape, SHAPE- for the others.
func shapePart(shape string) string {
	if shape == "" || shape == "compact" {
		return ""
	}
	return shape + "-"
}

// ensureStore returns the store of rows sign-ins of a tenant shape under
// root, generating it first with the signinq command of the repository
// at repo when no finished one (with its ready file) is there.
func ensureStore(ctx context.Context, root, repo, shape string, rows int64, logf func(string, ...any)) (string, error) {
	dir := storeDir(root, shape, rows)
	ready := filepath.Join(dir, "ready")
	if _, err := os.Stat(ready); err == nil {
		return dir, nil
	}
	logf("generating %d sign-ins into %s (once)", rows, dir)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	args := []string{"run", "./cmd/signinq", "gen", "--count", strconv.FormatInt(rows, 10), "--seed", strconv.Itoa(benchSeed),
		"--end", benchEnd.Format(time.RFC3339), "--no-raw", "-q", "--db", dir}
	if shapePart(shape) != "" {
		args = append(args, "--shape", shape)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = repo
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("generating the benchmark store %s: %w", dir, err)
	}
	return dir, os.WriteFile(ready, nil, 0o644)
}

// openStore opens a benchmark store for queries, its clock at the
// queries' now.
func openStore(dir string) (*engine.DB, error) {
	return engine.Open(dir, &engine.Options{
		Clock:                  func() time.Time { return benchEnd },
		NoBackgroundCompaction: true,
	})
}
