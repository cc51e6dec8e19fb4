package engine

import (
	"cmp"
	"slices"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// multiPartStore stores generated sign-ins in two ingests, so that each
// day has two parts with dictionaries of their own, and returns them.
func multiPartStore(t *testing.T) (*DB, []signin.Record) {
	t.Helper()
	recs := readAll(t, genFile(t, 6000, 21, 3))
	db := openTest(t, "")
	var halves [2][]signin.Record
	for i := range recs {
		halves[i%2] = append(halves[i%2], recs[i])
	}
	for _, half := range halves {
		if _, err := db.IngestRecords(t.Context(), half); err != nil {
			t.Fatal(err)
		}
	}
	return db, recs
}

// TestDecode checks the one decoding of stored values against the
// records stored: every row of every column, read back as a result
// holds it (Vector.Value), is RecordValue of the record it came from.
func TestDecode(t *testing.T) {
	db, recs := multiPartStore(t)
	byID := map[string]*signin.Record{}
	for i := range recs {
		byID[recs[i].Type.String()+"/"+recs[i].ID] = &recs[i]
	}
	rows := 0
	err := db.View(func(s *Snapshot) error {
		if len(s.Parts()) < 6 {
			t.Fatalf("%d parts, want two a day", len(s.Parts()))
		}
		var cols []*Column
		for _, c := range Columns() {
			if c.Field != nil {
				cols = append(cols, c)
			}
		}
		for _, p := range s.Parts() {
			dicts := make([]*index.Dict, len(cols))
			for i, c := range cols {
				if c.Enc == EncDict || c.Enc == EncList {
					var err error
					if dicts[i], err = s.Dict(p, c); err != nil {
						return err
					}
				}
			}
			for b := range p.Blocks {
				vecs, err := s.ReadBlock(p, b, append([]*Column{colType, colID}, cols...), nil)
				if err != nil {
					return err
				}
				typeDict, err := s.Dict(p, colType)
				if err != nil {
					return err
				}
				for r := range uint32(vecs[0].Rows) {
					key := vecs[0].Value(typeDict, r).String() + "/" + vecs[1].Value(nil, r).String()
					rec := byID[key]
					if rec == nil {
						t.Fatalf("row %d of %v: no record %s", r, p, key)
					}
					for i, c := range cols {
						got, want := vecs[i+2].Value(dicts[i], r), RecordValue(c.Field, rec)
						if got.Kind() != want.Kind() || !got.Equal(want) || got.String() != want.String() {
							t.Fatalf("%s of %s: stored %v (%q), record %v (%q)", c.Name, key, got.Kind(), got, want.Kind(), want)
						}
					}
					rows++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != len(recs) {
		t.Errorf("%d rows checked of %d", rows, len(recs))
	}
}

// TestValues checks Snapshot.Values against the records: for every
// column with a dictionary, the distinct present values of the store, in
// the dictionaries' order, and for those with bitmaps the sign-ins
// having each (any element, for a list), merged over parts whose
// dictionaries differ.
func TestValues(t *testing.T) {
	db, recs := multiPartStore(t)
	err := db.View(func(s *Snapshot) error {
		for _, c := range Columns() {
			if c.Field == nil || c.Enc != EncDict && c.Enc != EncList {
				continue
			}
			want := map[string]uint64{}
			var order []result.Value
			for i := range recs {
				v := RecordValue(c.Field, &recs[i])
				elems := []result.Value{v}
				if c.Enc == EncList {
					elems = nil
					for _, e := range slices.Compact(slices.Sorted(slices.Values(v.List()))) {
						elems = append(elems, result.StringValue(e))
					}
				}
				for _, e := range elems {
					if e.IsAbsent() {
						continue
					}
					if _, seen := want[e.String()]; !seen {
						order = append(order, e)
					}
					want[e.String()]++
				}
			}
			slices.SortFunc(order, func(a, b result.Value) int {
				if a.Kind() == signin.KindString {
					return cmp.Compare(a.Str(), b.Str())
				}
				return result.Compare(a, b)
			})
			got, err := s.Values(c, true)
			if err != nil {
				return err
			}
			plain, err := s.Values(c, false)
			if err != nil {
				return err
			}
			if len(plain) != len(got) {
				t.Errorf("%s: %d values without counts, %d with", c.Name, len(plain), len(got))
			}
			for i := range min(len(plain), len(got)) {
				if !plain[i].Value.Equal(got[i].Value) || plain[i].Signins != 0 {
					t.Errorf("%s: without counts, value %d is %v (%d sign-ins), with counts %v", c.Name, i, plain[i].Value, plain[i].Signins, got[i].Value)
				}
			}
			if len(got) != len(order) {
				t.Errorf("%s: %d values, the records have %d", c.Name, len(got), len(order))
				continue
			}
			for i, vc := range got {
				if !vc.Value.Equal(order[i]) || vc.Value.Kind() != order[i].Kind() {
					t.Errorf("%s: value %d is %v (%v), want %v (%v)", c.Name, i, vc.Value, vc.Value.Kind(), order[i], order[i].Kind())
					break
				}
				n := want[vc.Value.String()]
				if !c.Indexed {
					n = 0
				}
				if vc.Signins != n {
					t.Errorf("%s=%v: %d sign-ins, the records have %d", c.Name, vc.Value, vc.Signins, n)
				}
			}
		}
		if _, err := s.Values(colTime, false); err == nil {
			t.Error("Values of a column without a dictionary")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
