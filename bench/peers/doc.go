// Command peers measures other engines on the work signinq does, so that
// signinq's figures can be read against theirs.
//
// It lives in a module of its own (github.com/signinq/signinq/bench/peers)
// so that the engines it drives, DuckDB above all, a cgo library of tens
// of megabytes, and SQLite (modernc.org/sqlite, pure Go) never enter
// signinq's own module, its go.sum or its build. It imports signinq's
// public packages (engine, engine/signin, query, bench) through a replace
// directive to the repository, so that it runs signinq in-process beside
// the peers.
//
// compare runs the standard query set (bench.Queries) on signinq and, as
// the SQL kept beside each query, on DuckDB and SQLite loaded with the
// same sign-ins (read back from the signinq benchmark store) and on
// DuckDB over signinq's Parquet export, and, in signinq's language
// through package clickhouse, on a two-shard ClickHouse cluster loaded by
// signinq's export, interleaved; it checks every answer against
// signinq's and reports the medians, the ratios, the peers' load times
// and sizes beside signinq's store:
//
//	go run . compare [--rows N] [--runs N] [--queries REGEX] [--peers duckdb,sqlite,parquet,clickhouse] [--markdown FILE]
//
// duckdb-load loads a file of Azure Monitor diagnostic-settings sign-in
// records (JSON lines, as signinq gen --format diag writes them) into a
// DuckDB database file with DuckDB's own JSON reader, into a table of
// signinq's catalog columns, and reports the time, the throughput and the
// size of the database:
//
//	go run . duckdb-load [--db FILE.duckdb] [--threads N] [--repeat N] [--verify] FILE.jsonl
package main
