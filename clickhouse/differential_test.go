package clickhouse

// The differential test against a real two-shard ClickHouse cluster: the
// differential test's sign-ins (internal/querygen) in a store, exported
// into a Distributed table over the two shards; every random query of
// querygen, and every example of docs/query-language.md, must give on
// ClickHouse the answer signinq's engine gives on the store, or be
// refused as not expressible (counted, by construct).
//
// Replay: go test ./clickhouse -run TestDifferential -ch.seed=N [-ch.queries=N] [-ch.query='count …' -ch.now=TIME]

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/signinq/signinq/clickhouse/localcluster"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/querygen"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/result"
)

var (
	seedFlag    = flag.Uint64("ch.seed", 20261130, "seed of the sign-ins and the random queries")
	queriesFlag = flag.Int("ch.queries", 2000, "number of random queries")
	streamFlag  = flag.Int("ch.streamed", 150, "of the random queries that do not compile to SQL, how many run in signinq on streamed sign-ins and are compared (-1: all; each takes about 0.2 s)")
	queryFlag   = flag.String("ch.query", "", "run this one query on both and show both answers")
	nowFlag     = flag.String("ch.now", "", "the now of -ch.query (RFC 3339); querygen.End when empty")
)

const testDB = "signinq_test"

// fixture is the cluster, the store, and the sign-ins both hold.
type fixture struct {
	conn driver.Conn
	db   *engine.DB
	recs []signin.Record
	reg  *plugins.Registry
	// cache keeps the sign-ins streamed for queries run in signinq.
	cache *Cache
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
)

// newFixture starts the cluster, makes the store and exports it.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	cl := localcluster.StartTest(t)
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{cl.Addr(0)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	seed := *seedFlag
	recs, err := querygen.Records(seed)
	if err != nil {
		t.Fatal(err)
	}
	recs = append(recs, querygen.Sparse(seed, querygen.End)...)
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.IngestRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for name, values := range querygen.Lists {
		if err := query.SetList(db, name, values); err != nil {
			t.Fatal(err)
		}
	}
	var back []signin.Record
	for r, err := range StoreRecords(ctx, db) {
		if err != nil {
			t.Fatal(err)
		}
		c := *r
		c.Raw = nil
		back = append(back, c)
	}
	start := time.Now()
	opts := Options{Database: testDB, Cluster: localcluster.Name, BatchSize: 7000}
	st, err := Export(ctx, conn, StoreRecords(ctx, db), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exported %d of %d sign-ins to the two-shard cluster in %v", st.Added, st.Read, time.Since(start).Round(time.Millisecond))
	if st.Added != int64(len(back)) || st.Read != int64(len(back)) {
		t.Fatalf("export read %d and added %d of the store's %d sign-ins", st.Read, st.Added, len(back))
	}
	cache := NewCache()
	t.Cleanup(func() { cache.Close() })
	return &fixture{conn: conn, db: db, recs: back, reg: standard.Registry(), cache: cache}
}

// TestExportRepeatable: a second export adds nothing, and the shards
// each hold a part of the sign-ins, together all of them.
func TestExportRepeatable(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	st, err := Export(ctx, f.conn, StoreRecords(ctx, f.db), Options{Database: testDB, Cluster: localcluster.Name, BatchSize: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 0 || st.Read != int64(len(f.recs)) {
		t.Fatalf("second export: read %d, added %d; want %d read, 0 added", st.Read, st.Added, len(f.recs))
	}
	var total, shards uint64
	if err := f.conn.QueryRow(ctx, "SELECT count(), uniqExact(hostName()) FROM "+testDB+"."+Table).Scan(&total, &shards); err != nil {
		t.Fatal(err)
	}
	if total != uint64(len(f.recs)) {
		t.Fatalf("the Distributed table holds %d sign-ins, want %d", total, len(f.recs))
	}
	var local uint64
	if err := f.conn.QueryRow(ctx, "SELECT count() FROM "+testDB+"."+TableLocal).Scan(&local); err != nil {
		t.Fatal(err)
	}
	if local == 0 || local >= total {
		t.Fatalf("shard 0 holds %d of %d sign-ins: the sign-ins should be spread over both shards", local, total)
	}
	// Half of them again, with a few new: only the new are added.
	half := f.recs[:len(f.recs)/2]
	extra := []signin.Record{half[0], half[1]}
	extra[0].ID, extra[1].ID = "new-1", "new-2"
	in := append(slices.Clone(half), extra...)
	st, err = Export(ctx, f.conn, func(yield func(*signin.Record, error) bool) {
		for i := range in {
			if !yield(&in[i], nil) {
				return
			}
		}
	}, Options{Database: testDB, Cluster: localcluster.Name})
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 2 {
		t.Fatalf("export of %d held and 2 new sign-ins added %d", len(half), st.Added)
	}
}

// outcome is one query's comparison.
type outcome struct {
	refused  *NotExpressibleError // by the compiler: the query ran in signinq on streamed sign-ins
	rejected bool                 // the language refuses it (both sides)
	skipped  bool                 // not compiled, and not streamed (-ch.streamed)
	diff     string
	overflow bool
	rows     int
}

func (f *fixture) run(text string, now time.Time, stream bool) outcome {
	ctx := context.Background()
	want, werr := query.Run(ctx, f.db, f.reg, text, query.Options{Now: now})
	var qe *query.Error
	if werr != nil && errors.As(werr, &qe) && !errors.Is(werr, plugins.ErrOverflow) && !strings.Contains(qe.Msg, " overflows") {
		return outcome{rejected: true}
	}
	var o outcome
	qopts := QueryOptions{Database: testDB, Now: now, Lists: querygen.Lists, Cache: f.cache}
	if _, _, cerr := prepare(ctx, f.reg, text, qopts, now); cerr != nil && !errors.As(cerr, &o.refused) {
		return outcome{diff: fmt.Sprintf("engine: ok\n  compile: %v", cerr)}
	}
	if o.refused != nil && !stream {
		o.skipped = true
		return o
	}
	got, gerr := Query(ctx, f.conn, f.reg, text, qopts)
	if werr != nil {
		if errors.Is(gerr, plugins.ErrOverflow) || errors.As(gerr, &qe) && strings.Contains(qe.Msg, " overflows") {
			o.overflow = true
			return o
		}
		o.diff = fmt.Sprintf("engine: %v\n  clickhouse: %v", werr, gerr)
		return o
	}
	if gerr != nil {
		o.diff = fmt.Sprintf("engine: %d rows\n  clickhouse: %v", len(want.Rows), gerr)
		return o
	}
	o.diff, o.rows = diffResults(want, got), len(want.Rows)
	return o
}

func floatEqual(a, b float64) bool {
	if a == b {
		return true
	}
	d := math.Abs(a - b)
	return d <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) || d < 1e-12
}

func cellEqual(a, b result.Value) bool {
	if a.Kind() != b.Kind() || a.IsNull() != b.IsNull() {
		return false
	}
	if a.IsNull() {
		return true
	}
	if a.Kind() == signin.KindFloat {
		return floatEqual(a.Float(), b.Float())
	}
	return a.Equal(b)
}

func cell(v result.Value) string {
	if v.IsNull() {
		return "null(" + v.Kind().String() + ")"
	}
	switch v.Kind() {
	case signin.KindString:
		return strconv.Quote(v.Str())
	case signin.KindList:
		return fmt.Sprintf("%q", v.List())
	case signin.KindFloat:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64) + "f"
	}
	return v.String()
}

func rowText(r []result.Value) string {
	var parts []string
	for _, v := range r {
		parts = append(parts, cell(v))
	}
	return strings.Join(parts, " | ")
}

func columnsText(cs []result.Column) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s:%s(%s,key=%v,bin=%v)", c.Name, c.Kind, c.Field, c.Key, c.Bin))
	}
	return strings.Join(parts, " | ")
}

// diffResults is "" when got is want: the same columns, and the same
// rows in the same order (floats within 1e-9 relative).
func diffResults(want, got *result.Result) string {
	if !slices.Equal(want.Columns, got.Columns) {
		return fmt.Sprintf("columns differ:\n  engine:     %s\n  clickhouse: %s", columnsText(want.Columns), columnsText(got.Columns))
	}
	for i := 0; i < max(len(want.Rows), len(got.Rows)); i++ {
		if i >= len(want.Rows) || i >= len(got.Rows) || len(want.Rows[i]) != len(got.Rows[i]) || !slices.EqualFunc(want.Rows[i], got.Rows[i], cellEqual) {
			var b strings.Builder
			fmt.Fprintf(&b, "rows differ: engine %d rows, clickhouse %d; first difference at row %d\n", len(want.Rows), len(got.Rows), i)
			for j := max(0, i-1); j < i+3; j++ {
				if j < len(want.Rows) {
					fmt.Fprintf(&b, "  engine     %d: %s\n", j, rowText(want.Rows[j]))
				}
				if j < len(got.Rows) {
					fmt.Fprintf(&b, "  clickhouse %d: %s\n", j, rowText(got.Rows[j]))
				}
			}
			return b.String()
		}
	}
	return ""
}

// report tallies outcomes and fails the test on differences.
type report struct {
	n, streamed, rejected, agreed, overflows, empty, failed, skipped int
	reasons                                                          map[string]int // of streamed queries: why they did not compile
	notRun                                                           map[string]int // of the queries neither compiled nor streamed: why they did not compile
}

func (r *report) add(t *testing.T, label, text string, o outcome) {
	t.Helper()
	r.n++
	switch {
	case o.rejected:
		r.rejected++
		return
	case o.skipped:
		r.skipped++
		if r.notRun == nil {
			r.notRun = map[string]int{}
		}
		r.notRun[reasonKey(o.refused)]++
		return
	case o.diff != "":
		r.failed++
		if r.failed <= 25 {
			t.Errorf("%s:\n  %s\n  %s", label, text, o.diff)
		}
	case o.overflow:
		r.overflows++
		r.agreed++
	default:
		r.agreed++
		if o.rows == 0 {
			r.empty++
		}
	}
	if o.refused != nil {
		r.streamed++
		if r.reasons == nil {
			r.reasons = map[string]int{}
		}
		r.reasons[reasonKey(o.refused)]++
	}
}

// reasonKey groups refusals: the construct without its operands.
func reasonKey(e *NotExpressibleError) string {
	c := e.Construct
	if i := strings.Index(c, " ("); i > 0 {
		c = c[:i]
	}
	if strings.Contains(e.Why, unimplemented) {
		return c + " [not compiled yet]"
	}
	return c + " [" + e.Why + "]"
}

func (r *report) log(t *testing.T, what string) {
	t.Helper()
	t.Logf("%s: %d queries: %d agree (%d with no rows, %d overflowing on both), of which %d compiled to SQL and %d ran in signinq on streamed sign-ins; %d more not compiled and not run (-ch.streamed); %d rejected by the language (on both); %d differ",
		what, r.n, r.agreed, r.empty, r.overflows, r.n-r.rejected-r.streamed-r.skipped, r.streamed, r.skipped, r.rejected, r.failed)
	for _, m := range []struct {
		what    string
		reasons map[string]int
	}{{"streamed", r.reasons}, {"not run", r.notRun}} {
		keys := make([]string, 0, len(m.reasons))
		for k := range m.reasons {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return m.reasons[keys[i]] > m.reasons[keys[j]] || m.reasons[keys[i]] == m.reasons[keys[j]] && keys[i] < keys[j]
		})
		for _, k := range keys {
			t.Logf("  %s %4d: %s", m.what, m.reasons[k], k)
		}
	}
}

func TestDifferential(t *testing.T) {
	seed := *seedFlag
	t.Logf("seed %d (replay: go test ./clickhouse -run TestDifferential -ch.seed=%d)", seed, seed)
	f := newFixture(t)
	if *queryFlag != "" {
		now := querygen.End
		if *nowFlag != "" {
			var err error
			if now, err = time.Parse(time.RFC3339Nano, *nowFlag); err != nil {
				t.Fatal(err)
			}
		}
		cp, err := Prepare(*queryFlag, f.reg, testDB, now)
		if err == nil {
			t.Logf("SQL: %s", cp.SQL)
		}
		o := f.run(*queryFlag, now, true)
		t.Logf("%+v", o)
		if o.diff != "" {
			t.Error(o.diff)
		}
		return
	}
	g := querygen.New(seed, f.recs, querygen.End)
	var r report
	for i := range *queriesFlag {
		now := g.PickNow(querygen.End)
		g.SetNow(now)
		text := g.Query()
		o := f.run(text, now, *streamFlag < 0 || r.streamed < *streamFlag)
		r.add(t, fmt.Sprintf("seed %d, query %d (replay: -ch.seed=%d -ch.query=%q -ch.now=%s)", seed, i, seed, text, now.Format(time.RFC3339Nano)), text, o)
	}
	r.log(t, "random queries")
	var ex report
	for _, text := range docExamples(t, f.reg) {
		ex.add(t, "documented example (-ch.query="+strconv.Quote(text)+")", text, f.run(text, querygen.End, true))
	}
	ex.log(t, "documented examples")
	if r.failed+ex.failed > 0 {
		t.Errorf("%d random queries and %d documented examples differ", r.failed, ex.failed)
	}
}

var exampleCell = regexp.MustCompile("^\\| `([^`]+)` \\|")

// docExamples are the queries of docs/query-language.md: its tables'
// first cells and its text blocks' lines, those the language accepts.
func docExamples(t *testing.T, reg *plugins.Registry) []string {
	b, err := os.ReadFile("../docs/query-language.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	seen := map[string]bool{}
	inText := false
	for _, line := range strings.Split(string(b), "\n") {
		var cand string
		switch {
		case strings.HasPrefix(line, "```"):
			inText = line == "```text"
			continue
		case inText:
			cand = strings.TrimSpace(line)
		default:
			if m := exampleCell.FindStringSubmatch(line); m != nil {
				cand = strings.ReplaceAll(m[1], `\|`, "|")
			}
		}
		if cand == "" || seen[cand] || strings.HasPrefix(cand, "$") {
			continue
		}
		seen[cand] = true
		if _, err := query.Prepare(cand, nil, reg, querygen.End); err != nil {
			continue
		}
		out = append(out, cand)
	}
	if len(out) < 40 {
		t.Fatalf("only %d examples found in docs/query-language.md", len(out))
	}
	return out
}
