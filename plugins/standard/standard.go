package standard

import (
	"fmt"
	"sync"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/aggregate"
	"github.com/signinq/signinq/plugins/format"
	"github.com/signinq/signinq/plugins/function"
	"github.com/signinq/signinq/plugins/stage"
)

// builtins returns every built-in plugin.
func builtins() []plugins.Plugin {
	var all []plugins.Plugin
	all = append(all, aggregate.All()...)
	all = append(all, function.All()...)
	all = append(all, format.All()...)
	for _, s := range stage.All() {
		all = append(all, s)
	}
	return all
}

// New returns a fresh registry holding every built-in plugin. It is the
// caller's: registering into it or removing from it changes no other.
func New() *plugins.Registry {
	r := plugins.NewRegistry()
	for _, p := range builtins() {
		if err := r.Register(p); err != nil {
			// The built-ins are fixed at compile time and tested
			// (TestNew): a refusal is a programming error.
			panic(fmt.Sprintf("standard: %v", err))
		}
	}
	return r
}

var shared = sync.OnceValue(New)

// Registry returns a registry of every built-in plugin, shared by its
// callers: what queries use when given no registry (query.Exec with a
// nil one, the REPL, the command). What is registered into it is seen by
// every one of them: the command loads its Starlark plugins into it, and
// a program built on the command (docs/plugins.md) registers its own
// into it before calling cli.Main. A program that wants a registry of
// its own extends New's instead.
func Registry() *plugins.Registry { return shared() }
