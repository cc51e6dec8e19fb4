package cli

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// stopSignals are the signals that stop a command: Ctrl-C (SIGINT) and
// SIGTERM, what kill, systemd and container runtimes send.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// notifyContext returns a context that the first stop signal cancels, so
// that the command ends as it would on an error, keeping what it did (an
// ingest commits what it read); the signal's default action is restored
// then, so that a second one ends the process at once. caught returns
// the signal, or nil before one came.
func notifyContext(parent context.Context) (ctx context.Context, caught func() os.Signal, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals...)
	var (
		mu  sync.Mutex
		got os.Signal
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case s := <-ch:
			signal.Stop(ch)
			mu.Lock()
			got = s
			mu.Unlock()
			cancel()
		case <-ctx.Done():
		}
	}()
	caught = func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return got
	}
	stop = func() {
		signal.Stop(ch)
		cancel()
		<-done
	}
	return ctx, caught, stop
}

// signalExit is the exit status of a command a signal stopped: 128 plus
// the signal's number, as a shell reports a process the signal killed
// (130 for SIGINT, 143 for SIGTERM).
func signalExit(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitError
}

// signalled is the error of a command a signal stopped: the command's
// own error when it says more than that it was cancelled.
func signalled(sig os.Signal, err error) string {
	if err.Error() != context.Canceled.Error() {
		return err.Error()
	}
	if sig == syscall.SIGTERM {
		return "terminated"
	}
	return "interrupted"
}

// stopped reports an operation a signal stopped, after it kept what it
// did: its message says what that is and how to go on. It wraps the
// operation's error, so that the exit status is the signal's.
type stopped struct {
	msg string
	err error
}

func (e *stopped) Error() string { return e.msg }
func (e *stopped) Unwrap() error { return e.err }

// signalError ends a command that handles signals itself, such as the
// shell, when one stopped it.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return signalled(e.sig, context.Canceled) }
func (e signalError) exitCode() int { return signalExit(e.sig) }
