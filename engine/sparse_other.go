//go:build !linux

package engine

import "os"

// dataAfter returns the first range of f from off on that may hold data:
// without SEEK_DATA, all of it.
func dataAfter(f *os.File, off, end int64) (data, hole int64, err error) {
	return off, end, nil
}
