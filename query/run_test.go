package query

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/query/ast"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// TestShow stores real sign-ins of every type and shows each by id:
// every field as read, and the original record's text; an unknown id is
// a positioned error.
func TestShow(t *testing.T) {
	dir := "testdata/samples"
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Ingest(t.Context(), []string{dir}, engine.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	var recs []*signin.Record
	ids := map[string]int{}
	for r, err := range logfile.All(t.Context(), []string{dir}, logfile.Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
		ids[r.ID]++
	}
	types := map[signin.Type]bool{}
	for _, r := range recs {
		if ids[r.ID] != 1 {
			continue // an id the samples hold twice
		}
		types[r.Type] = true
		res, err := Run(t.Context(), db, nil, "show "+ast.Quote(r.ID), Options{Now: r.Time})
		if err != nil {
			t.Fatalf("show %s: %v", r.ID, err)
		}
		if len(res.Rows) != 1 {
			t.Fatalf("show %s: %d rows", r.ID, len(res.Rows))
		}
		row := res.Rows[0]
		for i, f := range signin.Fields() {
			if c := res.Columns[i]; c.Name != f.Name || c.Kind != f.Kind {
				t.Fatalf("column %d is %s:%s, want %s:%s", i, c.Name, c.Kind, f.Name, f.Kind)
			}
			if got, want := row[i], naiveValue(f, r); !got.Equal(want) {
				t.Errorf("show %s: %s = %s, want %s", r.ID, f.Name, got, want)
			}
		}
		last := len(res.Columns) - 1
		if res.Columns[last].Name != "raw" || row[last].Str() != string(r.Raw) {
			t.Errorf("show %s: raw %.80q, want the original record %.80q", r.ID, row[last].Str(), r.Raw)
		}
	}
	if len(types) < 4 {
		t.Errorf("the samples hold %d types of sign-in, want all 4", len(types))
	}
	_, err = Run(t.Context(), db, nil, "show no-such-id", Options{})
	var qe *Error
	if !errors.As(err, &qe) || qe.Pos.String() != "1:6" || !strings.Contains(qe.Msg, "no sign-in has the id no-such-id") {
		t.Errorf("show of an unknown id: %v, want 1:6: no sign-in has the id …", err)
	}
}

// TestFirstRows checks the bounded selection of the first rows against a
// full stable sort, with many equal rows.
func TestFirstRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	order := func(a, b []result.Value) int { return result.Compare(b[0], a[0]) } // descending
	for range 300 {
		rows := make([][]result.Value, rng.IntN(200)+1)
		for i := range rows {
			rows[i] = []result.Value{result.IntValue(int64(rng.IntN(20))), result.IntValue(int64(i))}
		}
		n := rng.IntN(len(rows) + 1)
		want := slices.Clone(rows)
		slices.SortStableFunc(want, order)
		want = want[:n]
		got := firstRows(rows, n, order)
		slices.SortStableFunc(got, order)
		if !slices.EqualFunc(got, want, func(a, b []result.Value) bool { return a[1].Equal(b[1]) }) {
			t.Fatalf("first %d of %d rows:\n got  %v\n want %v", n, len(rows), got, want)
		}
	}
}

// TestHugeNumbers gives limits, top's N, durations and stages' arguments
// as large as a query can write them: each is a result (the same as
// without the limit) or a positioned error, never a panic (a huge limit
// once overflowed the executor's size arithmetic, and its panic was
// reported as a plugin's).
func TestHugeNumbers(t *testing.T) {
	db, err := fuzzStore()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Now: checkNow}
	same := func(text, want string) {
		t.Helper()
		got, err := Run(t.Context(), db, nil, text, opts)
		if err != nil {
			t.Errorf("%s: %v", text, err)
			return
		}
		w, err := Run(t.Context(), db, nil, want, opts)
		if err != nil {
			t.Fatalf("%s: %v", want, err)
		}
		if len(got.Rows) == 0 || diffRows(got.Rows, w.Rows) {
			t.Errorf("%s: %d rows, unlike %s (%d rows)", text, len(got.Rows), want, len(w.Rows))
		}
	}
	for _, n := range []string{"1152921504606846976", "4611686018427387904", "9223372036854775807"} {
		same("count group by app limit "+n, "count group by app")
		same("top "+n+" app", "count group by app")
		same("top "+n+" user, app by dcount(ip)", "dcount(ip) group by user, app order by dcount(ip) desc, user, app")
		same("list time, user, app limit "+n, "list time, user, app")
	}
	for _, tc := range []struct{ text, pos, msg string }{
		{"count group by app limit 9223372036854775808", "1:26", "limit takes a whole number of 1 or more"},
		{"top 99999999999999999999 app", "1:5", "top takes a whole number of 1 or more"},
		{"count since 100000000000d", "1:13", "since 100000000000d is too long a duration: at most 106751d (292 years)"},
		{"count since 1099511627776w", "1:13", "too long a duration"},
		{"count group by bin(100000000000d)", "1:20", "bin(100000000000d) is too long a duration"},
		{"count where hour(time) = 1 group by bin(9223372036854775807ms)", "1:41", "too long a duration"},
	} {
		_, err := Run(t.Context(), db, nil, tc.text, opts)
		var qe *Error
		if !errors.As(err, &qe) || qe.Pos.String() != tc.pos || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%s:\n  got  %v\n  want %s: …%s…", tc.text, err, tc.pos, tc.msg)
		}
	}
	// The longest durations there are, and the stages' numbers and
	// durations at their extremes: results or errors, never a panic.
	for _, text := range []string{
		"count since 106751d", "count since 9223372036854ms", "count group by bin(106751d)", "count group by bin(1ms) since 1h",
		"list since 7d | spikes k=1e308 min=9223372036854775807 bin=106751d",
		"list since 7d | spray accounts=9223372036854775807 window=106751d",
		"list since 7d | bruteforce failures=9223372036854775807 window=106751d",
		"list since 7d | mfafatigue prompts=9223372036854775807 denials=9223372036854775807 window=106751d",
		"list since 7d | travel speed=1e308 distance=1e308 familiar=9223372036854775807 shared=9223372036854775807 baseline=106751d",
		"list since 7d | newvalue country by user baseline 106751d",
		"list since 7d | grouped window=106751d",
		"count group by subnet(ip, 9223372036854775807)",
	} {
		_, err := Run(t.Context(), db, nil, text, opts)
		if errors.Is(err, ErrInternal) || errors.Is(err, ErrPluginPanic) {
			t.Errorf("%s: %v", text, err)
		}
	}
}
