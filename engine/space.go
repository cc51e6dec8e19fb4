package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/dustin/go-humanize"
)

// Badger writes its files through memory maps: it makes a file large
// and sparse, then writes into the map, and a disk that cannot hold a
// page when it is first written kills the process with SIGBUS, which Go
// cannot recover. So the engine looks at the free space before it hands
// Badger anything to write (spaceGuard), and refuses with ErrNoSpace a
// write the disk cannot hold while keeping free what Badger's own
// background work needs.
//
// That work is: flushing the memtables to a table (at most the size of
// their logs, the .mem files), compacting tables (at most the size of
// all of them, the .sst files, while the inputs are deleted only after),
// the discard-statistics file (its unwritten pages), and the MANIFEST
// (rewritten whole now and then), plus the first pages of the log files
// it makes and its small files (upkeepSlack).
const (
	// upkeepSlack is space kept free besides the files measured: the first
	// pages of the value-log and memtable files Badger makes at Open and
	// when it rotates them, its lock and key-registry files.
	upkeepSlack = 1 << 20
	// openHeadroom is the free space, besides the upkeep, a store needs to
	// be opened for writing: Open makes new log files and may delete what
	// a crash left. Below it the store opens read-only.
	openHeadroom = 1 << 20
	// growHeadroom is the free space, besides the upkeep, writes that grow
	// the store (ingest, compaction) leave: more than openHeadroom, so
	// that a store refused a write still opens for writing, and can be
	// pruned.
	growHeadroom = 4 << 20
	// spaceRecheck bounds the bytes written between two looks at the
	// disk, which other programs may be filling too.
	spaceRecheck = 16 << 20
)

// diskFree returns the bytes an unprivileged user may still write on the
// file system of dir; ok is false when it cannot be known. Tests replace
// it.
var diskFree = freeSpace

// spaceGuard checks the free space before writes. A nil guard (a store in
// memory) checks nothing.
type spaceGuard struct {
	dir string

	mu sync.Mutex
	// budget is what writes may take before the disk is looked at again.
	budget int64
	// pending counts bytes writes took that may not be on disk yet (Badger
	// writes a batch's transactions in the background); writers counts
	// the writes under way. When none is, nothing is pending.
	pending int64
	writers int
	// logs is the disk usage of the log files when pending began: what
	// they grew by since was written.
	logs int64
}

// storeSpace is what a store's files need of the disk.
type storeSpace struct {
	free   int64 // free on the disk
	upkeep int64 // to keep free for Badger's own work
	logs   int64 // disk usage of the value-log and memtable files
	vlog   int64 // the largest value-log file but the last, which GC may rewrite
}

// measure looks at the disk and at the store's files.
func (g *spaceGuard) measure() (storeSpace, bool) {
	free, ok := diskFree(g.dir)
	if !ok {
		return storeSpace{}, false
	}
	sp := storeSpace{free: free, upkeep: upkeepSlack}
	ents, _ := os.ReadDir(g.dir)
	var lastVlog string
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || e.IsDir() {
			continue
		}
		used := diskUsage(info)
		switch name := e.Name(); {
		case filepath.Ext(name) == ".sst", name == "MANIFEST":
			sp.upkeep += info.Size()
		case filepath.Ext(name) == ".mem":
			sp.upkeep += used
			sp.logs += used
		case filepath.Ext(name) == ".vlog":
			sp.logs += used
			if name > lastVlog { // same-width names: the last is the largest
				if lastVlog != "" {
					if i, err := os.Stat(filepath.Join(g.dir, lastVlog)); err == nil {
						sp.vlog = max(sp.vlog, diskUsage(i))
					}
				}
				lastVlog = name
			} else {
				sp.vlog = max(sp.vlog, used)
			}
		case name == "DISCARD":
			sp.upkeep += max(0, info.Size()-used)
		}
	}
	return sp, true
}

// unwritten is how much of what writes took may not be on disk yet.
func (g *spaceGuard) unwritten(sp storeSpace) int64 {
	if g.pending == 0 {
		g.logs = sp.logs
	}
	return max(0, g.pending-max(0, sp.logs-g.logs))
}

// begin and end bracket a write that takes space (a Writer's write, a
// compaction of a day).
func (g *spaceGuard) begin() {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.writers++
	g.mu.Unlock()
}

func (g *spaceGuard) end() {
	if g == nil {
		return
	}
	g.mu.Lock()
	if g.writers--; g.writers == 0 {
		g.pending, g.budget = 0, 0
	}
	g.mu.Unlock()
}

// grow takes n bytes for a write that grows the store, leaving the
// upkeep and growHeadroom free, or returns ErrNoSpace.
func (g *spaceGuard) grow(n int64) error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if n > g.budget {
		sp, ok := g.measure()
		if !ok {
			g.budget = 1 << 62
		} else {
			free := sp.free - g.unwritten(sp)
			avail := free - sp.upkeep - growHeadroom
			if n > avail {
				return noSpace(g.dir, free, n, "this write needs "+size(n), sp.upkeep+growHeadroom)
			}
			// A write larger than spaceRecheck (a compacted day of a
			// big store) is checked against the disk alone.
			g.budget = max(min(avail, spaceRecheck), n)
		}
	}
	g.budget -= n
	g.pending += n
	return nil
}

// shrink takes n bytes for a write that frees space (deleting pruned or
// retired data): it may use the headroom, not the upkeep, which the
// deletion itself needs (Badger flushes and compacts to drop data).
func (g *spaceGuard) shrink(n int64) error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	sp, ok := g.measure()
	if !ok {
		return nil
	}
	if free := sp.free - g.unwritten(sp); free-n < sp.upkeep {
		return noSpace(g.dir, free, n, "deleting needs "+size(n), sp.upkeep)
	}
	g.budget = 0
	return nil
}

// fits returns ErrNoSpace, saying that the write needs total (needs says
// so), when n more bytes would not fit on the disk while
// leaving the upkeep and growHeadroom free. It takes nothing.
func (g *spaceGuard) fits(n, total int64, needs string) error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if n <= g.budget {
		return nil
	}
	sp, ok := g.measure()
	if !ok {
		return nil
	}
	free := sp.free - g.unwritten(sp)
	if keep := sp.upkeep + growHeadroom; free-keep < n {
		return noSpace(g.dir, free+total-n, total, needs, keep)
	}
	return nil
}

// canOpen returns ErrNoSpace when the disk has too little free to open
// the store for writing.
func (g *spaceGuard) canOpen() error {
	sp, ok := g.measure()
	if ok && sp.free < sp.upkeep+openHeadroom {
		return noSpace(g.dir, sp.free, 0, "", sp.upkeep+openHeadroom)
	}
	return nil
}

// canReclaim reports whether value-log GC may run: it rewrites the live
// values of a file at least reclaimRatio dead into the current one
// before deleting it.
func (g *spaceGuard) canReclaim() (bool, storeSpace) {
	if g == nil {
		return true, storeSpace{}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	sp, ok := g.measure()
	if !ok {
		return true, sp
	}
	need := int64(float64(sp.vlog) * (1 - reclaimRatio))
	return sp.free-g.unwritten(sp)-need >= sp.upkeep, sp
}

// noSpace is the error of a write of need bytes (needs says so) refused
// on the disk of dir, which has free bytes free and must keep
// keep; with need 0, of a store that cannot be opened for writing.
func noSpace(dir string, free, need int64, needs string, keep int64) error {
	what := fmt.Sprintf("the disk of %s has %s free", dir, size(free))
	if need > 0 {
		what += fmt.Sprintf("; %s, and the store keeps %s free for its own upkeep", needs, size(keep))
	} else {
		what += fmt.Sprintf(", and the store needs %s free to be written to", size(keep))
	}
	return fmt.Errorf("%w: %s: free at least %s there (or move the store to a larger disk), then run it again: %w",
		ErrNoSpace, what, size(need+keep-free), syscall.ENOSPC)
}

func size(n int64) string { return humanize.IBytes(uint64(max(0, n))) }

// defaultRowBytes is the disk space a sign-in is taken to need in a store
// that holds too few to tell: more than the 700 bytes or so of a
// diagnostic-settings export's sign-ins with their raw records
// (docs/benchmarks.md).
const defaultRowBytes = 1 << 10

// bytesPerRow is the disk space a sign-in takes in the store, and how it
// is known: its parts' bytes a row, or defaultRowBytes while it holds
// fewer than 10,000.
func (db *DB) bytesPerRow() (int64, string) {
	man, err := db.manifest()
	if err != nil || man.rows < 10000 {
		return defaultRowBytes, "a first guess, as the store holds few yet"
	}
	var n int64
	for _, p := range man.parts {
		n += p.ColumnBytes + p.DictBytes + p.BitmapBytes + p.IDBytes + p.RawBytes
	}
	return max(n/man.rows, 64), "as the store holds them"
}
