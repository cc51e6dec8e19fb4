// Package function holds the built-in functions of the query language:
// date, domain, hour, subnet and weekday, one file each. Each implements
// plugins.Function; All returns them, for a registry to hold
// (plugins/standard registers them).
package function
