package query

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/signinq/signinq/internal/querygen"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/internal/peakmem"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// listPeakRows is the size of the store TestListPeakMemory lists: enough
// sign-ins that holding them all (as list did) takes gigabytes; another
// with SIGNINQ_LIST_ROWS=N (the measuring child inherits it), to see
// that the peak does not grow with them.
func listPeakRows(t *testing.T) int64 {
	if s := os.Getenv("SIGNINQ_LIST_ROWS"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("SIGNINQ_LIST_ROWS: %v", err)
		}
		return n
	}
	if listSmall() {
		return 100_000
	}
	return 500_000
}

// listSmall says the peak-memory tests of lists run on the smaller
// store: under the race detector (listRace), which makes them ten times
// slower, and in the quick lane (-short). The bounds do not depend on
// the number of sign-ins; the larger store shows it over more of them.
func listSmall() bool { return listRace || testing.Short() }

// TestListPeakMemory lists every field of every sign-in of a store of
// half a million (list *) to each writer, and through the API's
// iterator, and bounds the peak of anonymous memory (the store's mapped
// files are the kernel's cache: peakmem.RunAnon). The bound, 256 MiB,
// does not depend on the number of sign-ins: it holds the store's fixed
// buffers (Badger's memtable arena, about 40 MiB; the block cache, set
// to 16 MiB here, a bound of its own, 256 MiB by default), one decoded
// block of every field for each part open at once (a block is at most
// 65,536 rows, about 30 MiB for list *; one or two parts are open at
// once in a compacted store), the writer's buffers (the table's first
// 1,000 rows), and the garbage collector's headroom. It measured about
// 90 MiB here, 100 MiB with a million sign-ins; holding the rows, as
// list did before it streamed, took 1.9 GiB (the table over 6 GiB).
func TestListPeakMemory(t *testing.T) {
	want := listPeakRows(t)
	dir, release, err := benchstore.Use(context.Background(), want, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for _, format := range []string{"json", "csv", "table", "api"} {
		t.Run(format, func(t *testing.T) {
			peakmem.RunAnon(t, 256<<20, func(reset func()) {
				db, err := engine.Open(dir, &engine.Options{BlockCache: 16 << 20, NoBackgroundCompaction: true})
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				reset()
				rows, err := runRows(context.Background(), db, "list *", Options{})
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				counted := func(yield func([]result.Value, error) bool) {
					for row, err := range rows.All() {
						if err == nil {
							n++
						}
						if !yield(row, err) {
							return
						}
					}
				}
				if format == "api" {
					for _, err := range counted {
						if err != nil {
							t.Fatal(err)
						}
					}
				} else {
					w, _ := standard.Registry().Lookup(format)
					if err := w.(plugins.Writer).Write(io.Discard, rows.Columns, counted, plugins.WriteOptions{}); err != nil {
						t.Fatal(err)
					}
				}
				if int64(n) != want {
					t.Errorf("%d rows, want %d", n, want)
				}
			})
		})
	}
}

// listTestStore is the differential test's store (several parts a day,
// overlapping in time), its first store (with the block cache).
func listTestStore(t *testing.T) (*diffStore, *engine.DB, uint64) {
	t.Helper()
	seed, err := diffSeed()
	if err != nil {
		t.Fatal(err)
	}
	s := diffFixture(t, seed)
	return s, s.dbs[0], seed
}

// TestListStreamsAsGathered reads random lists (the differential test's,
// which checks the gathered answers against the naive evaluator) as a
// stream that stops after a random number of rows: those rows are the
// first of the gathered answer, and the stream read fewer parts when it
// stopped early.
func TestListStreamsAsGathered(t *testing.T) {
	s, db, seed := listTestStore(t)
	t.Logf("seed %d (replay: -diff.seed=%d)", seed, seed)
	g := querygen.New(seed^0x5173, s.recs, s.now)
	ctx := context.Background()
	for i := range 200 {
		text := g.List()
		opts := Options{Now: s.now}
		if i%3 == 0 {
			opts.DefaultListLimit = 1 + g.Intn(40)
		}
		want, err := Run(ctx, db, nil, text, opts)
		if err != nil {
			if diffError(err) {
				continue
			}
			t.Fatalf("%s: %v", text, err)
		}
		stop := g.Intn(len(want.Rows) + 2)
		rows, err := runRows(ctx, db, text, opts)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		var got [][]result.Value
		for row, err := range rows.All() {
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			if len(got) == stop {
				break
			}
			got = append(got, slices.Clone(row))
		}
		if n := min(stop, len(want.Rows)); len(got) != n {
			t.Fatalf("%s: %d rows streamed before stopping at %d, want %d", text, len(got), stop, n)
		}
		for j := range got {
			if !diffCellsEqual(got[j], want.Rows[j]) {
				t.Fatalf("%s: row %d streamed\n  %s\ngathered\n  %s", text, j, diffRow(got[j]), diffRow(want.Rows[j]))
			}
		}
		if stop < len(want.Rows) && rows.Stats.PartsRead > want.Stats.PartsRead {
			t.Errorf("%s: stopped after %d rows, it read %d parts, more than the %d of the whole list", text, stop, rows.Stats.PartsRead, want.Stats.PartsRead)
		}
		if stop > len(want.Rows) && len(rows.Notes) != len(want.Notes) {
			t.Errorf("%s: notes %v streamed, %v gathered", text, rows.Notes, want.Notes)
		}
	}
}

// TestListStopsEarly stops reading a list of every sign-in after one
// row, as a writer whose reader went away does: the list read one or
// two of the store's parts, not all.
func TestListStopsEarly(t *testing.T) {
	_, db, _ := listTestStore(t)
	rows, err := runRows(context.Background(), db, "list *", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range rows.All() {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if rows.Stats.Parts < 20 || rows.Stats.PartsRead > 3 {
		t.Errorf("one row read %d of %d parts", rows.Stats.PartsRead, rows.Stats.Parts)
	}
	for _, err := range rows.All() {
		if !errors.Is(err, result.ErrRowsRead) {
			t.Errorf("the rows read again: %v, want ErrRowsRead", err)
		}
	}
	if err := rows.Close(); err != nil {
		t.Errorf("Close after All: %v", err)
	}
}

// TestQueryRowsCancel cancels a list while it is read: the rows end with
// the context's error, a few rows later at most; and a list cancelled
// before it is read gives no row.
func TestQueryRowsCancel(t *testing.T) {
	_, db, _ := listTestStore(t)
	for _, text := range []string{"list *", "list * order by user", "list where status=failure | grouped"} {
		ctx, cancel := context.WithCancel(context.Background())
		rows, err := runRows(ctx, db, text, Options{})
		if err != nil {
			t.Fatal(err)
		}
		n, after := 0, 0
		var last error
		for _, err := range rows.All() {
			if err != nil {
				last = err
				break
			}
			if n++; n == 3 {
				cancel()
			}
			if n > 3 {
				after++
			}
		}
		cancel()
		if !errors.Is(last, context.Canceled) {
			t.Errorf("%s: cancelled after 3 rows: ended with %v after %d rows, want context.Canceled", text, last, n)
		}
		if after > 512 {
			t.Errorf("%s: %d rows read after the cancel", text, after)
		}
		ctx, cancel = context.WithCancel(context.Background())
		cancel()
		rows, err = runRows(ctx, db, text, Options{})
		if err == nil {
			n, last = 0, nil
			for _, err := range rows.All() {
				if err != nil {
					last = err
					break
				}
				n++
			}
		}
		if err == nil && (n > 0 || !errors.Is(last, context.Canceled)) {
			t.Errorf("%s: cancelled before: %d rows, then %v", text, n, last)
		}
	}
}

// TestQueryRowsPanicInLoop checks that a panic in the loop reading the
// rows is the loop's: it is not turned into the query's error (as a
// plugin's panic is), and the rows are closed.
func TestQueryRowsPanicInLoop(t *testing.T) {
	_, db, _ := listTestStore(t)
	for _, text := range []string{"list *", "count group by app", "list where status=failure | grouped", "list * order by app"} {
		rows, err := runRows(context.Background(), db, text, Options{})
		if err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if r := recover(); r != "the reader's" {
					t.Errorf("%s: recovered %v, want the loop's panic", text, r)
				}
			}()
			for range rows.All() {
				panic("the reader's")
			}
		}()
		for _, err := range rows.All() {
			if !errors.Is(err, result.ErrRowsRead) {
				t.Errorf("%s: after the panic, the rows read again: %v", text, err)
			}
		}
	}
}

// TestResultTooLarge checks that DB.Query refuses to gather an answer
// larger than MaxMemory, saying how to read it, where QueryRows reads it
// one row at a time.
func TestResultTooLarge(t *testing.T) {
	s, db, _ := listTestStore(t)
	_, err := Run(context.Background(), db, nil, "list *", Options{MaxMemory: 1 << 20})
	if !errors.Is(err, result.ErrTooLarge) || !strings.Contains(err.Error(), "QueryRows") {
		t.Fatalf("list * gathered in 1 MiB: %v, want ErrResultTooLarge naming QueryRows", err)
	}
	rows, err := runRows(context.Background(), db, "list *", Options{MaxMemory: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range rows.All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != len(s.recs) {
		t.Errorf("QueryRows read %d rows of %d", n, len(s.recs))
	}
}

// listOrderQuery makes a random list ordered by some of its fields:
// the query, the same without order by and limit (list's own order, for
// the naive evaluator), the order's columns, and the limit (-1: none).
func listOrderQuery(g *querygen.Gen) (text, natural string, order []naiveSortKey, limit int) {
	all := signin.Fields()
	var fields []string
	for range 1 + g.Intn(5) {
		if f := querygen.Pick(g, all).Name; !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	head := "list " + strings.Join(fields, ", ")
	cs := []string{g.Where(), g.TimeClause()}
	natural = g.Clauses(head, cs)
	var by []string
	for _, i := range g.Rand().Perm(len(fields))[:1+g.Intn(min(len(fields), 3))] {
		k := naiveSortKey{col: i, desc: g.Chance(0.5)}
		order = append(order, k)
		dir := ""
		if k.desc {
			dir = " desc"
		} else if g.Chance(0.3) {
			dir = " asc"
		}
		by = append(by, g.Name(fields[i])+dir)
	}
	text = natural + " order by " + strings.Join(by, ", ")
	limit = -1
	if g.Chance(0.5) {
		limit = 1 + g.Intn(60)
		text += " limit " + strconv.Itoa(limit)
	}
	return text, natural, order, limit
}

// TestListOrderBy checks lists ordered by their fields against the naive
// evaluator's list (newest first, then by id and type) sorted stably by
// the same fields, for random queries: sorted in memory, and with a
// memory of a few rows, so that most queries write sorted runs to
// temporary files and merge them, in several passes. The temporary
// directory is empty after each query.
func TestListOrderBy(t *testing.T) {
	s, db, seed := listTestStore(t)
	t.Logf("seed %d (replay: -diff.seed=%d)", seed, seed)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	n := 100
	if testing.Short() {
		n = 60 // the quick lane: the same first queries
	}
	for _, spill := range []bool{false, true} {
		if spill {
			mem, fan := listSortMemory, listMergeFan
			listSortMemory, listMergeFan = 128<<10, 3
			defer func() { listSortMemory, listMergeFan = mem, fan }()
		}
		g := querygen.New(seed^0x0bd, s.recs, s.now)
		spilled := 0
		for range n {
			text, natural, order, limit := listOrderQuery(g)
			rows, err := runRows(context.Background(), db, text, Options{Now: s.now})
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			got := &result.Result{Columns: rows.Columns}
			for row, err := range rows.All() {
				if err != nil {
					t.Fatalf("%s: %v", text, err)
				}
				if len(got.Rows) == 0 {
					if dirs, _ := os.ReadDir(tmp); len(dirs) > 0 {
						spilled++
					}
				}
				got.Rows = append(got.Rows, slices.Clone(row))
			}
			want, err := naiveQuery(s.recs, natural, s.now)
			if err != nil {
				t.Fatalf("%s: naive: %v", natural, err)
			}
			slices.SortStableFunc(want.Rows, func(a, b []result.Value) int {
				for _, k := range order {
					c := result.Compare(a[k.col], b[k.col])
					if k.desc {
						c = -c
					}
					if c != 0 {
						return c
					}
				}
				return 0
			})
			if limit >= 0 && len(want.Rows) > limit {
				want.Rows = want.Rows[:limit]
			}
			if d := diffResults(want, got); d != "" {
				t.Fatalf("spill %v: %s\n%s", spill, text, d)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Fatalf("spill %v: %s: %d files left in the temporary directory", spill, text, len(left))
			}
		}
		t.Logf("spill %v: %d of %d queries wrote runs", spill, spilled, n)
		if spill && spilled*5 < n || !spill && spilled > 0 {
			t.Errorf("spill %v: %d of %d queries wrote runs, want a fifth at least with spilling, none without", spill, spilled, n)
		}
	}
}

// TestListOrderBySpillStopped stops lists that spilled their rows to
// temporary files, by cancelling them and by reading only some rows:
// the files are removed either way.
func TestListOrderBySpillStopped(t *testing.T) {
	_, db, _ := listTestStore(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	mem := listSortMemory
	listSortMemory = 64 << 10
	defer func() { listSortMemory = mem }()
	spilled := func() bool {
		dirs, _ := os.ReadDir(tmp)
		for _, d := range dirs {
			if runs, _ := os.ReadDir(tmp + "/" + d.Name()); len(runs) > 1 {
				return true
			}
		}
		return false
	}
	for _, cancelIt := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		rows, err := runRows(ctx, db, "list * order by user desc, app", Options{})
		if err != nil {
			t.Fatal(err)
		}
		n, sawRuns := 0, false
		var last error
		for _, err := range rows.All() {
			if err != nil {
				last = err
				break
			}
			if n++; n == 10 {
				sawRuns = spilled()
				if !cancelIt {
					break
				}
				cancel()
			}
		}
		cancel()
		if !sawRuns {
			t.Errorf("cancel %v: no runs written while the rows were read", cancelIt)
		}
		if cancelIt && !errors.Is(last, context.Canceled) {
			t.Errorf("cancelled: ended with %v", last)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("cancel %v: %d files left in the temporary directory", cancelIt, len(left))
		}
	}
}

// TestListOrderByCheck checks what list's order by may name: its own
// columns, by any of their names.
func TestListOrderByCheck(t *testing.T) {
	for _, tc := range []struct{ text, err string }{
		{"list order by time", ""},
		{"list * order by UserPrincipalName desc", ""},
		{"list user, hour(time) order by hour(time) desc, user", ""},
		{"list order by latency", `1:15: list is ordered by its columns, and latency is not one of them (time, type, identity, app, resource, ip, status, error): list it too`},
		{"list user order by usr", `did you mean "user"?`},
		{"list where status=failure order by user | spray", ""}, // spray lists user
		{"list where status=failure order by latency | spray", "1:36: list is ordered by its columns, and latency is not one of them"},
	} {
		_, err := Prepare(tc.text, nil, nil, checkNow)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.text, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.text, err, tc.err)
		}
	}
}

// TestListOrderByPeakMemory orders half a million sign-ins by user, with
// no limit: about three times what the sort may hold (listSortMemory,
// 64 MiB), so that it writes sorted runs to temporary files and merges
// them. The bound of anonymous memory, 256 MiB, holds the sort's 64 MiB
// (twice, with the garbage collector's headroom), the store's fixed
// buffers and the merge's readers, whatever the number of sign-ins.
func TestListOrderByPeakMemory(t *testing.T) {
	want := listPeakRows(t)
	dir, release, err := benchstore.Use(context.Background(), want, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	peakmem.RunAnon(t, 256<<20, func(reset func()) {
		if listSmall() {
			mem := listSortMemory
			listSortMemory = 16 << 20 // fewer sign-ins: spill all the same
			defer func() { listSortMemory = mem }()
		}
		db, err := engine.Open(dir, &engine.Options{BlockCache: 16 << 20, NoBackgroundCompaction: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		reset()
		rows, err := runRows(context.Background(), db, "list time, user, app, ip order by user", Options{})
		if err != nil {
			t.Fatal(err)
		}
		n, runs := 0, 0
		last := ""
		for row, err := range rows.All() {
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				dirs, _ := os.ReadDir(tmp)
				for _, d := range dirs {
					files, _ := os.ReadDir(tmp + "/" + d.Name())
					runs += len(files)
				}
			}
			if u := row[1].Str(); u < last {
				t.Fatalf("row %d: %q after %q", n, u, last)
			} else {
				last = u
			}
			n++
		}
		if int64(n) != want || runs < 2 {
			t.Errorf("%d rows of %d, from %d runs", n, want, runs)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("%d files left in the temporary directory", len(left))
		}
	})
}
