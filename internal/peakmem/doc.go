// Package peakmem measures the peak memory of a piece of a test.
//
// [Run] re-executes the test binary for just the calling test, runs the
// function there, and reads the child's peak resident set (VmHWM of
// /proc/self/status, reset once the function's setup is done); the parent
// logs the figure beside its bound and fails the test when it is over.
// A child that grows past four times its bound is stopped at once, so a
// test of a bound that does not hold fails in seconds instead of taking
// the machine's memory. [RunAnon] bounds the peak of anonymous memory
// (RssAnon, sampled) instead, for code that reads files mapped into
// memory, as the store does: their pages count in the resident set, grow
// with the files read, and are the kernel's cache, not the code's. Only
// tests import this package; it needs Linux's /proc (elsewhere Run fails
// the test).
package peakmem
