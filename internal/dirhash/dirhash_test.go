package dirhash

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), []byte("abc"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	h, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h["sub"] != "dir" || h["a"] != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("hashes %v", h)
	}
	if _, err := Files(filepath.Join(dir, "none")); err == nil {
		t.Error("no error for a missing directory")
	}
}
