package engine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/race"
)

var genEnd = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// genFile writes count generated sign-ins over days days, as
// diagnostic-settings JSON lines, and returns the file's path.
func genFile(t testing.TB, count int64, seed uint64, days int) string {
	t.Helper()
	g, err := gen.New(gen.Config{Count: count, Seed: seed, Days: days, End: genEnd, Users: 300})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signins.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := g.Write(context.Background(), signin.FormatDiag, f, nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// readAll reads every record of the paths, as the store would.
func readAll(t testing.TB, paths ...string) []signin.Record {
	t.Helper()
	var recs []signin.Record
	for r, err := range logfile.All(context.Background(), paths, logfile.Options{}) {
		if err != nil {
			t.Fatalf("reading test input: %v", err)
		}
		recs = append(recs, *r)
	}
	return recs
}

func openTest(t testing.TB, dir string) *DB {
	t.Helper()
	opts := &Options{NoBackgroundCompaction: true, Logf: t.Logf}
	if dir == "" {
		opts.InMemory = true
	}
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ingest(t testing.TB, db *DB, paths ...string) IngestStats {
	t.Helper()
	st, err := db.Ingest(context.Background(), paths, IngestOptions{OnReject: func(r *logfile.Reject) { t.Errorf("reject: %v", r) }})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// canonical is a record's canonical JSON and raw record, to compare
// records by.
func canonical(r *signin.Record) string {
	return string(signin.AppendJSON(nil, r)) + "\n" + string(r.Raw)
}

// stored returns every record in the store, keyed by canonical form, with
// how often each occurs.
func stored(t testing.TB, db *DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := db.View(func(s *Snapshot) error {
		for _, p := range s.Parts() {
			for b := range p.Blocks {
				err := s.Records(p, b, func(_ uint32, r *signin.Record) error {
					out[canonical(r)]++
					return nil
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSame checks that the store holds exactly the records, once each.
func checkSame(t *testing.T, db *DB, recs []signin.Record) {
	t.Helper()
	want := map[string]int{}
	for i := range recs {
		want[canonical(&recs[i])] = 1
	}
	got := stored(t, db)
	if len(got) != len(want) {
		t.Errorf("store holds %d distinct records, want %d", len(got), len(want))
	}
	bad := 0
	for k, n := range got {
		if want[k] != n && bad < 3 {
			bad++
			t.Errorf("stored %d times, want %d: %.300s", n, want[k], k)
		}
	}
}

func TestIngestGenerated(t *testing.T) {
	t.Parallel()
	path := genFile(t, race.Quick[int64](20000, 5000), 1, 5)
	recs := readAll(t, path)
	db := openTest(t, t.TempDir())
	st := ingest(t, db, path)
	if st.Stored != int64(len(recs)) || st.Duplicates != 0 || st.Rejected != 0 {
		t.Fatalf("ingest: %+v, want %d stored", st, len(recs))
	}
	if n, _ := db.Count(); n != int64(len(recs)) {
		t.Fatalf("Count = %d, want %d", n, len(recs))
	}
	checkSame(t, db, recs)

	// Every sign-in is found by its id.
	err := db.View(func(s *Snapshot) error {
		for i := 0; i < len(recs); i += 97 {
			r, err := s.Get(recs[i].ID)
			if err != nil {
				return err
			}
			if canonical(r) != canonical(&recs[i]) {
				t.Errorf("Get(%s) = %.200s, want %.200s", recs[i].ID, canonical(r), canonical(&recs[i]))
			}
		}
		_, err := s.Get("00000000-0000-0000-0000-000000000001")
		if !errorsIs(err, ErrNotFound) {
			t.Errorf("Get(unknown) = %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Ingesting it again stores nothing, and exits clean.
	st = ingest(t, db, path)
	if st.Stored != 0 || st.Duplicates != int64(len(recs)) {
		t.Fatalf("second ingest: stored %d, duplicates %d; want 0, %d", st.Stored, st.Duplicates, len(recs))
	}
	if n, _ := db.Count(); n != int64(len(recs)) {
		t.Fatalf("Count after re-ingest = %d, want %d", n, len(recs))
	}
}

func TestIngestSamples(t *testing.T) {
	paths, _ := filepath.Glob("testdata/samples/*/*")
	var inputs []string
	for _, p := range paths {
		if filepath.Ext(p) != ".md" && !bytes.Contains([]byte(p), []byte("index.json")) && !bytes.Contains([]byte(p), []byte("invalid")) {
			inputs = append(inputs, p)
		}
	}
	var recs []signin.Record
	seen := map[string]bool{}
	for r, err := range logfile.All(context.Background(), inputs, logfile.Options{}) {
		if err != nil {
			continue // the readers' tests cover rejects
		}
		k, _ := recordKey(r, nil)
		if !seen[string(k[:])] {
			seen[string(k[:])] = true
			recs = append(recs, *r)
		}
	}
	db := openTest(t, "")
	st, err := db.Ingest(context.Background(), inputs, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Stored != int64(len(recs)) {
		t.Errorf("stored %d, want %d distinct sign-ins (%+v)", st.Stored, len(recs), st)
	}
	checkSame(t, db, recs)
}

func TestCompact(t *testing.T) {
	t.Parallel()
	path := genFile(t, race.Quick[int64](30000, 9000), 2, 3)
	recs := readAll(t, path)
	db := openTest(t, t.TempDir())
	// Three overlapping writes make several parts per day.
	for i := range 3 {
		var part []signin.Record
		for j := i; j < len(recs); j += 3 {
			part = append(part, recs[j])
		}
		if _, err := db.IngestRecords(context.Background(), part); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := db.Stats()
	if st.Parts < 9 {
		t.Fatalf("%d parts before compaction, want at least 9", st.Parts)
	}
	cst, err := db.Compact(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st, _ = db.Stats()
	if st.Parts != len(st.Days) || cst.PartsAfter != st.Parts {
		t.Errorf("after compaction %d parts for %d days (%+v)", st.Parts, len(st.Days), cst)
	}
	checkSame(t, db, recs)
	checkIndexes(t, db)
}

// checkIndexes compares every bitmap and time range of the store with
// what its columns say: the index agrees with a naive evaluation.
func checkIndexes(t *testing.T, db *DB) {
	t.Helper()
	err := db.View(func(s *Snapshot) error {
		for _, p := range s.Parts() {
			prev := int64(-1 << 63)
			var times []int64
			for b := range p.Blocks {
				vecs, err := s.ReadBlock(p, b, columns, nil)
				if err != nil {
					return err
				}
				times = append(times, vecs[colTime.ID].Ints...)
				for _, v := range vecs[colTime.ID].Ints {
					if v < prev {
						t.Fatalf("%v block %d: times not sorted", p, b)
					}
					prev = v
				}
			}
			for _, c := range columns {
				if !c.Indexed {
					continue
				}
				col, err := s.readColumn(p, c)
				if err != nil {
					return err
				}
				naive := map[uint32]*roaring.Bitmap{}
				add := func(id uint32, row int) {
					if naive[id] == nil {
						naive[id] = roaring.New()
					}
					naive[id].Add(uint32(row))
				}
				for row := range p.Rows {
					switch {
					case col.Absent:
					case c.Enc == EncDict:
						add(col.IDs[row], row)
					default:
						for _, id := range col.Elems[col.Offsets[row]:col.Offsets[row+1]] {
							add(id, row)
						}
					}
				}
				cards, err := s.Cardinalities(p, c)
				if err != nil {
					return err
				}
				err = s.bundle(p, c, func(bd *index.Bundle) error {
					for id := range p.DictLen(c) {
						bm := roaring.New()
						if i, ok := bd.Find(uint32(id)); ok {
							var err error
							if bm, err = bd.Bitmap(i); err != nil {
								return err
							}
						}
						want := naive[uint32(id)]
						if want == nil {
							want = roaring.New()
						}
						if !bm.Equals(want) || cards[id] != want.GetCardinality() {
							t.Fatalf("%v column %s id %d: bitmap has %d rows (cardinality %d), columns say %d", p, c.Name, id, bm.GetCardinality(), cards[id], want.GetCardinality())
						}
					}
					return nil
				})
				if err != nil {
					return err
				}
				// EachBitmap gives every value some row has, in id order, and
				// CardinalityOf sums their counts.
				var seen []uint32
				var total uint64
				err = s.EachBitmap(p, c, func(id uint32, rows *roaring.Bitmap) error {
					if naive[id] == nil || !rows.Equals(naive[id]) {
						t.Fatalf("%v column %s: EachBitmap's bitmap of id %d differs from the column", p, c.Name, id)
					}
					seen = append(seen, id)
					total += rows.GetCardinality()
					return nil
				})
				if err != nil {
					return err
				}
				if len(seen) != len(naive) || !slices.IsSorted(seen) {
					t.Fatalf("%v column %s: EachBitmap gave ids %v for %d values", p, c.Name, seen, len(naive))
				}
				if n, err := s.CardinalityOf(p, c, seen); err != nil || n != total {
					t.Fatalf("%v column %s: CardinalityOf all values = %d, %v; want %d", p, c.Name, n, err, total)
				}
				// The public API agrees, for a union of the first values.
				if n := min(p.DictLen(c), 3); n > 0 {
					bm, err := s.Bitmap(p, c, 0, uint32(n-1))
					if err != nil {
						return err
					}
					want := roaring.New()
					for _, id := range []uint32{0, uint32(n - 1)} {
						if naive[id] != nil {
							want.Or(naive[id])
						}
					}
					if !bm.Equals(want) {
						t.Fatalf("%v column %s: Bitmap(0, %d) has %d rows, want %d", p, c.Name, n-1, bm.GetCardinality(), want.GetCardinality())
					}
					rng, err := s.BitmapRange(p, c, 0, uint32(n))
					if err != nil {
						return err
					}
					want = roaring.New()
					for id := range uint32(n) {
						if naive[id] != nil {
							want.Or(naive[id])
						}
					}
					if !rng.Equals(want) {
						t.Fatalf("%v column %s: BitmapRange(0, %d) has %d rows, want %d", p, c.Name, n, rng.GetCardinality(), want.GetCardinality())
					}
				}
			}
			// Time windows are row ranges.
			for _, w := range [][2]int64{{p.MinTime, p.MaxTime + 1}, {p.MinTime + 1, p.MaxTime}, {times[len(times)/3], times[2*len(times)/3]}, {p.MaxTime + 1, p.MaxTime + 2}} {
				lo, hi, err := s.Rows(p, time.Unix(0, w[0]), time.Unix(0, w[1]))
				if err != nil {
					return err
				}
				wantLo, _ := slices.BinarySearch(times, w[0])
				wantHi, _ := slices.BinarySearch(times, w[1])
				if int(lo) != wantLo || int(hi) != wantHi {
					t.Fatalf("%v Rows(%d, %d) = [%d, %d), want [%d, %d)", p, w[0], w[1], lo, hi, wantLo, wantHi)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIndexes(t *testing.T) {
	t.Parallel()
	// Under -race and -short, just over one block: the day must have two.
	path := genFile(t, race.Quick[int64](80000, blockRows+4000), 3, 1)
	db := openTest(t, "")
	ingest(t, db, path)
	st, _ := db.Stats()
	big := false
	for _, d := range st.Days {
		big = big || d.Rows > blockRows
	}
	if !big {
		t.Fatalf("want a day of more than one block: %+v", st.Days)
	}
	checkIndexes(t, db)
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
