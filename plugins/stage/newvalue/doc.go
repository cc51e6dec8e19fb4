// Package newvalue is the newvalue stage: values of a field a key had in
// the query's window but not in the baseline before it. New returns it,
// for a registry to hold (plugins/standard registers it).
package newvalue
