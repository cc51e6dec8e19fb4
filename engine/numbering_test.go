package engine

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestNumbering numbers texts from several goroutines at once, some of
// them again and again: every text has one number, the same in every
// goroutine, and Text gives the text back.
func TestNumbering(t *testing.T) {
	seed := uint64(61206)
	t.Logf("seed %d", seed)
	var n Numbering
	const texts = 20000
	got := make([][]uint32, 4)
	var wg sync.WaitGroup
	for w := range got {
		got[w] = make([]uint32, texts)
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		order := rng.Perm(texts)
		wg.Go(func() {
			for _, i := range order {
				got[w][i] = n.Number(fmt.Sprintf("user%d@contoso.com", i*7919%texts))
			}
		})
	}
	wg.Wait()
	seen := map[uint32]int{}
	for i := range texts {
		id := got[0][i]
		for w := range got {
			if got[w][i] != id {
				t.Fatalf("text %d: number %d in goroutine 0, %d in %d", i, id, got[w][i], w)
			}
		}
		if j, dup := seen[id]; dup {
			t.Fatalf("texts %d and %d both numbered %d", j, i, id)
		}
		seen[id] = i
		if want := fmt.Sprintf("user%d@contoso.com", i*7919%texts); n.Text(id) != want {
			t.Fatalf("text %d: %q, want %q", id, n.Text(id), want)
		}
	}
	if n.Len() != texts {
		t.Errorf("%d texts numbered, want %d", n.Len(), texts)
	}
	if empty := n.Number(""); n.Text(empty) != "" || n.Number("") != empty {
		t.Errorf("the empty text: %d, %q", empty, n.Text(empty))
	}
}

// TestSnapshotNumbers renumbers every part's dictionary of text columns:
// a text has the same number in every part, the tables are kept (the same
// slice asked again), and columns of numbers have none.
func TestSnapshotNumbers(t *testing.T) {
	db := openTest(t, "")
	ingest(t, db, genFile(t, 3000, 5, 4))
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	parts := snap.PartsBetween(time.Time{}, time.Time{})
	if len(parts) < 2 {
		t.Fatalf("%d parts, want several", len(parts))
	}
	for _, name := range []string{"user", "ip", "app", "authMethod"} {
		c := LookupColumn(name)
		numbering := snap.Numbering(c)
		byText := map[string]uint32{}
		for _, p := range parts {
			table, n, err := snap.Numbers(p, c)
			if err != nil || n != numbering || n == nil {
				t.Fatalf("%s in %v: %v, numbering %p, want %p", name, p, err, n, numbering)
			}
			d, err := snap.Dict(p, c)
			if err != nil {
				t.Fatal(err)
			}
			if len(table) != d.Len() {
				t.Fatalf("%s in %v: %d numbers for %d entries", name, p, len(table), d.Len())
			}
			for id, num := range table {
				text := d.String(uint32(id))
				if prev, ok := byText[text]; ok && prev != num {
					t.Fatalf("%s %q: number %d in one part, %d in %v", name, text, prev, num, p)
				}
				byText[text] = num
				if n.Text(num) != text {
					t.Fatalf("%s %d: %q, want %q", name, num, n.Text(num), text)
				}
			}
			again, _, _ := snap.Numbers(p, c)
			if len(again) > 0 && &again[0] != &table[0] {
				t.Errorf("%s in %v: made again", name, p)
			}
		}
	}
	for _, name := range []string{"error", "time"} {
		if table, n, err := snap.Numbers(parts[0], LookupColumn(name)); table != nil || n != nil || err != nil {
			t.Errorf("%s: numbered (%d, %v, %v)", name, len(table), n, err)
		}
	}
}
