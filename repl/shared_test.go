package repl_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// answer sends a statement and returns what the terminal showed of it,
// up to the next prompt: its echo, the table, the chart, the notes, the
// errors, without the control sequences, the carriage returns and the
// time a table's count of rows says it took.
func (sh *shell) answer(stmt string) string {
	sh.t.Helper()
	sh.send(stmt + "\r")
	// The line as typed, then its end: readline draws the line again at
	// each key, the prompt with it.
	sh.expect(regexp.QuoteMeta(stmt) + `\r?\n`)
	sh.mu.Lock()
	start := sh.seen
	sh.mu.Unlock()
	sh.expect(`signinq> `)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	text := ansi.ReplaceAllString(sh.out.String()[start:sh.seen], "")
	text = strings.ReplaceAll(text, "\r", "")
	return took.ReplaceAllString(text, "$1 in (time)")
}

var took = regexp.MustCompile(`(?m)^([0-9,]+ rows?) in \S+$`)

// sharedStatements are what TestTerminalShared asks the shell holding
// the store and the shell asking signinq serve, which must show the
// same: a table with its bar chart, a timeline, a list's rows and its
// note, an explain, a query's error with its caret, the named lists and
// the saved queries, the fields with their common values.
var sharedStatements = []string{
	"count where status=failure group by app order by count desc limit 5",
	"count since 3d group by bin(6h)",
	"list time, user, app, status, latitude where status=failure limit 7",
	"list user",
	"explain count where status=failure since 1d group by app",
	"count where staus=failure",
	`\lists`,
	`\lists @legacyClients`,
	`\lists @nosuch`,
	"define fails(d) = count where status=failure since d",
	`\saved`,
	"fails(2d)",
	`\fields`,
}

// TestTerminalShared opens the shell on a terminal on a store signinq
// serve holds (its clock in 2030, the shell's --now its own): it greets
// saying it asks the holder, by its process id; every shared statement
// shows exactly what the same shell shows holding the store itself; Tab
// completes a value of the store's; \ingest stores a file through the
// holder, with its progress, and a count then includes it. Then serve is
// killed (kill -9): the next statement says the holder went away and
// that the shell now holds the store, and the one after counts from it.
func TestTerminalShared(t *testing.T) {
	db := genStore(t, "2000")
	dir := t.TempDir()
	more := filepath.Join(dir, "more.json")
	gen := exec.Command(os.Args[0], "gen", "--count", "500", "--days", "2", "--users", "10", "--seed", "11", "--end", "2026-11-26T00:00:00Z", "--no-incidents", "-q", "-o", more)
	gen.Env = append(os.Environ(), "SIGNINQ_REPL_CHILD=1")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	args := []string{"repl", "--db", db, "--now", "2026-11-26", "--history", filepath.Join(dir, "history")}

	// The shell holding the store itself.
	sh := startShell(t, nil, args...)
	sh.expect(`signinq: 2,000 sign-ins\. \\help for help`)
	sh.expect(`signinq> `)
	var alone []string
	for _, stmt := range sharedStatements {
		alone = append(alone, sh.answer(stmt))
	}
	sh.answer("undefine fails")
	sh.send("\\q\r")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}
	for i, want := range map[int]string{0: "Microsoft Teams              5 █", 2: "7 rows in", 3: "100 of 2,000 shown", 5: "count where staus=failure\n            ^\nerror: 1:13: unknown field \"staus\"",
		6: "@legacyClients", 8: "error: query: no such list: @nosuch", 10: "define fails(d) = count where status=failure since d", 12: "status                  string  success, failure, interrupted"} {
		if !strings.Contains(alone[i], want) {
			t.Errorf("%q on the store itself showed no %q:\n%s", sharedStatements[i], want, alone[i])
		}
	}

	// signinq serve holds it; the shell asks serve.
	serve := exec.Command(os.Args[0], "serve", "--db", db, "--listen", "127.0.0.1:0")
	serve.Env = append(os.Environ(), "SIGNINQ_REPL_CHILD=1", "SIGNINQ_TEST_NOW=2030-01-01")
	serve.Stdout, serve.Stderr = os.Stderr, os.Stderr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	waitForSocket(t, db)
	sh = startShell(t, nil, args...)
	sh.expect(`signinq: the store \S+ is held by the signinq process ([0-9]+): this session asks it through that process\.`)
	sh.expect(`signinq: 2,000 sign-ins\. \\help for help`)
	sh.expect(`signinq> `)
	for i, stmt := range sharedStatements {
		if got := sh.answer(stmt); got != alone[i] {
			t.Errorf("%q asking serve showed otherwise than on the store itself:\n%s\nvs\n%s", stmt, got, alone[i])
		}
	}
	// Tab completes "Atl" from the store's values, through serve.
	sh.send("count where app=Atl\t")
	sh.expect(`count where app="Atlassian Cloud"`)
	sh.send(" group by app\r")
	sh.expect(`(?s)app\s+│\s+count.*Atlassian Cloud\s+│\s+[0-9]+`)
	sh.expect(`signinq> `)
	got := sh.answer(`\stats`)
	if !strings.Contains(got, "held by the signinq process") || !strings.Contains(got, "2,000 sign-ins") {
		t.Errorf(`\stats asking serve: %s`, got)
	}
	got = sh.answer(`\ingest ` + more)
	if !regexp.MustCompile(`read 500 records: 500 stored, 0 already stored, 0 rejected`).MatchString(got) {
		t.Errorf(`\ingest through serve: %s`, got)
	}
	if got := sh.answer("count"); !regexp.MustCompile(`(?s)count\s+─+\s+2,500\s`).MatchString(got) {
		t.Errorf("count after \\ingest through serve: %s", got)
	}
	if got := sh.answer(`\ingest ` + more); !strings.Contains(got, "read 500 records: 0 stored, 500 already stored, 0 rejected") {
		t.Errorf(`\ingest again through serve: %s`, got)
	}

	// serve is killed: the shell says so, and holds the store itself.
	serve.Process.Signal(syscall.SIGKILL)
	serve.Wait()
	got = sh.answer("count")
	if !strings.Contains(got, "the signinq process holding the store went away") || !strings.Contains(got, "this session now holds the store itself: run the statement again") {
		t.Errorf("a statement after serve was killed: %s", got)
	}
	if got := sh.answer("count"); !regexp.MustCompile(`(?s)count\s+─+\s+2,500\s`).MatchString(got) {
		t.Errorf("count once the shell holds the store: %s", got)
	}
	sh.send("\\q\r")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}
}

// waitForSocket waits until the store's socket is there: its holder
// answers on it.
func waitForSocket(t *testing.T, db string) {
	t.Helper()
	for range 3000 { // at most a minute, so that a bug fails rather than hangs
		if fi, err := os.Stat(filepath.Join(db, "signinq.sock")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no socket in the store's directory")
}
