package engine

import (
	"reflect"
	"testing"
)

// TestReadBlockReuse reads every column of every block into one vector,
// column after column, as a scan over several columns does, with and
// without the block cache: each read must equal a fresh one and keep
// nothing of the column read before (a scan that switched on which field
// was set once read another encoding's leftovers).
func TestReadBlockReuse(t *testing.T) {
	recs := readAll(t, genFile(t, 3000, 11, 3))
	for _, cache := range []int64{0, -1} {
		db, err := Open("", &Options{InMemory: true, NoBackgroundCompaction: true, BlockCache: cache, Logf: t.Logf})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.IngestRecords(t.Context(), recs); err != nil {
			t.Fatal(err)
		}
		err = db.View(func(s *Snapshot) error {
			var reused []Vector
			for _, p := range s.Parts() {
				for b := range p.Blocks {
					for _, c := range columns {
						var err error
						if reused, err = s.ReadBlock(p, b, []*Column{c}, reused); err != nil {
							return err
						}
						fresh, err := s.ReadBlock(p, b, []*Column{c}, nil)
						if err != nil {
							return err
						}
						if !sameVector(&reused[0], &fresh[0]) {
							t.Fatalf("cache %d: %v block %d column %s: reused vector differs from a fresh read", cache, p, b, c.Name)
						}
						if stray := strayFields(&reused[0]); stray != "" {
							t.Fatalf("cache %d: %v block %d column %s (%v): %s set", cache, p, b, c.Name, c.Enc, stray)
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}

func sameVector(a, b *Vector) bool {
	if a.Column != b.Column || a.Rows != b.Rows || a.Absent != b.Absent {
		return false
	}
	if (a.Strings == nil) != (b.Strings == nil) {
		return false
	}
	if a.Strings != nil {
		for i := range a.Strings.Len() {
			if a.Strings.At(i) != b.Strings.At(i) {
				return false
			}
		}
	}
	return reflect.DeepEqual(a.IDs, b.IDs) && reflect.DeepEqual(a.Offsets, b.Offsets) &&
		reflect.DeepEqual(a.Elems, b.Elems) && reflect.DeepEqual(a.Ints, b.Ints)
}

// strayFields names a field of v that its column's encoding does not set.
func strayFields(v *Vector) string {
	enc := v.Column.Enc
	switch {
	case v.Absent && (v.IDs != nil || v.Offsets != nil || v.Ints != nil || v.Strings != nil):
		return "a value of an absent column"
	case enc != EncDict && v.IDs != nil:
		return "IDs"
	case enc != EncList && (v.Offsets != nil || v.Elems != nil):
		return "Offsets"
	case enc != EncInt && v.Ints != nil:
		return "Ints"
	case enc != EncString && v.Strings != nil:
		return "Strings"
	}
	return ""
}
