package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteCSVChunks checks that the CSV file written a chunk at a time
// is the file written whole, cut at block boundaries, and that DuckDB
// loads the chunks into one table of every sign-in, removing each.
func TestWriteCSVChunks(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	const rows = 5000
	dir, err := ensureStore(ctx, root, "../..", "", rows, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	store, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	write := func(limit int64) (all []byte, chunks int) {
		var buf bytes.Buffer
		path := func(i int) string { return filepath.Join(root, fmt.Sprintf("chunk%d.csv", i)) }
		n, size, _, err := writeCSV(ctx, store, path, limit, func(i int, p string) error {
			if i != chunks || p != path(i) {
				t.Errorf("chunk %d handed over as %d, %s", chunks, i, p)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if chunks > 0 && len(b) == 0 {
				t.Errorf("chunk %d is empty", i)
			}
			buf.Write(b)
			chunks++
			return os.Remove(p)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != rows || size != int64(buf.Len()) {
			t.Errorf("limit %d: wrote %d rows and said %d bytes; want %d rows and %d bytes", limit, n, size, rows, buf.Len())
		}
		return buf.Bytes(), chunks
	}
	whole, one := write(1 << 40)
	cut, many := write(1 << 20)
	if one != 1 || many < 3 {
		t.Errorf("%d and %d chunks; want 1 and at least 3", one, many)
	}
	if !bytes.Equal(whole, cut) {
		t.Errorf("the chunks (%d bytes) are not the whole file (%d bytes)", len(cut), len(whole))
	}

	defer func(old int64) { csvChunkBytes = old }(csvChunkBytes)
	csvChunkBytes = 1 << 20
	l, err := loadDuckDB(ctx, store, filepath.Join(root, "chunks.duckdb"), 1, false, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if l.Rows != rows || l.CSVBytes != int64(len(whole)) {
		t.Errorf("loaded %d rows from %d bytes; want %d from %d", l.Rows, l.CSVBytes, rows, len(whole))
	}
	if left, _ := filepath.Glob(filepath.Join(root, "*.csv")); len(left) > 0 {
		t.Errorf("chunks left behind: %v", left)
	}
}
