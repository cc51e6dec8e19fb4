package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinq/signinq/internal/dirhash"

	"github.com/signinq/signinq/internal/clock"
)

// child runs signinq in a process of its own (this test binary again,
// with SIGNINQ_RUN set), so that a crash (a panic, a SIGBUS from a memory
// map) shows as one instead of ending the test, and returns its exit
// status, standard output and standard error. A crash fails the test.
func child(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SIGNINQ_RUN=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	code := cmd.ProcessState.ExitCode()
	stderr := errb.String()
	if code < 0 || strings.Contains(stderr, "panic:") || strings.Contains(stderr, "fatal error:") || strings.Contains(stderr, "SIGBUS") {
		t.Errorf("signinq %s crashed (%v):\n%s", strings.Join(args, " "), cmd.ProcessState, stderr)
	}
	return code, out.String(), stderr
}

// hashDir hashes every file of dir, by name (dirhash.Files).
func hashDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	h, err := dirhash.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDamagedStore runs every command on damaged stores, in processes of
// their own. A table cut in half made Badger panic and every command
// crash; a MANIFEST cut to 10 bytes opened as an empty store with exit 0,
// and Badger deleted the table file: stats destroyed the data. Now a
// store Badger cannot open safely is refused, exit status 5, by every
// command, naming the damaged file; one whose last value log is damaged
// opens read-only, so that stats and queries work and writes are
// refused. No command changes a file of a damaged store.
func TestDamagedStore(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.jsonl")
	for _, args := range [][]string{
		{"gen", "--count", "3000", "--days", "3", "--end", "2026-11-26T00:00:00Z", "-q", "--db", filepath.Join(dir, "store")},
		{"gen", "--count", "100", "--days", "3", "--seed", "2", "--end", "2026-11-26T00:00:00Z", "-q", "-o", input},
	} {
		var errb bytes.Buffer
		if code := Main(args, strings.NewReader(""), io.Discard, &errb, clock.Test); code != exitOK {
			t.Fatalf("signinq %v: exit %d\n%s", args, code, errb.String())
		}
	}
	copyStore := func(t *testing.T) string {
		to := t.TempDir()
		ents, _ := os.ReadDir(filepath.Join(dir, "store"))
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, "store", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(to, e.Name()), b, 0o644)
		}
		return to
	}
	only := func(t *testing.T, db, pattern string) string {
		m, _ := filepath.Glob(filepath.Join(db, pattern))
		if len(m) != 1 {
			t.Fatalf("%s: %v, want one", pattern, m)
		}
		return m[0]
	}
	cut := func(path string, size func(int64) int64) {
		info, _ := os.Stat(path)
		os.Truncate(path, size(info.Size()))
	}
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, db string) string // the file damaged
		// The exit status of stats and of queries: 5 for a store refused,
		// 0 for one opened read-only. Writes always exit 5.
		read int
	}{
		{"table cut in half", func(t *testing.T, db string) string {
			f := only(t, db, "*.sst")
			cut(f, func(n int64) int64 { return n / 2 })
			return f
		}, exitDamaged},
		{"MANIFEST cut to 10 bytes", func(t *testing.T, db string) string {
			f := filepath.Join(db, "MANIFEST")
			cut(f, func(int64) int64 { return 10 })
			return f
		}, exitDamaged},
		{"value log damaged", func(t *testing.T, db string) string {
			f := only(t, db, "*.vlog")
			w, _ := os.OpenFile(f, os.O_RDWR, 0)
			info, _ := w.Stat()
			w.WriteAt([]byte("damage!damage!damage!"), info.Size()/2)
			w.Close()
			return f
		}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := copyStore(t)
			file := filepath.Base(tc.damage(t, db))
			before := hashDir(t, db)
			for _, c := range []struct {
				args []string
				want int
			}{
				{[]string{"stats", "--db", db}, tc.read},
				{[]string{"query", "--db", db, "count"}, tc.read},
				{[]string{"query", "--db", db, "count group by app"}, tc.read},
				{[]string{"prune", "--db", db, "--before", "2026-11-25"}, exitDamaged},
				{[]string{"compact", "--db", db}, max(tc.read, 0)},
				{[]string{"ingest", "--db", db, input}, exitDamaged},
			} {
				code, _, stderr := child(t, c.args...)
				if code != c.want {
					t.Errorf("signinq %s: exit %d, want %d\n%s", strings.Join(c.args, " "), code, c.want, stderr)
				}
				if !strings.Contains(stderr, file) {
					t.Errorf("signinq %s does not name %s:\n%s", strings.Join(c.args, " "), file, stderr)
				}
				if code == exitDamaged && !strings.Contains(stderr, "the store is damaged") {
					t.Errorf("signinq %s does not say what to do:\n%s", strings.Join(c.args, " "), stderr)
				}
				if !sameFiles(before, hashDir(t, db)) {
					t.Fatalf("signinq %s changed the damaged store's files", strings.Join(c.args, " "))
				}
			}
		})
	}
}
