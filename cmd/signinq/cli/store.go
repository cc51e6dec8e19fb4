package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/pull"
)

// dbFlag is the store every store command opens.
type dbFlag struct {
	DB string `name:"db" env:"SIGNINQ_DB" default:"signinq.db" placeholder:"DIR" help:"The store's directory (default ./signinq.db, or $SIGNINQ_DB)."`
}

func (f *dbFlag) open(e *env, opts *engine.Options) (*engine.DB, error) {
	if opts == nil {
		opts = &engine.Options{}
	}
	opts.Clock = e.now
	opts.Logf = func(format string, args ...any) { fmt.Fprintf(e.stderr, "signinq: "+format+"\n", args...) }
	db, err := engine.Open(f.DB, opts)
	if err == nil {
		removeStaleSocket(f.DB) // this process holds the store: a socket there is a dead holder's
	}
	return db, storeProblem(err)
}

// openExisting opens a store that must already exist: stats, compact,
// prune, query and explain do not create one.
func (f *dbFlag) openExisting(e *env) (*engine.DB, error) { return f.openExistingWith(e, nil) }

// openExistingWith is openExisting with options.
func (f *dbFlag) openExistingWith(e *env, opts *engine.Options) (*engine.DB, error) {
	if _, err := os.Stat(filepath.Join(f.DB, "MANIFEST")); err != nil && !holdsTables(f.DB) {
		return nil, &storeError{fmt.Errorf("no store at %s (signinq ingest creates one; --db or $SIGNINQ_DB names another)", f.DB), exitNoStore}
	}
	return f.open(e, opts)
}

// holdsTables reports whether dir holds a store's table or value-log
// files: without its MANIFEST, a damaged store, which Open refuses.
func holdsTables(dir string) bool {
	for _, pattern := range []string{"*.sst", "*.vlog"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) > 0 {
			return true
		}
	}
	return false
}

// storeError is a store the command cannot use: one another process has
// open, none where the command looks (no store, or a directory of
// something else), a damaged one, or one on a disk too full. Whichever
// command meets it, it ends with the same exit status, its code.
type storeError struct {
	err  error
	code int // exitInUse, exitNoStore, exitDamaged or exitNoSpace
}

func (s *storeError) Error() string { return s.err.Error() }
func (s *storeError) Unwrap() error { return s.err }
func (s *storeError) exitCode() int { return s.code }

// storeProblem returns the storeError err is or wraps, or makes one of an
// error of the engine saying the store is in use (engine.ErrLocked), a
// directory holds no store (engine.ErrNotStore), the store is damaged
// (engine.ErrCorruption) or its disk too full (engine.ErrNoSpace); other
// errors (and nil) come back as they are. Main passes every command's
// error through it, so that no path leaves one out.
func storeProblem(err error) error {
	var se *storeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return se
	case errors.Is(err, engine.ErrLocked):
		return &storeError{fmt.Errorf("%w (close the other signinq using it first)", err), exitInUse}
	case errors.Is(err, engine.ErrNotStore):
		return &storeError{err, exitNoStore}
	case errors.Is(err, engine.ErrNoSpace):
		return &storeError{err, exitNoSpace}
	case errors.Is(err, engine.ErrCorruption):
		return &storeError{fmt.Errorf("%w\nsigninq: the store is damaged: copy its directory aside as it is, then restore it from a backup, or ingest the logs again into a new store", err), exitDamaged}
	}
	return err
}

type ingestCmd struct {
	dbFlag
	Files          []string `arg:"" name:"file" help:"Files, directories (read recursively, following links) or - for standard input. Gzipped files are read as they are; of one cut short, the sign-ins before the cut are stored, and the exit status is 1."`
	Format         string   `placeholder:"NAME" help:"Read every input in this format instead of telling it by content: diag, eventhub, graph, portal-csv, la-csv, canonical, or another reader (signinq plugins --kind reader)."`
	Type           string   `placeholder:"TYPE" help:"The sign-in type of portal CSV downloads of user sign-ins, whose columns do not say whether they are interactive or nonInteractive; overrides the type the file name implies. A download whose type neither its name (InteractiveSignIns_…, NonInteractiveSignIns_…) nor --type says is refused."`
	Rejects        string   `placeholder:"FILE" help:"Write each rejected record, with its position and reason, to FILE as JSON lines (not an input, nor in an input directory or the store)."`
	InterruptCodes []int64  `name:"interrupt-codes" sep:"," placeholder:"CODES" help:"Error codes that count as interrupted rather than failed, replacing the default list (see docs/fields.md)."`
	Workers        int      `default:"0" help:"Goroutines reading and storing (0: one per CPU)."`
	NoCompact      bool     `name:"no-compact" help:"Leave the days this ingest added to for background compaction, instead of merging them before exiting."`
	Quiet          bool     `short:"q" help:"Print no progress and no summary."`

	// CommitInterval bounds the work a crash loses.
	CommitInterval time.Duration `name:"commit-interval" default:"5s" placeholder:"DURATION" help:"Commit what was read at least this often (default 5s), so that a crash loses at most this much work (0: only every half million new sign-ins). Ctrl-C commits what was read before exiting."`
}

func (c *ingestCmd) Run(e *env) error {
	ro, err := readOptions(c.Format, c.Type, c.InterruptCodes, c.Workers)
	if err != nil {
		return err
	}
	ro.Stdin = e.stdin
	// The rejects file must be neither an input nor in the store.
	if err := checkOutputs(e, append(slices.Clone(c.Files), c.DB), flagPath{"--rejects", c.Rejects}); err != nil {
		return err
	}
	db, holder, err := c.openOr(e, func() (*engine.DB, error) {
		return c.open(e, &engine.Options{Workers: c.Workers, Classifier: ro.Classifier})
	})
	if holder != nil {
		// Another process of this user holds the store: it stores the
		// sign-ins, deduplicated as ever.
		return forwardIngest(e, holder, c)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	// Other processes query the store while it ingests: they see its
	// commits, each whole.
	defer share(e, db, c.DB)(0)
	var rejects *rejectWriter
	if c.Rejects != "" {
		if rejects, err = createRejects(c.Rejects); err != nil {
			return err
		}
	}
	bar := newProgress(e, logfile.InputSize(c.Files), progress.Bytes, "ingesting", c.Quiet)
	shown := 0
	start := e.now()
	st, err := db.Ingest(e.ctx, c.Files, engine.IngestOptions{
		Read:           ro,
		CommitInterval: commitInterval(c.CommitInterval),
		OnWarning: func(w *logfile.Warning) {
			bar.Clear()
			fmt.Fprintf(e.stderr, "signinq: warning: %v\n", w)
		},
		OnReject: func(r *logfile.Reject) {
			if shown < maxShown {
				bar.Clear()
				fmt.Fprintf(e.stderr, "signinq: %v\n", r)
			}
			shown++
			if rejects != nil {
				if werr := rejects.write(r); werr != nil && err == nil {
					err = werr
				}
			}
		},
		Progress: func(st engine.IngestStats) {
			bar.Describe(ingestProgress(st))
			bar.Set(st.Bytes)
		},
	})
	bar.Done()
	elapsed := e.now().Sub(start)
	if rejects != nil {
		if cerr := rejects.close(); err == nil {
			err = cerr
		}
	}
	if errors.Is(err, engine.ErrInterrupted) {
		return &stopped{msg: fmt.Sprintf("interrupted after reading %s records: %s new sign-ins committed, %s duplicates skipped, %s rejected; run the same ingest again to continue (the sign-ins stored are skipped as duplicates)",
			humanize.Comma(st.Read), humanize.Comma(st.Stored), humanize.Comma(st.Duplicates), humanize.Comma(st.Rejected)), err: err}
	}
	if err != nil {
		if st.Stored > 0 {
			fmt.Fprintf(e.stderr, "signinq: %s sign-ins were stored before the error; running the same ingest again stores the rest\n", humanize.Comma(st.Stored))
		}
		return err
	}
	if shown > maxShown {
		fmt.Fprintf(e.stderr, "signinq: … and %d more rejected%s\n", shown-maxShown, rejectsHint(c.Rejects))
	}
	var cst engine.CompactStats
	if !c.NoCompact {
		if cst, err = compactAfter(e, db, c.Quiet); err != nil {
			return err
		}
	}
	if !c.Quiet {
		fmt.Fprintf(e.stderr, "signinq: %s\n", st.Summary.String())
		fmt.Fprintf(e.stderr, "signinq: stored %s new %s, skipped %s duplicates, rejected %s, in %s (%s/s, %s records/s)\n",
			humanize.Comma(st.Stored), words.Plural(st.Stored, "sign-in"), humanize.Comma(st.Duplicates), humanize.Comma(st.Rejected),
			words.Round(elapsed), humanize.IBytes(uint64(float64(st.Bytes)/elapsed.Seconds())),
			humanize.Comma(int64(float64(st.Read)/elapsed.Seconds())))
		if cst.Days > 0 {
			fmt.Fprintf(e.stderr, "signinq: compacted %d %s from %d parts to %d\n", cst.Days, words.Plural(cst.Days, "day"), cst.PartsBefore, cst.PartsAfter)
		}
		n, _ := db.Count()
		fmt.Fprintf(e.stderr, "signinq: %s now holds %s %s\n", c.DB, humanize.Comma(n), words.Plural(n, "sign-in"))
	}
	if !st.Clean() {
		return errRejected
	}
	return nil
}

// compactAfter compacts the days a write added to, as ingest and gen
// --db do when done. A disk too full to compact is a warning: what was
// written is stored, and compact merges it once there is room.
func compactAfter(e *env, db *engine.DB, quiet bool) (engine.CompactStats, error) {
	st, err := compactWithProgress(e, db, quiet)
	if errors.Is(err, engine.ErrNoSpace) {
		fmt.Fprintf(e.stderr, "signinq: warning: the days written to are not compacted: %v (signinq compact merges them once there is room)\n", err)
		return st, nil
	}
	return st, err
}

// ingestProgress describes an ingest under way: the records read, and of
// their sign-ins those committed (in the store, kept whatever happens)
// and the duplicates skipped.
func ingestProgress(st engine.IngestStats) string {
	return fmt.Sprintf("%s read, %s committed, %s duplicates", humanize.Comma(st.Read), humanize.Comma(st.Stored), humanize.Comma(st.Duplicates))
}

// commitInterval is the engine's CommitInterval for a --commit-interval
// flag, where 0 means by count only.
func commitInterval(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

type statsCmd struct {
	dbFlag
	Days bool `help:"List every day, not only the first and last few."`
}

func (c *statsCmd) Run(e *env) error {
	db, holder, err := c.openOrDial(e)
	for asked := 1; holder != nil; asked++ {
		ferr := forwardStats(e, holder, c.DB, c.Days)
		if !errors.Is(ferr, errHolderGone) || asked == askAgain {
			return ferr
		}
		db, holder, err = c.openOrDial(e)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Stats()
	if err != nil {
		return err
	}
	pulls, err := pull.Statuses(db)
	if err != nil {
		return err
	}
	writeStats(e.stdout, c.DB, &st, c.Days)
	writePulls(e.stdout, pulls, e.now())
	return nil
}

// writePulls prints the sources a store is pulled from, if any: each
// one's last pull, how it ended, and its lag at now.
func writePulls(out io.Writer, pulls []pull.Status, now time.Time) {
	if len(pulls) == 0 {
		return
	}
	fmt.Fprintf(out, "\npulls (signinq pull, serve --pull)\n")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, p := range pulls {
		when, how := "since "+p.Started.UTC().Format(time.DateTime), "running"
		if !p.Running {
			when = p.Ended.UTC().Format(time.DateTime) + " (" + p.Ended.Sub(p.Started).Round(time.Second).String() + ")"
			how = "ok"
			if p.Error != "" {
				how = "failed"
			}
		}
		lag := "no sign-ins yet"
		if !p.Newest.IsZero() {
			lag = "lag " + p.Lag(now).Round(time.Second).String()
		}
		fmt.Fprintf(w, "%s\t%s\t%s\tstored %s of %s\t%s\t%d %s, %d failed\n", p.Source, when, how,
			humanize.Comma(p.Stored), humanize.Comma(p.Read), lag, p.Pulls, words.Plural(int(p.Pulls), "pull"), p.Failures)
	}
	w.Flush()
	for _, p := range pulls {
		if p.Error != "" {
			fmt.Fprintf(out, "%s's last pull: %s\n", p.Source, p.Error)
		}
	}
}

// writeStats prints a store's statistics.
func writeStats(out io.Writer, name string, st *engine.Stats, allDays bool) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(out, "%s: %s sign-ins in %d %s, %d %s\n", name, humanize.Comma(st.Rows), len(st.Days), words.Plural(len(st.Days), "day"), st.Parts, words.Plural(st.Parts, "part"))
	if st.Rows == 0 {
		return
	}
	fmt.Fprintf(out, "\nsign-ins by type\n")
	for _, t := range signin.Types {
		fmt.Fprintf(w, "%s\t%s\t%.1f%%\t\n", t, humanize.Comma(st.TypeCount(t)), 100*float64(st.TypeCount(t))/float64(st.Rows))
	}
	w.Flush()
	fmt.Fprintf(out, "\nsign-ins by day (UTC)\n")
	for i, d := range st.Days {
		if !allDays && len(st.Days) > 10 && i == 5 {
			fmt.Fprintf(w, "…\t\t\t\n")
		}
		if !allDays && len(st.Days) > 10 && i >= 5 && i < len(st.Days)-5 {
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%d %s\t\n", d.Day.Format(time.DateOnly), humanize.Comma(d.Rows), d.Parts, words.Plural(d.Parts, "part"))
	}
	w.Flush()
	if !allDays && len(st.Days) > 10 {
		fmt.Fprintf(out, "(%d days left out; --days lists all)\n", len(st.Days)-10)
	}
	fmt.Fprintf(out, "\non disk\n")
	row := func(what string, n int64) {
		fmt.Fprintf(w, "%s\t%s\t%.1f B/sign-in\t\n", what, humanize.IBytes(uint64(n)), float64(n)/float64(st.Rows))
	}
	row("columns", st.ColumnBytes)
	row("dictionaries", st.DictBytes)
	row("bitmaps", st.BitmapBytes)
	row("id index", st.IDBytes)
	row("raw records", st.RawBytes)
	row("all parts", st.PartBytes())
	if st.DiskBytes > 0 {
		row("directory", st.DiskBytes)
	}
	w.Flush()
	if st.RawSize > 0 {
		fmt.Fprintf(out, "\nThe raw records take %s uncompressed; the parts are %.1f%% of that.\n", humanize.IBytes(uint64(st.RawSize)), 100*float64(st.PartBytes())/float64(st.RawSize))
	}
}

type compactCmd struct {
	dbFlag
}

func (c *compactCmd) Run(e *env) error {
	db, err := c.openExisting(e)
	if err != nil {
		return err
	}
	defer db.Close()
	start := e.now()
	st, err := compactWithProgress(e, db, false)
	if err != nil {
		return err
	}
	if st.Days == 0 {
		fmt.Fprintf(e.stderr, "signinq: nothing to compact: every day is already one sorted run of parts\n")
		return nil
	}
	fmt.Fprintf(e.stderr, "signinq: compacted %d %s (%s sign-ins) from %d parts to %d in %s\n",
		st.Days, words.Plural(st.Days, "day"), humanize.Comma(st.Rows), st.PartsBefore, st.PartsAfter, e.now().Sub(start).Round(time.Millisecond))
	return nil
}

type pruneCmd struct {
	dbFlag
	Before string `placeholder:"DATE" help:"Delete every day before DATE (e.g. 2026-09-01); the day of DATE is kept."`
	Keep   int    `placeholder:"DAYS" help:"Keep the last DAYS days, today (UTC) included, and delete the rest."`
	DryRun bool   `name:"dry-run" help:"Say what would be deleted (the days and their sign-ins), and delete nothing."`
}

func (c *pruneCmd) Run(e *env) error {
	var cut time.Time
	switch {
	case c.Before != "" && c.Keep > 0:
		return errors.New("give --before or --keep, not both")
	case c.Before != "":
		t, err := logfile.ParseTime([]byte(c.Before))
		if err != nil {
			return fmt.Errorf("--before: %v", err)
		}
		cut = t
	case c.Keep > 0:
		cut = e.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-c.Keep)
	default:
		return errors.New("say what to delete: --before DATE or --keep DAYS")
	}
	db, err := c.openExisting(e)
	if err != nil {
		return err
	}
	defer db.Close()
	before := cut.UTC().Format(time.DateOnly)
	if c.DryRun {
		st, err := db.WouldPrune(cut)
		if err != nil {
			return err
		}
		if st.Days == 0 {
			fmt.Fprintf(e.stdout, "would delete nothing: no sign-in is before %s\n", before)
			return nil
		}
		fmt.Fprintf(e.stdout, "would delete %d %s before %s (%s): %s sign-ins; nothing deleted (--dry-run)\n",
			st.Days, words.Plural(st.Days, "day"), before, dayRange(st.First, st.Last), humanize.Comma(st.Rows))
		return nil
	}
	st, err := db.Prune(cut)
	if err != nil {
		return err
	}
	if st.Days == 0 {
		fmt.Fprintf(e.stderr, "signinq: deleted nothing: no sign-in is before %s\n", before)
		return nil
	}
	fmt.Fprintf(e.stderr, "signinq: deleted %d %s before %s (%s): %s sign-ins\n", st.Days, words.Plural(st.Days, "day"), before, dayRange(st.First, st.Last), humanize.Comma(st.Rows))
	return nil
}

// dayRange writes the days from first to last: "2026-08-30", or
// "2026-08-29 to 2026-08-31".
func dayRange(first, last time.Time) string {
	if first.Equal(last) {
		return first.Format(time.DateOnly)
	}
	return first.Format(time.DateOnly) + " to " + last.Format(time.DateOnly)
}
