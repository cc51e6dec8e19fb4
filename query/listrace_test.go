//go:build race

package query

// listRace says the race detector is on: TestListPeakMemory and
// TestListOrderByPeakMemory list fewer sign-ins, as it makes them many
// times slower (peakmem scales the bounds).
const listRace = true
