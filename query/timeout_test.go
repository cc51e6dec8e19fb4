package query

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestTimeout checks the query time limit: the default, none, and a
// limit that passes, which is ErrTimeout (a context.DeadlineExceeded)
// saying the limit and how to raise it; a deadline of the caller's own
// stays the caller's.
func TestTimeout(t *testing.T) {
	if got := timeLimit(Options{}); got != DefaultTimeout || DefaultTimeout != time.Minute {
		t.Errorf("the default time limit is %s, want 1m (DefaultTimeout)", got)
	}
	if got := timeLimit(Options{Timeout: -1}); got != 0 {
		t.Errorf("a negative Timeout gives a limit of %s, want none", got)
	}
	db, err := fuzzStore()
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"count where status=failure group by app", "list where status=failure", "explain analyze count", "count where status=failure group by bin(1h) | spikes"} {
		_, err := Run(t.Context(), db, nil, text, Options{Now: checkNow, Timeout: time.Nanosecond})
		var te *TimeoutError
		if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &te) || te.Limit != time.Nanosecond ||
			!strings.Contains(err.Error(), "stopped after its time limit of 1ns") || !strings.Contains(err.Error(), "--timeout") {
			t.Errorf("%s with a limit of 1ns: %v, want ErrTimeout", text, err)
		}
		if _, err := Run(t.Context(), db, nil, text, Options{Now: checkNow, Timeout: -1}); err != nil {
			t.Errorf("%s without a limit: %v", text, err)
		}
	}
	ctx, cancel := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancel()
	if _, err := Run(ctx, db, nil, "count group by app", Options{Now: checkNow}); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		t.Errorf("a query past its caller's deadline: %v, want the caller's context.DeadlineExceeded", err)
	}
}

// TestCancelStopsFilter cancels queries whose filters are long (hundreds
// of conditions, each over a dictionary) in the middle of their work,
// and counts the units of work (conditions, blocks, batches of
// dictionary values) done after the cancellation: at most two for each
// goroutine (the unit it was in when the cancellation came, and the one
// at which it sees it), however much was left, so that a cancelled or
// timed-out query stops promptly.
func TestCancelStopsFilter(t *testing.T) {
	db, err := fuzzStore()
	if err != nil {
		t.Fatal(err)
	}
	var conds []string
	for i := range 300 {
		conds = append(conds, fmt.Sprintf("not user ~ \"zz%d\"", i))
	}
	where := strings.Join(conds, " and ")
	for _, text := range []string{"count where " + where + " group by app", "list where " + where, "count where latency > 0 and " + where} {
		var work, atCancel atomic.Int64
		ctx, cancel := context.WithCancel(t.Context())
		testHookWork = func() {
			if work.Add(1) == 100 {
				atCancel.Store(100)
				cancel()
			}
		}
		_, err := Run(ctx, db, nil, text, Options{Now: checkNow})
		testHookWork = nil
		cancel()
		after, most := work.Load()-atCancel.Load(), 2*int64(runtime.GOMAXPROCS(0))
		if !errors.Is(err, context.Canceled) || atCancel.Load() == 0 || after > most {
			t.Errorf("%.60s…: %v, %d units of work before the cancellation, %d after (want at most %d)", text, err, atCancel.Load(), after, most)
		}
	}
}
