package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/repl"
	"golang.org/x/term"
)

type replCmd struct {
	dbFlag
	maxMemoryFlag
	Now     string `placeholder:"TIME" help:"The time relative times are resolved against (since 24h): a date, an RFC 3339 timestamp, or latest (the store's newest sign-in); default: the machine's clock (\\now changes it)."`
	History string `placeholder:"FILE" help:"The history file (default: $XDG_STATE_HOME/signinq/history, or ~/.local/state/signinq/history)."`
}

// ownsSignals: the shell cancels the running statement on Ctrl-C itself,
// and goes on.
func (replCmd) ownsSignals() {}

func (c *replCmd) Run(e *env) error {
	open := func() (*engine.DB, error) { return c.open(e, nil) }
	db, holder, err := c.openOr(e, open)
	if err != nil {
		return err
	}
	if holder != nil {
		// Another process of this user holds the store: the shell asks
		// it, and takes the store over if it goes away.
		defer holder.Close()
		var taken *engine.DB
		stop := func(time.Duration) {}
		defer func() {
			stop(0)
			if taken != nil {
				taken.Close()
			}
		}()
		store := &heldStore{cur: remoteShell(holder)}
		store.takeOver = func() (repl.Store, error) {
			db, next, err := c.openOr(e, open)
			if err != nil {
				return nil, err
			}
			if next != nil {
				return remoteShell(next), nil
			}
			taken, stop = db, share(e, db, c.DB)
			return repl.Local(db), nil
		}
		return runShell(e, store, c.DB, c.Now, c.History, int64(c.MaxMemory))
	}
	defer db.Close()
	defer share(e, db, c.DB)(0) // the shell's store answers other processes'
	return runShell(e, repl.Local(db), c.DB, c.Now, c.History, int64(c.MaxMemory))
}

// remoteShell is the store a shell asks through the process holding it.
func remoteShell(c *api.Client) *remoteStore {
	return &remoteStore{c: c, ingest: func(ctx context.Context, paths []string, r repl.IngestReport) (engine.IngestStats, error) {
		rep := forwardReport{progress: r.Progress, warning: r.Warning}
		if r.Reject != nil {
			rep.reject = func(rj api.Reject) { r.Reject(rj.Text) }
		}
		return forwardInputs(ctx, c, paths, nil, api.IngestRequest{}, rep)
	}}
}

// runShell runs the REPL on a store, its own or one another process
// holds: interactive when standard input and output are terminals, a
// script otherwise (then a failed statement makes the exit status 1).
func runShell(e *env, store repl.Store, dir, nowFlag, history string, maxMemory int64) error {
	opts := repl.Options{Store: store, Dir: dir, Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr, Clock: e.now, MaxMemory: maxMemory}
	if nowFlag != "" {
		t, latest, err := parseNow(nowFlag)
		if err != nil {
			return err
		}
		opts.Now, opts.NowLatest = t, latest
	}
	if progress.IsTerminal(e.stdin) && progress.IsTerminal(e.stdout) {
		wo := writeOptions(e)
		opts.Terminal, opts.Color = true, wo.Color
		opts.Width = widthOf(e.stdout)
		opts.HistoryFile = history
		if history == "" {
			opts.HistoryFile = historyFile()
		}
		if err := logfile.CheckOutput(opts.HistoryFile, []string{dir}); err != nil {
			return fmt.Errorf("--history: %w", err)
		}
	}
	err := repl.Run(e.ctx, opts)
	if errors.Is(err, repl.ErrFailed) {
		return errRejected
	}
	if se := (*repl.SignalError)(nil); errors.As(err, &se) {
		return signalError{se.Signal}
	}
	return err
}

// widthOf returns a function giving w's width when w is a
// terminal.
func widthOf(w any) func() int {
	f, ok := w.(*os.File)
	if !ok || !progress.IsTerminal(w) {
		return nil
	}
	return func() int {
		width, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return width
	}
}

// historyFile is the REPL's history in the user's state directory.
func historyFile() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "signinq")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return filepath.Join(dir, "history")
}
