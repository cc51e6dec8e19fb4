package engine

import (
	"errors"
	"math"
	"runtime/debug"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// PruneStats counts what Prune deleted, or what WouldPrune says it
// would.
type PruneStats struct {
	Days  int
	Parts int
	Rows  int64
	// First and Last are the first and last day deleted (their midnights,
	// UTC); zero when none is.
	First, Last time.Time
}

// Prune deletes every whole day before the day of t: the retention of a
// store that keeps, say, 90 days is Prune(now minus 90 days). The day
// holding t is kept. Snapshots taken before still see the deleted days;
// the space is reclaimed once none is open.
func (db *DB) Prune(t time.Time) (_ PruneStats, err error) {
	db.compactMu.Lock()
	defer db.compactMu.Unlock()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverStore(&err, "store "+db.dir)

	man, err := db.manifest()
	if err != nil {
		return PruneStats{}, err
	}
	gone, st := pruned(man, t)
	if len(gone) == 0 {
		return st, nil
	}
	if err := db.writable(); err != nil {
		return PruneStats{}, err
	}
	chunks := map[uint64][]uint64{}
	for _, p := range gone {
		chunks[p.ID] = p.Chunks
	}
	db.writeMu.RLock()
	err = db.commit(nil, gone, nil, chunks)
	db.writeMu.RUnlock()
	if err != nil {
		return PruneStats{}, err
	}
	for _, p := range gone {
		db.dedup.forget(p.Day)
	}
	if err := db.collectGarbage(false); err != nil {
		return st, err
	}
	return st, db.reclaim()
}

// WouldPrune says what Prune(t) would delete now, and deletes nothing.
func (db *DB) WouldPrune(t time.Time) (PruneStats, error) {
	db.compactMu.Lock()
	defer db.compactMu.Unlock()
	man, err := db.manifest()
	if err != nil {
		return PruneStats{}, err
	}
	_, st := pruned(man, t)
	return st, nil
}

// pruned returns the parts of the days before the day of t, and what
// they hold.
func pruned(man *manifest, t time.Time) ([]*Part, PruneStats) {
	cut := dayOf(t.UnixNano())
	var st PruneStats
	var gone []*Part
	days := map[int32]bool{}
	first, last := int32(math.MaxInt32), int32(math.MinInt32)
	for _, p := range man.parts {
		if p.Day >= cut {
			continue
		}
		gone = append(gone, p)
		days[p.Day] = true
		first, last = min(first, p.Day), max(last, p.Day)
		st.Parts++
		st.Rows += int64(p.Rows)
	}
	st.Days = len(days)
	if len(gone) > 0 {
		st.First, st.Last = DayTime(first), DayTime(last)
	}
	return gone, st
}

// reclaim gives the value log's deleted space back to the file system,
// when no snapshot could still read it.
func (db *DB) reclaim() error {
	if db.snapshots.Load() > 0 || db.opts.InMemory || !db.needReclaim.Swap(false) {
		return nil
	}
	for range 64 {
		if ok, sp := db.space.canReclaim(); !ok {
			// The rewrite could fill the disk: leave it for later.
			db.needReclaim.Store(true)
			db.opts.logf("engine: the space of deleted data in %s is not given back yet: rewriting a value-log file may need %s, and the disk has %s free; it will be once there is room",
				db.dir, size(int64(float64(sp.vlog)*(1-reclaimRatio))), size(sp.free))
			return nil
		}
		err := db.bdb.RunValueLogGC(reclaimRatio)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}
