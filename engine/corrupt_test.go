package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/dgraph-io/badger/v4"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
)

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir)
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	db.Close()
	db2, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	db2.Close()
}

func TestNotStore(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)
	if _, err := Open(dir, nil); !errors.Is(err, ErrNotStore) {
		t.Fatalf("Open of a directory of other files = %v, want ErrNotStore", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("Open left files in a directory that is not a store: %v", ents)
	}
}

// TestOpenInterruptedCreate opens a directory left by a process killed
// while Badger created the store: its lock and the manifest it had not
// yet renamed into place.
func TestOpenInterruptedCreate(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"LOCK", "MANIFEST-REWRITE"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("Open after an interrupted create: %v", err)
	}
	if n, err := db.Count(); n != 0 || err != nil {
		t.Fatalf("Count = %d, %v; want an empty store", n, err)
	}
	db.Close()
}

// readEverything reads every record, dictionary and bitmap of the store
// and returns the errors met.
func readEverything(db *DB) []error {
	var errs []error
	err := db.View(func(s *Snapshot) error {
		for _, p := range s.Parts() {
			for b := range p.Blocks {
				if err := s.Records(p, b, func(uint32, *signin.Record) error { return nil }); err != nil {
					errs = append(errs, err)
				}
			}
			for _, c := range columns {
				if c.Indexed {
					if _, err := s.Cardinalities(p, c); err != nil {
						errs = append(errs, err)
					}
					if _, err := s.Bitmap(p, c, 0); err != nil {
						errs = append(errs, err)
					}
				}
			}
			if err := s.ids(p, func(*index.IDIndex) error { return nil }); err != nil {
				errs = append(errs, err)
			}
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errs
}

func TestCorruption(t *testing.T) {
	path := genFile(t, 5000, 21, 1)
	dir := t.TempDir()
	db, err := Open(dir, &Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, db, path)
	db.Close()
	vlogs, _ := filepath.Glob(filepath.Join(dir, "*.vlog"))
	if len(vlogs) == 0 {
		t.Fatal("no value log")
	}
	f, err := os.OpenFile(vlogs[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	for _, off := range []int64{info.Size() / 5, info.Size() / 2, 3 * info.Size() / 4} {
		f.WriteAt([]byte("corrupt!"), off)
	}
	f.Close()

	db, err = Open(dir, &Options{NoBackgroundCompaction: true})
	if err != nil {
		if !IsCorruption(err) {
			t.Fatalf("Open of a corrupt store = %v, want a corruption error", err)
		}
		return
	}
	defer db.Close()
	errs := readEverything(db)
	if len(errs) == 0 {
		t.Fatal("corrupt value log read without error")
	}
	for _, err := range errs {
		if !IsCorruption(err) {
			t.Errorf("error reading a corrupt store is not a corruption error: %v", err)
		}
	}
	t.Logf("%d errors, e.g. %v", len(errs), errs[0])
}

// TestCorruptionCause checks that a corruption error keeps its cause:
// a part's dictionary that passes its checksum and does not decode is
// ErrCorruption and, through it, index.ErrCorrupt. And an error of the
// function EachBitmap is given comes back as it is, not as corruption.
func TestCorruptionCause(t *testing.T) {
	recs := readAll(t, genFile(t, 200, 4, 1))
	dir := t.TempDir()
	db := openTest(t, dir)
	if _, err := db.IngestRecords(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	var part uint64
	if err := db.View(func(s *Snapshot) error { part = s.Parts()[0].ID; return nil }); err != nil {
		t.Fatal(err)
	}
	db.Close()

	app := LookupColumn("app")
	bdb, err := badger.Open(badgerOptions(dir, false))
	if err != nil {
		t.Fatal(err)
	}
	key := dataKey(part, kindDict, app.ID, 0)
	err = bdb.Update(func(txn *badger.Txn) error { return txn.Set(key, seal(key, []byte{0xff, 0xff})) })
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}

	db, err = Open(dir, &Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := s.Parts()[0]
	_, err = s.Dict(p, app)
	if !IsCorruption(err) || !errors.Is(err, index.ErrCorrupt) {
		t.Errorf("Dict of a dictionary that does not decode: %v, want an error wrapping ErrCorruption and index.ErrCorrupt", err)
	}

	stop := errors.New("stop")
	err = s.EachBitmap(p, LookupColumn("status"), func(uint32, *roaring.Bitmap) error { return stop })
	if !errors.Is(err, stop) || IsCorruption(err) {
		t.Errorf("EachBitmap whose function fails: %v, want its error, not a corruption error", err)
	}
}

// TestFormatVersion checks Open against the store's format version: a
// store of version 1 opens, keeps its sign-ins and is upgraded (so that a
// signinq that reads only version 1 refuses it), and a store of a later
// version than this build's is refused with ErrVersion.
func TestFormatVersion(t *testing.T) {
	recs := readAll(t, genFile(t, 200, 4, 1))
	setVersion := func(dir string, v uint64) {
		t.Helper()
		bdb, err := badger.Open(badgerOptions(dir, false))
		if err != nil {
			t.Fatal(err)
		}
		defer bdb.Close()
		if err := bdb.Update(func(txn *badger.Txn) error {
			return txn.Set(keyVersion, binary.AppendUvarint(nil, v))
		}); err != nil {
			t.Fatal(err)
		}
	}
	version := func(dir string) uint64 {
		t.Helper()
		bdb, err := badger.Open(badgerOptions(dir, false))
		if err != nil {
			t.Fatal(err)
		}
		defer bdb.Close()
		var v uint64
		if err := bdb.View(func(txn *badger.Txn) error {
			item, err := txn.Get(keyVersion)
			if err != nil {
				return err
			}
			return item.Value(func(b []byte) error { v, _ = binary.Uvarint(b); return nil })
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	dir := t.TempDir()
	db := openTest(t, dir)
	if _, err := db.IngestRecords(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if v := version(dir); v != FormatVersion {
		t.Fatalf("a new store has version %d, want %d", v, FormatVersion)
	}

	setVersion(dir, 1)
	db, err := Open(dir, &Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatalf("open a version 1 store: %v", err)
	}
	checkSame(t, db, recs)
	db.Close()
	if v := version(dir); v != FormatVersion {
		t.Errorf("a version 1 store opened has version %d, want it upgraded to %d", v, FormatVersion)
	}

	setVersion(dir, FormatVersion+1)
	if _, err := Open(dir, &Options{NoBackgroundCompaction: true}); !errors.Is(err, ErrVersion) {
		t.Errorf("open a store of version %d: %v, want ErrVersion", FormatVersion+1, err)
	}
}
