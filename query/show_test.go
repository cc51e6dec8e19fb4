package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/signinq/signinq/query/ast"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
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
