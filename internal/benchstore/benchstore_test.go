package benchstore

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCache checks that a store and a file are made once, marked ready,
// and found the next time without being made again.
func TestCache(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	made := 0
	logf := func(string, ...any) { made++ }
	var done int64
	dir, err := DirIn(ctx, root, 500, logf, func(n int64) { done = n })
	if err != nil {
		t.Fatal(err)
	}
	if made != 1 || done != 500 {
		t.Errorf("made %d times, progress %d", made, done)
	}
	if _, err := os.Stat(filepath.Join(dir, "ready")); err != nil {
		t.Error(err)
	}
	if again, err := DirIn(ctx, root, 500, logf, nil); err != nil || again != dir || made != 1 {
		t.Errorf("second DirIn: %s, %v, made %d times", again, err, made)
	}

	path, err := DiagFile(ctx, root, 200, logf, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n != 200 || made != 2 {
		t.Errorf("%d lines, made %d times", n, made)
	}
	if again, err := DiagFile(ctx, root, 200, logf, nil); err != nil || again != path || made != 2 {
		t.Errorf("second DiagFile: %s, %v, made %d times", again, err, made)
	}

	if _, err := DirIn(ctx, root, 0, logf, nil); err == nil {
		t.Error("a store of no sign-ins: no error")
	}
	if _, err := DiagFile(ctx, root, -1, logf, nil); err == nil {
		t.Error("a file of -1 sign-ins: no error")
	}
}
