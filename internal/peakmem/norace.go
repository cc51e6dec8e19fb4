//go:build !race

package peakmem

const raceEnabled = false
