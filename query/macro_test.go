package query

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
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

// macrosFrom returns saved queries as a store holds them: read as they
// are used, unchecked (a file imported may hold what Define refuses).
func macrosFrom(defs ...string) *Macros {
	m := map[string][]byte{}
	for _, d := range defs {
		m[strings.ToLower(definedName(d))] = []byte(d)
	}
	return macrosOf(m, nil)
}

func TestExpand(t *testing.T) {
	ms := macrosFrom(
		"define failures(D) = count where status=failure since D",
		"define recent = failures(24h)",
		`define byapp(F, A) = count where status=F and app=A`,
		"define noisy(N) = spray accounts=N window=30m",
		"define twice = spray accounts=3 | noisy(4) min=5",
		"define cond(C) = count where C group by app",
		"define agg(F, G) = F(G) as n",
		"define listed = list since 1d | grouped 1h",
		// Define refuses these.
		"define loop = loop2", "define loop2 = loop",
	)
	f := func(text, want string) {
		t.Helper()
		st, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		got := ""
		if st, err = ms.Expand(st); err != nil {
			got = "error: " + err.Error()
		} else {
			got = st.String()
		}
		if strings.HasPrefix(want, "error: ") {
			if got != want {
				t.Errorf("%s:\n got %s\nwant %s", text, got, want)
			}
			return
		}
		w, err := Parse(want)
		if err != nil {
			t.Fatalf("%s: %v", want, err)
		}
		if got != w.String() {
			t.Errorf("%s:\n got %s\nwant %s", text, got, w)
		}
	}
	f("count where app=failures", "count where app=failures") // not at the head
	f("failures(24h) group by app", "count where status=failure since 24h group by app")
	f("FAILURES( 7d ) group by app", "count where status=failure since 7d group by app")
	f("explain analyze failures(1h)", "explain analyze count where status=failure since 1h")
	f("recent group by ip", "count where status=failure since 24h group by ip")
	f(`byapp(failure, "Office 365, Exchange (Online)")`, `count where status=failure and app="Office 365, Exchange (Online)"`)
	f("list since 7d | noisy(5) | grouped 1h", "list since 7d | spray accounts=5 window=30m | grouped 1h")
	f("list | noisy(5) min=3", "list | spray accounts=5 window=30m min=3") // added to its body
	f("list | twice", "list | spray accounts=3 | spray accounts=4 window=30m min=5")
	f("recent | spikes", "count where status=failure since 24h | spikes")
	f("listed | spikes", "list since 1d | grouped 1h | spikes")
	// An argument is a value or an expression, which stands where its
	// parameter does as one operand.
	f("cond(status=failure or app=x) having count > 1", "count where (status=failure or app=x) group by app having count > 1")
	f("agg(dcount, user)", "dcount(user) as n")
	f("failures", "error: 1:1: failures takes 1 arguments (failures(D)), not 0")
	f("failures(1h, 2h)", "error: 1:1: failures takes 1 arguments (failures(D)), not 2")
	f("noisy(3)", "error: 1:1: noisy is a saved series of stages: it stands after a |")
	f("list | failures(1h)", "error: 1:8: failures is a saved query: it stands at the head of a query")
	f("loop", "error: 1:1: saved queries expand more than 32 times: does one use itself?")
	f("failures(1d), count", "error: 1:1: failures is a saved query: it stands alone at the head of a query")
	f("failures(1d) as x", "error: 1:17: failures is a saved query, which takes no alias (as)")
	f("failures(1d) since 2d", "error: 1:20: since is given twice: the saved query failures has one")
	f("failures(1d) between 2026-01-01 and 2026-01-02", "error: 1:22: since and between both give the time range: use one")
	f("listed where app=x", "error: 1:14: the saved query listed ends with stages, and a clause cannot follow a stage")
	f("recent having count > 1", "count where status=failure since 24h having count > 1") // checked later
	f("failures(status=x)", "error: 1:10: D stands for a value in the saved query: give a word or a quoted string, not status = x")
	f("agg(count(x), user)", "error: 1:5: F stands for a name in the saved query: give a word, not count(x)")
}

// TestExpandPositions checks where errors in a query using saved queries
// point: into the user's text always, at an argument's text for what is
// wrong in it, at the use for what is wrong in a body.
func TestExpandPositions(t *testing.T) {
	ms := macrosFrom(
		"define fails(S) = count where status=S",
		"define failures(D) = count where status=failure since D",
		"define noisy(N) = spray accounts=N",
		"define broken = count where staus=failure", // an old file's, unchecked
		"define inner = broken group by app",
	)
	for _, tc := range []struct{ text, want, caret string }{
		{"fails(nope)", `1:7: status has no value "nope"`, "fails(nope)\n      ^"},
		{"failures(bogus) group by app", "1:10: since takes a duration", "failures(bogus) group by app\n         ^"},
		{"failures(24h) group by staus", `1:24: unknown field "staus"`, "failures(24h) group by staus\n                       ^"},
		{"failures(24h)\ngroup by ap", `2:10: unknown field "ap"`, "group by ap\n         ^"},
		{"broken since 1d", `1:1: unknown field "staus"`, "broken since 1d\n^"},
		{"  inner", `1:3: unknown field "staus"`, "  inner\n  ^"},
		{"list since 1d | noisy(many)", `1:23: spray's accounts: "many" is not a whole number`, "list since 1d | noisy(many)\n                      ^"},
		{"list since 1d\n | noisy(1) acounts=3", `2:13: spray has no argument "acounts"`, " | noisy(1) acounts=3\n            ^"},
		{"fails(failure) group by app | noisy(1)", "1:31: spray reads sign-ins", "fails(failure) group by app | noisy(1)\n                              ^"},
	} {
		_, err := Prepare(tc.text, ms, nil, checkNow)
		var qe *Error
		if !errors.As(err, &qe) || !strings.HasPrefix(qe.Error(), tc.want) {
			t.Errorf("%q: %v, want %s…", tc.text, err, tc.want)
			continue
		}
		if got := qe.Caret(tc.text); got != tc.caret {
			t.Errorf("%q: caret\n%s\nwant\n%s", tc.text, got, tc.caret)
		}
	}
}

// TestMacrosInStore defines saved queries through Run, as the REPL does,
// and uses them: they are kept in the store, read again when it opens,
// and a store in memory keeps them too.
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
	if res.Plan != "saved: define fails(S) = count where status=S\n" {
		t.Errorf("define said %q", res.Plan)
	}
	// A definition the language refuses is not saved.
	_, err = Run(t.Context(), db, nil, "define bad = count where staus=failure", opts)
	if err == nil || !strings.Contains(err.Error(), `1:26: define bad: unknown field "staus"; did you mean "status"?`) {
		t.Errorf("define bad: %v", err)
	}
	db.Close()
	if ents, _ := filepath.Glob(filepath.Join(dir, MacroFile+"*")); len(ents) > 0 {
		t.Errorf("saved queries written to %v", ents)
	}
	db = open()
	defer db.Close()
	defs, err := db.AllMeta(MacroSpace)
	if err != nil || len(defs) != 1 || string(defs["fails"]) != "define fails(S) = count where status=S" {
		t.Fatalf("the store's saved queries: %q, %v", defs, err)
	}
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
	if err == nil || err.Error() != `1:7: status has no value "nope" (its values: success, failure, interrupted)` {
		t.Errorf("fails(nope): %v", err)
	}
	// A saved query's name in another case is the same name: defining it
	// replaces it.
	if _, err := Run(t.Context(), db, nil, "define FAILS(S) = count where status=S group by app", opts); err != nil {
		t.Fatal(err)
	}
	if ms, err := MacrosOf(db, nil); err != nil || len(ms.All()) != 1 || ms.All()[0].String() != "define FAILS(S) = count where status=S group by app" {
		t.Errorf("after FAILS is defined: %v, %v", ms.All(), err)
	}
	// undefine removes it from the store.
	res, err = Run(t.Context(), db, nil, "undefine fails", opts)
	if err != nil || res.Plan != "removed: define FAILS(S) = count where status=S group by app\n" {
		t.Errorf("undefine fails: %v, %q", err, res.Plan)
	}
	if _, err := Run(t.Context(), db, nil, "fails(success)", opts); err == nil || !strings.Contains(err.Error(), `unknown aggregate "fails"`) {
		t.Errorf("fails after undefine: %v", err)
	}
	if defs, err := db.AllMeta(MacroSpace); err != nil || len(defs) != 0 {
		t.Errorf("the store's saved queries after undefine: %q, %v", defs, err)
	}
	// A store in memory keeps saved queries as well.
	mem, err := engine.Open("", &engine.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := Run(t.Context(), mem, nil, "define x = count", opts); err != nil {
		t.Errorf("define in memory: %v", err)
	}
	if res, err := Run(t.Context(), mem, nil, "x", opts); err != nil || len(res.Rows) != 1 {
		t.Errorf("x in memory: %v, %v", res, err)
	}
	if _, err := DefineIn(mem, nil, "count"); err == nil || !strings.Contains(err.Error(), "define NAME = QUERY saves a query") {
		t.Errorf("DefineIn of a query: %v", err)
	}
	if _, err := Prepare("define x = count", nil, nil, now); err == nil || !strings.Contains(err.Error(), "Exec runs them") {
		t.Errorf("Prepare of a definition: %v", err)
	}
}

// TestDefineConcurrent defines saved queries from many goroutines at once
// in one store, and undefines some: none is lost.
func TestDefineConcurrent(t *testing.T) {
	db, err := engine.Open(t.TempDir(), &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := Run(t.Context(), db, nil, "define gone = count", Options{}); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			text := fmt.Sprintf("define q%d = count where status=failure group by app limit %d", i, i+1)
			if i == n-1 {
				text = "undefine gone"
			}
			if _, err := Run(t.Context(), db, nil, text, Options{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ms, err := MacrosOf(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ms.All()); got != n-1 {
		t.Errorf("%d saved queries after %d defines at once", got, n-1)
	}
	for i := range n - 1 {
		if m, ok := ms.Lookup(fmt.Sprint("q", i)); !ok || !strings.HasSuffix(m.Body, fmt.Sprint("limit ", i+1)) {
			t.Errorf("q%d: %v", i, m)
		}
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
	db.Close()
	db, err = engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := MacrosOf(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms.Unread()) > 0 {
		t.Errorf("unread: %v", ms.Unread()[0].Err)
	}
	for _, d := range defs {
		m, ok := ms.Lookup(definedName(d))
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

// oldFile is a file of saved queries as an older signinq kept them
// beside the store, with lines that cannot be read.
const oldFile = "# signinq saved queries\n" +
	"define ok = count where status=failure\n" +
	"define split = count where app = \"a\n" + // as an older signinq saved a line break
	"b\"\n" +
	"define count = nothing\n" + // a name no saved query may take
	"\"define quoted = count\n" + // a quoted line that does not unquote
	"\"define two = count where app = \\\"a\\nb\\\" or status=failure\"\n" + // a line break, quoted
	"define later = count where status=success\n"

// TestSavedQueryImport opens a store that kept its saved queries in a
// file beside it: the first statement imports them into the store and
// renames the file. The others work, using one that cannot be read is
// an error naming it and why, until the name is defined again or
// undefined, and a file put there again is imported again without
// replacing what the store holds.
func TestSavedQueryImport(t *testing.T) {
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
	path := filepath.Join(dir, MacroFile)
	if err := os.WriteFile(path, []byte(oldFile), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"count", "ok", "later", "two"} {
		if _, err := Run(t.Context(), db, nil, q, opts); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file is still there: %v", err)
	}
	if b, err := os.ReadFile(path + ".imported"); err != nil || string(b) != oldFile {
		t.Errorf("the file renamed: %q, %v", b, err)
	}
	defs, err := db.AllMeta(MacroSpace)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range defs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"count", "later", "ok", "split", "two"}) || string(defs["split"]) != "define split = count where app = \"a" {
		t.Errorf("imported %q", defs)
	}
	_, err = Run(t.Context(), db, nil, "split group by app", opts)
	var qe *Error
	if !errors.As(err, &qe) || qe.Error() != `1:1: the saved query split cannot be read (1:34: unterminated string: a " opens it and none closes it): define split again, or undefine split` {
		t.Errorf("using a saved query that cannot be read: %v", err)
	}
	// count is the aggregate's name, which a saved query cannot take.
	if res, err := Run(t.Context(), db, nil, "count", opts); err != nil || res.Rows[0][0].Int() == 0 {
		t.Errorf("count beside a saved query named count: %v, %v", res, err)
	}
	ms, err := MacrosOf(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	var unread []string
	for _, u := range ms.Unread() {
		unread = append(unread, u.Name+": "+u.Err.Error())
	}
	if want := []string{"count: 1:8: count is the aggregate plugin's name; a saved query needs a name of its own",
		`split: 1:34: unterminated string: a " opens it and none closes it`}; !slices.Equal(unread, want) {
		t.Errorf("unread %q, want %q", unread, want)
	}
	// Undefining it removes it; defining it again replaces it.
	res, err := Run(t.Context(), db, nil, "undefine split", opts)
	if err != nil || res.Plan != "removed: define split = count where app = \"a\n" {
		t.Errorf("undefine split: %v, %v", res, err)
	}
	if _, err := Run(t.Context(), db, nil, "split", opts); err == nil || !strings.Contains(err.Error(), `unknown aggregate "split"`) {
		t.Errorf("split after undefine: %v", err)
	}
	if _, err := Run(t.Context(), db, nil, "undefine count", opts); err != nil {
		t.Errorf("undefine count: %v", err)
	}
	// A file put there again is imported again: what the store holds
	// stays, the rest is added.
	if err := os.WriteFile(path, []byte(oldFile+"define ok = count\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), db, nil, "define split = count where app = \"a\nb\"", opts); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), db, nil, "split", opts); err != nil {
		t.Errorf("split defined again: %v", err)
	}
	ms, err = MacrosOf(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := ms.Lookup("ok"); !ok || m.Body != "count where status=failure" {
		t.Errorf("ok after a second import: %v", m)
	}
	if m, ok := ms.Lookup("split"); !ok || m.Body != "count where app = \"a\nb\"" {
		t.Errorf("split after a second import: %v", m)
	}
	if u := ms.Unread(); len(u) != 1 || u[0].Name != "count" {
		t.Errorf("unread after a second import: %v", u)
	}
}

// TestSavedQueryImportReadOnly opens read-only a store that kept its
// saved queries in a file: they are read from the file, which stays.
func TestSavedQueryImportReadOnly(t *testing.T) {
	dir := t.TempDir()
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ingest(t.Context(), []string{"testdata/samples"}, engine.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), db, nil, "define later = count", Options{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Damage the value log: the store opens read-only (engine's
	// TestOpenDamaged).
	vlogs, _ := filepath.Glob(filepath.Join(dir, "*.vlog"))
	slices.Sort(vlogs)
	f, err := os.OpenFile(vlogs[len(vlogs)-1], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	f.WriteAt([]byte("damage!damage!damage!"), info.Size()/2)
	f.Close()
	path := filepath.Join(dir, MacroFile)
	if err := os.WriteFile(path, []byte(oldFile), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.ReadOnly() == nil {
		t.Fatal("the damaged store opened for writing")
	}
	ms, err := MacrosOf(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms.All() {
		names = append(names, m.String())
	}
	// later is the store's; the file's is beneath it.
	if want := []string{"define later = count", "define ok = count where status=failure", `define two = count where app = "a` + "\n" + `b" or status=failure`}; !slices.Equal(names, want) {
		t.Errorf("saved queries %q, want %q", names, want)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the file of a read-only store: %v", err)
	}
	if _, err := Run(t.Context(), db, nil, "define x = count where staus=failure", Options{}); err == nil || !strings.Contains(err.Error(), `unknown field "staus"`) {
		t.Errorf("a wrong define in a read-only store: %v", err)
	}
	if _, err := Run(t.Context(), db, nil, "define x = count", Options{}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("define in a read-only store: %v", err)
	}
}
