package query

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
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
	f("define x = undefine", "error: 1:12: define x: unknown aggregate")
	f("define undefine = count", "error: 1:8: undefine is a word of the language")
	f("define x =", "undefine x removes a saved query")

	// The query is checked as before it runs, with the error where it
	// is in the definition, and nothing is saved.
	f("define x = count where staus=failure", `error: 1:24: define x: unknown field "staus"; did you mean "status"?`)
	f("define y = count group by ap", `error: 1:27: define y: unknown field "ap"; did you mean "app"?`)
	f("define z = dcont(user) since 1d", `error: 1:12: define z: unknown aggregate "dcont"; did you mean "dcount"?`)
	f("define w = count where latency > \"x\"", "error: 1:")
	// Parameters are tried with samples: the error away from them is
	// found whatever they stand for; where they decide, it is not.
	f("define f(D) = count where staus=failure since D", `error: 1:27: define f: unknown field "staus"; did you mean "status"?`)
	f("define g(F) = count where F > 5", "define g(F) = count where F > 5")
	f("define h(N, F) = top N F since 7d", "define h(N, F) = top N F since 7d")
	f("define r(A, B) = count between A and B", "define r(A, B) = count between A and B")
	f("define s(D) = count since D group by bni(1h)", `error: 1:38: define s: unknown`)
	// Stages: their names and arguments.
	f("define noisy2(N) = spary accounts=N", `error: 1:20: define noisy2: unknown stage "spary"; did you mean "spray"?`)
	f("define noisy3 = spray acounts=5", `error: 1:23: define noisy3: spray has no argument "acounts"; did you mean "accounts"?`)
	// Their values are checked where the saved query is used, with its
	// parameters' values: no sample is a status.
	f("define noisy4(S) = newvalue country status=S", "define noisy4(S) = newvalue country status=S")
	// Other saved queries: used as they are; one may not use itself.
	f("define recent = failures(24h) group by app", "define recent = failures(24h) group by app")
	f("define recent2 = failures group by app", "error: 1:18: define recent2: failures takes 1 arguments")
	f("define loop = loop", "error: 1:15: define loop: saved queries expand more than 32 times")
	for _, name := range []string{"x", "y", "z", "w", "f", "s", "noisy2", "noisy3", "recent2", "loop"} {
		if _, ok := ms.Lookup(name); ok {
			t.Errorf("the refused %s was saved", name)
		}
	}
}

func TestUndefine(t *testing.T) {
	ms := NewMacros()
	for _, d := range []string{"define failures(D) = count where status=failure since D", "define noisy = spray accounts=5"} {
		if _, err := ms.Define(d, nil); err != nil {
			t.Fatal(err)
		}
	}
	f := func(text, want string) {
		t.Helper()
		got := ""
		if m, err := ms.Undefine(text); err != nil {
			got = "error: " + err.Error()
		} else {
			got = m.String()
		}
		if !strings.Contains(got, want) {
			t.Errorf("%s:\n got %s\nwant …%s…", text, got, want)
		}
	}
	f("undefine failurs", `error: 1:10: no saved query "failurs"; did you mean "failures"? (saved: failures, noisy)`)
	f("undefine", "error: 1:9: undefine takes the name of a saved query")
	f("undefine failures now", "error: 1:19: undefine takes one name")
	f("UNDEFINE Failures", "define failures(D) = count where status=failure since D")
	if _, ok := ms.Lookup("failures"); ok {
		t.Error("failures is still saved")
	}
	f("undefine failures", `error: 1:10: no saved query "failures"`)
	f("undefine noisy", "define noisy = spray accounts=5")
	f("undefine noisy", `no saved query "noisy": there are none`)
}

func TestExpand(t *testing.T) {
	ms := NewMacros()
	for _, d := range []string{
		"define failures(D) = count where status=failure since D",
		"define recent = failures(24h)",
		`define byapp(F, A) = count where status=F and app=A`,
		"define noisy(N) = spray accounts=N window=30m",
	} {
		if _, err := ms.Define(d, nil); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	// Define refuses these; a file of saved queries, read unchecked, may
	// hold them.
	for _, d := range []string{"define loop = loop2", "define loop2 = loop"} {
		if err := ms.add(d, nil); err != nil {
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
	opts := Options{Now: now}
	res, err := Run(t.Context(), db, nil, "define fails(S) = count where status=S", opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Plan, "define fails(S) = count where status=S") {
		t.Errorf("define said %q", res.Plan)
	}
	// A definition the language refuses is not saved.
	_, err = Run(t.Context(), db, nil, "define bad = count where staus=failure", opts)
	if err == nil || !strings.Contains(err.Error(), `1:26: define bad: unknown field "staus"; did you mean "status"?`) {
		t.Errorf("define bad: %v", err)
	}
	db.Close()
	b, err := os.ReadFile(filepath.Join(dir, MacroFile))
	if err != nil || !strings.Contains(string(b), "define fails(S) = count where status=S\n") || strings.Contains(string(b), "bad") {
		t.Fatalf("the store's %s: %q, %v", MacroFile, b, err)
	}
	db = open()
	defer db.Close()
	want, err := Run(t.Context(), db, nil, "count where status=success group by type", opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Run(t.Context(), db, nil, "fails(success) group by type", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) == 0 || diffRows(got.Rows, want.Rows) {
		t.Errorf("fails(success) group by type = %v, want %v", got.Rows, want.Rows)
	}
	_, err = Run(t.Context(), db, nil, "fails(nope)", opts)
	if err == nil || !strings.Contains(err.Error(), `1:1: with its saved queries expanded, the query reads "count where status=nope ": at 1:20: status has no value "nope"`) {
		t.Errorf("fails(nope): %v", err)
	}
	// undefine removes it from the file.
	res, err = Run(t.Context(), db, nil, "undefine fails", opts)
	if err != nil || res.Plan != "removed: define fails(S) = count where status=S\n" {
		t.Errorf("undefine fails: %v, %q", err, res.Plan)
	}
	if _, err := Run(t.Context(), db, nil, "fails(success)", opts); err == nil || !strings.Contains(err.Error(), `unknown aggregate "fails"`) {
		t.Errorf("fails after undefine: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, MacroFile)); err != nil || strings.Contains(string(b), "fails") {
		t.Errorf("the store's %s after undefine: %q, %v", MacroFile, b, err)
	}
	// A line that cannot be read breaks nothing else (TestSavedQueryUnread).
	os.WriteFile(filepath.Join(dir, MacroFile), []byte("# saved\n\ndefine ok = count\ndefine = count\n"), 0o644)
	if _, err := Run(t.Context(), db, nil, "count", opts); err != nil {
		t.Errorf("a query with a broken line in the file: %v", err)
	}
	if _, err := Run(t.Context(), db, nil, "ok", opts); err != nil {
		t.Errorf("a saved query beside a broken line: %v", err)
	}
	mem, err := engine.Open("", &engine.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := Run(t.Context(), mem, nil, "define x = count", opts); err == nil || !strings.Contains(err.Error(), "in memory") {
		t.Errorf("define in memory: %v", err)
	}
	if _, err := LoadMacros(filepath.Join(t.TempDir(), "none"), plugins.Default()); err != nil {
		t.Errorf("LoadMacros of no file: %v", err)
	}
}

func diffRows(a, b [][]result.Value) bool {
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

// TestSavedQueryLineBreak saves a query holding line breaks inside its
// quoted strings (and outside): it reads back as it was saved, and the
// other saved queries, and queries without them, go on working.
func TestSavedQueryLineBreak(t *testing.T) {
	dir := t.TempDir()
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Ingest(t.Context(), []string{"testdata/samples"}, engine.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	opts := Options{Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	defs := []string{
		"define before = count where status=failure",
		"define nl = count where app = \"a\nb\" or app ~ \"x\\ny\r\nz\"\ngroup by app",
		"define after = count where status=success",
		"define odd(X) = count where user = \"\\\"\n\\\\\" or user = X",
	}
	for _, d := range defs {
		if _, err := Run(t.Context(), db, nil, d, opts); err != nil {
			t.Fatalf("%q: %v", d, err)
		}
	}
	ms, err := LoadMacros(filepath.Join(dir, MacroFile), plugins.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms.Unread()) > 0 {
		t.Errorf("unread: %v", ms.Unread()[0].Err)
	}
	for _, d := range defs {
		st, _ := tokens(d)
		m, ok := ms.Lookup(st[1].Value)
		if !ok || m.String() != d {
			t.Errorf("saved %q, read back %v", d, m)
		}
	}
	for _, q := range []string{"count", "before", "after", "nl", "odd(x)"} {
		if _, err := Run(t.Context(), db, nil, q, opts); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// TestSavedQueryUnread reads files of saved queries with lines that
// cannot be read (an older signinq's save of a query with a line break,
// a line edited by hand): the others work, using one that cannot be read
// is an error naming it and why, and saving keeps such lines as they
// were, until the name is defined again or undefined.
func TestSavedQueryUnread(t *testing.T) {
	dir := t.TempDir()
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opts := Options{Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	path := filepath.Join(dir, MacroFile)
	file := "# signinq saved queries\n" +
		"define ok = count where status=failure\n" +
		"define split = count where app = \"a\n" + // as an older signinq saved a line break
		"b\"\n" +
		"define count = nothing\n" + // a name no saved query may take
		"\"define quoted = count\n" + // a quoted line that does not unquote
		"define later = count where status=success\n"
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"count", "ok", "later"} {
		if _, err := Run(t.Context(), db, nil, q, opts); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	_, err = Run(t.Context(), db, nil, "split group by app", opts)
	var qe *Error
	if !errors.As(err, &qe) || qe.Pos.String() != "1:1" || !strings.Contains(qe.Msg, "the saved query split cannot be read (") ||
		!strings.Contains(qe.Msg, "queries:3: 1:34: unterminated string") || !strings.Contains(qe.Msg, "define split again, or undefine split") {
		t.Errorf("using a saved query that cannot be read: %v", err)
	}
	ms, err := LoadMacros(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range ms.Unread() {
		names = append(names, u.Name)
	}
	if !slices.Equal(names, []string{"split", "", "", ""}) {
		t.Errorf("unread lines named %q", names)
	}
	// Saving keeps them, as they were.
	if _, err := Run(t.Context(), db, nil, "define new = count", opts); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, line := range []string{"define split = count where app = \"a\n", "\nb\"\n", "\ndefine count = nothing\n", "\n\"define quoted = count\n", "\ndefine new = count\n"} {
		if !strings.Contains(string(b), line) {
			t.Errorf("after a save, the file lacks %q:\n%s", line, b)
		}
	}
	// Undefining it removes it; defining it again replaces it.
	res, err := Run(t.Context(), db, nil, "undefine split", opts)
	if err != nil || res.Plan != "removed: define split = count where app = \"a\n" {
		t.Errorf("undefine split: %q, %v", res.Plan, err)
	}
	if _, err := Run(t.Context(), db, nil, "split", opts); err == nil || !strings.Contains(err.Error(), `unknown aggregate "split"`) {
		t.Errorf("split after undefine: %v", err)
	}
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), db, nil, "define split = count where app = \"a\nb\"", opts); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), db, nil, "split", opts); err != nil {
		t.Errorf("split defined again: %v", err)
	}
	if b, _ := os.ReadFile(path); strings.Count(string(b), "split") != 1 {
		t.Errorf("the file after split is defined again:\n%s", b)
	}
}
