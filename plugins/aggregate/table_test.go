package aggregate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// TestTables folds parts of many groups into each built-in aggregate's
// Table, as the executor merges parts, then keeps some of the groups:
// every group's value must be its partials' merged (the reference), and
// a kept group's must not change when the others are dropped.
func TestTables(t *testing.T) {
	seed := uint64(20261206)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	const groups = 300
	// Three parts of app values, each row in a random group; group g of
	// the merged groups is group (g+shift) of a part, so that the parts'
	// numbering differs from the table's.
	type partRows struct {
		pt     part
		groups []uint32
		shift  uint32
	}
	var parts []partRows
	for p := range 3 {
		var vs []string
		var gs []uint32
		for range 2000 {
			vs = append(vs, fmt.Sprintf("app%d", rng.IntN(60*(p+1))))
			gs = append(gs, uint32(rng.IntN(groups)))
		}
		parts = append(parts, partRows{apps(t, vs...), gs, uint32(p * 7)})
	}
	field := signin.Lookup("app")
	for _, name := range []string{"count", "dcount", "values", "min", "max"} {
		p, _ := lookup(name)
		a := p.(plugins.Aggregate)
		table := a.(plugins.Tabler).NewTable(field)
		want := make([]plugins.Partial, groups)
		for g := range want {
			want[g] = a.NewAcc(plugins.Input{Field: field}).Partial(0)
			table.Fold(uint32(g), nil, 0)
		}
		for _, pr := range parts {
			acc := a.NewAcc(plugins.Input{Field: field, Dict: pr.pt.dict})
			local := make([]uint32, len(pr.groups))
			for i, g := range pr.groups {
				local[i] = (g + pr.shift) % groups
			}
			acc.Add(local, seq(pr.pt.vec.Rows), &pr.pt.vec)
			for g := range uint32(groups) {
				pg := (g + pr.shift) % groups
				want[g].Merge(acc.Partial(pg))
				table.Fold(g, acc, pg)
			}
		}
		values := func(where string, gs []uint32) {
			for i, g := range gs {
				got, err := table.Value(uint32(i))
				if err != nil || got.String() != want[g].Value().String() {
					t.Errorf("%s %s: group %d = %q (%v), want %q", name, where, g, got, err, want[g].Value())
				}
			}
		}
		all := seq(groups)
		values("merged", all)
		var keep []uint32
		for g := range uint32(groups) {
			if rng.IntN(3) == 0 {
				keep = append(keep, g)
			}
		}
		before := table.Size()
		table.Keep(keep)
		values("kept", keep)
		if after := table.Size(); after > before || after < 0 {
			t.Errorf("%s: size %d after keeping %d of %d groups, %d before", name, after, len(keep), groups, before)
		}
		table.Keep(nil)
		if table.Size() < 0 {
			t.Errorf("%s: size %d with no groups", name, table.Size())
		}
	}
}

// TestIDSet adds random numbers to sets under budgets of bitset words
// that make them stay small, become bitsets, bitmaps, or bitsets that
// outgrow the budget: each must hold what a map holds.
func TestIDSet(t *testing.T) {
	seed := uint64(7)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, tc := range []struct {
		n, span int
		room    int
	}{
		{10, 100, 0}, {16, 1000, 0}, {17, 1000, 0}, {500, 1 << 20, 0},
		{17, 1000, 100}, {3000, 5000, 1000}, {3000, 1 << 16, 2}, {20000, 1 << 20, 1 << 14},
	} {
		var s idSet
		room := tc.room
		set := map[uint32]bool{}
		var bytes int64
		for range tc.n {
			id := uint32(rng.IntN(tc.span))
			set[id] = true
			bytes += s.add(id, &room)
		}
		var got []uint32
		s.each(func(id uint32) { got = append(got, id) })
		slices.Sort(got)
		want := make([]uint32, 0, len(set))
		for id := range set {
			want = append(want, id)
		}
		slices.Sort(want)
		if !slices.Equal(got, want) || s.len() != len(want) {
			t.Errorf("%+v: %d numbers (len %d), want %d", tc, len(got), s.len(), len(want))
		}
		if room < 0 || room > tc.room {
			t.Errorf("%+v: room %d left of %d", tc, room, tc.room)
		}
		if bytes <= 0 {
			t.Errorf("%+v: %d bytes", tc, bytes)
		}
		s.release(&room)
		if room != tc.room {
			t.Errorf("%+v: room %d after release, want %d", tc, room, tc.room)
		}
	}
}
