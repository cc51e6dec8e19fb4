package cli

import (
	"context"
	"fmt"
	"io"
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
// ingest commits what it read). A second stop signal ends the process at
// once, as Go tools do, for a command that waits where it cannot look at
// the context (opening a named pipe that has no writer): it says so on
// stderr and exits with the second signal's status (130 or 143),
// losing what was not kept. caught returns the first signal, or nil
// before one came.
func notifyContext(parent context.Context, stderr io.Writer) (ctx context.Context, caught func() os.Signal, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals...)
	var (
		mu  sync.Mutex
		got os.Signal
	)
	quit := make(chan struct{}) // closed by stop
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case s := <-ch:
			mu.Lock()
			got = s
			mu.Unlock()
			cancel()
		case <-quit:
			return
		}
		select {
		case s := <-ch:
			fmt.Fprintf(stderr, "signinq: %s again: stopped at once, without finishing\n", signalled(s, context.Canceled))
			os.Exit(signalExit(s))
		case <-quit:
		}
	}()
	caught = func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return got
	}
	stop = func() {
		signal.Stop(ch)
		close(quit)
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
