//go:build unix

package engine

import (
	"io/fs"
	"syscall"
)

// diskUsage is the space a file takes on disk: Badger's value-log files
// are sparse, so their size overstates it.
func diskUsage(info fs.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return info.Size()
}
