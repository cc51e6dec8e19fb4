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

	"github.com/signinq/signinq/internal/clock"
)

// storeRows counts the sign-ins of the store in dir with signinq query,
// in a process of its own: the holder answers when there is one.
func storeRows(t *testing.T, dir string) int64 {
	t.Helper()
	r := runSigninq(t, nil, "query", "--db", dir, "--now", "2026-11-26", "--format", "csv", "count")
	if r.code != 0 {
		t.Fatalf("count: exit %d: %s", r.code, r.stderr)
	}
	return number(strings.TrimSpace(strings.TrimPrefix(r.stdout, "count\n")))
}

// TestForwardedIngest ingests, on a terminal, a log with bad records
// into a store signinq serve holds: the command draws its progress bar
// from the holder's progress, prints the rejects and its summary, exits
// 1 for the rejects, and writes into --rejects exactly what the same
// ingest holding a store itself writes; the store then holds the log's
// sign-ins.
func TestForwardedIngest(t *testing.T) {
	dir := serveStore(t)
	log := filepath.Join(t.TempDir(), "signins.json")
	n := strconv.Itoa(terminalCount)
	if code := Main([]string{"gen", "--count", n, "--days", "2", "--seed", "9", "--end", "2026-11-26T00:00:00Z", "-q", "-o", log}, strings.NewReader(""), io.Discard, io.Discard, clock.Test); code != 0 {
		t.Fatalf("gen: exit %d", code)
	}
	f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("{\"id\": \"x\", \"createdDateTime\": \"not a time\"}\nnot json at all\n")
	f.Close()
	base := storeRows(t, dir)

	serve := startServe(t, "--db", dir, "--listen", "127.0.0.1:0")
	shared := filepath.Join(t.TempDir(), "shared-rejects.jsonl")
	c := startChild(t, nil, "ingest", "--db", dir, "--rejects", shared, log)
	code, out := c.wait()
	if code != exitRejected {
		t.Fatalf("ingest through serve: exit %d, want %d:\n%s", code, exitRejected, out)
	}
	for _, want := range []string{"ingesting: ", " read, ", " committed, ", "█", "signins.json:" + strconv.Itoa(terminalCount+1) + ":",
		"stored " + comma(int64(terminalCount)) + " new sign-ins, skipped 0 duplicates, rejected 2", "by the signinq process holding the store",
		"now holds " + comma(base+int64(terminalCount)) + " sign-ins"} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest through serve: the terminal does not show %q:\n%q", want, out)
		}
	}
	if n := storeRows(t, dir); n != base+int64(terminalCount) {
		t.Errorf("the store holds %d sign-ins, want %d", n, base+int64(terminalCount))
	}
	if code, out := serve.stop(syscall.SIGINT); code != 0 {
		t.Fatalf("serve: exit %d:\n%s", code, out)
	}

	own := filepath.Join(t.TempDir(), "own-rejects.jsonl")
	if r := runSigninq(t, nil, "ingest", "--db", filepath.Join(t.TempDir(), "own"), "--rejects", own, log); r.code != exitRejected {
		t.Fatalf("ingest holding the store: exit %d: %s", r.code, r.stderr)
	}
	a, err := os.ReadFile(shared)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) || bytes.Count(a, []byte("\n")) != 2 {
		t.Errorf("--rejects through serve:\n%s\nholding the store:\n%s", a, b)
	}
}

// forwardedInterrupted matches the message of a forwarded ingest Ctrl-C
// stopped.
var forwardedInterrupted = regexp.MustCompile(`signinq: interrupted after reading ([0-9,]+) records: ([0-9,]+) new sign-ins committed by the signinq process holding the store, 0 duplicates skipped, 0 rejected; run the same ingest again`)

// TestForwardedIngestInterrupt stops with Ctrl-C an ingest of standard
// input (half a log, then nothing more) that signinq serve stores: the
// command exits 130 saying how many records were read and committed;
// the store holds that many more; and the whole log ingested again
// through serve stores exactly the rest, skipping those as duplicates.
func TestForwardedIngestInterrupt(t *testing.T) {
	path, data := interruptInput(t)
	// A store of other sign-ins than the log's (seed 77).
	dir := filepath.Join(t.TempDir(), "store")
	if code := Main([]string{"gen", "--count", "2000", "--days", "3", "--seed", "77", "--end", "2026-11-26T00:00:00Z", "-q", "--db", dir}, strings.NewReader(""), io.Discard, io.Discard, clock.Test); code != exitOK {
		t.Fatalf("gen: exit %d", code)
	}
	base := storeRows(t, dir)
	serve := startServe(t, "--db", dir, "--listen", "127.0.0.1:0")
	r, w := pipe(t)
	c := startChild(t, r, "ingest", "--db", dir, "-")
	r.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		feed(w, half(data), false, stop) // then the pipe stays open, with nothing more
		<-c.done
		w.Close()
	}()
	c.waitFor("some sign-ins read", func(read, _ int64) bool { return read > 0 })
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code, out := c.wait()
	if code != 130 {
		t.Fatalf("exit %d after Ctrl-C, want 130:\n%s", code, out)
	}
	m := forwardedInterrupted.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q:\n%s", forwardedInterrupted, out)
	}
	read, committed := number(m[1]), number(m[2])
	if committed == 0 || committed != read || committed >= interruptCount {
		t.Fatalf("read %d, committed %d of %d: want every record read committed, and some left", read, committed, interruptCount)
	}
	if n := storeRows(t, dir); n != base+committed {
		t.Fatalf("the store holds %d sign-ins; it held %d, and the command said %d were committed", n, base, committed)
	}
	again := runSigninq(t, nil, "ingest", "--db", dir, path)
	want := regexp.MustCompile(`stored ` + regexp.QuoteMeta(comma(interruptCount-committed)) + ` new sign-ins, skipped ` + regexp.QuoteMeta(comma(committed)) + ` duplicates, rejected 0, .*by the signinq process holding the store`)
	if again.code != 0 || !want.MatchString(again.stderr) {
		t.Errorf("ingest again through serve: exit %d, want %q:\n%s", again.code, want, again.stderr)
	}
	if n := storeRows(t, dir); n != base+interruptCount {
		t.Errorf("the store holds %d sign-ins, want %d", n, base+interruptCount)
	}
	if code, out := serve.stop(syscall.SIGINT); code != 0 {
		t.Fatalf("serve: exit %d:\n%s", code, out)
	}
}
