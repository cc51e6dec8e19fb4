package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/signinq/signinq/index"
)

// TestKeySet checks the set against a map through random adds and removes,
// with keys that collide in their home slots often (few distinct words).
func TestKeySet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s keySet
	want := map[index.Key]bool{}
	randKey := func() index.Key {
		var k index.Key
		k[0] = byte(r.IntN(4))
		k[5] = byte(r.IntN(40))
		k[12] = byte(r.IntN(40))
		return k
	}
	for step := range 20000 {
		k := randKey()
		switch r.IntN(3) {
		case 0, 1:
			if got := s.add(k); got != !want[k] {
				t.Fatalf("step %d: add(%x) = %v, want %v", step, k, got, !want[k])
			}
			want[k] = true
		case 2:
			s.remove(k)
			delete(want, k)
		}
		if s.len() != len(want) {
			t.Fatalf("step %d: len %d, want %d", step, s.len(), len(want))
		}
		if step%1000 == 0 {
			for k := range want {
				if !s.has(k) {
					t.Fatalf("step %d: %x lost", step, k)
				}
			}
		}
	}
	for range 1000 {
		k := randKey()
		if s.has(k) != want[k] {
			t.Fatalf("has(%x) = %v, want %v", k, s.has(k), want[k])
		}
	}
	var bad index.Key
	bad[0] = freeSlot
	if s.add(bad) || s.has(bad) {
		t.Error("a key starting with the free marker was added")
	}
}

// TestKeySetAddAll checks that a batch added at once gives what adding its
// keys one by one gives: the first of equal keys is the fresh one.
func TestKeySetAddAll(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var one, all keySet
	for round := range 5 {
		n := []int{10, 5000, 1023, 1024, 20000}[round]
		keys := make([]index.Key, n)
		for i := range keys {
			keys[i][0] = byte(r.IntN(2))
			keys[i][3] = byte(r.IntN(256))
			keys[i][11] = byte(r.IntN(64)) // many repeats, within and across rounds
		}
		fresh := make([]bool, n)
		all.addAll(keys, fresh)
		for i, k := range keys {
			if want := one.add(k); fresh[i] != want {
				t.Fatalf("round %d key %d (%x): fresh %v, want %v", round, i, k, fresh[i], want)
			}
		}
		if one.len() != all.len() {
			t.Fatalf("round %d: %d keys, want %d", round, all.len(), one.len())
		}
	}
}
