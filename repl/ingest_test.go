package repl_test

import (
	"bytes"
	"errors"
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

	"github.com/signinq/signinq/engine"
)

// The \ingest interruption tests ingest a named pipe that the test feeds
// half the input and then leaves open, so that \ingest is surely under
// way when the signal comes; they wait for what the progress bar shows.

const ingestCount = 10000

// ingestInput writes the input and returns its path and content.
func ingestInput(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "signins.json")
	gen := exec.Command(os.Args[0], "gen", "--count", strconv.Itoa(ingestCount), "--days", "3", "--end", "2026-11-26T00:00:00Z", "-q", "-o", path)
	gen.Env = append(os.Environ(), "SIGNINQ_REPL_CHILD=1")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

// stalledPipe makes a named pipe and feeds it the first half of data's
// lines once it is opened, then nothing, until the test ends.
func stalledPipe(t *testing.T, data []byte) string {
	t.Helper()
	pipe := filepath.Join(t.TempDir(), "signins.fifo")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Fatal(err)
	}
	half := data[:bytes.IndexByte(data[len(data)/2:], '\n')+len(data)/2+1]
	end := make(chan struct{})
	go func() {
		w, err := os.OpenFile(pipe, os.O_WRONLY, 0) // waits for \ingest to open it
		if err != nil {
			return
		}
		defer w.Close()
		w.Write(half) // fails once the reader is gone
		<-end
	}()
	t.Cleanup(func() { close(end) })
	return pipe
}

// interruptedIngest matches \ingest's message when interrupted.
var interruptedIngest = regexp.MustCompile(`interrupted after reading ([0-9,]+) records: ([0-9,]+) new sign-ins committed, 0 duplicates skipped, 0 rejected; \\ingest the same files again to continue \(the sign-ins stored are skipped as duplicates\)`)

// committedOf checks the message in the output and returns the sign-ins
// it says were committed: all that were read, some and not all.
func committedOf(t *testing.T, out string) int64 {
	t.Helper()
	m := interruptedIngest.FindStringSubmatch(ansi.ReplaceAllString(out, ""))
	if m == nil {
		t.Fatalf("no %q in:\n%s", interruptedIngest, ansi.ReplaceAllString(out, ""))
	}
	read, committed := atoi(m[1]), atoi(m[2])
	if committed == 0 || committed != read || committed >= ingestCount {
		t.Fatalf("read %d, committed %d of %d: want every record read committed, and some left", read, committed, ingestCount)
	}
	return committed
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

func comma(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func countStore(t *testing.T, dir string) int64 {
	t.Helper()
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.Count()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Ctrl-C during \ingest commits what was read, says how many sign-ins
// and how to go on, and returns to the prompt; \ingest of the whole file
// then stores the rest, counting the first part as already stored.
func TestTerminalIngestInterrupt(t *testing.T) {
	t.Parallel()
	path, data := ingestInput(t)
	pipe := stalledPipe(t, data)
	db := filepath.Join(t.TempDir(), "db")
	sh := startShell(t, nil, "repl", "--db", db, "--history", filepath.Join(t.TempDir(), "history"))
	sh.expect(`signinq> `)
	sh.send(`\ingest ` + pipe + "\r")
	sh.expect(`[1-9][0-9,]* read, [0-9,]+ committed`)
	sh.send("\x03")
	sh.expect(`(?s)interrupted after reading .*canceled`)
	sh.expect(`signinq> `)
	committed := committedOf(t, output(sh))
	sh.send(`\ingest ` + path + "\r")
	sh.expect(`read ` + comma(ingestCount) + ` records: ` + comma(ingestCount-committed) + ` stored, ` + comma(committed) + ` already stored, 0 rejected`)
	sh.expect(`signinq> `)
	sh.send(`\stats` + "\r")
	sh.expect(comma(ingestCount) + ` sign-ins`)
	sh.send("\\q\r")
	if err := sh.wait(); err != nil {
		t.Fatalf("the shell exited with %v", err)
	}
}

// SIGTERM during \ingest commits what was read, says so, and ends the
// shell with exit status 143.
func TestTerminalIngestTerminate(t *testing.T) {
	t.Parallel()
	_, data := ingestInput(t)
	pipe := stalledPipe(t, data)
	db := filepath.Join(t.TempDir(), "db")
	sh := startShell(t, nil, "repl", "--db", db, "--history", filepath.Join(t.TempDir(), "history"))
	sh.expect(`signinq> `)
	sh.send(`\ingest ` + pipe + "\r")
	sh.expect(`[1-9][0-9,]* read, [0-9,]+ committed`)
	if err := sh.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := sh.wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Fatalf("the shell exited with %v, want exit status 143:\n%s", err, output(sh))
	}
	// What it printed last may still be on its way from the terminal.
	sh.expect(`(?s)interrupted after reading .*signinq: terminated`)
	committed := committedOf(t, output(sh))
	if n := countStore(t, db); n != committed {
		t.Fatalf("the store holds %d sign-ins; \\ingest said it committed %d", n, committed)
	}
}

// output is all the shell showed so far.
func output(sh *shell) string {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.out.String()
}

// Ctrl-C during a script's \ingest commits what was read, says so, and
// ends the script with exit status 130. Off a terminal the progress is a
// plain line every five seconds, so the named pipe is fed slowly enough
// for one to come while it is fed.
func TestScriptIngestInterrupt(t *testing.T) {
	t.Parallel()
	_, data := ingestInput(t)
	pipe := filepath.Join(t.TempDir(), "signins.fifo")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "db")
	cmd := exec.Command(os.Args[0], "repl", "--db", db)
	cmd.Env = append(os.Environ(), "SIGNINQ_REPL_CHILD=1")
	cmd.Stdin = strings.NewReader(`\ingest ` + pipe + "\ncount\n")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		w, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1<<19)
			if _, err := w.Write(rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond): // a pace: 40 MB takes eight seconds at least
			}
		}
		<-stop
	}()
	line := regexp.MustCompile(`[1-9][0-9,]* read, [0-9,]+ committed`)
	for !line.MatchString(stderr.String()) {
		select {
		case err := <-exited:
			t.Fatalf("the script ended before its progress showed some sign-ins read: %v\n%s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("the script exited with %v, want exit status 130:\n%s", err, stderr.String())
	}
	committed := committedOf(t, stderr.String())
	if !strings.Contains(stderr.String(), "line 1: canceled") || !strings.Contains(stderr.String(), "signinq: interrupted") {
		t.Errorf("want \"line 1: canceled\" and \"signinq: interrupted\":\n%s", stderr.String())
	}
	if n := countStore(t, db); n != committed {
		t.Fatalf("the store holds %d sign-ins; \\ingest said it committed %d", n, committed)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
