package query

import (
	"errors"
	"slices"
	"strings"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// stages binds the stages after "|" to the columns they receive. A
// stage that reads sign-ins (plugins.Needer) right after a list without
// fields chooses the list's fields, and adds its condition to the
// query's.
func (c *checker) stages(p *Plan, q *ast.Query) error {
	for i, s := range q.Stages {
		if s.Sequence != nil && i == 0 && p.Kind == ast.List && !q.All && len(q.Fields) == 0 {
			seqListFields(p, s.Sequence) // sequence.go
		}
		if s.Operator() {
			if err := c.operator(p, s); err != nil {
				return err
			}
			continue
		}
		st, bound, err := bindStage(s, c.reg)
		if err != nil {
			return err
		}
		if s.Paren {
			return parenStage(s)
		}
		n, needer := st.(plugins.Needer)
		if needer && i == 0 && p.Kind == ast.List {
			if err := c.needs(p, q, s, n, bound); err != nil {
				return err
			}
		}
		in := stageInput(p)
		if needer && slices.ContainsFunc(in, func(c result.Column) bool { return c.Key }) {
			// Its rows would be groups, which it would read as sign-ins.
			return errorf(s.Pos, "%s reads sign-ins, and the rows before it are groups (of %s): put it right after a list (list since 7d | %s)", s.Name, keyNames(in), s)
		}
		r, err := st.Bind(bound, in)
		if err != nil {
			return stageError(s, err)
		}
		p.stages = append(p.stages, &boundStage{src: s, runner: r})
	}
	return nil
}

// stageError is the error of a stage's Needs or Bind as a query's: at
// the argument's value for one about an argument (argError), else at
// the stage's name, after it.
func stageError(s *ast.Stage, err error) error {
	if ae := (*plugins.ArgError)(nil); errors.As(err, &ae) {
		return argError(s, ae)
	}
	return errorf(s.Pos, "%s: %v", s.Name, err)
}

// argError is an error in the value of a stage's argument as a query's:
// at the value, naming the stage and the argument ("spray's accounts:
// "abc" is not a whole number of at least 1"); at the stage's name for
// a default, which stands nowhere.
func argError(s *ast.Stage, ae *plugins.ArgError) error {
	pos := ae.Pos
	if pos == (ast.Pos{}) {
		pos = s.Pos
	}
	return &Error{Pos: pos, Msg: ae.Error(), Err: ae}
}

// keyNames names the group keys among columns.
func keyNames(cols []result.Column) string {
	var names []string
	for _, c := range cols {
		if c.Key {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, ", ")
}

// needs applies what a stage reading sign-ins needs to the list before
// it: its fields, when the list names none, and its condition.
func (c *checker) needs(p *Plan, q *ast.Query, s *ast.Stage, n plugins.Needer, args *plugins.Args) error {
	needs, err := n.Needs(args)
	if err != nil {
		return stageError(s, err)
	}
	if !q.All && len(q.Fields) == 0 {
		p.listCols = p.listCols[:0]
		for _, name := range needs.Fields {
			col := engine.LookupColumn(name)
			if col == nil {
				return errorf(s.Pos, "%s needs field %q, which the catalog lacks", s.Name, name)
			}
			p.listCols = append(p.listCols, &listCol{name: col.Field.Name, col: col})
		}
	}
	p.Stream = needs.Stream && q.Limit == nil
	if needs.Where == nil {
		return nil
	}
	if err := builtExpr(needs.Where); err != nil {
		return errorf(s.Pos, "%s needs a condition that does not check: %v", s.Name, err)
	}
	w, err := c.cond(needs.Where)
	if err != nil {
		return errorf(s.Pos, "%s needs a condition that does not check (%s): %v", s.Name, brief(needs.Where), err)
	}
	if p.filter == nil {
		p.filter = w
	} else {
		p.filter = &condAnd{xs: []cond{p.filter, w}}
	}
	return nil
}

// stageInput is the columns the next stage receives: the last stage's,
// or the plan's own.
func stageInput(p *Plan) []result.Column {
	if len(p.stages) > 0 {
		return p.stages[len(p.stages)-1].runner.Columns()
	}
	return planColumns(p)
}
