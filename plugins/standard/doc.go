// Package standard is the one place that knows every built-in plugin:
// the aggregates, functions, stages, readers and writers that signinq's
// query language and command offer. New returns a fresh registry of
// them, for a program to extend or restrict; Registry returns one shared
// registry of them, which queries given none use.
//
// A program that adds its own plugins builds its registry from New:
//
//	reg := standard.New()
//	if err := reg.Register(myAggregate{}); err != nil { ... }
//
// and gives it to the queries (query.Exec, signinq.Options.Plugins).
package standard
