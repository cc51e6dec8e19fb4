package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
)

// Pull reads the sign-ins of opts.Types from Graph's
// /beta/auditLogs/signIns into db, deduplicated as every ingest is, and
// moves each type's cursor as far as it has read. See the package
// documentation for the window, the slices and the faults.
//
// It returns the stats of every type, and an error joining each type's
// (TypeStats.Err): a type that fails does not stop the others. When ctx
// is done it commits what was read, saves the cursors as far as the
// slices read whole, and returns an error wrapping engine.ErrInterrupted
// and ctx.Err().
func Pull(ctx context.Context, db *engine.DB, opts Options) (Stats, error) {
	p, err := newPuller(db, &opts)
	if err != nil {
		return Stats{}, err
	}
	tenant := opts.Tenant
	if tenant == "" {
		tok, err := p.c.bearer(ctx, false)
		if err != nil {
			return Stats{}, err
		}
		if tenant = tenantOf(tok); tenant == "" {
			return Stats{}, fmt.Errorf("graph: the token does not say its tenant (no tid claim): give the tenant (Options.Tenant, --tenant)")
		}
	}
	until := opts.Until
	if until.IsZero() {
		until = p.now()
	}
	until = until.UTC().Truncate(time.Second)
	var st Stats
	var errs []error
	for _, typ := range p.types {
		ts := p.pullType(ctx, CursorName(p.graphURL, tenant, typ), typ, until)
		st.Types = append(st.Types, ts)
		st.Total.add(&ts)
		if ts.Err != nil {
			errs = append(errs, ts.Err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return st, errors.Join(errs...)
}

// puller is a pull's configuration, checked.
type puller struct {
	db       *engine.DB
	opts     *Options
	c        *client
	graphURL string
	base     *url.URL
	types    []string
	overlap  time.Duration
	slice    time.Duration
	top      int
	now      func() time.Time
}

func newPuller(db *engine.DB, opts *Options) (*puller, error) {
	if opts.Credential == nil {
		return nil, errors.New("graph: no credential")
	}
	p := &puller{db: db, opts: opts, graphURL: strings.TrimRight(opts.GraphURL, "/"), types: opts.Types,
		overlap: opts.Overlap, slice: opts.Slice, top: opts.PageSize, now: opts.Now}
	if p.graphURL == "" {
		p.graphURL = DefaultGraphURL
	}
	u, err := url.Parse(p.graphURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("graph: Graph URL %q: want https://host", opts.GraphURL)
	}
	p.base = u
	if len(p.types) == 0 {
		p.types = Types
	}
	for _, t := range p.types {
		if !knownType(t) {
			return nil, fmt.Errorf("graph: sign-in type %q: want one of %s", t, strings.Join(Types, ", "))
		}
	}
	switch {
	case p.overlap == 0:
		p.overlap = DefaultOverlap
	case p.overlap < 0:
		p.overlap = 0
	}
	if p.slice <= 0 {
		p.slice = DefaultSlice
	}
	if p.slice < time.Second {
		return nil, fmt.Errorf("graph: slice %s: at least a second", p.slice)
	}
	if p.top == 0 {
		p.top = DefaultPageSize
	}
	if p.top < 1 || p.top > 1000 {
		return nil, fmt.Errorf("graph: page size %d: Graph serves 1 to 1000 sign-ins a page", p.top)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && !opts.Since.Before(opts.Until) {
		return nil, fmt.Errorf("graph: since %s is not before until %s", opts.Since.Format(time.RFC3339), opts.Until.Format(time.RFC3339))
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	attempts := opts.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	p.c = &client{http: hc, cred: opts.Credential, scope: p.graphURL + "/.default", attempts: attempts,
		now: p.now, sleep: opts.Sleep, jitter: opts.Jitter, warn: opts.OnWarning}
	if p.c.sleep == nil {
		p.c.sleep = sleep
	}
	if p.c.jitter == nil {
		p.c.jitter = rand.Float64
	}
	return p, nil
}

func knownType(t string) bool {
	for _, k := range Types {
		if t == k {
			return true
		}
	}
	return false
}

// SignInsURL is the first page of a type's sign-ins created from a to b
// (both included), as Pull requests it.
func SignInsURL(graphURL, typ string, a, b time.Time, top int) string {
	filter := fmt.Sprintf("(signInEventTypes/any(t: t eq '%s')) and createdDateTime ge %s and createdDateTime le %s",
		typ, a.UTC().Format(time.RFC3339), b.UTC().Format(time.RFC3339))
	return fmt.Sprintf("%s/beta/auditLogs/signIns?$filter=%s&$top=%d", strings.TrimRight(graphURL, "/"), url.QueryEscape(filter), top)
}

// pullType reads one type's window, slice by slice, oldest first.
func (p *puller) pullType(ctx context.Context, name, typ string, until time.Time) (ts TypeStats) {
	ts.Type = typ
	from := p.opts.Since.UTC().Truncate(time.Second)
	cur, err := readCursor(p.db, name)
	if err != nil && from.IsZero() {
		ts.Err = err
		return ts
	}
	ts.Cursor = cur
	if from.IsZero() {
		if cur.IsZero() {
			from = until.Add(-DefaultFirst)
		} else {
			from = cur.Add(-p.overlap)
		}
	}
	ts.From, ts.To = from, until
	start := p.now()
	whole := until.Sub(from)
	var done time.Duration // of the window, in slices read whole
	stuck := false         // a slice was not read whole: the cursor stays before it
	for a := from; a.Before(until); {
		b := a.Add(p.slice)
		if b.After(until) {
			b = until
		}
		complete, err := p.pullSlice(ctx, typ, a, b, &ts, func(oldest time.Time) {
			if p.opts.Progress == nil {
				return
			}
			part := time.Duration(0)
			if !oldest.IsZero() && oldest.Before(b) {
				part = b.Sub(oldest)
				if oldest.Before(a) {
					part = b.Sub(a)
				}
			}
			p.opts.Progress(progressOf(typ, &ts, float64(done+part)/float64(max(whole, 1)), a, p.now().Sub(start), false))
		})
		if err != nil {
			ts.Err = fmt.Errorf("graph: %s sign-ins from %s to %s: %w", typ, a.Format(time.RFC3339), b.Format(time.RFC3339), err)
			return ts
		}
		if !complete {
			stuck = true
		}
		if !stuck {
			if err := saveCursor(p.db, name, a, b, p.now()); err != nil {
				ts.Err = fmt.Errorf("graph: saving the %s cursor: %w", typ, err)
				return ts
			}
			if c, err := readCursor(p.db, name); err == nil {
				ts.Cursor = c
			}
		}
		done += b.Sub(a)
		a = b
	}
	if p.opts.Progress != nil {
		p.opts.Progress(progressOf(typ, &ts, 1, until, p.now().Sub(start), true))
	}
	return ts
}

func progressOf(typ string, ts *TypeStats, covered float64, reached time.Time, el time.Duration, finished bool) Progress {
	pr := Progress{Type: typ, Read: ts.Read, Stored: ts.Stored, Covered: min(covered, 1), Elapsed: el, Reached: reached, Finished: finished}
	if s := el.Seconds(); s > 0 {
		pr.Rate = float64(ts.Read) / s
	}
	if covered > 0 && covered < 1 {
		pr.Left = time.Duration(float64(el) * (1 - covered) / covered)
	}
	return pr
}

// pullSlice reads a type's sign-ins created from a to b into the store,
// following nextLink, and commits them. complete is false when a
// malformed page was skipped, with the rest of the slice after it. The
// next page is fetched while one is stored, so at most three pages are
// held at once.
func (p *puller) pullSlice(ctx context.Context, typ string, a, b time.Time, ts *TypeStats, progress func(oldest time.Time)) (complete bool, err error) {
	complete = true
	var oldest time.Time
	var failed error
	storedBefore := ts.Stored
	pages := make(chan *fetched, 1)
	fctx, cancel := context.WithCancel(ctx)
	fetched := make(chan struct{})
	defer func() {
		cancel()
		<-fetched // the next slice's fetcher is then the only user of p.c
	}()
	go func() { // the fetcher: the only user of p.c while the slice is read
		defer close(fetched)
		defer close(pages)
		u := SignInsURL(p.graphURL, typ, a, b, p.top)
		for u != "" {
			f := p.c.get(fctx, u)
			if f.err == nil && f.page.next != "" {
				if err := checkNext(f.page.next, p.base); err != nil {
					f.err = &PageError{URL: u, Status: http.StatusOK, Reason: err.Error(), Err: ErrMalformedPage}
				}
			}
			select {
			case pages <- f:
			case <-fctx.Done():
				return
			}
			if f.err != nil {
				return
			}
			u = f.page.next
		}
	}()
	ro := logfile.Options{Format: "graph", Workers: 1}
	ist, err := p.db.IngestBatches(ctx, func(add func([]signin.Record) error) error {
		for f := range pages {
			ts.Retries += f.retries
			ts.Throttled += f.throttled
			if f.err != nil {
				var pe *PageError
				if p.opts.SkipMalformed && errors.As(f.err, &pe) && errors.Is(pe, ErrMalformedPage) {
					pe.Reason += fmt.Sprintf("; skipped, with the rest of its slice (sign-ins from %s to %s)", a.Format(time.RFC3339), sliceEnd(oldest, b).Format(time.RFC3339))
					ts.Skipped = append(ts.Skipped, pe)
					if p.opts.OnWarning != nil {
						p.opts.OnWarning(pe)
					}
					complete = false
					return nil
				}
				if ctx.Err() != nil {
					return f.err // interrupted: IngestBatches commits and says so
				}
				failed = f.err // commit what was read, then fail
				return nil
			}
			ts.Pages++
			_, err := logfile.ScanInputs(ctx, []logfile.Input{logfile.ReaderInput(f.url, bytes.NewReader(f.body))}, ro, func(batch *logfile.Batch) error {
				for _, r := range batch.Rejects {
					if p.opts.OnWarning != nil {
						p.opts.OnWarning(r)
					}
				}
				for i := range batch.Records {
					t := batch.Records[i].Time
					if t.After(ts.Newest) {
						ts.Newest = t
					}
					if oldest.IsZero() || t.Before(oldest) {
						oldest = t
					}
				}
				ts.Read += int64(len(batch.Records) + len(batch.Rejects))
				ts.Rejected += int64(len(batch.Rejects))
				return add(batch.Records)
			})
			if err != nil {
				return err
			}
			progress(oldest)
		}
		return ctx.Err()
	}, engine.IngestOptions{
		CommitEvery: p.opts.CommitEvery,
		Progress:    func(s engine.IngestStats) { ts.Stored = storedBefore + s.Stored },
	})
	ts.Stored = storedBefore + ist.Stored
	ts.Duplicates += ist.Duplicates
	ts.Rejected += ist.Rejected
	if err == nil {
		err = failed
	}
	return complete, err
}

// sliceEnd is where the part of a slice not read ends: before the oldest
// sign-in read, or the slice's end if none was.
func sliceEnd(oldest, b time.Time) time.Time {
	if oldest.IsZero() {
		return b
	}
	return oldest
}

// add adds a type's counts to the total.
func (t *TypeStats) add(s *TypeStats) {
	t.Pages += s.Pages
	t.Read += s.Read
	t.Stored += s.Stored
	t.Duplicates += s.Duplicates
	t.Rejected += s.Rejected
	t.Retries += s.Retries
	t.Throttled += s.Throttled
	t.Skipped = append(t.Skipped, s.Skipped...)
	if s.Newest.After(t.Newest) {
		t.Newest = s.Newest
	}
}
