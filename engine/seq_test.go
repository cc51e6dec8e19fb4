package engine

import (
	"sync"
	"testing"
)

func TestSeq(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, seqLen - 1, seqLen, seqLen + 1, 3*seqLen + 17} {
		var s seq[int]
		for i := range n {
			s.add(i * 3)
		}
		if s.len() != n {
			t.Fatalf("n=%d: len %d", n, s.len())
		}
		for i := range n {
			if s.at(i) != i*3 {
				t.Fatalf("n=%d: at(%d) = %d", n, i, s.at(i))
			}
		}
		count := 0
		s.each(func(i, v int) {
			if v != i*3 || i != count {
				t.Fatalf("n=%d: each gave %d at %d (call %d)", n, v, i, count)
			}
			count++
		})
		if count != n {
			t.Fatalf("n=%d: each made %d calls", n, count)
		}
	}
}

func TestSeqPool(t *testing.T) {
	pool := &sync.Pool{}
	var a seq[uint32]
	a.pool = pool
	for i := range 3 * seqLen {
		a.add(uint32(i))
	}
	a.release()
	if a.len() != 0 {
		t.Fatal("release left values")
	}
	var b seq[uint32]
	b.pool = pool
	for i := range 2*seqLen + 5 {
		b.add(uint32(i) * 7)
	}
	for i := range b.len() {
		if b.at(i) != uint32(i)*7 {
			t.Fatalf("at(%d) = %d after reusing chunks", i, b.at(i))
		}
	}
}
