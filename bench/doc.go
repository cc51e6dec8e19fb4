// Package bench is the benchmark harness for aggregation over large
// sign-in logs, driven both by go test -bench (BenchmarkStandard) and by
// signinq bench (Run).
//
// A run is plain configuration (Config) given to Run, which returns what
// it measured (Report); nothing is global. For each dataset size it uses
// the generated store internal/benchstore caches (made once, with a ready
// marker), sets on it the named lists the hunting queries read (SetLists:
// @vps, @admins and @ranges), and runs every query of the standard set (Queries)
// once cold, on a store just opened, then Config.Runs times warm; it
// records the store's bytes on disk by what they hold and the process's
// peak resident memory, for the dataset and for each query. Then it measures ingest: a sample of diagnostic-settings JSON
// lines, written once into the cache, ingested into a fresh store.
//
// A Report is written as Markdown (WriteMarkdown), in the Go benchmark
// format that benchstat compares (WriteGoBench), and as a chart of how
// the figures grow with size (WriteChart). docs/benchmarks.md holds the
// figures measured on the project's machine; the peers (DuckDB, SQLite)
// are measured by bench/peers, a module of its own, from the SQL kept
// beside each query, written for each peer by Query.SQLPeer (Dialect).
//
// Load (load.go), run by signinq load, measures a signinq serve under
// load instead: a mix of queries (LoadQueries: the standard set without
// its stages and the benchmark stores' own lists) sent from concurrent
// workers to a server on loopback only, bounded in time and requests
// (MaxLoadDuration, MaxLoadRequests, MaxLoadConcurrency), reported as a
// LoadReport (requests per second, latency percentiles overall and per
// query, errors by kind) in Markdown and JSON.
//
// Run and Load never panic on their input: bad configuration is an
// error. They read the wall clock through Config.Now and LoadConfig.Clock
// only.
package bench
