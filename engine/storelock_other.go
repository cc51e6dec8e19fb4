//go:build !unix

package engine

// lockName is the file of the store's own lock, where there is one.
const lockName = "signinq.lock"

// lockStore takes no lock of its own where there is no flock: Badger's
// lock, taken when it opens, is the store's only guard.
func lockStore(dir string) (unlock func(), err error) { return func() {}, nil }
