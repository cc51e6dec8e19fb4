package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/clock"
	"github.com/signinq/signinq/internal/race"
)

// The interruption tests run the real command (this test binary again,
// see TestMain) ingesting from a pipe or a named pipe that the test
// feeds (half the input, then nothing, as a stream that has no more input
// yet), so that the ingest is surely under way, with what it read shown
// on a terminal, when the signal comes: they wait for what the progress
// bar shows, never for a time.

// interruptCount is the sign-ins of the input: about 40 MB (16 MB under
// -race, which ingests them again in-process ten times slower).
var interruptCount = race.Pick[int64](10000, 4000)

// interruptInput writes the input and returns its path and content.
func interruptInput(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "signins.json")
	var stderr bytes.Buffer
	if code := Main([]string{"gen", "--count", strconv.FormatInt(interruptCount, 10), "--days", "3", "--end", "2026-11-26T00:00:00Z", "-q", "-o", path}, strings.NewReader(""), io.Discard, &stderr, clock.Test); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

// ingestChild is signinq running with its standard error on a terminal
// (so that its progress bar is drawn as it goes) and what it showed.
type ingestChild struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{} // closed when the terminal is closed: the child exited
}

// startChild starts signinq with args, reading stdin (nil: none).
func startChild(t *testing.T, stdin *os.File, args ...string) *ingestChild {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	// Wide enough for the bar's description.
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 250}); err != nil {
		t.Fatal(err)
	}
	c := &ingestChild{t: t, cmd: exec.Command(os.Args[0], args...), done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), "SIGNINQ_RUN=1")
	c.cmd.Stdout, c.cmd.Stderr = io.Discard, tty
	if stdin != nil {
		c.cmd.Stdin = stdin
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	go func() {
		defer close(c.done)
		defer ptmx.Close()
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			c.mu.Lock()
			c.out.Write(buf[:n])
			c.mu.Unlock()
			if err != nil { // EIO once the child exited
				return
			}
		}
	}()
	t.Cleanup(func() { c.cmd.Process.Kill() })
	return c
}

// barCounts matches the progress bar's counts.
var barCounts = regexp.MustCompile(`([0-9,]+) read, ([0-9,]+) committed`)

// waitFor waits until the bar shows counts that ok accepts; it fails the
// test if the child exits first.
func (c *ingestChild) waitFor(what string, ok func(read, committed int64) bool) {
	c.t.Helper()
	watchdog := time.After(2 * time.Minute) // not a timing: only so that a bug fails rather than hangs
	for {
		c.mu.Lock()
		all := barCounts.FindAllStringSubmatch(c.out.String(), -1)
		c.mu.Unlock()
		for _, m := range all {
			if ok(number(m[1]), number(m[2])) {
				return
			}
		}
		select {
		case <-c.done:
			c.t.Fatalf("signinq exited before its progress showed %s:\n%s", what, c.output())
		case <-watchdog:
			c.t.Fatalf("the progress did not show %s:\n%s", what, c.output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// wait waits for the child to exit and returns its exit status and what
// it showed.
func (c *ingestChild) wait() (int, string) {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(2 * time.Minute): // not a timing: only so that a bug fails rather than hangs
		c.cmd.Process.Kill()
		<-c.done
		c.t.Fatalf("signinq did not exit two minutes after the signal:\n%s", c.output())
	}
	err := c.cmd.Wait()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = -int(ws.Signal())
		}
	} else if err != nil {
		c.t.Fatal(err)
	}
	return code, c.output()
}

func (c *ingestChild) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

func number(s string) int64 {
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

// feed writes data into w in pieces of whole lines, until it is all
// written (again and again when cycle is set: duplicates, which keep
// batches coming) or stop is closed, and then leaves w open, as a stream
// that has no more input yet: the ingest can only end by the signal.
func feed(w io.Writer, data []byte, cycle bool, stop <-chan struct{}) {
	for rest := data; len(rest) > 0; {
		select {
		case <-stop:
			return
		default:
		}
		n := min(len(rest), 1<<20)
		if i := bytes.LastIndexByte(rest[:n], '\n'); i >= 0 {
			n = i + 1
		}
		if _, err := w.Write(rest[:n]); err != nil {
			return // the child exited
		}
		if rest = rest[n:]; len(rest) == 0 && cycle {
			rest = data
		}
		time.Sleep(10 * time.Millisecond) // a pace, not a timing: what the test waits for is on the bar
	}
}

// pipe makes the pipe a child reads as its standard input: an *os.File,
// so that the child reads it itself and exec copies nothing.
func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	return r, w
}

// half is the first half of data's lines.
func half(data []byte) []byte {
	return data[:bytes.IndexByte(data[len(data)/2:], '\n')+len(data)/2+1]
}

// storeCount opens the store the child left and counts its sign-ins.
func storeCount(t *testing.T, dir string) int64 {
	t.Helper()
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatalf("open the store after the interruption: %v", err)
	}
	defer db.Close()
	n, err := db.Count()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// interrupted matches the message of an interrupted ingest.
var interrupted = regexp.MustCompile(`signinq: interrupted after reading ([0-9,]+) records: ([0-9,]+) new sign-ins committed, 0 duplicates skipped, 0 rejected; run the same ingest again to continue \(the sign-ins stored are skipped as duplicates\)`)

// ingestRest runs the same ingest again, from the whole file, and checks
// that it stores the rest, counting what the interrupted one committed as
// duplicates, and that the store then holds every sign-in once.
func ingestRest(t *testing.T, db, path string, committed int64) {
	t.Helper()
	var stderr bytes.Buffer
	if code := Main([]string{"ingest", "--db", db, path}, strings.NewReader(""), io.Discard, &stderr, clock.Test); code != exitOK {
		t.Fatalf("ingest again: exit %d:\n%s", code, stderr.String())
	}
	want := regexp.MustCompile(`stored ` + regexp.QuoteMeta(comma(interruptCount-committed)) + ` new sign-ins, skipped ` + regexp.QuoteMeta(comma(committed)) + ` duplicates, rejected 0`)
	if !want.MatchString(stderr.String()) {
		t.Errorf("ingest again: want %q:\n%s", want, stderr.String())
	}
	if n := storeCount(t, db); n != interruptCount {
		t.Errorf("after ingesting again the store holds %d sign-ins, want %d", n, interruptCount)
	}
}

func comma(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Ctrl-C (SIGINT) during an ingest from standard input, while the stream
// has no more input yet: the command commits every record it read, says
// how many, exits 130, and the same ingest again stores the rest.
func TestIngestInterrupt(t *testing.T) {
	testIngestSignal(t, syscall.SIGINT, 130, false)
}

// SIGTERM during an ingest of a named pipe: the same, exit status 143.
func TestIngestTerminate(t *testing.T) {
	testIngestSignal(t, syscall.SIGTERM, 143, true)
}

func testIngestSignal(t *testing.T, sig syscall.Signal, wantCode int, fifo bool) {
	t.Parallel()
	path, data := interruptInput(t)
	db := filepath.Join(t.TempDir(), "db")
	stop := make(chan struct{})
	var c *ingestChild
	if fifo {
		pipe := filepath.Join(t.TempDir(), "signins.fifo")
		if err := syscall.Mkfifo(pipe, 0o600); err != nil {
			t.Fatal(err)
		}
		c = startChild(t, nil, "ingest", "--db", db, pipe)
		go func() {
			w, err := os.OpenFile(pipe, os.O_WRONLY, 0) // waits for the child to open it
			if err != nil {
				return
			}
			defer w.Close()
			feed(w, half(data), false, stop)
			<-c.done
		}()
	} else {
		r, w := pipe(t)
		c = startChild(t, r, "ingest", "--db", db, "-")
		r.Close()
		go func() {
			feed(w, half(data), false, stop)
			<-c.done
			w.Close()
		}()
	}
	defer close(stop)
	c.waitFor("some sign-ins read", func(read, _ int64) bool { return read > 0 })
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	code, out := c.wait()
	if code != wantCode {
		t.Fatalf("exit status %d after %v, want %d:\n%s", code, sig, wantCode, out)
	}
	m := interrupted.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q:\n%s", interrupted, out)
	}
	read, committed := number(m[1]), number(m[2])
	if committed == 0 || committed != read || committed >= interruptCount {
		t.Fatalf("read %d, committed %d of %d: want every record read committed, and some left", read, committed, interruptCount)
	}
	if n := storeCount(t, db); n != committed {
		t.Fatalf("the store holds %d sign-ins; the command said it committed %d", n, committed)
	}
	ingestRest(t, db, path, committed)
}

// kill -9 during an ingest loses at most the work since the last commit,
// and commits come by time as well as by count: with a short interval,
// what the bar showed committed before the kill is in the store, though
// the count (half a million) was never reached.
func TestIngestKilled(t *testing.T) {
	t.Parallel()
	path, data := interruptInput(t)
	db := filepath.Join(t.TempDir(), "db")
	r, w := pipe(t)
	c := startChild(t, r, "ingest", "--db", db, "--commit-interval", "50ms", "-")
	r.Close()
	stop := make(chan struct{})
	go func() {
		feed(w, data, true, stop)
		<-c.done
		w.Close()
	}()
	var shown int64
	c.waitFor("a commit", func(_, committed int64) bool { shown = committed; return committed > 0 })
	close(stop)
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if code, out := c.wait(); code != -int(syscall.SIGKILL) {
		t.Fatalf("exit status %d, want killed:\n%s", code, out)
	}
	n := storeCount(t, db)
	if n < shown {
		t.Fatalf("the store holds %d sign-ins; the bar showed %d committed before the kill", n, shown)
	}
	ingestRest(t, db, path, n)
}

// genBar matches gen --db's bar: the sign-ins made, then those committed.
var genBar = regexp.MustCompile(`([0-9]+)/[0-9]+ .*?([0-9,]+) committed|([0-9,]+) committed.*?([0-9]+)/[0-9]+`)

// Ctrl-C during gen --db: it commits what it made, says so, exits 130,
// and the same gen --db again stores the rest. The generator does not
// wait for input as an ingest may, so a run that ends before the signal
// comes is done again with twice as many sign-ins.
func TestGenInterrupt(t *testing.T) {
	t.Parallel()
	// Under -race, from fewer: what is left is generated again
	// in-process, ten times slower (and so in the quick lane, -short).
	for count := race.Quick[int64](100000, 20000); ; count *= 2 {
		if count > 6400000 {
			t.Fatal("gen --db always ended before Ctrl-C")
		}
		db := filepath.Join(t.TempDir(), "db")
		args := []string{"gen", "--count", strconv.FormatInt(count, 10), "--days", "2", "--end", "2026-11-26T00:00:00Z", "--no-raw", "--db", db}
		c := startChild(t, nil, args...)
		if !c.waitForOrExit(genBar) {
			c.wait()
			continue // done already: too few for this machine
		}
		if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		code, out := c.wait()
		if code == 0 {
			continue // done before the signal came
		}
		if code != 130 {
			t.Fatalf("exit status %d after SIGINT, want 130:\n%s", code, out)
		}
		m := regexp.MustCompile(`signinq: interrupted after generating ([0-9,]+) sign-ins: ([0-9,]+) committed; run the same gen --db again to continue \(the sign-ins stored are skipped as duplicates\)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no message of the interruption:\n%s", out)
		}
		made, committed := number(m[1]), number(m[2])
		if committed != made || committed >= count {
			t.Fatalf("made %d, committed %d of %d: want all that was made committed, and some left", made, committed, count)
		}
		if n := storeCount(t, db); n != committed {
			t.Fatalf("the store holds %d sign-ins; gen said it committed %d", n, committed)
		}
		var stderr bytes.Buffer
		if code := Main(args, strings.NewReader(""), io.Discard, &stderr, clock.Test); code != exitOK {
			t.Fatalf("gen again: exit %d:\n%s", code, stderr.String())
		}
		want := "stored " + comma(count-committed) + " new sign-ins (" + comma(committed) + " duplicates)"
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("gen again: want %q:\n%s", want, stderr.String())
		}
		if n := storeCount(t, db); n != count {
			t.Errorf("after gen again the store holds %d sign-ins, want %d", n, count)
		}
		return
	}
}

// waitForOrExit waits until the output matches re, and reports whether
// it did before the child exited.
func (c *ingestChild) waitForOrExit(re *regexp.Regexp) bool {
	c.t.Helper()
	for {
		c.mu.Lock()
		ok := re.MatchString(c.out.String())
		c.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-c.done:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}
