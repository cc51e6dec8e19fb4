package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/pull"
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
	if got.Pulls == nil || len(got.Pulls) != 0 {
		t.Errorf("pulls %v, want [] from a store never pulled into", got.Pulls)
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

// TestStatsPulls checks the pulls /v1/stats reports from a scheduled
// server: as the server gives them, with their lag at the answer's time.
func TestStatsPulls(t *testing.T) {
	newest := testNow().Add(-90 * time.Minute)
	live := []pull.Status{
		{Source: "graph", Started: testNow().Add(-time.Minute), Running: true, Newest: newest, Pulls: 3, TotalStored: 120},
		{Source: "storage", Started: testNow().Add(-time.Hour), Ended: testNow().Add(-59 * time.Minute), Error: "storage: 403 AuthorizationFailure", Failures: 1, Failing: 1, Pulls: 1},
	}
	s := newServer(t, api.Options{Pulls: func() []pull.Status { return live }})
	resp, body := s.do("GET", "/v1/stats", nil)
	var got api.Stats
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	if len(got.Pulls) != 2 {
		t.Fatalf("pulls %+v", got.Pulls)
	}
	if g := got.Pulls[0]; g.Status != live[0] || g.LagSeconds != 5400 {
		t.Errorf("graph's: %+v, lag %v; want %+v, lag 5400", g.Status, g.LagSeconds, live[0])
	}
	if g := got.Pulls[1]; g.Status != live[1] || g.LagSeconds != 0 {
		t.Errorf("storage's: %+v, lag %v; want %+v, lag 0", g.Status, g.LagSeconds, live[1])
	}
	for _, want := range []string{`"running":true`, `"error":"storage: 403 AuthorizationFailure"`, `"lagSeconds":5400`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the answer lacks %s: %s", want, body)
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
