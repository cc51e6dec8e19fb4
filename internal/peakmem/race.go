//go:build race

package peakmem

const raceEnabled = true
