package query

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/peakmem"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// The memory limit of a query's groups (memory.go), on a store of
// 300,000 generated sign-ins over 30 days: a part a day.

var memEnd = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

const memRows = 300_000

// memLimit is the tests' limit: about what the default 1 GiB is to 20
// million sign-ins.
const memLimit = 16 << 20

// memStoreIn makes the tests' store in dir (in memory when dir is ""),
// compacted, without a block cache: what the queries read is then not
// kept beside their groups.
func memStoreIn(dir string) (*engine.DB, error) {
	ctx := context.Background()
	g, err := gen.New(gen.Config{Count: memRows, Seed: 13, Days: 30, End: memEnd})
	if err != nil {
		return nil, err
	}
	db, err := engine.Open(dir, &engine.Options{InMemory: dir == "", NoBackgroundCompaction: true, BlockCache: -1})
	if err != nil {
		return nil, err
	}
	w, err := db.NewWriter()
	if err != nil {
		db.Close()
		return nil, err
	}
	var recs []signin.Record
	err = g.Generate(ctx, func(evs []gen.Event) error {
		recs = recs[:0]
		for i := range evs {
			recs = append(recs, evs[i].Record)
		}
		if err := w.Add(recs); err != nil {
			return err
		}
		if w.Pending() >= 1<<15 {
			return w.Commit() // in small commits, to keep the setup small
		}
		return nil
	})
	if err == nil {
		err = w.Commit()
	}
	w.Close()
	if err == nil {
		_, err = db.Compact(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

var memStoreOnce = sync.OnceValues(func() (*engine.DB, error) { return memStoreIn("") })

func memStore(t *testing.T) *engine.DB {
	t.Helper()
	db, err := memStoreOnce()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestMemoryLimit runs queries whose groups outgrow a 16 MiB limit: each
// fails with a *MemoryError naming what took the memory, before it has
// read every part; the same queries under the default limit succeed.
func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	db := memStore(t)
	for _, tc := range []struct {
		query    string
		culprits []string
	}{
		// Many small groups.
		{"count group by id", []string{"the groups of id"}},
		// One group, and two large sets of distinct values.
		{"dcount(id), dcount(correlationId)", []string{"dcount(id)", "dcount(correlationId)"}},
		// A few groups, each with a large set.
		{"values(correlationId) group by bin(1d)", []string{"values(correlationId)"}},
		// Groups of several keys.
		{"count group by id, user, app", []string{"the groups of id, user, app"}},
		// The same through top, and with having and order.
		{"top 10 id", []string{"the groups of id"}},
		{"count as n group by correlationId having n > 1 order by n desc", []string{"the groups of correlationId"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			_, err := Run(t.Context(), db, nil, tc.query, Options{Now: memEnd, MaxMemory: memLimit})
			var me *MemoryError
			if !errors.Is(err, ErrTooMuchMemory) || !errors.As(err, &me) {
				t.Fatalf("with a limit of 16 MiB: %v; want a *MemoryError", err)
			}
			t.Log(err)
			if strings.Join(me.Culprits, "; ") != strings.Join(tc.culprits, "; ") {
				t.Errorf("culprits %q, want %q", me.Culprits, tc.culprits)
			}
			for _, c := range tc.culprits {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("the error does not name %s", c)
				}
			}
			if me.Limit != memLimit || !strings.Contains(err.Error(), "limit of 16 MiB") {
				t.Errorf("the error's limit: %d, %q", me.Limit, err)
			}
			// Stopped early: parts it never began.
			if me.Parts == 0 || me.PartsRead >= me.Parts {
				t.Errorf("read %d of %d parts before stopping; want fewer than all", me.PartsRead, me.Parts)
			}
			if _, err := Run(t.Context(), db, nil, tc.query, Options{Now: memEnd}); err != nil {
				t.Errorf("under the default limit: %v", err)
			}
		})
	}
}

// memStage runs a query (its argument q, parsed) through
// plugins.Env.Query and emits its row count.
type memStage struct{}

func (memStage) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "memsub", Kind: plugins.KindStage,
		Args: []plugins.Arg{{Name: "q", Type: plugins.ArgString}}}
}

func (memStage) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	return memRunner{args.Text("q")}, nil
}

type memRunner struct{ q string }

func (memRunner) Columns() []result.Column {
	return []result.Column{{Name: "rows", Kind: signin.KindInt}}
}

func (r memRunner) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	for range in {
	}
	st, err := Parse(r.q)
	if err != nil {
		return err
	}
	res, err := env.Query(ctx, st.Query)
	if err != nil {
		return err
	}
	return emit([]result.Value{result.IntValue(int64(len(res.Rows)))})
}

// TestMemoryLimitStage checks that a stage's query shares the limit of
// the query it runs in: count group by user, app takes about 38 MiB at
// its peak and keeps 31 MiB of rows, so that under a limit of 48 MiB it
// runs alone, or as the query of a stage after a small query, but not as
// the query of a stage after itself. A stage's query returns what it held
// but its rows when it ends.
func TestMemoryLimitStage(t *testing.T) {
	t.Parallel()
	db := memStore(t)
	reg := standard.New()
	if err := reg.Register(memStage{}); err != nil {
		t.Fatal(err)
	}
	const limit = 48 << 20
	run := func(text string) error {
		plan, err := Prepare(text, nil, reg, memEnd)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		_, err = Execute(t.Context(), db, plan, Options{Now: memEnd, MaxMemory: limit})
		return err
	}
	for _, q := range []string{`count group by user, app`, `count group by app | memsub "count group by user, app"`} {
		if err := run(q); err != nil {
			t.Errorf("%s under 48 MiB: %v", q, err)
		}
	}
	q := `count group by user, app | memsub "count group by user, app"`
	err := run(q)
	var se *StageError
	if !errors.Is(err, ErrTooMuchMemory) || !errors.As(err, &se) || !strings.Contains(err.Error(), "the groups of user, app") {
		t.Errorf("%s under 48 MiB: %v; want the memory error of the stage's query", q, err)
	}
	budget := newMemBudget(memLimit)
	plan, err := Prepare("count group by user", nil, reg, memEnd)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	for range 5 {
		res, err := gather(t.Context(), db, snap, plan, Options{}, 1, budget)
		if err != nil {
			t.Fatalf("a stage's query, again: %v", err)
		}
		rows := budget.used.Load()
		if rows <= 0 || rows > int64(len(res.Rows))*512 {
			t.Fatalf("after a stage's query of %d rows the budget holds %d bytes", len(res.Rows), rows)
		}
		budget.add(-rows) // the stage drops the rows
	}
}

// sizeless is an aggregate from outside whose accumulator does not say
// its size: the executor charges it by its groups and rows.
type sizeless struct{}

func (sizeless) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "sizeless", Kind: plugins.KindAggregate}
}
func (sizeless) Result(*signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (sizeless) NewAcc(plugins.Input) plugins.Acc          { return &sizelessAcc{} }

type sizelessAcc struct{ rows []uint32 } // keeps every row, saying nothing

func (a *sizelessAcc) Add(groups, rows []uint32, _ *engine.Vector) { a.rows = append(a.rows, rows...) }
func (a *sizelessAcc) Partial(uint32) plugins.Partial              { return &sizelessPartial{} }

type sizelessPartial struct{}

func (*sizelessPartial) Merge(plugins.Partial) {}
func (*sizelessPartial) Value() result.Value   { return result.IntValue(0) }
func (*sizelessPartial) Size() int             { return 8 }

// TestMemoryLimitDefaultCharge checks the charge of an aggregate whose
// accumulator has no Size: DefaultGroupBytes a group and DefaultRowBytes
// a row given to Add, so that it too stops at the limit.
func TestMemoryLimitDefaultCharge(t *testing.T) {
	db := memStore(t)
	reg := standard.New()
	if err := reg.Register(sizeless{}); err != nil {
		t.Fatal(err)
	}
	plan, err := Prepare("sizeless group by user", nil, reg, memEnd)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Execute(t.Context(), db, plan, Options{Now: memEnd, MaxMemory: 256 << 10})
	var me *MemoryError
	if !errors.As(err, &me) || !strings.Contains(fmt.Sprint(me.Culprits), "sizeless") {
		t.Errorf("sizeless group by user under 256 KiB: %v; want sizeless named", err)
	}
	a := newMemAccount(newMemBudget(1<<30), plan)
	c := a.newCharge()
	gr := &grouper{n: 10}
	if err := c.sizePart(gr, []plugins.Acc{&sizelessAcc{}}, []int64{1000}); err != nil {
		t.Fatal(err)
	}
	if got, want := a.by[aggCharge].Load(), int64(10*plugins.DefaultGroupBytes+1000*plugins.DefaultRowBytes); got != want {
		t.Errorf("charged %d for 10 groups and 1000 rows, want %d", got, want)
	}
}

// TestMemoryError checks the error's text.
func TestMemoryError(t *testing.T) {
	for _, tc := range []struct {
		e    MemoryError
		want string
	}{
		{MemoryError{Limit: 1 << 30, Culprits: []string{"the groups of id", "dcount(correlationId)"}, Bytes: []int64{700 << 20, 300 << 20}, Groups: 2_100_000, Parts: 30, PartsRead: 9},
			"the groups of id (2.1 million so far, 700 MiB) and dcount(correlationId) (300 MiB) took more than the query's memory limit of 1 GiB after reading 9 of 30 parts: group by fewer or less varied fields, count or list the values of a less varied field, narrow the time range, or raise the limit"},
		{MemoryError{Limit: 16 << 20, Culprits: []string{"the groups of user, app"}, Bytes: []int64{17 << 20}, Groups: 95_000},
			"the groups of user, app (95 thousand so far, 17 MiB) took more than the query's memory limit of 16 MiB: group by fewer or less varied fields, narrow the time range, or raise the limit"},
		{MemoryError{Limit: 1536 << 20, Culprits: []string{"values(ip)", "dcount(user)", "dcount(app)"}, Bytes: []int64{800 << 20, 500 << 20, 1 << 20}},
			"values(ip) (800 MiB), dcount(user) (500 MiB) and dcount(app) (1 MiB) took more than the query's memory limit of 1.5 GiB: group by fewer or less varied fields, count or list the values of a less varied field, narrow the time range, or raise the limit"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

// TestParseMemory reads sizes as --max-memory and \maxmemory take them.
func TestParseMemory(t *testing.T) {
	for in, want := range map[string]int64{
		"512MiB": 512 << 20, "4GiB": 4 << 30, "1.5 GiB": 3 << 29, "800MB": 800e6, "2G": 2 << 30,
		"64k": 64 << 10, "1048576": 1 << 20, " 16 mib ": 16 << 20, "1TiB": 1 << 40, "3B": 3,
	} {
		if got, err := ParseMemory(in); err != nil || got != want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"":            "not a size",
		"GiB":         "not a size",
		"1.2.3G":      "not a size",
		"-1GiB":       "not a size",
		"10XB":        `unknown unit "XB"`,
		"0":           "out of range",
		"0.1B":        "out of range",
		"9EiB":        `unknown unit "EiB"`,
		"9e9TiB":      "unknown unit",
		"99999999TiB": "out of range",
	} {
		if _, err := ParseMemory(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMemory(%q): %v; want an error saying %s", in, err, want)
		}
	}
}

// TestMemoryLimitPeak measures the peak memory of queries stopped at the
// 16 MiB limit, each in a child process, on the store on disk (made once,
// by the parent). The bound is the limit with the heap's allowance over
// it (1.3 times), and 48 MiB for what is not the groups': about 19 MiB of
// the test binary and the open store before the query, about 23 MiB of
// the store's files mapped in as the query reads them (the columns of the
// parts it reads before it stops), the blocks being decoded, and the
// runtime's own. Before the limit charged memory as it was used, these
// queries read every part and took 222 MiB, 241 MiB, and over 275 MiB
// (stopped there).
func TestMemoryLimitPeak(t *testing.T) {
	const bound = memLimit*13/10 + 48<<20
	dir := os.Getenv(memStoreEnv)
	if dir == "" {
		dir = t.TempDir()
		db, err := memStoreIn(dir)
		if err == nil {
			err = db.Close()
		}
		// Opened once more: the first open of a store reads the last
		// value log file whole (Badger checks its end), which is then
		// another; the children's opens read nothing.
		if err == nil {
			db, err = engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
		}
		if err == nil {
			err = db.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv(memStoreEnv, dir) // for the children
	}
	for _, q := range []string{
		"count group by id",
		"dcount(id), dcount(correlationId)",
		"count group by id, user, app",
	} {
		t.Run(q, func(t *testing.T) {
			peakmem.Run(t, bound, func(reset func()) {
				db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true, BlockCache: -1})
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				reset()
				_, err = Run(context.Background(), db, nil, q, Options{Now: memEnd, MaxMemory: memLimit})
				if !errors.Is(err, ErrTooMuchMemory) {
					t.Errorf("%s under 16 MiB: %v", q, err)
				}
			})
		})
	}
}

// memStoreEnv names the store TestMemoryLimitPeak's children measure.
const memStoreEnv = "SIGNINQ_MEMTEST_STORE"
