package script

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/dustin/go-humanize"
	"go.starlark.net/starlark"
)

// ErrLimit is the error of a script that one of its limits stopped
// (Options: steps, time, memory, or an integer too large): errors.Is
// tells it from a script's own error, and the error's text says which
// limit and where.
var ErrLimit = errors.New("script: limit reached")

// limitError is a limit reached; its text says which.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }
func (e *limitError) Unwrap() error { return ErrLimit }

func limitf(format string, args ...any) error {
	return &limitError{fmt.Sprintf(format, args...)}
}

// cancelled is the error of a script whose query's context was done: it
// wraps the context's error.
type cancelled struct{ err error }

func (e *cancelled) Error() string { return "the query was cancelled" }
func (e *cancelled) Unwrap() error { return e.err }

// pollSteps is how often, in steps, a run that has a context looks at
// it (a few microseconds of Starlark).
const pollSteps = 1 << 12

// run is what one run of a script may still use: a load, a call of a
// function, or a stage's run. It lives in its thread (see runOf); every
// checked operation (memory.go) charges it.
type run struct {
	what     string // "to load", "per call", "per row": for the errors
	maxSteps uint64
	stepsEnd uint64          // the thread's step count at which the step limit is reached
	done     <-chan struct{} // the context's, polled every pollSteps; nil: none
	ctx      context.Context
	maxMem   int64
	mem      int64 // charged since the run (or the stage's row) began
	// stopped is the limit (or the context's end) that cancelled the
	// thread, for scriptError; set once.
	stopped atomic.Pointer[error]
}

const runKey = "signinq.run"

// runOf returns the run of a thread the sandbox made.
func runOf(th *starlark.Thread) *run {
	r, _ := th.Local(runKey).(*run)
	if r == nil { // a thread of the tests; no limits but the defaults
		r = &run{maxMem: DefaultMaxMemory}
		th.SetLocal(runKey, r)
	}
	return r
}

// stop cancels the thread for err: a limit, or the context's end.
func (r *run) stop(th *starlark.Thread, err error) {
	if r.stopped.CompareAndSwap(nil, &err) {
		th.Cancel(err.Error())
	}
}

// reason returns why the thread was cancelled, or nil.
func (r *run) reason() error {
	if p := r.stopped.Load(); p != nil {
		return *p
	}
	return nil
}

// onMaxSteps is the thread's OnMaxSteps: the step limit, and between
// two, a look at the context.
func (r *run) onMaxSteps(th *starlark.Thread) {
	steps := th.ExecutionSteps()
	if steps >= r.stepsEnd {
		r.stop(th, limitf("step limit of %d exceeded (%s)", r.maxSteps, r.what))
		return
	}
	if r.done != nil {
		select {
		case <-r.done:
			r.stop(th, &cancelled{r.ctx.Err()})
			return
		default:
		}
	}
	th.SetMaxExecutionSteps(r.next(steps))
}

// next is the step count at which onMaxSteps is called next.
func (r *run) next(steps uint64) uint64 {
	if r.done == nil {
		return r.stepsEnd
	}
	return min(steps+pollSteps, r.stepsEnd)
}

// restart gives the run its limits of steps and memory again: a stage's
// for each row it reads.
func (r *run) restart(th *starlark.Thread) {
	steps := th.ExecutionSteps()
	r.stepsEnd, r.mem = steps+r.maxSteps, 0
	th.SetMaxExecutionSteps(r.next(steps))
}

// charge takes n bytes that an operation is about to make (what says
// which) from the run's memory, or returns the error of the memory limit
// without taking any.
func (r *run) charge(n int64, what what) error {
	if n <= 0 {
		return nil
	}
	if n > r.maxMem-r.mem {
		before := ""
		if r.mem >= 1<<20 {
			before = fmt.Sprintf(", after %s", humanize.IBytes(uint64(r.mem)))
		}
		return limitf("memory limit of %s exceeded (%s): %s would take %s%s", humanize.IBytes(uint64(r.maxMem)), r.what, what, humanize.IBytes(uint64(n)), before)
	}
	r.mem += n
	return nil
}

// thread makes a thread for a run of a script: without load, with print
// going to Options.Print, and under the limits of the run: maxSteps
// steps (to load, per call of a function, per row a stage reads), the
// memory limit, and ctx (nil for none) polled between steps. The time
// limit is the caller's (see limit).
func (s *sandbox) thread(name string, maxSteps uint64, what string, ctx context.Context) (*starlark.Thread, *run) {
	r := &run{what: what, maxSteps: maxSteps, stepsEnd: maxSteps, maxMem: s.opts.MaxMemory, ctx: ctx}
	if ctx != nil {
		r.done = ctx.Done()
	}
	th := &starlark.Thread{
		Name: name,
		Load: func(*starlark.Thread, string) (starlark.StringDict, error) {
			return nil, errors.New("load is not available to plugin scripts: each script stands alone")
		},
		Print:      s.print,
		OnMaxSteps: r.onMaxSteps,
	}
	th.SetLocal(runKey, r)
	th.SetMaxExecutionSteps(r.next(0))
	return th, r
}

// limit cancels th after the time limit (what says of what: "per
// call"); the returned function stops the timer.
func (s *sandbox) limit(th *starlark.Thread, r *run, what string) (stop func() bool) {
	t := time.AfterFunc(s.opts.TimeLimit, func() {
		r.stop(th, limitf("time limit of %v exceeded (%s)", s.opts.TimeLimit, what))
	})
	return t.Stop
}
