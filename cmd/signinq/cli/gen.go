package cli

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/internal/words"
)

type genCmd struct {
	Count       int64  `default:"10000" help:"Sign-ins to generate."`
	Seed        uint64 `default:"1" help:"The tenant and its sign-ins: the same seed gives the same sign-ins, in every format."`
	Days        int    `default:"30" help:"Days of sign-ins, ending at --end."`
	End         string `placeholder:"TIME" help:"End of the window, in any time format signinq reads (e.g. 2026-11-26T00:00:00Z); default: the start of the current hour, UTC."`
	Format      string `enum:"diag,graph,csv,la-csv" default:"diag" help:"diag: diagnostic-settings JSON lines, as in storage blobs; graph: a Graph auditLogs/signIns response; csv: the portal's CSV download, one file per sign-in type in the --out directory; la-csv: a Log Analytics CSV export."`
	Out         string `short:"o" placeholder:"PATH" help:"Where to write: a file (a .gz name compresses it), or for csv a directory. Default: standard output."`
	Shape       string `default:"compact" placeholder:"NAME" help:"The kind of tenant: compact (5000 users whatever the count, each at a few fixed addresses, mostly from offices) or wide (count/100 users, a wide and changing address space with carrier-grade NAT, VPNs and cloud egress, a distributed password spray)."`
	Users       int    `help:"Users in the tenant (default: 5000 in the compact shape, count/100 in the wide one)."`
	NoIncidents bool   `name:"no-incidents" help:"Leave out the injected attacks."`
	Workers     int    `help:"Goroutines generating (0: one per CPU); the output does not depend on it."`
	Quiet       bool   `short:"q" help:"Print no progress and no summary."`
	DB          string `name:"db" placeholder:"DIR" help:"Store the sign-ins in this store instead of writing them: the store ingesting their diagnostic-settings export would hold, made without writing or parsing JSON."`
	NoRaw       bool   `name:"no-raw" help:"With --db, keep no original records: each sign-in is rebuilt from its columns when asked for."`

	// CommitInterval bounds the work a crash loses, with --db.
	CommitInterval time.Duration `name:"commit-interval" default:"5s" placeholder:"DURATION" help:"With --db, commit at least this often (default 5s), so that a crash loses at most this much work (0: only every half million new sign-ins). Ctrl-C commits what was made before exiting."`
}

// formats maps the --format names to formats.
var formats = map[string]signin.Format{
	"diag":   signin.FormatDiag,
	"graph":  signin.FormatGraph,
	"csv":    signin.FormatPortalCSV,
	"la-csv": signin.FormatLogAnalyticsCSV,
}

func (c *genCmd) Run(e *env) error {
	end, err := endTime(e, c.End)
	if err != nil {
		return err
	}
	shape, err := parseShape("--shape", c.Shape)
	if err != nil {
		return err
	}
	g, err := gen.New(gen.Config{Count: c.Count, Seed: c.Seed, Days: c.Days, End: end, Shape: shape, Users: c.Users, NoIncidents: c.NoIncidents, Workers: c.Workers})
	if err != nil {
		return err
	}
	if c.DB != "" {
		return c.store(e, g, end)
	}
	format := formats[c.Format]
	bar := newProgress(e, c.Count, progress.Records, "generating", c.Quiet)
	start := e.now()
	var size int64
	var where string
	if format == signin.FormatPortalCSV {
		if c.Out == "" {
			return errors.New("--format csv writes one file per sign-in type, as the portal does: name a directory with --out")
		}
		_, err := g.WritePortalCSV(e.ctx, c.Out, bar.Set)
		bar.Done()
		if err != nil {
			return err
		}
		ents, _ := os.ReadDir(c.Out)
		for _, ent := range ents {
			if info, err := ent.Info(); err == nil {
				size += info.Size()
			}
		}
		where = fmt.Sprintf("%d files in %s", len(g.PortalFileNames()), c.Out)
	} else {
		size, err = writeTo(e, c.Out, func(w io.Writer) error { return g.Write(e.ctx, format, w, bar.Set) })
		bar.Done()
		if err != nil {
			return err
		}
		where = c.Out
		if where == "" {
			where = "standard output"
		}
	}
	if !c.Quiet {
		el := e.now().Sub(start)
		fmt.Fprintf(e.stderr, "signinq: wrote %d sign-ins (%s) to %s in %s (%.0f records/s)\n",
			c.Count, humanize.IBytes(uint64(size)), where, el.Round(time.Millisecond), float64(c.Count)/el.Seconds())
		printIncidents(e.stderr, g.Incidents())
	}
	return nil
}

// store generates into a store, committing as ingest does; end is the
// end of the window, to say how to continue an interrupted run.
func (c *genCmd) store(e *env, g *gen.Generator, end time.Time) error {
	f := dbFlag{DB: c.DB}
	db, err := f.open(e, &engine.Options{Workers: c.Workers})
	if err != nil {
		return err
	}
	defer db.Close()
	bar := newProgress(e, c.Count, progress.Records, "generating into "+c.DB, c.Quiet)
	start := e.now()
	st, err := generateInto(e.ctx, db, g, !c.NoRaw, commitInterval(c.CommitInterval), bar)
	bar.Done()
	if errors.Is(err, engine.ErrInterrupted) {
		again := "the same gen --db"
		if c.End == "" {
			again += " with --end " + end.Format(time.RFC3339) // the default moves with the clock
		}
		return &stopped{msg: fmt.Sprintf("interrupted after generating %s sign-ins: %s committed; run %s again to continue (the sign-ins stored are skipped as duplicates)",
			humanize.Comma(st.Read), humanize.Comma(st.Stored), again), err: err}
	}
	if err != nil {
		return err
	}
	elapsed := e.now().Sub(start)
	cst, err := compactAfter(e, db, c.Quiet)
	if err != nil {
		return err
	}
	if !c.Quiet {
		fmt.Fprintf(e.stderr, "signinq: stored %s new sign-ins (%s duplicates) in %s (%s records/s)\n",
			humanize.Comma(st.Stored), humanize.Comma(st.Duplicates), words.Round(elapsed), humanize.Comma(int64(float64(c.Count)/elapsed.Seconds())))
		if cst.Days > 0 {
			fmt.Fprintf(e.stderr, "signinq: compacted %d %s from %d parts to %d\n", cst.Days, words.Plural(cst.Days, "day"), cst.PartsBefore, cst.PartsAfter)
		}
		printIncidents(e.stderr, g.Incidents())
	}
	return nil
}

// generateInto stores g's sign-ins in db, committing as ingest does (see
// engine.IngestBatches; interval is its CommitInterval), and shows the
// sign-ins made and committed on bar. With raw, each keeps its record in
// the diagnostic-settings format, as if ingested from that export;
// without, records are rebuilt from the columns when asked for.
func generateInto(ctx context.Context, db *engine.DB, g *gen.Generator, raw bool, interval time.Duration, bar *progress.Bar) (engine.IngestStats, error) {
	var recs []signin.Record
	var buf []byte
	st, err := db.IngestBatches(ctx, func(add func([]signin.Record) error) error {
		return g.Generate(ctx, func(batch []gen.Event) error {
			recs, buf = recs[:0], buf[:0]
			for i := range batch {
				r := batch[i].Record
				if raw {
					n := len(buf)
					buf = gen.AppendDiag(buf, &batch[i])
					r.Raw, r.Format = buf[n:len(buf):len(buf)], signin.FormatDiag
				}
				recs = append(recs, r)
			}
			return add(recs)
		})
	}, engine.IngestOptions{
		CommitInterval: interval,
		Progress: func(st engine.IngestStats) {
			bar.Describe(humanize.Comma(st.Stored) + " committed")
			bar.Set(st.Read)
		},
	})
	if err == nil && st.Rejected > 0 {
		err = fmt.Errorf("the store refused %d generated sign-ins", st.Rejected)
	}
	return st, err
}

// endTime parses --end, or returns the start of the current hour.
func endTime(e *env, s string) (time.Time, error) {
	if s == "" {
		return e.now().UTC().Truncate(time.Hour), nil
	}
	t, err := logfile.ParseTime([]byte(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("--end: %w", err)
	}
	return t, nil
}

// writeTo runs write on standard output or on the file path names
// (gzipped when the name ends in .gz), and returns the bytes written.
func writeTo(e *env, path string, write func(io.Writer) error) (int64, error) {
	var dst io.Writer = e.stdout
	var f *os.File
	if path != "" {
		var err error
		if f, err = os.Create(path); err != nil {
			return 0, err
		}
		defer f.Close()
		dst = f
	}
	cw := &countWriter{w: dst}
	bw := bufio.NewWriterSize(cw, 1<<20)
	var out io.Writer = bw
	var zw *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		zw, _ = gzip.NewWriterLevel(bw, gzip.BestSpeed)
		out = zw
	}
	err := write(out)
	if zw != nil {
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func printIncidents(w io.Writer, incidents []gen.Incident) {
	if len(incidents) == 0 {
		return
	}
	fmt.Fprintf(w, "signinq: injected %d %s:\n", len(incidents), words.Plural(len(incidents), "incident"))
	for _, in := range incidents {
		to := "15:04"
		if in.End.Sub(in.Start) >= 24*time.Hour || in.End.UTC().Day() != in.Start.UTC().Day() {
			to = "2006-01-02 15:04"
		}
		fmt.Fprintf(w, "  %-17s %s – %s UTC  %s\n", in.Kind, in.Start.UTC().Format("2006-01-02 15:04"), in.End.UTC().Format(to), in.Description)
	}
}

// parseShape returns the tenant shape a flag names, or an error listing
// the shapes and the nearest one.
func parseShape(flag, name string) (gen.Shape, error) {
	s, err := gen.ParseShape(strings.TrimSpace(name))
	if err != nil {
		return 0, fmt.Errorf("%s %s: no such tenant shape%s (the shapes: %s)", flag, name, didYouMean(name, gen.Shapes()), strings.Join(gen.Shapes(), ", "))
	}
	return s, nil
}
