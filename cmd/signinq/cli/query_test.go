package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/internal/clock"
	"github.com/signinq/signinq/internal/peakmem"
)

// queryStore makes a store of n generated sign-ins over 30 days.
func queryStore(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir() + "/db"
	var out, errb bytes.Buffer
	args := []string{"gen", "--count", strconv.Itoa(n), "--seed", "3", "--end", "2026-11-26T00:00:00Z", "--db", dir, "--no-raw", "-q"}
	if code := Main(args, strings.NewReader(""), &out, &errb, clock.Test); code != exitOK {
		t.Fatalf("gen: exit %d\n%s", code, errb.String())
	}
	return dir
}

// closedPipe is standard output whose reader goes away after size bytes
// (signinq query 'list *' | head): writes then fail with EPIPE. It
// counts the writes after the first that failed.
type closedPipe struct {
	size, after int
	failed      bool
}

func (p *closedPipe) Write(b []byte) (int, error) {
	if p.failed {
		p.after++
	}
	if len(b) > p.size {
		n := p.size
		p.size, p.failed = 0, true
		return n, syscall.EPIPE
	}
	p.size -= len(b)
	return len(b), nil
}

// TestQueryOutputClosed closes the query's standard output after 32 KiB
// of rows, for each format: the query stops at once, quietly, with the
// exit status of a process SIGPIPE ended (141), writing nothing more.
func TestQueryOutputClosed(t *testing.T) {
	dir := queryStore(t, 5000)
	for _, args := range [][]string{
		{"--format", "json", "list *"},
		{"--format", "csv", "list *"},
		{"list * limit 5000"},
		{"--format", "json", "list * order by user"},
	} {
		pipe := &closedPipe{size: 32 << 10}
		var errb bytes.Buffer
		code := Main(append([]string{"query", "--db", dir}, args...), strings.NewReader(""), pipe, &errb, clock.Test)
		if code != exitOutputClosed || errb.Len() > 0 {
			t.Errorf("%q: exit %d, want %d, and nothing on standard error:\n%s", args, code, exitOutputClosed, errb.String())
		}
		if pipe.after > 0 {
			t.Errorf("%q: %d writes after the output closed", args, pipe.after)
		}
	}
}

// TestQueryOutputClosedMemory lists every field of half a million
// sign-ins as JSON to an output closed after 1 MiB: the query stops
// there, instead of reading (and, as it did, holding) every row before
// writing the first (which took gigabytes). The bound of anonymous
// memory, 128 MiB, holds the store's fixed buffers (Badger's memtable
// arena, about 40 MiB) and the few blocks read before the output
// closed; the store's mapped files are not counted (peakmem.RunAnon).
// The store is opened once before the peak is reset: the first open of
// a store just generated may compact Badger's tables, which took up to
// 130 MiB more while other tests loaded the machine, and is not the
// query's.
func TestQueryOutputClosedMemory(t *testing.T) {
	dir, release, err := benchstore.Use(context.Background(), 500_000, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	peakmem.RunAnon(t, 128<<20, func(reset func()) {
		var out, warm bytes.Buffer
		if code := Main([]string{"query", "--db", dir, "count"}, strings.NewReader(""), &out, &warm, clock.Test); code != exitOK {
			t.Fatalf("count: exit %d:\n%s", code, warm.String())
		}
		reset()
		pipe := &closedPipe{size: 1 << 20}
		var errb bytes.Buffer
		code := Main([]string{"query", "--db", dir, "--format", "json", "list *"}, strings.NewReader(""), pipe, &errb, clock.Test)
		if code != exitOutputClosed {
			t.Errorf("exit %d, want %d:\n%s", code, exitOutputClosed, errb.String())
		}
	})
}

// TestQueryPipeClosedByReader runs signinq query 'list *' with its
// standard output a pipe whose reader reads 4 KiB and closes it: the
// command ends at its next write, quietly, as SIGPIPE ends a process
// (as "| head" sees it).
func TestQueryPipeClosedByReader(t *testing.T) {
	dir := queryStore(t, 5000)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd := exec.Command(os.Args[0], "query", "--db", dir, "--format", "json", "list *")
	cmd.Env = append(os.Environ(), "SIGNINQ_RUN=1")
	cmd.Stdout, cmd.Stderr = w, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := io.ReadFull(r, make([]byte, 4<<10)); err != nil {
		t.Fatalf("reading the first rows: %v", err)
	}
	r.Close()
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the command went on after its reader went away: %v", err)
	}
	ws := exit.Sys().(syscall.WaitStatus)
	if !(ws.Signaled() && ws.Signal() == syscall.SIGPIPE) && ws.ExitStatus() != exitOutputClosed {
		t.Errorf("ended with %v, want SIGPIPE or exit %d", err, exitOutputClosed)
	}
	if errb.Len() > 0 {
		t.Errorf("standard error: %s", errb.String())
	}
}
