package engine

import (
	"errors"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// PruneStats counts what Prune deleted.
type PruneStats struct {
	Days  int
	Parts int
	Rows  int64
}

// Prune deletes every whole day before the day of t: the retention of a
// store that keeps, say, 90 days is Prune(now minus 90 days). The day
// holding t is kept. Snapshots taken before still see the deleted days;
// the space is reclaimed once none is open.
func (db *DB) Prune(t time.Time) (PruneStats, error) {
	db.compactMu.Lock()
	defer db.compactMu.Unlock()
	man, err := db.manifest()
	if err != nil {
		return PruneStats{}, err
	}
	cut := dayOf(t.UnixNano())
	var st PruneStats
	var gone []*Part
	chunks := map[uint64][]uint64{}
	days := map[int32]bool{}
	for _, p := range man.parts {
		if p.Day >= cut {
			continue
		}
		gone = append(gone, p)
		chunks[p.ID] = p.Chunks
		days[p.Day] = true
		st.Parts++
		st.Rows += int64(p.Rows)
	}
	st.Days = len(days)
	if len(gone) == 0 {
		return st, nil
	}
	db.writeMu.RLock()
	err = db.commit(nil, gone, nil, chunks)
	db.writeMu.RUnlock()
	if err != nil {
		return PruneStats{}, err
	}
	for d := range days {
		db.dedup.forget(d)
	}
	if err := db.collectGarbage(false); err != nil {
		return st, err
	}
	return st, db.reclaim()
}

// reclaim gives the value log's deleted space back to the file system,
// when no snapshot could still read it.
func (db *DB) reclaim() error {
	if db.snapshots.Load() > 0 || db.opts.InMemory || !db.needReclaim.Swap(false) {
		return nil
	}
	for range 64 {
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
