package graph

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/fakegraph"
)

// A first pull reads every type's sign-ins, page by page, in day slices
// oldest first, with the filter Graph documents, and sets each type's
// cursor to its end; a second pull reads the overlap again and stores
// nothing.
func TestPullPagingAndIncremental(t *testing.T) {
	tn := newTenant(t, 3000, fakegraph.Options{})
	db := openStore(t)
	var w waits
	opts := tn.options(t0, &w)
	var progress []Progress
	opts.Progress = func(p Progress) { progress = append(progress, p) }
	st, err := Pull(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkStored(t, db, tn)
	var pages int64
	for _, typ := range Types {
		ts := typeStats(st, typ)
		n := int64(len(tn.ids[typ]))
		if n == 0 {
			t.Fatalf("the tenant has no %s sign-ins", typ)
		}
		if ts.Stored != n || ts.Read != n+ts.Duplicates {
			t.Errorf("%s: stored %d, read %d, %d duplicates; the fake holds %d", typ, ts.Stored, ts.Read, ts.Duplicates, n)
		}
		if !ts.Cursor.Equal(t0) || !ts.From.Equal(t0.Add(-DefaultFirst)) || !ts.To.Equal(t0) {
			t.Errorf("%s: window %s to %s, cursor %s; want %s to %s, cursor at the end", typ, ts.From, ts.To, ts.Cursor, t0.Add(-DefaultFirst), t0)
		}
		if !ts.Newest.Equal(tn.newest[typ]) {
			t.Errorf("%s: newest %s, want %s", typ, ts.Newest, tn.newest[typ])
		}
		pages += ts.Pages
	}
	if len(w.all()) != 0 {
		t.Errorf("waited %v without a fault", w.all())
	}
	// The requests: a first page per type and day, each with the type's
	// filter over its day, oldest day first, then the next links.
	reqs := tn.fake.Requests()
	if int64(len(reqs)) != pages {
		t.Errorf("%d requests for %d pages", len(reqs), pages)
	}
	firsts := map[string][]string{}
	for _, r := range reqs {
		if r.Status != 200 {
			t.Errorf("request %s?%s: status %d", r.Path, r.Query.Encode(), r.Status)
		}
		if r.Query.Get("$top") != "100" {
			t.Errorf("$top %q", r.Query.Get("$top"))
		}
		if r.Query.Get("$skiptoken") == "" {
			f := r.Query.Get("$filter")
			typ := f[strings.Index(f, "'")+1 : strings.LastIndex(f, "'")]
			firsts[typ] = append(firsts[typ], f)
		}
	}
	for _, typ := range Types {
		if len(firsts[typ]) != 30 {
			t.Errorf("%s: %d listings, want 30 day slices", typ, len(firsts[typ]))
			continue
		}
		a := t0.Add(-DefaultFirst)
		for i, f := range firsts[typ] {
			want := "(signInEventTypes/any(t: t eq '" + typ + "')) and createdDateTime ge " + a.Format(time.RFC3339) + " and createdDateTime le " + a.Add(24*time.Hour).Format(time.RFC3339)
			if f != want {
				t.Errorf("%s listing %d: $filter=%s\nwant %s", typ, i, f, want)
			}
			a = a.Add(24 * time.Hour)
		}
	}
	if len(progress) == 0 || !progress[len(progress)-1].Finished || progress[len(progress)-1].Covered != 1 {
		t.Errorf("progress ends with %+v", progress[len(progress)-1:])
	}
	for i := 1; i < len(progress); i++ {
		if p, q := progress[i-1], progress[i]; p.Type == q.Type && (q.Covered < p.Covered || q.Read < p.Read) {
			t.Errorf("progress goes back: %+v then %+v", p, q)
		}
	}

	// Ten minutes later: the window is the overlap and the ten minutes.
	tn.fake.ResetRequests()
	st, err = Pull(context.Background(), db, tn.options(t0.Add(10*time.Minute), &w))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Stored != 0 || st.Total.Read != st.Total.Duplicates {
		t.Errorf("second pull: %+v; want nothing stored", st.Total)
	}
	for _, ts := range st.Types {
		if !ts.From.Equal(t0.Add(-DefaultOverlap)) || !ts.Cursor.Equal(t0.Add(10*time.Minute)) {
			t.Errorf("second pull of %s: from %s, cursor %s", ts.Type, ts.From, ts.Cursor)
		}
	}
	checkStored(t, db, tn)
}

// A sign-in Graph lists late, with a createdDateTime inside the overlap,
// is picked up by the next pull; one older than the overlap is missed,
// as documented, unless a pull is given --since before it.
func TestPullLateArrivals(t *testing.T) {
	tn := newTenant(t, 1200, fakegraph.Options{})
	db := openStore(t)
	var w waits
	if _, err := Pull(context.Background(), db, tn.options(t0, &w)); err != nil {
		t.Fatal(err)
	}
	inside := lateSignIn(t, tn, "late-inside", t0.Add(-30*time.Minute))
	outside := lateSignIn(t, tn, "late-outside", t0.Add(-3*time.Hour))
	st, err := Pull(context.Background(), db, tn.options(t0.Add(5*time.Minute), &w))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Stored != 1 {
		t.Errorf("second pull stored %d, want the one late sign-in inside the overlap", st.Total.Stored)
	}
	err = db.View(func(s *engine.Snapshot) error {
		if _, err := s.Get(inside); err != nil {
			t.Errorf("late sign-in inside the overlap: %v", err)
		}
		if _, err := s.Get(outside); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("late sign-in outside the overlap: %v; want it missed (documented)", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A bounded pull over the older hours finds it, and leaves the cursor.
	opts := tn.options(t0.Add(6*time.Minute), &w)
	opts.Since, opts.Until = t0.Add(-4*time.Hour), t0.Add(-2*time.Hour)
	opts.Types = []string{InteractiveUser}
	st, err = Pull(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Stored != 1 || !st.Types[0].Cursor.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("bounded pull: stored %d, cursor %s; want 1 and the cursor unmoved", st.Total.Stored, st.Types[0].Cursor)
	}
	checkStored(t, db, tn, inside, outside)
}

// lateSignIn adds to the fake an interactive sign-in created at at, a
// copy of a stored one under a new id, and returns its id.
func lateSignIn(t *testing.T, tn *tenant, id string, at time.Time) string {
	t.Helper()
	obj := tn.first[InteractiveUser]
	id = "00000000-0000-4000-8000-" + strings.Repeat("0", 12-len(id)) + id
	if len(id) != 36 {
		t.Fatalf("id %s", id)
	}
	obj = strings.Replace(obj, `"id":"`+tn.ids[InteractiveUser][0]+`"`, `"id":"`+id+`"`, 1)
	i := strings.Index(obj, `"createdDateTime":"`) + len(`"createdDateTime":"`)
	j := strings.Index(obj[i:], `"`)
	obj = obj[:i] + at.Format("2006-01-02T15:04:05.0000000Z") + obj[i+j:]
	if err := tn.fake.Add(InteractiveUser, at, id, []byte(obj)); err != nil {
		t.Fatal(err)
	}
	return id
}
