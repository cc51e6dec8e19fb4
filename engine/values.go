package engine

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// ValueCount is one value of a field and the number of sign-ins having
// it.
type ValueCount struct {
	Value   result.Value
	Signins uint64
}

// Values returns the distinct values of column c in every part of the
// snapshot, as results hold them (Column.DictValue), absent values left
// out, in the dictionaries' order: text bytewise, numbers ascending,
// false before true. c must be stored with a dictionary
// (Column.HasDict). It reads each part's dictionary, kept with the part
// as queries do.
//
// With counts, each comes with the number of sign-ins having it (for a
// list, having it among its elements): the bitmaps' cardinalities, so no
// sign-in is read, from each part's bitmaps, which are not kept in the
// block cache (a scan of every part would push out what queries read).
// Without counts, or for a column without bitmaps (latitude, longitude),
// the counts are 0.
func (s *Snapshot) Values(c *Column, counts bool) ([]ValueCount, error) {
	if !c.HasDict() {
		return nil, fmt.Errorf("engine: column %s has no dictionary", c.Name)
	}
	var runs []valueRun
	for _, p := range s.man.parts {
		if p.DictLen(c) == 0 {
			continue
		}
		d, err := s.Dict(p, c)
		if err != nil {
			return nil, err
		}
		r := valueRun{d: d}
		if counts && c.Indexed {
			r.counts = make([]uint64, d.Len())
			err := s.readBundle(p, c, false, func(b *index.Bundle) error {
				if b == nil {
					return nil
				}
				for i := range b.Len() {
					id := b.ID(i)
					if int(id) >= len(r.counts) {
						return corrupt(describeKey(dataKey(p.ID, kindBundle, c.ID, 0)), errors.New("bitmap of an id beyond the dictionary"))
					}
					r.counts[id] = b.Cardinality(i)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		runs = append(runs, r)
	}
	// Add up the counts of each value over the parts, by the value as
	// the dictionaries hold it, and sort the values in their order.
	switch c.DictKind {
	case index.DictInt:
		return mergeRuns(c, runs, (*index.Dict).Int, cmp.Compare[int64]), nil
	case index.DictFloat:
		return mergeRuns(c, runs, func(d *index.Dict, id uint32) uint64 { return floatKey(d.Float(id)) }, cmp.Compare[uint64]), nil
	}
	return mergeRuns(c, runs, (*index.Dict).String, strings.Compare), nil
}

// valueRun is one part's dictionary of a column, and the sign-ins having
// each of its values (by id; nil when not counted).
type valueRun struct {
	d      *index.Dict
	counts []uint64
}

// mergeRuns adds up the counts of each value of the runs, by its key in
// the dictionaries, and returns the present values in the order of their
// keys.
func mergeRuns[K comparable](c *Column, runs []valueRun, key func(*index.Dict, uint32) K, order func(a, b K) int) []ValueCount {
	type entry struct {
		key K
		d   *index.Dict
		id  uint32
		n   uint64
	}
	largest := 0
	for _, r := range runs {
		largest = max(largest, r.d.Len())
	}
	seen := make(map[K]int, largest)
	entries := make([]entry, 0, largest)
	for _, r := range runs {
		for id := range uint32(r.d.Len()) {
			k := key(r.d, id)
			i, ok := seen[k]
			if !ok {
				i = len(entries)
				seen[k] = i
				entries = append(entries, entry{key: k, d: r.d, id: id})
			}
			if r.counts != nil {
				entries[i].n += r.counts[id]
			}
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return order(a.key, b.key) })
	out := make([]ValueCount, 0, len(entries))
	for _, e := range entries {
		if v := c.DictValue(e.d, e.id); !v.IsAbsent() {
			out = append(out, ValueCount{Value: v, Signins: e.n})
		}
	}
	return out
}
