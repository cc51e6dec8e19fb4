// Package benchstore makes the generated data the benchmarks share, and
// caches it between runs: the store of a size (Dir, DirIn), the same
// whichever benchmark makes it first, and a file of diagnostic-settings
// JSON lines to measure ingest on (DiagFile). Each is made once and marked
// ready when complete; what an interrupted run left is made again.
package benchstore
