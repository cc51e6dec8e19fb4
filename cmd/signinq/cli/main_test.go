package cli

import (
	"bytes"
	"flag"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/clock"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script")

func TestMain(m *testing.M) {
	// No plain progress lines, which come after 5 s (the race detector
	// and a loaded machine make a command that long): what the tests
	// compare on standard error must not depend on how long a command
	// takes. Bars on a terminal, which TestProgressOnTerminal checks,
	// still show.
	plainEvery = math.MaxInt64
	// Every report draws a bar on a terminal: what the tests of bars see
	// does not depend on whether a command lasts past the throttle.
	barThrottle = time.Nanosecond
	// A test that needs the command on a terminal runs this binary again
	// with SIGNINQ_RUN set (see runOnTerminal).
	if os.Getenv("SIGNINQ_RUN") != "" {
		os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, clock.Test))
	}
	testscript.Main(m, map[string]func(){
		"signinq": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, clock.Test)) },
	})
}

// TestScript runs the command scripts in testdata/script: each runs the
// real signinq binary against files it carries and compares what it
// prints.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			// FORMAT names the store format, as cached datasets do.
			e.Setenv("FORMAT", strconv.Itoa(engine.FormatVersion))
			return nil
		},
	})
}

// TestPlainProgress checks the plain progress lines off a terminal with
// a clock that moves 3 s each time it is read: the bars read the
// command's clock, so the lines come as they would on a slow machine,
// and the same each run (the other tests turn them off: TestMain).
func TestPlainProgress(t *testing.T) {
	defer func(d time.Duration) { plainEvery = d }(plainEvery)
	plainEvery = 0 // the default: a line every 5 s
	var mu sync.Mutex
	at := clock.Default
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		at = at.Add(3 * time.Second)
		return at
	}
	var stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "signins.json")
	if code := Main([]string{"gen", "--count", "20000", "--end", "2026-11-26T00:00:00Z", "-o", out}, strings.NewReader(""), io.Discard, &stderr, now); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{
		`(?m)^generating: [0-9,]+ of 20,000 \([0-9]+%\), [0-9,]+ records/s, [0-9.]+s left$`,
		`(?m)^generating: done, 20,000 in [0-9]+s, [0-9,]+ records/s$`,
	} {
		if !regexp.MustCompile(want).MatchString(stderr.String()) {
			t.Errorf("no %s in:\n%s", want, stderr.String())
		}
	}
}

// TestExitCodes checks the exit status the scripts cannot tell apart.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/good.json"
	bad := dir + "/bad.log"
	os.WriteFile(good, []byte(`{"value":[{"id":"a","createdDateTime":"2025-01-01T00:00:00Z","userPrincipalName":"u@x.com","status":{"errorCode":0}}]}`), 0o644)
	os.WriteFile(bad, []byte(`{"category":"SignInLogs","time":"2025-01-01T00:00:00Z"}`+"\n{broken\n"), 0o644)
	f := func(want int, args ...string) {
		t.Helper()
		var out, errb bytes.Buffer
		if got := Main(args, strings.NewReader(""), &out, &errb, clock.Test); got != want {
			t.Errorf("signinq %s: exit %d, want %d\nstderr: %s", strings.Join(args, " "), got, want, errb.String())
		}
	}
	f(exitOK, "parse", good)
	f(exitOK, "--help")
	f(exitOK, "parse", "--help")
	f(exitRejected, "parse", bad)
	f(exitRejected, "parse", dir+"/missing.json")
	f(exitError, "parse")
	f(exitError, "parse", "--type", "bogus", good)
	f(exitError, "parse", "--rejects", dir+"/no/such/dir/rejects.jsonl", good)
	f(exitError, "frobnicate")
	// query: 2 for a query error (found before the store is opened), 4
	// for no store (as every command; TestStoreExitCodes), 1 for any
	// other failure.
	f(exitError, "query", "--db", dir+"/nostore", "count where staus=failure")
	f(exitError, "query", "--db", dir+"/nostore", "define x = count where")
	f(exitNoStore, "query", "--db", dir+"/nostore", "count")
	f(exitRejected, "query", "--db", dir+"/nostore", "--now", "yesterday", "count")
}

// runOnTerminal runs signinq with args and its standard error on a
// pseudo-terminal, and returns what the terminal showed.
func runOnTerminal(t *testing.T, args ...string) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SIGNINQ_RUN=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, io.Discard, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var out bytes.Buffer
	io.Copy(&out, ptmx) // ends with EIO when the child exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("signinq %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

// terminalCount is the sign-ins the progress bars' tests make or read:
// enough for several reports, each drawing the bar (barThrottle), as the
// count goes up: the generator reports every 4,096 sign-ins.
const terminalCount = 20000

// TestProgressOnTerminal checks that gen shows a progress bar, with the
// rate and the time left, on a real terminal, and nothing of it when
// standard error is not a terminal.
func TestProgressOnTerminal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "signins.json")
	n := strconv.Itoa(terminalCount)
	shown := runOnTerminal(t, "gen", "--count", n, "--end", "2026-11-26T00:00:00Z", "-o", out)
	for _, want := range []string{"generating", "/" + n, "records/s", "█", "wrote " + n + " sign-ins"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the terminal does not show %q:\n%q", want, shown)
		}
	}
	if !regexp.MustCompile(`\[[0-9]+s:[0-9]+s\]`).MatchString(shown) {
		t.Errorf("no [elapsed:left] time on the terminal:\n%q", shown)
	}

	var stderr bytes.Buffer
	if code := Main([]string{"gen", "--count", "2000", "--end", "2026-11-26T00:00:00Z", "-o", out}, strings.NewReader(""), io.Discard, &stderr, clock.Test); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "generating") || strings.Contains(stderr.String(), "\r") {
		t.Errorf("a progress bar on a pipe: %q", stderr.String())
	}
}

// TestIngestProgressOnTerminal checks ingest's bar over bytes, with the
// rate and the counts so far, and the demo's while it makes its tenant.
func TestIngestProgressOnTerminal(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "signins.json")
	n := strconv.Itoa(terminalCount)
	if code := Main([]string{"gen", "--count", n, "--end", "2026-11-26T00:00:00Z", "-q", "-o", in}, strings.NewReader(""), io.Discard, io.Discard, clock.Test); code != 0 {
		t.Fatalf("gen: exit %d", code)
	}
	shown := runOnTerminal(t, "ingest", "--db", filepath.Join(dir, "db"), in)
	for _, want := range []string{"ingesting: ", " read, ", " committed, ", "MB/s", "█", "stored " + comma(int64(terminalCount)) + " new sign-ins"} {
		if !strings.Contains(shown, want) {
			t.Errorf("ingest: the terminal does not show %q:\n%q", want, shown)
		}
	}
	shown = runOnTerminal(t, "demo", "--count", n, "--dir", filepath.Join(dir, "demo"))
	for _, want := range []string{"making a tenant of " + comma(int64(terminalCount)) + " sign-ins", "generating", "/" + n, "records/s", "█", "made in "} {
		if !strings.Contains(shown, want) {
			t.Errorf("demo: the terminal does not show %q:\n%q", want, shown)
		}
	}
}

// TestCompactProgressOnTerminal checks the bar of a compaction: two
// tenants' sign-ins over the same two days, each generated into the store
// in one commit, are two parts a day, which the second gen merges before
// it exits.
func TestCompactProgressOnTerminal(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	gen := []string{"gen", "--count", "20000", "--days", "2", "--end", "2026-11-26T00:00:00Z", "--no-raw", "--commit-interval", "0", "--db", db}
	if code := Main(append(gen, "--seed", "1", "-q"), strings.NewReader(""), io.Discard, io.Discard, clock.Test); code != 0 {
		t.Fatalf("gen: exit %d", code)
	}
	shown := runOnTerminal(t, append(gen, "--seed", "2")...)
	// The bar shows however quick the merge: a poll's count of the days
	// merged, else the count at the end (its filling is for
	// TestProgressOnTerminal and ingest to show).
	for _, want := range []string{`compacting: [0-2] of 2 days`, `compacted 2 days from 4 parts to 2`} {
		if !regexp.MustCompile(want).MatchString(shown) {
			t.Errorf("the terminal does not show %q:\n%q", want, shown)
		}
	}
}
