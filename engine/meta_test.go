package engine

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// TestMeta writes, reads, replaces and deletes metadata, on disk (read
// again after the store is reopened) and in memory, and checks what a
// snapshot sees.
func TestMeta(t *testing.T) {
	for _, dir := range []string{t.TempDir(), ""} {
		name := map[bool]string{true: "in memory", false: "on disk"}[dir == ""]
		t.Run(name, func(t *testing.T) {
			db := openTest(t, dir)
			set := func(changes map[string][]byte) {
				t.Helper()
				if err := db.UpdateMeta("queries", func(map[string][]byte) (map[string][]byte, error) { return changes, nil }); err != nil {
					t.Fatal(err)
				}
			}
			all := func(db *DB, space string) map[string][]byte {
				t.Helper()
				m, err := db.AllMeta(space)
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			if m := all(db, "queries"); len(m) != 0 {
				t.Fatalf("a new store's metadata: %q", m)
			}
			odd := "a\x00b\xff/c" // any bytes make a name
			set(map[string][]byte{"one": []byte("1"), "two": []byte("2"), odd: {}})
			set(map[string][]byte{"other": []byte("not queries")})
			// A space beside: its names are its own, and its own space's
			// name (version) is no key of the engine's (mversion).
			if err := db.UpdateMeta("version", func(map[string][]byte) (map[string][]byte, error) {
				return map[string][]byte{"x": []byte("y")}, nil
			}); err != nil {
				t.Fatal(err)
			}
			want := map[string][]byte{"one": []byte("1"), "two": []byte("2"), odd: {}, "other": []byte("not queries")}
			if m := all(db, "queries"); !maps.EqualFunc(m, want, bytesEqual) {
				t.Fatalf("queries: %q, want %q", m, want)
			}
			snap, err := db.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			defer snap.Close()
			// Replace one and delete another, in one update that sees the
			// values as they are.
			if err := db.UpdateMeta("queries", func(cur map[string][]byte) (map[string][]byte, error) {
				if !maps.EqualFunc(cur, want, bytesEqual) {
					t.Errorf("update was given %q, want %q", cur, want)
				}
				return map[string][]byte{"one": []byte("uno"), "two": nil}, nil
			}); err != nil {
				t.Fatal(err)
			}
			// The snapshot still sees the values of its time.
			if v, ok, err := snap.Meta("queries", "two"); err != nil || !ok || string(v) != "2" {
				t.Errorf("the snapshot's two: %q, %v, %v", v, ok, err)
			}
			if v, ok, err := snap.Meta("queries", odd); err != nil || !ok || len(v) != 0 {
				t.Errorf("the snapshot's %q: %q, %v, %v", odd, v, ok, err)
			}
			want = map[string][]byte{"one": []byte("uno"), odd: {}, "other": []byte("not queries")}
			if dir != "" {
				db.Close()
				db = openTest(t, dir)
			}
			if m := all(db, "queries"); !maps.EqualFunc(m, want, bytesEqual) {
				t.Errorf("queries: %q, want %q", m, want)
			}
			if m := all(db, "version"); len(m) != 1 || string(m["x"]) != "y" {
				t.Errorf("version: %q", m)
			}
			db.View(func(s *Snapshot) error {
				if v, ok, err := s.Meta("queries", "two"); err != nil || ok || v != nil {
					t.Errorf("two after its deletion: %q, %v, %v", v, ok, err)
				}
				return nil
			})
		})
	}
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

// TestMetaRefused checks what UpdateMeta refuses, writing nothing: an
// update's error, bad spaces and names, values too large, a read-only
// store, a closed one.
func TestMetaRefused(t *testing.T) {
	db := openTest(t, t.TempDir())
	keep := map[string][]byte{"kept": []byte("k")}
	if err := db.UpdateMeta("s", func(map[string][]byte) (map[string][]byte, error) { return keep, nil }); err != nil {
		t.Fatal(err)
	}
	mine := errors.New("mine")
	for _, tc := range []struct {
		space   string
		changes map[string][]byte
		err     error
		want    string
	}{
		{"s", map[string][]byte{"a": []byte("x")}, mine, "mine"},
		{"", map[string][]byte{"a": nil}, nil, "a space is a name of 1 or more bytes"},
		{"a\x00b", map[string][]byte{"a": nil}, nil, "without a 0 byte"},
		{"s", map[string][]byte{"a": []byte("x"), "": []byte("y")}, nil, "a name is 1 or more bytes"},
		{"s", map[string][]byte{"a": []byte("x"), strings.Repeat("n", maxMetaKey): []byte("y")}, nil, "at most 1024 bytes together"},
		{"s", map[string][]byte{"a": []byte("x"), "big": make([]byte, maxMetaValue+1)}, nil, "a value is at most"},
	} {
		err := db.UpdateMeta(tc.space, func(map[string][]byte) (map[string][]byte, error) { return tc.changes, tc.err })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("space %q, %d changes: %v, want …%s…", tc.space, len(tc.changes), err, tc.want)
		}
	}
	if m, err := db.AllMeta("s"); err != nil || !maps.EqualFunc(m, keep, bytesEqual) {
		t.Errorf("after refused updates: %q, %v", m, err)
	}
	db.readOnly = fmt.Errorf("%w: for the test", ErrNoSpace)
	if err := db.UpdateMeta("s", func(map[string][]byte) (map[string][]byte, error) { return keep, nil }); !errors.Is(err, ErrNoSpace) {
		t.Errorf("update of a read-only store: %v", err)
	}
	db.readOnly = nil
	db.Close()
	if err := db.UpdateMeta("s", func(map[string][]byte) (map[string][]byte, error) { return keep, nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("update of a closed store: %v", err)
	}
	if _, err := db.AllMeta("s"); !errors.Is(err, ErrClosed) {
		t.Errorf("read of a closed store: %v", err)
	}
}

// TestMetaConcurrent runs updates at once, each adding one to a count
// and a name of its own: none is lost.
func TestMetaConcurrent(t *testing.T) {
	db := openTest(t, t.TempDir())
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := db.UpdateMeta("s", func(cur map[string][]byte) (map[string][]byte, error) {
				c := 0
				fmt.Sscan(string(cur["count"]), &c)
				return map[string][]byte{"count": fmt.Append(nil, c+1), fmt.Sprint("n", i): {1}}, nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	m, err := db.AllMeta("s")
	if err != nil {
		t.Fatal(err)
	}
	if string(m["count"]) != fmt.Sprint(n) || len(m) != n+1 {
		t.Errorf("after %d updates at once: count %s, %d names", n, m["count"], len(m))
	}
}

// TestMetaCorrupt checks that a metadata value whose checksum fails is
// reported as corruption, naming it.
func TestMetaCorrupt(t *testing.T) {
	db := openTest(t, "")
	if err := db.UpdateMeta("s", func(map[string][]byte) (map[string][]byte, error) {
		return map[string][]byte{"a": []byte("value")}, nil
	}); err != nil {
		t.Fatal(err)
	}
	// Flip a byte of the stored value, as damage would.
	key := metaKey("s", "a")
	err := db.bdb.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if err != nil {
			return err
		}
		v, _ := item.ValueCopy(nil)
		v[0] ^= 1
		return txn.Set(key, v)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AllMeta("s"); !IsCorruption(err) || !strings.Contains(err.Error(), "metadata s/a") {
		t.Errorf("AllMeta of a damaged value: %v", err)
	}
	db.View(func(s *Snapshot) error {
		if _, _, err := s.Meta("s", "a"); !IsCorruption(err) || !strings.Contains(err.Error(), "metadata s/a: checksum mismatch") {
			t.Errorf("Meta of a damaged value: %v", err)
		}
		return nil
	})
}
