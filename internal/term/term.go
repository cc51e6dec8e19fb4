package term

import (
	"strings"
	"unicode"

	"github.com/jedib0t/go-pretty/v6/text"
)

// Truncate cuts s to at most n terminal cells, the last one "…" when it
// is cut; n <= 0 leaves it as it is.
func Truncate(s string, n int) string {
	if n <= 0 || text.StringWidthWithoutEscSequences(s) <= n {
		return s
	}
	var b strings.Builder
	w := 0
	for _, r := range s {
		rw := text.RuneWidth(r)
		if w+rw > n-1 {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	b.WriteString("…")
	return b.String()
}

// Text keeps the data's control characters from the terminal:
// tabs and line breaks become spaces (one line a row), other control
// characters, escape among them (an escape sequence in an app's name),
// U+FFFD.
func Text(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r):
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// ANSI colours of the table's values.
const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	Reset      = "\x1b[0m" // ends a colour
)

// valueColors are the colours of the values of status and risk fields,
// by field; values not listed are plain.
var valueColors = map[string]map[string]string{
	"status":         {"success": ansiGreen, "failure": ansiRed, "interrupted": ansiYellow},
	"risk":           {"high": ansiRed, "medium": ansiYellow, "low": ansiCyan},
	"riskAggregated": {"high": ansiRed, "medium": ansiYellow, "low": ansiCyan},
	"riskState":      {"confirmedCompromised": ansiRed, "atRisk": ansiYellow},
}

// ValueColor returns the ANSI colour of a value of a status or risk
// field, "" for the values shown plain.
func ValueColor(field, value string) string { return valueColors[field][value] }

// Colorize returns s in its colour when it is a value of a status or
// risk field, as it is otherwise.
func Colorize(field, s string) string {
	if c := ValueColor(field, s); c != "" {
		return c + s + Reset
	}
	return s
}
