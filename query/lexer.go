package query

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/signinq/signinq/query/ast"
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
	tokRepeat
)

// matchOps are the keywords that compare, lexed as comparisons.
var matchOps = map[string]bool{"contains": true, "startswith": true, "endswith": true, "like": true}

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
		"Repeat":  tokRepeat,
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
	src   string
	pos   lexer.Position
	begun bool // a token was read
	pipe  bool // the last token read was a |
	depth int  // of parentheses
	// seq: in a sequence after a | (at depth seqDepth): in its head
	// (seqHead) within and gap are keywords and a : ends it; after, then
	// is a keyword, and N+ at the start of a step (seqStep) a repeat
	// count.
	seq, seqHead, seqStep bool
	seqDepth              int
}

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
	first, afterPipe, stepStart := !l.begun, l.pipe, l.seqStep
	l.begun, l.pipe, l.seqStep = true, rest[0] == '|', false
	tok := func(t lexer.TokenType, n int) (lexer.Token, error) {
		return lexer.Token{Type: t, Value: l.advance(n), Pos: start}, nil
	}
	switch c := rest[0]; c {
	case '(', ')', ',', '|':
		switch {
		case c == '(':
			l.depth++
		case c == ')':
			l.depth--
			if l.seq && l.depth < l.seqDepth { // the subquery it is in ends
				l.seq, l.seqHead = false, false
			}
		case c == '|' && l.seq && l.depth <= l.seqDepth:
			l.seq, l.seqHead = false, false
		}
		return tok(tokPunct, 1)
	case ':':
		if l.seqHead {
			l.seqHead, l.seqStep = false, true
			return tok(tokPunct, 1)
		}
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
		if r, _ := utf8.DecodeRuneInString(rest[1:]); ast.IsBreak(r) {
			return tok(tokArith, 1)
		}
	}
	n := 0
	for n < len(rest) {
		r, w := utf8.DecodeRuneInString(rest[n:])
		if ast.IsBreak(r) || r == ':' && l.seqHead {
			break
		}
		n += w
	}
	word := rest[:n]
	if afterPipe && strings.EqualFold(word, "sequence") {
		l.seq, l.seqHead, l.seqDepth = true, true, l.depth
		return tok(tokKeyword, n)
	}
	if l.seq {
		switch w := strings.ToLower(word); {
		case l.seqHead && (w == "within" || w == "gap"):
			return tok(tokKeyword, n)
		case !l.seqHead && w == "then":
			l.seqStep = true
			return tok(tokKeyword, n)
		case stepStart && isRepeat(word):
			return tok(tokRepeat, n)
		}
	}
	// define and undefine begin a statement that changes the saved
	// queries; elsewhere they are words (app=define).
	// join is a keyword right after a |, where it begins a join; so is
	// sequence (above), and within, gap and then in a sequence.
	if ast.IsKeyword(rest[:n]) || first && (strings.EqualFold(rest[:n], "define") || strings.EqualFold(rest[:n], "undefine")) ||
		afterPipe && strings.EqualFold(rest[:n], "join") {
		if matchOps[strings.ToLower(rest[:n])] {
			return tok(tokCmp, n)
		}
		return tok(tokKeyword, n)
	}
	return tok(tokWord, n)
}

// isRepeat reports whether a word is a sequence step's repeat count:
// digits and a +.
func isRepeat(w string) bool {
	if len(w) < 2 || w[len(w)-1] != '+' {
		return false
	}
	for _, c := range w[:len(w)-1] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// tokens lexes text whole.
func tokens(text string) ([]lexer.Token, error) {
	l := &lex{src: text, pos: lexer.Position{Line: 1, Column: 1}}
	var out []lexer.Token
	for {
		t, err := l.Next()
		if err != nil {
			var le *lexer.Error
			if errors.As(err, &le) {
				return nil, errorf(ast.Pos{Offset: le.Pos.Offset, Line: le.Pos.Line, Col: le.Pos.Column}, "%s", le.Msg)
			}
			return nil, err
		}
		if t.EOF() {
			return out, nil
		}
		out = append(out, t)
	}
}

func tokPos(t lexer.Token) ast.Pos {
	return ast.Pos{Offset: t.Pos.Offset, Line: t.Pos.Line, Col: t.Pos.Column}
}

func posEnd(text string) ast.Pos { return posAt(text, len(text)) }
