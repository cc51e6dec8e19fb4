package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/pull"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/result"
)

// A store is shared: the process that holds it for longer than a moment
// (serve, the shell, ingest) answers the API on the store's socket
// (api.ServeSocket), and query, explain and stats, finding the store in
// use, ask that process through it (forwardQuery, forwardStats), and
// print what they would have printed holding the store themselves.

// share serves the API over db on the socket of the store in dir, for
// the other signinq processes of this user, until the returned stop
// (which the holder calls before it closes the store; grace is how long
// it lets the requests under way finish before cancelling them). A
// socket that cannot be made is a warning: the store works, unshared.
func share(e *env, db *engine.DB, dir string) (stop func(grace time.Duration)) {
	h := api.New(db, standard.Registry(), api.SocketOptions(api.Options{Now: e.now}))
	s, err := api.ServeSocket(dir, h)
	if err != nil {
		fmt.Fprintf(e.stderr, "signinq: warning: other signinq processes cannot use the store while this one holds it: %v\n", err)
		return func(time.Duration) {}
	}
	return func(grace time.Duration) { s.Close(grace) }
}

// removeStaleSocket removes the socket a killed holder left in the
// store's directory: called once the store is open, when no other
// process can be holding it.
func removeStaleSocket(dir string) {
	path := api.SocketPath(dir)
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
}

// dialAttempts and dialPause bound how long (5 s) a command that finds
// the store in use waits for its holder to answer on the socket, or to
// let the store go: a holder that has just opened the store makes its
// socket at once, one that is closing it removes its socket first and
// then closes the store (which may take a few seconds: background
// compaction stops first), and one that never answers (a command that
// holds the store for a moment, a signinq from before sockets) leaves
// the store in use.
const (
	dialAttempts = 100
	dialPause    = 50 * time.Millisecond
)

// openOrDial opens the store that must exist, or, when another process
// holds it, connects to that process's socket: one of the store and the
// client is not nil, unless the error is. A store held by another user's
// process, or by one that does not answer, is in use (exitInUse).
func (f *dbFlag) openOrDial(e *env) (*engine.DB, *api.Client, error) {
	return f.openOr(e, func() (*engine.DB, error) { return f.openExisting(e) })
}

// openOr is openOrDial with the opening of the store open's.
func (f *dbFlag) openOr(e *env, open func() (*engine.DB, error)) (*engine.DB, *api.Client, error) {
	for attempt := 1; ; attempt++ {
		db, err := open()
		if !errors.Is(err, engine.ErrLocked) {
			return db, nil, err
		}
		c, derr := api.Dial(f.DB)
		if derr == nil {
			return nil, c, nil
		}
		if errors.Is(derr, api.ErrOtherUser) {
			return nil, nil, otherUser(f.DB)
		}
		if attempt == dialAttempts {
			return nil, nil, err
		}
		select {
		case <-e.ctx.Done():
			return nil, nil, e.ctx.Err()
		case <-time.After(dialPause):
		}
	}
}

// errHolderGone is a request the holder closed its connection on before
// answering anything: it is letting the store go (it removes its socket
// first, then ends the requests it has not begun), and the command opens
// the store, or asks its next holder, again (askAgain). Only a query's
// and stats' requests are asked again: they change nothing, and nothing
// was written yet.
var errHolderGone = errors.New("the signinq process holding the store let it go before answering")

// askAgain bounds how often a command asks again after errHolderGone.
const askAgain = 10

// otherUser is the error of a store another user's process holds.
func otherUser(dir string) error {
	return &storeError{fmt.Errorf("%w: %s, by another user's process (the store can be used only by its user while it is held)", engine.ErrLocked, dir), exitInUse}
}

// remoteFailure is an error the holder answered, as the command says
// it: its message, and its exit status.
type remoteFailure struct {
	msg  string
	code int
}

func (r remoteFailure) Error() string { return r.msg }
func (r remoteFailure) exitCode() int { return r.code }

// remoteError is the command's error for what went wrong asking the
// holder: an error the holder answered as the command would have had it
// run the query itself (the caret printed, the memory flag named, the
// exit status of its kind), a cancelled context as it is, and any other
// (the holder went away) as a failure.
func remoteError(e *env, err error) error {
	var ae *api.Error
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, api.ErrOtherUser):
		return err
	case !errors.As(err, &ae):
		return remoteFailure{fmt.Sprintf("the signinq process holding the store: %v", err), exitRejected}
	}
	switch ae.Kind {
	case api.KindQuery:
		if ae.Caret != "" {
			fmt.Fprintf(e.stderr, "%s\n", ae.Caret)
		}
		return remoteFailure{ae.Message, exitError}
	case api.KindRequest:
		return remoteFailure{ae.Message, exitError}
	case api.KindMemory:
		return remoteFailure{ae.Message + " with --max-memory", exitRejected}
	case api.KindStore:
		switch ae.Cause {
		case api.CauseLocked:
			return remoteFailure{ae.Message + " (close the other signinq using it first)", exitInUse}
		case api.CauseNoStore:
			return remoteFailure{ae.Message, exitNoStore}
		case api.CauseDamaged:
			return remoteFailure{ae.Message + "\nsigninq: the store is damaged: copy its directory aside as it is, then restore it from a backup, or ingest the logs again into a new store", exitDamaged}
		case api.CauseNoSpace:
			return remoteFailure{ae.Message, exitNoSpace}
		}
	}
	return remoteFailure{ae.Message, exitRejected}
}

// forwardQuery runs a query, or a define or undefine, on the holder's
// store through c, with the options runQuery resolved, and prints what
// runQuery prints: the rows through the same writer, the notes, the
// count and time of a table, the plan, the error with its caret and its
// exit status.
func forwardQuery(e *env, c *api.Client, dir string, opts query.Options, format, text string) error {
	defer c.Close()
	req := api.QueryRequest{Query: text, ListLimit: opts.DefaultListLimit, MaxMemory: strconv.FormatInt(query.DefaultMaxMemory, 10)}
	if opts.MaxMemory > 0 {
		req.MaxMemory = strconv.FormatInt(opts.MaxMemory, 10)
	}
	if opts.NowLatest {
		req.Now = "latest"
	} else {
		req.Now = opts.Now.UTC().Format(time.RFC3339Nano) // this process's clock, not the holder's
	}
	if opts.Timeout > 0 {
		req.Timeout = opts.Timeout.String()
	}
	start := e.now()
	a, err := c.Query(e.ctx, req)
	if errors.Is(err, api.ErrNoHolder) {
		return errHolderGone
	}
	if err != nil {
		return remoteError(e, err)
	}
	defer a.Close()
	if saved := a.Saved; saved != nil {
		where := "saved in"
		if saved.Removed {
			where = "removed from"
		}
		fmt.Fprintf(e.stdout, "%s the store %s: %s\n", where, dir, saved.Macro)
		return nil
	}
	if a.Plan != nil {
		fmt.Fprint(e.stdout, *a.Plan)
		return nil
	}
	pl, _ := standard.Registry().Lookup(format)
	w := pl.(plugins.Writer)
	count := 0
	var remote error // the holder's error, not the writer's
	counted := func(yield func([]result.Value, error) bool) {
		for row, err := range a.Rows() {
			if err == nil {
				count++
			} else {
				remote = err
			}
			if !yield(row, err) {
				return
			}
		}
	}
	if err := writeRows(w, e, a.Columns, counted); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return errOutputClosed
		}
		if remote != nil {
			return remoteError(e, remote)
		}
		return err
	}
	elapsed := e.now().Sub(start)
	for _, n := range a.Notes() {
		fmt.Fprintf(e.stderr, "signinq: %s\n", noteText(n, "--now latest"))
	}
	if format == "table" {
		fmt.Fprintf(e.stderr, "%s %s in %s\n", humanize.Comma(int64(count)), words.Plural(count, "row"), words.Round(elapsed))
	}
	return nil
}

// forwardStats prints the statistics of the holder's store, as stats
// does of a store it opens.
func forwardStats(e *env, c *api.Client, dir string, allDays bool) error {
	defer c.Close()
	as, err := c.Stats(e.ctx)
	if errors.Is(err, api.ErrNoHolder) {
		return errHolderGone
	}
	if err != nil {
		return remoteError(e, err)
	}
	st, err := as.Engine()
	if err != nil {
		return remoteError(e, err)
	}
	writeStats(e.stdout, dir, &st, allDays)
	pulls := make([]pull.Status, len(as.Pulls))
	for i, p := range as.Pulls {
		pulls[i] = p.Status
	}
	writePulls(e.stdout, pulls, e.now())
	return nil
}

// forwardReport receives a forwarded ingest's progress (the counts of
// every input so far), its rejects and its warnings, each possibly nil.
type forwardReport struct {
	progress func(engine.IngestStats)
	reject   func(api.Reject)
	warning  func(text string)
}

// forwardInputs has the holder ingest the inputs (files, directories,
// - for stdin), one request each, and returns what engine.DB.Ingest
// would: the counts of them all, refused inputs among the rejects. When
// ctx is done, the body being sent ends there and the holder commits
// what it read (api.Client.IngestStream): the counts are of that, and
// the error wraps engine.ErrInterrupted and ctx's, as Ingest's does.
// Inputs after it are not sent.
func forwardInputs(ctx context.Context, c *api.Client, paths []string, stdin io.Reader, q api.IngestRequest, rep forwardReport) (engine.IngestStats, error) {
	ins, refused := logfile.Paths(paths, stdin)
	var st engine.IngestStats
	for _, r := range refused {
		st.Refused++
		if rep.reject != nil {
			rep.reject(api.RejectOf(r))
		}
	}
	// The requests outlive ctx: its end stops them, and they answer.
	reqCtx := context.WithoutCancel(ctx)
	for _, in := range ins {
		if ctx.Err() != nil {
			break
		}
		if why := in.Skipped(); why != "" {
			st.Warnings++
			if rep.warning != nil {
				rep.warning(fmt.Sprintf("%s: %s", in.Name, why))
			}
			continue
		}
		r, err := in.Open()
		if err != nil {
			st.Refused++
			if rep.reject != nil {
				rep.reject(api.Reject{Input: in.Name, Reason: err.Error(), Refused: true, Text: fmt.Sprintf("%s: %v", in.Name, err)})
			}
			continue
		}
		before := st
		q.Name = in.Name
		a, err := c.IngestStream(reqCtx, r, q, ctx.Done(), func(ev api.IngestEvent) {
			switch {
			case ev.Progress != nil:
				if rep.progress != nil {
					now := before
					now.Bytes += ev.Progress.Bytes
					now.Read += ev.Progress.Read
					now.Stored += ev.Progress.Stored
					now.Duplicates += ev.Progress.Duplicates
					rep.progress(now)
				}
			case ev.Reject != nil:
				if rep.reject != nil {
					rep.reject(*ev.Reject)
				}
			case ev.Warning != "":
				if rep.warning != nil {
					rep.warning(ev.Warning)
				}
			}
		})
		r.Close()
		if err != nil {
			return st, err
		}
		s := a.Summary()
		st.Inputs += s.Inputs
		st.Refused += s.Refused
		st.Truncated += s.Truncated
		st.Bytes += s.Bytes
		st.Read += s.Read
		st.Accepted += s.Accepted
		st.Rejected += s.Rejected
		st.Warnings += s.Warnings
		st.Stored += a.Stored
		st.Duplicates += a.Duplicates
		if a.Interrupted {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return st, fmt.Errorf("%w: %w", engine.ErrInterrupted, err)
	}
	return st, nil
}

// forwardIngest has the holder ingest the inputs (forwardInputs), and
// reports as ingest does: the progress bar, the rejects (all of them in
// --rejects's file) and warnings, the summary, the sign-ins stored and
// skipped, and what the store holds; the exit status 1 when records were
// rejected or inputs refused or truncated, and Ctrl-C's when it stopped
// the ingest (the holder committed what it read). The holder's
// background compaction merges the parts written, not this command.
func forwardIngest(e *env, c *api.Client, cmd *ingestCmd) error {
	defer c.Close()
	if cmd.InterruptCodes != nil {
		return errors.New("another signinq process holds the store: --interrupt-codes needs it to itself, the codes being the holder's (close that one, then ingest)")
	}
	var (
		rejects *rejectWriter
		werr    error
		err     error
	)
	if cmd.Rejects != "" {
		if rejects, err = createRejects(cmd.Rejects); err != nil {
			return err
		}
	}
	bar := newProgress(e, logfile.InputSize(cmd.Files), progress.Bytes, "ingesting", cmd.Quiet)
	shown := 0
	start := e.now()
	st, err := forwardInputs(e.ctx, c, cmd.Files, e.stdin, api.IngestRequest{Format: cmd.Format, Type: cmd.Type}, forwardReport{
		progress: func(st engine.IngestStats) {
			bar.Describe(ingestProgress(st))
			bar.Set(st.Bytes)
		},
		reject: func(r api.Reject) {
			if shown < maxShown {
				bar.Clear()
				fmt.Fprintf(e.stderr, "signinq: %s\n", r.Text)
			}
			shown++
			if rejects != nil && werr == nil {
				werr = rejects.writeReject(r)
			}
		},
		warning: func(text string) {
			bar.Clear()
			fmt.Fprintf(e.stderr, "signinq: warning: %s\n", text)
		},
	})
	bar.Done()
	elapsed := e.now().Sub(start)
	if rejects != nil {
		if cerr := rejects.close(); werr == nil {
			werr = cerr
		}
	}
	if errors.Is(err, engine.ErrInterrupted) {
		return &stopped{msg: fmt.Sprintf("interrupted after reading %s records: %s new sign-ins committed by the signinq process holding the store, %s duplicates skipped, %s rejected; run the same ingest again to continue (the sign-ins stored are skipped as duplicates)",
			humanize.Comma(st.Read), humanize.Comma(st.Stored), humanize.Comma(st.Duplicates), humanize.Comma(st.Rejected)), err: err}
	}
	if err != nil {
		if st.Stored > 0 {
			fmt.Fprintf(e.stderr, "signinq: %s sign-ins were stored before the error; running the same ingest again stores the rest\n", humanize.Comma(st.Stored))
		}
		return remoteError(e, err)
	}
	if werr != nil {
		return fmt.Errorf("--rejects: %w", werr)
	}
	if shown > maxShown {
		fmt.Fprintf(e.stderr, "signinq: … and %d more rejected%s\n", shown-maxShown, rejectsHint(cmd.Rejects))
	}
	if !cmd.Quiet {
		rows := int64(-1)
		if sp, err := c.Span(e.ctx); err == nil {
			rows = sp.Rows
		}
		fmt.Fprintf(e.stderr, "signinq: %s\n", st.Summary.String())
		fmt.Fprintf(e.stderr, "signinq: stored %s new %s, skipped %s duplicates, rejected %s, in %s (%s/s, %s records/s), by the signinq process holding the store\n",
			humanize.Comma(st.Stored), words.Plural(st.Stored, "sign-in"), humanize.Comma(st.Duplicates), humanize.Comma(st.Rejected),
			words.Round(elapsed), humanize.IBytes(uint64(float64(st.Bytes)/elapsed.Seconds())),
			humanize.Comma(int64(float64(st.Read)/elapsed.Seconds())))
		if rows >= 0 {
			fmt.Fprintf(e.stderr, "signinq: %s now holds %s %s\n", cmd.DB, humanize.Comma(rows), words.Plural(rows, "sign-in"))
		}
	}
	if !st.Clean() {
		return errRejected
	}
	return nil
}
