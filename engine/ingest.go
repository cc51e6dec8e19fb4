package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
)

// IngestOptions configure Ingest.
type IngestOptions struct {
	// Read configures the readers. Its Classifier defaults to the DB's.
	Read logfile.Options
	// OnReject, if set, is called with every record rejected and every
	// input refused, from the goroutine that called Ingest.
	OnReject func(*logfile.Reject)
	// OnWarning, if set, is called with every warning of the readers (a
	// type assumed, fields lost before the file was written), from the
	// goroutine that called Ingest.
	OnWarning func(*logfile.Warning)
	// Progress, if set, is called after every batch, from the goroutine
	// that called Ingest.
	Progress func(IngestStats)
	// CommitEvery is how many new sign-ins Ingest gathers before it
	// commits them; 0 means about half a million. Smaller commits lose
	// less to a crash and make more parts for compaction to merge.
	CommitEvery int
	// CommitInterval is the longest Ingest keeps new sign-ins before it
	// commits them, whatever their number, so that a crash (kill -9, a
	// power cut) loses at most about that much work: 0 means
	// DefaultCommitInterval, a negative value commits by count only. It
	// is timed with a time.Timer; the commit is made with the first batch
	// read after it fires.
	CommitInterval time.Duration
	// OnCommit, if set, is called after each commit with the number of
	// sign-ins committed so far.
	OnCommit func(committed int64)
}

// DefaultCommitInterval is how often Ingest commits when IngestOptions
// does not say: a kill loses at most the last few seconds of work. On a
// million sign-ins it costs about 4% more CPU time than committing by
// count alone, no measurable wall time, and it lowers the peak memory
// (docs/format.md, "Ingest and interruption").
const DefaultCommitInterval = 5 * time.Second

// IngestStats counts what an ingest did: the readers' summary, and what
// became of the records accepted.
type IngestStats struct {
	logfile.Summary
	Stored     int64 // new sign-ins committed
	Pending    int64 // new sign-ins read and not committed: 0 once Ingest returns, unless with a store error
	Duplicates int64 // sign-ins already stored, skipped
	Parts      int64 // parts written
}

// Ingest reads sign-in logs (files, directories, "-" for Options.Read's
// Stdin; see logfile.Paths) and stores their sign-ins. It commits every
// CommitEvery new sign-ins, at least every CommitInterval, and at the
// end, so a crash loses at most the work since the last commit, and
// re-running it stores the rest, skipping what was stored as duplicates.
//
// Bad records are not errors: they are counted, passed to OnReject, and
// reading goes on. Ingest returns an error only when it cannot go on.
//
// When ctx is done, Ingest stops reading, commits the whole records it
// has read (deduplicated as usual), and returns an error wrapping both
// ErrInterrupted and ctx.Err(), with stats that count what was read and
// committed: Stored is in the store, and running the same ingest again
// stores the rest, counting the sign-ins stored as duplicates. If that
// commit fails, or the store fails, the error says so instead, and what
// was committed before stays.
func (db *DB) Ingest(ctx context.Context, paths []string, opts IngestOptions) (IngestStats, error) {
	ins, refused := logfile.Paths(paths, opts.Read.Stdin)
	var st IngestStats
	for _, r := range refused {
		st.Refused++
		if opts.OnReject != nil {
			opts.OnReject(r)
		}
	}
	s, err := db.ingestInputs(ctx, ins, opts, logfile.InputSize(paths))
	s.Refused += st.Refused
	return s, err
}

// inputNeeds is the ErrNoSpace of an ingest that ran out of space having
// been given recs records in bytes of its total bytes of input: it says
// what the sign-ins still to store need, counting them by the size of the
// input; nil when that cannot be told, or they fit.
func (db *DB) inputNeeds(st IngestStats, recs, bytes, total int64) error {
	if total <= 0 || bytes <= 0 {
		return nil
	}
	rows := int64(float64(recs)*float64(total)/float64(bytes)) - st.Stored - st.Duplicates - st.Rejected
	if rows <= 0 {
		return nil
	}
	per, how := db.bytesPerRow()
	need := rows * per
	return db.space.fits(need, need, fmt.Sprintf("the input's sign-ins still to store (about %s, by its size) need about %s (%s each, %s)",
		humanize.Comma(rows), size(need), size(per), how))
}

// IngestInputs is Ingest over inputs already made, such as
// logfile.ReaderInput for a stream.
func (db *DB) IngestInputs(ctx context.Context, inputs []logfile.Input, opts IngestOptions) (IngestStats, error) {
	return db.ingestInputs(ctx, inputs, opts, -1)
}

// ingestInputs is IngestInputs of inputs of total bytes (-1 when not
// known), which tells how much space the rest needs when there is not
// enough.
func (db *DB) ingestInputs(ctx context.Context, inputs []logfile.Input, opts IngestOptions, total int64) (IngestStats, error) {
	in, err := db.newIngester(&opts)
	if err != nil {
		return IngestStats{}, err
	}
	defer in.close()
	ro := opts.Read
	if ro.Classifier == nil {
		ro.Classifier = db.opts.Classifier
	}
	sum, err := logfile.ScanInputs(ctx, inputs, ro, func(b *logfile.Batch) error {
		if opts.OnWarning != nil {
			for _, w := range b.Warnings {
				opts.OnWarning(w)
			}
		}
		if opts.OnReject != nil {
			for _, r := range b.Rejects {
				opts.OnReject(r)
			}
		}
		in.st.Bytes += b.Bytes
		in.st.Read += int64(len(b.Records) + len(b.Rejects))
		return in.add(b.Input, b.Records)
	})
	err = in.finish(ctx, err)
	if errors.Is(err, ErrNoSpace) {
		if e := db.inputNeeds(in.st, in.st.Read, in.st.Bytes, total); e != nil {
			err = e
		}
	}
	rejected := in.st.Rejected
	in.st.Summary = sum
	in.st.Rejected += rejected
	in.st.Accepted -= rejected
	return in.st, err
}

// IngestBatches stores the sign-ins source gives to add, a batch at a
// time, committing as Ingest does: every CommitEvery new sign-ins, at
// least every CommitInterval, at the end, and, when ctx is done, what
// was added so far (then the error wraps ErrInterrupted and ctx.Err()).
// Source should return once ctx is done; an error it returns, or one add
// returned to it, ends the ingest. Sign-ins the store refuses (see
// RejectError) are counted as rejected and passed to OnReject; Read
// counts the sign-ins given, Accepted those not refused. OnReject's
// Input is empty; opts.Read is not used.
//
// add keeps nothing of the records once it returns. It must be called
// from the goroutine that called IngestBatches, as are Progress,
// OnReject and OnCommit.
func (db *DB) IngestBatches(ctx context.Context, source func(add func([]signin.Record) error) error, opts IngestOptions) (IngestStats, error) {
	in, err := db.newIngester(&opts)
	if err != nil {
		return IngestStats{}, err
	}
	defer in.close()
	err = source(func(recs []signin.Record) error {
		in.st.Read += int64(len(recs))
		in.st.Accepted += int64(len(recs))
		return in.add("", recs)
	})
	err = in.finish(ctx, err)
	in.st.Accepted -= in.st.Rejected
	return in.st, err
}

// ingester is what Ingest and IngestBatches share: a write, committed by
// count, by time, at the end and when interrupted.
type ingester struct {
	w        *Writer
	opts     *IngestOptions
	every    int
	interval time.Duration // <= 0: by count only
	timer    *time.Timer   // running while sign-ins are pending
	st       IngestStats
}

func (db *DB) newIngester(opts *IngestOptions) (*ingester, error) {
	w, err := db.NewWriter()
	if err != nil {
		return nil, err
	}
	in := &ingester{w: w, opts: opts, every: opts.CommitEvery, interval: opts.CommitInterval}
	if in.every <= 0 {
		in.every = commitRows
	}
	if in.interval == 0 {
		in.interval = DefaultCommitInterval
	}
	return in, nil
}

// add adds a batch, commits when it is due, and reports progress.
func (in *ingester) add(input string, recs []signin.Record) error {
	opts := in.opts
	if err := in.w.Add(recs); err != nil {
		var rej *RejectError
		if !errors.As(err, &rej) {
			return err
		}
		for _, r := range rej.Rejects {
			in.st.Rejected++
			if opts.OnReject != nil {
				opts.OnReject(&logfile.Reject{Input: input, Reason: fmt.Sprintf("record %s: %s", r.ID, r.Reason), Raw: recs[r.Index].Raw})
			}
		}
	}
	if in.due() {
		if err := in.commit(); err != nil {
			return err
		}
	}
	if opts.Progress != nil {
		in.count()
		opts.Progress(in.st)
	}
	return nil
}

// due reports whether the sign-ins pending are to be committed now: there
// are CommitEvery of them, or the oldest has waited the interval. The
// timer starts with the first sign-in pending after a commit.
func (in *ingester) due() bool {
	n := in.w.Pending()
	switch {
	case n >= in.every:
		return true
	case n == 0 || in.interval <= 0:
		return false
	case in.timer == nil:
		in.timer = time.NewTimer(in.interval)
		return false
	}
	select {
	case <-in.timer.C:
		return true
	default:
		return false
	}
}

// commit commits what is pending, and stops the timer until more is.
func (in *ingester) commit() error {
	if err := in.w.Commit(); err != nil {
		return err
	}
	if in.timer != nil {
		in.timer.Stop()
		in.timer = nil
	}
	if in.opts.OnCommit != nil {
		in.opts.OnCommit(in.w.Stats().Committed)
	}
	return nil
}

// count copies the writer's counts into the stats.
func (in *ingester) count() {
	ws := in.w.Stats()
	in.st.Stored, in.st.Duplicates, in.st.Parts = ws.Committed, ws.Duplicates, ws.Parts
	in.st.Pending = ws.Added - ws.Committed
}

// finish ends the ingest whose reading returned err: it commits what is
// pending when reading ended well or was interrupted (ctx done), and
// returns the ingest's error.
func (in *ingester) finish(ctx context.Context, err error) error {
	interrupted := err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err())
	if err == nil || interrupted {
		if cerr := in.commit(); cerr != nil {
			err = cerr
		} else if interrupted {
			err = fmt.Errorf("%w: %w", ErrInterrupted, ctx.Err())
		}
	}
	in.count()
	return err
}

func (in *ingester) close() {
	if in.timer != nil {
		in.timer.Stop()
	}
	in.w.Close()
}

// IngestRecords stores sign-ins given as records, atomically: all of them
// (but duplicates and refused ones) or, on error, none. See Writer.
func (db *DB) IngestRecords(ctx context.Context, recs []signin.Record) (WriteStats, error) {
	w, err := db.NewWriter()
	if err != nil {
		return WriteStats{}, err
	}
	defer w.Close()
	var rejErr error
	const batch = 1 << 14
	for i := 0; i < len(recs); i += batch {
		if err := ctx.Err(); err != nil {
			return w.Stats(), err
		}
		if err := w.Add(recs[i:min(i+batch, len(recs))]); err != nil {
			var rej *RejectError
			if !errors.As(err, &rej) {
				return w.Stats(), err
			}
			for j := range rej.Rejects {
				rej.Rejects[j].Index += i
			}
			if rejErr == nil {
				rejErr = rej
			} else {
				prev := rejErr.(*RejectError)
				prev.Rejects = append(prev.Rejects, rej.Rejects...)
			}
		}
	}
	if err := w.Commit(); err != nil {
		return w.Stats(), err
	}
	return w.Stats(), rejErr
}
