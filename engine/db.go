package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// DB is a sign-in store: one Badger database in a directory. It is safe
// for concurrent use: many goroutines may read snapshots while others
// ingest; compaction runs beside both.
type DB struct {
	opts Options
	bdb  *badger.DB
	dir  string
	// unlock releases the store's own lock (lockStore); nil in memory.
	unlock func()

	// readOnly is why the store was opened read-only (damage a write
	// would make worse, or a disk too full to write), or nil.
	readOnly error
	space    *spaceGuard // nil in memory

	mu struct {
		sync.RWMutex
		man    *manifest // replaced, never modified, on every commit
		closed bool
	}
	nextID    atomic.Uint64 // the next part or chunk id
	dedup     *dedup
	compactMu sync.Mutex // one compaction or prune at a time
	metaMu    sync.Mutex // one UpdateMeta at a time

	snapshots atomic.Int64 // open snapshots, to keep value-log GC away
	blocks    *blockCache  // decoded column blocks; nil without one

	numMu      sync.Mutex
	numberings map[uint16]*Numbering // by column id (Snapshot.Numbers)

	// writeMu is held shared by every write (from its pending marker to
	// its commit) and exclusively by dropParts, which Badger lets run
	// only when no write is under way.
	writeMu     sync.RWMutex
	needReclaim atomic.Bool // parts were dropped: value-log GC has work

	bg struct {
		kick chan struct{}
		stop chan struct{}
		wg   sync.WaitGroup
	}
}

// manifest is the set of committed parts, ordered by day, then first time,
// then id.
type manifest struct {
	parts []*Part
	rows  int64
}

func newManifest(parts []*Part) *manifest {
	slices.SortFunc(parts, func(a, b *Part) int {
		if a.Day != b.Day {
			return int(a.Day) - int(b.Day)
		}
		if a.MinTime != b.MinTime {
			if a.MinTime < b.MinTime {
				return -1
			}
			return 1
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	m := &manifest{parts: parts}
	for _, p := range parts {
		m.rows += int64(p.Rows)
	}
	return m
}

// day returns the parts of a day.
func (m *manifest) day(day int32) []*Part {
	i, _ := slices.BinarySearchFunc(m.parts, day, func(p *Part, d int32) int { return int(p.Day) - int(d) })
	j := i
	for j < len(m.parts) && m.parts[j].Day == day {
		j++
	}
	return m.parts[i:j]
}

// with returns the manifest with parts added and removed.
func (m *manifest) with(add, remove []*Part) *manifest {
	gone := make(map[uint64]bool, len(remove))
	for _, p := range remove {
		gone[p.ID] = true
	}
	parts := make([]*Part, 0, len(m.parts)+len(add))
	for _, p := range m.parts {
		if !gone[p.ID] {
			parts = append(parts, p)
		}
	}
	return newManifest(append(parts, add...))
}

// badgerOptions tunes Badger for this workload (docs/format.md,
// "Badger settings"): column blocks, bitmaps and raw chunks are large
// values that belong in the value log, read with one copy; part headers
// and small values stay in the LSM tree, compressed.
func badgerOptions(dir string, inMemory bool) badger.Options {
	o := badger.DefaultOptions(dir).
		WithInMemory(inMemory).
		WithLogger(nil).
		WithMetricsEnabled(false).
		WithDetectConflicts(false).
		WithNumVersionsToKeep(1).
		// Values from 1 KiB up go to the value log: scans then read them
		// through mmap instead of decompressing LSM blocks (4x faster
		// measured, engine-notes §2.2).
		WithValueThreshold(tuning.valueThreshold).
		// The LSM holds only keys, headers and small values: keep its
		// memory small.
		WithMemTableSize(32 << 20).
		WithNumMemtables(3).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(12).
		WithBlockCacheSize(32 << 20).
		WithIndexCacheSize(64 << 20).
		WithCompression(tuning.compression).
		WithZSTDCompressionLevel(1).
		WithValueLogFileSize(tuning.valueLogFileSize).
		WithNumCompactors(2)
	if inMemory {
		// Without a value log, Badger refuses values above the threshold:
		// put splits larger ones into fragments.
		o.Dir, o.ValueDir = "", ""
		o = o.WithValueThreshold(1 << 20)
	}
	return o
}

// Open opens the store in dir, creating it if dir does not exist or is
// empty. opts may be nil. A second Open of the same directory, from this
// process or another, fails with ErrLocked until the first is closed.
//
// Open finishes what a crash interrupted: data written by an ingest or a
// compaction that did not commit is deleted, and parts a committed
// compaction or prune retired are removed.
//
// Open first checks the store's files, and refuses a damaged store with
// an error wrapping ErrCorruption, having changed nothing in it. A store
// whose damage a write would make worse, or whose disk is too full to
// write (ErrNoSpace), opens read-only: it answers queries, and writes
// fail with the reason (see ReadOnly).
func Open(dir string, opts *Options) (_ *DB, err error) {
	db := &DB{dir: dir}
	if opts != nil {
		db.opts = *opts
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() { // after Badger is closed: the store's lock last
		if err != nil && db.unlock != nil {
			db.unlock()
		}
	}()
	defer func() {
		if err != nil && db.bdb != nil {
			closeBadger(db.bdb)
		}
	}()
	defer recoverStore(&err, "store "+dir)
	bo := badgerOptions(dir, db.opts.InMemory)
	if !db.opts.InMemory {
		// checkDir first, which reads only (a store's MANIFEST, or a
		// directory of Badger's files alone): a directory that is not a
		// store gets no lock file.
		if err := checkDir(dir); err != nil {
			return nil, err
		}
		if db.unlock, err = lockStore(dir); err != nil {
			return nil, err
		}
		readOnly, err := checkStore(dir)
		if err != nil {
			return nil, err
		}
		if err := removeEmptyLogs(dir); err != nil {
			return nil, err
		}
		db.space = &spaceGuard{dir: dir}
		if readOnly == nil {
			if err := db.space.canOpen(); err != nil {
				if _, serr := os.Stat(filepath.Join(dir, "MANIFEST")); serr != nil {
					return nil, err // no store yet to read
				}
				readOnly = err
			}
		}
		if readOnly != nil {
			// Badger replays memtable logs, which a crash leaves, only
			// read-write (read-only, it fails or panics on them).
			if mems, _ := filepath.Glob(filepath.Join(dir, "*.mem")); len(mems) > 0 {
				return nil, fmt.Errorf("engine: open %s: a crash left it with writes to finish (%s), which cannot be done read-only, as it must be opened: %w",
					dir, filepath.Base(mems[0]), readOnly)
			}
			db.readOnly = readOnly
			bo = bo.WithReadOnly(true)
			db.opts.logf("warning: %s is opened read-only, for queries: %v", dir, readOnly)
		}
	}
	bdb, err := badger.Open(bo)
	if err != nil {
		return nil, openError(dir, db.readOnly, err)
	}
	db.bdb = bdb
	if err := db.load(); err != nil {
		return nil, err
	}
	if db.blocks, err = newBlockCache(db.opts.BlockCache); err != nil {
		return nil, err
	}
	db.dedup = newDedup(dedupBudget)
	db.bg.kick = make(chan struct{}, 1)
	db.bg.stop = make(chan struct{})
	if !db.opts.NoBackgroundCompaction && db.readOnly == nil {
		db.bg.wg.Add(1)
		go db.compactor()
	}
	return db, nil
}

// closeBadger closes a Badger database Open could not finish opening,
// which may have panicked.
func closeBadger(bdb *badger.DB) {
	defer func() { recover() }()
	bdb.Close()
}

// openError is the error of badger.Open on the store in dir.
func openError(dir string, readOnly, err error) error {
	switch msg := err.Error(); {
	case strings.Contains(msg, "Another process is using this Badger database"):
		return fmt.Errorf("%w: %s", ErrLocked, dir)
	case errors.Is(err, syscall.ENOSPC) || strings.Contains(msg, "no space left on device"):
		return fmt.Errorf("%w: the disk of %s is full: free some space there, then run it again: %w", ErrNoSpace, dir, err)
	case strings.Contains(msg, "key registry"):
		return damaged(dir, "KEYREGISTRY", err)
	}
	return fmt.Errorf("engine: open %s: %w", dir, err)
}

// ReadOnly returns why the store was opened read-only, or nil when it is
// writable: an error wrapping ErrCorruption for a store whose damage a
// write would make worse, or ErrNoSpace for one whose disk is too full.
// Writes to a read-only store (ingest, compaction, prune) fail with it.
func (db *DB) ReadOnly() error { return db.readOnly }

// writable returns the error writes to a read-only store fail with.
func (db *DB) writable() error {
	if db.readOnly == nil {
		return nil
	}
	return fmt.Errorf("engine: %s was opened read-only: %w", db.dir, db.readOnly)
}

// checkDir refuses a directory that holds something other than a store.
func checkDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return fmt.Errorf("engine: open %s: %w", dir, err)
	}
	if len(ents) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err == nil {
		return nil
	}
	// No MANIFEST: a store whose creation was interrupted (Badger takes
	// its lock and writes MANIFEST-REWRITE before renaming it to
	// MANIFEST) holds only Badger's own files, and nothing committed.
	for _, e := range ents {
		if !badgerFile(e.Name()) {
			return fmt.Errorf("%w: %s holds files but no store (%s)", ErrNotStore, dir, e.Name())
		}
	}
	return nil
}

// badgerFile reports whether name is one Badger gives its files.
func badgerFile(name string) bool {
	switch name {
	case "LOCK", "MANIFEST-REWRITE", "KEYREGISTRY", "KEYREGISTRY-REWRITE", "DISCARD", lockName:
		return true
	}
	switch filepath.Ext(name) {
	case ".mem", ".vlog", ".sst":
		return true
	}
	return false
}

// removeEmptyLogs deletes the memtable and value-log files of no bytes
// that a process killed at two moments leaves, and on which Badger's own
// Open fails with z.NewFile ("Create a new file"):
//   - Badger creates a log file empty and then sizes it
//     (dgraph-io/badger#2207 for memtables). Every Open creates a
//     value-log file, and writes rotate to new ones, so a kill while a
//     store opens or rotates leaves one.
//   - Badger deletes a value-log file by truncating it to nothing and then
//     removing it: an Open deletes older files that hold no values, and
//     the value-log garbage collection after prune deletes a file once
//     its live values are written elsewhere.
//
// Either way no value in the store points into the file. (A value-log
// file emptied by something else than Badger is damage this cannot tell
// apart: reading the values that were in it then fails.)
func removeEmptyLogs(dir string) error {
	for _, pattern := range []string{"*.mem", "*.vlog"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range files {
			if info, err := os.Stat(f); err == nil && info.Size() == 0 {
				if err := os.Remove(f); err != nil {
					return fmt.Errorf("engine: open %s: %w", dir, err)
				}
			}
		}
	}
	return nil
}

// load checks the format version, recovers from an interrupted write and
// reads the manifest. Read-only, it reads the version and the manifest,
// and leaves what an interrupted write left (no part names it).
func (db *DB) load() error {
	check := func(txn *badger.Txn) error {
		item, err := txn.Get(keyVersion)
		if errors.Is(err, badger.ErrKeyNotFound) {
			it := txn.NewIterator(badger.IteratorOptions{})
			it.Rewind()
			empty := !it.Valid()
			it.Close()
			if !empty {
				return fmt.Errorf("%w: %s has no format version", ErrNotStore, db.dir)
			}
			if db.readOnly != nil {
				return nil
			}
			return txn.Set(keyVersion, binary.AppendUvarint(nil, FormatVersion))
		}
		if err != nil {
			return err
		}
		var ver uint64
		err = item.Value(func(v []byte) error {
			var n int
			if ver, n = binary.Uvarint(v); n <= 0 {
				return fmt.Errorf("%w: %s has an unreadable version", ErrVersion, db.dir)
			}
			return nil
		})
		switch {
		case err != nil || ver == FormatVersion:
			return err
		case slices.Contains(upgradable, ver):
			if db.readOnly != nil {
				return nil
			}
			return txn.Set(keyVersion, binary.AppendUvarint(nil, FormatVersion))
		}
		return fmt.Errorf("%w: %s has version %d, this signinq reads versions %v to %d", ErrVersion, db.dir, ver, upgradable[0], FormatVersion)
	}
	var err error
	if db.readOnly != nil {
		err = db.bdb.View(check)
	} else {
		err = db.bdb.Update(check)
	}
	if err != nil {
		return err
	}
	parts, maxID, err := db.readManifest()
	if err != nil {
		return err
	}
	db.mu.man = newManifest(parts)
	if db.readOnly == nil {
		if err := db.recover(true); err != nil {
			return err
		}
	}
	db.nextID.Store(maxID + 1)
	return nil
}

// readManifest reads every part header, and finds the largest id in use
// by parts, chunks and write markers.
func (db *DB) readManifest() ([]*Part, uint64, error) {
	var parts []*Part
	var maxID uint64
	err := db.bdb.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixPart}, PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			key := item.KeyCopy(nil)
			day, id, ok := parsePartKey(key)
			if !ok {
				return corrupt(describeKey(key), errors.New("bad key"))
			}
			err := item.Value(func(v []byte) error {
				payload, err := unseal(key, v)
				if err != nil {
					return err
				}
				p, err := decodePartHeader(payload)
				if err != nil {
					return corrupt(describeKey(key), err)
				}
				if p.ID != id || p.Day != day {
					return corrupt(describeKey(key), errors.New("header names another part"))
				}
				parts = append(parts, p)
				return nil
			})
			if err != nil {
				return err
			}
			maxID = max(maxID, id)
			for _, c := range parts[len(parts)-1].Chunks {
				maxID = max(maxID, c)
			}
		}
		for _, prefix := range []byte{prefixData, prefixRaw, prefixPending, prefixGarbage} {
			if id, ok := lastID(txn, prefix); ok {
				maxID = max(maxID, id)
			}
		}
		return nil
	})
	return parts, maxID, err
}

// lastID returns the id in the last key with the prefix.
func lastID(txn *badger.Txn, prefix byte) (uint64, bool) {
	it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: []byte{prefix}})
	defer it.Close()
	it.Seek([]byte{prefix, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	if !it.Valid() {
		return 0, false
	}
	return parseIDKey(it.Item().Key(), prefix)
}

// recover deletes the data of parts retired by a committed compaction or
// prune and, with pending, what interrupted writes left: data of parts and
// chunks written after a pending marker and never committed. pending must
// be false while a write may be in progress.
func (db *DB) recover(pending bool) error {
	var starts []uint64
	var pendKeys, garbage [][]byte
	var garbageChunks []uint64
	err := db.bdb.View(func(txn *badger.Txn) error {
		for _, prefix := range []byte{prefixPending, prefixGarbage} {
			if prefix == prefixPending && !pending {
				continue
			}
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}})
			for it.Rewind(); it.Valid(); it.Next() {
				item := it.Item()
				key := item.KeyCopy(nil)
				v, err := item.ValueCopy(nil)
				if err != nil {
					it.Close()
					return err
				}
				if prefix == prefixPending {
					start, n := binary.Uvarint(v)
					if n <= 0 {
						start = 0 // unreadable: check everything
					}
					starts = append(starts, start)
					pendKeys = append(pendKeys, key)
					continue
				}
				garbage = append(garbage, key)
				for len(v) > 0 {
					c, n := binary.Uvarint(v)
					if n <= 0 {
						break
					}
					garbageChunks = append(garbageChunks, c)
					v = v[n:]
				}
			}
			it.Close()
		}
		return nil
	})
	if err != nil || (len(pendKeys) == 0 && len(garbage) == 0) {
		return err
	}
	db.mu.RLock()
	man := db.mu.man
	db.mu.RUnlock()
	live := map[uint64]bool{}
	chunks := map[uint64]bool{}
	for _, p := range man.parts {
		live[p.ID] = true
		for _, c := range p.Chunks {
			chunks[c] = true
		}
	}
	// Raw chunks are deleted key by key; a part's data, all under the
	// prefix of its id, is dropped whole (see dropParts).
	var chunkKeys, parts [][]byte
	seen := map[uint64]bool{}
	dropPart := func(id uint64) {
		if !live[id] && !seen[id] { // never drop a live part
			seen[id] = true
			parts = append(parts, idKey(prefixData, id))
		}
	}
	if len(starts) > 0 {
		from := slices.Min(starts)
		err = db.bdb.View(func(txn *badger.Txn) error {
			for _, prefix := range []byte{prefixData, prefixRaw} {
				it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}})
				for it.Seek(idKey(prefix, from)); it.Valid(); it.Next() {
					id, _ := parseIDKey(it.Item().Key(), prefix)
					switch {
					case prefix == prefixData:
						dropPart(id)
					case !chunks[id]:
						chunkKeys = append(chunkKeys, it.Item().KeyCopy(nil))
					}
				}
				it.Close()
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, g := range garbage {
		id, _ := parseIDKey(g, prefixGarbage)
		dropPart(id)
	}
	for _, c := range garbageChunks {
		if !chunks[c] {
			chunkKeys = append(chunkKeys, idKey(prefixRaw, c))
		}
	}
	if err := db.deleteKeys(chunkKeys); err != nil {
		return err
	}
	if err := db.dropParts(parts); err != nil {
		return err
	}
	return db.deleteKeys(append(pendKeys, garbage...))
}

// dropParts deletes the data of parts, given as the prefixes of their
// keys, with Badger's DropPrefix rather than a delete per key: DropPrefix
// writes the memtable out and compacts level 0, which tells Badger which
// value-log entries are dead, these and every value deleted before, so
// that value-log GC (reclaim) can give their space back. Deleted keys
// alone stay in a memtable that this store's small key space may never
// fill, and their values would take disk space forever.
//
// DropPrefix refuses writes while it runs: the caller holds writeMu
// exclusively, or no write can be under way (Open).
func (db *DB) dropParts(prefixes [][]byte) error {
	if len(prefixes) == 0 {
		return nil
	}
	if err := db.bdb.DropPrefix(prefixes...); err != nil {
		return fmt.Errorf("engine: drop retired parts: %w", err)
	}
	db.needReclaim.Store(true)
	return nil
}

// deleteKeys deletes keys in batches.
func (db *DB) deleteKeys(keys [][]byte) error {
	if len(keys) == 0 {
		return nil
	}
	var n int64
	for _, k := range keys {
		n += int64(len(k)) + entryOverhead
	}
	if err := db.space.shrink(n); err != nil {
		return err
	}
	wb := db.bdb.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			return err
		}
	}
	return wb.Flush()
}

// newID allocates a part or chunk id.
func (db *DB) newID() uint64 { return db.nextID.Add(1) - 1 }

// manifest returns the current manifest, or ErrClosed.
func (db *DB) manifest() (*manifest, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.mu.closed {
		return nil, ErrClosed
	}
	return db.mu.man, nil
}

// commit makes parts visible and retires others, atomically: the part
// headers are written, the retired parts' headers deleted (their data is
// marked as garbage, to delete once no snapshot can read it), and the
// write's pending marker removed, in one Badger transaction, synced to
// disk before commit returns.
func (db *DB) commit(add, remove []*Part, pendingKey []byte, garbageChunks map[uint64][]uint64) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.mu.closed {
		return ErrClosed
	}
	txn := db.bdb.NewTransaction(true)
	defer txn.Discard()
	headers := make([][]byte, len(add))
	n := int64(len(remove)+1) * 64
	for i, p := range add {
		key := partKey(p.Day, p.ID)
		headers[i] = seal(key, p.appendHeader(nil))
		n += writeSize(key, headers[i])
	}
	take := db.space.grow
	if len(add) == 0 {
		take = db.space.shrink // a prune
	}
	if err := take(n); err != nil {
		return err
	}
	for i, p := range add {
		if err := txn.Set(partKey(p.Day, p.ID), headers[i]); err != nil {
			return err
		}
	}
	for _, p := range remove {
		if err := txn.Delete(partKey(p.Day, p.ID)); err != nil {
			return err
		}
		var v []byte
		for _, c := range garbageChunks[p.ID] {
			v = binary.AppendUvarint(v, c)
		}
		if err := txn.Set(idKey(prefixGarbage, p.ID), v); err != nil {
			return err
		}
	}
	if pendingKey != nil {
		if err := txn.Delete(pendingKey); err != nil {
			return err
		}
	}
	if err := txn.Commit(); err != nil {
		return err
	}
	db.mu.man = db.mu.man.with(add, remove)
	// Badger writes without fsync (SyncWrites off, for the parts' data):
	// the commit, and the data written before it, reach the disk here, so
	// that a power cut loses only what was not committed.
	if err := db.bdb.Sync(); err != nil {
		return fmt.Errorf("engine: sync after commit: %w", err)
	}
	return nil
}

// collectGarbage deletes the data of retired parts, once no snapshot is
// open that could still read them. With wait, it waits for writes under
// way to end; otherwise it leaves the garbage to a later call when one
// is (the background compactor's, or Close's).
func (db *DB) collectGarbage(wait bool) error {
	if db.snapshots.Load() > 0 {
		return nil
	}
	if wait {
		db.writeMu.Lock()
	} else if !db.writeMu.TryLock() {
		db.kickCompactor()
		return nil
	}
	defer db.writeMu.Unlock()
	if db.snapshots.Load() > 0 {
		return nil
	}
	return db.recover(false)
}

// Close waits for background work to stop and closes the store. Snapshots
// still open fail afterwards with ErrClosed.
func (db *DB) Close() (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "store "+db.dir)
	db.mu.Lock()
	if db.mu.closed {
		db.mu.Unlock()
		return ErrClosed
	}
	db.mu.Unlock()
	close(db.bg.stop)
	db.bg.wg.Wait()
	db.compactMu.Lock()
	defer db.compactMu.Unlock()
	db.mu.Lock()
	db.mu.closed = true
	db.mu.Unlock()
	var errs []error
	// A Writer left open holds writeMu: its garbage waits for Open.
	if db.readOnly == nil && db.snapshots.Load() == 0 && db.writeMu.TryLock() {
		errs = append(errs, db.recover(false), db.reclaim())
		db.writeMu.Unlock()
	}
	errs = append(errs, db.bdb.Close())
	db.blocks.close()
	if db.unlock != nil {
		db.unlock()
	}
	return errors.Join(errs...)
}

// Now returns the time relative times are resolved against: Options.Clock,
// or the time of the newest sign-in stored (the zero time when empty).
func (db *DB) Now() time.Time {
	if db.opts.Clock != nil {
		return db.opts.Clock()
	}
	man, err := db.manifest()
	if err != nil {
		return time.Time{}
	}
	_, last, _ := man.span()
	return last
}

// span returns the times of the first and last sign-ins of the manifest's
// parts; ok is false when it has none.
func (m *manifest) span() (first, last time.Time, ok bool) {
	if len(m.parts) == 0 {
		return time.Time{}, time.Time{}, false
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, p := range m.parts {
		lo, hi = min(lo, p.MinTime), max(hi, p.MaxTime)
	}
	return nanosTime(lo), nanosTime(hi), true
}

// Clock returns Options.Clock: nil when the store was given none.
func (db *DB) Clock() func() time.Time { return db.opts.Clock }

// Dir returns the store's directory: "" for a store in memory.
func (db *DB) Dir() string {
	if db.opts.InMemory {
		return ""
	}
	return db.dir
}

// Count returns the number of sign-ins stored.
func (db *DB) Count() (int64, error) {
	man, err := db.manifest()
	if err != nil {
		return 0, err
	}
	return man.rows, nil
}
