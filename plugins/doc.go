// Package plugins is the registry through which aggregates, stages and
// functions extend signinq's query language, and the contracts they
// implement. It holds no plugin: the built-ins live in packages of their
// own (the aggregates in plugins/aggregate, the functions in
// plugins/function, the stages in plugins/stage, the readers and writers
// in plugins/format), and plugins/standard is the one
// place that knows them all. Nothing registers itself from init: a
// program builds a registry (standard.New, or NewRegistry and Clone),
// registers its own plugins into it and gives it to the queries
// (query.Exec, or signinq.Options.Plugins), whose queries then see only
// its plugins. The query language learns
// every plugin's name and arguments from the registry: a plugin needs no
// change to the parser.
//
// Each kind of plugin has its interface: Aggregate (one value per group,
// computed a part at a time and merged), Stage (rows in, rows out, after
// "|") and Function (a value from values). Registration checks that a
// plugin implements its kind's interface. A stage that asks the store
// (Env.Query) or narrows the sign-ins it reads (Needs.Where) builds its
// queries and conditions with package query/ast's constructors, never
// as text.
//
// A stage's arguments are bound once, by the types its descriptor
// declares (Arg.Type, with Min, Max and Words): BindArgs reads the
// query's words into Args, whose getters give the stage typed values
// (Int, Float, Duration, Bool, Codes, Word, Text), and whose errors
// (ArgError) say which argument's value is wrong and where it stands, so
// that the query shows them at the value. Durations are the language's
// (query/ast.ParseDuration).
package plugins
