// Package query is signinq's query language: it parses a statement's text
// into a syntax tree (package query/ast), checks the tree against the
// field catalog (package engine/signin, docs/fields.md) and a registry of
// plugins into a Plan, and executes the plan over one snapshot of a store:
// bitmaps where they answer a condition, scans of the blocks where they
// do not, parts in parallel, merged (docs/query-language.md).
//
// Exec is the one way from text to answer: it runs a statement (a query,
// show, explain, or a define of a saved query) against an engine.DB with
// a plugins.Registry and returns its Outcome, whose result.Rows the caller
// reads. The command, the shell, the benchmarks and package signinq all
// call it; Run gathers its answer into a result.Result. Its steps are
// exported for callers that hold a statement already: Parse, Check,
// Prepare, Execute and ExecuteRows. Options bound a query's time and
// memory and say what "now" is.
//
// Contracts:
//
//   - Right or an error. An error in the text is an *Error with the
//     position of what it concerns and, for a misspelt name, a
//     suggestion (Suggest). A query past its limits fails with
//     ErrTimeout, or ErrTooMuchMemory saying what took the memory; a
//     panic during a query is a *PanicError, wrapping ErrPluginPanic for
//     a plugin's and ErrInternal for signinq's own. Nothing in query
//     panics on its input or exits the process.
//   - Nothing in query reads the wall clock: "now" is Options.Now, the
//     store's clock, or its newest sign-in.
//   - An answer is the same whatever the parts, the blocks cached and the
//     number of goroutines: the differential test checks the executor
//     against a naive evaluator on random queries.
package query
