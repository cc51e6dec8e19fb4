package query

import "time"

// Options configure a query (Exec, Run, Execute, ExecuteRows). The zero
// value is the defaults.
type Options struct {
	// Now is the time relative times ("since 24h") are resolved against;
	// the zero value means DB.Now: the store's clock, else its newest
	// sign-in.
	Now time.Time
	// NowLatest resolves relative times against the newest sign-in of the
	// snapshot the query reads, whatever Now says: "since 24h" is then the
	// last day of the data, as with --now latest, which suits an old
	// export. An empty store falls back to Now.
	NowLatest bool
	// MaxMemory bounds, in bytes, the memory a query's groups may take:
	// each part's groups and aggregates' state as they grow, the merged
	// groups and the output rows. A query that needs more stops at once
	// and fails with an error saying what took the memory
	// (ErrTooMuchMemory); the queries its stages run share the limit. It
	// bounds the rows Run and Execute gather into a result.Result too
	// (beyond it, result.ErrTooLarge: Exec and ExecuteRows stream any
	// number). Zero means DefaultMaxMemory, 1 GiB.
	MaxMemory int64
	// DefaultListLimit is the number of sign-ins list returns when the
	// query gives no limit; zero means no limit.
	DefaultListLimit int
	// Timeout bounds how long the query may run; beyond it the query
	// stops and fails with an error saying so (ErrTimeout, which
	// wraps context.DeadlineExceeded). Zero means DefaultTimeout; a
	// negative Timeout means none (the command and the shell, where a
	// person waits and can press Ctrl-C, have none unless given one).
	Timeout time.Duration
}

// DefaultTimeout is a query's time limit when Options.Timeout
// is zero: a program that passes its users' queries to Run is not
// held by one that would run for hours, and any reasonable query on a
// laptop's store (a billion sign-ins and more) ends well within it.
const DefaultTimeout = 60 * time.Second
