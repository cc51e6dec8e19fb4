package ast

import (
	"strings"
	"unicode"
)

// keywords are the words of the language's syntax, in any case. They are
// lexed apart from other words, so a value or name that is a keyword is
// quoted: app="show".
var keywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`where since between and or not in group by having order limit as asc desc
		contains startswith endswith like top list show explain analyze`) {
		keywords[k] = true
	}
}

// IsKeyword reports whether a word is a keyword.
func IsKeyword(w string) bool {
	if len(w) > 10 {
		return false
	}
	return keywords[strings.ToLower(w)]
}

// breaks are the characters that end a word.
const breaks = "(),|=!<>~\"'"

// IsBreak reports whether r ends a word: a space or a punctuation
// character.
func IsBreak(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(breaks, r) }

// Bare reports whether a value can be written without quotes: it reads
// as one word that is not a keyword (no space or punctuation in it, and
// not an arithmetic operator alone).
func Bare(s string) bool {
	// then is a keyword in a sequence's steps (and quoted everywhere).
	if s == "" || IsKeyword(s) || strings.EqualFold(s, "then") || strings.IndexFunc(s, IsBreak) >= 0 {
		return false
	}
	return !(len(s) == 1 && strings.ContainsRune("*/+-", rune(s[0])))
}

// Unquote returns the text of a quoted string token: inside it a
// backslash escapes a backslash or the quote character and is literal
// before anything else, so "^10\.0\." means what it says.
func Unquote(tok string) string {
	q := tok[0]
	body := tok[1 : len(tok)-1]
	if !strings.ContainsRune(body, '\\') {
		return body
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' && i+1 < len(body) && (body[i+1] == '\\' || body[i+1] == q) {
			i++
		}
		b.WriteByte(body[i])
	}
	return b.String()
}

// Quote returns s as a double-quoted string token that Unquote reads back
// as s.
func Quote(s string) string {
	var b strings.Builder
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
