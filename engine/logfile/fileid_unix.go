//go:build unix

package logfile

import (
	"io/fs"
	"syscall"
)

// fileKey identifies a file on the system: its device and inode.
type fileKey struct{ dev, ino uint64 }

func keyOf(fi fs.FileInfo) (fileKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{uint64(st.Dev), uint64(st.Ino)}, true // Dev is not a uint64 everywhere
}
