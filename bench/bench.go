package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/query"
	_ "github.com/signinq/signinq/query" // the query language DB.Query answers in
)

// Defaults of Config.
const (
	// DefaultRuns is the number of warm runs of each query.
	DefaultRuns = 20
	// DefaultIngestSample is the number of sign-ins the ingest rate is
	// measured on: a million, about 4.2 GB of JSON lines.
	DefaultIngestSample = 1_000_000
)

// DefaultSizes are the datasets a run measures when Config.Sizes is
// empty: a million and ten million sign-ins.
func DefaultSizes() []int64 { return []int64{1_000_000, 10_000_000} }

// Config is a benchmark run: which datasets, which queries, how often.
// The zero value measures the standard set on DefaultSizes, each query
// DefaultRuns times warm, and the ingest of DefaultIngestSample sign-ins,
// caching datasets in benchstore.CacheRoot.
type Config struct {
	// Sizes are the datasets' numbers of sign-ins, each generated over
	// the 30 days before benchstore.End (the queries' now) and cached.
	Sizes []int64
	// Shapes are the tenant shapes of the datasets: each size is measured
	// on each shape, shape by shape. nil means the compact shape only.
	// The ingest is measured on the first.
	Shapes []gen.Shape
	// Runs is the number of warm runs of each query, after its cold one.
	Runs int
	// CacheDir is where the datasets and the ingest sample are cached
	// (each with a ready marker, so a later run skips making them); ""
	// means benchstore.CacheRoot.
	CacheDir string
	// Queries are the queries measured; nil means Queries().
	Queries []Query
	// Logf, if set, receives what the run is doing, a line at a time.
	Logf func(format string, args ...any)
	// Now is the wall clock the run times with; nil means time.Now.
	Now func() time.Time
	// IngestSample is the number of sign-ins whose ingest is measured:
	// written once as diagnostic-settings JSON lines into CacheDir, then
	// ingested, with their raw records, into a fresh store. 0 means
	// DefaultIngestSample; a negative value skips the ingest.
	IngestSample int64
	// NewBar, if set, makes a progress bar for the long steps (making a
	// dataset, writing and ingesting the sample): what names the step,
	// total is its size in unit. A nil bar shows nothing.
	NewBar func(what string, total int64, unit progress.Unit) *progress.Bar
}

func (c *Config) normalize() error {
	if len(c.Sizes) == 0 {
		c.Sizes = DefaultSizes()
	}
	if len(c.Shapes) == 0 {
		c.Shapes = []gen.Shape{gen.ShapeCompact}
	}
	for _, n := range c.Sizes {
		if n <= 0 {
			return fmt.Errorf("bench: a dataset needs at least one sign-in, not %d", n)
		}
	}
	if c.Runs == 0 {
		c.Runs = DefaultRuns
	}
	if c.Runs < 0 {
		return fmt.Errorf("bench: %d warm runs: want at least one", c.Runs)
	}
	if c.CacheDir == "" {
		c.CacheDir = benchstore.CacheRoot()
	}
	if c.Queries == nil {
		c.Queries = Queries()
	}
	if len(c.Queries) == 0 {
		return errors.New("bench: no queries to run")
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.IngestSample == 0 {
		c.IngestSample = DefaultIngestSample
	}
	if c.NewBar == nil {
		c.NewBar = func(string, int64, progress.Unit) *progress.Bar { return nil }
	}
	return nil
}

// Report is what a run measured.
type Report struct {
	Machine Machine
	// Runs is the number of warm runs of each query.
	Runs int
	// Datasets are the measured datasets, by Config.Shapes and, within a
	// shape, in Config.Sizes order.
	Datasets []Dataset
	// Ingest is the ingest of the sample; nil when skipped.
	Ingest *Ingest
	// Elapsed is how long the run took, making datasets included.
	Elapsed time.Duration
}

// Dataset is what a run measured on one dataset.
type Dataset struct {
	// Shape is the tenant shape of the sign-ins.
	Shape gen.Shape
	// Rows is the number of sign-ins.
	Rows int64
	// Dir is the store's directory.
	Dir string
	// Made is how long making the dataset took this run (generating it
	// into a store and compacting it); 0 when it was cached.
	Made time.Duration
	// Open is how long opening the store took, the first time.
	Open time.Duration
	// Disk is what the store takes on disk.
	Disk Disk
	// PeakRSS is the process's peak resident memory, in bytes, while it
	// measured this dataset; -1 when the system does not tell.
	PeakRSS int64
	// PeakAnon is the largest of the queries' PeakAnon.
	PeakAnon int64
	// Queries are the queries' figures, in Config.Queries order.
	Queries []QueryResult
}

// Disk is what a store takes on disk, in bytes, by what it holds.
type Disk struct {
	Rows                              int64
	Columns, Dicts, Bitmaps, IDs, Raw int64
	Total                             int64 // the store's directory
}

// Name names the dataset in reports: its size (SizeName) for the compact
// shape, as before there were shapes, and the size and the shape for the
// others ("1M wide").
func (ds *Dataset) Name() string {
	if ds.Shape == gen.ShapeCompact {
		return SizeName(ds.Rows)
	}
	return SizeName(ds.Rows) + " " + ds.Shape.String()
}

// PerSignIn returns bytes per sign-in.
func (d Disk) PerSignIn(bytes int64) float64 {
	if d.Rows == 0 {
		return 0
	}
	return float64(bytes) / float64(d.Rows)
}

func diskOf(st engine.Stats) Disk {
	return Disk{Rows: st.Rows, Columns: st.ColumnBytes, Dicts: st.DictBytes, Bitmaps: st.BitmapBytes,
		IDs: st.IDBytes, Raw: st.RawBytes, Total: st.DiskBytes}
}

// QueryResult is one query's figures on one dataset.
type QueryResult struct {
	Query Query
	// Rows is the number of rows of the answer.
	Rows int
	// Cold is the first run after opening the store afresh. The
	// operating system's page cache stays as earlier runs left it, so
	// this is the cost of an engine without warm caches of its own, not
	// of a disk read.
	Cold time.Duration
	// Warm are the warm runs' times, fastest first.
	Warm []time.Duration
	// PeakRSS is the process's peak resident memory, in bytes, while it
	// opened the store and ran the query cold and warm (measured afresh
	// for each query, after returning what the garbage collector can);
	// -1 when the system does not tell.
	PeakRSS int64
	// PeakAnon is the part of resident memory no file backs (anonRSS:
	// the Go heap and the like, not the store's files mapped and read,
	// which the kernel takes back under pressure) at its largest while
	// the query ran, sampled every millisecond; -1 when the system does
	// not tell. It is the query's working memory, with the open store's.
	PeakAnon int64
}

// P50, P95 and P99 are percentiles of the warm runs.
func (r QueryResult) P50() time.Duration { return Percentile(r.Warm, 50) }
func (r QueryResult) P95() time.Duration { return Percentile(r.Warm, 95) }
func (r QueryResult) P99() time.Duration { return Percentile(r.Warm, 99) }

// Ingest is the measured ingest of a sample of diagnostic-settings JSON
// lines into a fresh store, with raw records, as signinq ingest does.
type Ingest struct {
	// Shape is the tenant shape of the sample.
	Shape gen.Shape
	// SignIns is the sample's number of sign-ins; Bytes the file's size.
	SignIns, Bytes int64
	// Stored is the number of sign-ins the ingest stored.
	Stored int64
	// Ingest is the time db.Ingest took: reading, parsing, storing and
	// committing; Compact the compaction after it, as signinq ingest
	// does before it exits.
	Ingest, Compact time.Duration
	// Disk is what the store takes after compaction.
	Disk Disk
}

// SignInsPerSecond and MBPerSecond are the ingest rates, compaction
// not included.
func (in *Ingest) SignInsPerSecond() float64 { return rate(in.SignIns, in.Ingest) }
func (in *Ingest) MBPerSecond() float64      { return rate(in.Bytes, in.Ingest) / 1e6 }

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Run measures cfg's queries on each of its datasets, making and caching
// those not cached yet, then the ingest of its sample.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	start := cfg.Now()
	rep := &Report{Machine: ThisMachine(), Runs: cfg.Runs}
	for _, shape := range cfg.Shapes {
		for _, n := range cfg.Sizes {
			ds, err := runDataset(ctx, &cfg, shape, n)
			if err != nil {
				return nil, err
			}
			rep.Datasets = append(rep.Datasets, *ds)
		}
	}
	if cfg.IngestSample > 0 {
		in, err := runIngest(ctx, &cfg)
		if err != nil {
			return nil, err
		}
		rep.Ingest = in
	}
	rep.Elapsed = cfg.Now().Sub(start)
	return rep, nil
}

func runDataset(ctx context.Context, cfg *Config, shape gen.Shape, rows int64) (*Dataset, error) {
	resetPeakRSS()
	ds := &Dataset{Shape: shape, Rows: rows}
	t0 := cfg.Now()
	var bar *progress.Bar
	made := false
	dir, err := benchstore.DirShape(ctx, cfg.CacheDir, shape, rows, func(format string, args ...any) {
		made = true
		cfg.Logf(format, args...)
		bar = cfg.NewBar(fmt.Sprintf("generating %s sign-ins", ds.Name()), rows, progress.Records)
	}, func(n int64) { bar.Set(n) })
	bar.Done()
	if err != nil {
		return nil, err
	}
	if made {
		ds.Made = cfg.Now().Sub(t0)
	}
	ds.Dir = dir
	if err := setListsIn(ctx, dir); err != nil {
		return nil, err
	}
	cfg.Logf("measuring %d queries on %s sign-ins (%s)", len(cfg.Queries), ds.Name(), dir)
	peak := peakRSS() // making the store and setting its lists
	for i, q := range cfg.Queries {
		resetPeakRSS()
		anon := sampleAnon()
		r, open, err := runQuery(ctx, cfg, dir, q)
		r.PeakAnon = anon.end()
		if err != nil {
			return nil, err
		}
		r.PeakRSS = peakRSS()
		peak = max(peak, r.PeakRSS)
		ds.PeakAnon = max(ds.PeakAnon, r.PeakAnon)
		if i == 0 {
			ds.Open = open
			db, err := openStore(dir)
			if err != nil {
				return nil, err
			}
			st, err := db.Stats()
			db.Close()
			if err != nil {
				return nil, err
			}
			ds.Disk = diskOf(st)
		}
		cfg.Logf("  %-10s p50 %-10s cold %-10s %s", ds.Name(), fmtDuration(r.P50()), fmtDuration(r.Cold), q.Text)
		ds.Queries = append(ds.Queries, r)
	}
	ds.PeakRSS = max(peak, peakRSS())
	return ds, nil
}

// setListsIn sets the lists the queries read (SetLists) on the store in
// dir.
func setListsIn(ctx context.Context, dir string) error {
	db, err := openStore(dir)
	if err != nil {
		return err
	}
	_, err = SetLists(ctx, db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

func openStore(dir string) (*engine.DB, error) {
	return engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
}

// runQuery opens the store afresh, runs q once (cold), then cfg.Runs
// times (warm), and closes it; open is how long opening took.
func runQuery(ctx context.Context, cfg *Config, dir string, q Query) (QueryResult, time.Duration, error) {
	r := QueryResult{Query: q}
	t0 := cfg.Now()
	db, err := openStore(dir)
	if err != nil {
		return r, 0, err
	}
	defer db.Close()
	open := cfg.Now().Sub(t0)
	opts := query.Options{Now: benchstore.End, Timeout: -1} // measured, not limited
	for i := 0; i <= cfg.Runs; i++ {
		if err := ctx.Err(); err != nil {
			return r, 0, err
		}
		t := cfg.Now()
		res, err := query.Run(ctx, db, nil, q.Text, opts)
		el := cfg.Now().Sub(t)
		if err != nil {
			return r, 0, fmt.Errorf("bench: %s: %w", q.Text, err)
		}
		if i == 0 {
			r.Cold, r.Rows = el, len(res.Rows)
		} else {
			r.Warm = append(r.Warm, el)
		}
	}
	slices.Sort(r.Warm)
	return r, open, nil
}

// runIngest ingests the sample, written once into the cache, into a
// fresh store in a temporary directory there, removed after.
func runIngest(ctx context.Context, cfg *Config) (*Ingest, error) {
	n := cfg.IngestSample
	var bar *progress.Bar
	shape := cfg.Shapes[0]
	path, err := benchstore.DiagFileShape(ctx, cfg.CacheDir, shape, n, func(format string, args ...any) {
		cfg.Logf(format, args...)
		bar = cfg.NewBar(fmt.Sprintf("writing %s sign-ins as JSON lines", SizeName(n)), n, progress.Records)
	}, func(done int64) { bar.Set(done) })
	bar.Done()
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	in := &Ingest{Shape: shape, SignIns: n, Bytes: fi.Size()}
	tmp, err := os.MkdirTemp(cfg.CacheDir, "ingest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "db")
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	cfg.Logf("ingesting %s (%s sign-ins, %.1f MB) into a fresh store", path, SizeName(n), float64(in.Bytes)/1e6)
	bar = cfg.NewBar("ingesting", in.Bytes, progress.Bytes)
	runtime.GC()
	t0 := cfg.Now()
	st, err := db.Ingest(ctx, []string{path}, engine.IngestOptions{
		Progress: func(st engine.IngestStats) { bar.Set(st.Bytes) },
	})
	in.Ingest = cfg.Now().Sub(t0)
	bar.Done()
	if err != nil {
		return nil, err
	}
	in.Stored = st.Stored
	if st.Rejected > 0 || st.Refused > 0 {
		return nil, fmt.Errorf("bench: ingesting %s rejected %d records and refused %d inputs: the sample should be clean", path, st.Rejected, st.Refused)
	}
	t1 := cfg.Now()
	if _, err := db.Compact(ctx); err != nil {
		return nil, err
	}
	in.Compact = cfg.Now().Sub(t1)
	s, err := db.Stats()
	if err != nil {
		return nil, err
	}
	in.Disk = diskOf(s)
	cfg.Logf("  ingested %.0f sign-ins/s, %.1f MB/s; compaction %s", in.SignInsPerSecond(), in.MBPerSecond(), fmtDuration(in.Compact))
	return in, nil
}

// resetPeakRSS starts measuring the peak resident memory afresh, where
// the system allows (Linux: /proc/self/clear_refs), after returning
// what the garbage collector can to the system.
func resetPeakRSS() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
