package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
)

// SignInContainers are the containers diagnostic settings archive the
// sign-in categories to, one per category: interactive, non-interactive,
// service principal, managed identity, Microsoft's own service
// principals, and AD FS.
var SignInContainers = []string{
	"insights-logs-signinlogs",
	"insights-logs-noninteractiveusersigninlogs",
	"insights-logs-serviceprincipalsigninlogs",
	"insights-logs-managedidentitysigninlogs",
	"insights-logs-microsoftserviceprincipalsigninlogs",
	"insights-logs-adfssigninlogs",
}

// Options configure a pull.
type Options struct {
	// Client is the storage account's client (azblob.NewClient with a
	// credential, NewClientFromConnectionString, or NewClientWithNoCredential
	// with a SAS URL). Its retry policy handles throttling and server
	// errors. Required.
	Client *azblob.Client
	// Account names the account in the store's metadata; empty means the
	// account's name, from the client's URL (see MetaSpace).
	Account string
	// Containers are the containers read. Empty means SignInContainers,
	// of which a missing one is a warning; a container named here that is
	// missing is an error (ErrNoContainer).
	Containers []string
	// Since and Until, when set, bound the blobs read by the hour their
	// path names (see BlobHour): a blob is read when its hour overlaps
	// [Since, Until). A blob whose path names no hour is then not read.
	Since, Until time.Time
	// Now is the clock of progress reports; nil means time.Now.
	Now func() time.Time
	// Progress, if set, is called as blobs are read, from the goroutine
	// that called Pull.
	Progress func(Progress)
	// OnWarning, if set, is called with each warning: a default container
	// missing, a blob replaced or read again whole, a blob that could not
	// be read (its name and the error), the readers' warnings. Its Input
	// is container/blob.
	OnWarning func(*logfile.Warning)
	// OnReject, if set, is called with each record rejected, its Input
	// container/blob and its Line the line in the blob.
	OnReject func(*logfile.Reject)
	// Read configures the readers (Workers, Classifier,
	// MaxRecordBytes); its Format is always diag.
	Read logfile.Options
	// CommitEvery and CommitInterval are engine.IngestOptions'.
	CommitEvery    int
	CommitInterval time.Duration
	// RetryReads is how many times a blob's download that fails midway
	// is resumed where it stopped (azblob's RetryReader); 0 means 3.
	RetryReads int
}

// Progress is a pull under way.
type Progress struct {
	Blobs, BlobsTotal int           // blobs read so far, and to read
	Bytes, BytesTotal int64         // new bytes read so far, and to read
	SignIns           int64         // records read
	Rate              float64       // bytes a second so far
	Left              time.Duration // time left at that rate; 0 when unknown
}

// Stats counts what a pull did.
type Stats struct {
	Containers     int   // containers listed
	Missing        int   // default containers not in the account
	BlobsListed    int   // blobs in the containers
	BlobsOutside   int   // blobs outside Since and Until, not read
	BlobsUnchanged int   // blobs read before that have not grown
	BlobsRead      int   // blobs read, from the start or from where the last pull stopped
	BlobsAgain     int   // of those, blobs read again whole: replaced, shrunk, or their cursor not understood
	BlobsFailed    int   // blobs that could not be read: read again by the next pull
	Forgotten      int   // cursors of blobs no longer in their container, dropped
	Bytes          int64 // bytes read
	Read           int64 // records read
	Stored         int64 // new sign-ins stored
	Duplicates     int64 // sign-ins already stored
	Rejected       int64 // records rejected
	// Newest is the time of the newest sign-in read (zero if none): the
	// pull's lag is how long before now it was.
	Newest time.Time
}

// Errors a pull returns, wrapped.
var (
	// ErrNoContainer: a container named in Options.Containers is not in
	// the account.
	ErrNoContainer = errors.New("no such container")
	// ErrIncomplete: some blobs could not be read (Stats.BlobsFailed);
	// the rest were, and the next pull reads those again from where
	// this one found them.
	ErrIncomplete = errors.New("some blobs could not be read")
)

// blobWork is a blob to read, from its cursor on.
type blobWork struct {
	container, name, key string
	from                 cursor // where to start: Offset, Lines
	to                   cursor // the blob as listed: Size, ETag, times
}

// Pull reads the sign-ins of the append blobs of a storage account's
// containers into db, deduplicated, each blob's bytes once: of a blob
// read before, only what was appended since (the store keeps per blob,
// in MetaSpace, the offset of the end of its last whole line read). A
// blob caught while it is being appended to ends inside a record, which
// is left for the next pull. A blob replaced since (created again, or
// shorter than what was read) is read again whole, with a warning.
//
// The offsets are written once the sign-ins before them are committed:
// a crash between the two reads them again, and deduplication skips
// them. When ctx is done, Pull commits what it read, saves the offsets
// of the blobs read whole, and returns an error wrapping
// engine.ErrInterrupted; the next pull reads the blob it was in again
// from its last offset. A blob that cannot be read (after the client's
// retries and RetryReads resumptions) is a warning naming it, the pull
// goes on, and Pull returns an error wrapping ErrIncomplete at the end.
//
// Cursors of blobs no longer in a container listed (deleted by a
// retention policy) are dropped, so the metadata stays as large as the
// account's listing.
func Pull(ctx context.Context, db *engine.DB, opts Options) (Stats, error) {
	var st Stats
	if opts.Client == nil {
		return st, errors.New("pull storage: no client")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	account := opts.Account
	if account == "" {
		account = accountName(opts.Client.URL())
	}
	containers, explicit := opts.Containers, len(opts.Containers) > 0
	if !explicit {
		containers = SignInContainers
	}
	warn := func(input string, format string, args ...any) {
		if opts.OnWarning != nil {
			opts.OnWarning(&logfile.Warning{Input: input, Message: fmt.Sprintf(format, args...)})
		}
	}
	saved, err := db.AllMeta(MetaSpace)
	if err != nil {
		return st, err
	}
	var (
		work   []blobWork
		forget = map[string][]byte{}
		total  int64
	)
	for _, c := range containers {
		items, err := list(ctx, opts.Client, c)
		if bloberror.HasCode(err, bloberror.ContainerNotFound) {
			if explicit {
				return st, fmt.Errorf("pull storage: container %s in %s: %w", c, account, ErrNoContainer)
			}
			st.Missing++
			warn(c, "no such container in %s: diagnostic settings have archived no sign-ins of this category there", account)
			continue
		}
		if err != nil && ctx.Err() != nil {
			return st, fmt.Errorf("pull storage: %w: %w", engine.ErrInterrupted, ctx.Err())
		}
		if err != nil {
			return st, fmt.Errorf("pull storage: listing container %s in %s: %w", c, account, err)
		}
		st.Containers++
		prefix := account + "/" + c + "/"
		listed := map[string]bool{}
		for _, it := range items {
			st.BlobsListed++
			key := prefix + it.name
			listed[key] = true
			if !within(it.name, opts.Since, opts.Until) {
				st.BlobsOutside++
				continue
			}
			from := cursor{}
			if v, ok := saved[key]; ok {
				old, err := decodeCursor(v)
				switch {
				case err != nil:
					st.BlobsAgain++
					warn(c+"/"+it.name, "read again whole: what the store kept of it is not understood (%v)", err)
				case !old.Created.IsZero() && !it.Created.IsZero() && !old.Created.Equal(it.Created):
					st.BlobsAgain++
					warn(c+"/"+it.name, "read again whole: it was deleted and created again since the last pull (created %s, was %s)", it.Created.Format(time.RFC3339), old.Created.Format(time.RFC3339))
				case it.Size < old.Offset:
					st.BlobsAgain++
					warn(c+"/"+it.name, "read again whole: it holds %d bytes, fewer than the %d read before (replaced)", it.Size, old.Offset)
				case it.Size == old.Offset || (it.Size == old.Size && it.ETag == old.ETag):
					st.BlobsUnchanged++
					continue
				default:
					from = old
				}
			}
			to := it.cursor()
			work = append(work, blobWork{container: c, name: it.name, key: key, from: from, to: to})
			total += to.Size - from.Offset
		}
		for k := range saved {
			if strings.HasPrefix(k, prefix) && !listed[k] {
				forget[k] = nil
			}
		}
	}
	if len(forget) > 0 {
		if err := db.UpdateMeta(MetaSpace, func(map[string][]byte) (map[string][]byte, error) { return forget, nil }); err != nil {
			return st, fmt.Errorf("pull storage: dropping the cursors of deleted blobs: %w", err)
		}
		st.Forgotten = len(forget)
	}
	p := &puller{opts: &opts, db: db, st: &st, start: opts.Now(), total: total, blobs: len(work)}
	ist, err := db.IngestBatches(ctx, func(add func([]signin.Record) error) error {
		for i := range work {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := p.blob(ctx, &work[i], add); err != nil {
				return err
			}
		}
		return nil
	}, engine.IngestOptions{
		CommitEvery:    opts.CommitEvery,
		CommitInterval: opts.CommitInterval,
		OnReject:       opts.OnReject, // sign-ins the store refuses
		OnCommit:       func(int64) { p.commitDone() },
	})
	st.Stored, st.Duplicates = ist.Stored, ist.Duplicates
	st.Rejected += ist.Rejected
	if err == nil && p.err != nil {
		err = p.err
	}
	if err == nil || errors.Is(err, engine.ErrInterrupted) {
		// Everything added is committed.
		p.commitDone()
		if err == nil {
			err = p.err
		}
	}
	if err != nil {
		return st, fmt.Errorf("pull storage: %w", err)
	}
	if st.BlobsFailed > 0 {
		return st, fmt.Errorf("pull storage: %d of %d blobs: %w (see the warnings); the next pull reads them again", st.BlobsFailed, len(work), ErrIncomplete)
	}
	return st, nil
}

// accountName is the name of the account a client URL reaches: the
// first path segment of a path-style URL (Azurite's
// https://127.0.0.1:10000/devstoreaccount1), else the first label of the
// host (myaccount of https://myaccount.blob.core.windows.net), so that
// the same account reached through another endpoint (a proxy, a private
// endpoint) keeps its cursors.
func accountName(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return "account"
	}
	if seg, _, _ := strings.Cut(strings.Trim(pu.Path, "/"), "/"); seg != "" {
		return seg
	}
	label, _, _ := strings.Cut(pu.Hostname(), ".")
	return label
}

// within reports whether a blob's hour overlaps [since, until).
func within(name string, since, until time.Time) bool {
	if since.IsZero() && until.IsZero() {
		return true
	}
	h, ok := BlobHour(name)
	if !ok {
		return false
	}
	return (since.IsZero() || h.Add(time.Hour).After(since)) && (until.IsZero() || h.Before(until))
}

// item is a blob as listed.
type item struct {
	name              string
	Size              int64
	ETag              string
	Created, Modified time.Time
}

func (it item) cursor() cursor {
	return cursor{Size: it.Size, ETag: it.ETag, Created: it.Created, Modified: it.Modified}
}

// list lists a container's blobs, in name order (the service's).
func list(ctx context.Context, client *azblob.Client, container string) ([]item, error) {
	var out []item
	pager := client.NewListBlobsFlatPager(container, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range page.Segment.BlobItems {
			if b.Name == nil || b.Properties == nil {
				continue
			}
			it := item{name: *b.Name}
			pr := b.Properties
			if pr.ContentLength != nil {
				it.Size = *pr.ContentLength
			}
			if pr.ETag != nil {
				it.ETag = string(*pr.ETag)
			}
			if pr.CreationTime != nil {
				it.Created = pr.CreationTime.UTC()
			}
			if pr.LastModified != nil {
				it.Modified = pr.LastModified.UTC()
			}
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b item) int { return cmp.Compare(a.name, b.name) })
	return out, nil
}

// puller reads blobs into an ingest.
type puller struct {
	opts         *Options
	db           *engine.DB
	st           *Stats
	start        time.Time
	total, bytes int64
	blobs, done  int
	// read are the cursors of the blobs read whole and not yet saved:
	// saved once what was read of them is committed.
	pending map[string][]byte
	err     error // saving cursors failed
}

// commitDone saves the cursors of the blobs read before a commit.
func (p *puller) commitDone() {
	if len(p.pending) == 0 || p.err != nil {
		return
	}
	changes := p.pending
	if err := p.db.UpdateMeta(MetaSpace, func(map[string][]byte) (map[string][]byte, error) { return changes, nil }); err != nil {
		p.err = fmt.Errorf("saving how far blobs were read: %w", err)
		return
	}
	p.pending = nil
}

// blob reads a blob's new bytes into the ingest. It returns an error
// only when the pull cannot go on (ctx done, the store failing); a blob
// that cannot be read is a warning.
func (p *puller) blob(ctx context.Context, w *blobWork, add func([]signin.Record) error) error {
	opts, st := p.opts, p.st
	input := w.container + "/" + w.name
	st.BlobsRead++
	err := p.read(ctx, w, input, add)
	if errors.Is(err, errReplaced) {
		st.BlobsAgain++
		if opts.OnWarning != nil {
			opts.OnWarning(&logfile.Warning{Input: input, Message: "read again whole: " + err.Error() + " (it was replaced since)"})
		}
		w.from = cursor{}
		err = p.read(ctx, w, input, add)
	}
	return err
}

// read reads a blob from w.from into the ingest; it returns errReplaced,
// having read nothing, when the blob no longer holds what w.from says was
// read.
func (p *puller) read(ctx context.Context, w *blobWork, input string, add func([]signin.Record) error) error {
	opts, st := p.opts, p.st
	check := w.from.Last
	start := w.from.Offset - int64(len(check))
	n := w.to.Size - start
	fail := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		st.BlobsFailed++
		if opts.OnWarning != nil {
			opts.OnWarning(&logfile.Warning{Input: input, Message: fmt.Sprintf("not read (the next pull reads it again from byte %d): %v", w.from.Offset, err)})
		}
		return nil
	}
	resp, err := opts.Client.DownloadStream(ctx, w.container, w.name, &azblob.DownloadStreamOptions{
		Range: azblob.HTTPRange{Offset: start, Count: n},
	})
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		// Deleted since it was listed (a retention policy): the next
		// pull drops its cursor.
		if opts.OnWarning != nil {
			opts.OnWarning(&logfile.Warning{Input: input, Message: "deleted since it was listed; not read"})
		}
		return nil
	}
	if err != nil {
		return fail(err)
	}
	retries := int32(opts.RetryReads)
	if retries <= 0 {
		retries = 3
	}
	body := resp.NewRetryReader(ctx, &blob.RetryReaderOptions{MaxRetries: retries})
	defer body.Close()
	limit := opts.Read.MaxRecordBytes
	if limit <= 0 {
		limit = logfile.DefaultMaxRecordBytes
	}
	wl := newWholeLines(body, limit)
	wl.check = check
	ro := opts.Read
	ro.Format = "diag"
	base := p.bytes
	var newest time.Time
	var refused error
	_, err = logfile.ScanInputs(ctx, []logfile.Input{logfile.ReaderInput(input, wl)}, ro, func(b *logfile.Batch) error {
		for _, wn := range b.Warnings {
			if opts.OnWarning != nil {
				opts.OnWarning(wn)
			}
		}
		for _, r := range b.Rejects {
			switch {
			case wl.failed() != nil && strings.HasPrefix(r.Reason, "read error: "):
				continue // the blob's failure, reported below
			case r.Refused:
				refused = r
				continue
			}
			if r.Line > 0 {
				r.Line += int(w.from.Lines)
			}
			st.Rejected++
			st.Read++
			if opts.OnReject != nil {
				opts.OnReject(r)
			}
		}
		for i := range b.Records {
			if t := b.Records[i].Time; t.After(newest) {
				newest = t
			}
		}
		st.Read += int64(len(b.Records))
		if err := add(b.Records); err != nil {
			return err
		}
		p.bytes = base + wl.consumed.Load()
		p.progress()
		return nil
	})
	if newest.After(st.Newest) {
		st.Newest = newest
	}
	st.Bytes += wl.consumed.Load()
	p.bytes = base + wl.consumed.Load()
	switch {
	case err != nil:
		return err // ctx, or the store
	case errors.Is(wl.failed(), errReplaced):
		return errReplaced
	case wl.failed() != nil:
		return fail(fmt.Errorf("reading from byte %d: %w", w.from.Offset+wl.consumed.Load(), wl.failed()))
	case refused != nil:
		return fail(refused)
	}
	to := w.to
	to.Offset = w.from.Offset + wl.consumed.Load()
	to.Lines = w.from.Lines + wl.lines.Load()
	to.Last = wl.last
	if wl.consumed.Load() == 0 {
		to.Last = w.from.Last
	}
	if p.pending == nil {
		p.pending = map[string][]byte{}
	}
	p.pending[w.key] = to.encode()
	p.done++
	p.progress()
	return nil
}

func (p *puller) progress() {
	if p.opts.Progress == nil {
		return
	}
	pr := Progress{Blobs: p.done, BlobsTotal: p.blobs, Bytes: p.bytes, BytesTotal: p.total, SignIns: p.st.Read}
	if el := p.opts.Now().Sub(p.start).Seconds(); el > 0 {
		pr.Rate = float64(p.bytes) / el
		if pr.Rate > 0 && p.total > p.bytes {
			pr.Left = time.Duration(float64(p.total-p.bytes) / pr.Rate * float64(time.Second))
		}
	}
	p.opts.Progress(pr)
}
