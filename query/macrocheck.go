package query

import (
	"errors"
	"strings"
	"time"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
)

// sampleArgs are the values a parameter is tried with when its
// definition is checked: a duration (since D, bin(D)), a number (limit
// N, top N, a count), a field (group by F, dcount(F)), a measure (F >
// N), a date (between A and B).
var sampleArgs = []string{"1d", "1", "user", "latency", "2026-01-01"}

// defineCheckNow is the time a definition is checked at: relative times need
// one, and which does not matter.
var defineCheckNow = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)

// check checks a definition's body as Define says; bodyAt is where the
// body begins in text, the definition, where errors point.
func (ms *Macros) check(m *Macro, bodyAt int, text string, reg *plugins.Registry) error {
	// The saved queries the body may use, with this one in its place (so
	// that one using itself is found).
	with := NewMacros()
	for k, o := range ms.byName {
		with.byName[k] = o
	}
	with.byName[strings.ToLower(m.Name)] = m
	var wrong error
	for _, args := range sampleCombos(len(m.Params)) {
		body, back := m.substituteMapped(args)
		err := checkBody(body, m.Stages, with, reg)
		if err == nil {
			return nil
		}
		var qe *Error
		if !errors.As(err, &qe) {
			return err
		}
		off, onParam := back(qe.Pos.Offset)
		if !onParam && wrong == nil {
			wrong = errorf(posAt(text, bodyAt+off), "define %s: %s", m.Name, qe.Msg)
		}
	}
	return wrong
}

// sampleCombos returns the sets of sample values n parameters are tried
// with: every combination for up to four, else each sample for all.
func sampleCombos(n int) [][]string {
	if n == 0 {
		return [][]string{nil}
	}
	if n > 4 {
		var out [][]string
		for _, a := range sampleArgs {
			args := make([]string, n)
			for i := range args {
				args[i] = a
			}
			out = append(out, args)
		}
		return out
	}
	var out [][]string
	for _, rest := range sampleCombos(n - 1) {
		for _, a := range sampleArgs {
			out = append(out, append([]string{a}, rest...))
		}
	}
	return out
}

// stagesPrefix is what stages are parsed after.
const stagesPrefix = "list | "

// checkBody checks a body whose parameters have values: a query as it
// is checked before it runs; stages for their names and arguments.
func checkBody(body string, stages bool, macros *Macros, reg *plugins.Registry) error {
	if !stages {
		_, err := Prepare(body, macros, reg, defineCheckNow)
		return err
	}
	expanded, err := macros.Expand(stagesPrefix + body)
	if err != nil {
		return shiftError(err, -len(stagesPrefix))
	}
	st, err := Parse(expanded)
	if err != nil {
		return shiftError(inExpansion(stagesPrefix+body, expanded, err), -len(stagesPrefix))
	}
	for _, s := range st.Query.Stages {
		// The values of the arguments are checked where the saved query
		// is used: a parameter's sample need not be of their types.
		if _, _, err := bindStage(s, reg); err != nil && !errors.As(err, new(*plugins.ArgError)) {
			return shiftError(inExpansion(stagesPrefix+body, expanded, err), -len(stagesPrefix))
		}
	}
	return nil
}

// bindStage finds a stage in reg and binds its arguments (by name, with
// their defaults, by their types): what the checker asks of a stage
// before it binds it to the columns it follows. An unknown stage or
// argument is an error at its position, with a did-you-mean; a value
// that is not of its argument's type is an error at the value
// (argError).
func bindStage(s *ast.Stage, reg *plugins.Registry) (plugins.Stage, *plugins.Args, error) {
	pl, ok := reg.Lookup(s.Name)
	st, isStage := pl.(plugins.Stage)
	if !ok || !isStage {
		return nil, nil, errorf(s.Pos, "unknown stage %q%s", s.Name, didYouMean(s.Name, reg.Names(plugins.KindStage)))
	}
	d := st.Describe()
	var args []plugins.StageArg
	for _, a := range s.Args {
		args = append(args, plugins.StageArg{Name: a.Name, Value: a.Value.Text, Pos: a.Value.Pos})
	}
	bound, err := plugins.BindArgs(d, args)
	if unknown := (*plugins.UnknownArgError)(nil); errors.As(err, &unknown) {
		var names []string
		for _, da := range d.Args {
			names = append(names, da.Name)
		}
		return nil, nil, errorf(s.Args[unknown.Arg].Pos, "%s has no argument %q%s (%s)", d.Name, unknown.Name, didYouMean(unknown.Name, names), d.Usage())
	}
	if ae := (*plugins.ArgError)(nil); errors.As(err, &ae) {
		return nil, nil, argError(s, ae)
	}
	if err != nil {
		return nil, nil, errorf(s.Pos, "%v", err)
	}
	return st, bound, nil
}

// shiftError moves a query error's offset by delta (not below 0).
func shiftError(err error, delta int) error {
	var qe *Error
	if !errors.As(err, &qe) {
		return err
	}
	p := qe.Pos
	p.Offset = max(0, p.Offset+delta)
	return &Error{Pos: p, Msg: qe.Msg}
}

// substituteMapped gives the body's parameters their values, as
// substitute does, and returns with the text a function that maps an
// offset in it back to the body: the offset there, and whether it falls
// on a parameter.
func (m *Macro) substituteMapped(args []string) (string, func(off int) (int, bool)) {
	type repl struct{ at, oldLen, newAt, newLen int }
	var repls []repl
	var b strings.Builder
	last := 0
	if len(m.Params) > 0 {
		toks, err := tokens(m.Body)
		if err == nil {
			for _, t := range toks {
				if t.Type != tokWord {
					continue
				}
				for j, p := range m.Params {
					if strings.EqualFold(t.Value, p) {
						b.WriteString(m.Body[last:t.Pos.Offset])
						repls = append(repls, repl{at: t.Pos.Offset, oldLen: len(t.Value), newAt: b.Len(), newLen: len(args[j])})
						b.WriteString(args[j])
						last = t.Pos.Offset + len(t.Value)
					}
				}
			}
		}
	}
	b.WriteString(m.Body[last:])
	back := func(off int) (int, bool) {
		shift := 0
		for _, r := range repls {
			switch {
			case off < r.newAt:
				return off - shift, false
			case off < r.newAt+max(r.newLen, 1):
				return r.at, true
			}
			shift += r.newLen - r.oldLen
		}
		return off - shift, false
	}
	return b.String(), back
}
