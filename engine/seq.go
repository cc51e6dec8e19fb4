package engine

import "sync"

// seq is an append-only sequence held in chunks of seqLen values, so that
// it grows without copying what it holds: a part's columns are built a
// value at a time, up to millions of values each. The first chunk starts
// small and grows, so that small parts stay small.
type seq[T any] struct {
	chunks [][]T
	n      int
	pool   *sync.Pool // of *[]T full-size chunks to reuse, or nil
}

const (
	seqShift = 14
	seqLen   = 1 << seqShift
	seqMask  = seqLen - 1
)

func (s *seq[T]) add(v T) {
	if s.n&seqMask == 0 {
		var c []T
		switch {
		case s.n == 0:
			c = make([]T, 0, 64)
		case s.pool != nil:
			if p, ok := s.pool.Get().(*[]T); ok {
				c = (*p)[:0]
				break
			}
			fallthrough
		default:
			c = make([]T, 0, seqLen)
		}
		s.chunks = append(s.chunks, c)
	}
	c := &s.chunks[len(s.chunks)-1]
	*c = append(*c, v)
	s.n++
}

// at returns value i.
func (s *seq[T]) at(i int) T { return s.chunks[i>>seqShift][i&seqMask] }

// len returns the number of values.
func (s *seq[T]) len() int { return s.n }

// each calls fn with every value in order.
func (s *seq[T]) each(fn func(i int, v T)) {
	i := 0
	for _, c := range s.chunks {
		for _, v := range c {
			fn(i, v)
			i++
		}
	}
}

// release gives the full-size chunks to the pool, for seqs of pointer-free
// values, and empties the seq.
func (s *seq[T]) release() {
	if s.pool != nil {
		for _, c := range s.chunks {
			if cap(c) == seqLen {
				s.pool.Put(&c)
			}
		}
	}
	s.chunks, s.n = nil, 0
}

// Pools of seq chunks, shared by every builder.
var (
	uint32Chunks = &sync.Pool{}
	int64Chunks  = &sync.Pool{}
)
