package api_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// TestStats checks /v1/stats against the store's own Stats: every
// number, every type named, the days in order.
func TestStats(t *testing.T) {
	s := newServer(t, api.Options{})
	resp, body := s.do("GET", "/v1/stats", nil)
	var got api.Stats
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	st, err := testStore(t).Stats()
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows != 5000 || got.Rows != st.Rows || got.Parts != st.Parts || got.RawSize != st.RawSize ||
		got.Bytes.Columns != st.ColumnBytes || got.Bytes.Parts != st.PartBytes() || got.Bytes.IDIndex != st.IDBytes {
		t.Errorf("stats %+v, the store's %+v", got, st)
	}
	if len(got.Types) != len(signin.Types) {
		t.Errorf("types %v: not every type", got.Types)
	}
	var sum int64
	for _, typ := range signin.Types {
		if got.Types[typ.String()] != st.TypeCount(typ) {
			t.Errorf("%s: %d, the store's %d", typ, got.Types[typ.String()], st.TypeCount(typ))
		}
		sum += got.Types[typ.String()]
	}
	if sum != got.Rows {
		t.Errorf("types sum to %d of %d", sum, got.Rows)
	}
	if len(got.Days) != len(st.Days) || len(got.Days) == 0 {
		t.Fatalf("%d days, the store's %d", len(got.Days), len(st.Days))
	}
	for i, d := range got.Days {
		want := st.Days[i]
		if d.Day != want.Day.Format(time.DateOnly) || d.Rows != want.Rows || d.Parts != want.Parts || !d.First.Equal(want.First) || !d.Last.Equal(want.Last) {
			t.Errorf("day %d: %+v, the store's %+v", i, d, want)
		}
	}
}

// TestFieldsPlugins checks /v1/fields against the catalog and
// /v1/plugins against the registry, the tests' stages among them.
func TestFieldsPlugins(t *testing.T) {
	s := newServer(t, api.Options{})
	_, body := s.do("GET", "/v1/fields", nil)
	var fields []api.Field
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatal(err)
	}
	catalog := signin.Fields()
	if len(fields) != len(catalog) {
		t.Fatalf("%d fields, the catalog's %d", len(fields), len(catalog))
	}
	for i, f := range fields {
		c := catalog[i]
		if f.Name != c.Name || f.Kind != c.Kind.String() || f.Doc != c.Doc || len(f.Values) != len(c.Values) || len(f.Aliases) != len(c.Aliases()) {
			t.Errorf("field %d: %+v, the catalog's %s", i, f, c.Name)
		}
	}

	_, body = s.do("GET", "/v1/plugins", nil)
	var pls []api.Plugin
	if err := json.Unmarshal(body, &pls); err != nil {
		t.Fatal(err)
	}
	byName := map[string]api.Plugin{}
	for _, p := range pls {
		byName[p.Name] = p
	}
	all := s.reg.All(0)
	if len(pls) != len(all) || len(byName) != len(all) {
		t.Fatalf("%d plugins, the registry's %d", len(pls), len(all))
	}
	for _, p := range all {
		d := p.Describe()
		got, ok := byName[d.Name]
		if !ok || got.Kind != d.Kind.String() || got.Usage != d.Usage() || got.Manual != d.Manual() || got.Help != d.Help || len(got.Args) != len(d.Args) {
			t.Errorf("%s: %+v", d.Name, got)
		}
	}
	if byName["stall"].Kind != plugins.KindStage.String() || byName["json"].Kind != "writer" || byName["count"].Kind != "aggregate" {
		t.Errorf("kinds: stall %q, json %q, count %q", byName["stall"].Kind, byName["json"].Kind, byName["count"].Kind)
	}
}
