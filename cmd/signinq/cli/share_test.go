package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/internal/clock"
)

// sharedCommands are the commands TestShared* run while another process
// holds the store, and again once it has let it go: rows in every
// format, every kind of value (times, durations, lists, decimals, flags,
// nulls), notes, the explain plan, stats, and the errors (a query's,
// with its caret, exit 2; a memory limit's, exit 1).
var sharedCommands = [][]string{
	{"query", "--now", "2026-11-26", "count where status=failure group by app order by count desc limit 5"},
	{"query", "--now", "2026-11-26", "min(time) as first, max(time) as last, last - first as span, avg(latitude), count group by user order by count desc, user limit 12"},
	{"query", "--now", "2026-11-26", "--format", "json", "min(time) as first, max(time) as last, last - first as span, avg(latitude), count group by user order by count desc, user limit 12"},
	{"query", "--now", "2026-11-26", "--format", "json", "list time, user, app, authMethod, networkType, latitude, error, isInteractive where status=failure"},
	{"query", "--now", "2026-11-26", "--format", "csv", "list time, user, app, authMethod, networkType, latitude, error, isInteractive"},
	{"query", "--now", "2026-11-26", "list time, user, app, authMethod, networkType"},
	{"query", "--now", "2020-01-01", "count since 1d"},
	{"query", "--now", "latest", "--timeout", "1m", "count since 1d group by type"},
	{"query", "--now", "2026-11-26", "count where staus=failure"},
	{"query", "--now", "2026-11-26", "--max-memory", "1KiB", "count group by user, ip"},
	{"query", "--now", "2026-11-26", "--format", "csv", "count group by user, ip order by count desc, user, ip limit 3"},
	{"explain", "--now", "2026-11-26", "count where status=failure since 1d group by app"},
	{"stats"},
	{"stats", "--days"},
}

// commandRun is what a command printed, and its exit status.
type commandRun struct {
	stdout, stderr string
	code           int
}

// What differs from run to run of the same command on the same store,
// whichever process holds it: the time a table's count of rows says the
// query took; the groups a memory error found (the parts are read in
// parallel: how far each got when the limit was passed varies); and the
// store directory's size on disk (each process that opens the store
// writes Badger's files).
var (
	tookTime  = regexp.MustCompile(`(?m)^([0-9,]+ rows?) in \S+$`)
	groupsNow = regexp.MustCompile(`\(([0-9,]+) so far, `)
	dirSize   = regexp.MustCompile(`(?m)^( +directory +).*$`)
)

// runSigninq runs the real command, in a process of its own, with args.
func runSigninq(t *testing.T, env []string, args ...string) commandRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "SIGNINQ_RUN=1", "SIGNINQ_TEST_NOW="), env...) // the tests' clock, unless env says
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	errs := tookTime.ReplaceAllString(stderr.String(), "$1 in (time)")
	errs = groupsNow.ReplaceAllString(errs, "(N so far, ")
	return commandRun{dirSize.ReplaceAllString(stdout.String(), "${1}(size)"), errs, code}
}

// runShared runs every shared command on the store in dir.
func runShared(t *testing.T, dir string) []commandRun {
	t.Helper()
	var out []commandRun
	for _, args := range sharedCommands {
		out = append(out, runSigninq(t, nil, append(append([]string{}, args...), "--db", dir)...))
	}
	return out
}

// compareShared checks that the commands printed, while another process
// held the store, exactly what they print holding it themselves.
func compareShared(t *testing.T, shared, alone []commandRun) {
	t.Helper()
	for i, args := range sharedCommands {
		if shared[i] != alone[i] {
			t.Errorf("signinq %q while another process holds the store printed otherwise than holding it itself: exit %d and %d; stdout %s; stderr %s",
				args, shared[i].code, alone[i].code, firstDiff(shared[i].stdout, alone[i].stdout), firstDiff(shared[i].stderr, alone[i].stderr))
		}
	}
	// The runs themselves are what the commands are for.
	want := map[int]int{8: exitError, 9: exitRejected}
	for i, r := range alone {
		if r.code != want[i] {
			t.Errorf("signinq %q: exit %d, want %d:\n%s", sharedCommands[i], r.code, want[i], r.stderr)
		}
	}
	for i, want := range map[int]string{
		6: "the store's sign-ins begin at", 5: "100 of", 8: "            ^\nsigninq: 1:13: unknown field \"staus\"",
		9: "with --max-memory", 11: "query: count where status = failure since 1d group by app",
	} {
		if !strings.Contains(alone[i].stdout+alone[i].stderr, want) {
			t.Errorf("signinq %q printed no %q:\n%s%s", sharedCommands[i], want, alone[i].stdout, alone[i].stderr)
		}
	}
}

// TestSharedServe runs query, explain and stats in processes of their
// own while signinq serve holds the store, and again after it exits:
// they print the same, byte for byte, with the same exit statuses; and a
// query without --now counts from its own clock, not the holder's.
func TestSharedServe(t *testing.T) {
	dir := serveStore(t)
	t.Setenv("SIGNINQ_TEST_NOW", "2030-01-01") // the holder's clock
	c := startServe(t, "--db", dir, "--listen", "127.0.0.1:0")
	if fi, err := os.Stat(api.SocketPath(dir)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the socket while serving: %v, %v", fi, err)
	}
	if r := runSigninq(t, nil, "prune", "--db", dir, "--before", "2026-11-24"); r.code != exitInUse || !strings.Contains(r.stderr, "in use") {
		t.Errorf("prune while serve holds the store: exit %d: %s", r.code, r.stderr)
	}
	shared := runShared(t, dir)
	// The holder's clock is 2030; the caller's the tests' (2026-11-26):
	// since 7d counts from the caller's.
	sinceOwn := runSigninq(t, nil, "query", "--db", dir, "count since 7d")
	if code, out := c.stop(syscall.SIGINT); code != 0 {
		t.Fatalf("serve: exit %d:\n%s", code, out)
	}
	if _, err := os.Lstat(api.SocketPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket after serve exited: %v", err)
	}
	compareShared(t, shared, runShared(t, dir))
	if alone := runSigninq(t, nil, "query", "--db", dir, "count since 7d"); sinceOwn != alone || !strings.Contains(alone.stdout, "2,000") {
		t.Errorf("count since 7d without --now, shared:\n%+v\nalone:\n%+v", sinceOwn, alone)
	}
}

// TestSharedShell does the same while the shell holds the store (a
// script on a standard input kept open), and checks that a query the
// shell's user defines is seen by the others.
func TestSharedShell(t *testing.T) {
	dir := serveStore(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	shell := exec.Command(os.Args[0], "repl", "--db", dir)
	shell.Env = append(os.Environ(), "SIGNINQ_RUN=1", "SIGNINQ_TEST_NOW=2030-01-01")
	var out bytes.Buffer
	shell.Stdin, shell.Stdout, shell.Stderr = r, &out, &out
	if err := shell.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { shell.Process.Kill() })
	waitForSocket(t, dir, shell)
	shared := runShared(t, dir)
	sinceOwn := runSigninq(t, nil, "query", "--db", dir, "count since 7d")
	w.Close() // the script's end: the shell exits
	if err := shell.Wait(); err != nil {
		t.Fatalf("the shell: %v:\n%s", err, out.String())
	}
	compareShared(t, shared, runShared(t, dir))
	if alone := runSigninq(t, nil, "query", "--db", dir, "count since 7d"); sinceOwn != alone {
		t.Errorf("count since 7d without --now, shared:\n%+v\nalone:\n%+v", sinceOwn, alone)
	}
}

// waitForSocket waits until the holder answers on the store's socket.
func waitForSocket(t *testing.T, dir string, holder *exec.Cmd) {
	t.Helper()
	watchdog := time.After(time.Minute) // not a timing: so that a bug fails rather than hangs
	for {
		if c, err := api.Dial(dir); err == nil {
			c.Close()
			return
		}
		if holder.ProcessState != nil {
			t.Fatal("the holder exited before answering on the socket")
		}
		select {
		case <-watchdog:
			t.Fatal("the holder does not answer on the store's socket")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestSharedStaleSocket kills the holder (kill -9, which leaves its
// socket behind): a query then opens the store itself, and removes the
// dead holder's socket.
func TestSharedStaleSocket(t *testing.T) {
	dir := serveStore(t)
	c := startServe(t, "--db", dir, "--listen", "127.0.0.1:0")
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-c.done
	c.cmd.Wait()
	if _, err := os.Lstat(api.SocketPath(dir)); err != nil {
		t.Fatalf("kill -9 left no socket behind (%v): the test tests nothing", err)
	}
	r := runSigninq(t, nil, "query", "--db", dir, "--now", "2026-11-26", "count")
	if r.code != 0 || !strings.Contains(r.stdout, "2,000") {
		t.Fatalf("a query after the holder was killed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Lstat(api.SocketPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead holder's socket after a query opened the store: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.sock*")); len(m) > 0 {
		t.Errorf("left in the store: %v", m)
	}
}

// firstDiff says where two outputs first differ: the line of each.
func firstDiff(a, b string) string {
	if a == b {
		return "the same"
	}
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; ; i++ {
		if i >= len(al) || i >= len(bl) || al[i] != bl[i] {
			line := func(l []string) string {
				if i < len(l) {
					return l[i]
				}
				return "(the end)"
			}
			return fmt.Sprintf("differ at line %d: %q, and %q", i+1, line(al), line(bl))
		}
	}
}

// TestSharedIngestCommits queries the store, from processes of their
// own, while an ingest holds it and commits every few milliseconds: each
// count is one the ingest committed (the bar shows each commit's), never
// part of one; one comes while the ingest waits for more input, between
// two commits; and the last, once it is done, is every sign-in.
func TestSharedIngestCommits(t *testing.T) {
	_, data := interruptInput(t)
	dir := filepath.Join(t.TempDir(), "db")
	r, w := pipe(t)
	c := startChild(t, r, "ingest", "--db", dir, "--commit-interval", "10ms", "-")
	r.Close()
	stop := make(chan struct{})
	defer close(stop)
	first := half(data)
	feed(w, first, false, stop) // then the stream has no more input yet
	c.waitFor("a commit", func(_, committed int64) bool { return committed > 0 })
	count := func() (int64, bool) {
		r := runSigninq(t, nil, "query", "--db", dir, "--now", "2026-11-26", "--format", "csv", "count")
		if r.code != 0 {
			t.Errorf("count while the ingest holds the store: exit %d: %s", r.code, r.stderr)
			return 0, false
		}
		return number(strings.TrimSpace(strings.TrimPrefix(r.stdout, "count\n"))), true
	}
	seen := []int64{}
	if n, ok := count(); ok {
		seen = append(seen, n)
	}
	go func() {
		feed(w, data[len(first):], false, stop)
		w.Close()
	}()
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		for {
			select {
			case <-c.done:
				return
			default:
			}
			if n, ok := count(); ok {
				seen = append(seen, n)
			}
		}
	}()
	code, out := c.wait()
	<-ended
	if code != 0 {
		t.Fatalf("ingest: exit %d:\n%s", code, out)
	}
	commits := map[int64]bool{0: true, interruptCount: true}
	for _, m := range barCounts.FindAllStringSubmatch(out, -1) {
		commits[number(m[2])] = true
	}
	for i, n := range seen {
		if !commits[n] {
			t.Errorf("count %d (query %d of %d) while the ingest ran is no commit's: the commits were %v", n, i+1, len(seen), commits)
		}
		if i > 0 && n < seen[i-1] {
			t.Errorf("count %d after %d: a query saw fewer sign-ins than one before it", n, seen[i-1])
		}
	}
	if len(seen) == 0 || seen[0] == 0 || seen[0] >= interruptCount {
		t.Errorf("the first count, between commits, was %v of %d", seen, interruptCount)
	}
	if n, _ := count(); n != interruptCount {
		t.Errorf("after the ingest the store holds %d sign-ins, want %d", n, interruptCount)
	}
	t.Logf("%d counts while the ingest ran: %v", len(seen), seen)
}

// TestSharedConcurrent is the test of a shared store: the shell
// holds it (and queries it on its standard input), while at once two
// ingests of overlapping inputs (A and B; B and C), a script of queries,
// and a second shell asking the first (which ingests C too, and counts)
// run, each a process of its own. At the end the store holds every
// sign-in once: its counts by day, type and app are those of a store
// that ingested A, B and C alone, one after the other; the ingests stored
// between them each sign-in once and skipped the rest as duplicates; and
// every count the queries and the second shell saw went up, never down.
func TestSharedConcurrent(t *testing.T) {
	files := map[string]string{}
	var records int64
	for i, name := range []string{"a", "b", "c"} {
		path := filepath.Join(t.TempDir(), name+".json")
		var stderr bytes.Buffer
		n := interruptCount / 2
		if code := Main([]string{"gen", "--count", fmt.Sprint(n), "--days", "3", "--seed", fmt.Sprint(i + 1), "--end", "2026-11-26T00:00:00Z", "-q", "-o", path}, strings.NewReader(""), io.Discard, &stderr, clock.Test); code != 0 {
			t.Fatalf("gen: exit %d: %s", code, stderr.String())
		}
		files[name] = path
		records += n
	}
	// The reference: A, B and C ingested alone.
	ref := filepath.Join(t.TempDir(), "ref")
	if r := runSigninq(t, nil, "ingest", "-q", "--db", ref, files["a"], files["b"], files["c"]); r.code != 0 {
		t.Fatalf("ingest the reference: exit %d: %s", r.code, r.stderr)
	}
	counts := []string{"query", "--now", "2026-11-26", "--format", "csv", "count group by date(time), type, app order by date(time), type, app"}
	want := runSigninq(t, nil, append(counts, "--db", ref)...)
	total := runSigninq(t, nil, "query", "--db", ref, "--now", "2026-11-26", "--format", "csv", "count")
	if want.code != 0 || total.code != 0 {
		t.Fatalf("the reference's counts: %+v %+v", want, total)
	}

	dir := filepath.Join(t.TempDir(), "shared")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	shell := exec.Command(os.Args[0], "repl", "--db", dir, "--now", "2026-11-26")
	shell.Env = append(os.Environ(), "SIGNINQ_RUN=1")
	var shellOut bytes.Buffer
	shell.Stdin, shell.Stdout, shell.Stderr = r, &shellOut, &shellOut
	if err := shell.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { shell.Process.Kill() })
	waitForSocket(t, dir, shell)

	// The second shell: it asks the first, in CSV.
	cr, cw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	client := exec.Command(os.Args[0], "repl", "--db", dir, "--now", "2026-11-26")
	client.Env = append(os.Environ(), "SIGNINQ_RUN=1")
	var clientOut, clientErr bytes.Buffer
	client.Stdin, client.Stdout, client.Stderr = cr, &clientOut, &clientErr
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	cr.Close()
	t.Cleanup(func() { client.Process.Kill() })
	if _, err := io.WriteString(cw, "\\format csv\n\\ingest "+files["c"]+"\n"); err != nil {
		t.Fatal(err)
	}

	type ingestRun struct {
		commandRun
		stored, duplicates int64
	}
	ingests := make([]ingestRun, 2)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for i, in := range [][]string{{files["a"], files["b"]}, {files["b"], files["c"]}} {
			wg.Go(func() {
				run := runSigninq(t, nil, append([]string{"ingest", "--db", dir}, in...)...)
				ingests[i].commandRun = run
				if m := storedLine.FindStringSubmatch(run.stderr); m != nil {
					ingests[i].stored, ingests[i].duplicates = number(m[1]), number(m[2])
				}
			})
		}
		wg.Wait()
	}()
	// The script: counts, until both ingests are done, and the shell's.
	var seen []int64
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		q := runSigninq(t, nil, "query", "--db", dir, "--now", "2026-11-26", "--format", "csv", "count")
		if q.code != 0 {
			t.Fatalf("a query while the store is shared: exit %d: %s", q.code, q.stderr)
		}
		seen = append(seen, number(strings.TrimSpace(strings.TrimPrefix(q.stdout, "count\n"))))
		if _, err := io.WriteString(w, "count\n"); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(cw, "count\n"); err != nil {
			t.Fatal(err)
		}
	}
	io.WriteString(cw, "count\n")
	cw.Close()
	if err := client.Wait(); err != nil || clientErr.Len() > 0 {
		t.Fatalf("the second shell: %v:\n%s", err, clientErr.String())
	}
	var clientSeen []int64
	for line := range strings.Lines(clientOut.String()) {
		if line = strings.TrimSpace(line); line != "count" {
			clientSeen = append(clientSeen, number(line))
		}
	}
	for i, run := range ingests {
		if run.code != 0 || run.stored+run.duplicates != records*2/3 {
			t.Errorf("ingest %d: exit %d, stored %d and skipped %d of %d:\n%s", i+1, run.code, run.stored, run.duplicates, records*2/3, run.stderr)
		}
	}
	n := number(strings.TrimSpace(strings.TrimPrefix(total.stdout, "count\n")))
	// The second shell's \ingest of C stored the rest (a script says
	// nothing of it): at most C's.
	if stored := ingests[0].stored + ingests[1].stored; stored > n || n-stored > records/3 {
		t.Errorf("the ingests stored %d new sign-ins between them, the second shell's the rest; the store of A, B and C holds %d", stored, n)
	}
	for i := range seen {
		if i > 0 && seen[i] < seen[i-1] || seen[i] > n {
			t.Errorf("the counts the queries saw: %v (of %d)", seen, n)
			break
		}
	}
	for i := range clientSeen {
		if i > 0 && clientSeen[i] < clientSeen[i-1] || clientSeen[i] > n {
			t.Errorf("the counts the second shell saw: %v (of %d)", clientSeen, n)
			break
		}
	}
	if len(clientSeen) == 0 || clientSeen[len(clientSeen)-1] != n {
		t.Errorf("the second shell's last count: %v, want %d", clientSeen, n)
	}
	if got := runSigninq(t, nil, append(counts, "--db", dir)...); got != want {
		t.Errorf("the shared store's counts by day, type and app, while the shell holds it, differ from the reference's: %s", firstDiff(got.stdout, want.stdout))
	}
	io.WriteString(w, "count\n")
	w.Close()
	if err := shell.Wait(); err != nil {
		t.Fatalf("the shell: %v:\n%s", err, shellOut.String())
	}
	if got := runSigninq(t, nil, append(counts, "--db", dir)...); got != want {
		t.Errorf("the shared store's counts by day, type and app differ from the reference's: %s", firstDiff(got.stdout, want.stdout))
	}
	t.Logf("%d records in A, B and C, %d sign-ins: ingest 1 stored %d and skipped %d, ingest 2 stored %d and skipped %d, the second shell's \\ingest of C %d; %d counts by the script: %v; %d by the second shell: %v",
		records, n, ingests[0].stored, ingests[0].duplicates, ingests[1].stored, ingests[1].duplicates, n-ingests[0].stored-ingests[1].stored, len(seen), seen, len(clientSeen), clientSeen)
}

// storedLine matches what ingest says it stored.
var storedLine = regexp.MustCompile(`stored ([0-9,]+) new sign-ins?, skipped ([0-9,]+) duplicates`)
