package engine

import (
	"errors"
	"fmt"
)

// Errors the engine returns. Test for them with errors.Is.
var (
	// ErrClosed is returned by every method of a closed DB or Snapshot.
	ErrClosed = errors.New("engine: closed")

	// ErrLocked is returned by Open when another process has the store
	// open.
	ErrLocked = errors.New("engine: store is in use by another process")

	// ErrVersion is returned by Open for a store written in a format
	// version this build does not know.
	ErrVersion = errors.New("engine: unknown store format version")

	// ErrNotStore is returned by Open for a directory that holds files but
	// not a signinq store.
	ErrNotStore = errors.New("engine: not a signinq store")

	// ErrCorruption marks data on disk that fails its checksum or does not
	// decode. The error names the part and value concerned. Test with
	// IsCorruption.
	ErrCorruption = errors.New("engine: corruption")

	// ErrNotFound is returned when a record asked for by id is not stored.
	ErrNotFound = errors.New("engine: not found")

	// ErrInterrupted is returned, wrapped with the context's error, by an
	// ingest whose context was done: it stopped reading and committed
	// what it had read, which its stats count.
	ErrInterrupted = errors.New("engine: interrupted")

	// ErrResultTooLarge is returned by DB.Query for an answer whose rows
	// would take more memory than QueryOptions.MaxMemory to gather:
	// DB.QueryRows reads them one at a time, or a limit keeps fewer.
	ErrResultTooLarge = errors.New("engine: the answer is too large to gather")

	// ErrRowsRead is what a second loop over Rows.All gets, or one after
	// Close: the rows of a query are read once.
	ErrRowsRead = errors.New("engine: the rows were read or closed already")
)

// IsCorruption reports whether err reports corrupt data on disk.
func IsCorruption(err error) bool { return errors.Is(err, ErrCorruption) }

// corrupt builds a corruption error about what, e.g. "part 12 column app
// block 3".
func corrupt(what string, err error) error {
	if err == nil {
		return fmt.Errorf("%w: %s", ErrCorruption, what)
	}
	return fmt.Errorf("%w: %s: %v", ErrCorruption, what, err)
}
