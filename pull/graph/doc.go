// Package graph pulls sign-ins from Microsoft Graph into a store: Pull
// reads GET {GraphURL}/beta/auditLogs/signIns once per sign-in event
// type (interactiveUser, nonInteractiveUser, servicePrincipal,
// managedIdentity; Graph lists interactive ones only unless the filter
// names another), filtered by createdDateTime, following @odata.nextLink
// as given, and stores them through the store's Graph reader
// (engine/logfile) with db.IngestBatches, deduplicated as every ingest
// is. At most three pages are held at once: one stored, one waiting, one
// being fetched.
//
// # Window, slices and cursors
//
// Each type is read over a window: from Options.Since, or else from the
// type's cursor minus Options.Overlap (DefaultOverlap, for sign-ins
// Entra delivers late), or else, on a first pull, from DefaultFirst
// before now; to Options.Until or now. Graph lists a filter's sign-ins
// newest first, so a listing interrupted midway has read the newest and
// not the oldest: "how far it has read" can only be said of a whole
// listing. The window is therefore read in slices of Options.Slice (a
// day by default), oldest first, each one listing; once a slice's
// sign-ins are committed, the type's cursor (metadata space Space, name
// CursorName: Graph host, tenant, type; versioned JSON) moves to the
// slice's end. An interrupted first pull of 30 days keeps every day it
// finished; a crash between the commit and the cursor's write only
// makes the next pull read that slice again, and the store skips what it
// holds. The cursor never moves past a slice not read whole (a
// malformed page skipped), never back, and never across a gap (a pull
// --since later than the cursor leaves it where it is).
//
// # Faults
//
// Responses 429 and 503 wait as their Retry-After says (seconds or an
// HTTP date, capped at 10 minutes), else back off; server errors (5xx),
// failed connections and a connection dropped midway through a page
// back off exponentially from a second, doubled per attempt up to a
// minute, with jitter (half the delay fixed, half random), and ask for
// the same page again; Options.Attempts (8) attempts, then ErrGaveUp
// with the page's URL. A token Graph rejects (401, as for an expired
// one) is renewed through the credential once per page. A body that is
// not a Graph page is asked for once more, then is ErrMalformedPage with
// its URL and what is wrong; Options.SkipMalformed skips it, and the
// rest of its slice, whose next link it held, keeping the cursor before
// it. A type that fails does not stop the others. Waits go through
// Options.Sleep and the clock is Options.Now, so tests wait for nothing.
//
// The loop is the package's own rather than azcore's runtime.Pipeline:
// the pipeline's retry policy waits on time.After, which a test cannot
// replace, and its bearer-token policy, on a 401 without a
// WWW-Authenticate challenge, only forgets the token and returns the
// 401; neither knows a page that came whole but is not a Graph page.
// The credential is azcore's TokenCredential all the same, so every
// azidentity credential serves.
package graph
