package query

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/script"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// TestScriptPlugins loads the example Starlark plugins next to the
// built-in ones and runs them in queries on generated sign-ins, checking
// each answer against the sign-ins computed here, in Go.
func TestScriptPlugins(t *testing.T) {
	reg := standard.New()
	if err := script.Load("../plugins/script/examples", reg, script.Options{}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g, err := gen.New(gen.Config{Count: 4000, Seed: 11, Days: 20, Users: 60, End: now})
	if err != nil {
		t.Fatal(err)
	}
	var recs []signin.Record
	err = g.Generate(context.Background(), func(evs []gen.Event) error {
		for i := range evs {
			recs = append(recs, evs[i].Record)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestRecords(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	query := func(text string) *result.Result {
		t.Helper()
		res, err := Run(t.Context(), db, reg, text, Options{Now: now})
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return res
	}
	hosting := map[int64]bool{14061: true, 16509: true, 24940: true, 16276: true, 9009: true, 49505: true}

	// The stage chooses the list's fields and tags every sign-in.
	res := query("list since 30d | vpn")
	var names []string
	for _, c := range res.Columns {
		names = append(names, c.Name+":"+c.Kind.String())
	}
	if got := strings.Join(names, " "); got != "time:time user:string ip:string asn:int vpn:bool" {
		t.Errorf("columns %s", got)
	}
	if len(res.Rows) != len(recs) {
		t.Errorf("%d rows, want every one of the %d sign-ins", len(res.Rows), len(recs))
	}
	tagged := 0
	for _, row := range res.Rows {
		asn, vpn := row[3], row[4]
		if asn.IsNull() != vpn.IsNull() || !asn.IsNull() && vpn.Bool() != hosting[asn.Int()] {
			t.Fatalf("asn %v tagged vpn=%v", asn, vpn)
		}
		if vpn.Bool() {
			tagged++
		}
	}
	want := 0
	for i := range recs {
		if hosting[recs[i].ASN] {
			want++
		}
	}
	if tagged != want || want == 0 {
		t.Errorf("%d sign-ins tagged, want %d (from hosting networks) and some", tagged, want)
	}

	// With an argument, after a list of fields of its own.
	res = query("list app, time, user, ip, asn since 30d limit 50 | vpn asns=AS7922")
	if len(res.Rows) != 50 || len(res.Columns) != 6 || res.Columns[0].Name != "app" || res.Columns[5].Name != "vpn" {
		t.Fatalf("list of 5 fields | vpn: %d rows of %d columns", len(res.Rows), len(res.Columns))
	}
	for _, row := range res.Rows {
		if !row[4].IsNull() && row[5].Bool() != (row[4].Int() == 7922) {
			t.Fatalf("asns=AS7922: asn %v tagged vpn=%v", row[4], row[5])
		}
	}
	// A list without the fields the stage needs is an error.
	if _, err := Run(t.Context(), db, reg, "list time since 30d | vpn", Options{Now: now}); err == nil || !strings.Contains(err.Error(), "needs the field user") {
		t.Errorf("list time | vpn: %v", err)
	}

	// The function, in group by and in a filter.
	offhours := func(tm time.Time) bool {
		tm = tm.UTC()
		return tm.Weekday() == time.Saturday || tm.Weekday() == time.Sunday || tm.Hour() < 8 || tm.Hour() >= 18
	}
	wantCounts := map[string]int64{}
	for i := range recs {
		wantCounts[fmt.Sprint(offhours(recs[i].Time))]++
	}
	res = query("count since 30d group by offhours(time)")
	got := map[string]int64{}
	for _, row := range res.Rows {
		got[row[0].String()] = row[1].Int()
	}
	if fmt.Sprint(got) != fmt.Sprint(wantCounts) {
		t.Errorf("count group by offhours(time): %v, want %v", got, wantCounts)
	}
	res = query("count since 30d where offhours(time) = true")
	if n := res.Rows[0][0].Int(); n != wantCounts["true"] {
		t.Errorf("count where offhours(time) = true: %d, want %d", n, wantCounts["true"])
	}
	if _, err := Run(t.Context(), db, reg, "count group by offhours(user)", Options{Now: now}); err == nil || !strings.Contains(err.Error(), "offhours's t is time, not a string") {
		t.Errorf("offhours(user): %v", err)
	}
}

// lineCounter counts the lines written to it, and calls first (if any)
// at the first.
type lineCounter struct {
	mu    sync.Mutex
	n     int
	first func()
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 && c.first != nil {
		c.first()
	}
	c.n += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

func (c *lineCounter) lines() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// scriptDB is an in-memory store of 4000 generated sign-ins with the
// scripts of files loaded under opts.
func scriptDB(t *testing.T, opts script.Options, files map[string]string) (*engine.DB, *plugins.Registry) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reg := standard.New()
	if err := script.Load(dir, reg, opts); err != nil {
		t.Fatal(err)
	}
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	g, err := gen.New(gen.Config{Count: 4000, Seed: 11, Days: 20, Users: 60, End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var recs []signin.Record
	if err := g.Generate(t.Context(), func(evs []gen.Event) error {
		for i := range evs {
			recs = append(recs, evs[i].Record)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestRecords(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	return db, reg
}

// TestScriptFunctionFailsQuery checks that a script function's first
// failure, a limit reached or its own error, fails the query at once
// with that error: the calls after it are not made (each of the 4000
// sign-ins would pay the step limit otherwise), but for those already
// under way on the other goroutines.
func TestScriptFunctionFailsQuery(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"step limit", "    while True:\n        pass\n", "step limit of 10000 exceeded (per call)"},
		{"memory limit", "    return len(\"x\" * (1 << 30))\n", "memory limit of 64 MiB exceeded (per call): string * int would take 1.0 GiB"},
		{"its own error", "    fail(\"no way\")\n", "spin.star:3:9: spin: fail: no way"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := &lineCounter{}
			src := "def _eval(t):\n    print(\"call\")\n" + tc.body + "function(name=\"spin\", args=[arg(\"t\", \"field\")], result=\"int\", eval=_eval)\n"
			db, reg := scriptDB(t, script.Options{MaxCallSteps: 10_000, Print: calls}, map[string]string{"spin.star": src})
			for _, q := range []string{"count where spin(time) = 1", "count group by spin(time)", "list spin(time)", "dcount(spin(time))", "values(spin(app))"} {
				before := calls.lines()
				_, err := Run(t.Context(), db, reg, q, Options{})
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "1:") {
					t.Errorf("%s: %v, want …%s", q, err, tc.want)
				}
				if n := calls.lines() - before; n > 2*runtime.GOMAXPROCS(0) {
					t.Errorf("%s: spin was called %d times; the query should stop at its first failure", q, n)
				}
			}
		})
	}
}

// TestScriptFunctionCancelled checks that a query's end stops a script
// function while it runs: a function that loops for ever, without step
// or time limits, ends as soon as the query's context is cancelled, and
// the query returns the context's error.
func TestScriptFunctionCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	calls := &lineCounter{first: cancel}
	src := "def _eval(t):\n    print(\"call\")\n    while True:\n        pass\nfunction(name=\"spin\", args=[arg(\"t\", \"field\")], result=\"int\", eval=_eval)\n"
	db, reg := scriptDB(t, script.Options{MaxCallSteps: 1 << 62, TimeLimit: time.Hour, Print: calls}, map[string]string{"spin.star": src})
	_, err := Run(ctx, db, reg, "count where spin(time) = 1", Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("query cancelled while a function loops: %v, want context.Canceled", err)
	}
}

// TestScriptWhere checks a Starlark stage's where: parsed when the
// script loads (query.ParseCondition), it narrows the sign-ins of the
// list before the stage as the query's own where does; one that does not
// parse fails its script, at the declaration, with the condition's
// position.
func TestScriptWhere(t *testing.T) {
	const src = `
def _run(rows, ctx):
    n = 0
    for r in rows:
        n += 1
    ctx.emit({"time": None, "user": str(n), "status": ""})

stage(name="fails", run=_run, needs=["time", "user", "status"], where="status=failure and app != \"x\"")
`
	opts := script.Options{ParseCondition: ParseCondition}
	db, reg := scriptDB(t, opts, map[string]string{"fails.star": src})
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	res, err := Run(t.Context(), db, reg, "list since 7d | fails", Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want, err := Run(t.Context(), db, reg, `count where status=failure and app != "x" since 7d`, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0][1].String() != want.Rows[0][0].String() || want.Rows[0][0].Int() == 0 {
		t.Errorf("the stage read %v sign-ins; %v are failures", res.Rows, want.Rows)
	}

	dir := t.TempDir()
	bad := strings.Replace(src, `status=failure and app`, `status=failure and and app`, 1)
	if err := os.WriteFile(filepath.Join(dir, "bad.star"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	err = script.Load(dir, standard.New(), opts)
	var se *script.Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `bad.star:8:6: stage fails: where: 1:20: expected a condition, not the keyword "and"`) {
		t.Errorf("a where that does not parse: %v", err)
	}
	// Without a parser, a where does not load.
	err = script.Load(dir, standard.New(), script.Options{})
	if err == nil || !strings.Contains(err.Error(), "ParseCondition") {
		t.Errorf("a where without a parser: %v", err)
	}
}
