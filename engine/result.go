package engine

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// Value is one cell of a query result: a string, an integer, a decimal
// number, a time, a flag or a list of strings, or null (an average of
// nothing, a division by zero). The zero Value is a null string.
type Value struct {
	kind signin.Kind
	null bool
	i    int64 // KindInt; KindTime as Unix nanoseconds; KindBool as 0 or 1
	f    float64
	s    string
	l    []string
}

// StringValue, IntValue, FloatValue, TimeValue, BoolValue and ListValue
// make values; Null makes the null value of a kind.
func StringValue(s string) Value  { return Value{kind: signin.KindString, s: s} }
func IntValue(v int64) Value      { return Value{kind: signin.KindInt, i: v} }
func FloatValue(v float64) Value  { return Value{kind: signin.KindFloat, f: v} }
func TimeValue(t time.Time) Value { return Value{kind: signin.KindTime, i: t.UnixNano()} }
func ListValue(l []string) Value  { return Value{kind: signin.KindList, l: l} }
func Null(kind signin.Kind) Value { return Value{kind: kind, null: true} }

// BoolValue makes a flag.
func BoolValue(b bool) Value {
	v := Value{kind: signin.KindBool}
	if b {
		v.i = 1
	}
	return v
}

// Kind returns the value's kind.
func (v Value) Kind() signin.Kind { return v.kind }

// IsNull reports whether the value is null.
func (v Value) IsNull() bool { return v.null }

// Str returns a string value ("" for other kinds).
func (v Value) Str() string { return v.s }

// Int returns an integer value, or a flag as 0 or 1.
func (v Value) Int() int64 { return v.i }

// Float returns a number as a float64, whether integer or decimal.
func (v Value) Float() float64 {
	if v.kind == signin.KindInt {
		return float64(v.i)
	}
	return v.f
}

// Time returns a time value, in UTC.
func (v Value) Time() time.Time { return time.Unix(0, v.i).UTC() }

// Bool returns a flag.
func (v Value) Bool() bool { return v.i != 0 }

// List returns a list value. The slice must not be modified.
func (v Value) List() []string { return v.l }

// String formats the value as signinq prints it: times in RFC 3339 UTC
// with fractional seconds only when they are not zero, numbers in the
// shortest decimal form, lists joined by ", ", null as "".
func (v Value) String() string {
	if v.null {
		return ""
	}
	switch v.kind {
	case signin.KindInt:
		return strconv.FormatInt(v.i, 10)
	case signin.KindFloat:
		return strconv.FormatFloat(v.f, 'f', -1, 64)
	case signin.KindTime:
		return v.Time().Format(time.RFC3339Nano)
	case signin.KindBool:
		return strconv.FormatBool(v.i != 0)
	case signin.KindList:
		return strings.Join(v.l, ", ")
	}
	return v.s
}

// Compare orders values of one column: null first, strings and lists in
// byte order, numbers numerically (integers and decimals together), times
// chronologically, false before true.
func Compare(a, b Value) int {
	switch {
	case a.null || b.null:
		return cmp.Compare(boolInt64(!a.null), boolInt64(!b.null))
	case a.kind == signin.KindFloat || b.kind == signin.KindFloat:
		return cmp.Compare(a.Float(), b.Float())
	case a.kind == signin.KindString:
		return strings.Compare(a.s, b.s)
	case a.kind == signin.KindList:
		return slices.Compare(a.l, b.l)
	}
	return cmp.Compare(a.i, b.i)
}

func boolInt64(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Equal reports whether two values are the same.
func (v Value) Equal(o Value) bool {
	if v.kind != o.kind && !(v.isNumber() && o.isNumber()) {
		return false
	}
	if v.kind == signin.KindFloat && o.kind == signin.KindFloat && math.IsNaN(v.f) && math.IsNaN(o.f) {
		return v.null == o.null
	}
	return Compare(v, o) == 0
}

func (v Value) isNumber() bool { return v.kind == signin.KindInt || v.kind == signin.KindFloat }

// Column describes a column of a query result.
type ResultColumn struct {
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
	Columns []ResultColumn
	Rows    [][]Value
	// Plan is the plan, for explain; with explain analyze it holds rows
	// and times per step.
	Plan string
	// Stats says what the query read.
	Stats QueryStats
	// Notes say what the rows alone do not (NoDataNote, ListLimitNote):
	// for people, beside the rows, never among them.
	Notes []Note
}

// QueryStats counts what a query read.
type QueryStats struct {
	Parts      int   // parts the time range and the store hold
	PartsRead  int   // parts read
	BlocksRead int   // column blocks decoded
	Rows       int64 // sign-ins selected
}

// QueryOptions configure DB.Query.
type QueryOptions struct {
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
	// and fails with an error saying what took the memory (package
	// query's ErrTooMuchMemory); the queries its stages run share the
	// limit. It bounds the rows DB.Query gathers into a Result too (beyond
	// it, ErrResultTooLarge: DB.QueryRows reads any number). Zero means
	// DefaultMaxMemory, 1 GiB.
	MaxMemory int64
	// DefaultListLimit is the number of sign-ins list returns when the
	// query gives no limit; zero means no limit.
	DefaultListLimit int
	// Timeout bounds how long the query may run; beyond it the query
	// stops and fails with an error saying so (query.ErrTimeout, which
	// wraps context.DeadlineExceeded). Zero means DefaultQueryTimeout; a
	// negative Timeout means none (the command and the shell, where a
	// person waits and can press Ctrl-C, have none unless given one).
	Timeout time.Duration
}

// DefaultQueryTimeout is a query's time limit when QueryOptions.Timeout
// is zero: a program that passes its users' queries to DB.Query is not
// held by one that would run for hours, and any reasonable query on a
// laptop's store (a billion sign-ins and more) ends well within it.
const DefaultQueryTimeout = 60 * time.Second

// DefaultMaxMemory is QueryOptions.MaxMemory when it is zero.
const DefaultMaxMemory = 1 << 30

// A Querier answers query text against a DB, as a stream of rows (see
// Rows). Package query provides one and registers it from init, as
// database/sql drivers do: a program that queries imports it, if only
// for its side effect.
type Querier func(ctx context.Context, db *DB, text string, opts QueryOptions) (*Rows, error)

var querier struct {
	sync.RWMutex
	q Querier
}

// RegisterQuerier sets the function DB.Query calls. Package query calls
// it from init.
func RegisterQuerier(q Querier) {
	querier.Lock()
	defer querier.Unlock()
	querier.q = q
}

// ErrNoQuerier is returned by DB.Query when no query language is linked
// in: import github.com/signinq/signinq/query.
var ErrNoQuerier = errors.New("engine: no query language: import github.com/signinq/signinq/query")

// Query answers a query in signinq's query language (docs/query-language.md),
// e.g. "count where status=failure since 24h group by app". Its errors
// carry the position in text of what they concern. The answer is
// gathered in memory: one whose rows would take more than
// opts.MaxMemory fails with ErrResultTooLarge; QueryRows reads any
// number of rows, one at a time.
func (db *DB) Query(ctx context.Context, text string, opts QueryOptions) (*Result, error) {
	rows, err := db.QueryRows(ctx, text, opts)
	if err != nil {
		return nil, err
	}
	max := opts.MaxMemory
	if max <= 0 {
		max = DefaultMaxMemory
	}
	return rows.Result(max)
}
