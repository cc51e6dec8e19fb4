//go:build unix

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockName is the file of the store's own lock, in its directory.
const lockName = "signinq.lock"

// lockStore takes the store's own lock (lockName in dir, made when
// missing): an exclusive flock held until the returned unlock, taken
// before Open reads anything of the store. Badger takes its lock (LOCK)
// only when it opens, after Open has checked the store's files and
// removed what a crash left, and another process writing the store
// meanwhile made those checks see its files change under them: a table
// compacted away looked like damage ("missing: the MANIFEST names it").
// A store held by another process is ErrLocked at once. A directory the
// process may not write (a store on a read-only medium) is not locked
// here: unlock is a no-op, and Badger's own lock still guards it.
func lockStore(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return func() {}, nil
		}
		return nil, fmt.Errorf("engine: open %s: %w", dir, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return nil, fmt.Errorf("engine: open %s: locking it: %w", dir, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
