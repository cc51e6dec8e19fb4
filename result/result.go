package result

import (
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// Column describes a column of a query result.
type Column struct {
	Name string      // the alias, else the canonical text in lower case, else the field's name
	Kind signin.Kind // the kind of its values
	// Field is the catalog field whose values the column holds (a group
	// key, a column of list or show), "" for a computed one (an
	// aggregate, arithmetic): writers print a field's numbers, codes and
	// identifiers among them, as they are, and counts for reading.
	Field string
	// Key marks a group key of an aggregate or top query (a field, a
	// function of one, or bin): each row is one combination of the keys'
	// values, and the other columns are computed over it. Stages that
	// read aggregate rows tell keys from aggregates by it (spikes' series
	// are the keys other than the bin).
	Key bool
	// Bin is the bucket length of a bin(D) key, 0 for any other column:
	// the key's values are the starts of buckets of this length.
	Bin time.Duration
}

// Result is the answer to a query: named, typed columns and rows of
// values, in the query's order.
type Result struct {
	Columns []Column
	Rows    [][]Value
	// Plan is the plan, for explain; with explain analyze it holds rows
	// and times per step.
	Plan string
	// Stats says what the query read.
	Stats Stats
	// Notes say what the rows alone do not (NoDataNote, ListLimitNote):
	// for people, beside the rows, never among them.
	Notes []Note
}

// Stats counts what a query read.
type Stats struct {
	Parts      int   // parts the time range and the store hold
	PartsRead  int   // parts read
	BlocksRead int   // column blocks decoded
	Rows       int64 // sign-ins selected
}
