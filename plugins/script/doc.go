// Package script extends signinq's query language with plugins written in
// Starlark (go.starlark.net), a small dialect of Python: analysts add
// stages and functions without writing Go or recompiling.
//
// Load runs every *.star file of a directory (the command's is
// DefaultDir) and registers the stages and functions each declares,
// with the same descriptors as Go plugins: queries, help and completion
// see no difference.
//
// # Declaring
//
// A script declares with three builtins, called at its top level:
//
//	arg(name, type, default="", help="", kinds=[])
//
// describes an argument. type is "field", "condition", "number",
// "duration" or "string"; default, written as in a query ("1h", "10",
// or a number), makes the argument optional; kinds, for a field, lists
// the kinds of field it accepts ("string", "int", "float", "time",
// "bool", "list"), which a function checks before a query runs.
//
//	stage(name, run, help="", example="", args=[], needs=[], where="",
//	      output=[], streams=False)
//
// declares a stage. needs lists the catalog fields it reads (docs/fields.md):
// right after a list without fields, the list selects those fields; after
// anything else its input must have columns of those names. where, a
// condition in the query language, narrows the sign-ins the list before
// it selects (only with needs); it is parsed when the script loads, by
// Options.ParseCondition (query.ParseCondition). output lists the columns it adds to its
// input's, as (name, kind) pairs. streams says it emits rows as it reads
// them. run is called once per query as run(rows, ctx):
//
//   - rows is an iterable of the rows before the stage, each a new dict
//     by column name, read once, as a stream (list(rows) keeps them all);
//   - ctx.args is a dict of the bound arguments, by name: a number as an
//     int or float, a duration in seconds (an int, or a float below a
//     second), anything else as the str the query wrote;
//   - ctx.columns and ctx.output are the names of the input's columns
//     and of those the stage emits (the input's, then output's);
//   - ctx.now is the query's now, ctx.since and ctx.until the ends of its
//     time range (None when open);
//   - ctx.emit(row) passes a row on: a dict by column name (the columns
//     it lacks are null; a key of no column is an error), or a list of
//     every column in order. run returns None.
//
// A stage that tags rows updates each dict and emits it:
//
//	def _run(rows, ctx):
//	    asns = [int(a) for a in ctx.args["asns"].split(",")]
//	    for row in rows:
//	        row["vpn"] = row["asn"] in asns
//	        ctx.emit(row)
//
//	stage(name="vpn", help="tags sign-ins from VPN networks",
//	      example="list since 7d | vpn", run=_run, streams=True,
//	      args=[arg("asns", "string", default="14061,16509")],
//	      needs=["time", "user", "ip", "asn"], output=[("vpn", "bool")])
//
//	function(name, eval, result, help="", example="", args=[])
//
// declares a function. Its first argument is a field; the others are
// constants the query writes (numbers or text). result is the kind of
// value it returns. eval is called with one value per argument (an
// omitted one at its default) and returns a value of that kind, or None
// for null:
//
//	def _offhours(t):
//	    return t.weekday >= 5 or t.hour < 8 or t.hour >= 18
//
//	function(name="offhours", args=[arg("t", "field", kinds=["time"])],
//	         result="bool", eval=_offhours)
//
// The examples directory holds both, complete.
//
// # Values
//
// Values cross as str (string), int, float, bool, a time (below), a tuple
// of str (list) and None (null: a field the sign-in lacks). A time has
// the attributes year, month, day, hour, minute, second, nanosecond,
// weekday (0 for Monday), yearday, unix and unix_nano, all in UTC;
// times compare with < and ==; unix_time(seconds) makes one.
//
// # Sandbox
//
// Scripts read no files, no network and no clock: Starlark has none of
// these, load is refused (each script stands alone), and the time comes
// from the query (ctx.now). Recursion is off; while loops, sets and
// top-level if and for are on. A script file is at most MaxScriptSize
// (4 MiB). Every run of a script is under limits (Options):
//
//   - steps: MaxSteps Starlark steps (DefaultMaxSteps: 10 million) when
//     a script loads and per row a stage reads; MaxCallSteps
//     (DefaultMaxCallSteps: 100,000) per call of a function, which
//     computes a value of one sign-in: a runaway function is stopped at
//     its first call, not after millions of rows;
//   - memory: MaxMemory bytes (DefaultMaxMemory: 64 MiB) when a script
//     loads, per call of a function and per row a stage reads, made by
//     the operations that make values in proportion to their operands
//     (repetition, concatenation, formatting, join, replace, split,
//     list(range(n)), slices, unions), garbage included; integers of at
//     most a million bits (see memory.go and rewrite.go: Starlark has no
//     memory limit of its own, so these operations are checked before
//     they allocate). What other steps make is small, and bounded by the
//     steps;
//   - time: TimeLimit (DefaultTimeLimit: 5 s) to load, per call of a
//     function, and per run of a stage (one per query);
//   - the query: a function's call (EvalContext) and a stage's run stop
//     as soon as the query's context is done.
//
// A limit reached is an error (errors.Is ErrLimit) that says which, at
// the script's line; a query fails with the first error of a function it
// calls, at once.
//
// Errors never crash the program: a syntax error, a runtime error, a
// limit reached, a bad declaration or a name already registered is an
// *Error, whose text starts with the script's file and line
// (vpn.star:21:9: …), and whose Backtrace holds Starlark's call stack.
//
// # Concurrency
//
// Each script's globals are frozen once it has loaded, so the stages and
// functions it declares share nothing mutable: a function's Eval may run
// on many goroutines at once, each call on a Starlark thread of its own,
// and each run of a stage has its own thread and rows.
package script
