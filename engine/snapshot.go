package engine

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/dgraph-io/badger/v4"
	"github.com/signinq/signinq/index"
)

// Snapshot is a consistent read view of the store: it sees the parts
// committed when it was taken, whatever ingest, compaction or pruning do
// afterwards. It must be closed.
//
// A Snapshot is safe for concurrent use by many goroutines. Values it
// returns (dictionaries, bitmaps, decoded columns) belong to the caller
// unless documented otherwise.
type Snapshot struct {
	db      *DB
	txn     *badger.Txn
	man     *manifest
	once    sync.Once
	noCache bool // compaction: blocks read once, kept out of the cache
}

// Snapshot takes a read view of the store.
func (db *DB) Snapshot() (*Snapshot, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.mu.closed {
		return nil, ErrClosed
	}
	db.snapshots.Add(1)
	return &Snapshot{db: db, txn: db.bdb.NewTransaction(false), man: db.mu.man}, nil
}

// View calls fn with a snapshot, closed when fn returns.
func (db *DB) View(fn func(*Snapshot) error) error {
	s, err := db.Snapshot()
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// Close releases the snapshot. It is safe to call more than once.
func (s *Snapshot) Close() error {
	s.once.Do(func() {
		s.txn.Discard()
		s.db.snapshots.Add(-1)
	})
	return nil
}

func (db *DB) isClosed() bool {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.mu.closed
}

// Count returns the number of sign-ins in the snapshot.
func (s *Snapshot) Count() int64 { return s.man.rows }

// Span returns the times of the snapshot's first and last sign-ins; ok
// is false when it holds none.
func (s *Snapshot) Span() (first, last time.Time, ok bool) {
	return s.man.span()
}

// Parts returns the snapshot's parts ordered by day, then first time. The
// slice must not be modified.
func (s *Snapshot) Parts() []*Part { return s.man.parts }

// PartsBetween returns the parts with sign-ins in [from, to), in the order
// of Parts. A zero from or to leaves that end open.
func (s *Snapshot) PartsBetween(from, to time.Time) []*Part {
	lo, hi := bounds(from, to)
	var out []*Part
	for _, p := range s.man.parts {
		if p.MaxTime >= lo && p.MinTime < hi {
			out = append(out, p)
		}
	}
	return out
}

// bounds turns a time range into Unix nanoseconds, open ends as extremes.
func bounds(from, to time.Time) (int64, int64) {
	lo, hi := int64(-1<<63+1), int64(1<<63-1)
	if !from.IsZero() {
		lo = from.UnixNano()
	}
	if !to.IsZero() {
		hi = to.UnixNano()
	}
	return lo, hi
}

// Rows returns the rows of part p with times in [from, to), as the range
// [lo, hi): rows are sorted by time, so a time window is a row range. Only
// the time columns of the (at most two) blocks at its edges are read.
func (s *Snapshot) Rows(p *Part, from, to time.Time) (lo, hi uint32, err error) {
	a, b := bounds(from, to)
	if lo, err = s.firstRowAtOrAfter(p, a); err != nil {
		return 0, 0, err
	}
	if hi, err = s.firstRowAtOrAfter(p, b); err != nil {
		return 0, 0, err
	}
	return lo, hi, nil
}

// firstRowAtOrAfter returns the first row of p whose time is >= t, or
// p.Rows.
func (s *Snapshot) firstRowAtOrAfter(p *Part, t int64) (uint32, error) {
	b, _ := slices.BinarySearchFunc(p.Blocks, t, func(h BlockHeader, t int64) int {
		if h.MaxTime < t {
			return -1
		}
		return 1
	})
	if b == len(p.Blocks) {
		return uint32(p.Rows), nil
	}
	if p.Blocks[b].MinTime >= t {
		return p.firstRow(b), nil
	}
	var times []int64
	err := s.readInts(p, colTime, b, func(v []int64) { times = v }, nil)
	if err != nil {
		return 0, err
	}
	i, _ := slices.BinarySearch(times, t)
	return p.firstRow(b) + uint32(i), nil
}

// Dict returns part p's dictionary of column c, decoded once and kept
// while the part lives. It is safe for concurrent use and must not be
// modified. c must have a dictionary (Column.HasDict).
func (s *Snapshot) Dict(p *Part, c *Column) (*index.Dict, error) {
	return s.dict(p, c, true)
}

// ReadDict returns part p's dictionary of column c as Dict does, but
// when it is not kept already, decodes it without keeping it: for a
// reader that goes once through many parts (a list of every sign-in),
// so that their dictionaries do not all stay in memory.
func (s *Snapshot) ReadDict(p *Part, c *Column) (*index.Dict, error) {
	return s.dict(p, c, false)
}

func (s *Snapshot) dict(p *Part, c *Column, keep bool) (*index.Dict, error) {
	if !c.HasDict() {
		return nil, fmt.Errorf("engine: column %s has no dictionary", c.Name)
	}
	p.mu.Lock()
	d := p.dicts[c.ID]
	p.mu.Unlock()
	if d != nil {
		return d, nil
	}
	if !p.has(c) {
		return emptyDict(c.DictKind), nil
	}
	key := dataKey(p.ID, kindDict, c.ID, 0)
	err := s.value(key, func(v []byte) error {
		var err error
		d, err = index.DecodeDict(append([]byte(nil), v...))
		if err != nil {
			return corrupt(describeKey(key), err)
		}
		if d.Kind() != c.DictKind || d.Len() != p.cols[c.ID].dictLen {
			return corrupt(describeKey(key), errors.New("dictionary disagrees with the part header"))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !keep {
		return d, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dicts == nil {
		p.dicts = map[uint16]*index.Dict{}
	}
	if old := p.dicts[c.ID]; old != nil {
		return old, nil
	}
	p.dicts[c.ID] = d
	return d, nil
}

var (
	emptyDictsOnce sync.Once
	emptyDicts     map[index.DictKind]*index.Dict
)

// EmptyDict returns the dictionary of no values of a column with a
// dictionary (HasDict), shared and not to be changed: what a part that
// lacks the column has, and what an accumulator over no sign-ins reads.
// It returns nil for a column without one.
func (c *Column) EmptyDict() *index.Dict {
	if c == nil || !c.HasDict() {
		return nil
	}
	return emptyDict(c.DictKind)
}

// emptyDict is the dictionary of a column a part does not have.
func emptyDict(k index.DictKind) *index.Dict {
	emptyDictsOnce.Do(func() {
		str, err1 := index.DictOf[string](nil)
		ints, err2 := index.DictOf[int64](nil)
		floats, err3 := index.DictOf[float64](nil)
		if err := errors.Join(err1, err2, err3); err != nil {
			panic("BUG: engine: empty dictionary: " + err.Error())
		}
		emptyDicts = map[index.DictKind]*index.Dict{index.DictString: str, index.DictInt: ints, index.DictFloat: floats}
	})
	return emptyDicts[k]
}

// bundle calls fn with part p's bitmaps of an indexed column. The bundle
// is only valid during fn; fn must copy what it keeps.
func (s *Snapshot) bundle(p *Part, c *Column, fn func(*index.Bundle) error) error {
	return s.readBundle(p, c, !s.noCache, fn)
}

// readBundle is bundle, keeping the bundle read in the block cache only
// when keep is true (a scan of every part's bundles, read once, leaves
// the cache to the queries).
func (s *Snapshot) readBundle(p *Part, c *Column, keep bool, fn func(*index.Bundle) error) error {
	if !c.Indexed {
		return fmt.Errorf("engine: column %s has no bitmaps", c.Name)
	}
	if !p.has(c) {
		return fn(nil)
	}
	ck := bundleKey(p.ID, c.ID)
	if b, ok := s.db.blocks.getBundle(ck); ok {
		return fn(b)
	}
	key := dataKey(p.ID, kindBundle, c.ID, 0)
	return s.value(key, func(v []byte) error {
		if keep && s.db.blocks != nil {
			v = bytes.Clone(v) // the cache keeps it beyond this call
		}
		b, err := index.DecodeBundle(v)
		if err != nil {
			return corrupt(describeKey(key), err)
		}
		if keep {
			s.db.blocks.putBundle(ck, b)
		}
		return fn(b)
	})
}

// Bitmap returns the rows of part p whose column c has any of the values
// with dictionary ids ids (any element, for lists). c must be indexed.
// The bitmap belongs to the caller.
func (s *Snapshot) Bitmap(p *Part, c *Column, ids ...uint32) (*roaring.Bitmap, error) {
	sorted := slices.Compact(slices.Sorted(slices.Values(ids)))
	return s.union(p, c, func(b *index.Bundle) (*roaring.Bitmap, error) { return b.Union(sorted) })
}

// BitmapRange is Bitmap for the ids in [lo, hi): the values with a prefix,
// or in a numeric range, of a sorted dictionary.
func (s *Snapshot) BitmapRange(p *Part, c *Column, lo, hi uint32) (*roaring.Bitmap, error) {
	return s.union(p, c, func(b *index.Bundle) (*roaring.Bitmap, error) { return b.UnionRange(lo, hi) })
}

// union returns what of part p's bundle of column c fn selects, detached
// from the value it was read from, which is only valid while it is read.
func (s *Snapshot) union(p *Part, c *Column, fn func(*index.Bundle) (*roaring.Bitmap, error)) (*roaring.Bitmap, error) {
	out := roaring.New()
	err := s.bundle(p, c, func(b *index.Bundle) error {
		if b == nil {
			return nil
		}
		bm, err := fn(b)
		if err != nil {
			return corrupt(describeKey(dataKey(p.ID, kindBundle, c.ID, 0)), err)
		}
		bm.CloneCopyOnWriteContainers()
		out = bm
		return nil
	})
	return out, err
}

// EachBitmap calls fn with the bitmap of each value of part p's indexed
// column c that some row has, by ascending dictionary id. The bitmaps
// are views of the stored bytes: valid only during fn, and not to be
// modified. An error from fn stops the walk and is returned.
func (s *Snapshot) EachBitmap(p *Part, c *Column, fn func(id uint32, rows *roaring.Bitmap) error) error {
	return s.bundle(p, c, func(b *index.Bundle) error {
		if b == nil {
			return nil
		}
		for i := range b.Len() {
			bm, err := b.Bitmap(i)
			if err != nil {
				return corrupt(describeKey(dataKey(p.ID, kindBundle, c.ID, 0)), err)
			}
			if err := fn(b.ID(i), bm); err != nil {
				return err
			}
		}
		return nil
	})
}

// CardinalityOf returns the sum of the row counts of the values with
// dictionary ids ids (ascending) of part p's column c, from the bitmaps'
// table, without reading rows: the rows holding one of them for a
// single-valued field, and an upper bound for a list. c must be indexed.
func (s *Snapshot) CardinalityOf(p *Part, c *Column, ids []uint32) (uint64, error) {
	var n uint64
	err := s.bundle(p, c, func(b *index.Bundle) error {
		if b != nil {
			n = b.CardinalityOf(ids)
		}
		return nil
	})
	return n, err
}

// Cardinalities returns, for every dictionary id of part p's column c,
// the number of rows with that value (any element, for lists), without
// reading rows. c must be indexed.
func (s *Snapshot) Cardinalities(p *Part, c *Column) ([]uint64, error) {
	out := make([]uint64, p.DictLen(c))
	err := s.bundle(p, c, func(b *index.Bundle) error {
		if b == nil {
			return nil
		}
		for i := range b.Len() {
			id := b.ID(i)
			if int(id) >= len(out) {
				return corrupt(describeKey(dataKey(p.ID, kindBundle, c.ID, 0)), errors.New("bitmap of an id beyond the dictionary"))
			}
			out[id] = b.Cardinality(i)
		}
		return nil
	})
	return out, err
}

// BlockCached reports whether block b of part p's column c is decoded in
// the store's cache, so that reading it costs no decoding: what a
// planner weighs a scan against the bitmaps with.
func (s *Snapshot) BlockCached(p *Part, c *Column, b int) bool {
	_, ok := s.db.blocks.get(blockKey(p.ID, c.ID, b))
	return ok
}
