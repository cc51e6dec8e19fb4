// Package format holds the built-in input and output formats: a reader
// (plugins.Reader) for each format the logfile package reads with its
// own code (logfile.Formats: diag, graph, la-csv, ...), and the writers
// csv, json and table (plugins.Writer), one file each. All returns them,
// for a registry to hold (plugins/standard registers them).
package format
