// Package spikes is the spikes stage: buckets of a timeline far above
// their key's median (robust z-score). New returns it, for a registry
// to hold (plugins/standard registers it).
package spikes
