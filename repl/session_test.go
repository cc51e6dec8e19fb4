package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	_ "github.com/signinq/signinq/query" // the store's querier
)

// testEnd is the end of the generated tenant, and the sessions' now.
var testEnd = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

var testStore = struct {
	sync.Mutex
	dir string
}{}

// openTestStore opens a copy-free store of generated sign-ins in a
// directory shared by the package's tests (made once).
func openTestStore(t *testing.T) *engine.DB {
	t.Helper()
	testStore.Lock()
	defer testStore.Unlock()
	if testStore.dir == "" {
		dir, err := os.MkdirTemp("", "repl-test-store")
		if err != nil {
			t.Fatal(err)
		}
		db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
		if err != nil {
			t.Fatal(err)
		}
		g, err := gen.New(gen.Config{Count: 20000, Seed: 3, Users: 60, Days: 5, End: testEnd})
		if err != nil {
			t.Fatal(err)
		}
		var recs []signin.Record
		err = g.Generate(context.Background(), func(batch []gen.Event) error {
			for i := range batch {
				recs = append(recs, batch[i].Record)
			}
			return nil
		})
		if err == nil {
			_, err = db.IngestRecords(context.Background(), recs)
		}
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		testStore.dir = dir
	}
	// Each test its own copy of the directory: define writes to it.
	dir := t.TempDir()
	copyDir(t, testStore.dir, dir)
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runScript runs statements as a script (not on a terminal) and returns
// what it printed and its error.
func runScript(t *testing.T, db *engine.DB, script string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = Run(t.Context(), Options{DB: db, Stdin: strings.NewReader(script), Stdout: &out, Stderr: &errb,
		Clock: func() time.Time { return testEnd }})
	return out.String(), errb.String(), err
}

func TestScriptMode(t *testing.T) {
	db := openTestStore(t)
	out, errs, err := runScript(t, db, `# a comment, then a blank line

\format csv
count where type=interactive \
  group by type
top 2 browser where type=interactive
`)
	if err != nil || errs != "" {
		t.Fatalf("err %v, stderr %q", err, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || lines[0] != "type,count" || !strings.HasPrefix(lines[1], "interactive,") || lines[2] != "browser,count" {
		t.Errorf("output:\n%s", out)
	}
	// A failing statement: the others still run, the error names its
	// line and shows a caret, and Run says a statement failed.
	out, errs, err = runScript(t, db, "\\format csv\ncount where staus=failure\ncount\n\\fromat json\n")
	if !errors.Is(err, ErrFailed) {
		t.Errorf("err %v, want ErrFailed", err)
	}
	if !strings.Contains(out, "count\n") {
		t.Errorf("the statement after the failure did not run: %q", out)
	}
	for _, want := range []string{
		"count where staus=failure\n            ^\nline 2: error: 1:13: unknown field \"staus\"; did you mean \"status\"?",
		`line 4: error: unknown command \fromat; did you mean \format?`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestMetaCommands(t *testing.T) {
	db := openTestStore(t)
	dir := t.TempDir()
	f := func(script string, wantOut, wantErr []string) {
		t.Helper()
		out, errs, err := runScript(t, db, script)
		if err != nil && !errors.Is(err, ErrFailed) {
			t.Fatal(err)
		}
		for _, w := range wantOut {
			if !strings.Contains(out, w) {
				t.Errorf("%q: stdout lacks %q:\n%s", script, w, out)
			}
		}
		for _, w := range wantErr {
			if !strings.Contains(errs, w) {
				t.Errorf("%q: stderr lacks %q:\n%s", script, w, errs)
			}
		}
	}
	f(`\help`, []string{"A query is one line", "Examples:", `\format table|json|csv`, "Topics (\\help TOPIC): commands, fields, kinds,"}, nil)
	f(`\help grouping`, []string{"Grouping, having, order, limit", "group by"}, nil)
	f(`\help spray`, []string{"spray [accounts] [window] [codes]", "arguments:"}, nil)
	f(`\help groupin`, nil, []string{`no help on "groupin"; did you mean "grouping"?`})
	f(`\fields`, []string{"field", "status", "success", "the outcome"}, nil)
	f(`\plugins`, []string{"hour(time)", "spray [accounts]"}, nil)
	f(`\plugins subnet`, []string{"subnet(ip, [bits]) (function)"}, nil)
	f(`\explain count where status=failure since 24h`, []string{"filter: status = failure"}, nil)
	f("\\now 2026-11-25\n\\format csv\ncount since 1d", []string{"count\n"}, nil)
	f(`\now yesterday`, nil, []string{`\now takes a date`})
	// \timeout limits each query's time (1ns: the next query stops at
	// its first look at the clock); off removes the limit.
	f("\\timeout 1ns\ncount group by app", nil, []string{"line 2: error: query: stopped after its time limit of 1ns", `\timeout in the shell`})
	f("\\timeout 1ns\n\\timeout off\n\\format csv\ncount", []string{"count\n"}, nil)
	f(`\timeout soon`, nil, []string{`\timeout takes a duration (30s, 5m, 1h) or off, not "soon"`})
	f(`\format xml`, nil, []string{`no output format "xml"`})
	f(`\stats`, []string{"20,", "sign-ins in", "interactive", "5 days"}, nil)
	f("define fails(D) = count where status=failure since D\n\\saved\n\\format csv\nfails(2d)", []string{"define fails(D) = count where status=failure since D", "count\n"}, nil)
	// define checks its query: a wrong one is refused with a caret, and
	// not saved; undefine removes one.
	f("define bad = count where staus=failure\n\\saved", []string{"define fails(D)"},
		[]string{"define bad = count where staus=failure\n                         ^\nline 1: error: 1:26: define bad: unknown field \"staus\"; did you mean \"status\"?"})
	if out, _, _ := runScript(t, db, `\saved`); strings.Contains(out, "bad") {
		t.Errorf("the refused definition was saved:\n%s", out)
	}
	f("undefine fails\n\\saved\nfails(2d)", nil, []string{`line 3: error: 1:1: unknown aggregate "fails"`})
	if out, _, _ := runScript(t, db, `\saved`); strings.Contains(out, "fails") {
		t.Errorf("undefine left it saved:\n%s", out)
	}
	out := filepath.Join(dir, "out.csv")
	f("\\format csv\n\\output "+out+"\ncount\n\\output off\ncount where status=failure", []string{"count\n"}, nil)
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "count\n") || strings.Count(string(b), "\n") != 2 {
		t.Errorf("\\output file: %q, %v", b, err)
	}
	f(`\chart x.svg`, nil, []string{`\chart draws the last result`})
	f("\\q\ncount where nothing", nil, nil) // \q ends the script before the error
}

// TestIngest stores a real export from the shell, and queries it; a
// second \ingest of it stores nothing new.
func TestIngest(t *testing.T) {
	db, err := engine.Open(t.TempDir(), &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sample := "testdata/samples/test-managed-identity-sample.log"
	out, errs, err := runScript(t, db, "\\ingest "+sample+"\n\\format csv\ncount group by type;\n\\ingest "+sample+"\ncount\n\\ingest nothing-here.json\n")
	if !errors.Is(err, ErrFailed) || !strings.Contains(errs, "line 6: error:") || !strings.Contains(errs, "nothing-here.json") {
		t.Errorf("err %v; stderr:\n%s", err, errs)
	}
	n, _ := db.Count()
	if n == 0 || out != fmt.Sprintf("type,count\nmanagedIdentity,%d\ncount\n%d\n", n, n) {
		t.Errorf("%d stored; output:\n%s", n, out)
	}
}

// TestIngestWarnsAndRefuses stores what the shell's \ingest reads of a
// renamed portal download (refused: its type is unknown) and of a
// ConvertTo-Json export (read, with a warning naming the fields lost).
func TestIngestWarnsAndRefuses(t *testing.T) {
	db, err := engine.Open(t.TempDir(), &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	renamed := filepath.Join(dir, "signins-copy.csv")
	csv := "\"Date (UTC)\",\"Request ID\",\"User ID\",\"Username\",\"Status\",\"Sign-in error code\"\n" +
		"\"2025-12-04T10:00:00Z\",\"4b1f2c3d-0004-4e5f-8a9b-0c1d2e3f4a04\",\"26be570a-ae82-4189-b4e2-a37c6808512d\",\"adele.vance@contoso.com\",\"Success\",\"0\"\n"
	ps := filepath.Join(dir, "signins.json")
	json := `[{"CreatedDateTime":"\/Date(1758269730000)\/","Id":"7e1f3a52-1c2d-4e5f-8a9b-0c1d2e3f5a01","UserPrincipalName":"adele.vance@contoso.com",` +
		`"Status":{"ErrorCode":0},"Location":{"City":"Redmond","GeoCoordinates":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphGeoCoordinates"}}]`
	for p, data := range map[string]string{renamed: csv, ps: json} {
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, errs, err := runScript(t, db, "\\ingest "+ps+"\n\\format csv\ncount group by type, city\n\\ingest "+renamed+"\n")
	if !errors.Is(err, ErrFailed) || !strings.Contains(errs, "warning: "+ps+":1: fields lost") || !strings.Contains(errs, "Location.GeoCoordinates (1 record)") ||
		!strings.Contains(errs, "signins-copy.csv: sign-in type unknown") || !strings.Contains(errs, "give --type interactive or --type nonInteractive") {
		t.Errorf("err %v; stderr:\n%s", err, errs)
	}
	if out != "type,city,count\ninteractive,Redmond,1\n" {
		t.Errorf("output:\n%s", out)
	}
}
