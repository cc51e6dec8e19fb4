package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/clock"
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
