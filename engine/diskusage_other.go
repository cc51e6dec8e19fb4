//go:build !unix

package engine

import "io/fs"

// diskUsage is the space a file takes on disk.
func diskUsage(info fs.FileInfo) int64 { return info.Size() }
