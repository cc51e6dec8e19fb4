package engine

import (
	"errors"
	"sync"

	"github.com/signinq/signinq/index"
)

// dedup remembers, per day, the keys of the sign-ins stored and of those
// reserved by writes in progress, so that a sign-in is stored once however
// often it is ingested. A day's set is loaded from its parts' id indexes
// when first needed; beyond the budget, the sets of the least recently
// used days with no reservations are dropped.
type dedup struct {
	mu     sync.Mutex
	days   map[int32]*daySet
	total  int
	budget int
	tick   uint64
}

type daySet struct {
	keys    keySet
	pending int // keys reserved by writes not yet committed
	used    uint64
}

func newDedup(budget int) *dedup {
	return &dedup{days: map[int32]*daySet{}, budget: budget}
}

// reserve marks the keys of new sign-ins of day as taken and reports, in
// fresh, which were not taken before. A reserved key must later be
// committed or released.
func (d *dedup) reserve(db *DB, day int32, keys []index.Key, fresh []bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.load(db, day)
	if err != nil {
		return err
	}
	s.keys.addAll(keys, fresh)
	for _, f := range fresh[:len(keys)] {
		if f {
			s.pending++
			d.total++
		}
	}
	d.evict(day)
	return nil
}

// committed turns n reservations of day into stored keys.
func (d *dedup) committed(day int32, n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.days[day]; s != nil {
		s.pending -= n
	}
}

// release forgets reservations of a write that was abandoned.
func (d *dedup) release(day int32, keys []index.Key) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.days[day]
	if s == nil {
		return
	}
	for _, k := range keys {
		s.keys.remove(k)
	}
	s.pending -= len(keys)
	d.total -= len(keys)
}

// forget drops a day's set, after its parts were deleted.
func (d *dedup) forget(day int32) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.days[day]; s != nil && s.pending == 0 {
		d.total -= s.keys.len()
		delete(d.days, day)
	}
}

// load returns day's set, reading it from the day's parts if needed.
// REQUIRES: d.mu held.
func (d *dedup) load(db *DB, day int32) (*daySet, error) {
	d.tick++
	if s := d.days[day]; s != nil {
		s.used = d.tick
		return s, nil
	}
	snap, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	s := &daySet{used: d.tick}
	for _, p := range snap.man.day(day) {
		err := snap.ids(p, func(ix *index.IDIndex) error {
			for i := range ix.Len() {
				k, _ := ix.At(i)
				s.keys.add(k)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	d.days[day] = s
	d.total += s.keys.len()
	return s, nil
}

// evict drops the least recently used sets without reservations until the
// keys kept fit the budget. It keeps the set of day.
// REQUIRES: d.mu held.
func (d *dedup) evict(keep int32) {
	for d.total > d.budget {
		var victim int32
		var oldest *daySet
		for day, s := range d.days {
			if day != keep && s.pending == 0 && (oldest == nil || s.used < oldest.used) {
				victim, oldest = day, s
			}
		}
		if oldest == nil {
			return
		}
		d.total -= oldest.keys.len()
		delete(d.days, victim)
	}
}

// ids calls fn with a part's id index.
func (s *Snapshot) ids(p *Part, fn func(*index.IDIndex) error) error {
	key := dataKey(p.ID, kindIDs, 0, 0)
	return s.value(key, func(v []byte) error {
		ix, err := index.DecodeIDIndex(v)
		if err != nil {
			return corrupt(describeKey(key), err)
		}
		if ix.Len() != p.Rows {
			return corrupt(describeKey(key), errors.New("entries do not match rows"))
		}
		return fn(ix)
	})
}
