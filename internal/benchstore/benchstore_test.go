package benchstore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/gen"
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

// TestShapes checks that the stores and files of the shapes are cached
// apart, the compact shape's under the names they had before shapes.
func TestShapes(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for _, c := range []struct {
		shape     gen.Shape
		dir, file string
	}{
		{gen.ShapeCompact, fmt.Sprintf("engine-v%d-300", engine.FormatVersion), "diag-300.jsonl"},
		{gen.ShapeWide, fmt.Sprintf("engine-v%d-wide-300", engine.FormatVersion), "diag-wide-300.jsonl"},
	} {
		dir, err := DirShape(ctx, root, c.shape, 300, nil, nil)
		if err != nil || dir != filepath.Join(root, c.dir) {
			t.Errorf("%v: store %s, %v; want %s", c.shape, dir, err, c.dir)
		}
		path, err := DiagFileShape(ctx, root, c.shape, 300, nil, nil)
		if err != nil || path != filepath.Join(root, c.file) {
			t.Errorf("%v: file %s, %v; want %s", c.shape, path, err, c.file)
		}
	}
	a, errA := os.ReadFile(filepath.Join(root, "diag-300.jsonl"))
	b, errB := os.ReadFile(filepath.Join(root, "diag-wide-300.jsonl"))
	if errA != nil || errB != nil || bytes.Equal(a, b) {
		t.Errorf("the shapes' files: %v, %v, equal %v", errA, errB, bytes.Equal(a, b))
	}
}
