package query

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/signinq/signinq/query/ast"
)

// Error is an error in a query: where it is, and what is wrong, often with
// a suggestion ("unknown field "staus"; did you mean "status"?"). Every
// error the parser and the checker return is an *Error; the executor's
// errors are about the store, not the query.
type Error struct {
	Pos ast.Pos
	Msg string
	// Err, when not nil, is the cause Msg words (plugins.ErrOverflow, a
	// function's *PanicError), for errors.Is and errors.As.
	Err error
}

// Error returns the message after the position as line:column, or
// alone for an error about a built tree (a stage's query), which has
// no position.
func (e *Error) Error() string {
	if e.Pos == (ast.Pos{}) {
		return e.Msg
	}
	return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Caret returns the line of text the error is on, and under it a caret at
// the error's column, for a terminal.
func (e *Error) Caret(text string) string {
	lines := strings.Split(text, "\n")
	if e.Pos.Line < 1 || e.Pos.Line > len(lines) {
		return ""
	}
	line := lines[e.Pos.Line-1]
	col := max(e.Pos.Col, 1)
	pad := min(col-1, utf8.RuneCountInString(line))
	return line + "\n" + strings.Repeat(" ", pad) + "^"
}

func errorf(pos ast.Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func posOf(p lexer.Position) ast.Pos {
	return ast.Pos{Offset: p.Offset, Line: max(p.Line, 1), Col: max(p.Column, 1)}
}

// parseError turns participle's errors into the language's: positions as
// line:column, and the grammar's names in words.
func parseError(err error, text string) *Error {
	var lexErr *lexer.Error
	if errors.As(err, &lexErr) {
		return &Error{Pos: posOf(lexErr.Pos), Msg: lexErr.Msg}
	}
	var unexpected *participle.UnexpectedTokenError
	if errors.As(err, &unexpected) {
		tok := unexpected.Unexpected
		pos := posOf(tok.Pos)
		expect := unexpected.Expect
		if msg := unexpected.Message(); expect == "" && strings.HasSuffix(msg, ")") {
			if i := strings.Index(msg, " (expected "); i >= 0 {
				expect = msg[i+len(" (expected ") : len(msg)-1]
			}
		}
		want := expectFirst(expect)
		if tok.EOF() {
			if want == "" {
				want = "more"
			}
			return &Error{Pos: pos, Msg: "the query ends too soon; expected " + want}
		}
		what := fmt.Sprintf("%q", tok.Value)
		switch {
		case tok.Type == tokKeyword || tok.Type == tokCmp && matchOps[strings.ToLower(tok.Value)]:
			kw := strings.ToLower(tok.Value)
			what = fmt.Sprintf("keyword %q", kw)
			if want == "a value" || want == "a condition" || want == "a name or a value" {
				return &Error{Pos: pos, Msg: fmt.Sprintf("expected %s, not the keyword %q (to use it as a value, quote it: %q)", want, kw, tok.Value)}
			}
			if kw == "by" && want == "" {
				return &Error{Pos: pos, Msg: `unexpected keyword "by"; did you mean "group by"?`}
			}
		case tok.Type == tokString:
			what = "string " + tok.Value
		}
		if want == "" {
			return &Error{Pos: pos, Msg: "unexpected " + what + "; expected and, or, a clause (where, since, between, group by, having, order by, limit), a stage after |, or the end of the query"}
		}
		return &Error{Pos: pos, Msg: "unexpected " + what + "; expected " + want}
	}
	var perr participle.Error
	if errors.As(err, &perr) {
		return &Error{Pos: posOf(perr.Position()), Msg: grammarWords(perr.Message())}
	}
	return &Error{Pos: ast.Pos{Line: 1, Col: 1}, Msg: err.Error()}
}

// expectFirst words the first thing participle's list of what it expected
// names: a keyword or punctuation, or a part of the grammar.
func expectFirst(expect string) string {
	e := strings.TrimLeft(expect, "( ")
	switch {
	case e == "":
		return ""
	case strings.HasPrefix(e, "PExpr") && strings.Contains(e, "<cmp>"):
		return "a condition" // a value, then perhaps an operator and another
	case e[0] == '"':
		if end := strings.IndexByte(e[1:], '"'); end >= 0 {
			return e[:end+2]
		}
	}
	name := e
	if i := strings.IndexAny(e, " ()|*?"); i > 0 {
		name = e[:i]
	}
	return grammarWords(name)
}

// grammarWords replaces the parse tree's type names with what they mean.
func grammarWords(s string) string {
	return grammarNames.Replace(s)
}

var grammarNames = strings.NewReplacer(
	"PStatement", "a query",
	"PDefine", "a definition",
	"PUndefine", "undefine NAME",
	"PName", "a name",
	"PQuery", "a query",
	"PHead", "an aggregate",
	"PExpr", "a value",
	"PValue", "a value",
	"PCond", "a condition",
	"PPred", "a condition",
	"PNot", "a condition",
	"PFactor", "a value",
	"PStage", "a stage",
	"PStageArg", "an argument",
	"POrder", "an output column",
	"PBetween", "a time",
	"PClause", "a clause (where, since, between, group by, having, order by, limit)",
	"<word>", "a name or a value",
	"<string>", "a quoted string",
	"<cmp>", "a comparison (= != < <= > >= ~ contains startswith endswith like)",
	"<arith>", "an operator (+ - * /)",
	"<eof>", "the end of the query",
)

// suggest returns the candidate nearest to word, when one is near enough
// to be what was meant: an edit distance of at most a third of the
// word's length (and at least 1), ignoring case; "" otherwise.
func suggest(word string, candidates []string) string {
	w := strings.ToLower(word)
	best, bestD := "", max(1, utf8.RuneCountInString(w)/3)+1
	abbrev := ""
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if strings.HasPrefix(lc, w) && len(w) >= 3 && bestD > 1 {
			best, bestD = c, 1 // a prefix of a name: "stat" for "status"
			continue
		}
		if d := editDistance(w, lc); d < bestD {
			best, bestD = c, d
		}
		if abbrev == "" && len(w) >= 3 && subsequence(w, lc) {
			abbrev = c // the letters of a name, in order: "cnt" for "count"
		}
	}
	if best == "" {
		return abbrev
	}
	return best
}

// subsequence reports whether a's runes appear in b in order.
func subsequence(a, b string) bool {
	ra := []rune(a)
	i := 0
	for _, r := range b {
		if i < len(ra) && ra[i] == r {
			i++
		}
	}
	return i == len(ra)
}

// Suggest returns the candidate a mistyped word most likely meant, or ""
// when none is close: what the language's did-you-mean offers, for
// commands and the REPL to offer too.
func Suggest(word string, candidates []string) string { return suggest(word, candidates) }

// didYouMean formats a suggestion for a message.
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// editDistance is the Levenshtein distance between two strings, counting
// runes, with transpositions of neighbours counting one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
