package graph

import (
	"errors"
	"fmt"
	"time"
)

// Errors a pull's errors wrap; errors.Is tells them apart.
var (
	// ErrGaveUp: a page kept failing (throttled, server errors, dropped
	// connections) through every attempt. Pulling again later resumes
	// from the type's cursor.
	ErrGaveUp = errors.New("graph: gave up")
	// ErrUnauthorized: Graph refused the token (401) even once renewed,
	// or refused the request (403: the application needs AuditLog.Read.All
	// and the tenant Entra ID P1 or P2).
	ErrUnauthorized = errors.New("graph: not authorized")
	// ErrMalformedPage: a response was not a Graph collection (not JSON,
	// or no value array), however often it was asked for.
	ErrMalformedPage = errors.New("graph: malformed page")
	// ErrRequest: Graph refused the request (400, 404 and other client
	// errors); the message says what Graph said.
	ErrRequest = errors.New("graph: request refused")
)

// PageError is the error of one page: its URL and what was wrong. It
// wraps one of the errors above.
type PageError struct {
	URL    string
	Status int // HTTP status; 0 if none came
	Reason string
	Err    error
}

func (e *PageError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: %s (HTTP %d): %s", e.Err, e.URL, e.Status, e.Reason)
	}
	return fmt.Sprintf("%s: %s: %s", e.Err, e.URL, e.Reason)
}

func (e *PageError) Unwrap() error { return e.Err }

// RetryWarning is what Options.OnWarning is told of a page asked for
// again: what went wrong, and how long the pull waits first.
type RetryWarning struct {
	*PageError
	Wait              time.Duration
	Attempt, Attempts int // the attempt that failed, of how many
}

func (w *RetryWarning) Error() string {
	status := ""
	if w.Status != 0 {
		status = fmt.Sprintf(" (HTTP %d)", w.Status)
	}
	return fmt.Sprintf("attempt %d of %d failed, retrying in %s: %s%s: %s", w.Attempt, w.Attempts, w.Wait.Round(time.Millisecond), w.URL, status, w.Reason)
}
