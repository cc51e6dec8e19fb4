package query

import (
	"slices"

	"github.com/signinq/signinq/engine"
)

// doneBuckets follows the buckets of a query's bin key over its parts: a
// part's rows lie between its first and last times, so the groups of a
// bucket that only one part's times reach are whole in that part
// (finishPart makes their rows without merging them), and as the parts
// are merged in time order, a bucket before the first bucket of every
// part not yet merged is done (merged.flush).
type doneBuckets struct {
	key    int                  // the bin key's place among the keys
	parts  []*engine.Part       // in order of their first times: the order to read them in
	first  []int64              // the bucket of each part's first time
	shared [][2]int64           // by part: the buckets other parts reach too, as ranges
	index  map[*engine.Part]int // a part's place in parts
	done   []bool               // by place: merged
	next   int                  // the first part not merged
	before int64                // the buckets before it were done at the last call
	// spans[i] are the ranges of shared buckets of part i: shared[spans[i][0]:spans[i][1]].
	spans [][2]int
}

func newDoneBuckets(parts []*engine.Part, key int, bin int64) *doneBuckets {
	d := &doneBuckets{key: key, parts: slices.Clone(parts), index: map[*engine.Part]int{}, done: make([]bool, len(parts))}
	slices.SortStableFunc(d.parts, func(a, b *engine.Part) int {
		switch {
		case a.MinTime < b.MinTime:
			return -1
		case a.MinTime > b.MinTime:
			return 1
		}
		return 0
	})
	last := make([]int64, len(d.parts))
	for i, p := range d.parts {
		d.index[p] = i
		d.first = append(d.first, floorDiv(p.MinTime, bin))
		last[i] = floorDiv(p.MaxTime, bin)
	}
	if len(d.first) > 0 {
		d.before = d.first[0]
	}
	// The buckets each part shares with another: the overlaps of their
	// ranges, sorted by start (parts are in order of first bucket).
	for i := range d.parts {
		start := len(d.shared)
		for j := range d.parts {
			if j == i {
				continue
			}
			if d.first[j] > last[i] {
				break
			}
			lo, hi := max(d.first[i], d.first[j]), min(last[i], last[j])
			if lo <= hi {
				d.shared = append(d.shared, [2]int64{lo, hi})
			}
		}
		slices.SortFunc(d.shared[start:], func(a, b [2]int64) int {
			switch {
			case a[0] < b[0]:
				return -1
			case a[0] > b[0]:
				return 1
			}
			return 0
		})
		d.spans = append(d.spans, [2]int{start, len(d.shared)})
	}
	return d
}

// sharedOf returns the ranges of buckets part p shares with other parts.
func (d *doneBuckets) sharedOf(p *engine.Part) [][2]int64 {
	s := d.spans[d.index[p]]
	return d.shared[s[0]:s[1]]
}

// isShared reports whether bucket b is in one of the ranges.
func isShared(ranges [][2]int64, b int64) bool {
	for _, r := range ranges {
		if r[0] > b {
			return false
		}
		if b <= r[1] {
			return true
		}
	}
	return false
}

// merged records that part p is merged and returns the bucket before
// which every bucket is done, when it moved since the last call.
func (d *doneBuckets) merged(p *engine.Part) (int64, bool) {
	i, ok := d.index[p]
	if !ok {
		return 0, false
	}
	d.done[i] = true
	for d.next < len(d.parts) && d.done[d.next] {
		d.next++
	}
	before := int64(1<<63 - 1) // every part merged: all are done
	if d.next < len(d.parts) {
		before = d.first[d.next]
	}
	if before <= d.before {
		return 0, false
	}
	d.before = before
	return before, true
}
