package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/bench"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/querygen"
	"github.com/signinq/signinq/parquet"
	"github.com/signinq/signinq/query"
)

// parquetSeed is the seed of the differential test's sign-ins (its
// default seed) that TestParquetDifferential exports.
const parquetSeed = 20261130

// TestParquetDifferential exports the differential test's sign-ins
// (internal/querygen: the generated tenant with its oddities, and the
// sparse sign-ins) from a signinq store as Parquet, has DuckDB read the
// files with hive partitioning, and checks
//
//   - the columns' types as DuckDB reads them,
//   - every field of every row DuckDB reads against the sign-in given to
//     the store: times to the nanosecond, nulls for missing values,
//     lists element by element, type and day from the directories;
//   - every query of the standard and hunting sets that has SQL: the
//     answer of its DuckDB SQL over the Parquet files is signinq's
//     engine's, and that of the same SQL over the DuckDB peer's own
//     load of the store.
func TestParquetDifferential(t *testing.T) {
	ctx := context.Background()
	recs, err := querygen.Records(parquetSeed)
	if err != nil {
		t.Fatal(err)
	}
	recs = append(recs, querygen.Sparse(parquetSeed, querygen.End)...)
	t.Logf("seed %d: %d sign-ins", parquetSeed, len(recs))
	store, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true, Clock: func() time.Time { return querygen.End }})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// Several ingests, so that days have several parts.
	for i := 0; i < len(recs); i += 4000 {
		if _, err := store.IngestRecords(ctx, recs[i:min(i+4000, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	root := t.TempDir()
	dir := filepath.Join(root, "lake")
	l, err := loadParquet(ctx, store, dir, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if l.Rows != int64(len(recs)) {
		t.Fatalf("exported %d sign-ins, want %d", l.Rows, len(recs))
	}
	pq, err := openPeer(ctx, "parquet", dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pq.close()

	checkDuckTypes(t, ctx, pq.conn, dir)
	checkDuckRows(t, ctx, pq.conn, dir, recs)

	duckPath := filepath.Join(root, "signins.duckdb")
	if _, err := loadPeer(ctx, "duckdb", store, duckPath, 2, false, func() time.Time { return benchEnd }, t.Logf); err != nil {
		t.Fatal(err)
	}
	duck, err := openPeer(ctx, "duckdb", duckPath, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer duck.close()

	lists, err := bench.SetLists(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	var agree, withRows, sqlOwn int
	for _, q := range bench.Queries() {
		if q.SQL == "" {
			continue
		}
		res, err := query.Run(ctx, store, nil, q.Text, query.Options{Now: querygen.End, Timeout: -1})
		if err != nil {
			t.Fatalf("signinq: %s: %v", q.Text, err)
		}
		want := fromSigninq(res)
		var kinds []signin.Kind
		for _, c := range res.Columns {
			kinds = append(kinds, c.Kind)
		}
		var got [2]answer
		var texts [2]string
		for i, p := range []*peer{pq, duck} {
			texts[i] = q.SQLPeer(bench.Dialect{Now: querygen.End, Time: p.from, Duration: p.duration, Bin1h: p.bin1h, Day: p.day, Lists: lists})
			names, rows, err := p.query(ctx, texts[i])
			if err == nil {
				got[i], err = fromPeer(names, rows, kinds)
			}
			if err != nil {
				t.Fatalf("%s: %s: %v\n%s", peerTitle(p.kind), q.Text, err, texts[i])
			}
		}
		// The Parquet files give the answer of the DuckDB peer's own load.
		if d := diff(got[1], got[0], false); d != "" {
			t.Errorf("DuckDB on Parquet disagrees with DuckDB on %q: %s\nDuckDB:\n  %s\nDuckDB on Parquet:\n  %s\nSQL: %s", q.Text, d, got[1], got[0], texts[0])
			continue
		}
		// And signinq's, but where the SQL itself does not: the bench's
		// SQL is written for the benchmark's tenant, and the differential
		// sign-ins' oddities (values differing only in case) are told
		// apart by SQL's = where signinq's = ignores case. Such a query
		// disagrees the same on DuckDB's own load; TestCompare checks
		// every query on the benchmark's tenant, where none may.
		d := diff(want, got[0], q.Ordered)
		switch {
		case d == "":
			agree++
			if len(want.rows) > 0 {
				withRows++
			}
		case diff(want, got[1], q.Ordered) != "":
			sqlOwn++
			t.Logf("%q: the SQL's answer is not signinq's on DuckDB's own load either (%s); DuckDB on Parquet gives DuckDB's", q.Text, d)
		default:
			t.Errorf("DuckDB on Parquet disagrees with signinq on %q: %s\nsigninq:\n  %s\nDuckDB on Parquet:\n  %s\nSQL: %s", q.Text, d, want, got[0], texts[0])
		}
	}
	t.Logf("%d queries: DuckDB on Parquet agrees with DuckDB and signinq on %d (%d with rows), with DuckDB on %d whose SQL differs from signinq on these sign-ins", agree+sqlOwn, agree, withRows, sqlOwn)
	if withRows < agree/2 || sqlOwn > 3 {
		t.Errorf("only %d of %d answers have rows, %d differ: agreement means little", withRows, agree, sqlOwn)
	}
}

// duckTypes are the types DuckDB reads the export's columns as, by the
// catalog's kinds. DuckDB (1.5) has no nanosecond type with instant
// semantics: it reads a TIMESTAMP(NANOS, isAdjustedToUTC=true) column as
// TIMESTAMP WITH TIME ZONE, in microseconds (see checkDuckRows).
var duckTypes = map[signin.Kind]string{
	signin.KindTime:   "TIMESTAMP WITH TIME ZONE",
	signin.KindInt:    "BIGINT",
	signin.KindFloat:  "DOUBLE",
	signin.KindBool:   "BOOLEAN",
	signin.KindString: "VARCHAR",
	signin.KindList:   "VARCHAR[]",
}

// checkDuckTypes checks the columns DuckDB reads: every catalog field
// once, of its kind's type, and the day partition a DATE.
func checkDuckTypes(t *testing.T, ctx context.Context, conn *sql.Conn, dir string) {
	t.Helper()
	rows, err := conn.QueryContext(ctx, fmt.Sprintf("DESCRIBE SELECT * FROM read_parquet(%s, hive_partitioning = true)", quote(parquetGlob(dir))))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	seen := map[string]bool{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		name, typ := fmt.Sprint(vals[0]), fmt.Sprint(vals[1])
		seen[name] = true
		want := ""
		if name == parquet.DayColumn {
			want = "DATE"
		} else if f := signin.Lookup(name); f != nil && f.Name == name {
			want = duckTypes[f.Kind]
		}
		if typ != want {
			t.Errorf("DuckDB reads column %s as %s, want %s", name, typ, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, f := range signin.Fields() {
		if !seen[f.Name] {
			t.Errorf("DuckDB reads no column %s", f.Name)
		}
	}
	// The files' own types, as DuckDB's parquet_schema reads them.
	q := fmt.Sprintf("SELECT DISTINCT name, type, coalesce(logical_type, '') FROM parquet_schema(%s) WHERE name IN ('time', 'ingested')", quote(parquetGlob(dir)))
	srows, err := conn.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer srows.Close()
	n := 0
	for srows.Next() {
		var name, typ, logical string
		if err := srows.Scan(&name, &typ, &logical); err != nil {
			t.Fatal(err)
		}
		n++
		if typ != "INT64" || !strings.Contains(logical, "isAdjustedToUTC=1") || !strings.Contains(logical, "NANOS") {
			t.Errorf("parquet_schema: %s is %s %s, want INT64 TIMESTAMP(NANOS, isAdjustedToUTC=true)", name, typ, logical)
		}
	}
	if err := srows.Err(); err != nil || n != 2 {
		t.Errorf("parquet_schema: %d types of time and ingested, want one each (%v)", n, err)
	}
}

// checkDuckRows reads every row of the export with DuckDB and checks it
// against the sign-ins given to the store.
func checkDuckRows(t *testing.T, ctx context.Context, conn *sql.Conn, dir string, want []signin.Record) {
	t.Helper()
	rows, err := conn.QueryContext(ctx, fmt.Sprintf("SELECT * FROM read_parquet(%s, hive_partitioning = true)", quote(parquetGlob(dir))))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names, _ := rows.Columns()
	var got []signin.Record
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		r, err := duckRecord(names, vals)
		if err != nil {
			t.Fatalf("row %d: %v", len(got), err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("DuckDB reads %d rows, want %d", len(got), len(want))
	}
	// DuckDB reads times to the microsecond (see duckTypes), truncating:
	// the files' nanoseconds are checked by parquet_schema's types here,
	// and by the main module's test that reads the files with parquet-go.
	want = slices.Clone(want)
	for i := range want {
		for _, f := range signin.Fields() {
			if f.Kind == signin.KindTime && f.Present(&want[i]) {
				f.SetTime(&want[i], f.Time(&want[i]).Truncate(time.Microsecond))
			}
		}
	}
	got, want = byCanonical(got), byCanonical(want)
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
	t.Logf("DuckDB reads the %d sign-ins back, every field equal", len(got))
}

// duckRecord makes a sign-in of a row DuckDB read, checking that the day
// partition is its time's and that place is made from its sources.
func duckRecord(names []string, vals []any) (signin.Record, error) {
	r := signin.New()
	var day, place any
	for i, name := range names {
		x := vals[i]
		if name == parquet.DayColumn {
			day = x
			continue
		}
		f := signin.Lookup(name)
		if f == nil {
			return r, fmt.Errorf("column %s of no field", name)
		}
		if f.Derived() {
			place = x
			continue
		}
		if x == nil {
			continue
		}
		var err error
		switch f.Kind {
		case signin.KindTime:
			tm, ok := x.(time.Time)
			if !ok {
				return r, fmt.Errorf("%s: %T", name, x)
			}
			err = f.SetTime(&r, tm)
		case signin.KindInt:
			n, ok := x.(int64)
			if !ok {
				return r, fmt.Errorf("%s: %T", name, x)
			}
			err = f.SetInt(&r, n)
		case signin.KindFloat:
			v, ok := x.(float64)
			if !ok {
				return r, fmt.Errorf("%s: %T", name, x)
			}
			err = f.SetFloat(&r, v)
		case signin.KindBool:
			v, ok := x.(bool)
			if !ok {
				return r, fmt.Errorf("%s: %T", name, x)
			}
			b := signin.BoolFalse
			if v {
				b = signin.BoolTrue
			}
			err = f.SetBool(&r, b)
		case signin.KindList:
			xs, ok := x.([]any)
			if !ok {
				return r, fmt.Errorf("%s: %T", name, x)
			}
			l := make([]string, len(xs))
			for j, e := range xs {
				if l[j], ok = e.(string); !ok {
					return r, fmt.Errorf("%s[%d]: %T", name, j, e)
				}
			}
			err = f.SetList(&r, l)
		default:
			s, ok := x.(string)
			if !ok {
				return r, fmt.Errorf("%s: %T", name, x)
			}
			if s == "" {
				return r, fmt.Errorf("%s: an empty string, not a null", name)
			}
			err = f.SetString(&r, s)
		}
		if err != nil {
			return r, err
		}
	}
	if d, ok := day.(time.Time); !ok || d.Format(time.DateOnly) != r.Time.UTC().Format(time.DateOnly) {
		return r, fmt.Errorf("sign-in %s at %v: day %v", r.ID, r.Time, day)
	}
	placeField := signin.Lookup("place")
	if want := placeField.Text(&r); (want == "" && place != nil) || (want != "" && place != want) {
		return r, fmt.Errorf("sign-in %s: place %v, want %q", r.ID, place, want)
	}
	return r, nil
}

// byCanonical sorts sign-ins by their canonical form, which holds every
// field, so that two sets of the same sign-ins line up.
func byCanonical(recs []signin.Record) []signin.Record {
	keys := make([][]byte, len(recs))
	idx := make([]int, len(recs))
	for i := range recs {
		keys[i] = signin.AppendJSON(nil, &recs[i])
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
	out := make([]signin.Record, len(recs))
	for i, j := range idx {
		out[i] = recs[j]
	}
	return out
}

// diffRecord says how got differs from want in the catalog's fields, ""
// if not at all: times to the nanosecond, floats to the bit, missing
// values as missing, lists element by element.
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
			same = f.Time(got).UnixNano() == f.Time(want).UnixNano()
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
