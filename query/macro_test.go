package query

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
)

func TestDefine(t *testing.T) {
	ms := NewMacros()
	f := func(text, want string) {
		t.Helper()
		m, err := ms.Define(text, nil)
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else {
			got = m.String()
			if m.Stages {
				got += " (stages)"
			}
		}
		if !strings.Contains(got, want) {
			t.Errorf("%s:\n got %s\nwant …%s…", text, got, want)
		}
	}
	f("define failures(D) = count where status=failure since D", "define failures(D) = count where status=failure since D")
	f("DEFINE  fails = count where status=failure", "define fails = count where status=failure")
	f("define noisy(N) = spray accounts=N | grouped 1h", "define noisy(N) = spray accounts=N | grouped 1h (stages)")
	f("define byapp(F, D) = count where status=F since D group by app", "define byapp(F, D)")
	f("define count = count", "error: 1:8: count is the aggregate plugin's name")
	f("define where = count", "error: 1:8: define takes a name")
	f("define user = count", "error: 1:8: user is a keyword or field")
	f("define bin = count", "error: 1:8: bin is a word of the language")
	f("define x count", "error: 1:10: expected = after define x")
	f("define x =", "error: 1:11: define x has no query after =")
	f("define x(a, a) = count since a", "error: 1:13: parameter a is named twice")
	f("define x(a b) = count", "error: 1:12: expected , or ) after parameter a")
	f("define x = count where", "error: 1:23: define x: the query ends too soon; expected a condition")
	f(`define x = count where app="unclosed`, "error: 1:28: unterminated string")
}

func TestExpand(t *testing.T) {
	ms := NewMacros()
	for _, d := range []string{
		"define failures(D) = count where status=failure since D",
		"define recent = failures(24h)",
		`define byapp(F, A) = count where status=F and app=A`,
		"define noisy(N) = spray accounts=N window=30m",
		"define loop = loop2",
		"define loop2 = loop",
	} {
		if _, err := ms.Define(d, nil); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	f := func(text, want string) {
		t.Helper()
		got, err := ms.Expand(text)
		if err != nil {
			got = "error: " + err.Error()
		}
		if strings.Join(strings.Fields(got), " ") != want {
			t.Errorf("%s:\n got %s\nwant %s", text, got, want)
		}
	}
	f("count where app=failures", "count where app=failures") // not at the head
	f("failures(24h) group by app", "count where status=failure since 24h group by app")
	f("FAILURES( 7d ) group by app", "count where status=failure since 7d group by app")
	f("explain analyze failures(1h)", "explain analyze count where status=failure since 1h")
	f("recent group by ip", "count where status=failure since 24h group by ip")
	f(`byapp(failure, "Office 365, Exchange (Online)")`, `count where status=failure and app="Office 365, Exchange (Online)"`)
	f("list since 7d | noisy(5) | grouped 1h", "list since 7d | spray accounts=5 window=30m | grouped 1h")
	f("failures", "error: 1:1: failures takes 1 arguments (failures(D)), not 0")
	f("failures(1h, 2h)", "error: 1:1: failures takes 1 arguments (failures(D)), not 2")
	f("noisy(3)", "error: 1:1: noisy is a saved series of stages: it stands after a |")
	f("list | failures(1h)", "error: 1:8: failures is a saved query: it stands at the head of a query")
	f("failures(1h", "error: 1:9: this ( is not closed")
	f("loop", "error: 1:1: saved queries expand more than 32 times: does one use itself?")
}

// TestMacrosInStore defines saved queries through the store's Query, as
// the REPL does, and uses them: they are kept in the store's directory
// and read again when it opens.
func TestMacrosInStore(t *testing.T) {
	dir := t.TempDir()
	open := func() *engine.DB {
		db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	if _, err := db.Ingest(t.Context(), []string{"testdata/samples"}, engine.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // after the samples; queries without since
	opts := engine.QueryOptions{Now: now}
	res, err := db.Query(t.Context(), "define fails(S) = count where status=S", opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Plan, "define fails(S) = count where status=S") {
		t.Errorf("define said %q", res.Plan)
	}
	db.Close()
	b, err := os.ReadFile(filepath.Join(dir, MacroFile))
	if err != nil || !strings.Contains(string(b), "define fails(S) = count where status=S\n") {
		t.Fatalf("the store's %s: %q, %v", MacroFile, b, err)
	}
	db = open()
	defer db.Close()
	want, err := db.Query(t.Context(), "count where status=success group by type", opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Query(t.Context(), "fails(success) group by type", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) == 0 || diffRows(got.Rows, want.Rows) {
		t.Errorf("fails(success) group by type = %v, want %v", got.Rows, want.Rows)
	}
	_, err = db.Query(t.Context(), "fails(nope)", opts)
	if err == nil || !strings.Contains(err.Error(), `1:1: with its saved queries expanded, the query reads "count where status=nope ": at 1:20: status has no value "nope"`) {
		t.Errorf("fails(nope): %v", err)
	}
	// A broken file is an error naming its line.
	os.WriteFile(filepath.Join(dir, MacroFile), []byte("# saved\n\ndefine ok = count\ndefine = count\n"), 0o644)
	if _, err := db.Query(t.Context(), "count", opts); err == nil || !strings.Contains(err.Error(), "queries:4: 1:8: define takes a name") {
		t.Errorf("a broken file: %v", err)
	}
	mem, err := engine.Open("", &engine.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := mem.Query(t.Context(), "define x = count", opts); err == nil || !strings.Contains(err.Error(), "in memory") {
		t.Errorf("define in memory: %v", err)
	}
	if _, err := LoadMacros(filepath.Join(t.TempDir(), "none"), plugins.Default()); err != nil {
		t.Errorf("LoadMacros of no file: %v", err)
	}
}

func diffRows(a, b [][]engine.Value) bool {
	if len(a) != len(b) {
		return true
	}
	for i := range a {
		for j := range a[i] {
			if !a[i][j].Equal(b[i][j]) {
				return true
			}
		}
	}
	return false
}
