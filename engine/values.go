package engine

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/signinq/signinq/index"
)

// ValueCount is one value of a field and the number of sign-ins having
// it.
type ValueCount struct {
	Value   Value
	Signins uint64
}

// Values returns the distinct values of column c in every part of the
// snapshot, as results hold them (Column.DictValue), absent values left
// out, each with the number of sign-ins having it: for a list, having it
// among its elements. They come in the dictionaries' order: text
// bytewise, numbers ascending, false before true. The counts are the
// bitmaps' cardinalities, so no sign-in is read; a column without
// bitmaps (latitude, longitude) has counts of 0. c must be stored with a
// dictionary (EncDict or EncList).
//
// It reads each part's dictionary (kept with the part, as queries do)
// and its bitmaps' table of counts (not kept in the block cache: a scan
// of every part would push out what queries read).
func (s *Snapshot) Values(c *Column) ([]ValueCount, error) {
	if c.Enc != EncDict && c.Enc != EncList {
		return nil, fmt.Errorf("engine: column %s has no dictionary", c.Name)
	}
	var runs valueRuns
	for _, p := range s.man.parts {
		if p.DictLen(c) == 0 {
			continue
		}
		d, err := s.Dict(p, c)
		if err != nil {
			return nil, err
		}
		r := &valueRun{d: d}
		if c.Indexed {
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
	// Merge the parts' sorted dictionaries, adding up the counts of each
	// value.
	heap.Init(&runs)
	var out []ValueCount
	for len(runs) > 0 {
		head := runs[0]
		v := c.DictValue(head.d, head.next)
		n := head.count()
		head.advance(&runs)
		for len(runs) > 0 && runs[0].compare(head.d, head.next-1) == 0 {
			n += runs[0].count()
			runs[0].advance(&runs)
		}
		if !v.IsAbsent() {
			out = append(out, ValueCount{Value: v, Signins: n})
		}
	}
	return out, nil
}

// valueRun is one part's dictionary of a column, merged from its entry
// next on.
type valueRun struct {
	d      *index.Dict
	counts []uint64 // by id; nil without bitmaps
	next   uint32
}

func (r *valueRun) count() uint64 {
	if r.counts == nil {
		return 0
	}
	return r.counts[r.next]
}

// advance moves past the run's head, dropping the run from h, whose
// first it is, once it is done.
func (r *valueRun) advance(h *valueRuns) {
	r.next++
	if int(r.next) == r.d.Len() {
		heap.Pop(h)
	} else {
		heap.Fix(h, 0)
	}
}

// compare orders the run's head against entry id of d, a dictionary of
// the same kind: strings bytewise, integers numerically, floats in the
// dictionaries' total order (NaN first, -0 before +0).
func (r *valueRun) compare(d *index.Dict, id uint32) int {
	switch d.Kind() {
	case index.DictInt:
		return cmp.Compare(r.d.Int(r.next), d.Int(id))
	case index.DictFloat:
		a, b := r.d.Float(r.next), d.Float(id)
		if c := cmp.Compare(a, b); c != 0 {
			return c
		}
		return cmp.Compare(signOrder(a), signOrder(b))
	}
	return strings.Compare(r.d.String(r.next), d.String(id))
}

// signOrder puts -0 before +0.
func signOrder(f float64) int {
	if math.Signbit(f) {
		return 0
	}
	return 1
}

// valueRuns is a heap of runs by their heads.
type valueRuns []*valueRun

func (h valueRuns) Len() int           { return len(h) }
func (h valueRuns) Less(i, j int) bool { return h[i].compare(h[j].d, h[j].next) < 0 }
func (h valueRuns) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *valueRuns) Push(x any)        { *h = append(*h, x.(*valueRun)) }
func (h *valueRuns) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}
