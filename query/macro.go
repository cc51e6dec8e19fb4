package query

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
)

// Macro is a saved query:
//
//	define NAME = QUERY
//	define NAME(P, …) = QUERY
//
// A macro whose body is a query stands at the head of a query, and what
// follows it is added to its body: with
//
//	define failures(D) = count where status=failure since D
//
// "failures(24h) group by app" runs "count where status=failure since
// 24h group by app". A macro whose body is stages (the words after a
// "|") stands after a "|": with "define noisy = spray accounts=5",
// "list since 7d | noisy" runs "list since 7d | spray accounts=5". A
// parameter stands for one word or quoted string of the body, and is
// given as any text without commas at its level of parentheses.
//
//	undefine NAME
//
// removes one.
type Macro struct {
	Name   string
	Params []string
	Body   string
	Stages bool // the body is stages
	// raw is the line of a saved query that could not be read (Unread),
	// for Undefine to say what it removed.
	raw string
}

// String writes the macro as it is defined.
func (m *Macro) String() string {
	if m.raw != "" {
		return m.raw
	}
	s := "define " + m.Name
	if len(m.Params) > 0 {
		s += "(" + strings.Join(m.Params, ", ") + ")"
	}
	return s + " = " + m.Body
}

// Macros holds saved queries by name. It is not safe for concurrent
// use.
type Macros struct {
	byName map[string]*Macro // by lower-case name
	// unread are the lines of a file of saved queries that could not be
	// read, in the file's order: Save writes them back as they were, and
	// a query that uses the name one defines fails saying why.
	unread []*Unread
}

// Unread is a line of a file of saved queries that could not be read
// (edited by hand, or written by a version that saved a query it could
// not read back): the others are read without it.
type Unread struct {
	// Name is the name it defines, when that much could be read (and is
	// a name a saved query may have); "" otherwise.
	Name string
	Text string // the line, as it is in the file
	Err  error  // why it could not be read, with the file and line
}

// Unread returns the lines of the file that could not be read, in its
// order.
func (ms *Macros) Unread() []*Unread { return ms.unread }

// unreadNamed returns the unread line defining name, in any case.
func (ms *Macros) unreadNamed(name string) (int, *Unread) {
	for i, u := range ms.unread {
		if u.Name != "" && strings.EqualFold(u.Name, name) {
			return i, u
		}
	}
	return -1, nil
}

// NewMacros returns an empty set of macros.
func NewMacros() *Macros { return &Macros{byName: map[string]*Macro{}} }

// All returns the macros, by name.
func (ms *Macros) All() []*Macro {
	var out []*Macro
	for _, m := range ms.byName {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Macro) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup returns the macro of a name, in any case.
func (ms *Macros) Lookup(name string) (*Macro, bool) {
	m, ok := ms.byName[strings.ToLower(name)]
	return m, ok
}

// IsDefine reports whether a statement is about saved queries rather
// than a query: it begins with the word define or undefine.
func IsDefine(text string) bool {
	l := &lex{src: text, pos: lexer.Position{Line: 1, Column: 1}}
	tok, err := l.Next()
	return err == nil && tok.Type == tokWord && (strings.EqualFold(tok.Value, "define") || strings.EqualFold(tok.Value, "undefine"))
}

// isUndefine reports whether a statement begins with undefine.
func isUndefine(text string) bool {
	l := &lex{src: text, pos: lexer.Position{Line: 1, Column: 1}}
	tok, err := l.Next()
	return err == nil && tok.Type == tokWord && strings.EqualFold(tok.Value, "undefine")
}

// Define parses "define NAME[(P, …)] = BODY", checks it, and adds the
// macro, replacing one of the same name. It refuses a name that is a
// keyword, a field or a plugin of reg, and a body that the language
// refuses, with the error's position in text: a query is checked as a
// query is before it runs (its fields, aggregates, functions, stages,
// kinds), with the other saved queries it uses; stages are checked for
// their names and arguments (what they are given comes with the query
// they follow). A parameter, whose value comes with each use, is tried
// with sample values of each kind (a duration, a number, a field, a
// date): the body is refused only when no sample makes it right and some
// sample leaves it wrong away from its parameters.
func (ms *Macros) Define(text string, reg *plugins.Registry) (*Macro, error) {
	if reg == nil {
		reg = plugins.Default()
	}
	m, bodyAt, err := ms.parseDefine(text, reg)
	if err != nil {
		return nil, err
	}
	if err := ms.check(m, bodyAt, text, reg); err != nil {
		return nil, err
	}
	ms.byName[strings.ToLower(m.Name)] = m
	if i, _ := ms.unreadNamed(m.Name); i >= 0 {
		ms.unread = slices.Delete(ms.unread, i, i+1) // replaced
	}
	return m, nil
}

// add parses a definition and adds it unchecked: a file of saved queries
// loads whole even when a plugin one uses is gone, and the query that
// uses it says what is wrong.
func (ms *Macros) add(text string, reg *plugins.Registry) error {
	if reg == nil {
		reg = plugins.Default()
	}
	m, _, err := ms.parseDefine(text, reg)
	if err == nil {
		ms.byName[strings.ToLower(m.Name)] = m
	}
	return err
}

// parseDefine parses "define NAME[(P, …)] = BODY": the macro, and where
// its body begins in text. The body must parse, as a query or as
// stages.
func (ms *Macros) parseDefine(text string, reg *plugins.Registry) (*Macro, int, error) {
	toks, err := tokens(text)
	if err != nil {
		return nil, 0, err
	}
	at := func(i int) lexer.Token {
		if i < len(toks) {
			return toks[i]
		}
		e := posEnd(text)
		return lexer.EOFToken(lexer.Position{Offset: e.Offset, Line: e.Line, Column: e.Col})
	}
	if !strings.EqualFold(at(0).Value, "define") {
		return nil, 0, errorf(tokPos(at(0)), "a definition begins with define")
	}
	name := at(1)
	if name.Type != tokWord || !isName(name.Value) {
		return nil, 0, errorf(tokPos(name), "define takes a name (letters, digits, _), then = and a query: define failures(D) = count where status=failure since D")
	}
	if ast.IsKeyword(name.Value) || signin.Lookup(name.Value) != nil {
		return nil, 0, errorf(tokPos(name), "%s is a keyword or field of the language; a saved query needs a name of its own", name.Value)
	}
	if strings.EqualFold(name.Value, "bin") || strings.EqualFold(name.Value, "define") || strings.EqualFold(name.Value, "undefine") {
		return nil, 0, errorf(tokPos(name), "%s is a word of the language; a saved query needs a name of its own", name.Value)
	}
	if p, ok := reg.Lookup(name.Value); ok {
		return nil, 0, errorf(tokPos(name), "%s is the %s plugin's name; a saved query needs a name of its own", name.Value, p.Describe().Kind)
	}
	m := &Macro{Name: name.Value}
	i := 2
	if at(i).Value == "(" && at(i).Type == tokPunct {
		for i++; ; i++ {
			p := at(i)
			if p.Type != tokWord || !isName(p.Value) {
				return nil, 0, errorf(tokPos(p), "a parameter is a name (letters, digits, _)")
			}
			for _, q := range m.Params {
				if strings.EqualFold(q, p.Value) {
					return nil, 0, errorf(tokPos(p), "parameter %s is named twice", p.Value)
				}
			}
			m.Params = append(m.Params, p.Value)
			i++
			if at(i).Value == ")" {
				i++
				break
			}
			if at(i).Value != "," {
				return nil, 0, errorf(tokPos(at(i)), "expected , or ) after parameter %s", p.Value)
			}
		}
	}
	if eq := at(i); eq.Value != "=" || eq.Type != tokCmp {
		return nil, 0, errorf(tokPos(eq), "expected = after define %s", m.Name)
	}
	if i+1 >= len(toks) {
		return nil, 0, errorf(posEnd(text), "define %s has no query after = (undefine %s removes a saved query)", m.Name, m.Name)
	}
	m.Body = strings.TrimSpace(text[toks[i+1].Pos.Offset:])
	// Check the body parses: a parameter is a word, which parses where
	// a value would.
	if _, qerr := Parse(m.Body); qerr != nil {
		if _, serr := Parse("list | " + m.Body); serr != nil {
			var qe *Error
			if errors.As(qerr, &qe) {
				return nil, 0, errorf(posAt(text, toks[i+1].Pos.Offset+qe.Pos.Offset), "define %s: %s", m.Name, qe.Msg)
			}
			return nil, 0, qerr
		}
		m.Stages = true
	}
	return m, toks[i+1].Pos.Offset, nil
}

// Undefine parses "undefine NAME" and removes the saved query of that
// name (in any case), which it returns. An unknown name is an error at
// it, with a suggestion among the saved queries' names.
func (ms *Macros) Undefine(text string) (*Macro, error) {
	toks, err := tokens(text)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 || !strings.EqualFold(toks[0].Value, "undefine") {
		return nil, errorf(ast.Pos{Line: 1, Col: 1}, "undefine NAME removes a saved query")
	}
	if len(toks) < 2 || toks[1].Type != tokWord || !isName(toks[1].Value) {
		at := posEnd(text)
		if len(toks) >= 2 {
			at = tokPos(toks[1])
		}
		return nil, errorf(at, "undefine takes the name of a saved query: undefine failures")
	}
	if len(toks) > 2 {
		return nil, errorf(tokPos(toks[2]), "undefine takes one name, then nothing")
	}
	name := toks[1]
	m, ok := ms.Lookup(name.Value)
	if i, u := ms.unreadNamed(name.Value); !ok && u != nil {
		ms.unread = slices.Delete(ms.unread, i, i+1)
		return &Macro{Name: u.Name, raw: u.Text}, nil
	}
	if !ok {
		var names []string
		for _, o := range ms.All() {
			names = append(names, o.Name)
		}
		if len(names) == 0 {
			return nil, errorf(tokPos(name), "no saved query %q: there are none", name.Value)
		}
		return nil, errorf(tokPos(name), "no saved query %q%s (saved: %s)", name.Value, didYouMean(name.Value, names), strings.Join(names, ", "))
	}
	ms.Remove(m.Name)
	return m, nil
}

// Remove forgets a macro; it reports whether there was one.
func (ms *Macros) Remove(name string) bool {
	_, ok := ms.byName[strings.ToLower(name)]
	delete(ms.byName, strings.ToLower(name))
	return ok
}

// maxExpansions bounds how many macros one query expands, so that macros
// that use each other end.
const maxExpansions = 32

// Expand replaces the macros a query uses by their bodies: one at the
// head of the query, and any after a "|". Text without macros comes back
// as it is. Errors are *Error, at the macro's use in text.
func (ms *Macros) Expand(text string) (string, error) {
	if ms == nil || len(ms.byName) == 0 && len(ms.unread) == 0 {
		return text, nil
	}
	for range maxExpansions {
		out, changed, err := ms.expandOnce(text)
		if err != nil || !changed {
			return out, err
		}
		text = out
	}
	return "", errorf(ast.Pos{Line: 1, Col: 1}, "saved queries expand more than %d times: does one use itself?", maxExpansions)
}

// expandOnce expands the first macro use in text.
func (ms *Macros) expandOnce(text string) (string, bool, error) {
	toks, err := tokens(text)
	if err != nil {
		return text, false, nil // Parse will say what is wrong
	}
	for i, t := range toks {
		head := i == 0 || i == 1 && (strings.EqualFold(toks[0].Value, "explain")) ||
			i == 2 && strings.EqualFold(toks[1].Value, "analyze")
		afterBar := i > 0 && toks[i-1].Type == tokPunct && toks[i-1].Value == "|"
		if t.Type != tokWord || !head && !afterBar {
			continue
		}
		m, ok := ms.Lookup(t.Value)
		if _, u := ms.unreadNamed(t.Value); !ok && u != nil {
			return "", false, errorf(tokPos(t), "the saved query %s cannot be read (%v): define %s again, or undefine %s", u.Name, u.Err, u.Name, u.Name)
		}
		if !ok {
			continue
		}
		if m.Stages != afterBar {
			where := "at the head of a query"
			if m.Stages {
				where = "after a |"
			}
			return "", false, errorf(tokPos(t), "%s is a saved %s: it stands %s", m.Name, map[bool]string{true: "series of stages", false: "query"}[m.Stages], where)
		}
		end := i + 1
		var args []string
		if end < len(toks) && toks[end].Value == "(" && toks[end].Type == tokPunct {
			if args, end, err = macroArgs(text, toks, end); err != nil {
				return "", false, err
			}
		}
		if len(args) != len(m.Params) {
			return "", false, errorf(tokPos(t), "%s takes %d arguments (%s), not %d", m.Name, len(m.Params), macroUsage(m), len(args))
		}
		body, err := m.substitute(args)
		if err != nil {
			return "", false, err
		}
		stop := len(text)
		if end < len(toks) {
			stop = toks[end].Pos.Offset
		}
		return text[:t.Pos.Offset] + body + " " + text[stop:], true, nil
	}
	return text, false, nil
}

// macroArgs reads the arguments of a macro's use, from the "(" at
// toks[open]: the text between commas at its level, and the index of the
// token after the ")".
func macroArgs(text string, toks []lexer.Token, open int) ([]string, int, error) {
	var args []string
	depth, start := 0, toks[open].Pos.Offset+1
	for j := open; j < len(toks); j++ {
		t := toks[j]
		if t.Type != tokPunct {
			continue
		}
		switch t.Value {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				if a := strings.TrimSpace(text[start:t.Pos.Offset]); a != "" || len(args) > 0 {
					args = append(args, a)
				}
				return args, j + 1, nil
			}
		case ",":
			if depth == 1 {
				args = append(args, strings.TrimSpace(text[start:t.Pos.Offset]))
				start = t.Pos.Offset + 1
			}
		}
	}
	return nil, 0, errorf(tokPos(toks[open]), "this ( is not closed")
}

// substitute gives the body's parameters their values.
func (m *Macro) substitute(args []string) (string, error) {
	out, _ := m.substituteMapped(args)
	return out, nil
}

func macroUsage(m *Macro) string {
	if len(m.Params) == 0 {
		return m.Name
	}
	return m.Name + "(" + strings.Join(m.Params, ", ") + ")"
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

func isName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// MacroFile is the name of the file in a store's directory that holds
// its saved queries, one definition a line.
const MacroFile = "queries"

// LoadMacros reads a file of definitions: one "define …" a line, or, for
// a definition whose text holds a line break (or is not UTF-8), its text
// quoted as Go quotes strings ("define x = …\n…"); blank lines and lines
// starting with # are skipped. A file that does not exist holds no
// macros. The definitions are parsed, not checked (Define checked them
// when they were saved): a plugin one uses may be gone, and the query
// that uses it says so. A line that cannot be read does not stop the
// others: it is kept as it is (Unread, which Save writes back), and a
// query that uses the name it defines fails saying why. Only a file that
// cannot be read at all is an error.
func LoadMacros(path string, reg *plugins.Registry) (*Macros, error) {
	if reg == nil {
		reg = plugins.Default()
	}
	ms := NewMacros()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return ms, nil
	}
	if err != nil {
		return nil, err
	}
	for i, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		text := line
		if strings.HasPrefix(line, `"`) {
			if text, err = strconv.Unquote(line); err != nil {
				ms.unread = append(ms.unread, &Unread{Text: line, Err: fmt.Errorf("%s:%d: a quoted definition that does not unquote: %w", path, i+1, err)})
				continue
			}
		}
		if err := ms.add(text, reg); err != nil {
			ms.unread = append(ms.unread, &Unread{Name: definedName(text, reg), Text: line, Err: fmt.Errorf("%s:%d: %w", path, i+1, err)})
		}
	}
	return ms, nil
}

// definedName is the name a definition that does not parse defines, when
// it begins "define NAME" and NAME is one a saved query may take; ""
// otherwise.
func definedName(text string, reg *plugins.Registry) string {
	l := &lex{src: text, pos: lexer.Position{Line: 1, Column: 1}}
	def, err := l.Next()
	if err != nil || def.Type != tokWord || !strings.EqualFold(def.Value, "define") {
		return ""
	}
	name, err := l.Next()
	if err != nil || name.Type != tokWord || !isName(name.Value) || ast.IsKeyword(name.Value) || signin.Lookup(name.Value) != nil {
		return ""
	}
	if _, ok := reg.Lookup(name.Value); ok || strings.EqualFold(name.Value, "bin") || strings.EqualFold(name.Value, "define") || strings.EqualFold(name.Value, "undefine") {
		return ""
	}
	return name.Value
}

// savedLine is a definition as a line of the file: as it is, or quoted
// when it holds a line break or is not UTF-8, so that any text reads
// back as it was saved.
func savedLine(def string) string {
	if strings.ContainsAny(def, "\r\n") || !utf8.ValidString(def) {
		return strconv.Quote(def)
	}
	return def
}

// Save writes the macros to a file, one definition a line, by name, then
// the lines that could not be read, as they were; it replaces the file
// whole (through a temporary file renamed into place).
func (ms *Macros) Save(path string) error {
	var b strings.Builder
	b.WriteString("# signinq saved queries: one definition a line (define NAME(PARAMS) = QUERY); a definition holding a line break is quoted\n")
	for _, m := range ms.All() {
		b.WriteString(savedLine(m.String()))
		b.WriteByte('\n')
	}
	for _, u := range ms.unread {
		b.WriteString(u.Text)
		b.WriteByte('\n')
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".queries-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// MacrosOf returns the saved queries of a store: none for a store in
// memory. Every query asks for them, so the file is read and its
// definitions parsed again only when it changed (its size or time);
// the Macros returned are shared and must not be changed (LoadMacros
// gives a set of one's own).
func MacrosOf(db *engine.DB, reg *plugins.Registry) (*Macros, error) {
	if db.Dir() == "" {
		return NewMacros(), nil
	}
	path := filepath.Join(db.Dir(), MacroFile)
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return NewMacros(), nil
	}
	if err != nil {
		return nil, err
	}
	key := macroFileKey{path, reg}
	macroFiles.Lock()
	f, ok := macroFiles.m[key]
	macroFiles.Unlock()
	if ok && f.size == info.Size() && f.mod.Equal(info.ModTime()) {
		return f.ms, nil
	}
	ms, err := LoadMacros(path, reg)
	if err != nil {
		return nil, err
	}
	macroFiles.Lock()
	if macroFiles.m == nil {
		macroFiles.m = map[macroFileKey]macroFile{}
	}
	macroFiles.m[key] = macroFile{mod: info.ModTime(), size: info.Size(), ms: ms}
	macroFiles.Unlock()
	return ms, nil
}

// macroFiles holds the saved queries read from each store's file, with
// the size and time of the file they were read from.
var macroFiles struct {
	sync.Mutex
	m map[macroFileKey]macroFile
}

type macroFileKey struct {
	path string
	reg  *plugins.Registry // the names a definition may not take are its
}

type macroFile struct {
	mod  time.Time
	size int64
	ms   *Macros
}

// Saved is what a define or undefine statement did: the saved query it
// added (or replaced), or removed.
type Saved struct {
	Macro   *Macro
	Removed bool
}

// String says what was done: "saved: define …" or "removed: define …".
func (s Saved) String() string {
	if s.Removed {
		return "removed: " + s.Macro.String()
	}
	return "saved: " + s.Macro.String()
}

// DefineIn runs a define or undefine statement (IsDefine) against a
// store's file of saved queries: define checks the query (see Define)
// and saves it, undefine removes one. The file is changed only when the
// statement is right.
func DefineIn(db *engine.DB, reg *plugins.Registry, text string) (Saved, error) {
	if db.Dir() == "" {
		return Saved{}, errorf(ast.Pos{Line: 1, Col: 1}, "this store is in memory: saved queries are kept in a store's directory")
	}
	path := filepath.Join(db.Dir(), MacroFile)
	ms, err := LoadMacros(path, reg) // a set of its own, to change
	if err != nil {
		return Saved{}, err
	}
	var saved Saved
	if isUndefine(text) {
		saved.Removed = true
		saved.Macro, err = ms.Undefine(text)
	} else {
		saved.Macro, err = ms.Define(text, reg)
	}
	if err != nil {
		return Saved{}, err
	}
	err = ms.Save(path)
	macroFiles.Lock()
	delete(macroFiles.m, macroFileKey{path, reg}) // even if the file's time did not move
	macroFiles.Unlock()
	return saved, err
}

// inExpansion says, of an error in a query whose saved queries were
// expanded, in which text it is.
func inExpansion(text, expanded string, err error) error {
	var qe *Error
	if text == expanded || !errors.As(err, &qe) {
		return err
	}
	return errorf(ast.Pos{Offset: 0, Line: 1, Col: 1}, "with its saved queries expanded, the query reads %q: at %s: %s", expanded, qe.Pos, qe.Msg)
}
