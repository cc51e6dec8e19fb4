package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/clock"
	"github.com/signinq/signinq/pull"
)

// TestStoreExitCodes checks that a store the command cannot use ends
// every command that opens one with the same exit status and a message
// saying why: in use by another signinq (the test holds it open), no
// store where --db says (for the commands that need one: the others make
// it), and a directory that holds something else.
func TestStoreExitCodes(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.json")
	os.WriteFile(input, []byte(`{"value":[{"id":"a","createdDateTime":"2025-01-01T00:00:00Z","userPrincipalName":"u@x.com","status":{"errorCode":0}}]}`), 0o644)
	// A store, held open by this test, which is also a made demo's.
	held := filepath.Join(dir, "held")
	db, err := engine.Open(held, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	os.WriteFile(filepath.Join(held, demoReady), []byte(`{"Count":1000,"Seed":1,"End":"2026-11-26T00:00:00Z","Users":10}`), 0o644)
	// No store, and a directory of something else.
	missing := filepath.Join(dir, "missing")
	other := filepath.Join(dir, "other")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("not a store\n"), 0o644)

	// Each command, with %s for its store.
	commands := []struct {
		args    []string
		creates bool // makes the store when there is none
	}{
		{args: []string{"ingest", "--db", "%s", input}, creates: true},
		{args: []string{"gen", "--count", "10", "--end", "2026-11-26T00:00:00Z", "-q", "--db", "%s"}, creates: true},
		{args: []string{"repl", "--db", "%s"}, creates: true},
		{args: []string{"demo", "--count", "1000", "--dir", "%s"}, creates: true},
		{args: []string{"query", "--db", "%s", "count"}},
		{args: []string{"query", "--db", "%s", "define x = count"}},
		{args: []string{"query", "--db", "%s", "undefine x"}},
		{args: []string{"explain", "--db", "%s", "count"}},
		{args: []string{"explain", "analyze", "--db", "%s", "count"}},
		{args: []string{"stats", "--db", "%s"}},
		{args: []string{"compact", "--db", "%s"}},
		{args: []string{"prune", "--db", "%s", "--before", "2025-01-01"}},
		{args: []string{"prune", "--db", "%s", "--before", "2025-01-01", "--dry-run"}},
	}
	run := func(args []string, store string) (int, string) {
		args = append([]string(nil), args...)
		for i, a := range args {
			if a == "%s" {
				args[i] = store
			}
		}
		var out, errb bytes.Buffer
		code := Main(args, strings.NewReader(""), &out, &errb, clock.Test)
		return code, errb.String()
	}
	for _, c := range commands {
		name := strings.Join(c.args[:1], " ")
		if code, msg := run(c.args, held); code != exitInUse || !regexp.MustCompile(`store is in use by another process: .*held \(close the other signinq using it first\)`).MatchString(msg) {
			t.Errorf("%s on a store in use: exit %d, want %d; stderr: %s", strings.Join(c.args, " "), code, exitInUse, msg)
		}
		if code, msg := run(c.args, other); code != exitNoStore || !regexp.MustCompile(`other holds files but no store|no store at .*other|other is not empty and is no demo's store`).MatchString(msg) {
			t.Errorf("%s on a directory of something else: exit %d, want %d; stderr: %s", strings.Join(c.args, " "), code, exitNoStore, msg)
		}
		if c.creates {
			continue
		}
		if code, msg := run(c.args, missing); code != exitNoStore || !strings.Contains(msg, "no store at "+missing) {
			t.Errorf("%s with no store: exit %d, want %d; stderr: %s", strings.Join(c.args, " "), code, exitNoStore, msg)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Fatalf("%s made a store", name)
		}
	}
}

// TestStatsPulls checks that stats lists the sources the store is pulled
// from, with how each last pull ended and its lag, the same whether it
// holds the store or asks the process that does.
func TestStatsPulls(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "db")
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := engine.Open(store, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []pull.Status{
		{Source: "graph", Started: now.Add(-10 * time.Minute), Ended: now.Add(-9*time.Minute - 48*time.Second),
			Read: 1300, Stored: 1234, Duplicates: 66, Newest: now.Add(-25 * time.Minute), Pulls: 12, TotalStored: 50000, LastSuccess: now.Add(-9*time.Minute - 48*time.Second)},
		{Source: "storage", Started: now.Add(-time.Hour), Ended: now.Add(-time.Hour + 3*time.Second),
			Error: "storage: listing insights-logs-signinlogs: 403 AuthorizationFailure", Pulls: 3, Failures: 2, Failing: 2},
	} {
		if err := pull.Record(db, st); err != nil {
			t.Fatal(err)
		}
	}
	want := `
pulls (signinq pull, serve --pull)
graph    2026-03-02 11:50:12 (12s)  ok      stored 1,234 of 1,300  lag 25m0s        12 pulls, 0 failed
storage  2026-03-02 11:00:03 (3s)   failed  stored 0 of 0          no sign-ins yet  3 pulls, 2 failed
storage's last pull: storage: listing insights-logs-signinlogs: 403 AuthorizationFailure
`
	stats := func(how string) {
		t.Helper()
		var out, errb bytes.Buffer
		if code := Main([]string{"stats", "--db", store}, strings.NewReader(""), &out, &errb, clock); code != 0 {
			t.Fatalf("%s: stats exit %d: %s", how, code, errb.String())
		}
		if got := out.String(); !strings.HasSuffix(got, want) {
			t.Errorf("%s: stats printed\n%s\nwant it to end with%s", how, got, want)
		}
	}
	// Held by this process, which answers on the store's socket.
	e := &env{ctx: context.Background(), now: clock, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	stop := share(e, db, store)
	stats("asking the holder")
	stop(0)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	stats("holding the store")
}
