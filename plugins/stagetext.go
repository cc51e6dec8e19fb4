package plugins

import (
	"strings"
	"time"
)

// What the stages share to write the queries they ask the store
// (Env.Query): quoted text, times. plugins cannot import query, whose
// lexer these follow.

// queryQuote returns s as a double-quoted string of the query language that
// reads back as s, whatever it holds (as query's quote: a backslash is
// escaped before a quote, a backslash or the end).
func queryQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' && (i+1 == len(s) || s[i+1] == '\\' || s[i+1] == '"') {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// queryTime writes a time in Unix nanoseconds as the query language
// reads it: RFC 3339 in UTC, to the nanosecond.
func queryTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
