package engine

import (
	"errors"
	"os"
	"syscall"
)

// dataAfter returns the first range of f from off on that holds data,
// [data, hole), skipping the holes of a sparse file (Badger's log files
// are made sparse and large); data is end when none does.
func dataAfter(f *os.File, off, end int64) (data, hole int64, err error) {
	const seekData, seekHole = 3, 4 // SEEK_DATA, SEEK_HOLE
	data, err = f.Seek(off, seekData)
	if errors.Is(err, syscall.ENXIO) {
		return end, end, nil
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP) {
		return off, end, nil // the file system cannot say
	}
	if err != nil {
		return 0, 0, err
	}
	if hole, err = f.Seek(data, seekHole); err != nil {
		return 0, 0, err
	}
	return min(data, end), min(hole, end), nil
}
