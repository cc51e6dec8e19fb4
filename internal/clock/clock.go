package clock

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Env is the variable that sets the instant [Test] starts at: an RFC 3339
// time (2026-12-31T23:59:30Z) or a date (2026-12-31, its midnight UTC).
const Env = "SIGNINQ_TEST_NOW"

// Default is the instant [Test] starts at when $SIGNINQ_TEST_NOW is unset.
var Default = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

var (
	once  sync.Once
	start time.Time
	base  time.Time
	err   error
)

// Start returns the instant the test clock starts at: $SIGNINQ_TEST_NOW,
// else Default. A value that is not a time is an error.
func Start() (time.Time, error) {
	s := os.Getenv(Env)
	if s == "" {
		return Default, nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("$%s=%q: want an RFC 3339 time (2026-12-31T23:59:30Z) or a date (2026-12-31)", Env, s)
}

// Test is the clock for tests: it reads Start the first time it is
// called, and from then on returns that instant plus the time elapsed
// since, so durations measured with it are real. A bad $SIGNINQ_TEST_NOW
// panics: it is a mistake in how the tests were run, not in what they test.
func Test() time.Time {
	once.Do(func() {
		base, err = Start()
		start = time.Now()
	})
	if err != nil {
		panic(err)
	}
	return base.Add(time.Since(start))
}
