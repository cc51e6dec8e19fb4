package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/query"
)

// The kinds of error a response carries (Error.Kind): what a client
// switches on to say what went wrong as the command would, and to pick
// its exit status.
const (
	KindQuery    = "query"    // the statement is wrong (400): Position and Caret say where
	KindMemory   = "memory"   // the query's groups outgrew its memory limit (422)
	KindResult   = "result"   // the answer is too large for the buffered json form (422)
	KindTimeout  = "timeout"  // the query ran past its time limit (504)
	KindCanceled = "canceled" // the request was cancelled, or the server is shutting down (503)
	KindStore    = "store"    // the store cannot be used (500): Cause says why
	KindFailed   = "failed"   // the query failed as it ran: the store's reading, a stage's error (500)
	KindInternal = "internal" // a bug, or a plugin's panic (500)
	KindRequest  = "request"  // the request is malformed: body, parameters, route, method (400, 404, 405, 413)
	KindAuth     = "auth"     // no bearer token, or a wrong one (401)
)

// The causes of a store error (Error.Cause), as the command tells them
// apart for its exit statuses.
const (
	CauseLocked  = "locked"  // engine.ErrLocked
	CauseNoStore = "nostore" // engine.ErrNotStore
	CauseDamaged = "damaged" // engine.ErrCorruption
	CauseNoSpace = "nospace" // engine.ErrNoSpace
)

// Error is the body of every error response, under "error", and the
// value of the Signinq-Error trailer of a streamed answer that failed
// after its first rows. Message is the error's text as the command
// prints it after "signinq: ".
type Error struct {
	Message string `json:"message"`
	Kind    string `json:"kind"`
	// Position is where in the statement a query error is (1-based line
	// and column, 0-based byte offset); absent for other kinds and for an
	// error about a statement a stage built.
	Position *Position `json:"position,omitempty"`
	// Caret is the statement's line the query error is on and, under it,
	// a caret at its column: what the command prints before the message.
	Caret string `json:"caret,omitempty"`
	// Cause says why the store cannot be used (kind store): locked,
	// nostore, damaged, nospace; absent for other kinds.
	Cause string `json:"cause,omitempty"`

	status int
}

// Position is a position in a statement's text.
type Position struct {
	Offset int `json:"offset"`
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (e *Error) Error() string { return e.Message }

// Status is the HTTP status the error is answered with.
func (e *Error) Status() int { return e.status }

// requestError is a malformed request's error (400 unless status says).
func requestError(status int, format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...), Kind: KindRequest, status: status}
}

// errorOf classifies an error of running the statement text.
func errorOf(err error, text string) *Error {
	var (
		qe *query.Error
		ae *Error
	)
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, query.ErrTooMuchMemory):
		// The command adds "with --max-memory"; here the request's
		// maxMemory raises the limit (docs/api.md).
		return &Error{Message: err.Error(), Kind: KindMemory, status: http.StatusUnprocessableEntity}
	case errors.As(err, &qe): // before the causes it may wrap, as the command
		e := &Error{Message: qe.Error(), Kind: KindQuery, status: http.StatusBadRequest}
		if qe.Pos.Line > 0 {
			e.Position = &Position{Offset: qe.Pos.Offset, Line: qe.Pos.Line, Column: qe.Pos.Col}
			e.Caret = qe.Caret(text)
		}
		return e
	case errors.Is(err, query.ErrTimeout):
		return &Error{Message: err.Error(), Kind: KindTimeout, status: http.StatusGatewayTimeout}
	case errors.Is(err, context.Canceled):
		return &Error{Message: err.Error(), Kind: KindCanceled, status: http.StatusServiceUnavailable}
	case errors.Is(err, query.ErrInternal), errors.Is(err, query.ErrPluginPanic):
		return &Error{Message: err.Error(), Kind: KindInternal, status: http.StatusInternalServerError}
	}
	e := &Error{Message: err.Error(), Kind: KindStore, status: http.StatusInternalServerError}
	switch {
	default:
		e.Kind = KindFailed
	case errors.Is(err, engine.ErrLocked):
		e.Cause = CauseLocked
	case errors.Is(err, engine.ErrNotStore):
		e.Cause = CauseNoStore
	case errors.Is(err, engine.ErrCorruption):
		e.Cause = CauseDamaged
	case errors.Is(err, engine.ErrNoSpace):
		e.Cause = CauseNoSpace
	}
	return e
}

// errorBody is an error response's body.
type errorBody struct {
	Error *Error `json:"error"`
}

// writeError answers with the error, as JSON, at its status.
func writeError(w http.ResponseWriter, e *Error) {
	if e.Kind == KindAuth {
		w.Header().Set("WWW-Authenticate", `Bearer realm="signinq"`)
	}
	writeJSON(w, e.status, errorBody{e})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only values of this package's types: a bug
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{&Error{Message: err.Error(), Kind: KindInternal}})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// headerJSON is v as JSON fit for a header or trailer's value: on one
// line (JSON escapes line breaks in strings) and ASCII only, every other
// character escaped as \uXXXX, so that it passes any HTTP stack intact.
func headerJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(&Error{Message: err.Error(), Kind: KindInternal})
	}
	var s strings.Builder
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		i += n
		if r < utf8.RuneSelf {
			s.WriteByte(byte(r))
			continue
		}
		if r >= 0x10000 { // a surrogate pair, as JSON writes one
			r -= 0x10000
			fmt.Fprintf(&s, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			continue
		}
		fmt.Fprintf(&s, `\u%04x`, r)
	}
	return s.String()
}
