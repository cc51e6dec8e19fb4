// Package bench is the benchmark harness for aggregation over large
// sign-in logs, driven both by go test -bench and by signinq bench. It
// arrives with the issue "Benchmarks"; the parse-throughput benchmarks of
// the readers live beside them (engine/logfile, internal/gen).
package bench
