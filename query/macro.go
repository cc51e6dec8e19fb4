package query

import (
	"slices"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
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
// parameter stands for a word or quoted string of the body (a name or a
// value), and an argument is a value or an expression, as a function's
// argument is; with the uses replaced by their bodies (Expand), what
// comes from an argument keeps its position in the query, and what comes
// from a body has the position of its use.
//
//	undefine NAME
//
// removes one. A store keeps its saved queries (macrostore.go).
type Macro struct {
	Name   string
	Params []string
	Body   string // as written
	Stages bool   // the body is stages
	def    *ast.Define
	// raw is the text of a saved query that could not be read (Unread),
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

func macroOf(d *ast.Define) *Macro {
	m := &Macro{Name: d.Name.Name, Body: d.Body, Stages: d.Query == nil, def: d}
	for _, p := range d.Params {
		m.Params = append(m.Params, p.Name)
	}
	return m
}

// Macros holds saved queries by name, in any case. It is not safe for
// concurrent use.
type Macros struct {
	reg    *plugins.Registry  // the names a saved query may not take are its
	texts  map[string]string  // definitions not read yet, by lower-case name
	byName map[string]*Macro  // by lower-case name
	unread map[string]*Unread // by lower-case name
}

// Unread is a saved query that cannot be read (a definition imported
// from a file edited by hand, or one whose name a plugin has taken
// since): the others are read without it, and a query that uses its name
// fails saying why, unless the name is now a plugin's.
type Unread struct {
	Name string // as it is saved
	Text string // the definition, as it is saved
	Err  error  // why it cannot be read
}

// NewMacros returns an empty set of macros.
func NewMacros() *Macros { return newMacros(nil) }

// newMacros returns an empty set of macros, whose names may not be
// those of reg's plugins (nil: standard.Registry).
func newMacros(reg *plugins.Registry) *Macros {
	if reg == nil {
		reg = standard.Registry()
	}
	return &Macros{reg: reg, texts: map[string]string{}, byName: map[string]*Macro{}, unread: map[string]*Unread{}}
}

// macrosOf returns the macros of definitions by lower-case name, as a
// store keeps them, each read when it is first used.
func macrosOf(defs map[string][]byte, reg *plugins.Registry) *Macros {
	ms := newMacros(reg)
	for k, v := range defs {
		ms.texts[k] = string(v)
	}
	return ms
}

// read reads the definition saved under key, if it is not read yet.
func (ms *Macros) read(key string) {
	text, ok := ms.texts[key]
	if !ok {
		return
	}
	delete(ms.texts, key)
	name := key
	st, err := Parse(text)
	switch {
	case err != nil:
	case st.Define == nil:
		err = errorf(ast.Pos{Line: 1, Col: 1}, "not a definition")
	case !strings.EqualFold(st.Define.Name.Name, key):
		err = errorf(st.Define.Name.Pos, "it defines %s, and is saved as %s", st.Define.Name.Name, key)
	default:
		name = st.Define.Name.Name
		if e := checkName(st.Define.Name, ms.reg); e != nil {
			err = e
		}
	}
	if err != nil {
		if n := definedName(text); strings.EqualFold(n, key) {
			name = n
		}
		ms.unread[key] = &Unread{Name: name, Text: text, Err: err}
		return
	}
	ms.byName[key] = macroOf(st.Define)
}

// readAll reads every definition not read yet.
func (ms *Macros) readAll() {
	for k := range ms.texts {
		ms.read(k)
	}
}

// All returns the macros, by name.
func (ms *Macros) All() []*Macro {
	ms.readAll()
	var out []*Macro
	for _, m := range ms.byName {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Macro) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Unread returns the saved queries that cannot be read, by name.
func (ms *Macros) Unread() []*Unread {
	ms.readAll()
	var out []*Unread
	for _, u := range ms.unread {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *Unread) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup returns the macro of a name, in any case.
func (ms *Macros) Lookup(name string) (*Macro, bool) {
	k := strings.ToLower(name)
	ms.read(k)
	m, ok := ms.byName[k]
	return m, ok
}

// find returns what a query's word names: a saved query, or one that
// cannot be read (unless the name is now a plugin's or the language's,
// which the word then means), or neither.
func (ms *Macros) find(name string) (*Macro, *Unread) {
	if ms == nil || !isName(name) {
		return nil, nil
	}
	k := strings.ToLower(name)
	ms.read(k)
	if m, ok := ms.byName[k]; ok {
		return m, nil
	}
	if u, ok := ms.unread[k]; ok && checkName(&ast.Name{Name: name}, ms.reg) == nil {
		return nil, u
	}
	return nil, nil
}

// mayUse reports whether a statement may use saved queries: whether a
// word where a use stands (a head, a stage) is a name a saved query may
// take. One that is a plugin's, a field's or the language's never is.
func mayUse(st *ast.Statement, reg *plugins.Registry) bool {
	if st.Query == nil {
		return false
	}
	if reg == nil {
		reg = standard.Registry()
	}
	may := func(name string) bool { return isName(name) && checkName(&ast.Name{Name: name}, reg) == nil }
	for _, s := range st.Query.Stages {
		if may(s.Name) {
			return true
		}
	}
	if st.Query.Kind == ast.Aggregate {
		for _, h := range st.Query.Heads {
			if name, _, _, ok := useOf(h.Expr); ok && may(name) {
				return true
			}
		}
	}
	return holdsSubquery(st.Query) // macrosub.go
}

// clone returns a set of its own with the same macros.
func (ms *Macros) clone() *Macros {
	ms.readAll()
	c := newMacros(ms.reg)
	for k, m := range ms.byName {
		c.byName[k] = m
	}
	for k, u := range ms.unread {
		c.unread[k] = u
	}
	return c
}

// checkName refuses a name a saved query may not take: a field's, a word
// of the language, a plugin of reg's.
func checkName(n *ast.Name, reg *plugins.Registry) *Error {
	switch {
	case ast.IsKeyword(n.Name) || signin.Lookup(n.Name) != nil:
		return errorf(n.Pos, "%s is a keyword or field of the language; a saved query needs a name of its own", n.Name)
	case strings.EqualFold(n.Name, "bin") || strings.EqualFold(n.Name, "define") || strings.EqualFold(n.Name, "undefine") || ast.IsOperatorWord(n.Name):
		return errorf(n.Pos, "%s is a word of the language; a saved query needs a name of its own", n.Name)
	case len(n.Name) > maxNameBytes:
		return errorf(n.Pos, "a saved query's name is at most %d bytes", maxNameBytes)
	}
	if p, ok := reg.Lookup(n.Name); ok {
		return errorf(n.Pos, "%s is the %s plugin's name; a saved query needs a name of its own", n.Name, p.Describe().Kind)
	}
	return nil
}

// maxNameBytes bounds a saved query's name.
const maxNameBytes = 256

// definedName is the name a definition that does not read defines, when
// it begins "define NAME"; "" otherwise.
func definedName(text string) string {
	l := &lex{src: text, pos: lexer.Position{Line: 1, Column: 1}}
	def, err := l.Next()
	if err != nil || def.Type != tokKeyword || !strings.EqualFold(def.Value, "define") {
		return ""
	}
	name, err := l.Next()
	if err != nil || name.Type != tokWord || !isName(name.Value) {
		return ""
	}
	return name.Value
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
	st, err := Parse(text)
	if err != nil {
		return nil, err
	}
	if st.Define == nil {
		return nil, errorf(ast.Pos{Line: 1, Col: 1}, "a definition begins with define")
	}
	return ms.define(st.Define, reg)
}

func (ms *Macros) define(d *ast.Define, reg *plugins.Registry) (*Macro, error) {
	if reg == nil {
		reg = standard.Registry()
	}
	if err := checkName(d.Name, reg); err != nil {
		return nil, err
	}
	m := macroOf(d)
	if err := ms.check(m, reg); err != nil {
		return nil, err
	}
	k := strings.ToLower(m.Name)
	ms.read(k)
	delete(ms.unread, k) // replaced
	ms.byName[k] = m
	return m, nil
}

// Undefine parses "undefine NAME" and removes the saved query of that
// name (in any case), which it returns. An unknown name is an error at
// it, with a suggestion among the saved queries' names.
func (ms *Macros) Undefine(text string) (*Macro, error) {
	st, err := Parse(text)
	if err != nil {
		return nil, err
	}
	if st.Undefine == nil {
		return nil, errorf(ast.Pos{Line: 1, Col: 1}, "undefine NAME removes a saved query")
	}
	return ms.undefine(st.Undefine)
}

func (ms *Macros) undefine(u *ast.Undefine) (*Macro, error) {
	name := u.Name
	k := strings.ToLower(name.Name)
	ms.read(k)
	if m, ok := ms.byName[k]; ok {
		delete(ms.byName, k)
		return m, nil
	}
	if un, ok := ms.unread[k]; ok {
		delete(ms.unread, k)
		return &Macro{Name: un.Name, raw: un.Text}, nil
	}
	var names []string
	for _, o := range ms.All() {
		names = append(names, o.Name)
	}
	if len(names) == 0 {
		return nil, errorf(name.Pos, "no saved query %q: there are none", name.Name)
	}
	return nil, errorf(name.Pos, "no saved query %q%s (saved: %s)", name.Name, didYouMean(name.Name, names), strings.Join(names, ", "))
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

// maxExpansions bounds how many macros one query expands, so that macros
// that use each other end.
const maxExpansions = 32

// Expand returns the statement with the saved queries it uses replaced
// by their bodies (see Macro): one standing for the query's only head,
// what follows it added to its body; any standing for a stage. A
// statement that uses none comes back as it is; st is not changed.
// Errors are *Error, at the use or at the argument concerned.
func (ms *Macros) Expand(st *ast.Statement) (_ *ast.Statement, err error) {
	if st.Query == nil || ms == nil {
		return st, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = recovered(r) // a bug, never the text's fault
		}
	}()
	x := &expander{ms: ms}
	q, err := x.query(st.Query)
	if err != nil || q == st.Query {
		return st, err
	}
	return &ast.Statement{Explain: st.Explain, Analyze: st.Analyze, Query: q}, nil
}

// expander expands the uses of one statement, counting them.
type expander struct {
	ms *Macros
	n  int
}

// use counts one more use, at pos, of m.
func (x *expander) use(m *Macro, u *Unread, pos ast.Pos, args int) error {
	if u != nil {
		return errorf(pos, "the saved query %s cannot be read (%v): define %s again, or undefine %s", u.Name, u.Err, u.Name, u.Name)
	}
	if args != len(m.Params) {
		return errorf(pos, "%s takes %d arguments (%s), not %d", m.Name, len(m.Params), macroUsage(m), args)
	}
	if x.n++; x.n > maxExpansions {
		return errorf(pos, "saved queries expand more than %d times: does one use itself?", maxExpansions)
	}
	return nil
}

func macroUsage(m *Macro) string {
	if len(m.Params) == 0 {
		return m.Name
	}
	return m.Name + "(" + strings.Join(m.Params, ", ") + ")"
}

// query expands the uses of a query: its stages', and its head's. It
// returns q itself when there are none.
func (x *expander) query(q *ast.Query) (*ast.Query, error) {
	q, err := x.subqueries(q) // macrosub.go
	if err != nil {
		return nil, err
	}
	stages, err := x.stages(q.Stages)
	if err != nil {
		return nil, err
	}
	out := q
	if !slices.Equal(stages, q.Stages) {
		c := *q
		c.Stages = stages
		out = &c
	}
	if q.Kind != ast.Aggregate {
		return out, nil
	}
	for _, h := range q.Heads {
		name, given, pos, ok := useOf(h.Expr)
		if !ok {
			continue
		}
		m, u := x.ms.find(name)
		switch {
		case m == nil && u == nil:
			continue
		case u != nil:
			return nil, x.use(m, u, pos, len(given))
		case m.Stages:
			return nil, errorf(pos, "%s is a saved series of stages: it stands after a |", m.Name)
		case len(q.Heads) > 1:
			return nil, errorf(pos, "%s is a saved query: it stands alone at the head of a query", name)
		case h.Alias != nil:
			return nil, errorf(h.Alias.Pos, "%s is a saved query, which takes no alias (as)", name)
		}
		if err := x.use(m, u, pos, len(given)); err != nil {
			return nil, err
		}
		in := &inst{params: m.Params, given: given, at: &pos}
		body := in.query(m.def.Query)
		if in.err != nil {
			return nil, in.err
		}
		if body, err = x.query(body); err != nil {
			return nil, err
		}
		return merge(body, out, m)
	}
	return out, nil
}

// useOf returns the name and arguments of an expression that may be a
// saved query's use: a name, or a call.
func useOf(e ast.Expr) (string, []ast.Expr, ast.Pos, bool) {
	switch e := e.(type) {
	case *ast.Name:
		return e.Name, nil, e.Pos, true
	case *ast.Call:
		return e.Name, e.Args, e.Pos, true
	}
	return "", nil, ast.Pos{}, false
}

// stages expands the uses among stages; it returns ss itself when there
// are none.
func (x *expander) stages(ss []*ast.Stage) ([]*ast.Stage, error) {
	var out []*ast.Stage
	for i, s := range ss {
		var m *Macro
		var u *Unread
		if !s.Operator() {
			m, u = x.ms.find(s.Name)
		}
		if m == nil && u == nil {
			if out != nil {
				out = append(out, s)
			}
			continue
		}
		if m != nil && !m.Stages {
			return nil, errorf(s.Pos, "%s is a saved query: it stands at the head of a query", m.Name)
		}
		if err := x.use(m, u, s.Pos, len(s.Given)); err != nil {
			return nil, err
		}
		in := &inst{params: m.Params, given: s.Given, at: &s.Pos}
		body := in.stages(m.def.Stages)
		if in.err != nil {
			return nil, in.err
		}
		body, err := x.stages(body)
		if err != nil {
			return nil, err
		}
		if len(s.Args) > 0 {
			// What follows the use is added to its body, as a query's
			// clauses are: arguments to its last stage.
			last := *body[len(body)-1]
			last.Args = append(slices.Clip(last.Args), s.Args...)
			body[len(body)-1] = &last
		}
		if out == nil {
			out = append([]*ast.Stage(nil), ss[:i]...)
		}
		out = append(out, body...)
	}
	if out == nil {
		return ss, nil
	}
	return out, nil
}

// merge adds to a saved query's expanded body what follows its use in
// q: its clauses and stages. A clause both give is an error at q's.
func merge(body, q *ast.Query, m *Macro) (*ast.Query, error) {
	out := *body
	type clause struct {
		name  string
		given bool // in q
		pos   ast.Pos
		had   bool // in the body
		set   func()
	}
	for _, c := range []clause{
		{"where", q.Where != nil, exprStart(q.Where), body.Where != nil, func() { out.Where = q.Where }},
		{"since", q.Since != nil, litPos(q.Since), body.Since != nil, func() { out.Since = q.Since }},
		{"between", q.Between[0] != nil, litPos(q.Between[0]), body.Between[0] != nil, func() { out.Between = q.Between }},
		{"group by", q.GroupBy != nil, exprsStart(q.GroupBy), body.GroupBy != nil, func() { out.GroupBy, out.GroupIn = q.GroupBy, q.GroupIn }},
		{"having", q.Having != nil, exprStart(q.Having), body.Having != nil, func() { out.Having = q.Having }},
		{"order by", q.OrderBy != nil, orderStart(q.OrderBy), body.OrderBy != nil, func() { out.OrderBy = q.OrderBy }},
		{"limit", q.Limit != nil, litPos(q.Limit), body.Limit != nil, func() { out.Limit = q.Limit }},
	} {
		if !c.given {
			continue
		}
		switch {
		case c.had:
			return nil, errorf(c.pos, "%s is given twice: the saved query %s has one", c.name, m.Name)
		case len(body.Stages) > 0:
			return nil, errorf(c.pos, "the saved query %s ends with stages, and a clause cannot follow a stage", m.Name)
		}
		if err := clauseAllowed(&out, c.name, c.pos); err != nil {
			return nil, err
		}
		c.set()
		if out.Since != nil && out.Between[0] != nil {
			return nil, errorf(c.pos, "since and between both give the time range: use one")
		}
	}
	if len(q.Stages) > 0 {
		out.Stages = append(slices.Clip(body.Stages), q.Stages...)
	}
	return &out, nil
}

// exprStart is where an expression's text begins.
func exprStart(e ast.Expr) ast.Pos {
	switch e := e.(type) {
	case nil:
		return ast.Pos{}
	case *ast.Binary:
		return exprStart(e.L)
	case *ast.In:
		return exprStart(e.X)
	}
	return e.Position()
}

func exprsStart(es []ast.Expr) ast.Pos {
	if len(es) == 0 {
		return ast.Pos{}
	}
	return exprStart(es[0])
}

func orderStart(os []*ast.Order) ast.Pos {
	if len(os) == 0 {
		return ast.Pos{}
	}
	return exprStart(os[0].Expr)
}

func litPos(l *ast.Literal) ast.Pos {
	if l == nil {
		return ast.Pos{}
	}
	return l.Pos
}

// inst copies a saved query's body for one use: its parameters replaced
// by copies of the arguments given (which keep their positions), its
// other nodes at the use's position (at), or at their own when at is
// nil. Checking a definition, its parameters take the words of sample
// instead, at the parameters' positions, which it records in onParam.
type inst struct {
	params  []string
	given   []ast.Expr
	at      *ast.Pos
	sample  []string
	onParam map[int]bool // offsets
	err     error
}

func (in *inst) pos(p ast.Pos) ast.Pos {
	if in.at != nil {
		return *in.at
	}
	return p
}

// param returns the argument a word of the body stands for, if it is a
// parameter.
func (in *inst) param(word string, at ast.Pos) (ast.Expr, bool) {
	for i, p := range in.params {
		if strings.EqualFold(p, word) {
			if in.sample != nil {
				in.onParam[at.Offset] = true
				return &ast.Name{Pos: at, Name: in.sample[i]}, true
			}
			return copyExpr(in.given[i]), true
		}
	}
	return nil, false
}

func (in *inst) fail(err *Error) {
	if in.err == nil {
		in.err = err
	}
}

// word returns a word of the body that stands for a name (a function's,
// a stage's, an argument's): a parameter's argument must be a word.
func (in *inst) word(w string, at ast.Pos) string {
	a, ok := in.param(w, at)
	if !ok {
		return w
	}
	if n, isName := a.(*ast.Name); isName {
		return n.Name
	}
	in.fail(errorf(exprStart(a), "%s stands for a name in the saved query: give a word, not %s", w, a))
	return w
}

func (in *inst) literal(l *ast.Literal) *ast.Literal {
	if l == nil {
		return nil
	}
	if !l.Quoted {
		if a, ok := in.param(l.Text, l.Pos); ok {
			switch a := a.(type) {
			case *ast.Name:
				return &ast.Literal{Pos: a.Pos, Text: a.Name}
			case *ast.Literal:
				return a
			}
			in.fail(errorf(exprStart(a), "%s stands for a value in the saved query: give a word or a quoted string, not %s", l.Text, a))
		}
	}
	return &ast.Literal{Pos: in.pos(l.Pos), Text: l.Text, Quoted: l.Quoted}
}

func (in *inst) expr(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case nil:
		return nil
	case *ast.Name:
		if a, ok := in.param(e.Name, e.Pos); ok {
			return a
		}
		return &ast.Name{Pos: in.pos(e.Pos), Name: e.Name}
	case *ast.Literal:
		return in.literal(e)
	case *ast.Call:
		c := &ast.Call{Pos: in.pos(e.Pos), Name: in.word(e.Name, e.Pos), Args: in.exprs(e.Args)}
		return c
	case *ast.Binary:
		return &ast.Binary{Pos: in.pos(e.Pos), Op: e.Op, L: in.expr(e.L), R: in.expr(e.R)}
	case *ast.Not:
		return &ast.Not{Pos: in.pos(e.Pos), X: in.expr(e.X)}
	case *ast.Tuple:
		t := &ast.Tuple{Pos: in.pos(e.Pos)}
		for _, f := range e.Fields {
			switch a := in.expr(f).(type) {
			case *ast.Name:
				t.Fields = append(t.Fields, a)
			default:
				in.fail(errorf(exprStart(a), "%s stands for a field in a list of fields of the saved query: give a field's name, not %s", f.Name, a))
			}
		}
		return t
	case *ast.In:
		c := &ast.In{Pos: in.pos(e.Pos), X: in.expr(e.X), Not: e.Not}
		if e.Query != nil {
			c.Query = in.query(e.Query)
		}
		for _, v := range e.Values {
			c.Values = append(c.Values, in.literal(v))
		}
		return c
	}
	return e // none other: Expr's method is unexported
}

func (in *inst) exprs(es []ast.Expr) []ast.Expr {
	var out []ast.Expr
	for _, e := range es {
		out = append(out, in.expr(e))
	}
	return out
}

func (in *inst) query(q *ast.Query) *ast.Query {
	c := &ast.Query{
		Pos: in.pos(q.Pos), Kind: q.Kind, All: q.All,
		TopN: in.literal(q.TopN), TopKeys: in.exprs(q.TopKeys), TopBy: in.expr(q.TopBy), Fields: in.exprs(q.Fields), ID: in.literal(q.ID),
		Where: in.expr(q.Where), Since: in.literal(q.Since), Between: [2]*ast.Literal{in.literal(q.Between[0]), in.literal(q.Between[1])},
		GroupBy: in.exprs(q.GroupBy), GroupIn: in.literal(q.GroupIn), Having: in.expr(q.Having), Limit: in.literal(q.Limit), Stages: in.stages(q.Stages),
	}
	for _, h := range q.Heads {
		c.Heads = append(c.Heads, &ast.Head{Pos: in.pos(h.Pos), Expr: in.expr(h.Expr), Alias: in.literal(h.Alias)})
	}
	for _, o := range q.OrderBy {
		c.OrderBy = append(c.OrderBy, &ast.Order{Pos: in.pos(o.Pos), Expr: in.expr(o.Expr), Desc: o.Desc})
	}
	return c
}

func (in *inst) stages(ss []*ast.Stage) []*ast.Stage {
	var out []*ast.Stage
	for _, s := range ss {
		if s.Operator() {
			out = append(out, in.operator(s))
			continue
		}
		c := &ast.Stage{Pos: in.pos(s.Pos), Name: in.word(s.Name, s.Pos), Paren: s.Paren, Given: in.exprs(s.Given)}
		for _, a := range s.Args {
			name := a.Name
			if name != "" {
				name = strings.ToLower(in.word(name, a.Pos))
			}
			c.Args = append(c.Args, &ast.StageArg{Pos: in.pos(a.Pos), Name: name, Value: in.literal(a.Value)})
		}
		out = append(out, c)
	}
	return out
}

// operator copies an operator after a | (where, order by, limit, join).
func (in *inst) operator(s *ast.Stage) *ast.Stage {
	c := &ast.Stage{Pos: in.pos(s.Pos), Name: s.Name, Where: in.expr(s.Where), Limit: in.literal(s.Limit)}
	for _, o := range s.OrderBy {
		c.OrderBy = append(c.OrderBy, &ast.Order{Pos: in.pos(o.Pos), Expr: in.expr(o.Expr), Desc: o.Desc})
	}
	if j := s.Join; j != nil {
		c.Join = &ast.Join{Pos: in.pos(j.Pos), Kind: j.Kind, Query: in.query(j.Query)}
		for _, k := range j.On {
			c.Join.On = append(c.Join.On, &ast.Name{Pos: in.pos(k.Pos), Name: in.word(k.Name, k.Pos)})
		}
	}
	if q := s.Sequence; q != nil {
		c.Sequence = &ast.Sequence{Pos: in.pos(q.Pos), Within: in.literal(q.Within), Gap: in.literal(q.Gap)}
		for _, k := range q.By {
			c.Sequence.By = append(c.Sequence.By, &ast.Name{Pos: in.pos(k.Pos), Name: in.word(k.Name, k.Pos)})
		}
		for _, st := range q.Steps {
			step := &ast.SeqStep{Pos: in.pos(st.Pos), Min: st.Min}
			if st.Cond != nil {
				step.Cond = in.expr(st.Cond)
			}
			c.Sequence.Steps = append(c.Sequence.Steps, step)
		}
	}
	return c
}

// copyExpr copies an expression, positions and all.
func copyExpr(e ast.Expr) ast.Expr { return (&inst{}).expr(e) }
