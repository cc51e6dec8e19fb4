package index

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// model is the naive set a Postings must iterate over.
type model []uint32

func (m model) and(o model) model {
	var r model
	for _, v := range m {
		if slices.Contains(o, v) {
			r = append(r, v)
		}
	}
	return r
}

func (m model) or(o model) model {
	r := slices.Concat(m, o)
	slices.Sort(r)
	return slices.Compact(r)
}

func (m model) without(o model) model {
	var r model
	for _, v := range m {
		if !slices.Contains(o, v) {
			r = append(r, v)
		}
	}
	return r
}

// cursor iterates over a model as a Postings must.
type cursor struct {
	m    model
	pos  int // -1 before the first row
	done bool
}

func (c *cursor) next() bool {
	if c.done {
		return false
	}
	c.pos++
	c.done = c.pos >= len(c.m)
	return !c.done
}

func (c *cursor) seek(v uint32) bool {
	if c.done {
		return false
	}
	if c.pos >= 0 && c.m[c.pos] >= v {
		return true
	}
	c.pos = max(c.pos, 0)
	for c.pos < len(c.m) && c.m[c.pos] < v {
		c.pos++
	}
	c.done = c.pos >= len(c.m)
	return !c.done
}

func bitmapOf(m model) Postings { return NewBitmapPostings(roaring.BitmapOf(m...)) }

// checkPostings drives p and the model's cursor with the same calls.
func checkPostings(t *testing.T, p Postings, m model, ops []byte) {
	t.Helper()
	c := &cursor{m: m, pos: -1}
	var got model
	for i, op := range ops {
		var ok, want bool
		if op%3 == 0 {
			v := uint32(op) * 5
			ok, want = p.Seek(v), c.seek(v)
		} else {
			ok, want = p.Next(), c.next()
		}
		if ok != want {
			t.Fatalf("op %d (%d): %v, want %v (model %v)", i, op, ok, want, m)
		}
		if ok && p.At() != c.m[c.pos] {
			t.Fatalf("op %d (%d): At() = %d, want %d (model %v)", i, op, p.At(), c.m[c.pos], m)
		}
	}
	for p.Next() {
		got = append(got, p.At())
	}
	if c.next() {
		if !slices.Equal(got, c.m[c.pos:]) {
			t.Fatalf("rest %v, want %v", got, c.m[c.pos:])
		}
	} else if len(got) != 0 {
		t.Fatalf("rest %v after exhaustion", got)
	}
	if p.Next() || p.Seek(0) {
		t.Fatal("an exhausted Postings moved")
	}
	if p.Err() != nil {
		t.Fatal(p.Err())
	}
}

func TestPostings(t *testing.T) {
	a := model{1, 2, 3, 10, 70000, 1 << 20}
	b := model{2, 3, 4, 10, 11, 1 << 20}
	c := model{3, 10, 1 << 20, 1 << 30}
	all := []byte{1, 1, 1, 1, 1, 1, 1, 1}
	for _, x := range []struct {
		name string
		p    func() Postings
		m    model
	}{
		{"bitmap", func() Postings { return bitmapOf(a) }, a},
		{"empty bitmap", func() Postings { return bitmapOf(nil) }, nil},
		{"empty", EmptyPostings, nil},
		{"intersect", func() Postings { return Intersect(bitmapOf(a), bitmapOf(b), bitmapOf(c)) }, a.and(b).and(c)},
		{"intersect one", func() Postings { return Intersect(bitmapOf(a)) }, a},
		{"intersect none", func() Postings { return Intersect() }, nil},
		{"intersect with empty", func() Postings { return Intersect(bitmapOf(a), EmptyPostings()) }, nil},
		{"intersect disjoint", func() Postings { return Intersect(bitmapOf(model{1}), bitmapOf(model{2})) }, nil},
		{"merge", func() Postings { return Merge(bitmapOf(a), bitmapOf(b), bitmapOf(c)) }, a.or(b).or(c)},
		{"merge with empties", func() Postings { return Merge(EmptyPostings(), bitmapOf(a), EmptyPostings(), bitmapOf(c)) }, a.or(c)},
		{"merge one", func() Postings { return Merge(EmptyPostings(), bitmapOf(b)) }, b},
		{"merge none", func() Postings { return Merge() }, nil},
		{"without", func() Postings { return Without(bitmapOf(a), bitmapOf(b)) }, a.without(b)},
		{"without empty", func() Postings { return Without(bitmapOf(a), EmptyPostings()) }, a},
		{"empty without", func() Postings { return Without(EmptyPostings(), bitmapOf(a)) }, nil},
		{"without all", func() Postings { return Without(bitmapOf(a), bitmapOf(a)) }, nil},
		{"nested", func() Postings {
			return Without(Merge(Intersect(bitmapOf(a), bitmapOf(b)), bitmapOf(c)), Intersect(bitmapOf(b), bitmapOf(c)))
		}, a.and(b).or(c).without(b.and(c))},
	} {
		t.Run(x.name, func(t *testing.T) {
			checkPostings(t, x.p(), x.m, all)
			checkPostings(t, x.p(), x.m, []byte{3, 1, 0, 3, 6, 1, 200, 1, 255})
			bm, err := ToBitmap(x.p())
			if err != nil || !slices.Equal(bm.ToArray(), []uint32(x.m)) && len(x.m)+int(bm.GetCardinality()) > 0 {
				t.Fatalf("ToBitmap = %v, %v; want %v", bm.ToArray(), err, x.m)
			}
		})
	}
}

func TestPostingsErr(t *testing.T) {
	boom := errors.New("boom")
	a := bitmapOf(model{1, 2, 3})
	for _, c := range []struct {
		name string
		p    Postings
	}{
		{"err", ErrPostings(boom)},
		{"intersect", Intersect(bitmapOf(model{1, 2, 3}), ErrPostings(boom))},
		{"merge", Merge(bitmapOf(model{1, 2, 3}), ErrPostings(boom))},
		{"merge seek", Merge(ErrPostings(boom), a)},
		{"without full", Without(ErrPostings(boom), bitmapOf(model{1}))},
		{"without drop", Without(bitmapOf(model{1, 2, 3}), ErrPostings(boom))},
	} {
		for c.p.Next() {
		}
		if !errors.Is(c.p.Err(), boom) {
			t.Errorf("%s: Err() = %v, want boom", c.name, c.p.Err())
		}
		if _, err := ToBitmap(c.p); !errors.Is(err, boom) {
			t.Errorf("%s: ToBitmap err = %v, want boom", c.name, err)
		}
	}
	if _, err := ToBitmap(Merge(bitmapOf(model{1}), ErrPostings(boom))); !errors.Is(err, boom) {
		t.Errorf("ToBitmap err = %v, want boom", err)
	}
	if _, err := ToBitmap(Without(bitmapOf(model{1}), ErrPostings(boom))); !errors.Is(err, boom) {
		t.Errorf("ToBitmap err = %v, want boom", err)
	}
}

func TestToBitmapClones(t *testing.T) {
	bm := roaring.BitmapOf(1, 2, 3)
	got, err := ToBitmap(NewBitmapPostings(bm))
	if err != nil || !got.Equals(bm) {
		t.Fatal(err)
	}
	got.Add(4)
	if bm.Contains(4) {
		t.Fatal("ToBitmap returned the bitmap itself")
	}
	p := NewBitmapPostings(bm)
	p.Next()
	got, err = ToBitmap(p)
	if err != nil || !slices.Equal(got.ToArray(), []uint32{2, 3}) {
		t.Fatalf("ToBitmap after Next = %v, %v", got.ToArray(), err)
	}
}

func FuzzPostings(f *testing.F) {
	f.Add([]byte{3, 10, 20, 30, 0, 15, 20, 0, 20, 40, 0xff, 1, 2, 3, 1, 1, 1})
	f.Add([]byte{2, 1, 2, 3, 4, 5, 0, 0xff, 2, 0, 1, 0, 1, 1})
	f.Add([]byte{4, 9, 0, 9, 0, 9, 0, 9, 0xff, 1, 2, 0, 1, 3, 2, 1, 0, 3, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Sets: up to 4, separated by zero bytes, until 0xff; values are
		// spread over several roaring containers.
		var sets []model
		cur := model{}
		i := 0
		for ; i < len(data) && data[i] != 0xff; i++ {
			if data[i] == 0 {
				sets, cur = append(sets, cur), model{}
				continue
			}
			v := uint32(data[i]) * 3
			if data[i]&1 != 0 {
				v += 1 << 16
			}
			cur = append(cur, v)
		}
		sets = append(sets, cur)
		for j := range sets {
			slices.Sort(sets[j])
			sets[j] = slices.Compact(sets[j])
		}
		prog := data[min(i+1, len(data)):]
		// An expression from the program's bytes, built twice: the
		// iterator is consumed by ToBitmap.
		build := func() (Postings, model, []byte) {
			var expr func(prog []byte, depth int) (Postings, model, []byte)
			expr = func(prog []byte, depth int) (Postings, model, []byte) {
				if len(prog) == 0 || depth > 4 {
					return EmptyPostings(), nil, prog
				}
				op, prog := prog[0], prog[1:]
				switch op % 6 {
				case 0, 1:
					s := sets[int(op/6)%len(sets)]
					return bitmapOf(s), s, prog
				case 2:
					a, am, prog := expr(prog, depth+1)
					b, bm, prog := expr(prog, depth+1)
					c, cm, prog := expr(prog, depth+1)
					return Intersect(a, b, c), am.and(bm).and(cm), prog
				case 3:
					a, am, prog := expr(prog, depth+1)
					b, bm, prog := expr(prog, depth+1)
					return Merge(a, b), am.or(bm), prog
				case 4:
					a, am, prog := expr(prog, depth+1)
					b, bm, prog := expr(prog, depth+1)
					return Without(a, b), am.without(bm), prog
				default:
					a, am, prog := expr(prog, depth+1)
					return Intersect(a), am, prog
				}
			}
			return expr(prog, 0)
		}
		p, m, ops := build()
		checkPostings(t, p, m, ops)
		p, _, _ = build()
		bm, err := ToBitmap(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := bm.ToArray(); !slices.Equal(got, []uint32(m)) && len(got)+len(m) > 0 {
			t.Fatalf("ToBitmap = %v, want %v", got, m)
		}
	})
}

func BenchmarkIntersect(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 5))
	mk := func(every uint32) *roaring.Bitmap {
		bm := roaring.New()
		for i := uint32(0); i < 1<<20; i++ {
			if r.Uint32N(every) == 0 {
				bm.Add(i)
			}
		}
		return bm
	}
	x, y, z := mk(2), mk(16), mk(256)
	b.ReportAllocs()
	for b.Loop() {
		p := Intersect(NewBitmapPostings(x), NewBitmapPostings(y), NewBitmapPostings(z))
		for p.Next() {
		}
	}
}
