package aggregate

import "github.com/signinq/signinq/plugins"

// All returns the built-in aggregates.
func All() []plugins.Plugin {
	return []plugins.Plugin{count{}, countif{}, dcount{}, dcountif{},
		extreme{name: "min", sign: -1}, extreme{name: "max", sign: +1},
		total{name: "sum"}, total{name: "avg", mean: true}, values{}}
}

// grown returns s with room for index g.
func grown[T any](s []T, g uint32) []T {
	if int(g) < len(s) {
		return s
	}
	return append(s, make([]T, int(g)+1-len(s))...)
}
