// Package repl is signinq's interactive shell on chzyer/readline: Run
// reads statements of the query language and meta-commands (\help,
// \fields, \saved, \ingest, \chart, …) from a terminal or a script, runs
// each statement through query.Exec, and prints its answer as a table,
// JSON or CSV, with terminal charts of timelines and tops; on a terminal
// it completes field names, plugins and the store's values, and keeps a
// history. It asks its store through Store: the store it holds (Local),
// or one another signinq process holds, through that process (the
// command's implementation over the API's socket).
//
// Contracts: it owns no globals and reads no wall clock (Options give
// the store, the streams and the clock); it never exits the process: Run
// returns ErrFailed when a script's statement failed and a *SignalError
// when a signal ended the session, and the command turns these into its
// exit status.
package repl
