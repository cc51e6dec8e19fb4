package query

// The differential test: random queries (internal/querygen) and the
// documented examples run through the executor (Run) and through the
// naive reference evaluator (naive_test.go) over the same sign-ins,
// which must give the same results, or both find a number beyond its
// range.
//
// Replay a run with its seed (add -diff.v to print each query before it
// runs, when the executor panics), or run one query through both:
//
//	go test ./query/ -run TestDifferential -diff.seed=N   (or =random)
//	SIGNINQ_DIFF_SEED=N go test ./query/ -run TestDifferential
//	go test ./query/ -run 'TestDifferential$' -diff.seed=N -diff.query='count where …' -v

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signinq/signinq/internal/querygen"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/race"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

var (
	diffSeedFlag    = flag.String("diff.seed", "", "seed of TestDifferential's data and queries, or random (default $SIGNINQ_DIFF_SEED, else a fixed one)")
	diffQueriesFlag = flag.Int("diff.queries", 0, "number of random queries TestDifferential runs (default 2000, 500 under -race, 200 with -short)")
	diffVerboseFlag = flag.Bool("diff.v", false, "print every query TestDifferential runs on standard error before running it, and the slowest")
)

// diffDefaultSeed is the seed of a plain run, so that CI runs the same
// queries every time; -diff.seed=random explores new ones.
const diffDefaultSeed = 20261130

// diffSeed returns the seed of this run: the flag's, the environment's,
// or the default; "random" draws one.
var diffSeed = sync.OnceValues(func() (uint64, error) {
	s := *diffSeedFlag
	if s == "" {
		s = os.Getenv("SIGNINQ_DIFF_SEED")
	}
	switch s {
	case "":
		return diffDefaultSeed, nil
	case "random":
		return rand.Uint64() % 1_000_000_000, nil
	}
	return strconv.ParseUint(s, 10, 64)
})

// diffStore is a store and the sign-ins it holds, read back from it.
// The sign-ins are in two stores: one with the default options, one
// without the cache of decoded blocks, as the executor reads blocks from
// either.
type diffStore struct {
	dbs  [2]*engine.DB // the default store, and the one without a cache
	recs []signin.Record
	now  time.Time
}

// diffStoreNames name the stores in messages.
var diffStoreNames = [2]string{"default store", "store without block cache"}

var diffStores struct {
	sync.Mutex
	m map[uint64]*diffStore
}

// diffFixture returns the store of a seed, made on first use and kept
// for the other tests of the run.
func diffFixture(t *testing.T, seed uint64) *diffStore {
	t.Helper()
	diffStores.Lock()
	defer diffStores.Unlock()
	if s := diffStores.m[seed]; s != nil {
		return s
	}
	s, err := newDiffStore(seed)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	if diffStores.m == nil {
		diffStores.m = map[uint64]*diffStore{}
	}
	diffStores.m[seed] = s
	return s
}

func newDiffStore(seed uint64) (*diffStore, error) {
	ctx := context.Background()
	recs, err := querygen.Records(seed)
	if err != nil {
		return nil, err
	}
	var dbs [2]*engine.DB
	closeAll := func() {
		for _, db := range dbs {
			if db != nil {
				db.Close()
			}
		}
	}
	for i, opts := range []engine.Options{
		{InMemory: true, NoBackgroundCompaction: true},
		{InMemory: true, NoBackgroundCompaction: true, BlockCache: -1},
	} {
		if dbs[i], err = engine.Open("", &opts); err != nil {
			closeAll()
			return nil, err
		}
	}
	// Several ingests, so that days have several parts overlapping in
	// time: every third sign-in, then halves of the next third, then the
	// rest in small slices.
	var calls [][]signin.Record
	var thirds [3][]signin.Record
	for i, r := range recs {
		thirds[i%3] = append(thirds[i%3], r)
	}
	calls = append(calls, thirds[0])
	half := len(thirds[1]) / 2
	calls = append(calls, thirds[1][:half], thirds[1][half:])
	for i := 0; i < len(thirds[2]); i += 1500 {
		calls = append(calls, thirds[2][i:min(i+1500, len(thirds[2]))])
	}
	sparse := querygen.Sparse(seed, querygen.End)
	calls = append(calls, sparse)
	recs = append(recs, sparse...)
	for _, c := range calls {
		for _, db := range dbs {
			if _, err := db.IngestRecords(ctx, c); err != nil {
				closeAll()
				return nil, fmt.Errorf("ingest: %w", err)
			}
		}
	}
	for _, db := range dbs {
		if err := setDiffLists(db); err != nil { // named lists (lists_test.go)
			closeAll()
			return nil, err
		}
	}
	// The naive evaluator reads what the store holds.
	var back []signin.Record
	parts := 0
	err = dbs[0].View(func(s *engine.Snapshot) error {
		for _, p := range s.Parts() {
			parts++
			for b := range p.Blocks {
				err := s.Records(p, b, func(_ uint32, r *signin.Record) error {
					r.Raw = nil
					back = append(back, *r)
					return nil
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && len(back) != len(recs) {
		err = fmt.Errorf("the store holds %d sign-ins of the %d ingested", len(back), len(recs))
	}
	if err == nil && parts < 20 {
		err = fmt.Errorf("only %d parts: the ingests should make several a day", parts)
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	return &diffStore{dbs: dbs, recs: back, now: querygen.End}, nil
}

// diffError reports whether err is the language's refusal of a query.
func diffError(err error) bool {
	var qe *Error
	return errors.As(err, &qe)
}

// diffOverflow reports whether err is the executor's error for a number
// beyond its kind's range: arithmetic in a head ("… overflows …") or a
// sum of whole numbers (plugins.ErrOverflow).
func diffOverflow(err error) bool {
	var qe *Error
	return errors.As(err, &qe) && (errors.Is(err, plugins.ErrOverflow) || strings.Contains(qe.Msg, " overflows"))
}

// diffFloatEqual compares floats within 1e-9 relative.
func diffFloatEqual(a, b float64) bool {
	if a == b {
		return true
	}
	d := math.Abs(a - b)
	return d <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) || d < 1e-12
}

// diffCellEqual compares two cells: same kind, both null or neither, and
// equal values (floats within 1e-9 relative).
func diffCellEqual(a, b result.Value) bool {
	if a.Kind() != b.Kind() || a.IsNull() != b.IsNull() {
		return false
	}
	if a.IsNull() {
		return true
	}
	if a.Kind() == signin.KindFloat {
		return diffFloatEqual(a.Float(), b.Float())
	}
	return a.Equal(b)
}

func diffCellsEqual(a, b []result.Value) bool {
	for i := range a {
		if !diffCellEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// diffCell formats a cell with its kind.
func diffCell(v result.Value) string {
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

func diffRow(r []result.Value) string {
	var b strings.Builder
	for i, v := range r {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(diffCell(v))
	}
	return b.String()
}

func diffColumns(cs []result.Column) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(" | ")
		}
		fmt.Fprintf(&b, "%s:%s", c.Name, c.Kind)
		if c.Field != "" {
			fmt.Fprintf(&b, "(%s)", c.Field)
		}
	}
	return b.String()
}

// diffResults returns "" when the executor's result (got) is the naive
// one (want), else a description of the first difference.
func diffResults(want *naiveResult, got *result.Result) string {
	if !slices.Equal(want.Columns, got.Columns) {
		return fmt.Sprintf("columns differ:\n  naive:    %s\n  executor: %s", diffColumns(want.Columns), diffColumns(got.Columns))
	}
	first := -1
	for i := 0; i < max(len(want.Rows), len(got.Rows)); i++ {
		if i >= len(want.Rows) || i >= len(got.Rows) || len(want.Rows[i]) != len(got.Rows[i]) || !diffCellsEqual(want.Rows[i], got.Rows[i]) {
			first = i
			break
		}
	}
	if first < 0 || diffReordered(want, got) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "rows differ: naive %d rows, executor %d; first difference at row %d\n", len(want.Rows), len(got.Rows), first)
	fmt.Fprintf(&b, "  columns: %s\n", diffColumns(want.Columns))
	for i := max(0, first-2); i < first+4 && (i < len(want.Rows) || i < len(got.Rows)); i++ {
		mark := "  "
		if i == first {
			mark = "> "
		}
		w, g := "(none)", "(none)"
		if i < len(want.Rows) {
			w = diffRow(want.Rows[i])
		}
		if i < len(got.Rows) {
			g = diffRow(got.Rows[i])
		}
		if w == g {
			fmt.Fprintf(&b, "%s[%d] both:     %s\n", mark, i, w)
			continue
		}
		fmt.Fprintf(&b, "%s[%d] naive:    %s\n", mark, i, w)
		fmt.Fprintf(&b, "%s[%d] executor: %s\n", mark, i, g)
	}
	// Rows one side has and the other has not, whatever the order.
	only := func(a, o [][]result.Value) []string {
		var out []string
		for _, r := range a {
			if !slices.ContainsFunc(o, func(x []result.Value) bool { return len(x) == len(r) && diffCellsEqual(x, r) }) {
				out = append(out, diffRow(r))
				if len(out) == 5 {
					break
				}
			}
		}
		return out
	}
	if len(want.Rows)*len(got.Rows) <= 1_000_000 {
		if o := only(want.Rows, got.Rows); len(o) > 0 {
			fmt.Fprintf(&b, "  only naive (first 5):\n    %s\n", strings.Join(o, "\n    "))
		}
		if o := only(got.Rows, want.Rows); len(o) > 0 {
			fmt.Fprintf(&b, "  only executor (first 5):\n    %s\n", strings.Join(o, "\n    "))
		}
	}
	return b.String()
}

// diffReordered reports whether the executor's rows are the naive ones
// but for the order of rows whose order keys differ by rounding only:
// floats summed in another order may differ in their last bits, and sort
// the other way. The executor's rows must then be the naive ones (floats
// within the tolerance), ordered by their own values, and none of them
// ordered after the last row the limit keeps. Only results ordered by a
// float column can differ so.
func diffReordered(want *naiveResult, got *result.Result) bool {
	if len(want.Rows) != len(got.Rows) || !slices.ContainsFunc(want.Order, func(k naiveSortKey) bool {
		return want.Columns[k.col].Kind == signin.KindFloat
	}) {
		return false
	}
	// order compares rows by the order keys; with tolerance, floats
	// within it tie, and the keys after them do not count.
	order := func(a, b []result.Value, tolerance bool) int {
		for _, k := range want.Order {
			x, y := a[k.col], b[k.col]
			if tolerance && !x.IsNull() && !y.IsNull() && x.Kind() == signin.KindFloat && y.Kind() == signin.KindFloat &&
				x.Float() != y.Float() && diffFloatEqual(x.Float(), y.Float()) {
				return 0
			}
			c := result.Compare(x, y)
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	used := make([]bool, len(want.All))
	last := want.Rows[len(want.Rows)-1]
	for i, g := range got.Rows {
		if len(g) != len(last) || i > 0 && order(got.Rows[i-1], g, false) > 0 || order(g, last, true) > 0 {
			return false
		}
		found := false
		for j, a := range want.All {
			if !used[j] && diffCellsEqual(a, g) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// diffOutcome is what running one query through both gave.
type diffOutcome struct {
	rejected error  // the executor refused the query (*Error)
	diff     string // a difference, or a failure, "" when they agree
	overflow bool   // both found a number beyond its kind's range
	rows     int
	// exec and naive are the time each evaluator took.
	exec, naive time.Duration
}

// diffRun runs one query through both evaluators at now, the executor
// on store s.dbs[db].
func diffRun(s *diffStore, db int, text string, now time.Time) (o diffOutcome) {
	start := time.Now()
	got, err := Run(context.Background(), s.dbs[db], nil, text, Options{Now: now})
	o.exec = time.Since(start)
	// The statement parsed, kept for the next run of the same text, is
	// as parsed: nothing running it changed it.
	parsed.Lock()
	kept := parsed.m[text]
	parsed.Unlock()
	if fresh, perr := Parse(text); kept != nil && perr == nil && !reflect.DeepEqual(kept, fresh) {
		o.diff = "running the query changed its parsed statement, which the parse cache hands to the next run"
		return o
	}
	if err != nil && !diffOverflow(err) {
		if diffError(err) {
			o.rejected = err
		} else {
			o.diff = fmt.Sprintf("the executor failed: %v", err)
		}
		return o
	}
	start = time.Now()
	want, nerr := naiveQuery(s.recs, text, now)
	o.naive = time.Since(start)
	// A number beyond its range is an error in both or in neither: the
	// naive evaluator finds it with math/big, apart from the executor's
	// checked arithmetic.
	switch {
	case err != nil && errors.Is(nerr, errNaiveOverflow):
		o.overflow = true
		return o
	case err != nil && nerr != nil:
		o.diff = fmt.Sprintf("the executor found an overflow: %v\n  the naive evaluator failed otherwise: %v", err, nerr)
		return o
	case err != nil:
		o.diff = fmt.Sprintf("the executor found an overflow the naive evaluator did not: %v", err)
		return o
	case errors.Is(nerr, errNaiveOverflow):
		o.diff = "the naive evaluator found an overflow the executor did not"
		return o
	case nerr != nil:
		o.diff = fmt.Sprintf("the naive evaluator failed (the executor did not): %v", nerr)
		return o
	}
	o.diff, o.rows = diffResults(want, got), len(want.Rows)
	return o
}

func TestDifferential(t *testing.T) {
	t.Parallel()
	seed, err := diffSeed()
	if err != nil {
		t.Fatalf("bad seed: %v", err)
	}
	t.Logf("seed %d (replay: go test ./query/ -run TestDifferential -diff.seed=%d)", seed, seed)
	// On standard error too: a panic in the executor's goroutines ends
	// the process before the test's log is printed. Replaying with
	// -diff.v then names the query.
	fmt.Fprintf(os.Stderr, "TestDifferential: seed %d\n", seed)
	n := *diffQueriesFlag
	if n == 0 {
		// Under -race, fewer: a query takes about 0.1 s there. The
		// 2000 run without it (CI); -diff.queries sets any count.
		n = race.Pick(2000, 500)
		if testing.Short() {
			n = 200
		}
	}
	start := time.Now()
	s := diffFixture(t, seed)
	t.Logf("store: %d sign-ins in %v", len(s.recs), time.Since(start).Round(time.Millisecond))
	if *diffQueryFlag != "" {
		diffShow(t, s, seed, *diffQueryFlag)
		return
	}
	g := querygen.New(seed, s.recs, s.now)
	texts, nows := make([]string, n), make([]time.Time, n)
	for i := range texts {
		nows[i] = g.PickNow(s.now)
		g.SetNow(nows[i])
		texts[i] = g.Query()
	}
	// The queries run on as many workers as there are processors: the
	// naive evaluator is single-threaded.
	outcomes := make([]diffOutcome, n)
	start = time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if *diffVerboseFlag {
					// Before running it: a panic in the executor's
					// goroutines ends the process without a word of
					// which query it was.
					fmt.Fprintf(os.Stderr, "diff: query %d (%s, now %s): %s\n", i, diffStoreNames[i%2], nows[i].Format(time.RFC3339Nano), texts[i])
				}
				outcomes[i] = diffRun(s, i%2, texts[i], nows[i])
			}
		})
	}
	wg.Wait()
	var rejected []string
	failed, empty, overflows := 0, 0, 0
	var execTime, naiveTime time.Duration
	for i, o := range outcomes {
		text := texts[i]
		execTime += o.exec
		naiveTime += o.naive
		switch {
		case o.rejected != nil:
			rejected = append(rejected, fmt.Sprintf("%s\n      %v", text, o.rejected))
		case o.diff != "":
			failed++
			if failed <= 25 {
				t.Errorf("seed %d, query %d (%s, now %s):\n  %s\n%s\n  replay: -diff.seed=%d -diff.query=%q -diff.now=%s", seed, i, diffStoreNames[i%2], nows[i].Format(time.RFC3339Nano), text, o.diff, seed, text, nows[i].Format(time.RFC3339Nano))
			}
		case o.overflow:
			overflows++
		case o.rows == 0:
			empty++
		}
	}
	t.Logf("%d queries in %v (executor %v, naive %v): %d rejected (%.1f%%), %d with no rows, %d overflowing in both, %d differing",
		n, time.Since(start).Round(time.Millisecond), execTime.Round(time.Millisecond), naiveTime.Round(time.Millisecond),
		len(rejected), 100*float64(len(rejected))/float64(n), empty, overflows, failed)
	if *diffVerboseFlag {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			return int((outcomes[b].exec + outcomes[b].naive) - (outcomes[a].exec + outcomes[a].naive))
		})
		for _, i := range idx[:min(n, 15)] {
			t.Logf("slow: executor %v, naive %v, %d rows: %s", outcomes[i].exec, outcomes[i].naive, outcomes[i].rows, texts[i])
		}
	}
	for i, r := range rejected {
		if i == 10 {
			break
		}
		t.Logf("rejected: %s", r)
	}
	if len(rejected)*10 > n {
		t.Errorf("%d of %d generated queries rejected: the generator should make valid queries", len(rejected), n)
	}
}

// diffExamples are the query language's documented examples.
var diffExamples = []string{
	`count`,
	`count where status=failure since 24h`,
	`count where status=failure since 24h group by app`,
	`dcount(user) where app="Office 365 Exchange Online" since 7d`,
	`count, dcount(user) as users where type=interactive group by country`,
	`count where type in (servicePrincipal, managedIdentity) group by type, resource`,
	`top 10 browser where type=interactive since 7d`,
	`top 5 ip by dcount(user) where error=50126 since 1h`,
	`count where error in (50053, 50126) since 3d group by ip having count >= 20`,
	`count since 24h group by bin(1h)`,
	`count where status=failure and not country in (US, CA) group by user, country order by count desc limit 50`,
	`count where ip in 10.0.0.0/8 or ip in 2001:db8::/32`,
	`count where app contains "azure" and user startswith "admin"`,
	`count where user like "*@contoso.com" and client != "Browser"`,
	`count where latency > 1000 and risk in (medium, high)`,
	`count where policy="Require MFA" and ca=failure group by user`,
	`min(time) as first, max(time) as last, count where user="alice@contoso.com" group by country`,
	`countif(status=failure) as failed, count as total, failed * 100 / total as pct since 7d group by app having failed > 10 order by pct desc`,
	`count, dcountif(user, status=success) as ok, dcountif(user, error in (50053, 50126)) as bad since 3d group by ip having bad > ok`,
	`values(ip) as ips, count where user="alice@contoso.com" since 30d group by app`,
	`list time, user, app, ip, status, error where user="alice@contoso.com" since 7d limit 20`,
	`list where ip="203.0.113.7" between 2026-11-01 and 2026-11-08`,
	`count where ip in (top 20 ip where error in (50126, 50053) since 1d) since 1d group by user`,
	`dcount(user) as users where user not in (list user where status=success since 30d) and status=failure since 1d group by ip`,
	`count where status!=success since 14d group by user, bin(1d) | spikes k=3 | where median > 50`,
	`count where status!=success since 14d group by user, bin(1d) | spikes k=1 min=1 | where count > 2 * median | order by score desc | limit 10`,
	`count where status!=success since 14d group by user, bin(1d) | anomalies k=3 trend=linefit | where baseline > 1`,
	`count, values(ip) as ips where status=failure since 7d group by app, bin(1h) | anomalies trend=avg period=24 direction=both | order by score desc | limit 10`,
	`countif(status!=success) as failures where app contains "Azure Portal" since 1d group by user | join (countif(status!=success) as weekFailures, count as weekTotal where app contains "Azure Portal" since 7d group by user) on user | where failures >= 10 and failures > 5 * weekFailures / weekTotal`,
	`countif(status!=success) as failures where app contains "Teams" since 1d group by user | join (countif(status!=success) as weekFailures, count as weekTotal where app contains "Teams" since 7d group by user) on user | where failures >= 1 and failures > 0.5 * weekFailures / weekTotal`,
	`count where status=failure since 1d group by user | join anti (list user where status=success since 1d) on user`,
	`count where status=failure since 3d group by user, app | join anti (list app, user where status=success since 3d) on user, app`,
	`count where status=failure group by ip | join anti (list ip where status=success) on ip`,
	`count where status=failure since 1d group by user | join left (count as successes where status=success since 1d group by user) on user`,
	// Time arithmetic after a |, as in having.
	`min(time) as first, max(time) as last, count where status=failure since 3d group by user | where last - first <= 5h and count > 1`,
	`max(time) as last where status=success since 30d group by user | where last < now - 2d | order by last | limit 20`,
	`max(time) as last, min(time) as first group by app | where last - first > 1d + 12h or first >= 2026-11-05`,
	`count, max(time) as last group by user, bin(1d) | where last - time < 2h30m`,
	// Sequences.
	`list where type in (interactive, nonInteractive) since 1d | sequence by user, app within 10m: status=success then status=failure and subnet(ip, 16) != prev.subnet(ip, 16)`,
	`list where app contains "Azure Portal" since 1d | sequence by user gap 20m: 10+ status!=success then status=success`,
	`list since 3d | sequence by user within 1h: status=failure then status=success and ip != prev.ip`,
	`list since 3d | sequence by user gap 2h: 2+ status!=success then status=success | where events > 3`,
	`list time, user, ip, app, status since 7d | sequence by user within 1d gap 6h: status=success then app != prev.app then 3+ status=failure | order by last desc | limit 20`,
	`list since 7d | sequence by ip within 30m: error in (50126, 50053) then 2+ user != prev.user | where last - first >= 1m`,
	`list since 7d | sequence by user, app within 2h: status=success then status=failure and subnet(ip, 16) != prev.subnet(ip, 16)`,
	`list since 7d | sequence by user gap 1h: 3+ status!=success then status=success`,
	`list since 2d | sequence by app within 2h: status=success`,
	`list since 2d | sequence by user within 3h: 3+ status=failure`,
	`list time, user, country, status since 7d | sequence by user within 12h: * then country != prev.country and time - prev.time >= 1m`,
}

func TestDifferentialExamples(t *testing.T) {
	t.Parallel()
	seed, err := diffSeed()
	if err != nil {
		t.Fatalf("bad seed: %v", err)
	}
	s := diffFixture(t, seed)
	// A user and an address the data has many sign-ins of, for the
	// examples that name alice and 203.0.113.7.
	most := func(f func(*signin.Record) string) string {
		n := map[string]int{}
		best := ""
		for i := range s.recs {
			v := f(&s.recs[i])
			if v == "" {
				continue
			}
			n[v]++
			if n[v] > n[best] || n[v] == n[best] && v < best {
				best = v
			}
		}
		return best
	}
	user := most(func(r *signin.Record) string { return r.User })
	ip := most(func(r *signin.Record) string { return r.IP })
	queries := slices.Clone(diffExamples)
	for _, q := range diffExamples {
		if v := strings.ReplaceAll(strings.ReplaceAll(q, "alice@contoso.com", user), "203.0.113.7", ip); v != q {
			queries = append(queries, v)
		}
	}
	queries = append(queries,
		// The examples' themes on values the data has.
		`count where policy="Require MFA for all users" and ca=success group by user order by count desc limit 10`,
		`count where app contains "office" and user startswith "a" group by app`,
		`count where latency > 100 and risk in (none, low) group by risk`,
		`top 5 ip by dcount(user) where error=50126 since 3d`,
		`list where ip="`+ip+`" between 2026-11-01 and 2026-11-08 limit 30`,
		// Buckets far finer than the sign-ins: the work must follow the
		// sign-ins, not the buckets (these once took seconds to minutes).
		`count group by bin(1s)`,
		`countif(status=failure), count since 1d group by bin(1ms)`,
		// Named lists' examples, with the test's lists for @vps and @admins.
		`count where ip in @diffNets since 30d group by ip, user`,
		`list where user in @diffUsers and status=success since 7d`,
		`dcount(user) as accounts where error in @passwordFailures since 1d group by ip having accounts >= 5`,
		`count where error in (@passwordFailures, 50057) group by error`,
		`count where client in @legacyClients and status=success group by client, user`,
		`count where error not in @sentinelSuccess and user in @diffUsers since 1d group by user`,
		// A store's lists inside subqueries and joins' right sides.
		`count where user in (list user where user in @diffUsers since 7d) group by user`,
		`count where ip not in (top 5 ip where ip in @diffNets) and user in @diffUsers group by user | join left (count as n where app in @diffApps group by user) on user`,
		// A join on a column named by a function: its name quoted.
		`count where status=failure group by hour(time), app | join (dcount(user) as users group by hour(time), app) on "hour(time)", app | where users > 1`,
		// Named lists after a |, and in a sequence's steps.
		`list time, user, error, client, ip since 3d | where error in @passwordFailures and client not in @legacyClients and user not in @diffUsers`,
		`count group by ip, user | where ip in @diffNets or user in @diffUsers | order by count desc | limit 30`,
		`list since 3d | sequence by user within 1h: error in @passwordFailures then error in @sentinelSuccess`,
		// Conditional values and extremes.
		`countif(error=50057) as attempts, valuesif(user, error=50057) as disabled, valuesif(user, status=success) as succeeded, minif(time, status=failure) as firstFailure, maxif(time, status=success) as lastSuccess group by ip having attempts > 0 order by attempts desc limit 20`,
		`maxif(latency, app contains "teams") as slowest, minif(app, status=failure) as firstApp, valuesif(error, status!=success) as codes since 3d group by user`,
		// Absence: the lists' values without sign-ins are groups too.
		`count as successes where status=success since 30d group by user in @diffUsers having successes = 0`,
		`max(time) as last, count, dcount(ip), values(app), sum(latency) where status=failure since 7d group by user in @diffUsers`,
		`count where status=success group by error in @diffCodes`,
		`count, dcountif(user, status=failure) as failing group by country in @diffCountries order by country`,
		`count, min(latency) as fastest where status=failure group by app in @diffApps having count = 0 or count > 5 order by app desc limit 3`,
		`count as n where type=interactive since 3d group by client in @legacyClients having n = 0`,
		`count since 1d group by error in @passwordFailures | where count = 0`,
		// Lists of fields in subqueries: text, addresses, numbers, flags,
		// decimal numbers, lists; in and not in; a missing value.
		`count where (ip, user) in (count where status=failure group by ip, user having count = 1) group by user`,
		`count where (ip, country, user) in (count where error in (50055, 50126) group by ip, country, user having count = 1) group by user`,
		`count where (ip, user) not in (count where status=failure group by ip, user having count = 1) and status=failure group by country`,
		`count where (app, error) in (list app, error where status=failure since 1d) group by app`,
		`count where (user, error) not in (top 10 user, error where error != 0) group by error`,
		`count where (policy, country) in (list app, country where status=success limit 40) group by country`,
		`count where (authMethod, compliant) in (count group by authMethod, compliant having count > 2) group by compliant`,
		`count where (latitude, asn, country) not in (count group by longitude, asn, country having count <= 2) group by country`,
		`countif((user, app) in (count where risk=high group by identity, resource)) as risky, count group by app`,
		`count where (country, city) in (count where country != "" group by country, city) and user != "" group by city`,
		// Sentinel's "Low & slow password attempts with volatile IP
		// addresses" (docs/sentinel.md), and with a threshold the data meets.
		`count as failures, dcount(ip) as ips, dcount(country) as countries, dcount(date(time)) as days, values(ip) as addresses, values(country) as failCountries where type=interactive and error in (50055, 50126) and (ip, country, user) in (count where type=interactive and error in (50055, 50126) since 365d group by ip, country, user having count = 1) and ip not in (count where type=interactive and error=0 since 365d group by ip having count >= 2) since 365d group by user having countries > 5 | join left (values(country) as successCountries where type=interactive and error=0 since 365d group by user) on user`,
		`count as failures, dcount(ip) as ips, dcount(country) as countries, values(country) as failCountries where error in (50055, 50126, 50053) and (ip, country, user) in (count where error in (50055, 50126, 50053) since 365d group by ip, country, user having count = 1) and ip not in (count where error=0 since 365d group by ip having count >= 2) since 365d group by user having countries >= 1 | join left (values(country) as successCountries where error=0 since 365d group by user) on user`,
	)
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			for db, name := range diffStoreNames {
				o := diffRun(s, db, q, s.now)
				switch {
				case o.rejected != nil:
					t.Errorf("seed %d: the executor refuses %s: %v", seed, q, o.rejected)
					return
				case o.diff != "":
					t.Errorf("seed %d, %s, query:\n  %s\n%s", seed, name, q, o.diff)
				}
			}
		})
	}
}

// TestDifferentialArithmetic runs arithmetic in heads through both
// evaluators, each query with whether it must overflow: whole numbers
// beyond an int64 (however the operands come: aggregates, earlier heads,
// numbers; in top's by too), decimal ones beyond a float64, / making a
// decimal number, division by zero and null operands giving null.
func TestDifferentialArithmetic(t *testing.T) {
	t.Parallel()
	seed, err := diffSeed()
	if err != nil {
		t.Fatalf("bad seed: %v", err)
	}
	s := diffFixture(t, seed)
	for _, c := range []struct {
		q        string
		overflow bool
	}{
		{`count * 3037000500 * 3037000500`, true},
		{`count * 0 + 3037000499 * 3037000499`, false}, // 3037000499² fits
		{`count as n, n * 9223372036854775807 as big group by app`, true},
		{`count as n, n - 9223372036854775807 - 9223372036854775807 group by type`, true},
		{`count * 0 + 1 as one, 0 - 9223372036854775807 - one as x`, false}, // the least int64
		{`count * 0 + 1 as one, 0 - 9223372036854775807 - one - one as x`, true},
		{`sum(asn) * sum(asn) * sum(asn) group by type`, true},
		{`sum(asn) * 1.0 * sum(asn) * sum(asn) group by type`, false}, // a decimal number from the 1.0 on
		{`count * 1e200 * 1e200`, true},
		{`count * 1e200 / 1e200 group by app`, false},
		{`count / 0, count * 0.5, count / 3 group by app`, false},
		{`avg(latency) as a, a + 1, a * 3037000500 where latency < 0`, false}, // null operands
		{`min(latency) as lo, max(latency) as hi, (hi - lo) * 100 / hi group by app`, false},
		{`top 5 app by count * 9223372036854775807`, true},
		{`top 5 app by dcount(user) * 1000 - count`, false},
	} {
		t.Run(c.q, func(t *testing.T) {
			for db, name := range diffStoreNames {
				o := diffRun(s, db, c.q, s.now)
				switch {
				case o.rejected != nil:
					t.Fatalf("seed %d: the executor refuses %s: %v", seed, c.q, o.rejected)
				case o.diff != "":
					t.Errorf("seed %d, %s, query:\n  %s\n%s", seed, name, c.q, o.diff)
				case o.overflow != c.overflow:
					t.Errorf("seed %d, %s: %s: overflow %v, want %v", seed, name, c.q, o.overflow, c.overflow)
				}
			}
		})
	}
}

var (
	diffQueryFlag = flag.String("diff.query", "", "run only this query in TestDifferential, through both evaluators, printing both results")
	diffNowFlag   = flag.String("diff.now", "", "with -diff.query, the query's now (RFC 3339; default the end of the generated window)")
)

// diffShow runs one query through the executor and the naive evaluator
// and prints both results: for reducing a difference TestDifferential
// found.
func diffShow(t *testing.T, s *diffStore, seed uint64, text string) {
	show := func(who string, cols []result.Column, rows [][]result.Value) {
		t.Logf("%s: %d rows\n  %s", who, len(rows), diffColumns(cols))
		for i, r := range rows {
			if i == 40 {
				t.Logf("  …")
				break
			}
			t.Logf("  [%d] %s", i, diffRow(r))
		}
	}
	now := s.now
	if *diffNowFlag != "" {
		var err error
		if now, err = time.Parse(time.RFC3339Nano, *diffNowFlag); err != nil {
			t.Fatalf("-diff.now: %v", err)
		}
	}
	want, err := naiveQuery(s.recs, text, now)
	if err != nil {
		t.Logf("naive: %v", err)
	} else {
		show("naive", want.Columns, want.Rows)
	}
	for db, name := range diffStoreNames {
		got, err := Run(context.Background(), s.dbs[db], nil, text, Options{Now: now})
		if err != nil {
			t.Fatalf("executor (%s): %v", name, err)
		}
		show("executor ("+name+")", got.Columns, got.Rows)
		if want != nil {
			if d := diffResults(want, got); d != "" {
				t.Errorf("seed %d, %s: %s\n%s", seed, name, text, d)
			}
		}
	}
}

// TestDiffReordered checks the comparison's tolerance: rows may change
// places when their float order keys differ by rounding only.
func TestDiffReordered(t *testing.T) {
	row := func(k string, f float64) []result.Value {
		return []result.Value{result.StringValue(k), result.FloatValue(f)}
	}
	want := &naiveResult{
		Result: &result.Result{
			Columns: []result.Column{{Name: "app", Kind: signin.KindString}, {Name: "avg(latency)", Kind: signin.KindFloat}},
			Rows:    [][]result.Value{row("a", 0.3+1e-16), row("b", 0.3), row("c", 0.1)},
		},
		Order: []naiveSortKey{{col: 1, desc: true}, {col: 0}},
	}
	want.All = want.Rows
	for _, c := range []struct {
		rows [][]result.Value
		same bool
	}{
		{[][]result.Value{row("a", 0.3+1e-16), row("b", 0.3), row("c", 0.1)}, true},
		// a's average, computed otherwise, is a little less than b's.
		{[][]result.Value{row("b", 0.3), row("a", 0.3-1e-16), row("c", 0.1)}, true},
		// Not in the order of its own values.
		{[][]result.Value{row("b", 0.3), row("a", 0.3), row("c", 0.1)}, false},
		{[][]result.Value{row("c", 0.1), row("a", 0.3), row("b", 0.3)}, false},
		{[][]result.Value{row("b", 0.3), row("b", 0.3), row("c", 0.1)}, false},
		{[][]result.Value{row("a", 0.3), row("b", 0.3)}, false},
		{[][]result.Value{row("b", 0.31), row("a", 0.3), row("c", 0.1)}, false},
	} {
		got := &result.Result{Columns: want.Columns, Rows: c.rows}
		if d := diffResults(want, got); (d == "") != c.same {
			t.Errorf("%v: same %v, want %v\n%s", c.rows, d == "", c.same, d)
		}
	}
	// With limit 2, the rows kept may be other ones among ties only.
	limited := *want
	limited.Result = &result.Result{Columns: want.Columns, Rows: want.Rows[:2]}
	for _, c := range []struct {
		rows [][]result.Value
		same bool
	}{
		{[][]result.Value{row("a", 0.3+1e-16), row("b", 0.3)}, true},
		{[][]result.Value{row("b", 0.3), row("a", 0.3-1e-16)}, true},
		{[][]result.Value{row("b", 0.3), row("c", 0.1)}, false},
	} {
		got := &result.Result{Columns: want.Columns, Rows: c.rows}
		if d := diffResults(&limited, got); (d == "") != c.same {
			t.Errorf("limit 2: %v: same %v, want %v\n%s", c.rows, d == "", c.same, d)
		}
	}
}
