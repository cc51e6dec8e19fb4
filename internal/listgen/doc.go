// Package listgen writes the list of the plugins a built-ins' package
// holds (plugins/aggregate, plugins/function, plugins/stage): its All,
// in a generated all.go, made from the package's own files, so that a
// new built-in is its file and its test, and nothing else edited by
// hand. Each package's TestAll calls Check; with -update it rewrites the
// file.
//
// The convention: a built-in is a type declared in the package's
// non-test files with a method
//
//	func (T) Describe() plugins.Descriptor
//
// (a value receiver: the built-in is T's zero value, T{}). A type of
// which several built-ins are made (min and max are one aggregate type)
// also declares a method
//
//	func (T) builtins() []plugins.Plugin
//
// and is listed by what it returns. All lists the first kind sorted by
// type name, then what the second kind's builtins return, by type name.
// Nothing registers itself: All is ordinary code, generated.
package listgen
