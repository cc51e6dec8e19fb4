package query

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTimeout is returned by a query that ran past its time limit
// (Options.Timeout): as a *TimeoutError, which says the
// limit. It wraps context.DeadlineExceeded.
var ErrTimeout = fmt.Errorf("query: the query ran past its time limit: %w", context.DeadlineExceeded)

// TimeoutError is the error of a query stopped by its time limit.
type TimeoutError struct {
	Limit time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("query: stopped after its time limit of %s: narrow the query (a shorter time range, fewer conditions), or give it more time (--timeout in the command, \\timeout in the shell, QueryOptions.Timeout in Go)", e.Limit)
}

// Unwrap returns ErrTimeout.
func (e *TimeoutError) Unwrap() error { return ErrTimeout }

// timeLimit is the time limit options give a query: 0 for none.
func timeLimit(opts Options) time.Duration {
	switch {
	case opts.Timeout < 0:
		return 0
	case opts.Timeout == 0:
		return DefaultTimeout
	}
	return opts.Timeout
}

// withTimeLimit returns ctx with the query's time limit, and a function
// that releases it and turns an error the limit caused into a
// *TimeoutError; a deadline of the caller's own stays its own error.
func withTimeLimit(ctx context.Context, opts Options) (context.Context, func(error) error) {
	limit := timeLimit(opts)
	if limit == 0 {
		return ctx, func(err error) error { return err }
	}
	te := &TimeoutError{Limit: limit}
	ctx, cancel := context.WithTimeoutCause(ctx, limit, te)
	return ctx, func(err error) error {
		defer cancel()
		if err != nil && errors.Is(err, context.DeadlineExceeded) && context.Cause(ctx) == te {
			return te
		}
		return err
	}
}
