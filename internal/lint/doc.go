// Package lint holds signinq's own rules as a Go test: the one-way import
// graph (index ← engine ← plugins ← query ← repl, bench ← cmd), no exits
// outside cmd, no wall clock in engine and query, a doc.go per package,
// and the built-ins' packages (plugins/aggregate, plugins/function,
// plugins/stage) one package each, whose All is generated from their
// files. It has no code beside its test.
package lint
