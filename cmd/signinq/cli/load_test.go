package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinq/signinq/bench"
	"github.com/signinq/signinq/internal/clock"
)

// loadIngestCount is how many sign-ins TestLoadWhileIngesting ingests
// while the load runs (seed 2: none of them in serveStore's, seed 1).
const loadIngestCount = 6000

// TestLoadWhileIngesting is issue 17's load test, with real processes:
// signinq serve holds a store of 2,000 sign-ins on a free loopback
// port; a signinq ingest of 6,000 more goes through serve's socket, fed
// half its input on a pipe that stays open, so that it is running for
// the whole of the load; meanwhile signinq load, a process of its own,
// sends every query of the mix twice from 4 workers with a real HTTP
// client. The load had no errors and every query answered; the ingest,
// once its input is closed, stored every sign-in; and a count through
// the API is the total.
func TestLoadWhileIngesting(t *testing.T) {
	dir := serveStore(t)
	input := filepath.Join(t.TempDir(), "more.json")
	var errb bytes.Buffer
	args := []string{"gen", "--count", fmt.Sprint(loadIngestCount), "--days", "3", "--seed", "2", "--end", "2026-11-26T00:00:00Z", "-q", "-o", input}
	t.Logf("signinq %s", strings.Join(args, " "))
	if code := Main(args, strings.NewReader(""), io.Discard, &errb, clock.Test); code != exitOK {
		t.Fatalf("gen: exit %d: %s", code, errb.String())
	}
	data, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--db", dir, "--listen", "127.0.0.1:0")

	// The ingest: half its input now, the rest after the load.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ingest := exec.Command(os.Args[0], "ingest", "--db", dir, "-")
	ingest.Env = append(os.Environ(), "SIGNINQ_RUN=1")
	var ingestOut bytes.Buffer
	ingest.Stdin, ingest.Stdout, ingest.Stderr = r, &ingestOut, &ingestOut
	if err := ingest.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { ingest.Process.Kill() })
	ingestDone := make(chan error, 1)
	go func() { ingestDone <- ingest.Wait() }()
	mid := bytes.IndexByte(data[len(data)/2:], '\n') + len(data)/2 + 1
	if _, err := w.Write(data[:mid]); err != nil {
		t.Fatal(err)
	}

	// The load, from a process of its own.
	queries := bench.LoadQueries()
	report := filepath.Join(t.TempDir(), "load.json")
	run := runSigninq(t, nil, "load", "--url", s.url, "--requests", fmt.Sprint(2*len(queries)), "--concurrency", "4",
		"--now", "2026-11-26", "--json", report, "--markdown", filepath.Join(t.TempDir(), "load.md"))
	if run.code != 0 {
		t.Fatalf("signinq load: exit %d:\n%s", run.code, run.stderr)
	}
	select {
	case err := <-ingestDone:
		t.Fatalf("the ingest ended before its input did: %v\n%s", err, ingestOut.String())
	default: // it ran for the whole load
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.LoadReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Requests != int64(2*len(queries)) || rep.Errors != 0 || len(rep.Queries) != len(queries) {
		t.Errorf("the load: %d requests (want %d), %d errors %v %v, %d queries (want %d)", rep.Requests, 2*len(queries), rep.Errors, rep.ErrorKinds, rep.ErrorSamples, len(rep.Queries), len(queries))
	}
	for i, q := range rep.Queries {
		if i < len(queries) && q.Query != queries[i] || q.Requests != 2 || q.Errors != 0 {
			t.Errorf("query %d %q: %d requests, %d errors %v", i, q.Query, q.Requests, q.Errors, q.ErrorKinds)
		}
	}
	if rep.Rows == 0 || rep.Queries[0].Rows != 2 { // count: one row, twice
		t.Errorf("rows: %d in all, %d of %q", rep.Rows, rep.Queries[0].Rows, rep.Queries[0].Query)
	}

	// The rest of the ingest's input.
	if _, err := w.Write(data[mid:]); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := <-ingestDone; err != nil {
		t.Fatalf("ingest: %v\n%s", err, ingestOut.String())
	}
	m := storedLine.FindStringSubmatch(ingestOut.String())
	if m == nil || number(m[1]) != loadIngestCount || number(m[2]) != 0 {
		t.Fatalf("the ingest did not store %d new sign-ins:\n%s", loadIngestCount, ingestOut.String())
	}
	status, body := get(t, &http.Client{}, s.url+"/v1/query?format=csv&q=count", "")
	if want := fmt.Sprintf("count\n%d\n", 2000+loadIngestCount); status != 200 || body != want {
		t.Errorf("the count after the ingest: %d %q, want %q", status, body, want)
	}
	t.Logf("store: gen --count 2000 --seed 1; load while ingesting: %d requests, %d errors, %d rows; ingest stored %s, skipped %s", rep.Requests, rep.Errors, rep.Rows, m[1], m[2])
}

// TestLoadRefused checks what signinq load refuses before sending
// anything.
func TestLoadRefused(t *testing.T) {
	open := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(open, []byte("t0ken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--url", "http://10.1.2.3:8274"}, `host "10.1.2.3" is not loopback`},
		{[]string{"--url", "http://example.com:8274"}, "is not loopback"},
		{[]string{"--concurrency", "0"}, "--concurrency 0: want 1 to 64 workers"},
		{[]string{"--concurrency", "65"}, "want 1 to 64 workers"},
		{[]string{"--duration", "11m"}, "want at most 10m0s"},
		{[]string{"--requests", "2000000"}, "want at most 1000000"},
		{[]string{"--queries", "nothing matches this"}, "matches no query of the mix"},
		{[]string{"--queries", "("}, "--queries: error parsing regexp"},
		{[]string{"--token-file", open}, "can be read or written by others"},
	} {
		var errb bytes.Buffer
		if code := Main(append([]string{"load"}, tc.args...), strings.NewReader(""), io.Discard, &errb, clock.Test); code == exitOK || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, want an error saying %q:\n%s", tc.args, code, tc.want, errb.String())
		}
	}
}
