// Package api is signinq's HTTP API: an http.Handler over an open store
// (engine.DB) and a registry of plugins, which signinq serve listens
// with, and which a notebook, a dashboard or a script in another
// language queries (docs/api.md; the OpenAPI document at /openapi.json,
// also docs/openapi.json). It is also how one store is shared by the
// signinq processes of a user: the process holding the store serves the
// API on a Unix socket in the store's directory (ServeSocket), and the
// others ask it there (Dial, Client), reading a query's rows back into
// the values the holder's query gave (DecodeRow).
//
// The routes, under /v1/: query (GET and POST: a statement of the
// language, run by query.Exec, its answer as one JSON document, or
// streamed as NDJSON or CSV with the columns in a header and the notes
// and a late error in trailers), ingest (POST: a log, stored
// deduplicated; with progress, an NDJSON stream of its progress, rejects
// and warnings; stopped where the body ends by its Signinq-Interrupt
// trailer), stats, span, lists, saved, values (what a shell asking the
// holder greets, lists and completes from), fields, plugins and health;
// and /openapi.json.
//
// Contracts:
//
//   - The rows are the writers' own: the json form's rows and the ndjson
//     lines are what signinq query --format json prints, the csv form
//     what --format csv prints, written by the same plugins.
//   - Every error is a JSON Error with a kind a client switches on, and
//     for a query error its position and caret, so that a client can say
//     what the command would have said; the status follows the kind
//     (errors.go).
//   - A query runs under a time limit and a memory limit (the request's,
//     held to the server's maximums); the buffered json form under a
//     bound on its rows and bytes; a body under a bound on its size.
//     Cancelling the request (a client that hangs up) cancels the query.
//   - With a token (Options.Token), every route but /v1/health needs it;
//     a refused request is logged with its method, path and remote
//     address only. Without one, a web page cannot use the server: a
//     POST must say Content-Type: application/json, a GET cannot define
//     or undefine, and with Options.LoopbackHosts a request must name a
//     loopback host (DNS rebinding).
//   - The socket is its user's alone: mode 0600, and each connection's
//     peer checked to be that user (SO_PEERCRED, Linux), else refused
//     (403, kind auth; a Client says ErrOtherUser). On it the limits are
//     the request's (SocketOptions): the caller would have run the query
//     itself. The holder removes it when it lets the store go; one a
//     killed holder left is replaced.
//   - A row read back with DecodeRow is the row written: every kind,
//     null, NaN and the infinities, nanoseconds of times and durations.
//   - Nothing here reads the wall clock but through Options.Now, panics
//     on a request or exits the process.
//
// The files: handler.go, the Handler, its Options and routes; query.go,
// /v1/query: the request, its options and the three forms; errors.go,
// the Error and statuses; auth.go, the bearer token; describe.go, stats,
// fields, plugins and health; contents.go, the store's span, lists,
// saved queries and values; openapi.go, the OpenAPI document; ingest.go,
// /v1/ingest and its progress stream; socket.go, the store's socket and the Client that dials it;
// client.go, the Client's queries and stats; decode.go, rows, columns and
// notes read back; peer_linux.go, a connection's user and process.
package api
