package race

// Pick returns normal, or underRace when the race detector is on: the
// size of a test's store, its count of rounds or of random queries,
// smaller under -race where the smaller case shows as much.
func Pick[T any](normal, underRace T) T {
	if Enabled {
		return underRace
	}
	return normal
}
