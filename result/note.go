package result

import (
	"fmt"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// A Note tells the reader of a result what its rows alone do not: that a
// time range relative to now holds none of the store's sign-ins, that a
// list stopped at its default limit. Notes are never rows: the command
// prints them on standard error and the shell under the table, so that
// JSON and CSV on standard output stay data only. The query layer fills
// Result.Notes; a caller tells the kinds apart with a type switch.
type Note interface {
	// String is the note as a sentence for people, without a hint of how
	// to ask otherwise (which differs between the command, the shell and
	// the Go API).
	String() string
}

// NoDataNote says that a query's time range, relative to now (since D),
// holds none of the store's sign-ins: the store's are all before it
// (an old export), all after now, or around it. Without this note such
// a query answers zero, as if nothing had happened.
type NoDataNote struct {
	// From and Now are the query's range: From through Now.
	From, Now time.Time
	// First and Last are the times of the store's first and last
	// sign-ins; both zero when the store holds none.
	First, Last time.Time
}

// String says where the store's sign-ins are, relative to the range.
func (n NoDataNote) String() string {
	// Sign-ins' times exactly; now to the second (the clock's
	// nanoseconds are noise).
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	now := n.Now.UTC().Format(time.RFC3339)
	switch {
	case n.Last.IsZero():
		return "the store holds no sign-ins"
	case n.Last.Before(n.From):
		return fmt.Sprintf("the store's sign-ins end at %s, %s before now (%s)", ts(n.Last), span(n.Last, n.Now), now)
	case n.First.After(n.Now):
		return fmt.Sprintf("the store's sign-ins begin at %s, %s after now (%s)", ts(n.First), span(n.Now, n.First), now)
	}
	return fmt.Sprintf("the store holds no sign-in from %s through now (%s); its sign-ins run from %s to %s", ts(n.From), now, ts(n.First), ts(n.Last))
}

// span is the time from a to b in words: "4 years", "3 days".
func span(a, b time.Time) string {
	return strings.TrimSpace(humanize.RelTime(a, b, "", ""))
}

// ListLimitNote says that a list stopped at its default limit
// (QueryOptions.DefaultListLimit) while more sign-ins matched: Shown of
// Total. Total is -1 when counting them would have read every block the
// filter needs (a scan, a text match): then more match, how many is
// not known.
type ListLimitNote struct {
	Shown int
	Total int64
}

// String says how many were shown of how many, and how to see more.
func (n ListLimitNote) String() string {
	if n.Total < 0 {
		return fmt.Sprintf("%s shown, and more match; limit N for more", humanize.Comma(int64(n.Shown)))
	}
	return fmt.Sprintf("%s of %s shown; limit N for more", humanize.Comma(int64(n.Shown)), humanize.Comma(n.Total))
}
