package engine

import (
	"io/fs"
	"path/filepath"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// Stats describes what a store holds and what it takes on disk.
type Stats struct {
	Rows  int64
	Parts int
	// Types counts the sign-ins of each type, indexed by signin.Type.
	Types [numTypes]int64
	// Days are the days with sign-ins, oldest first.
	Days []DayStats
	// Parts' sizes on disk by what they hold, in bytes (see Part).
	ColumnBytes, DictBytes, BitmapBytes, IDBytes, RawBytes int64
	// RawSize is the raw records' size before compression.
	RawSize int64
	// DiskBytes is the size of the store's directory: the parts, and
	// Badger's own overhead (value-log space not yet reclaimed, LSM
	// tables, its manifest). 0 for an in-memory store.
	DiskBytes int64
}

// DayStats describes one day of a store.
type DayStats struct {
	Day         time.Time // the day's start, UTC
	Rows        int64
	Parts       int
	Types       [numTypes]int64
	First, Last time.Time // the first and last sign-in
}

// TypeCount returns the sign-ins of type t.
func (s *Stats) TypeCount(t signin.Type) int64 { return s.Types[t] }

// Stats describes the store.
func (db *DB) Stats() (Stats, error) {
	man, err := db.manifest()
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Rows: man.rows, Parts: len(man.parts)}
	for _, p := range man.parts {
		if n := len(st.Days); n == 0 || st.Days[n-1].Day != DayTime(p.Day) {
			st.Days = append(st.Days, DayStats{Day: DayTime(p.Day), First: nanosTime(p.MinTime), Last: nanosTime(p.MaxTime)})
		}
		d := &st.Days[len(st.Days)-1]
		d.Rows += int64(p.Rows)
		d.Parts++
		if t := nanosTime(p.MinTime); t.Before(d.First) {
			d.First = t
		}
		if t := nanosTime(p.MaxTime); t.After(d.Last) {
			d.Last = t
		}
		for i, n := range p.Types {
			d.Types[i] += n
			st.Types[i] += n
		}
		st.ColumnBytes += p.ColumnBytes
		st.DictBytes += p.DictBytes
		st.BitmapBytes += p.BitmapBytes
		st.IDBytes += p.IDBytes
		st.RawBytes += p.RawBytes
		st.RawSize += p.RawSize
	}
	if !db.opts.InMemory {
		filepath.WalkDir(db.dir, func(_ string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				if info, err := e.Info(); err == nil {
					st.DiskBytes += diskUsage(info)
				}
			}
			return nil
		})
	}
	return st, nil
}

// PartBytes is the parts' total size on disk.
func (s *Stats) PartBytes() int64 {
	return s.ColumnBytes + s.DictBytes + s.BitmapBytes + s.IDBytes + s.RawBytes
}
