package repl

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
)

// TestOutputNotInStore checks that \output and \chart refuse a file in
// the store's directory, which they would overwrite or add to, and
// write it elsewhere.
func TestOutputNotInStore(t *testing.T) {
	db := openTestStore(t)
	manifest := filepath.Join(db.Dir(), "MANIFEST")
	before, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "out.csv")
	script := "\\output " + manifest + "\ncount group by type\n\\chart " + filepath.Join(db.Dir(), "chart.svg") + "\n\\output " + elsewhere + "\ncount\n"
	var out, errb bytes.Buffer
	Run(t.Context(), Options{DB: db, Dir: db.Dir(), Stdin: strings.NewReader(script), Stdout: &out, Stderr: &errb,
		Clock: func() time.Time { return testEnd }})
	for _, want := range []string{
		"line 1: error: the output is one of the inputs: " + manifest + " is inside the input directory " + db.Dir(),
		"line 3: error: the output is one of the inputs: " + filepath.Join(db.Dir(), "chart.svg") + " is inside the input directory",
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	if after, _ := os.ReadFile(manifest); !bytes.Equal(after, before) {
		t.Errorf("the store's MANIFEST was written")
	}
	if _, err := os.Stat(filepath.Join(db.Dir(), "chart.svg")); err == nil {
		t.Errorf("the chart was written in the store")
	}
	if b, err := os.ReadFile(elsewhere); err != nil || !strings.Contains(string(b), "count") {
		t.Errorf("\\output elsewhere: %q, %v", b, err)
	}
}

// TestIngestTruncated checks \ingest of a gzip file cut short where a
// record ends: it was stored as whole, and said nothing. The sign-ins
// before the cut are stored, and the statement fails saying the file is
// truncated.
func TestIngestTruncated(t *testing.T) {
	db, err := engine.Open(t.TempDir(), &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b, err := os.ReadFile("testdata/samples/test-managed-identity-sample.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(strings.Join(lines[:len(lines)-1], "")))
	zw.Flush()
	cut := buf.Len()
	zw.Write([]byte(lines[len(lines)-1]))
	zw.Close()
	p := filepath.Join(t.TempDir(), "PT1H.json.gz")
	if err := os.WriteFile(p, buf.Bytes()[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, err := runScript(t, db, "\\ingest "+p+"\n")
	if !errors.Is(err, ErrFailed) || !strings.Contains(errs, p+":"+fmt.Sprint(len(lines))+":1: the file is truncated") ||
		!strings.Contains(errs, "1 inputs truncated (the sign-ins read before each cut are stored)") {
		t.Errorf("err %v; stderr:\n%s", err, errs)
	}
	if n, _ := db.Count(); n != int64(len(lines)-1) {
		t.Errorf("%d stored, want the %d before the cut", n, len(lines)-1)
	}
}
