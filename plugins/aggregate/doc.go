// Package aggregate holds the built-in aggregates of the query language,
// one file each with its test beside it. Each implements
// plugins.Aggregate; All, generated from the package's files (all.go:
// go test ./plugins/aggregate -run TestAll -update), returns them, for a
// registry to hold (plugins/standard registers them). docs/plugins.md's
// reference, made from the registry, lists them.
package aggregate
