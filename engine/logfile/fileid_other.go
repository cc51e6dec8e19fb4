//go:build !unix

package logfile

import "io/fs"

// fileKey identifies a file on systems that have inodes; elsewhere
// files are compared with os.SameFile.
type fileKey struct{ dev, ino uint64 }

func keyOf(fs.FileInfo) (fileKey, bool) { return fileKey{}, false }
