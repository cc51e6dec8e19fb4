package dirhash

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
)

// Files returns the SHA-256 of every file of dir, in hex, by name; a
// subdirectory is there as "dir" (its files are not read).
func Files(dir string) (map[string]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	h := map[string]string{}
	for _, e := range ents {
		if e.IsDir() {
			h[e.Name()] = "dir"
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		s := sha256.New()
		_, err = io.Copy(s, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		h[e.Name()] = hex.EncodeToString(s.Sum(nil))
	}
	return h, nil
}
