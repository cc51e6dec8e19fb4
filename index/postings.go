package index

import (
	"github.com/RoaringBitmap/roaring/v2"
)

// Postings iterates over a set of row ids in ascending order, in the style
// of Prometheus' index.Postings. An iterator starts before its first row:
// Next or Seek must be called before At. Once Next or Seek has returned
// false the iterator is exhausted (or failed: see Err), and every further
// call returns false. A Postings is not safe for concurrent use.
type Postings interface {
	// Next advances to the next row and reports whether there is one.
	Next() bool
	// Seek advances to the first row >= v and reports whether there is
	// one. It never moves backwards: when the current row is already >= v
	// it stays there and returns true.
	Seek(v uint32) bool
	// At returns the current row. It is valid only after Next or Seek
	// returned true.
	At() uint32
	// Err returns the error that stopped the iteration, if any.
	Err() error
}

// bitmapPostings iterates over a roaring bitmap.
type bitmapPostings struct {
	bm    *roaring.Bitmap
	it    roaring.IntPeekable // nil until the first Next or Seek
	cur   uint32
	valid bool // cur is a row
	done  bool
}

// NewBitmapPostings returns the rows of bm. bm must not be modified while
// the Postings is in use.
func NewBitmapPostings(bm *roaring.Bitmap) Postings {
	if bm.IsEmpty() {
		return EmptyPostings()
	}
	return &bitmapPostings{bm: bm}
}

func (p *bitmapPostings) Next() bool {
	if p.done {
		return false
	}
	if p.it == nil {
		p.it = p.bm.Iterator()
	}
	if !p.it.HasNext() {
		p.valid, p.done = false, true
		return false
	}
	p.cur, p.valid = p.it.Next(), true
	return true
}

func (p *bitmapPostings) Seek(v uint32) bool {
	if p.valid && p.cur >= v {
		return true
	}
	if p.done {
		return false
	}
	if p.it == nil {
		p.it = p.bm.Iterator()
	}
	p.it.AdvanceIfNeeded(v)
	return p.Next()
}

func (p *bitmapPostings) At() uint32 { return p.cur }
func (p *bitmapPostings) Err() error { return nil }

// emptyPostings has no rows.
type emptyPostings struct{}

func (emptyPostings) Next() bool       { return false }
func (emptyPostings) Seek(uint32) bool { return false }
func (emptyPostings) At() uint32       { return 0 }
func (emptyPostings) Err() error       { return nil }

var empty Postings = emptyPostings{}

// EmptyPostings returns a Postings with no rows. The combinators recognize
// it and skip work: an intersection with it is empty, a union ignores it.
func EmptyPostings() Postings { return empty }

// errPostings fails at once.
type errPostings struct{ err error }

func (errPostings) Next() bool       { return false }
func (errPostings) Seek(uint32) bool { return false }
func (errPostings) At() uint32       { return 0 }
func (p errPostings) Err() error     { return p.err }

// ErrPostings returns a Postings with no rows whose Err returns err.
func ErrPostings(err error) Postings { return errPostings{err} }

// Intersect returns the rows in every one of ps; with no ps, none.
func Intersect(ps ...Postings) Postings {
	if len(ps) == 0 {
		return EmptyPostings()
	}
	for _, p := range ps {
		if p == empty {
			return EmptyPostings()
		}
	}
	if len(ps) == 1 {
		return ps[0]
	}
	return &intersectPostings{ps: ps}
}

type intersectPostings struct {
	ps    []Postings
	cur   uint32
	valid bool
	done  bool
}

// align moves every iterator to the first row >= target they all hold.
func (it *intersectPostings) align(target uint32) bool {
	for {
		agreed := true
		for _, p := range it.ps {
			if !p.Seek(target) {
				it.valid, it.done = false, true
				return false
			}
			if v := p.At(); v > target {
				target, agreed = v, false
				break
			}
		}
		if agreed {
			it.cur, it.valid = target, true
			return true
		}
	}
}

func (it *intersectPostings) Next() bool {
	if it.done {
		return false
	}
	if !it.ps[0].Next() {
		it.valid, it.done = false, true
		return false
	}
	return it.align(it.ps[0].At())
}

func (it *intersectPostings) Seek(v uint32) bool {
	if it.valid && it.cur >= v {
		return true
	}
	if it.done {
		return false
	}
	return it.align(v)
}

func (it *intersectPostings) At() uint32 { return it.cur }

func (it *intersectPostings) Err() error {
	for _, p := range it.ps {
		if err := p.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Merge returns the rows in any of ps (their union); with no ps, none.
func Merge(ps ...Postings) Postings {
	var live []Postings
	for i, p := range ps {
		if p == empty {
			if live == nil {
				live = append(make([]Postings, 0, len(ps)), ps[:i]...)
			}
			continue
		}
		if live != nil {
			live = append(live, p)
		}
	}
	if live == nil {
		live = ps
	}
	switch len(live) {
	case 0:
		return EmptyPostings()
	case 1:
		return live[0]
	}
	return &mergedPostings{ps: live}
}

// mergedPostings is a union: a min-heap of the iterators not exhausted.
type mergedPostings struct {
	ps    []Postings // before the first Next or Seek
	h     []Postings // the heap, ordered by At
	init  bool
	cur   uint32
	valid bool
	err   error
}

// down restores the heap order below i.
func (m *mergedPostings) down(i int) {
	h := m.h
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		j := l
		if r := l + 1; r < len(h) && h[r].At() < h[l].At() {
			j = r
		}
		if h[i].At() <= h[j].At() {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}

// pop removes the heap's top, keeping its error if it failed.
func (m *mergedPostings) pop() {
	if err := m.h[0].Err(); err != nil && m.err == nil {
		m.err = err
	}
	last := len(m.h) - 1
	m.h[0], m.h[last] = m.h[last], nil
	m.h = m.h[:last]
	m.down(0)
}

// start positions every iterator with advance, and builds the heap.
func (m *mergedPostings) start(advance func(Postings) bool) {
	m.init = true
	m.h = make([]Postings, 0, len(m.ps))
	for _, p := range m.ps {
		if advance(p) {
			m.h = append(m.h, p)
		} else if err := p.Err(); err != nil && m.err == nil {
			m.err = err
		}
	}
	m.ps = nil
	for i := len(m.h)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
}

// top makes the heap's least row the current one.
func (m *mergedPostings) top() bool {
	if len(m.h) == 0 || m.err != nil {
		m.valid = false
		m.h = nil
		return false
	}
	m.cur, m.valid = m.h[0].At(), true
	return true
}

func (m *mergedPostings) Next() bool {
	if !m.init {
		m.start(Postings.Next)
		return m.top()
	}
	if !m.valid {
		return false
	}
	for len(m.h) > 0 && m.h[0].At() == m.cur {
		if m.h[0].Next() {
			m.down(0)
		} else {
			m.pop()
		}
	}
	return m.top()
}

func (m *mergedPostings) Seek(v uint32) bool {
	if m.valid && m.cur >= v {
		return true
	}
	if !m.init {
		m.start(func(p Postings) bool { return p.Seek(v) })
		return m.top()
	}
	if !m.valid {
		return false
	}
	for len(m.h) > 0 && m.h[0].At() < v {
		if m.h[0].Seek(v) {
			m.down(0)
		} else {
			m.pop()
		}
	}
	return m.top()
}

func (m *mergedPostings) At() uint32 { return m.cur }
func (m *mergedPostings) Err() error { return m.err }

// Without returns the rows of full that are not in drop.
func Without(full, drop Postings) Postings {
	if full == empty {
		return EmptyPostings()
	}
	if drop == empty {
		return full
	}
	return &withoutPostings{full: full, drop: drop}
}

type withoutPostings struct {
	full, drop Postings
	dropDone   bool // drop is exhausted without error
	failed     bool
}

// skip moves full past the rows of drop, from full's current row.
func (w *withoutPostings) skip() bool {
	for {
		v := w.full.At()
		if !w.dropDone {
			if !w.drop.Seek(v) {
				if w.drop.Err() != nil {
					w.failed = true
					return false
				}
				w.dropDone = true
			} else if w.drop.At() == v {
				if !w.full.Next() {
					return false
				}
				continue
			}
		}
		return true
	}
}

func (w *withoutPostings) Next() bool {
	if w.failed || !w.full.Next() {
		return false
	}
	return w.skip()
}

func (w *withoutPostings) Seek(v uint32) bool {
	if w.failed || !w.full.Seek(v) {
		return false
	}
	return w.skip()
}

func (w *withoutPostings) At() uint32 { return w.full.At() }

func (w *withoutPostings) Err() error {
	if err := w.full.Err(); err != nil {
		return err
	}
	return w.drop.Err()
}

// ToBitmap returns the rows of p as a new bitmap, consuming p, or p's
// error. A Postings returned by NewBitmapPostings and not yet advanced is
// cloned.
func ToBitmap(p Postings) (*roaring.Bitmap, error) {
	if bp, ok := p.(*bitmapPostings); ok && bp.it == nil {
		bp.done = true
		return bp.bm.Clone(), nil
	}
	bm := roaring.New()
	var buf [256]uint32
	batch := buf[:0]
	for p.Next() {
		if batch = append(batch, p.At()); len(batch) == len(buf) {
			bm.AddMany(batch)
			batch = batch[:0]
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	bm.AddMany(batch)
	return bm, nil
}
