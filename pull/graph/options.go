package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

// The four values of Graph beta's signIn.signInEventTypes a pull reads,
// one request stream each (Graph returns interactive sign-ins only
// unless the filter names another type).
const (
	InteractiveUser    = "interactiveUser"
	NonInteractiveUser = "nonInteractiveUser"
	ServicePrincipal   = "servicePrincipal"
	ManagedIdentity    = "managedIdentity"
)

// Types are the four sign-in event types, the default of Options.Types.
var Types = []string{InteractiveUser, NonInteractiveUser, ServicePrincipal, ManagedIdentity}

// Defaults of Options.
const (
	// DefaultGraphURL is the global service's Graph endpoint. National
	// clouds have their own (https://graph.microsoft.us,
	// https://dod-graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn).
	DefaultGraphURL = "https://graph.microsoft.com"

	// DefaultOverlap is how far before its cursor a pull starts reading a
	// type again, to pick up sign-ins Entra delivers late. Microsoft's
	// published reporting latency for sign-ins was 2 minutes at the 95th
	// percentile and 5 minutes at the 99th ("Azure Active Directory
	// reporting latencies", learn.microsoft.com, until 2022); its current
	// page ("Log latency in Microsoft Entra ID") gives no figure and warns
	// that delays in the underlying infrastructure delay the logs, and
	// collectors observe non-interactive sign-ins 15 to 30 minutes late.
	// An hour is twelve times the published 99th percentile and twice the
	// observed non-interactive delay; a sign-in later than the overlap is
	// missed by incremental pulls (docs/pull.md). Re-read sign-ins cost
	// traffic, never duplicates: they are stored once.
	DefaultOverlap = time.Hour

	// DefaultFirst is how far back a first pull of a type reads when
	// Options.Since is not given: Entra ID P1/P2 keep sign-ins 30 days.
	DefaultFirst = 30 * 24 * time.Hour

	// DefaultSlice is the length of the time slices a window is read in,
	// oldest first; a type's cursor advances at the end of each.
	DefaultSlice = 24 * time.Hour

	// DefaultPageSize is Graph's maximum and default page size for
	// signIns ($top).
	DefaultPageSize = 1000

	// DefaultAttempts is how many times a page is requested before the
	// pull of its type gives up.
	DefaultAttempts = 8
)

// Options configure Pull. Only Credential is required.
type Options struct {
	// GraphURL is the Graph endpoint, without /beta: DefaultGraphURL if
	// empty. The token's scope is GraphURL + "/.default".
	GraphURL string
	// Credential gives the bearer tokens (azidentity's credentials, or a
	// static one). A token Graph rejects as expired (401) is renewed once
	// per page, by asking Credential again.
	Credential azcore.TokenCredential
	// Tenant names the tenant in the cursors' names; empty means the
	// token's tid claim.
	Tenant string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Types are the signInEventTypes values to read; nil means Types.
	Types []string
	// Since and Until bound the window read: a zero Since means each
	// type's cursor minus Overlap (or Now minus DefaultFirst for a type
	// never pulled), a zero Until means Now. A given Since reads from
	// there whatever the cursor.
	Since, Until time.Time
	// Overlap is how far before its cursor a type is read again: 0 means
	// DefaultOverlap, a negative value none.
	Overlap time.Duration
	// Slice is the length of the slices the window is read in: 0 means
	// DefaultSlice.
	Slice time.Duration
	// PageSize is $top, 1 to 1000: 0 means DefaultPageSize.
	PageSize int
	// Attempts is how many times a page is requested before giving up:
	// 0 means DefaultAttempts.
	Attempts int
	// Now is the clock: nil means time.Now.
	Now func() time.Time
	// Sleep waits between attempts: nil means a timer, cut short by ctx.
	// Tests record the waits instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1) to spread the backoff: nil means
	// math/rand/v2.
	Jitter func() float64
	// Progress, if set, is called after every page, from the goroutine
	// that called Pull.
	Progress func(Progress)
	// SkipMalformed skips a page that is not a Graph response (after
	// retrying it) instead of ending the type's pull; the type's cursor
	// then stays before it.
	SkipMalformed bool
	// OnWarning, if set, is told what went wrong and was dealt with: a
	// retry and why, a page skipped, a record the reader rejected.
	OnWarning func(error)
	// CommitEvery is passed to the store's ingest (engine.IngestOptions).
	CommitEvery int
}

// Progress is how far a pull has got with one type.
type Progress struct {
	Type     string
	Read     int64         // sign-ins read
	Stored   int64         // sign-ins new to the store, committed
	Covered  float64       // share of the type's window read, 0 to 1
	Rate     float64       // sign-ins read per second
	Left     time.Duration // time left, estimated from Covered; 0 when unknown
	Elapsed  time.Duration
	Reached  time.Time // the slice being read starts here
	Finished bool
}

// Stats counts what a pull did, per type and in total.
type Stats struct {
	Types []TypeStats
	Total TypeStats // Type is empty; Cursor and Window are zero
}

// TypeStats counts what a pull did with one type.
type TypeStats struct {
	Type       string
	From, To   time.Time // the window read
	Pages      int64
	Read       int64 // sign-ins read (Graph records in the pages)
	Stored     int64 // new sign-ins committed
	Duplicates int64 // sign-ins the store already held
	Rejected   int64 // records the reader or the store refused
	Retries    int64 // requests repeated (throttling, faults, token renewal)
	Throttled  int64 // responses 429 and 503
	// Cursor is how far the type has been read once the pull ended: every
	// sign-in created at or before it, as Graph had it then, is stored.
	// Zero if the type has never been read through a slice.
	Cursor time.Time
	// Newest is the newest createdDateTime read; zero if none.
	Newest time.Time
	// Skipped are the pages skipped as malformed (SkipMalformed).
	Skipped []*PageError
	Err     error // why the type's pull stopped early; nil if it did not
}
