package graph

import (
	"context"
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/fakegraph"
	"github.com/signinq/signinq/internal/gen"
)

var seed = flag.Uint64("graph.seed", 1, "seed of the generated tenant the fake serves")

// t0 is the tests' now.
var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// tenant is a fake Graph holding a generated tenant's sign-ins, with
// their ids by type.
type tenant struct {
	fake   *fakegraph.Server
	ids    map[string][]string // by signInEventTypes value
	newest map[string]time.Time
	first  map[string]string // the Graph JSON of each type's first sign-in
}

func (tn *tenant) total() int {
	n := 0
	for _, ids := range tn.ids {
		n += len(ids)
	}
	return n
}

// newTenant starts a fake holding count sign-ins over the 3 days before
// t0 (less a minute).
func newTenant(t *testing.T, count int64, opts fakegraph.Options) *tenant {
	t.Helper()
	f, err := fakegraph.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	t.Logf("tenant: %d sign-ins, seed %d (-graph.seed)", count, *seed)
	g, err := gen.New(gen.Config{Count: count, Seed: *seed, Days: 3, End: t0.Add(-time.Minute), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	tn := &tenant{fake: f, ids: map[string][]string{}, newest: map[string]time.Time{}, first: map[string]string{}}
	err = g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			ev := &batch[i]
			typ := fakegraph.EventType(ev.Record.Type)
			if typ == "" {
				continue
			}
			if err := f.AddEvent(ev); err != nil {
				return err
			}
			if len(tn.ids[typ]) == 0 {
				tn.first[typ] = string(gen.AppendGraph(nil, ev))
			}
			tn.ids[typ] = append(tn.ids[typ], ev.Record.ID)
			if ev.Record.Time.After(tn.newest[typ]) {
				tn.newest[typ] = ev.Record.Time
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// staticCred hands out one token, as a token file does.
type staticCred struct{ token string }

func (c staticCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: c.token, ExpiresOn: t0.Add(time.Hour)}, nil
}

// waits records the waits of a pull instead of waiting.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// options are a pull's options against tn's fake at now, recording waits.
func (tn *tenant) options(now time.Time, w *waits) Options {
	return Options{
		GraphURL:   tn.fake.URL(),
		Credential: staticCred{tn.fake.IssueToken()},
		HTTPClient: tn.fake.Client(),
		Now:        func() time.Time { return now },
		Sleep:      w.sleep,
		Jitter:     func() float64 { return 0.5 },
		PageSize:   100,
	}
}

func openStore(t *testing.T) *engine.DB {
	t.Helper()
	db, err := engine.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// checkStored checks the store holds exactly the tenant's sign-ins (by
// id), plus extra.
func checkStored(t *testing.T, db *engine.DB, tn *tenant, extra ...string) {
	t.Helper()
	n, err := db.Count()
	if err != nil {
		t.Fatal(err)
	}
	want := tn.total() + len(extra)
	if n != int64(want) {
		t.Errorf("store holds %d sign-ins, want %d", n, want)
	}
	err = db.View(func(s *engine.Snapshot) error {
		missing := 0
		for _, ids := range tn.ids {
			for _, id := range append(ids, extra...) {
				if _, err := s.Get(id); err != nil {
					if missing++; missing <= 3 {
						t.Errorf("sign-in %s: %v", id, err)
					}
				}
			}
			extra = nil
		}
		if missing > 0 {
			t.Errorf("%d sign-ins missing", missing)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func typeStats(st Stats, typ string) TypeStats {
	for _, ts := range st.Types {
		if ts.Type == typ {
			return ts
		}
	}
	panic(fmt.Sprintf("no stats of %s", typ))
}
