package query

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer's token types. A query is words (bare values, names,
// numbers, dates, IP addresses, durations: anything up to a space or a
// punctuation character), quoted strings, punctuation and operators.
// Arithmetic operators (* / + -) stand alone, with spaces around them:
// inside a word they are part of it, as in 10.0.0.0/8, 2026-11-01 or a
// *@contoso.com pattern.
//
// Comparisons and matches (= != < <= > >= ~ contains startswith endswith
// like) are one token type, and arithmetic operators another, so that the
// grammar takes an operator in one step rather than trying each.
const (
	tokWord lexer.TokenType = -(iota + 2)
	tokKeyword
	tokString
	tokPunct
	tokCmp
	tokArith
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

// matchOps are the keywords that compare, lexed as comparisons.
var matchOps = map[string]bool{"contains": true, "startswith": true, "endswith": true, "like": true}

// isKeyword reports whether a word is a keyword.
func isKeyword(w string) bool {
	if len(w) > 10 {
		return false
	}
	return keywords[strings.ToLower(w)]
}

// lexDef is the lexer participle is built with.
type lexDef struct{}

var _ lexer.StringDefinition = lexDef{}

func (lexDef) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF":     lexer.EOF,
		"Word":    tokWord,
		"Keyword": tokKeyword,
		"String":  tokString,
		"Punct":   tokPunct,
		"Cmp":     tokCmp,
		"Arith":   tokArith,
	}
}

func (d lexDef) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

func (lexDef) LexString(filename, input string) (lexer.Lexer, error) {
	return &lex{src: input, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}, nil
}

type lex struct {
	src string
	pos lexer.Position
}

// breaks are the characters that end a word.
const breaks = "(),|=!<>~\"'"

func isBreak(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(breaks, r) }

// advance moves the position past n bytes of the source.
func (l *lex) advance(n int) string {
	s := l.src[l.pos.Offset : l.pos.Offset+n]
	for _, r := range s {
		if r == '\n' {
			l.pos.Line++
			l.pos.Column = 1
		} else {
			l.pos.Column++
		}
	}
	l.pos.Offset += n
	return s
}

func (l *lex) Next() (lexer.Token, error) {
	for l.pos.Offset < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos.Offset:])
		if !unicode.IsSpace(r) {
			break
		}
		l.advance(n)
	}
	start := l.pos
	rest := l.src[l.pos.Offset:]
	if rest == "" {
		return lexer.EOFToken(start), nil
	}
	tok := func(t lexer.TokenType, n int) (lexer.Token, error) {
		return lexer.Token{Type: t, Value: l.advance(n), Pos: start}, nil
	}
	switch c := rest[0]; c {
	case '(', ')', ',', '|':
		return tok(tokPunct, 1)
	case '=', '~':
		return tok(tokCmp, 1)
	case '!', '<', '>':
		if len(rest) > 1 && rest[1] == '=' {
			return tok(tokCmp, 2)
		}
		if c == '!' {
			return lexer.Token{}, &lexer.Error{Pos: start, Msg: fmt.Sprintf(`unexpected "!": use "!=" for "is not", or "not"`)}
		}
		return tok(tokCmp, 1)
	case '"', '\'':
		for i := 1; i < len(rest); i++ {
			switch rest[i] {
			case '\\':
				i++ // a backslash before the quote or a backslash escapes it
			case c:
				return tok(tokString, i+1)
			}
		}
		return lexer.Token{}, &lexer.Error{Pos: start, Msg: fmt.Sprintf("unterminated string: a %c opens it and none closes it", c)}
	case '*', '/', '+', '-':
		if len(rest) == 1 {
			return tok(tokArith, 1)
		}
		if r, _ := utf8.DecodeRuneInString(rest[1:]); isBreak(r) {
			return tok(tokArith, 1)
		}
	}
	n := 0
	for n < len(rest) {
		r, w := utf8.DecodeRuneInString(rest[n:])
		if isBreak(r) {
			break
		}
		n += w
	}
	if isKeyword(rest[:n]) {
		if matchOps[strings.ToLower(rest[:n])] {
			return tok(tokCmp, n)
		}
		return tok(tokKeyword, n)
	}
	return tok(tokWord, n)
}

// unquote returns the text of a quoted string token: inside it a
// backslash escapes a backslash or the quote character and is literal
// before anything else, so "^10\.0\." means what it says.
func unquote(tok string) string {
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

// quote returns s as a double-quoted string token that unquote reads back
// as s.
func quote(s string) string {
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
