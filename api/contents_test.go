package api_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
)

// TestContents checks GET /v1/span, /v1/lists, /v1/saved and /v1/values
// through a Client on a store's socket: each answers what the store
// itself holds (its span and count, its lists built in and stored, its
// saved queries, a field's values with their counts, by prefix and
// limit), and a wrong request is an *Error of the right status.
func TestContents(t *testing.T) {
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	s, err := api.ServeSocket(dir, api.New(db, standard.Registry(), api.SocketOptions(api.Options{Now: testNow})))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(0)
	c, err := api.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	// Empty: no first nor last.
	sp, err := c.Span(ctx)
	if err != nil || sp.Rows != 0 || sp.First != nil || sp.Last != nil {
		t.Fatalf("span of an empty store: %+v, %v", sp, err)
	}
	const seed = 23
	g, err := gen.New(gen.Config{Count: 800, Seed: seed, Users: 12, Days: 3, End: testEnd})
	if err != nil {
		t.Fatal(err)
	}
	var recs []signin.Record
	if err := g.Generate(ctx, func(batch []gen.Event) error {
		for i := range batch {
			recs = append(recs, batch[i].Record)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestRecords(ctx, recs); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}

	sp, err = c.Span(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	first, last, _ := snap.Span()
	if sp.Rows != snap.Count() || sp.Rows == 0 || sp.First == nil || !sp.First.Equal(first) || !sp.Last.Equal(last) {
		t.Errorf("span %+v, want %d sign-ins from %s to %s", sp, snap.Count(), first, last)
	}

	for _, field := range []string{"user", "status", "app", "country"} {
		vcs, err := snap.Values(engine.LookupColumn(field), true)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Values(ctx, field, true, "", 0)
		if err != nil {
			t.Fatalf("values of %s: %v", field, err)
		}
		if len(got) != len(vcs) || len(got) == 0 {
			t.Fatalf("values of %s: %d, want %d", field, len(got), len(vcs))
		}
		for i, vc := range vcs {
			if got[i].Value != vc.Value.String() || got[i].Signins != vc.Signins {
				t.Errorf("values of %s, %d: %+v, want %s × %d", field, i, got[i], vc.Value, vc.Signins)
			}
		}
		// A prefix and a limit: the first values beginning with it.
		prefix := got[len(got)/2].Value[:1]
		var want []string
		for _, v := range got {
			if strings.HasPrefix(v.Value, prefix) && len(want) < 2 {
				want = append(want, v.Value)
			}
		}
		some, err := c.Values(ctx, field, false, prefix, 2)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, v := range some {
			texts = append(texts, v.Value)
			if v.Signins != 0 {
				t.Errorf("values of %s without counts: %+v", field, v)
			}
		}
		if !slices.Equal(texts, want) {
			t.Errorf("values of %s beginning with %q, 2 at most: %q, want %q", field, prefix, texts, want)
		}
	}
	snap.Close()
	// A field without a dictionary has none; one not in the catalog is an
	// error.
	if vs, err := c.Values(ctx, "time", false, "", 0); err != nil || len(vs) != 0 {
		t.Errorf("values of time: %v, %v", vs, err)
	}
	var ae *api.Error
	if _, err := c.Values(ctx, "nosuchfield", false, "", 0); !errors.As(err, &ae) || ae.Status() != 400 || ae.Kind != api.KindRequest {
		t.Errorf("values of a field not in the catalog: %v", err)
	}

	if err := query.SetList(db, "Watch", []string{"10.0.0.0/8", "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	lists, err := c.Lists(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	local, err := query.ListsOf(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != len(local) {
		t.Fatalf("%d lists, want %d", len(lists), len(local))
	}
	for i, l := range local {
		q := lists[i].Query()
		if q.Name != l.Name || !slices.Equal(q.Values, l.Values) || q.Builtin != l.Builtin || q.Doc != l.Doc || q.Kind() != l.Kind() || lists[i].Kind != l.Kind().String() {
			t.Errorf("list %d: %+v, want %s %v", i, lists[i], l.Name, l.Values)
		}
	}
	one, err := c.Lists(ctx, "@watch")
	if err != nil || len(one) != 1 || one[0].Name != "Watch" || one[0].Kind != "addresses" || len(one[0].Values) != 2 {
		t.Errorf("the list @watch: %+v, %v", one, err)
	}
	_, err = c.Lists(ctx, "nolist")
	_, lerr := query.ListOf(db, "nolist")
	if !errors.As(err, &ae) || ae.Status() != 404 || err.Error() != lerr.Error() {
		t.Errorf("a list there is not: %v, want 404 %q", err, lerr)
	}

	saved, err := c.Saved(ctx)
	if err != nil || len(saved) != 0 {
		t.Errorf("saved queries of a store with none: %v, %v", saved, err)
	}
	for _, def := range []string{"define fails(d) = count where status=failure since d", "define tops = spray accounts=3 | grouped 1h"} {
		a, err := c.Query(ctx, api.QueryRequest{Query: def})
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
	}
	saved, err = c.Saved(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := query.MacrosOf(db, standard.Registry())
	if err != nil {
		t.Fatal(err)
	}
	all := ms.All()
	if len(saved) != 2 || len(all) != 2 {
		t.Fatalf("saved %+v, want 2", saved)
	}
	for i, m := range all {
		if saved[i].Name != m.Name || saved[i].Text != m.String() || saved[i].Stages != m.Stages || saved[i].Error != "" {
			t.Errorf("saved %d: %+v, want %s", i, saved[i], m)
		}
	}
	if !saved[1].Stages || saved[0].Stages {
		t.Errorf("saved %+v: tops stands for stages, fails not", saved)
	}
	if _, err := c.Saved(ctx); err != nil {
		t.Fatal(err)
	}
}
