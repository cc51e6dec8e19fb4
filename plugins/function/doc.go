// Package function holds the built-in functions of the query language
// (date, hour, subnet...), one file each with its test beside it. Each
// implements plugins.Function; All, generated from the package's files
// (all.go: go test ./plugins/function -run TestAll -update), returns
// them, for a registry to hold (plugins/standard registers them).
// docs/plugins.md's reference, made from the registry, lists them.
package function
