package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// The samples: real diagnostic-settings records from
// /work/shared/samples/entra-signin/elastic (see testdata/README.md), and
// what signinq parse makes of them.
const (
	samples   = "testdata/signins.jsonl"
	canonical = "testdata/signins.canonical.jsonl"
)

// loadSamples loads the samples into a new database and returns the
// connection.
func loadSamples(t *testing.T) (*sql.Conn, loadResult) {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "test.duckdb")
	db, conn, err := openDB(context.Background(), dbPath, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		db.Close()
	})
	r, err := load(context.Background(), conn, dbPath, samples)
	if err != nil {
		t.Fatal(err)
	}
	return conn, r
}

func TestLoadSamples(t *testing.T) {
	conn, res := loadSamples(t)
	if res.rows != 14 {
		t.Errorf("loaded %d rows, want 14", res.rows)
	}
	if res.dbBytes <= 0 || res.seconds <= 0 {
		t.Errorf("measured %+v", res)
	}
	ctx := context.Background()

	byType := map[string]int{}
	rows, err := conn.QueryContext(ctx, `SELECT "type", count(*) FROM signins GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ string
		var n int
		if err := rows.Scan(&typ, &n); err != nil {
			t.Fatal(err)
		}
		byType[typ] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"interactive": 5, "nonInteractive": 2, "servicePrincipal": 4, "managedIdentity": 3}
	if !reflect.DeepEqual(byType, want) {
		t.Errorf("rows by type: %v, want %v", byType, want)
	}

	// A few values the SQL derives: the time with its -05:00 offset in
	// UTC, the status from the error code, the identity of a service
	// principal, the applied policies and the normalized user type.
	var (
		tm                       time.Time
		status, identity, userTy string
		errCode                  int64
		lat                      float64
		policy, auth             []any
	)
	err = conn.QueryRowContext(ctx, `SELECT "time", status, "error", latitude FROM signins
		WHERE "type" = 'interactive' AND id = '8a4de8b5-095c-47d0-a96f-a75130c61d53'`).Scan(&tm, &status, &errCode, &lat)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2019, 10, 18, 9, 45, 48, 72989000, time.UTC); !tm.Equal(want) || status != "interrupted" || errCode != 50140 || lat != 48.12341234 {
		t.Errorf("interactive sample: time %v status %q error %d latitude %v; want %v interrupted 50140 48.12341234", tm, status, errCode, lat, want)
	}
	err = conn.QueryRowContext(ctx, `SELECT status, identity FROM signins WHERE "error" = 7000222`).Scan(&status, &identity)
	if err != nil {
		t.Fatal(err)
	}
	if status != "failure" || identity != "ConfigMgrSvc_22222222-dfb4-4070-ad95-cf1e68280bb0" {
		t.Errorf("expired secret sample: status %q identity %q", status, identity)
	}
	err = conn.QueryRowContext(ctx, `SELECT policy, authMethod, userType FROM signins WHERE "user" = 'nikhita.sethi@cyberfortgroup.com'`).Scan(&policy, &auth, &userTy)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(policy, []any{"Require MFA for everyone"}) || !reflect.DeepEqual(auth, []any{"Previously satisfied"}) || userTy != "member" {
		t.Errorf("non-interactive sample: policy %q authMethod %q userType %q", policy, auth, userTy)
	}
}

// TestSameAsSigninq compares every column of every row with what signinq
// parse makes of the same records (testdata/signins.canonical.jsonl),
// times to the microsecond, absent values as NULL, "" or [].
func TestSameAsSigninq(t *testing.T) {
	conn, _ := loadSamples(t)
	rows, err := conn.QueryContext(context.Background(), `SELECT CAST(to_json(s) AS VARCHAR) FROM signins s`)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, decode(t, s))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := readLines(t, canonical)
	if len(got) != len(want) {
		t.Fatalf("DuckDB has %d rows, signinq %d", len(got), len(want))
	}
	// DuckDB's reader need not keep the file's order.
	key := func(m map[string]any) string {
		return fmt.Sprintf("%v %v %v %v %v", m["id"], m["type"], m["time"], m["ingested"], m["user"])
	}
	slices.SortFunc(got, func(a, b map[string]any) int { return strings.Compare(key(a), key(b)) })
	slices.SortFunc(want, func(a, b map[string]any) int { return strings.Compare(key(a), key(b)) })
	for i := range got {
		for _, c := range columns {
			g, w := norm(t, c, got[i][c.name]), norm(t, c, want[i][c.name])
			if !reflect.DeepEqual(g, w) {
				t.Errorf("row %s, %s: DuckDB %#v, signinq %#v", key(want[i]), c.name, g, w)
			}
		}
	}
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return m
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, decode(t, sc.Text()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// norm turns a column's value, from DuckDB's to_json or signinq's
// canonical JSON, into a comparable one: nil when absent, times in UTC
// to the microsecond, numbers as float64 or int64.
func norm(t *testing.T, c column, v any) any {
	t.Helper()
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		if c.typ == tTime {
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999"} {
				if tm, err := time.Parse(layout, x); err == nil {
					return tm.UTC().Truncate(time.Microsecond)
				}
			}
			t.Errorf("%s: cannot parse time %q", c.name, x)
		}
	case []any:
		if len(x) == 0 {
			return nil
		}
	case json.Number:
		if c.typ == tFloat {
			f, err := x.Float64()
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			if math.IsNaN(f) {
				return nil
			}
			return f
		}
		n, err := x.Int64()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		return n
	}
	return v
}

// TestColumnsMatchCatalog checks the columns against signinq's catalog:
// every field has a column, in the catalog's order, of its kind's type,
// with the values of an enumerated field; every hand-written column is a
// field's; and the interrupt codes are those docs/fields.md lists.
func TestColumnsMatchCatalog(t *testing.T) {
	var names, have []string
	for _, f := range signin.Fields() {
		names = append(names, f.Name)
		i := slices.IndexFunc(columns, func(c column) bool { return c.name == f.Name })
		if i < 0 {
			t.Errorf("catalog field %s has no column: give it a diagnostic-settings key (signin.Field.Keys) or a column in specialColumns", f.Name)
			continue
		}
		c := columns[i]
		if c.typ != kindTypes[f.Kind] {
			t.Errorf("%s: column type %s, catalog kind %s", c.name, c.typ, f.Kind)
		}
		var values []string
		if signin.Ref[string](f) != nil { // not type and status, which are held as their enumerations
			values = f.Values
		}
		if !slices.Equal(c.values, values) {
			t.Errorf("%s: enumerated values %q, catalog %q", c.name, c.values, values)
		}
	}
	for _, c := range columns {
		have = append(have, c.name)
	}
	if !slices.Equal(have, names) {
		t.Errorf("columns %q\ncatalog %q", have, names)
	}
	for name := range specialColumns {
		if f := signin.Lookup(name); f == nil || f.Name != name {
			t.Errorf("specialColumns has %s, which is not a catalog field", name)
		}
	}

	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "fields.md"))
	if err != nil {
		t.Fatalf("reading the interrupt codes to compare with (docs/fields.md of this repository): %v", err)
	}
	codes := regexp.MustCompile(`(?m)^(\d+(?:, \d+)+)\.$`).FindSubmatch(doc)
	if codes == nil {
		t.Fatal("no interrupt codes in docs/fields.md")
	}
	var want []int64
	for _, s := range strings.Split(string(codes[1]), ", ") {
		n, _ := strconv.ParseInt(s, 10, 64)
		want = append(want, n)
	}
	if !slices.Equal(interruptCodes, want) {
		t.Errorf("interrupt codes %v, catalog %v", interruptCodes, want)
	}
}

func TestMedian(t *testing.T) {
	runs := []loadResult{{rows: 5, seconds: 3, dbBytes: 30}, {rows: 5, seconds: 1, dbBytes: 10}, {rows: 5, seconds: 2, dbBytes: 20}}
	if m := median(runs); m.seconds != 2 || m.dbBytes != 20 || m.rows != 5 {
		t.Errorf("median of 3: %+v", m)
	}
	if m := median(runs[:2]); m.seconds != 2 || m.dbBytes != 20 {
		t.Errorf("median of 2: %+v", m)
	}
}
