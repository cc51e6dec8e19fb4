//go:build unix

package logfile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestPathsLinks checks what a directory holds besides regular files:
// symbolic links to files and to directories were skipped without a
// word, and so were named pipes and links that lead nowhere. Links are
// now followed (a file or a directory reached twice, by a link or a loop
// of links, is read once, under its own path where it has one), and
// what is not read is a warning saying why.
func TestPathsLinks(t *testing.T) {
	ls := lines(t, "elastic/test-service-principal-signinlogs-sample.log")
	root := t.TempDir()
	dir := filepath.Join(root, "logs")
	write(t, dir, "a.json", append(ls[0], '\n'))
	write(t, dir, "sub/b.json", append(ls[1], '\n'))
	outside := write(t, root, "outside/c.json", append(ls[2], '\n'))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(outside, filepath.Join(dir, "c-link.json")))              // a file outside the tree
	must(os.Symlink("sub", filepath.Join(dir, "0-sub-link")))                 // a directory read under its own path, read first lexically
	must(os.Symlink("..", filepath.Join(dir, "sub", "loop")))                 // a loop
	must(os.Symlink(filepath.Join(root, "outside"), filepath.Join(dir, "o"))) // a directory outside: c.json is reached by c-link.json first
	must(os.Symlink("nowhere.json", filepath.Join(dir, "dangling.json")))
	must(os.Link(filepath.Join(dir, "a.json"), filepath.Join(dir, "hard.json")))
	must(syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644))

	recs, rejects, warnings, sum := scanAll(t, Options{}, dir)
	if len(rejects) != 0 {
		t.Fatalf("rejects %v", rejects)
	}
	if got := ids(recs); len(got) != 3 || len(slices.Compact(slices.Sorted(slices.Values(got)))) != 3 {
		t.Errorf("records %v, want a, b and c once each", got)
	}
	want := map[string]string{
		"0-sub-link":    "skipped: the directory " + filepath.Join(dir, "sub") + ", which is read already",
		"sub/loop":      "skipped: the directory " + dir + ", which is read already (a link to it, or a loop of links)",
		"o/c.json":      "skipped: the same file as " + filepath.Join(dir, "c-link.json") + ", which is read already",
		"dangling.json": "skipped: a symbolic link to nowhere.json, which cannot be followed: no such file or directory",
		"hard.json":     "skipped: the same file as " + filepath.Join(dir, "a.json") + ", which is read already",
		"pipe":          "skipped: a named pipe (FIFO), which is not read in a directory",
	}
	got := map[string]string{}
	for _, w := range warnings {
		got[strings.TrimPrefix(w.Input, dir+"/")] = w.Message
	}
	for name, msg := range want {
		if !strings.HasPrefix(got[name], msg) {
			t.Errorf("%s: warning %q, want %q", name, got[name], msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("warnings %v", warnings)
	}
	if sum.Inputs != 3 || sum.Warnings != len(want) || !sum.Clean() {
		t.Errorf("summary %s", sum.String())
	}
	// The progress bar's total counts what is read.
	var size int64
	for _, p := range []string{"a.json", "sub/b.json", "c-link.json"} {
		st, err := os.Stat(filepath.Join(dir, p))
		must(err)
		size += st.Size()
	}
	if got := InputSize([]string{dir}); got != size {
		t.Errorf("InputSize %d, want %d", got, size)
	}
}

// TestPathsNamedPipe checks that a named pipe given by name is read.
func TestPathsNamedPipe(t *testing.T) {
	g := lines(t, "elastic/test-signinlogs-sample.log")[0]
	p := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	go func() {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.Write(append(g, '\n'))
		f.Close()
	}()
	recs, rejects, warnings, _ := scanAll(t, Options{}, p)
	if len(recs) != 1 || len(rejects) != 0 || len(warnings) != 0 {
		t.Errorf("%d records, rejects %v, warnings %v", len(recs), rejects, warnings)
	}
}

// TestCheckOutput checks that an output that is one of the inputs, by
// any name, or lies in an input directory (made or yet to be made), is
// refused, and that other outputs pass.
func TestCheckOutput(t *testing.T) {
	root := t.TempDir()
	in := write(t, root, "in.json", []byte("{}\n"))
	logs := filepath.Join(root, "logs")
	write(t, logs, "a.json", []byte("{}\n"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(in, filepath.Join(root, "sym.json")))
	must(os.Link(in, filepath.Join(root, "hard.json")))
	must(os.Symlink(logs, filepath.Join(root, "logs-link")))
	store := filepath.Join(root, "store") // not made yet
	inputs := []string{in, logs, store, "-"}
	tests := []struct {
		out  string
		want string // "" when it passes
	}{
		{in, "is the input " + in},
		{filepath.Join(root, "sym.json"), "is the input " + in},
		{filepath.Join(root, "hard.json"), "is the input " + in},
		{filepath.Join(logs, "a.json"), "is inside the input directory " + logs},
		{filepath.Join(logs, "new.jsonl"), "is inside the input directory " + logs},
		{filepath.Join(logs, "new", "deeper.jsonl"), "is inside the input directory " + logs},
		{filepath.Join(root, "logs-link", "new.jsonl"), "is inside the input directory " + logs},
		{logs, "is the input directory " + logs},
		{filepath.Join(store, "MANIFEST"), "would be in " + store + ", an input that does not exist yet"},
		{filepath.Join(root, "rejects.jsonl"), ""},
		{filepath.Join(root, "storeroom", "x"), ""},
		{"-", ""},
		{"", ""},
	}
	for _, tt := range tests {
		err := CheckOutput(tt.out, inputs)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.out, err)
		case tt.want != "" && (!errors.Is(err, ErrOutputIsInput) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want an error saying %q", tt.out, err, tt.want)
		}
	}
}
