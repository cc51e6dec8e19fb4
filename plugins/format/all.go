package format

import (
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/plugins"
)

// All returns the built-in formats: a reader for each of logfile's
// formats, and the writers.
func All() []plugins.Plugin {
	var out []plugins.Plugin
	for _, f := range logfile.Formats() {
		out = append(out, builtinReader{f})
	}
	return append(out, csvWriter{}, jsonWriter{}, tableWriter{})
}

// lookup returns the built-in format of a name.
func lookup(name string) (plugins.Plugin, bool) {
	for _, p := range All() {
		if p.Describe().Name == name {
			return p, true
		}
	}
	return nil, false
}
