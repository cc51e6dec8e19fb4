// Package race tells tests whether the race detector is on, so that a
// test whose large case only repeats what a smaller one shows can run the
// smaller one under it.
//
// The race detector makes the engine's ingest and the executor ten to
// thirty times slower, and the largest tests of a package then take
// minutes each on two cores: past go test's default timeout for the
// package as a whole. Under -race such tests run with fewer sign-ins,
// rounds or random queries ([Pick]); none is skipped, and without -race
// every size is the one the tests always had (CI runs those).
// scripts/race.sh runs the whole suite under the race detector.
//
// The quick lane, go test -short, runs the same smaller cases ([Quick]),
// so that the whole suite takes about a minute on two cores.
//
// Only tests import this package.
package race
