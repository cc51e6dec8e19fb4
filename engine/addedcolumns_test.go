package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/signinq/signinq/engine/signin"
)

// addedColumns are the columns of the fields added after format version
// 2: those after the internal columns.
func addedColumns() []*Column { return Columns()[colRawC.ID+1:] }

// withoutAdded returns copies of recs without the fields added after
// format version 2, as a store written before them holds them.
func withoutAdded(t *testing.T, recs []signin.Record) []signin.Record {
	t.Helper()
	out := make([]signin.Record, len(recs))
	for i := range recs {
		r := recs[i]
		for _, c := range addedColumns() {
			if c.Field.Derived() {
				continue // made from fields the old parts have
			}
			var err error
			switch f := c.Field; f.Kind {
			case signin.KindString:
				err = f.SetString(&r, "")
			case signin.KindBool:
				err = f.SetBool(&r, signin.BoolUnknown)
			case signin.KindList:
				err = f.SetList(&r, nil)
			default:
				t.Fatalf("no way to clear %s, a %s", f.Name, f.Kind)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		out[i] = r
	}
	return out
}

// ageStore turns the store in dir into one written by a signinq of
// format version 2, which had no columns after _raw: every part header
// lists only the columns up to _raw, the data of the later columns is
// deleted, and the version is 2.
func ageStore(t *testing.T, dir string) {
	t.Helper()
	bdb, err := badger.Open(badgerOptions(dir, false))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.Update(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		var dels [][]byte
		type header struct{ key, val []byte }
		var headers []header
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			switch k[0] {
			case prefixPart:
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				payload, err := unseal(k, v)
				if err != nil {
					return err
				}
				p, err := decodePartHeader(payload)
				if err != nil {
					return err
				}
				p.cols = p.cols[:colRawC.ID+1]
				headers = append(headers, header{k, seal(k, p.appendHeader(nil))})
			case prefixData:
				if len(k) >= 12 && bytes.IndexByte([]byte{kindColumn, kindBundle, kindDict}, k[9]) >= 0 &&
					binary.BigEndian.Uint16(k[10:]) > colRawC.ID {
					dels = append(dels, k)
				}
			}
		}
		it.Close()
		if len(dels) == 0 {
			t.Error("the store has no data of the columns added after version 2")
		}
		for _, h := range headers {
			if err := txn.Set(h.key, h.val); err != nil {
				return err
			}
		}
		for _, k := range dels {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return txn.Set(keyVersion, binary.AppendUvarint(nil, 2))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestColumnsAddedLater checks a store written before the fields added
// after format version 2: its parts lack their columns, which read as
// absent (in records, dictionaries and bitmaps); it opens and is upgraded
// to the current version; and its parts compacted with parts written now
// keep each row's values, the old rows without the new fields.
func TestColumnsAddedLater(t *testing.T) {
	old := readAll(t, genFile(t, 400, 11, 2))
	if hasAdded(old) == 0 {
		t.Fatal("the generated sign-ins have none of the fields added after version 2")
	}
	dir := t.TempDir()
	db := openTest(t, dir)
	if _, err := db.IngestRecords(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ageStore(t, dir)

	db, err := Open(dir, &Options{NoBackgroundCompaction: true, Logf: t.Logf})
	if err != nil {
		t.Fatalf("open a store without the added columns: %v", err)
	}
	defer db.Close()
	aged := withoutAdded(t, old)
	checkSame(t, db, aged)
	checkAddedValues(t, db, false)

	// Sign-ins stored now have the columns; compaction merges their
	// parts with the old ones.
	fresh := readAll(t, genFile(t, 400, 12, 2))
	if _, err := db.IngestRecords(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	checkAddedValues(t, db, true)
	if _, err := db.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkSame(t, db, append(aged, fresh...))
	checkAddedValues(t, db, true)
	db.Close()

	bdb, err := badger.Open(badgerOptions(dir, false))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get(keyVersion)
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error {
			if v, _ := binary.Uvarint(b); v != FormatVersion {
				t.Errorf("the store opened has version %d, want it upgraded to %d", v, FormatVersion)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
}

// hasAdded counts the records with a value in a field added after
// version 2.
func hasAdded(recs []signin.Record) int {
	n := 0
	for i := range recs {
		for _, c := range addedColumns() {
			if c.Field.Present(&recs[i]) {
				n++
				break
			}
		}
	}
	return n
}

// checkAddedValues checks the values the store lists for the added
// columns: none while only old parts are stored, some once new ones are;
// and that their bitmaps agree with the values.
func checkAddedValues(t *testing.T, db *DB, want bool) {
	t.Helper()
	err := db.View(func(s *Snapshot) error {
		some := false
		for _, c := range addedColumns() {
			vals, err := s.Values(c, true)
			if err != nil {
				return err
			}
			for _, v := range vals {
				if v.Signins == 0 {
					t.Errorf("%s: value %v with no sign-ins", c.Name, v.Value)
				}
			}
			if !want && len(vals) > 0 {
				t.Errorf("%s: a store without the column lists values %v", c.Name, vals)
			}
			some = some || len(vals) > 0
			for _, p := range s.Parts() {
				if p.has(c) {
					continue
				}
				if n := p.DictLen(c); n != 0 {
					t.Errorf("%s, %s: dictionary of %d values in a part without the column", p, c.Name, n)
				}
				bm, err := s.BitmapRange(p, c, 0, 1<<31)
				if err != nil {
					return err
				}
				if !bm.IsEmpty() {
					t.Errorf("%s, %s: rows %v in a part without the column", p, c.Name, bm)
				}
			}
		}
		if want && !some {
			t.Error("no added column has a value after sign-ins with them were stored")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
