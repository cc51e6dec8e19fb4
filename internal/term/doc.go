// Package term is text for a terminal, as the table writer writes it and
// the REPL's charts draw it: control characters kept out, cells cut to a
// width, status and risk values in colour.
package term
