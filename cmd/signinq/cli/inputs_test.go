//go:build unix

package cli

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/signinq/signinq/internal/clock"
)

// signIns is n diagnostic-settings JSON lines, one sign-in each.
func signIns(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf(`{"time":"2025-01-01T00:00:%02dZ","category":"SignInLogs","properties":{"id":"id-%03d","createdDateTime":"2025-01-01T00:00:%02dZ","userPrincipalName":"u%d@contoso.com","status":{"errorCode":0}}}`+"\n", i%60, i, i%60, i))
	}
	return out
}

// TestTruncatedGzipInput checks the commands on a gzip file cut short
// where a record ends: it was read as whole ("read 50 records … 0
// rejected", exit status 0). parse and ingest now say the file is
// truncated, and exit 1; ingest stores the sign-ins read before the cut
// (nothing valid is lost), and the rejects file marks the truncation.
func TestTruncatedGzipInput(t *testing.T) {
	dir := t.TempDir()
	recs := signIns(60)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(strings.Join(recs[:50], "")))
	zw.Flush()
	cut := buf.Len()
	zw.Write([]byte(strings.Join(recs[50:], "")))
	zw.Close()
	in := filepath.Join(dir, "PT1H.json.gz")
	if err := os.WriteFile(in, buf.Bytes()[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(args, strings.NewReader(""), &out, &errb, clock.Test)
		return code, out.String(), errb.String()
	}
	const truncated = "PT1H.json.gz:51:1: the file is truncated: its gzip stream stops short, after "
	code, out, stderr := run("parse", in)
	if code != exitRejected || strings.Count(out, "\n") != 50 || !strings.Contains(stderr, truncated) ||
		!strings.Contains(stderr, "read 50 records from 1 input (") || !strings.Contains(stderr, "50 accepted, 0 rejected; 1 input truncated") {
		t.Errorf("parse: exit %d, %d records; stderr:\n%s", code, strings.Count(out, "\n"), stderr)
	}
	db, rejects := filepath.Join(dir, "db"), filepath.Join(dir, "rejects.jsonl")
	code, _, stderr = run("ingest", "--db", db, "--rejects", rejects, in)
	if code != exitRejected || !strings.Contains(stderr, truncated) || !strings.Contains(stderr, "stored 50 new sign-ins") {
		t.Errorf("ingest: exit %d; stderr:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(rejects); !bytes.Contains(b, []byte(`"truncated":true`)) || bytes.Count(b, []byte("\n")) != 1 {
		t.Errorf("rejects file: %s", b)
	}
	if code, out, _ := run("query", "--db", db, "--format", "csv", "count"); code != exitOK || !strings.HasSuffix(out, "50\n") {
		t.Errorf("the store after the ingest: exit %d: %s", code, out)
	}
}

// TestStdoutInInputDirectory checks that parse refuses to write its
// output into a directory it reads: it would read its own output.
func TestStdoutInInputDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(strings.Join(signIns(3), "")), 0o644)
	f, err := os.Create(filepath.Join(dir, "out.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var errb bytes.Buffer
	code := Main([]string{"parse", dir}, strings.NewReader(""), f, &errb, clock.Test)
	if code != exitError || !strings.Contains(errb.String(), "standard output: the output is one of the inputs: ") || !strings.Contains(errb.String(), "out.jsonl is inside the input directory "+dir) {
		t.Errorf("exit %d; stderr: %s", code, errb.String())
	}
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Errorf("%d bytes written", st.Size())
	}
}

// TestNamedPipeInDirectory checks that a named pipe in a directory is
// skipped with a warning (reading it could wait for ever), and that one
// given by name is read.
func TestNamedPipeInDirectory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(strings.Join(signIns(2), "")), 0o644)
	pipe := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Main([]string{"parse", dir}, strings.NewReader(""), &out, &errb, clock.Test)
	if code != exitOK || strings.Count(out.String(), "\n") != 2 ||
		!strings.Contains(errb.String(), "signinq: warning: "+pipe+": skipped: a named pipe (FIFO), which is not read in a directory") ||
		!strings.Contains(errb.String(), "2 accepted, 0 rejected; 1 warning") {
		t.Errorf("a directory with a pipe: exit %d, stderr: %s", code, errb.String())
	}
	go func() {
		if w, err := os.OpenFile(pipe, os.O_WRONLY, 0); err == nil {
			w.WriteString(signIns(1)[0])
			w.Close()
		}
	}()
	out.Reset()
	errb.Reset()
	if code := Main([]string{"parse", pipe}, strings.NewReader(""), &out, &errb, clock.Test); code != exitOK || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("the pipe by name: exit %d, stderr: %s", code, errb.String())
	}
}
