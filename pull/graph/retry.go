package graph

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff bounds: the first wait after a failure without Retry-After is
// about backoffBase, doubling with each further attempt up to backoffMax.
const (
	backoffBase = time.Second
	backoffMax  = time.Minute
	// retryAfterMax caps a Retry-After: a server asking for more than
	// this is waited for this long, then asked again.
	retryAfterMax = 10 * time.Minute
)

// backoff is the wait before attempt n+1 (n ≥ 1 failures so far), with
// "equal jitter": half the exponential delay, plus up to the other half
// at random (j in [0, 1)), so that clients throttled together do not
// come back together.
func backoff(n int, j float64) time.Duration {
	d := backoffBase
	for i := 1; i < n && d < backoffMax; i++ {
		d *= 2
	}
	d = min(d, backoffMax)
	return d/2 + time.Duration(j*float64(d/2))
}

// retryAfter reads a Retry-After header, seconds or an HTTP date (then
// relative to now), capped at retryAfterMax; ok is false when there is
// none or it is neither.
func retryAfter(h string, now time.Time) (d time.Duration, ok bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(h, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return min(time.Duration(min(s, int64(retryAfterMax/time.Second)))*time.Second, retryAfterMax), true
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), retryAfterMax), true
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
