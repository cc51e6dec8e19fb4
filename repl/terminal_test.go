package repl_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// shell is signinq repl on a pseudo-terminal: this test binary again
// (see TestMain), with its output gathered.
type shell struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	seen int // output already matched by expect
	done chan error
}

func startShell(t *testing.T, env []string, args ...string) *shell {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), append([]string{"SIGNINQ_REPL_CHILD=1", "TERM=xterm", "NO_COLOR=1"}, env...)...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	sh := &shell{t: t, cmd: cmd, tty: tty, done: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			sh.mu.Lock()
			sh.out.Write(buf[:n])
			sh.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { sh.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		tty.Close()
	})
	return sh
}

// ansi matches the terminal's control sequences, left out of matching.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// expect waits until the output after the last match matches re.
func (sh *shell) expect(re string) {
	sh.t.Helper()
	if !sh.expectWithin(re, 20*time.Second) {
		sh.mu.Lock()
		defer sh.mu.Unlock()
		sh.t.Fatalf("no %q in the terminal's output after the last match:\n%s", re, ansi.ReplaceAllString(sh.out.String()[sh.seen:], ""))
	}
}

// expectWithin waits at most d for the output after the last match to
// match re, and reports whether it did.
func (sh *shell) expectWithin(re string, d time.Duration) bool {
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		sh.mu.Lock()
		text := ansi.ReplaceAllString(sh.out.String()[sh.seen:], "")
		if loc := rx.FindStringIndex(text); loc != nil {
			// Move past the match in the raw output.
			sh.seen += rawLen(sh.out.String()[sh.seen:], loc[1])
			sh.mu.Unlock()
			return true
		}
		sh.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// rawLen is the length of the part of raw whose text, without the
// terminal's control sequences, is the first n bytes: where a match in
// the plain text ends in the raw output. One pass: the output of a
// progress bar is long, and the race detector makes a regular
// expression run on each of its prefixes take minutes.
func rawLen(raw string, n int) int {
	plain, i := 0, 0
	for _, m := range ansi.FindAllStringIndex(raw, -1) {
		if plain+m[0]-i >= n {
			break
		}
		plain += m[0] - i
		i = m[1]
	}
	return i + n - plain
}

func (sh *shell) send(s string) {
	sh.t.Helper()
	if _, err := sh.tty.WriteString(s); err != nil {
		sh.t.Fatal(err)
	}
}

// wait waits for the shell to exit.
func (sh *shell) wait() error {
	sh.t.Helper()
	select {
	case err := <-sh.done:
		return err
	case <-time.After(20 * time.Second):
		sh.t.Fatal("the shell did not exit")
		return nil
	}
}

// TestTerminal drives the shell on a real pseudo-terminal: the prompt,
// Tab completing a field's value from the store, a query's table and
// timing, Ctrl-C cancelling a running query and returning to the prompt,
// multi-line input, and the history kept across sessions (Up brings back
// the last statement of the session before, Ctrl-R finds an older one).
func TestTerminal(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	gen := exec.Command(os.Args[0], "gen", "--count", "3000", "--days", "3", "--users", "40", "--seed", "5", "--end", "2026-11-26T00:00:00Z", "--no-incidents", "-q", "--db", db)
	gen.Env = append(os.Environ(), "SIGNINQ_REPL_CHILD=1")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	history := filepath.Join(dir, "history")
	args := []string{"repl", "--db", db, "--now", "2026-11-26", "--history", history}

	sh := startShell(t, nil, args...)
	sh.expect(`signinq: 3,000 sign-ins\. \\help for help`)
	sh.expect(`signinq> `)
	// Tab completes "Atl" to the one app the store has that starts so,
	// with the quotes it needs.
	sh.send("count where app=Atl\t")
	sh.expect(`count where app="Atlassian Cloud"`)
	sh.send(" group by app\r")
	sh.expect(`(?s)app\s+│\s+count.*Atlassian Cloud\s+│\s+31`)
	sh.expect(`1 row in [0-9.]+[µm]?s`)
	sh.expect(`signinq> `)
	// A line ending in a backslash continues.
	sh.send("count \\\r")
	sh.expect(`\.\.> `)
	sh.send("where status=failure\r")
	sh.expect(`(?s)count\s+─+\s+[0-9]+`)
	sh.expect(`signinq> `)
	// Ctrl-C cancels a running query, not the shell.
	sh.send("count | wait\r")
	sh.expect(`count \| wait`)
	// The query may not have started when the first Ctrl-C comes (a
	// Ctrl-C at the prompt only clears the line): press it until the
	// query says it was cancelled.
	cancelled := false
	for range 10 {
		time.Sleep(300 * time.Millisecond)
		sh.send("\x03")
		if cancelled = sh.expectWithin(`canceled`, 2*time.Second); cancelled {
			break
		}
	}
	if !cancelled {
		t.Fatal("Ctrl-C did not cancel the running query")
	}
	sh.expect(`signinq> `)
	sh.send("\\q\r")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}
	b, err := os.ReadFile(history)
	if err != nil || !strings.Contains(string(b), "count | wait\n") || !strings.Contains(string(b), "count where status=failure\n") {
		t.Fatalf("history file: %q, %v", b, err)
	}

	// A new session: Up brings back the last statement; Ctrl-D quits.
	sh = startShell(t, nil, args...)
	sh.expect(`signinq> `)
	sh.send("\x1b[A")
	sh.expect(`signinq> \\q`)
	sh.send("\x15") // Ctrl-U: clear the line
	// Ctrl-R searches the history.
	sh.send("\x12Atl")
	sh.expect(`bck-i-search: At.*count where app="Atlassian Cloud" group by app`)
	sh.send("\r\r")
	sh.expect(`(?s)Atlassian Cloud\s+│\s+31`)
	sh.expect(`signinq> `)
	sh.send("\x04")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}

	// signinq alone, on a terminal, is the shell (on $SIGNINQ_DB).
	sh = startShell(t, []string{"SIGNINQ_DB=" + db, "XDG_STATE_HOME=" + dir})
	sh.expect(`signinq: 3,000 sign-ins\. \\help for help`)
	sh.send("\\q\r")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}
}

// TestTerminalOldExport opens an export of 2022 on a terminal: the
// greeting says where its sign-ins run and how far before now they end,
// a relative range that holds none of them gets a note under its table,
// \now latest counts from the newest sign-in, and a list in a table says
// when it stopped at its default limit.
func TestTerminalOldExport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	gen := exec.Command(os.Args[0], "gen", "--count", "2000", "--days", "3", "--users", "40", "--seed", "7", "--end", "2022-01-28T00:00:00Z", "--no-incidents", "-q", "--db", db)
	gen.Env = append(os.Environ(), "SIGNINQ_REPL_CHILD=1")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	sh := startShell(t, nil, "repl", "--db", db, "--now", "2026-11-26", "--history", filepath.Join(dir, "history"))
	sh.expect(`signinq: 2,000 sign-ins\. \\help for help`)
	sh.expect(`signinq: the store's sign-ins run from 2022-01-25T00:00:[0-9]{2}Z to 2022-01-27T23:59:[0-9]{2}Z, 4 years before now \(2026-11-26T00:00:00Z\): since counts back from now; \\now latest counts from the newest sign-in\.`)
	sh.expect(`signinq> `)
	sh.send("count where status=failure since 24h\r")
	sh.expect(`(?s)count\s+─+\s+0\s+the store's sign-ins end at 2022-01-27T[0-9:.]+Z, 4 years before now \(2026-11-26T00:00:00Z\); use \\now latest to count from there\s+1 row in`)
	sh.expect(`signinq> `)
	sh.send("\\now latest\r")
	sh.expect(`now is latest: the store's newest sign-in, 2022-01-27T23:59:[0-9.]+Z`)
	sh.send("count since 1d\r")
	sh.expect(`(?s)count\s+─+\s+667\s+1 row in`)
	sh.send("list\r")
	sh.expect(`(?s)│.*100 of 2,000 shown; limit N for more\s+100 rows in`)
	sh.expect(`signinq> `)
	sh.send("\\now off\r")
	sh.expect(`now is the clock: 20`)
	sh.send("\\q\r")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}

	// A store whose newest sign-in is within a day of now: no such line.
	sh = startShell(t, nil, "repl", "--db", db, "--now", "2022-01-28T12:00:00Z", "--history", filepath.Join(dir, "history"))
	sh.expect(`signinq: 2,000 sign-ins\. \\help for help[^\n]*\n`)
	sh.expect(`signinq> `)
	sh.send("\\q\r")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if strings.Contains(sh.out.String(), "before now") {
		t.Errorf("a greeting about old sign-ins half a day after the newest:\n%s", sh.out.String())
	}
}

// genStore makes a small generated store for the terminal tests.
func genStore(t *testing.T, count string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "db")
	gen := exec.Command(os.Args[0], "gen", "--count", count, "--days", "3", "--users", "40", "--seed", "5", "--end", "2026-11-26T00:00:00Z", "--no-incidents", "-q", "--db", db)
	gen.Env = append(os.Environ(), "SIGNINQ_REPL_CHILD=1")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	return db
}

// TestTerminalInterrupt checks that Ctrl-C abandons the line for a fresh
// prompt whatever is on the screen: the list of completions Tab showed,
// a completion being chosen from it (Tab again), a history search. The
// fresh line is empty: Ctrl-D on it ends the shell.
func TestTerminalInterrupt(t *testing.T) {
	db := genStore(t, "2000")
	args := []string{"repl", "--db", db, "--now", "2026-11-26", "--history", filepath.Join(t.TempDir(), "history")}
	sh := startShell(t, nil, args...)
	sh.expect(`signinq> `)
	// Tab lists the statuses (they share no prefix); Ctrl-C.
	sh.send("count where status=\t")
	sh.expect(`failure\s+interrupted\s+success`)
	sh.send("\x03")
	sh.expect(`\^C\r?\n`)
	sh.expect(`signinq> `)
	// Tab twice: choosing among them; Ctrl-C.
	sh.send("count where status=\t\t")
	sh.expect(`failure\s+interrupted\s+success`)
	sh.send("\t")
	sh.send("\x03")
	sh.expect(`\^C\r?\n`)
	sh.expect(`signinq> `)
	// Ctrl-R searching the history; Ctrl-C.
	sh.send("count where status=failure\r")
	sh.expect(`(?s)count\s+─+\s+[0-9]+`)
	sh.expect(`signinq> `)
	sh.send("\x12fail")
	sh.expect(`bck-i-search: fail`)
	sh.send("\x03")
	sh.expect(`\^C\r?\n`)
	sh.expect(`signinq> `)
	// The line is empty: Ctrl-D ends the shell.
	sh.send("\x04")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}
}

// TestTerminalQuotedValue checks Tab on a bare value that several of the
// store's values begin with, some with spaces: the opening quote is put
// before it, so that typing on (" P") stays in the value, and Tab then
// completes it with its closing quote.
func TestTerminalQuotedValue(t *testing.T) {
	db := genStore(t, "2000")
	sh := startShell(t, nil, "repl", "--db", db, "--now", "2026-11-26", "--history", filepath.Join(t.TempDir(), "history"))
	sh.expect(`signinq> `)
	// The store's apps beginning with Az: Azure Portal, Azure Active
	// Directory PowerShell, AzureDevOps-Pipelines-dev, …
	sh.send("count where app=Az\t")
	sh.expect(`count where app="Azure`)
	sh.send(" P\t")
	sh.expect(`count where app="Azure Portal"`)
	sh.send(" group by app\r")
	sh.expect(`(?s)app\s+│\s+count.*Azure Portal\s+│\s+36`)
	sh.expect(`signinq> `)
	sh.send("\x04")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}
}

// TestRawLen checks where a match in the text without control sequences
// ends in the raw output.
func TestRawLen(t *testing.T) {
	const raw = "ab\x1b[0mcd\x1b[2K\x1b[1Ge"
	for n, want := range []int{0, 1, 2, 7, 8, 17} {
		if got := rawLen(raw, n); got != want {
			t.Errorf("rawLen(%q, %d) = %d, want %d", raw, n, got, want)
		}
		if got := ansi.ReplaceAllString(raw[:rawLen(raw, n)], ""); got != "abcde"[:n] {
			t.Errorf("the raw output up to rawLen(%q, %d) is the text %q", raw, n, got)
		}
	}
}
