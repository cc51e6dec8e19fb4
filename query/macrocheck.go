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

// check checks a definition's body as Define says. The body's nodes
// have their positions in the definition's text, where errors point.
func (ms *Macros) check(m *Macro, reg *plugins.Registry) error {
	// The saved queries the body may use, with this one in its place (so
	// that one using itself is found).
	with := ms.clone()
	with.byName[strings.ToLower(m.Name)] = m
	delete(with.unread, strings.ToLower(m.Name))
	var wrong error
	for _, args := range sampleCombos(len(m.Params)) {
		in := &inst{params: m.Params, sample: args, onParam: map[int]bool{}}
		var err error
		if m.Stages {
			err = checkStages(in.stages(m.def.Stages), with, reg)
		} else {
			err = checkQuery(in.query(m.def.Query), with, reg)
		}
		if err == nil {
			return nil
		}
		var qe *Error
		if !errors.As(err, &qe) {
			return err
		}
		if !in.onParam[qe.Pos.Offset] && wrong == nil {
			wrong = errorf(qe.Pos, "define %s: %s", m.Name, qe.Msg)
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

// checkQuery checks a body that is a query, its parameters given values,
// as a query is checked before it runs.
func checkQuery(q *ast.Query, macros *Macros, reg *plugins.Registry) error {
	st, err := macros.Expand(&ast.Statement{Query: q})
	if err != nil {
		return err
	}
	// The named lists it uses are those of the store where it is used:
	// it is checked against them then.
	_, err = checkWith(st, reg, defineCheckNow, &listSource{lenient: true})
	return err
}

// checkStages checks a body that is stages, its parameters given values,
// for the stages' names and arguments.
func checkStages(stages []*ast.Stage, macros *Macros, reg *plugins.Registry) error {
	stages, err := (&expander{ms: macros}).stages(stages)
	if err != nil {
		return err
	}
	for _, s := range stages {
		// The values of the arguments are checked where the saved query
		// is used: a parameter's sample need not be of their types.
		if _, _, err := bindStage(s, reg); err != nil && !errors.As(err, new(*plugins.ArgError)) {
			return err
		}
		if s.Paren {
			return parenStage(s)
		}
	}
	return nil
}

// parenStage is the error of a stage given arguments in parentheses,
// which only a saved series of stages takes.
func parenStage(s *ast.Stage) error {
	return errorf(s.Pos, "%s is a stage: it takes name=value arguments, not arguments in parentheses (only a saved series of stages does)", s.Name)
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
