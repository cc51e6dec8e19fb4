package main

import (
	"time"

	"github.com/alecthomas/kong"
)

// cli is the command line: one subcommand per measurement.
type cli struct {
	DuckDBLoad DuckDBLoadCmd `cmd:"" name:"duckdb-load" help:"Load diagnostic-settings sign-in records (JSON lines) into a DuckDB table of signinq's catalog columns with DuckDB's JSON reader, and measure it."`
	Compare    CompareCmd    `cmd:"" help:"Run the standard query set on signinq, DuckDB and SQLite over the same benchmark store, interleaved; check every answer against signinq's and report the medians, the ratios and the loads."`
}

func main() {
	var c cli
	ctx := kong.Parse(&c,
		kong.Name("peers"),
		kong.Description("Measure other engines on signinq's work, for comparison."),
		kong.UsageOnError(),
	)
	c.Compare.now = time.Now // the one wall clock: when a peer was loaded
	ctx.FatalIfErrorf(ctx.Run())
}
