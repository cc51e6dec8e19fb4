package query

import (
	"math"
	"strconv"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query/ast"
)

// Check resolves a parsed statement against the field catalog and a
// registry of plugins (nil for standard.Registry), with now the time
// relative times are resolved against, and returns its plan. Its errors
// are *Error, with the position of what they concern (but for a panic of
// a plugin's, or a bug: a *PanicError).
//
// Of the named lists (@name) Check knows the built-ins; Exec checks a
// statement with the lists of the store it runs on too.
func Check(st *ast.Statement, reg *plugins.Registry, now time.Time) (plan *Plan, err error) {
	return checkWith(st, reg, now, nil)
}

// CheckLists is Check with named lists given by their values (name:
// values) beside the built-ins, as a store with those lists would have
// them: for a query run elsewhere than on a store (on ClickHouse, in
// package clickhouse). A list a store could not hold (its name or
// values) is an error; so is one named as a built-in.
func CheckLists(st *ast.Statement, reg *plugins.Registry, now time.Time, lists map[string][]string) (*Plan, error) {
	src, err := givenLists(lists)
	if err != nil {
		return nil, err
	}
	return checkWith(st, reg, now, src)
}

// checkWith is Check with the named lists of a source besides the
// built-ins (nil: the built-ins only).
func checkWith(st *ast.Statement, reg *plugins.Registry, now time.Time, lists *listSource) (plan *Plan, err error) {
	defer func() {
		if r := recover(); r != nil {
			plan, err = nil, recovered(r) // a plugin's (Result, Bind, Needs), or a bug
		}
	}()
	if reg == nil {
		reg = standard.Registry()
	}
	if st.Query == nil {
		return nil, errorf(ast.Pos{Line: 1, Col: 1}, "define and undefine change a store's saved queries: they are not queries to check (Exec runs them)")
	}
	c := &checker{reg: reg, now: now.UTC(), lists: lists}
	p := &Plan{Statement: st, Kind: st.Query.Kind, Now: c.now, From: math.MinInt64, To: math.MaxInt64, Limit: -1, reg: reg, lists: lists}
	if err := c.query(p, st.Query); err != nil {
		return nil, err
	}
	return p, nil
}

type checker struct {
	reg   *plugins.Registry
	now   time.Time
	p     *Plan
	lists *listSource // the named lists (@name) the statement may use; nil: the built-ins
}

func (c *checker) query(p *Plan, q *ast.Query) error {
	c.p = p
	if err := c.timeRange(p, q); err != nil {
		return err
	}
	if q.Where != nil {
		f, err := c.cond(q.Where)
		if err != nil {
			return err
		}
		p.filter = f
	}
	narrowScan(p) // timearith.go
	if q.Limit != nil {
		n, err := c.count(q.Limit, "limit")
		if err != nil {
			return err
		}
		p.Limit = n
	}
	switch q.Kind {
	case ast.Show:
		p.ShowID = q.ID.Text
		return nil
	case ast.List:
		if err := c.list(p, q); err != nil {
			return err
		}
	case ast.Top:
		if err := c.top(p, q); err != nil {
			return err
		}
	default:
		if err := c.aggregate(p, q); err != nil {
			return err
		}
	}
	if err := c.stages(p, q); err != nil {
		return err
	}
	if q.Kind == ast.List {
		// After the stages, which may choose the list's fields.
		return c.listOrder(p, q.OrderBy)
	}
	return nil
}

// count reads a positive whole number: a limit, top's N.
func (c *checker) count(l *ast.Literal, what string) (int, error) {
	n, err := strconv.Atoi(l.Text)
	if err != nil || n < 1 || l.Quoted {
		return 0, errorf(l.Pos, "%s takes a whole number of 1 or more, not %s", what, l)
	}
	return n, nil
}

// field resolves a name to a catalog field.
func (c *checker) field(n *ast.Name) (*engine.Column, error) {
	col := engine.LookupColumn(n.Name)
	if col == nil {
		return nil, errorf(n.Pos, "unknown field %q%s", n.Name, didYouMean(n.Name, fieldNames()))
	}
	return col, nil
}

// fieldNames are the names a field may be given: the catalog's, and
// their aliases (signin.Names), for did-you-mean.
func fieldNames() []string { return signin.Names() }
