package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/fakegraph"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/pull"
)

// servePullEnv sets what a serve pulling from the fake runs with: the
// fake's certificate trusted, a client secret (or wrong one) in the
// environment, and the command's clock starting at pullNow.
func servePullEnv(t *testing.T, f *fakegraph.Server, ca, secret string) {
	t.Setenv("SSL_CERT_FILE", ca)
	t.Setenv("SIGNINQ_TEST_NOW", pullNow)
	for _, kv := range secretEnv(f, secret) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// stats asks a serve's GET /v1/stats.
func serveStats(t *testing.T, url string) (api.Stats, string) {
	t.Helper()
	code, body := get(t, http.DefaultClient, url+"/v1/stats", "")
	var st api.Stats
	if err := json.Unmarshal([]byte(body), &st); err != nil || code != 200 {
		t.Fatalf("GET /v1/stats: %d %v: %s", code, err, body)
	}
	return st, body
}

// waitStats asks a serve's stats until ok says they are what the test
// waits for, and returns them.
func waitStats(t *testing.T, c *serveChild, what string, ok func(api.Stats) bool) api.Stats {
	t.Helper()
	watchdog := time.After(2 * time.Minute) // not a timing: so that a bug fails rather than hangs
	for {
		st, _ := serveStats(t, c.url)
		if ok(st) {
			return st
		}
		select {
		case <-watchdog:
			t.Fatalf("waiting for %s: stats %+v\n%s", what, st, c.output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestServePullGraph runs signinq serve --pull graph, a real process
// pulling from the fake over TLS every second while it answers: the
// first pull stores the fake's sign-ins through a throttled response;
// sign-ins that arrive later, inside the overlap, are stored by a later
// pull, once; stats and the API report each pull, its lag and no error;
// stopped, serve exits 0 and the store keeps the source's status.
func TestServePullGraph(t *testing.T) {
	f, ca := graphFake(t, 1500)
	db := filepath.Join(t.TempDir(), "store") // made by serve
	f.After(2)
	f.Throttle(1, http.StatusTooManyRequests, "0")
	servePullEnv(t, f, ca, f.ClientSecret())
	c := startServe(t, "--db", db, "--listen", "127.0.0.1:0", "--pull", "graph", "--every", "1s",
		"--graph-url", f.URL(), "--authority-url", f.URL())
	total := fakeTotal(f)
	first := waitStats(t, c, "the first pull", func(st api.Stats) bool { return len(st.Pulls) == 1 && st.Pulls[0].Pulls >= 1 })
	p := first.Pulls[0]
	if p.Source != "graph" || p.Error != "" || p.TotalStored != total || first.Rows < total || p.Newest.IsZero() || p.LagSeconds <= 0 {
		t.Fatalf("after the first pull: rows %d, %+v (the fake holds %d)\n%s", first.Rows, p, total, c.output())
	}
	waitOutput(t, c, "msg=pulled source=graph") // logged after the status is kept

	// Sign-ins Entra lists late: created ten minutes before the clock's
	// start, added after the first pull.
	g, err := gen.New(gen.Config{Count: 60, Seed: 8, Days: 1, End: mustTime(pullNow), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	late := int64(0)
	err = g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			batch[i].Record.Time = mustTime(pullNow).Add(-10*time.Minute + time.Duration(i)*time.Second)
			if fakegraph.EventType(batch[i].Record.Type) != "" {
				late++
			}
			if err := f.AddEvent(&batch[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Rows are committed before the pull that stores them ends: wait
	// for its end too.
	st := waitStats(t, c, "the late sign-ins", func(st api.Stats) bool {
		return st.Rows == total+late && st.Pulls[0].TotalStored >= total+late
	})
	if p := st.Pulls[0]; p.TotalStored != total+late || p.Error != "" {
		t.Errorf("after the late sign-ins: %+v, want %d stored in all", p, total+late)
	}
	// And no later pull stores them again.
	more := waitStats(t, c, "two more pulls", func(s api.Stats) bool { return s.Pulls[0].Pulls >= st.Pulls[0].Pulls+2 })
	if more.Rows != total+late || more.Pulls[0].TotalStored != total+late || more.Pulls[0].Stored != 0 {
		t.Errorf("later pulls: rows %d, %+v", more.Rows, more.Pulls[0])
	}

	code, out := c.stop(syscall.SIGTERM)
	if code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, out)
	}
	store, err := engine.Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	kept, err := pull.Statuses(store)
	if err != nil || len(kept) != 1 || kept[0].TotalStored != total+late || kept[0].Pulls < more.Pulls[0].Pulls {
		t.Errorf("kept status %+v, %v", kept, err)
	}
	if n, _ := store.Count(); n != total+late {
		t.Errorf("the store holds %d, want %d", n, total+late)
	}
}

// TestServePullFailing runs serve --pull graph with a wrong secret: it
// serves all the same, each pull fails, stats and the log say why, and
// the secret shows nowhere.
func TestServePullFailing(t *testing.T) {
	f, ca := graphFake(t, 100)
	db := filepath.Join(t.TempDir(), "store")
	wrong := "not-" + f.ClientSecret()
	servePullEnv(t, f, ca, wrong)
	c := startServe(t, "--db", db, "--listen", "127.0.0.1:0", "--pull", "graph", "--every", "1s",
		"--graph-url", f.URL(), "--authority-url", f.URL())
	st := waitStats(t, c, "two failed pulls", func(st api.Stats) bool { return len(st.Pulls) == 1 && st.Pulls[0].Failing >= 2 })
	_, body := serveStats(t, c.url)
	if p := st.Pulls[0]; !strings.Contains(p.Error, "AADSTS7000215") || p.TotalStored != 0 || st.Rows != 0 {
		t.Errorf("a failing pull: rows %d, %+v", st.Rows, p)
	}
	waitOutput(t, c, "msg=\"pull failed\" source=graph")
	code, out := c.stop(syscall.SIGINT)
	if code != 0 {
		t.Errorf("serve exit %d:\n%s", code, out)
	}
	if strings.Contains(out+body, wrong) {
		t.Errorf("the secret shows:\n%s\n%s", out, body)
	}
}

// waitOutput waits for serve to print what.
func waitOutput(t *testing.T, c *serveChild, what string) {
	t.Helper()
	watchdog := time.After(2 * time.Minute) // not a timing: so that a bug fails rather than hangs
	for !strings.Contains(c.output(), what) {
		select {
		case <-watchdog:
			t.Fatalf("serve did not print %q:\n%s", what, c.output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestServePullStorage runs signinq serve --pull storage against
// Azurite, a real process on each side: the first pull stores the half
// of each blob written, the blobs appended to while serve runs are read
// from where the last pull stopped, a query through the API counts every
// sign-in once, and the account key shows nowhere.
func TestServePullStorage(t *testing.T) {
	blobs := hourlyBlobs(t, 1200)
	a := newStorageAccount(t)
	var first, total int64
	for _, b := range blobs {
		a.appendTo(b.container, b.name, joinLines(b.lines[:len(b.lines)/2]))
		first += int64(len(b.lines) / 2)
		total += int64(len(b.lines))
	}
	for _, kv := range a.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	db := filepath.Join(t.TempDir(), "store")
	c := startServe(t, "--db", db, "--listen", "127.0.0.1:0", "--pull", "storage", "--every", "1s")
	st := waitStats(t, c, "the first pull", func(st api.Stats) bool { return len(st.Pulls) == 1 && st.Pulls[0].Pulls >= 1 })
	if p := st.Pulls[0]; p.Source != "storage" || p.Error != "" || p.TotalStored != first || st.Rows != first {
		t.Fatalf("after the first pull: rows %d, %+v; want %d\n%s", st.Rows, p, first, c.output())
	}
	for _, b := range blobs {
		a.appendTo(b.container, b.name, joinLines(b.lines[len(b.lines)/2:]))
	}
	st = waitStats(t, c, "the appended sign-ins", func(st api.Stats) bool {
		return st.Rows == total && st.Pulls[0].TotalStored >= total
	})
	if p := st.Pulls[0]; p.TotalStored != total || p.Error != "" || p.Newest.IsZero() {
		t.Errorf("after the appends: %+v, want %d stored in all", p, total)
	}
	code, body := get(t, http.DefaultClient, c.url+"/v1/query?q=count", "")
	if code != 200 || !strings.Contains(body, fmt.Sprintf(`"count":%d`, total)) {
		t.Errorf("count through the API: %d %s, want %d", code, body, total)
	}
	code, out := c.stop(syscall.SIGTERM)
	if code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, out)
	}
	noSecret(t, out, body)
	if n := storeCount(t, db); n != total {
		t.Errorf("the store holds %d, want %d", n, total)
	}
}
