package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/bench"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query"
)

// CompareCmd is the compare subcommand.
type CompareCmd struct {
	// now is the clock loads are stamped with (main passes time.Now;
	// tests a fixed one); elapsed times are measured apart.
	now func() time.Time

	Rows     int64    `default:"1000000" help:"The benchmark store's size, in sign-ins (generated once when missing)."`
	Shape    string   `default:"compact" enum:"compact,wide" help:"The benchmark store's tenant shape (signinq gen --shape): compact or wide."`
	Runs     int      `default:"5" help:"Timed runs of each query on each engine, after one warm-up each; the medians are compared."`
	Queries  string   `placeholder:"REGEX" help:"Only the queries whose signinq text matches this regular expression."`
	Peers    []string `default:"duckdb,sqlite,parquet" help:"The peers to run: duckdb, sqlite, parquet (DuckDB over the files signinq export --format parquet writes), clickhouse (a two-shard ClickHouse cluster on loopback, asked in signinq's language)."`
	Threads  int      `help:"DuckDB's threads (SET threads); 0 means one per core, as signinq uses." default:"0"`
	Markdown string   `placeholder:"FILE" help:"Also write the report as Markdown to FILE."`
	Reload   bool     `help:"Load the peers' databases anew even when loaded ones are cached."`
	KeepCSV  bool     `name:"keep-csv" help:"Keep the CSV files DuckDB loads from."`
	Cache    string   `placeholder:"DIR" help:"Where the benchmark stores and the peers' databases live. Default: signinq-bench in the user's cache directory (where signinq bench keeps its stores)."`
	Repo     string   `default:"../.." placeholder:"DIR" help:"The signinq repository, whose signinq command generates a missing store."`
	// ChMaxStreamed is clickhouse.QueryOptions.MaxStreamed.
	ChMaxStreamed int `name:"ch-max-streamed" default:"5000000" help:"The most sign-ins the clickhouse peer streams to run a query in signinq that SQL cannot say (clickhouse.DefaultMaxStreamed); a query that needs more is reported refused."`
	// ChTimeout bounds one run of a query on the clickhouse peer.
	ChTimeout time.Duration `name:"ch-timeout" default:"2m" help:"How long one run of a query on the clickhouse peer may take; one that takes longer is reported timed out (and the cluster restarted)."`
}

// A queryResult is one query's figures: the median time of each engine
// (signinq first, then the peers in order; 0 for a peer that did not
// run it), how each peer ran it, and what disagreed.
type queryResult struct {
	q        bench.Query
	medians  []time.Duration
	how      []string // per peer: "" (its SQL), chSQL, chStreamed, noSQL, or a refusal
	rows     int      // rows of signinq's answer
	mismatch []string // one per peer that disagreed, with both answers
}

// ranBy says whether peer i ran the query (and has a median).
func (r queryResult) ranBy(i int) bool { return r.medians[1+i] > 0 }

// A contender is a peer as compare runs it: an SQL peer (peer) or the
// ClickHouse cluster (chPeer).
type contender interface {
	name() string
	// run runs q once and returns the normalization of its answer
	// (given the kinds of signinq's columns), done apart from the time
	// measured; errNoSQL when the peer does not run q, an error wrapping
	// errRefused when it refuses it.
	run(ctx context.Context, q bench.Query, lists map[string][]string) (func([]signin.Kind) (answer, error), error)
	// ran says how the peer ran q, for a report of a disagreement.
	ran(q bench.Query, lists map[string][]string) string
	close() error
}

// errNoSQL is an SQL peer's answer to a query that has no SQL (the
// security stages).
var errNoSQL = errors.New("no SQL")

// noSQL is how a peer "ran" a query it has no SQL for.
const noSQL = "no SQL"

// report is everything compare measured, for the text and Markdown
// reports.
type report struct {
	shape      string
	rows       int64
	runs       int
	peers      []string
	threads    int
	store      engine.Stats
	storeDir   string
	loads      map[string]peerLoad
	versions   map[string]string
	results    []queryResult
	skipped    []bench.Query // the stages: no SQL
	machine    string
	wall       time.Duration
	peersCache string
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "peers: "+format+"\n", args...)
}

// Run measures and reports; a disagreement makes it fail.
func (c *CompareCmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	if c.Runs < 1 {
		return errors.New("--runs must be at least 1")
	}
	var re *regexp.Regexp
	if c.Queries != "" {
		var err error
		if re, err = regexp.Compile(c.Queries); err != nil {
			return fmt.Errorf("--queries: %w", err)
		}
	}
	for _, p := range c.Peers {
		if !slices.Contains(peerNames, p) {
			return fmt.Errorf("--peers: no peer %q (peers: %s)", p, strings.Join(peerNames, ", "))
		}
	}
	if c.Threads <= 0 {
		c.Threads = runtime.NumCPU()
	}
	root := c.Cache
	if root == "" {
		root = cacheRoot()
	}
	rep, err := c.measure(ctx, root, re)
	if err != nil {
		return err
	}
	rep.wall = time.Since(start)
	rep.text(os.Stdout)
	if c.Markdown != "" {
		f, err := os.Create(c.Markdown)
		if err != nil {
			return err
		}
		rep.markdown(f)
		if err := f.Close(); err != nil {
			return err
		}
	}
	if n := rep.mismatches(); n > 0 {
		return fmt.Errorf("%d answers disagree with signinq's", n)
	}
	return nil
}

// measure makes or finds the store, loads the peers (or finds them
// loaded), and runs the queries.
func (c *CompareCmd) measure(ctx context.Context, root string, re *regexp.Regexp) (*report, error) {
	dir, err := ensureStore(ctx, root, c.Repo, c.Shape, c.Rows, logf)
	if err != nil {
		return nil, err
	}
	store, err := openStore(dir)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	rep := &report{shape: c.Shape, rows: c.Rows, runs: c.Runs, peers: c.Peers, threads: c.Threads, storeDir: dir, machine: machine(), versions: map[string]string{}}
	if rep.store, err = store.Stats(); err != nil {
		return nil, err
	}
	if rep.store.Rows != c.Rows {
		return nil, fmt.Errorf("%s holds %d sign-ins, not %d", dir, rep.store.Rows, c.Rows)
	}

	// The peers' databases, loaded once per store and kept beside it.
	rep.peersCache = filepath.Join(root, fmt.Sprintf("peers-v1-%s%d", shapePart(c.Shape), c.Rows))
	if err := os.MkdirAll(rep.peersCache, 0o755); err != nil {
		return nil, err
	}
	rep.loads = readLoads(rep.peersCache)
	for _, name := range c.Peers {
		path := peerFile(rep.peersCache, name)
		l, ok := rep.loads[name]
		if _, err := os.Stat(readyFile(name, path)); err == nil && ok && !c.Reload && l.Rows == c.Rows {
			continue
		}
		delete(rep.loads, name)
		writeLoads(rep.peersCache, rep.loads)
		if l, err = loadPeer(ctx, name, store, path, c.Threads, c.KeepCSV, c.now, logf); err != nil {
			return nil, err
		}
		logf("%s: loaded %d sign-ins in %.1f s, %d bytes", peerTitle(name), l.Rows, l.Seconds, l.Bytes)
		rep.loads[name] = l
		if err := writeLoads(rep.peersCache, rep.loads); err != nil {
			return nil, err
		}
	}

	// The named lists the hunting queries read, set on the store as
	// signinq bench sets them, written into the peers' SQL and given to
	// the ClickHouse peer's queries.
	lists, err := bench.SetLists(ctx, store)
	if err != nil {
		return nil, err
	}

	peers := make([]contender, len(c.Peers))
	for i, name := range c.Peers {
		path := peerFile(rep.peersCache, name)
		if name == "clickhouse" {
			p, err := openClickHouse(ctx, path, lists, c.ChMaxStreamed, c.ChTimeout)
			if err != nil {
				return nil, err
			}
			defer p.close()
			peers[i], rep.versions[name] = p, p.version
			continue
		}
		p, err := openPeer(ctx, name, path, c.Threads)
		if err != nil {
			return nil, err
		}
		defer p.close()
		v := "?"
		q := map[string]string{"duckdb": "SELECT version()", "parquet": "SELECT version()", "sqlite": "SELECT sqlite_version()"}[name]
		p.conn.QueryRowContext(ctx, q).Scan(&v)
		peers[i], rep.versions[name] = p, v
	}

	for _, q := range bench.Queries() {
		if re != nil && !re.MatchString(q.Text) {
			continue
		}
		if q.SQL == "" && !slices.Contains(c.Peers, "clickhouse") {
			rep.skipped = append(rep.skipped, q)
			continue
		}
		r, err := runQuery(ctx, store, peers, q, lists, c.Runs)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "peers: %-60s %s\n", q.Text, r.line(rep.peers))
		rep.results = append(rep.results, r)
	}
	return rep, nil
}

// runQuery runs one query on signinq and the peers, interleaved: one
// warm-up of each, whose answers are compared, then runs rounds of
// signinq, each peer in turn. A peer that does not run the query (no
// SQL) or refuses it (the ClickHouse peer's bound of sign-ins streamed)
// is not timed; how says so.
func runQuery(ctx context.Context, store *engine.DB, peers []contender, q bench.Query, lists map[string][]string, runs int) (queryResult, error) {
	r := queryResult{q: q, how: make([]string, len(peers))}
	opts := query.Options{Now: benchEnd, Timeout: -1} // measured, not limited
	times := make([][]time.Duration, 1+len(peers))
	for round := 0; round <= runs; round++ {
		start := time.Now()
		res, err := query.Run(ctx, store, nil, q.Text, opts)
		d := time.Since(start)
		if err != nil {
			return r, fmt.Errorf("signinq: %s: %w", q.Text, err)
		}
		var want answer
		var kinds []signin.Kind
		if round == 0 {
			want = fromSigninq(res)
			r.rows = len(want.rows)
			for _, c := range res.Columns {
				kinds = append(kinds, c.Kind)
			}
		} else {
			times[0] = append(times[0], d)
		}
		for i, p := range peers {
			if round > 0 && r.how[i] != "" && r.how[i] != chSQL && r.how[i] != chStreamed {
				continue // not run, refused or failed in the warm-up
			}
			start := time.Now()
			norm, err := p.run(ctx, q, lists)
			d := time.Since(start)
			switch {
			case errors.Is(err, errNoSQL):
				r.how[i] = noSQL
				continue
			case errors.Is(err, errRefused):
				r.how[i] = strings.TrimSuffix(err.Error(), ": "+errRefused.Error())
				continue
			case err != nil && p.name() == "clickhouse":
				// signinq on ClickHouse failed on this query: a failure
				// of the run, reported with the others.
				r.how[i] = "FAILED"
				r.mismatch = append(r.mismatch, fmt.Sprintf("%s fails on %q: %v", peerTitle(p.name()), q.Text, err))
				continue
			case err != nil:
				return r, fmt.Errorf("%s: %s: %w\n%s", peerTitle(p.name()), q.Text, err, p.ran(q, lists))
			}
			if ch, ok := p.(*chPeer); ok {
				r.how[i] = ch.ran(q, lists)
			}
			if round > 0 {
				times[1+i] = append(times[1+i], d)
				continue
			}
			got, err := norm(kinds)
			if err == nil {
				if s := diff(want, got, q.Ordered); s != "" {
					err = errors.New(s)
				}
			}
			if err != nil {
				r.mismatch = append(r.mismatch, fmt.Sprintf("%s disagrees on %q: %v\nsigninq:\n  %s\n%s:\n  %s\n%s",
					peerTitle(p.name()), q.Text, err, want, peerTitle(p.name()), got, p.ran(q, lists)))
			}
		}
	}
	for _, ts := range times {
		if len(ts) == 0 {
			r.medians = append(r.medians, 0)
			continue
		}
		r.medians = append(r.medians, medianDuration(ts))
	}
	return r, nil
}

// medianDuration is the median (the mean of the middle two of an even
// count).
func medianDuration(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	n := len(s)
	return (s[(n-1)/2] + s[n/2]) / 2
}

// ratio is signinq's median over peer i's; NaN when the peer did not
// run the query.
func (r queryResult) ratio(i int) float64 {
	if !r.ranBy(i) {
		return math.NaN()
	}
	return r.medians[0].Seconds() / r.medians[1+i].Seconds()
}

// peerCell is peer i's median, or why it has none.
func (r queryResult) peerCell(i int) string {
	if !r.ranBy(i) {
		return r.how[i]
	}
	return fmtDur(r.medians[1+i])
}

// ratioCell is the ratio of peer i as a table prints it.
func (r queryResult) ratioCell(i int) string {
	if !r.ranBy(i) {
		return "—"
	}
	return fmt.Sprintf("%.3g", r.ratio(i))
}

// goal says whether signinq meets the goal against DuckDB: faster, and
// five times faster on a selective query. ok is false without DuckDB,
// or when DuckDB did not run the query.
func (r queryResult) goal(peers []string) (met, ok bool) {
	i := slices.Index(peers, "duckdb")
	if i < 0 || !r.ranBy(i) {
		return false, false
	}
	want := 1.0
	if r.q.Selective {
		want = 0.2
	}
	return r.ratio(i) <= want && r.ratio(i) < 1, true
}

func (r queryResult) line(peers []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "signinq %s", fmtDur(r.medians[0]))
	for i, p := range peers {
		if !r.ranBy(i) {
			fmt.Fprintf(&b, "  %s %s", peerTitle(p), r.how[i])
			continue
		}
		fmt.Fprintf(&b, "  %s %s (×%.3g)", peerTitle(p), fmtDur(r.medians[1+i]), r.ratio(i))
		if p == "clickhouse" {
			fmt.Fprintf(&b, " %s", r.how[i])
		}
	}
	if len(r.mismatch) > 0 {
		b.WriteString("  DISAGREES")
	}
	return b.String()
}

func (rep *report) mismatches() int {
	n := 0
	for _, r := range rep.results {
		n += len(r.mismatch)
	}
	return n
}

// fmtDur prints a duration in milliseconds with three significant
// digits.
func fmtDur(d time.Duration) string {
	ms := float64(d) / 1e6
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	case ms >= 1:
		return fmt.Sprintf("%.2f ms", ms)
	}
	return fmt.Sprintf("%.3f ms", ms)
}

func fmtMB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// machine describes the machine: CPU model, cores, memory, Go.
func machine() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%s, %d cores%s, %s/%s, %s", cpu, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// table is a report table: a header and rows of cells.
type rtable struct {
	head []string
	rows [][]string
}

// queriesTable is the table of the queries' medians and ratios.
func (rep *report) queriesTable() rtable {
	t := rtable{head: []string{"query", "sel", "rows", "signinq"}}
	for _, p := range rep.peers {
		t.head = append(t.head, peerTitle(p))
	}
	for _, p := range rep.peers {
		t.head = append(t.head, "signinq÷"+peerTitle(p))
	}
	chAt := slices.Index(rep.peers, "clickhouse")
	if chAt >= 0 {
		t.head = append(t.head, "ClickHouse ran")
	}
	hasDuck := slices.Contains(rep.peers, "duckdb")
	if hasDuck {
		t.head = append(t.head, "goal vs DuckDB")
	}
	t.head = append(t.head, "answers")
	for _, r := range rep.results {
		sel := ""
		if r.q.Selective {
			sel = "yes"
		}
		row := []string{r.q.Text, sel, fmt.Sprint(r.rows), fmtDur(r.medians[0])}
		for i := range rep.peers {
			row = append(row, r.peerCell(i))
		}
		for i := range rep.peers {
			row = append(row, r.ratioCell(i))
		}
		if chAt >= 0 {
			how := r.how[chAt]
			if !r.ranBy(chAt) {
				how = "—" // its cell says why
			}
			row = append(row, how)
		}
		if hasDuck {
			met, ok := r.goal(rep.peers)
			want := "faster"
			if r.q.Selective {
				want = "≥5× faster"
			}
			if !ok {
				row = append(row, "—")
			} else if met {
				row = append(row, "met ("+want+")")
			} else {
				row = append(row, "NOT met ("+want+")")
			}
		}
		if len(r.mismatch) == 0 {
			var none []string // peers that ran it and gave no answer
			for i, p := range rep.peers {
				if !r.ranBy(i) && r.how[i] != noSQL {
					none = append(none, peerTitle(p))
				}
			}
			if len(none) == 0 {
				row = append(row, "agree")
			} else {
				row = append(row, "agree ("+strings.Join(none, ", ")+": no answer)")
			}
		} else {
			row = append(row, "DISAGREE")
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// loadsTable is the table of the loads and sizes beside signinq's store.
func (rep *report) loadsTable() rtable {
	t := rtable{head: []string{"engine", "sign-ins", "load", "sign-ins/s", "on disk", "bytes/sign-in", "vs signinq's store"}}
	st := rep.store
	t.rows = append(t.rows, []string{"signinq (store directory, no raw records)", fmt.Sprint(st.Rows), "(generated: see signinq bench)", "",
		fmtMB(st.DiskBytes), fmt.Sprintf("%.1f", float64(st.DiskBytes)/float64(st.Rows)), "1"})
	pb := st.PartBytes()
	t.rows = append(t.rows, []string{"signinq (its parts: columns, dictionaries, bitmaps, ids)", fmt.Sprint(st.Rows), "", "",
		fmtMB(pb), fmt.Sprintf("%.1f", float64(pb)/float64(st.Rows)), fmt.Sprintf("%.2f×", float64(pb)/float64(st.DiskBytes))})
	for _, p := range rep.peers {
		l := rep.loads[p]
		how := fmt.Sprintf("%.1f s", l.Seconds)
		switch p {
		case "duckdb":
			how += fmt.Sprintf(" (read_csv of %s, which signinq wrote in %.1f s)", fmtMB(l.CSVBytes), l.CSVSeconds)
		case "parquet":
			how += " (signinq's export to Parquet, zstd)"
		case "clickhouse":
			how += " (signinq's export, reading the store included, into the Distributed table; size: the two servers' data)"
		default:
			how += " (INSERTs, index, ANALYZE)"
		}
		t.rows = append(t.rows, []string{peerTitle(p), fmt.Sprint(l.Rows), how, fmt.Sprintf("%.0f", float64(l.Rows)/l.Seconds),
			fmtMB(l.Bytes), fmt.Sprintf("%.1f", float64(l.Bytes)/float64(max(l.Rows, 1))), fmt.Sprintf("%.2f×", float64(l.Bytes)/float64(st.DiskBytes))})
	}
	return t
}

// summary counts the goals met.
func (rep *report) summary() []string {
	var out []string
	if slices.Contains(rep.peers, "duckdb") {
		met, ran, sel, selMet := 0, 0, 0, 0
		for _, r := range rep.results {
			ok, ranByDuck := r.goal(rep.peers)
			if !ranByDuck {
				continue
			}
			ran++
			if ok {
				met++
			}
			if r.q.Selective {
				sel++
				if ok {
					selMet++
				}
			}
		}
		out = append(out, fmt.Sprintf("Goal against DuckDB met on %d of %d queries (selective: %d of %d at ≥5×).", met, ran, selMet, sel))
	}
	if n := rep.mismatches(); n == 0 {
		out = append(out, fmt.Sprintf("Every answer of %s agrees with signinq's on every query it ran:", joinTitles(rep.peers)))
	} else {
		out = append(out, fmt.Sprintf("%d answers DISAGREE with signinq's (printed below). Queries run:", n))
	}
	for i, p := range rep.peers {
		ran, counts := 0, map[string]int{}
		for _, r := range rep.results {
			if r.ranBy(i) {
				ran++
			}
			if r.how[i] != "" {
				counts[r.how[i]]++
			}
		}
		line := fmt.Sprintf("- %s: %d of %d", peerTitle(p), ran, len(rep.results))
		for _, how := range slices.Sorted(maps.Keys(counts)) {
			line += fmt.Sprintf("; %s: %d", how, counts[how])
		}
		out = append(out, line)
	}
	if len(rep.skipped) > 0 {
		out = append(out, fmt.Sprintf("%d queries of the standard set have no SQL (the security stages) and are not compared.", len(rep.skipped)))
	}
	return out
}

// ofShape names a tenant shape other than the compact one in a sentence.
func ofShape(shape string) string {
	if shapePart(shape) == "" {
		return ""
	}
	return " of the " + shape + " tenant shape"
}

func joinTitles(peers []string) string {
	t := make([]string, len(peers))
	for i, p := range peers {
		t[i] = peerTitle(p)
	}
	return strings.Join(t, " and ")
}

func (rep *report) header() []string {
	h := []string{
		fmt.Sprintf("%d sign-ins%s (seed %d, 30 days to %s), store %s", rep.rows, ofShape(rep.shape), benchSeed, benchEnd.Format(time.RFC3339), rep.storeDir),
		"machine: " + rep.machine,
	}
	var v []string
	for _, p := range rep.peers {
		v = append(v, peerTitle(p)+" "+rep.versions[p])
	}
	h = append(h, fmt.Sprintf("peers: %s; DuckDB threads %d; each query: 1 warm-up, then %d interleaved runs (signinq, %s), medians; total %s",
		strings.Join(v, ", "), rep.threads, rep.runs, joinTitles(rep.peers), rep.wall.Round(time.Second)))
	return h
}

// text writes the report as aligned text.
func (rep *report) text(w io.Writer) {
	for _, l := range rep.header() {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w)
	writeAligned(w, rep.loadsTable())
	fmt.Fprintln(w)
	writeAligned(w, rep.queriesTable())
	fmt.Fprintln(w)
	for _, l := range rep.summary() {
		fmt.Fprintln(w, l)
	}
	for _, r := range rep.results {
		for _, m := range r.mismatch {
			fmt.Fprintln(w)
			fmt.Fprintln(w, m)
		}
	}
}

func writeAligned(w io.Writer, t rtable) {
	width := make([]int, len(t.head))
	for _, r := range append([][]string{t.head}, t.rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range append([][]string{t.head}, t.rows...) {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c + strings.Repeat(" ", width[i]-len([]rune(c))))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// markdown writes the report as Markdown.
func (rep *report) markdown(w io.Writer) {
	fmt.Fprintf(w, "## signinq beside %s on %d sign-ins\n\n", joinTitles(rep.peers), rep.rows)
	for _, l := range rep.header() {
		fmt.Fprintf(w, "- %s\n", l)
	}
	fmt.Fprintln(w, "\n### Loads and sizes")
	fmt.Fprintln(w)
	writeMarkdown(w, rep.loadsTable(), false)
	fmt.Fprintln(w, "\n### Queries (medians; a ratio below 1 means signinq is faster)")
	fmt.Fprintln(w)
	writeMarkdown(w, rep.queriesTable(), true)
	fmt.Fprintln(w)
	for _, l := range rep.summary() {
		fmt.Fprintf(w, "%s\n", l)
	}
	for _, r := range rep.results {
		for _, m := range r.mismatch {
			fmt.Fprintf(w, "\n```\n%s\n```\n", m)
		}
	}
}

// writeMarkdown writes a table; code sets the first column as code (the
// queries).
func writeMarkdown(w io.Writer, t rtable, code bool) {
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	fmt.Fprint(w, "|")
	for _, h := range t.head {
		fmt.Fprintf(w, " %s |", cell(h))
	}
	fmt.Fprint(w, "\n|")
	for i := range t.head {
		if i == 0 {
			fmt.Fprint(w, "---|")
		} else {
			fmt.Fprint(w, "--:|")
		}
	}
	fmt.Fprintln(w)
	for _, r := range t.rows {
		fmt.Fprint(w, "|")
		for i, c := range r {
			if i == 0 && code {
				c = "`" + c + "`"
			}
			fmt.Fprintf(w, " %s |", cell(c))
		}
		fmt.Fprintln(w)
	}
}
