package events

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// TestStoreSpanSuccesses checks StoreSpanSuccesses against a reading of
// the stored records one by one, on random sign-ins over three days
// (stored in two batches, so that a day has two parts) and random spans:
// keys that are stored, stored in another spelling (case, an IPv4
// address mapped in IPv6) or not at all, spans reaching past the query's
// range, successes whose error is one of the codes, errors absent,
// sign-ins without a user. The seed is a fixed one, else
// $SIGNINQ_SPANS_SEED's, and logged:
//
//	SIGNINQ_SPANS_SEED=N go test ./plugins/stage/internal/events -run TestStoreSpanSuccesses -v
func TestStoreSpanSuccesses(t *testing.T) {
	seed := uint64(20261206)
	if s := os.Getenv("SIGNINQ_SPANS_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("SIGNINQ_SPANS_SEED: %v", err)
		}
	}
	t.Logf("seed %d (replay with SIGNINQ_SPANS_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	day0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	ips := []string{"10.0.0.1", "10.0.0.2", "::ffff:10.0.0.3", "10.0.0.3", "2001:db8::1", "2001:DB8::1"}
	users := []string{"", "alice@contoso.com", "Alice@contoso.com", "bob@contoso.com", "carol@contoso.com"}
	statuses := []signin.Status{signin.StatusSuccess, signin.StatusFailure, signin.StatusInterrupted}
	errs := []int64{0, 50126, 50053, 50074, signin.NoInt}
	codes := []int64{50053, 50126}
	var recs []signin.Record
	for i := range 600 {
		r := signin.New()
		r.ID = fmt.Sprintf("id-%d", i)
		r.Time = day0.Add(time.Duration(rng.Int64N(int64(3 * 24 * time.Hour))))
		r.IP, r.User = ips[rng.IntN(len(ips))], users[rng.IntN(len(users))]
		r.Status, r.Error = statuses[rng.IntN(len(statuses))], errs[rng.IntN(len(errs))]
		recs = append(recs, r)
	}
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, batch := range [][]signin.Record{recs[:300], recs[300:]} {
		if _, err := db.IngestRecords(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	keys := append(slices.Clone(ips), "10.0.0.9", "")
	for round := range 50 {
		env := &plugins.Env{Snapshot: snap, From: math.MinInt64, To: math.MaxInt64}
		if round%2 == 1 {
			env.From = day0.Add(time.Duration(rng.Int64N(int64(24 * time.Hour)))).UnixNano()
			env.To = env.From + rng.Int64N(int64(48*time.Hour))
		}
		spans := make([]Span, 1+rng.IntN(8))
		for i := range spans {
			from := day0.Add(time.Duration(rng.Int64N(int64(3*24*time.Hour))) - time.Hour).UnixNano()
			spans[i] = Span{Key: keys[rng.IntN(len(keys))], From: from, To: from + rng.Int64N(int64(30*time.Hour))}
		}
		got, ok, err := StoreSpanSuccesses(ctx, env, "ip", "user", spans, codes)
		if err != nil || !ok {
			t.Fatalf("round %d: ok %v, error %v", round, ok, err)
		}
		for i, s := range spans {
			var want SpanSuccess
			set := map[string]bool{}
			for _, r := range recs {
				at := r.Time.UnixNano()
				if r.IP != s.Key || s.Key == "" || at < s.From || at > s.To || at < env.From || at >= env.To ||
					r.Status != signin.StatusSuccess || slices.Contains(codes, r.Error) {
					continue
				}
				want.N++
				if r.User != "" {
					set[r.User] = true
				}
			}
			for u := range set {
				want.Values = append(want.Values, u)
			}
			slices.Sort(want.Values)
			if got[i].N != want.N || !slices.Equal(got[i].Values, want.Values) {
				t.Errorf("round %d, span %+v in [%d, %d): got %+v, want %+v", round, s, env.From, env.To, got[i], want)
			}
		}
	}
	// Without a snapshot, it leaves the question to the caller.
	if _, ok, err := StoreSpanSuccesses(ctx, &plugins.Env{From: math.MinInt64, To: math.MaxInt64}, "ip", "user", []Span{{Key: "10.0.0.1", To: 1}}, codes); ok || err != nil {
		t.Errorf("without a snapshot: ok %v, error %v; want false, nil", ok, err)
	}
}
