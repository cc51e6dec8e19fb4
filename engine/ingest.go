package engine

import (
	"context"
	"errors"
	"fmt"

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
	// OnCommit, if set, is called after each commit with the number of
	// sign-ins committed so far.
	OnCommit func(committed int64)
}

// IngestStats counts what an ingest did: the readers' summary, and what
// became of the records accepted.
type IngestStats struct {
	logfile.Summary
	Stored     int64 // new sign-ins stored
	Duplicates int64 // sign-ins already stored, skipped
	Parts      int64 // parts written
}

// Ingest reads sign-in logs (files, directories, "-" for Options.Read's
// Stdin; see logfile.Paths) and stores their sign-ins. It commits every
// few hundred thousand new sign-ins and at the end, so an interrupted
// ingest keeps what it committed, and re-running it stores the rest
// without duplicates.
//
// Bad records are not errors: they are counted, passed to OnReject, and
// reading goes on. Ingest returns an error only when it cannot go on (the
// store fails, or ctx is done); what it committed until then stays.
func (db *DB) Ingest(ctx context.Context, paths []string, opts IngestOptions) (IngestStats, error) {
	ins, refused := logfile.Paths(paths, opts.Read.Stdin)
	var st IngestStats
	for _, r := range refused {
		st.Refused++
		if opts.OnReject != nil {
			opts.OnReject(r)
		}
	}
	s, err := db.IngestInputs(ctx, ins, opts)
	s.Refused += st.Refused
	return s, err
}

// IngestInputs is Ingest over inputs already made, such as
// logfile.ReaderInput for a stream.
func (db *DB) IngestInputs(ctx context.Context, inputs []logfile.Input, opts IngestOptions) (IngestStats, error) {
	w, err := db.NewWriter()
	if err != nil {
		return IngestStats{}, err
	}
	defer w.Close()
	ro := opts.Read
	if ro.Classifier == nil {
		ro.Classifier = db.opts.Classifier
	}
	every := opts.CommitEvery
	if every <= 0 {
		every = commitRows
	}
	var st IngestStats
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
		st.Bytes += b.Bytes
		st.Read += int64(len(b.Records) + len(b.Rejects))
		if err := w.Add(b.Records); err != nil {
			var rej *RejectError
			if !errors.As(err, &rej) {
				return err
			}
			for _, r := range rej.Rejects {
				st.Rejected++
				if opts.OnReject != nil {
					opts.OnReject(&logfile.Reject{Input: b.Input, Reason: fmt.Sprintf("record %s: %s", r.ID, r.Reason), Raw: b.Records[r.Index].Raw})
				}
			}
		}
		if w.Pending() >= every {
			if err := w.Commit(); err != nil {
				return err
			}
			if opts.OnCommit != nil {
				opts.OnCommit(w.Stats().Committed)
			}
		}
		if opts.Progress != nil {
			ws := w.Stats()
			st.Stored, st.Duplicates = ws.Added, ws.Duplicates
			opts.Progress(st)
		}
		return nil
	})
	if err == nil {
		if err = w.Commit(); err == nil && opts.OnCommit != nil {
			opts.OnCommit(w.Stats().Committed)
		}
	}
	ws := w.Stats()
	rejected := st.Rejected
	st.Summary = sum
	st.Rejected += rejected
	st.Accepted -= rejected
	st.Stored, st.Duplicates, st.Parts = ws.Committed, ws.Duplicates, ws.Parts
	return st, err
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
