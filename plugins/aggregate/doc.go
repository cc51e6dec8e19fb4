// Package aggregate holds the built-in aggregates of the query language:
// count, countif, dcount, dcountif, min, max, sum, avg and values, one
// file each. Each implements plugins.Aggregate; All returns them, for a
// registry to hold (plugins/standard registers them).
package aggregate
