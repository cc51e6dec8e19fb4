package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/signinq/signinq/internal/clock"
)

// TestFullDisk ingests onto a full disk: a real 64 MB tmpfs, with a file
// filling all but 5 MiB of it, and 10,000 sign-ins that take 7 MB. The
// ingest crashed with "fatal error: fault [signal SIGBUS]" from Badger's
// memory-mapped files, and every command on the store after it the same
// way, even prune. Now the ingest stops with exit status 6 and says
// where and how much space it needs; stats, a query and prune work on
// the full store; and once the filler is deleted, the same ingest
// completes it, every sign-in stored once.
//
// Mounting needs root, which the tests have in CI: without it the test
// fails rather than skip.
func TestFullDisk(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=64m"); err != nil {
		t.Fatalf("mount a 64 MB tmpfs on %s (the test needs root, as CI has): %v", mnt, err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	input := filepath.Join(t.TempDir(), "in.jsonl")
	var errb bytes.Buffer
	if code := Main([]string{"gen", "--count", "10000", "--days", "4", "--end", "2026-11-26T00:00:00Z", "-q", "-o", input}, strings.NewReader(""), io.Discard, &errb, clock.Test); code != exitOK {
		t.Fatalf("gen: exit %d\n%s", code, errb.String())
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	fill := int64(st.Bavail)*st.Bsize - 5<<20
	if _, err := io.CopyN(f, zeroReader{}, fill); err != nil {
		t.Fatalf("fill the tmpfs: %v", err)
	}
	f.Close()

	db := filepath.Join(mnt, "db")
	code, _, stderr := child(t, "ingest", "--db", db, input)
	if code != exitNoSpace {
		t.Fatalf("ingest onto a full disk: exit %d, want %d\n%s", code, exitNoSpace, stderr)
	}
	for _, want := range []string{"not enough disk space", "the disk of " + db, "free at least"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the ingest's error does not say %q:\n%s", want, stderr)
		}
	}
	t.Logf("ingest: %s", stderr)
	for _, args := range [][]string{
		{"stats", "--db", db},
		{"query", "--db", db, "count"},
		{"prune", "--db", db, "--before", "2026-11-24"},
	} {
		if code, _, stderr := child(t, args...); code != exitOK {
			t.Errorf("signinq %s on the full disk: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := child(t, "ingest", "--db", db, input); code != exitOK || !strings.Contains(stderr, "now holds 10,000 sign-ins") {
		t.Fatalf("ingest again with room: exit %d\n%s", code, stderr)
	}
	for q, want := range map[string]string{"count": "count\n10000\n", "dcount(id)": "dcount(id)\n10000\n"} {
		if code, out, stderr := child(t, "query", "--db", db, "--format", "csv", q); code != exitOK || out != want {
			t.Errorf("%s: exit %d, %q, want %q\n%s", q, code, out, want, stderr)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}
