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
//
// The built-ins' lists (the All of plugins/aggregate, plugins/function
// and plugins/stage, generated from each package's files) and the
// reference of docs/plugins.md are generated: after adding, removing or
// changing a built-in, run
//
//	go generate ./plugins/standard
//
// which runs their tests (TestAll, TestPluginsDoc) with -update; those
// tests fail until then.
package standard

//go:generate go test ../aggregate ../function ../stage -run TestAll -update
//go:generate go test ../../cmd/signinq/cli -run TestPluginsDoc -update
