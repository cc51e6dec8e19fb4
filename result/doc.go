// Package result holds the answer to a query: typed values (Value), the
// columns that name and type them (Column), the answer as a stream of
// rows (Rows) or gathered (Result), what the query read (Stats) and the
// notes that say what the rows alone do not (Note).
//
// It is the one vocabulary of answers: the engine decodes its stored
// values into Values (engine.Vector.Value and the functions beside it),
// the plugins' aggregates, functions and stages compute them, the query
// layer's executor makes Rows of them, and the shell, the command and
// the writers print them with Value.String. It imports nothing of
// signinq's but the sign-in schema's kinds.
package result
