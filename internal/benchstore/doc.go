// Package benchstore makes the generated stores the read benchmarks of
// engine and query share, and caches them between runs: the same store
// for the same size, whichever benchmark makes it first.
package benchstore
