package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/dustin/go-humanize"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/parquet"
)

// parquetExport are export's flags for Parquet.
type parquetExport struct {
	Replace     bool   `help:"With --format parquet: replace the directory --to names when it holds anything (a former export); without it, such a directory is refused. The new export takes its place whole, once complete."`
	Compression string `enum:"zstd,snappy,none" default:"zstd" help:"With --format parquet: the files' compression: zstd (the default: smallest, read by every current engine), snappy or none."`
	TimeUnit    string `enum:"nanos,micros" default:"nanos" help:"With --format parquet: the unit of the time columns: nanos (the default, exact) or micros, for readers that refuse nanosecond timestamps (Spark before its nanosecond types); micros drops a time's digits below the microsecond."`
}

// exportParquet writes the store's sign-ins, or those of the files given
// as ingest reads them, as Parquet files under --to (see package
// parquet): a progress bar on a terminal, a summary, and exit status 1
// when the files had rejected records (the rest are exported).
func exportParquet(e *env, c *exportCmd) error {
	var (
		src    parquet.Source
		bar    *progress.Bar
		onRows func(int64)
		sum    logfile.Summary
		shown  int
	)
	if len(c.Files) > 0 {
		ro, err := readOptions("", "", nil, 0)
		if err != nil {
			return err
		}
		ro.Stdin = e.stdin
		if err := logfile.CheckOutput(c.To, c.Files); err != nil {
			return err
		}
		bar = newProgress(e, logfile.InputSize(c.Files), progress.Bytes, "exporting", c.Quiet)
		var read int64
		src = func(ctx context.Context, add func([]signin.Record) error) error {
			var err error
			sum, err = logfile.Scan(ctx, c.Files, ro, func(b *logfile.Batch) error {
				for _, w := range b.Warnings {
					bar.Clear()
					fmt.Fprintf(e.stderr, "signinq: warning: %v\n", w)
				}
				for _, r := range b.Rejects {
					if shown < maxShown {
						bar.Clear()
						fmt.Fprintf(e.stderr, "signinq: %v\n", r)
					}
					shown++
				}
				read += b.Bytes
				bar.Set(read)
				return add(b.Records)
			})
			return err
		}
	} else {
		db, err := c.openExistingWith(e, &engine.Options{BlockCache: -1}) // each block is read once
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := db.Count()
		if err != nil {
			return err
		}
		bar = newProgress(e, n, progress.Records, "exporting", c.Quiet)
		onRows = bar.Set
		src = parquet.FromStore(db)
	}
	start := e.now()
	unit, err := parquet.ParseTimeUnit(c.TimeUnit)
	if err != nil {
		return err
	}
	st, err := parquet.Write(e.ctx, c.To, src, parquet.Options{Replace: c.Replace, Compression: c.Compression, TimeUnit: unit, Progress: onRows})
	bar.Done()
	switch {
	case errors.Is(err, context.Canceled):
		return &stopped{msg: fmt.Sprintf("interrupted: nothing exported, %s is as it was", c.To), err: err}
	case errors.Is(err, parquet.ErrExists):
		return fmt.Errorf("export: %w (--replace replaces it)", err)
	case err != nil:
		return fmt.Errorf("export to %s: %w (nothing exported, %s is as it was)", c.To, err, c.To)
	}
	if shown > maxShown {
		fmt.Fprintf(e.stderr, "signinq: … and %d more rejected\n", shown-maxShown)
	}
	if !c.Quiet {
		el := e.now().Sub(start)
		if len(c.Files) > 0 {
			fmt.Fprintf(e.stderr, "signinq: %s\n", sum.String())
		}
		fmt.Fprintf(e.stderr, "signinq: exported %s %s to %s: %d %s in %d %s (day and type) over %d %s, %s, in %s (%s sign-ins/s)\n",
			humanize.Comma(st.Rows), words.Plural(st.Rows, "sign-in"), c.To, st.Files, words.Plural(st.Files, "Parquet file"),
			st.Partitions, words.Plural(st.Partitions, "partition"), st.Days, words.Plural(st.Days, "day"),
			humanize.IBytes(uint64(st.Bytes)), words.Round(el), humanize.Comma(int64(float64(st.Rows)/max(el.Seconds(), 1e-9))))
	}
	if len(c.Files) > 0 && !sum.Clean() {
		return errRejected
	}
	return nil
}
