package engine

import (
	"runtime"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// Options configure a DB. The zero value (or nil) is ready to use.
type Options struct {
	// InMemory keeps the store in memory only, for tests and embedding;
	// the directory is ignored and nothing is written to disk.
	InMemory bool

	// Clock is the time queries resolve relative times against ("since
	// 24h"). The engine never reads the wall clock itself; nil means the
	// time of the newest sign-in stored, which keeps answers about an old
	// export reproducible. Commands set it to the wall clock.
	Clock func() time.Time

	// Classifier turns error codes into statuses when logs are read; nil
	// means signin.DefaultInterruptCodes.
	Classifier *signin.Classifier

	// Workers bounds the goroutines ingest and compaction use; 0 means
	// GOMAXPROCS.
	Workers int

	// BlockCache is the memory, in bytes, of the cache of decoded column
	// blocks that makes repeated queries fast; 0 means 256 MiB, a
	// negative value none.
	BlockCache int64

	// NoBackgroundCompaction turns off the goroutine that merges a day's
	// parts once it has collected several; Compact still does it on
	// request.
	NoBackgroundCompaction bool

	// Logf, if set, receives reports of background work (compaction)
	// that no caller is waiting for, such as its errors. The engine never
	// writes to standard output or standard error itself.
	Logf func(format string, args ...any)
}

func (o *Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (o *Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}
