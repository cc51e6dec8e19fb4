package repl

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
)

// Options configure a session.
type Options struct {
	// DB is the store the session asks; it stays the caller's to close.
	// Store, when not nil, is asked instead: a store another process
	// holds (DB is then nil).
	DB    *engine.DB
	Store Store
	// Dir is the store's directory, shown in \stats and used by \ingest's
	// messages; "" for a store in memory.
	Dir string
	// Stdin, Stdout and Stderr are the session's streams.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Terminal says the streams are a terminal: then the session has a
	// prompt, line editing, completion, history and colour; otherwise it
	// reads one statement a line and prints only results.
	Terminal bool
	// Color allows colour on a terminal (false with NO_COLOR).
	Color bool
	// Width returns the terminal's width in columns (0: unknown).
	Width func() int
	// HistoryFile keeps the history across sessions ("": none).
	HistoryFile string
	// Registry is the plugins queries use; nil means standard.Registry().
	Registry *plugins.Registry
	// Clock is the machine's clock: it times statements (\timing), and
	// relative times (since 24h) count from it while \now is off. nil
	// means the store's clock (engine.Options.Clock); when that is nil
	// too, relative times count from the store's newest sign-in and
	// statements are not timed.
	Clock func() time.Time
	// Now is the time relative times count from when the session starts,
	// as if set with \now; zero means the clock.
	Now time.Time
	// NowLatest starts the session as \now latest does: relative times
	// count from the store's newest sign-in, found anew by each query.
	NowLatest bool
	// MaxMemory is the memory a query's groups may take, in bytes, when
	// the session starts, as if set with \maxmemory; zero means the
	// default (query.DefaultMaxMemory).
	MaxMemory int64
}

// ErrFailed is returned by Run when a statement failed in a session that
// is not on a terminal, after all were run: a script's exit status.
var ErrFailed = errors.New("repl: a statement failed")

// SignalError is returned by Run when a signal ended the session:
// SIGTERM during a statement, or Ctrl-C (SIGINT) during a script's. The
// statement was stopped first, and an \ingest committed what it read.
type SignalError struct {
	Signal os.Signal
}

func (e *SignalError) Error() string { return "repl: stopped by " + e.Signal.String() }

// Run runs a session until its input ends (Ctrl-D, or the end of the
// script) or \q. On a terminal, Ctrl-C cancels the running statement, not
// the session; SIGTERM cancels it and ends the session (at the prompt,
// SIGTERM ends the process as it would any). In a script, either ends it
// (see SignalError). ctx ends the session.
func Run(ctx context.Context, opts Options) error {
	return (&session{opts: opts, now: opts.Now, latest: opts.NowLatest, maxMemory: opts.MaxMemory}).run(ctx)
}
