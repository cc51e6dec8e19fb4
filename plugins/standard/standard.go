package standard

import (
	"fmt"
	"sync"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/aggregate"
	"github.com/signinq/signinq/plugins/format"
	"github.com/signinq/signinq/plugins/function"
)

// builtins returns every built-in plugin.
func builtins() []plugins.Plugin {
	var all []plugins.Plugin
	all = append(all, aggregate.All()...)
	all = append(all, function.All()...)
	all = append(all, format.All()...)
	return all
}

// New returns a fresh registry holding every built-in plugin. It is the
// caller's: registering into it or removing from it changes no other.
func New() *plugins.Registry {
	r := plugins.Default().Clone()
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
// callers: what queries use when given no registry. Callers must not
// register into it or remove from it; one that would extends New's.
func Registry() *plugins.Registry { return shared() }
