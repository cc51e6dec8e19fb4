// Command peers measures other engines on the work signinq does, so that
// signinq's figures can be read against theirs.
//
// It lives in a module of its own (github.com/signinq/signinq/bench/peers)
// so that the engines it drives, DuckDB above all, a cgo library of tens
// of megabytes, never enter signinq's own module, its go.sum or its build.
// It imports nothing from signinq: the catalog columns are restated in
// SQL here, and the tests check them against docs/fields.md.
//
// Its one subcommand so far, duckdb-load, loads a file of Azure Monitor
// diagnostic-settings sign-in records (JSON lines, as signinq gen --format
// diag writes them) into a DuckDB database file with DuckDB's own JSON
// reader, into a table of signinq's catalog columns, and reports the time,
// the throughput and the size of the database:
//
//	go run . duckdb-load [--db FILE.duckdb] [--threads N] [--repeat N] [--verify] FILE.jsonl
package main
