// Package progress shows how far a long operation has got: ingesting
// files, generating a tenant, compacting a store.
//
// There is one type, Bar, made by New. On a terminal it draws a bar with
// the count, the rate and the time left, redrawn in place and removed when
// the operation is done; anywhere else (a log, a pipe, a CI job) it writes
// a plain line now and then, so that a long run shows it is alive without
// filling the log:
//
//	ingesting: 1.2 GB of 4.2 GB (29%), 310 MB/s, 12s left
//
// Operations shorter than Options.Every print no line at all, and a quiet
// bar prints nothing.
//
// The package reads the time only through Options.Now, which defaults to
// time.Now; tests inject a clock to get the plain lines deterministically.
// It imports nothing of the module, so any package may use it.
package progress
