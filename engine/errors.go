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
	// decode, or a store whose files are damaged. The error names the
	// part and value, or the file, concerned. Test with IsCorruption.
	//
	// Open returns it, having changed nothing, for a store that cannot be
	// opened safely: a table file damaged or missing, a MANIFEST damaged
	// or cut short, a memtable log damaged. A store whose last value-log
	// file is damaged opens read-only (see DB.ReadOnly): what is
	// undamaged can be read, and writes fail with the damage. The storage
	// library's panics on damaged files are returned as this error too.
	// What to do: nothing in the store was changed; copy the directory
	// aside and restore it from a backup, or ingest the logs again into a
	// new store.
	ErrCorruption = errors.New("engine: corruption")

	// ErrNoSpace is returned, wrapped together with syscall.ENOSPC, by a
	// write that the free space on the store's disk cannot hold. The
	// engine looks before writing: the storage library writes through
	// memory-mapped files, where a full disk would crash the process. It
	// keeps free what the store's own upkeep needs (the storage library's
	// compactions, its memtable flushes), so that a store refused a write
	// still opens, answers queries, and prunes. The error says how much
	// space was free and how much more is needed. What was committed
	// before stays; free space on that disk (or move the store) and run
	// the write again: an ingest then stores the rest, skipping what was
	// stored. A store whose disk is too full to open it for writing opens
	// read-only (see DB.ReadOnly).
	ErrNoSpace = errors.New("engine: not enough disk space")

	// ErrNotFound is returned when a record asked for by id is not stored.
	ErrNotFound = errors.New("engine: not found")

	// ErrInterrupted is returned, wrapped with the context's error, by an
	// ingest whose context was done: it stopped reading and committed
	// what it had read, which its stats count.
	ErrInterrupted = errors.New("engine: interrupted")
)

// IsCorruption reports whether err reports corrupt data on disk.
func IsCorruption(err error) bool { return errors.Is(err, ErrCorruption) }

// corrupt builds a corruption error about what, e.g. "part 12 column app
// block 3", wrapping its cause err (if not nil) beside ErrCorruption, so
// that errors.Is finds both (index.ErrCorrupt, a storage library's error).
func corrupt(what string, err error) error {
	if err == nil {
		return fmt.Errorf("%w: %s", ErrCorruption, what)
	}
	return fmt.Errorf("%w: %s: %w", ErrCorruption, what, err)
}
