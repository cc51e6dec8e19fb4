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
//
// The files, by concept, in the order a statement meets them:
//
//   - run.go: the entry points, Exec, Run, Prepare, Execute and
//     ExecuteRows, and the notes an answer carries; options.go their
//     Options.
//   - lexer.go and grammar.go: participle's tokens and parse tree;
//     parse.go: Parse, lowering the parse tree into the syntax tree
//     (package query/ast); errors.go: the *Error of a statement, its
//     caret and did-you-mean.
//   - macro.go, macrocheck.go, macrostore.go: saved queries, their
//     expansion on the syntax tree (macrosub.go: in subqueries and
//     joins), their checking and their keeping in the store.
//   - lists.go, listbuiltin.go, liststore.go: named lists (F in @name),
//     the built-in ones, and a store's own kept in its metadata;
//     members.go: the sets an in tests membership of (hash sets of
//     values, internal/ipset for addresses and networks), one type for
//     a list's values, a long literal list's and a subquery's.
//   - plan.go: the Plan the checker makes. check.go: Check and the
//     checker; time.go: since and between, ParseTime; checkcond.go:
//     conditions on sign-ins (where); timearith.go: time arithmetic (now,
//     times and durations), in conditions and over output columns;
//     function.go: function plugins applied to fields; patterns.go:
//     or'ed patterns made one;
//     checkheads.go: group keys, aggregate heads, top, having, order;
//     checklist.go: list's fields and order; checkstages.go: stages bound
//     to the columns they receive; subquery.go: subqueries (in (QUERY),
//     a join's right side), planned apart, run first, their values a
//     hash set; tuple.go: several fields at once, (F1, F2, …) in
//     (QUERY), a hash set of the subquery's rows decided row by row;
//     pipe.go: where, order by and limit after a |; join.go:
//     joins; sequence.go: sequences of events per key (| sequence);
//     absence.go: group by KEY in @list, whose values without sign-ins
//     are groups too.
//   - explain.go: explain and explain analyze; parsecache.go: the
//     statements parsed, kept by their text.
//   - executor.go: the executor's run of a plan over a snapshot, from the
//     store's rows through the stages to the reader; filter.go: a
//     condition evaluated on a part, by bitmaps or a scan of its blocks.
//   - aggregate.go: the aggregate path, parts in parallel and merged,
//     rows made of the groups that hold having; merge.go: the parts'
//     groups merged by the numbers of their keys' values, the aggregates'
//     states in tables; tuples.go: groups found by their tuple of
//     numbers; donebuckets.go: with a bin key, the groups finished in
//     their part or done before the parts left to merge;
//     aggfunc.go: functions of a field inside aggregates, a dictionary
//     of their values per part; group.go: a part's groups; arith.go: output rows, arithmetic in
//     heads; finish.go: having, order and limit (a bounded heap for a
//     small limit).
//   - list.go: the list path, newest first, streamed; listorder.go:
//     list ordered by its columns, with runs spilled to disk.
//   - show.go: show, one sign-in; stages.go: running a stage over rows.
//   - memory.go, timeout.go, panics.go: a query's memory and time
//     limits, and the panics it recovers.
package query
