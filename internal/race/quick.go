package race

import "testing"

// Quick returns small under the race detector, as Pick does, and in the
// quick lane (go test -short) too, normal otherwise: the size of a test
// whose large case only repeats what the small one shows. It reads the
// -short flag, so call it in a test, not to initialize a package's
// variable.
func Quick[T any](normal, small T) T {
	if Enabled || testing.Short() {
		return small
	}
	return normal
}
