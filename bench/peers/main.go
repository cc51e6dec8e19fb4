package main

import "github.com/alecthomas/kong"

// cli is the command line: one subcommand per measurement.
type cli struct {
	DuckDBLoad DuckDBLoadCmd `cmd:"" name:"duckdb-load" help:"Load diagnostic-settings sign-in records (JSON lines) into a DuckDB table of signinq's catalog columns with DuckDB's JSON reader, and measure it."`
}

func main() {
	var c cli
	ctx := kong.Parse(&c,
		kong.Name("peers"),
		kong.Description("Measure other engines on signinq's work, for comparison."),
		kong.UsageOnError(),
	)
	ctx.FatalIfErrorf(ctx.Run())
}
