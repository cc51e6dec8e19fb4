package engine

import (
	"fmt"
	"runtime"
	"strings"
)

// recoverStore turns a panic of the storage library (Badger, and the
// ristretto package under it) into an error wrapping ErrCorruption about
// what, in *err; so does a fault on one of the store's memory-mapped
// files, made a panic with debug.SetPanicOnFault. Other panics are the
// engine's own bugs, and go on. Use it deferred, at the engine's entry
// points that call Badger:
//
//	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
//	defer recoverStore(&err, "part 12")
//
// Badger panics on files it finds damaged, in the goroutine that reads
// them: the caller's for reads, its own for what it does in the
// background (opening tables at Open, compactions, writes), which nothing
// can recover. Open checks the files Badger reads in the background
// first (checkStore), and the free space before writes (spaceGuard);
// this is the line behind those.
func recoverStore(err *error, what string) {
	r := recover()
	if r == nil {
		return
	}
	if !storagePanic(r) {
		panic(r)
	}
	*err = corrupt(what, fmt.Errorf("the storage library failed: %s", firstLine(fmt.Sprint(r))))
}

// storagePanic reports whether the panic being recovered was raised by
// the storage library, or is a memory fault (debug.SetPanicOnFault),
// which only reading a memory-mapped file can cause here. It is called by
// recoverStore's deferred call, while the panicking stack is still there.
func storagePanic(r any) bool {
	if _, ok := r.(interface{ Addr() uintptr }); ok {
		return true
	}
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs) // above storagePanic, recoverStore
	frames := runtime.CallersFrames(pcs[:n])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			// The function that panicked.
			return strings.HasPrefix(f.Function, "github.com/dgraph-io/")
		}
		if !more {
			return false
		}
	}
}
