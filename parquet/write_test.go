package parquet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	pq "github.com/parquet-go/parquet-go"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/querygen"
)

// testSeed is the seed of the differential test's sign-ins the tests
// export (its default seed).
const testSeed = 20261130

// diffRecords are the differential test's sign-ins: the generated
// tenant's with the oddities, and the sparse ones.
func diffRecords(t *testing.T) []signin.Record {
	t.Helper()
	recs, err := theDiffRecords()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d: %d sign-ins", testSeed, len(recs))
	return slices.Clone(recs)
}

var theDiffRecords = sync.OnceValues(func() ([]signin.Record, error) {
	recs, err := querygen.Records(testSeed)
	return append(recs, querygen.Sparse(testSeed, querygen.End)...), err
})

// readAll reads an export back.
func readAll(t *testing.T, dir string) []signin.Record {
	t.Helper()
	var out []signin.Record
	if err := Read(context.Background(), dir, func(r *signin.Record) error {
		out = append(out, *r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// canonical sorts records by their canonical form, which holds every
// field, so that two sets of the same sign-ins line up.
func canonical(recs []signin.Record) []signin.Record {
	type keyed struct {
		key []byte
		r   *signin.Record
	}
	ks := make([]keyed, len(recs))
	for i := range recs {
		ks[i] = keyed{signin.AppendJSON(nil, &recs[i]), &recs[i]}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return bytes.Compare(a.key, b.key) })
	out := make([]signin.Record, len(recs))
	for i, k := range ks {
		out[i] = *k.r
	}
	return out
}

// diffRecord says how got differs from want in the catalog's fields
// (not Raw nor Format, which an export does not hold), "" if not at all:
// times to the nanosecond, floats to the bit, missing values as missing,
// lists element by element.
func diffRecord(got, want *signin.Record) string {
	var out []string
	for _, f := range signin.Fields() {
		if f.Present(got) != f.Present(want) {
			out = append(out, fmt.Sprintf("%s: present %v, want %v (%q, want %q)", f.Name, f.Present(got), f.Present(want), f.Text(got), f.Text(want)))
			continue
		}
		same := true
		switch f.Kind {
		case signin.KindTime:
			same = f.Time(got).Equal(f.Time(want)) && f.Time(got).UnixNano() == f.Time(want).UnixNano()
		case signin.KindInt, signin.KindBool:
			g, _ := f.Int(got)
			w, _ := f.Int(want)
			same = g == w
		case signin.KindFloat:
			g, _ := f.Float(got)
			w, _ := f.Float(want)
			same = math.Float64bits(g) == math.Float64bits(w)
		case signin.KindList:
			same = slices.Equal(f.List(got), f.List(want))
		default:
			same = f.Text(got) == f.Text(want)
		}
		if !same {
			out = append(out, fmt.Sprintf("%s: %q, want %q", f.Name, f.Text(got), f.Text(want)))
		}
	}
	return strings.Join(out, "; ")
}

// checkSame fails unless got and want are the same sign-ins.
func checkSame(t *testing.T, got, want []signin.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read back %d sign-ins, want %d", len(got), len(want))
	}
	got, want = canonical(got), canonical(want)
	bad := 0
	for i := range got {
		if d := diffRecord(&got[i], &want[i]); d != "" {
			if bad++; bad <= 5 {
				t.Errorf("sign-in %s (%s): %s", want[i].ID, want[i].Type, d)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d sign-ins differ", bad, len(got))
	}
}

// TestRoundTrip exports the differential test's sign-ins, in small
// batches and in no order of day (so that files are closed to make room
// and partitions get several), and reads every field of every sign-in
// back.
func TestRoundTrip(t *testing.T) {
	recs := diffRecords(t)
	// Interleave the end with the start, so that days come out of order.
	mixed := make([]signin.Record, 0, len(recs))
	for i, j := 0, len(recs)-1; i <= j; i, j = i+1, j-1 {
		mixed = append(mixed, recs[i])
		if i != j {
			mixed = append(mixed, recs[j])
		}
	}
	dir := filepath.Join(t.TempDir(), "lake")
	st, err := Write(context.Background(), dir, FromRecords(mixed, 700), Options{MaxOpen: 30, RowGroupRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
	if st.Rows != int64(len(recs)) || st.Files <= st.Partitions {
		t.Errorf("stats %+v: want %d rows, more files than partitions", st, len(recs))
	}
	checkSame(t, readAll(t, dir), recs)
	checkLayout(t, dir, st)
}

// TestMicros writes the differential test's sign-ins with times in
// microseconds and reads them back: every field as written, but each
// time rounded down to its microsecond, Entra's hundreds of nanoseconds
// dropped as Options.TimeUnit says.
func TestMicros(t *testing.T) {
	recs := diffRecords(t)
	// Times with digits below the microsecond, as Entra's have.
	for i := range recs {
		recs[i].Time = recs[i].Time.Add(time.Duration(i%10) * 100)
	}
	dir := filepath.Join(t.TempDir(), "lake")
	if _, err := Write(context.Background(), dir, FromRecords(recs, 500), Options{TimeUnit: Micros}); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(recs)
	subMicro := 0
	for i := range want {
		for _, f := range signin.Fields() {
			if f.Kind != signin.KindTime {
				continue
			}
			if tm := f.Time(&want[i]); !tm.IsZero() {
				if tm.Nanosecond()%1000 != 0 {
					subMicro++
				}
				if err := f.SetTime(&want[i], tm.Truncate(time.Microsecond)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if subMicro < len(recs)/2 {
		t.Fatalf("only %d times of %d sign-ins have digits below the microsecond", subMicro, len(recs))
	}
	checkSame(t, readAll(t, dir), want)
	if _, err := ParseTimeUnit("millis"); err == nil {
		t.Error("ParseTimeUnit accepts millis")
	}
}

// TestFromStore exports a store of the differential test's sign-ins
// (several parts a day) and reads them back: the very sign-ins given to
// the store.
func TestFromStore(t *testing.T) {
	recs := diffRecords(t)
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 0; i < len(recs); i += 5000 {
		if _, err := db.IngestRecords(context.Background(), recs[i:min(i+5000, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "lake")
	var progress int64
	st, err := Write(context.Background(), dir, FromStore(db), Options{Progress: func(n int64) { progress = n }})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != int64(len(recs)) || progress != st.Rows || st.Files != st.Partitions {
		t.Errorf("stats %+v, progress %d: want %d rows, a file a partition", st, progress, len(recs))
	}
	checkSame(t, readAll(t, dir), recs)
	checkLayout(t, dir, st)
}

// checkLayout checks the export's directories and files: day=…/type=…/
// part-NNNNN.parquet, each file's sign-ins of its day and type, the
// _SUCCESS marker, and nothing else.
func checkLayout(t *testing.T, dir string, st Stats) {
	t.Helper()
	files, parts, days := 0, map[string]bool{}, map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "_SUCCESS" {
			return nil
		}
		el := strings.Split(filepath.ToSlash(rel), "/")
		if len(el) != 3 || !strings.HasPrefix(el[0], "day=") || !strings.HasPrefix(el[1], "type=") ||
			!strings.HasPrefix(el[2], "part-") || !strings.HasSuffix(el[2], ".parquet") {
			t.Errorf("%s: not day=…/type=…/part-N.parquet", rel)
			return nil
		}
		files++
		parts[el[0]+"/"+el[1]] = true
		days[el[0]] = true
		return readFile(context.Background(), path, mustType(t, el[1]), func(r *signin.Record) error {
			if d := "day=" + r.Time.UTC().Format(DayLayout); d != el[0] {
				t.Errorf("%s: sign-in %s of %s", rel, r.ID, d)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "_SUCCESS")); err != nil {
		t.Error(err)
	}
	if files != st.Files || len(parts) != st.Partitions || len(days) != st.Days {
		t.Errorf("%d files, %d partitions, %d days; stats say %+v", files, len(parts), len(days), st)
	}
	ents, _ := os.ReadDir(filepath.Dir(dir))
	if len(ents) != 1 {
		t.Errorf("beside the export: %v, want nothing (no staging directory left)", ents)
	}
}

func mustType(t *testing.T, el string) signin.Type {
	typ, ok := signin.ParseType(strings.TrimPrefix(el, "type="))
	if !ok {
		t.Fatalf("%s: no type", el)
	}
	return typ
}

// TestColumnTypes checks the columns' Parquet types in each time unit:
// one per field but type, with the logical type its kind calls for, all
// optional.
func TestColumnTypes(t *testing.T) {
	for _, unit := range []TimeUnit{Nanos, Micros} {
		t.Run(unit.String(), func(t *testing.T) { testColumnTypes(t, unit) })
	}
}

func testColumnTypes(t *testing.T, unit TimeUnit) {
	dir := filepath.Join(t.TempDir(), "lake")
	recs := diffRecords(t)[:100]
	if _, err := Write(context.Background(), dir, FromRecords(recs, 0), Options{TimeUnit: unit}); err != nil {
		t.Fatal(err)
	}
	var path string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if strings.HasSuffix(p, ".parquet") && path == "" {
			path = p
		}
		return err
	})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	pf, err := pq.OpenFile(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	want := map[signin.Kind]string{
		signin.KindTime:   "TIMESTAMP(isAdjustedToUTC=true,unit=" + strings.ToUpper(unit.String()) + ")",
		signin.KindInt:    "INT(64,true)",
		signin.KindFloat:  "DOUBLE",
		signin.KindBool:   "BOOLEAN",
		signin.KindString: "STRING",
		signin.KindList:   "LIST",
	}
	schema := pf.Schema()
	if n := len(schema.Fields()); n != len(signin.Fields())-1 {
		t.Errorf("%d columns, want %d (every field but type)", n, len(signin.Fields())-1)
	}
	if _, ok := schema.Lookup(TypeColumn); ok {
		t.Errorf("the files hold the partition column %s", TypeColumn)
	}
	for _, fld := range FileFields() {
		var n pq.Node
		for _, c := range schema.Fields() {
			if c.Name() == fld.Name {
				n = c
			}
		}
		if n == nil {
			t.Errorf("no column %s", fld.Name)
			continue
		}
		if !n.Optional() {
			t.Errorf("%s: not optional", fld.Name)
		}
		if got := n.Type().String(); got != want[fld.Kind] {
			t.Errorf("%s (%s): type %s, want %s", fld.Name, fld.Kind, got, want[fld.Kind])
		}
		if fld.Kind == signin.KindList {
			el, ok := schema.Lookup(fld.Name, "list", "element")
			if !ok || el.Node.Type().String() != "STRING" || el.MaxRepetitionLevel != 1 || el.MaxDefinitionLevel != 2 {
				t.Errorf("%s: element %+v, want a STRING in a repeated group of an optional list", fld.Name, el)
			}
		}
	}
}

// TestReplace checks what a second export to the same directory does:
// refused without Replace, the directory as it was; with it, the new
// export whole and nothing of the old. An export that fails leaves the
// directory as it was.
func TestReplace(t *testing.T) {
	ctx := context.Background()
	recs := diffRecords(t)
	dir := filepath.Join(t.TempDir(), "lake")
	first := recs[:3000]
	if _, err := Write(ctx, dir, FromRecords(first, 0), Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(ctx, dir, FromRecords(recs, 0), Options{}); !errors.Is(err, ErrExists) {
		t.Fatalf("second export: %v, want ErrExists", err)
	}
	checkSame(t, readAll(t, dir), first)

	boom := errors.New("boom")
	failing := func(ctx context.Context, add func([]signin.Record) error) error {
		if err := add(recs[3000:4000]); err != nil {
			return err
		}
		return boom
	}
	if _, err := Write(ctx, dir, failing, Options{Replace: true}); !errors.Is(err, boom) {
		t.Fatalf("failing export: %v, want boom", err)
	}
	checkSame(t, readAll(t, dir), first)

	second := recs[len(recs)-2000:]
	st, err := Write(ctx, dir, FromRecords(second, 0), Options{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, readAll(t, dir), second)
	checkLayout(t, dir, st)

	// A directory that is there and empty is written to without Replace.
	empty := filepath.Join(t.TempDir(), "empty")
	os.Mkdir(empty, 0o777)
	if _, err := Write(ctx, empty, FromRecords(second, 0), Options{}); err != nil {
		t.Fatal(err)
	}
	checkSame(t, readAll(t, empty), second)
}

// TestCanceled checks that an export stopped by its context leaves
// nothing behind.
func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	recs := diffRecords(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "lake")
	_, err := Write(ctx, dir, FromRecords(recs, 1000), Options{Progress: func(n int64) {
		if n >= 5000 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

// TestNulls checks that a missing value is a null in the file, and a
// value is not: readers other than signinq see nulls, not empty strings,
// zeros or empty lists.
func TestNulls(t *testing.T) {
	recs := diffRecords(t)
	dir := filepath.Join(t.TempDir(), "lake")
	if _, err := Write(context.Background(), dir, FromRecords(recs, 0), Options{}); err != nil {
		t.Fatal(err)
	}
	// The sign-ins by id and type, to find each row's.
	byKey := map[string]*signin.Record{}
	for i := range recs {
		byKey[recs[i].ID+"/"+recs[i].Type.String()] = &recs[i]
	}
	idCol, _ := layouts[Nanos].schema.Lookup("id")
	nulls, values, rowsSeen := 0, 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".parquet") {
			return err
		}
		typ := mustType(t, filepath.Base(filepath.Dir(path)))
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, _ := f.Stat()
		pf, err := pq.OpenFile(f, fi.Size())
		if err != nil {
			return err
		}
		buf := make([]pq.Row, 64)
		for _, rg := range pf.RowGroups() {
			rr := rg.Rows()
			for {
				n, rerr := rr.ReadRows(buf)
				for _, row := range buf[:n] {
					rowsSeen++
					cols := make([][]pq.Value, len(layouts[Nanos].leaves))
					for _, v := range row {
						cols[v.Column()] = append(cols[v.Column()], v)
					}
					id := string(cols[idCol.ColumnIndex][0].ByteArray())
					r := byKey[id+"/"+typ.String()]
					if r == nil {
						t.Fatalf("row of sign-in %s/%s, which was not given", id, typ)
					}
					for _, lf := range layouts[Nanos].leaves {
						v := cols[lf.index]
						isNull := len(v) == 1 && v[0].IsNull()
						if isNull {
							nulls++
						} else {
							values++
						}
						if isNull == lf.f.Present(r) {
							t.Errorf("sign-in %s: %s is null %v, present %v (%q)", id, lf.f.Name, isNull, lf.f.Present(r), lf.f.Text(r))
						}
						if !isNull && lf.f.Kind == signin.KindString && len(v[0].ByteArray()) == 0 {
							t.Errorf("sign-in %s: %s is an empty string", id, lf.f.Name)
						}
					}
				}
				if rerr != nil {
					break
				}
			}
			rr.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rowsSeen != len(recs) || nulls == 0 || values == 0 {
		t.Errorf("%d rows, %d nulls, %d values", rowsSeen, nulls, values)
	}
}
