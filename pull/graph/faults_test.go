package graph

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/fakegraph"
)

// 429 and 503 wait as Retry-After says, in seconds or as an HTTP date;
// without it the pull backs off; the page is then asked for again and
// nothing is lost.
func TestPullThrottled(t *testing.T) {
	tn := newTenant(t, 800, fakegraph.Options{})
	db := openStore(t)
	var w waits
	tn.fake.After(5)
	tn.fake.Throttle(2, http.StatusTooManyRequests, "7")
	tn.fake.Throttle(1, http.StatusServiceUnavailable, t0.Add(30*time.Second).Format(http.TimeFormat))
	tn.fake.Throttle(1, http.StatusServiceUnavailable, "")
	tn.fake.Throttle(1, http.StatusTooManyRequests, "3600")
	st, err := Pull(context.Background(), db, tn.options(t0, &w))
	if err != nil {
		t.Fatal(err)
	}
	checkStored(t, db, tn)
	// The fourth failure backs off: 1 s doubled thrice, half fixed and
	// half jittered (0.5): 6 s. An hour is capped at ten minutes.
	want := []time.Duration{7 * time.Second, 7 * time.Second, 30 * time.Second, 6 * time.Second, retryAfterMax}
	if got := w.all(); !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	if st.Total.Throttled != 5 || st.Total.Retries != 5 {
		t.Errorf("throttled %d, retries %d; want 5 and 5", st.Total.Throttled, st.Total.Retries)
	}
	// The page throttled is asked for again, the same URL.
	reqs := tn.fake.Requests()
	for i, r := range reqs[:len(reqs)-1] {
		if r.Fault != "" && reqs[i+1].Query.Encode() != r.Query.Encode() {
			t.Errorf("request %d (%s) followed by another page", i, r.Fault)
		}
	}
}

// A server that stays unavailable is given up after Attempts, with the
// page's URL; the waits grow exponentially with jitter; the other types
// are still read.
func TestPullGivesUp(t *testing.T) {
	tn := newTenant(t, 800, fakegraph.Options{})
	db := openStore(t)
	var w waits
	tn.fake.Throttle(4, http.StatusServiceUnavailable, "")
	opts := tn.options(t0, &w)
	opts.Attempts = 4
	opts.Jitter = func() float64 { return 0.999 }
	st, err := Pull(context.Background(), db, opts)
	if !errors.Is(err, ErrGaveUp) {
		t.Fatalf("error %v, want ErrGaveUp", err)
	}
	if !strings.Contains(err.Error(), "/beta/auditLogs/signIns?") || !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("error %q does not say the page and the attempts", err)
	}
	got := w.all()
	if len(got) != 3 {
		t.Fatalf("waits %v, want 3", got)
	}
	for i, d := range got {
		full := backoffBase << i
		if d < full/2 || d >= full {
			t.Errorf("wait %d: %s, want in [%s, %s)", i, d, full/2, full)
		}
	}
	if ts := typeStats(st, InteractiveUser); ts.Err == nil || !ts.Cursor.IsZero() {
		t.Errorf("interactive: %v, cursor %s; want its error and no cursor", ts.Err, ts.Cursor)
	}
	for _, typ := range Types[1:] {
		if ts := typeStats(st, typ); ts.Err != nil || ts.Stored != int64(len(tn.ids[typ])) {
			t.Errorf("%s: %v, %d stored; want all %d", typ, ts.Err, ts.Stored, len(tn.ids[typ]))
		}
	}
	// Pulled again, the interactive sign-ins are all read.
	if _, err := Pull(context.Background(), db, tn.options(t0, &w)); err != nil {
		t.Fatal(err)
	}
	checkStored(t, db, tn)
}

func TestBackoff(t *testing.T) {
	for n := 1; n <= 12; n++ {
		full := min(backoffBase<<(n-1), backoffMax)
		lo, hi := backoff(n, 0), backoff(n, 0.999999)
		if lo != full/2 || hi >= full || hi < full*99/100 {
			t.Errorf("backoff(%d): %s to %s, want %s to just under %s", n, lo, hi, full/2, full)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		h  string
		d  time.Duration
		ok bool
	}{
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"99999999999999", retryAfterMax, true},
		{t0.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{t0.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	} {
		d, ok := retryAfter(c.h, t0)
		if d != c.d || ok != c.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", c.h, d, ok, c.d, c.ok)
		}
	}
}

// A connection cut midway through a page's body is retried from that
// page; nothing is lost or doubled.
func TestPullDroppedConnection(t *testing.T) {
	tn := newTenant(t, 800, fakegraph.Options{})
	db := openStore(t)
	var w waits
	tn.fake.After(3)
	tn.fake.Drop(2)
	st, err := Pull(context.Background(), db, tn.options(t0, &w))
	if err != nil {
		t.Fatal(err)
	}
	checkStored(t, db, tn)
	if st.Total.Retries != 2 || st.Total.Stored != int64(tn.total()) {
		t.Errorf("retries %d, stored %d; want 2 and %d", st.Total.Retries, st.Total.Stored, tn.total())
	}
	reqs := tn.fake.Requests()
	drops := 0
	for i, r := range reqs {
		if r.Fault == "drop" {
			drops++
			if reqs[i+1].Query.Encode() != r.Query.Encode() {
				t.Errorf("the page dropped is not asked for again")
			}
		}
	}
	if drops != 2 {
		t.Errorf("%d drops served, want 2", drops)
	}
}

// A page that is not a Graph page is an error with its URL, and the
// type's cursor stays before it; with SkipMalformed it is skipped with
// the rest of its slice, said in the stats, and the cursor still stays
// before it, so that the next pull reads it.
func TestPullMalformedPage(t *testing.T) {
	tn := newTenant(t, 800, fakegraph.Options{})
	db := openStore(t)
	var w waits
	opts := tn.options(t0, &w)
	opts.Types = []string{InteractiveUser}
	tn.fake.After(29) // the last day's listing
	tn.fake.Malform(2)
	st, err := Pull(context.Background(), db, opts)
	if !errors.Is(err, ErrMalformedPage) || !strings.Contains(err.Error(), tn.fake.URL()+"/beta/auditLogs/signIns?") || !strings.Contains(err.Error(), "not JSON") {
		t.Fatalf("error %v; want ErrMalformedPage with the URL and what is wrong", err)
	}
	if c := st.Types[0].Cursor; !c.Equal(t0.Add(-24 * time.Hour)) {
		t.Errorf("cursor %s, want the start of the slice not read, %s", c, t0.Add(-24*time.Hour))
	}

	tn.fake.After(1)
	tn.fake.Malform(2)
	opts.SkipMalformed = true
	opts.Since = t0.Add(-48 * time.Hour)
	var warned []error
	opts.OnWarning = func(err error) { warned = append(warned, err) }
	st, err = Pull(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := st.Types[0]
	if len(ts.Skipped) != 1 || !strings.Contains(ts.Skipped[0].URL, "/beta/auditLogs/signIns?") || !errors.Is(ts.Skipped[0], ErrMalformedPage) {
		t.Fatalf("skipped %v", ts.Skipped)
	}
	if !ts.Cursor.Equal(t0.Add(-24 * time.Hour)) {
		t.Errorf("cursor %s after a skip, want it unmoved at %s", ts.Cursor, t0.Add(-24*time.Hour))
	}
	if len(warned) == 0 {
		t.Errorf("no warning of the page skipped")
	}
	st, err = Pull(context.Background(), db, opts)
	if err != nil || len(st.Types[0].Skipped) != 0 || !st.Types[0].Cursor.Equal(t0) {
		t.Fatalf("third pull: %v, %+v", err, st.Types[0])
	}
	tn.ids = map[string][]string{InteractiveUser: tn.ids[InteractiveUser]}
	checkStored(t, db, tn)
}

// Interrupted midway (Ctrl-C), a pull commits what it read and keeps
// the cursor of the slices it finished; a second pull completes it with
// nothing lost or doubled.
func TestPullInterrupted(t *testing.T) {
	tn := newTenant(t, 3000, fakegraph.Options{})
	db := openStore(t)
	var w waits
	ctx, cancel := context.WithCancel(context.Background())
	opts := tn.options(t0, &w)
	pages := 0
	opts.Progress = func(p Progress) {
		if pages++; pages == 45 {
			cancel()
		}
	}
	st, err := Pull(ctx, db, opts)
	if !errors.Is(err, engine.ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want ErrInterrupted and context.Canceled", err)
	}
	n, _ := db.Count()
	if n == 0 || n != st.Total.Stored || n >= int64(tn.total()) {
		t.Fatalf("interrupted: %d stored, stats say %d, of %d", n, st.Total.Stored, tn.total())
	}
	if len(st.Types) == len(Types) {
		t.Errorf("every type was read: interrupt later")
	}
	cur := st.Types[len(st.Types)-1].Cursor
	if !cur.After(t0.Add(-DefaultFirst)) || !cur.Before(t0) {
		t.Errorf("cursor of the type interrupted: %s, want inside the window", cur)
	}
	st, err = Pull(context.Background(), db, tn.options(t0, &w))
	if err != nil {
		t.Fatal(err)
	}
	checkStored(t, db, tn)
	if got := n + st.Total.Stored; got != int64(tn.total()) {
		t.Errorf("%d + %d stored, want %d", n, st.Total.Stored, tn.total())
	}
}

// A token Graph refuses as expired is renewed through azidentity's
// client-secret credential against the fake authority, over TLS; a wrong
// secret is an error that does not hold it. The tokens live 4 minutes:
// the pull keeps one until 2 minutes before its end, and MSAL renews
// one that ends within 5 minutes when asked.
func TestPullTokenRenewal(t *testing.T) {
	tn := newTenant(t, 800, fakegraph.Options{TokenUses: 7, TokenLife: 4 * time.Minute})
	db := openStore(t)
	var w waits
	cred := clientSecret(t, tn, tn.fake.ClientSecret())
	opts := tn.options(t0, &w)
	opts.Credential = cred
	opts.Now = time.Now // the token's life is azidentity's, on the real clock
	before := tn.fake.Issued()
	st, err := Pull(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkStored(t, db, tn)
	expired := 0
	for _, r := range tn.fake.Requests() {
		if r.Fault == "expired" {
			expired++
		}
	}
	if expired == 0 || tn.fake.Issued()-before < expired+1 || st.Total.Retries != int64(expired) {
		t.Errorf("%d refused as expired, %d tokens issued, %d retries", expired, tn.fake.Issued()-before, st.Total.Retries)
	}

	secret := "wrong-" + tn.fake.ClientSecret()
	opts.Credential = clientSecret(t, tn, secret)
	_, err = Pull(context.Background(), db, opts)
	if !errors.Is(err, ErrUnauthorized) || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), tn.fake.ClientSecret()) {
		t.Errorf("wrong secret: %v", err)
	}
}

// A static token (a token file) refused as expired is asked for again
// once, and refused again: an error that says so.
func TestPullStaticTokenExpired(t *testing.T) {
	tn := newTenant(t, 400, fakegraph.Options{TokenUses: 3})
	db := openStore(t)
	var w waits
	_, err := Pull(context.Background(), db, tn.options(t0, &w))
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "renewed and refused again") {
		t.Errorf("error %v", err)
	}
}

func clientSecret(t *testing.T, tn *tenant, secret string) azcore.TokenCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(tn.fake.TenantID(), tn.fake.ClientID(), secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: tn.fake.URL() + "/"},
			Transport: tn.fake.Client(),
		},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}
