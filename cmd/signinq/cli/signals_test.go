package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signinq/signinq/internal/clock"
)

// The tests of signals run the real command (this test binary again,
// see startChild) and send it real signals, as interrupt_test.go does.

// waitBlocked waits until one of the child's threads sleeps in the
// kernel function wchan (Linux's /proc/PID/task/*/wchan), and fails the
// test if the child exits first.
func (c *ingestChild) waitBlocked(wchan string) {
	c.t.Helper()
	watchdog := time.After(2 * time.Minute) // not a timing: only so that a bug fails rather than hangs
	for {
		tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(c.cmd.Process.Pid), "task", "*", "wchan"))
		for _, task := range tasks {
			if b, err := os.ReadFile(task); err == nil && string(bytes.TrimSpace(b)) == wchan {
				return
			}
		}
		select {
		case <-c.done:
			c.t.Fatalf("signinq exited before it waited in %s:\n%s", wchan, c.output())
		case <-watchdog:
			c.t.Fatalf("signinq did not wait in %s:\n%s", wchan, c.output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestSecondInterrupt: parse of a named pipe that no one writes waits
// in open, where no context reaches: the first Ctrl-C cannot stop it,
// and a second ends the process at once, exit status 130, saying it
// stopped without finishing. Signals that come together may arrive as
// one, so Ctrl-C is pressed until it exits.
func TestSecondInterrupt(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "signins.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, nil, "parse", fifo)
	c.waitBlocked("wait_for_partner") // in the open of the named pipe
	sent := 0
	watchdog := time.After(2 * time.Minute) // not a timing: only so that a bug fails rather than hangs
	for exited := false; !exited; {
		if sent < 50 {
			if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
				break // exited
			}
			sent++
		}
		select {
		case <-c.done:
			exited = true
		case <-watchdog:
			c.cmd.Process.Kill()
			t.Fatalf("signinq did not exit after %d SIGINTs:\n%s", sent, c.output())
		case <-time.After(100 * time.Millisecond): // a pace between presses, not a timing
		}
	}
	code, out := c.wait()
	if code != 130 || !strings.Contains(out, "signinq: interrupted again: stopped at once, without finishing") {
		t.Fatalf("exit status %d after %d SIGINTs, want 130 and the message:\n%s", code, sent, out)
	}
	if sent < 2 {
		t.Errorf("exited after %d SIGINT, want the second to end it", sent)
	}
}

// TestInterruptScriptFunction: Ctrl-C during a query calling a Starlark
// function stops the function where it is, and the query with it: exit
// status 130. Each call takes some milliseconds and the query calls it
// for each of 20,000 sign-ins: minutes, were it not stopped.
func TestInterruptScriptFunction(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, plugins := filepath.Join(dir, "db"), filepath.Join(dir, "plugins")
	var stderr bytes.Buffer
	if code := Main([]string{"gen", "--count", "20000", "--days", "2", "--end", "2026-11-26T00:00:00Z", "--no-raw", "-q", "--db", db}, strings.NewReader(""), io.Discard, &stderr, clock.Test); code != exitOK {
		t.Fatalf("gen: exit %d: %s", code, stderr.String())
	}
	if err := os.Mkdir(plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	src := `L = list(range(1000000))

def _eval(t):
    print("called")
    n = 0
    for i in range(5):
        if -1 in L:
            n += 1
    return n

function(name="slow", args=[arg("t", "field")], result="int", eval=_eval)
`
	if err := os.WriteFile(filepath.Join(plugins, "slow.star"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, nil, "--plugins", plugins, "query", "--db", db, "count where slow(time) = 1")
	if !c.waitForOrExit(regexp.MustCompile(`slow.star:4: called`)) {
		code, out := c.wait()
		t.Fatalf("the query ended (exit %d) before it called slow:\n%s", code, out)
	}
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code, out := c.wait()
	if code != 130 || !strings.Contains(out, "signinq: interrupted") {
		t.Fatalf("exit status %d after SIGINT, want 130, interrupted:\n%s", code, out)
	}
}
