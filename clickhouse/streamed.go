package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// ErrTooManyRows is the error for a query run in signinq whose sign-ins,
// streamed from ClickHouse, would be more than QueryOptions.MaxStreamed.
var ErrTooManyRows = errors.New("too many sign-ins to run the query in signinq")

// DefaultMaxStreamed is QueryOptions.MaxStreamed's default.
const DefaultMaxStreamed = 5_000_000

// storesRead are the stages that read the store themselves (a baseline
// before the query's range, a timeline of the store): a query with one
// of them needs every sign-in, not only those its filter keeps.
var storesRead = map[string]bool{"newvalue": true, "timeline": true, "travel": true}

// selfContained reports whether a query reads no sign-ins beyond those
// its own where and time range keep: no subquery, no join, no stage that
// reads the store.
func selfContained(q *ast.Query) bool {
	ok := true
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.Binary:
			walk(e.L)
			walk(e.R)
		case *ast.Not:
			walk(e.X)
		case *ast.In:
			if e.Query != nil {
				ok = false
			}
			walk(e.X)
		case *ast.Call:
			for _, a := range e.Args {
				walk(a)
			}
		}
	}
	walk(q.Where)
	for _, h := range q.Heads {
		walk(h.Expr)
	}
	walk(q.TopBy)
	walk(q.Having)
	for _, s := range q.Stages {
		if s.Join != nil || storesRead[strings.ToLower(s.Name)] {
			ok = false
		}
		walk(s.Where)
		if s.Sequence != nil {
			for _, st := range s.Sequence.Steps {
				walk(st.Cond)
			}
		}
	}
	return ok
}

// pushdown is the SQL filter of the sign-ins a query streamed to signinq
// needs: its time range and the conditions of its where that compile,
// when it reads no others; else none (every sign-in).
func (c *compiler) pushdown(q *ast.Query) string {
	if q.Kind == ast.Show && q.ID != nil {
		return " WHERE " + fold(ident("id")) + " = " + fold(quote(q.ID.Text))
	}
	if !selfContained(q) {
		return ""
	}
	var conds []string
	w, err := c.where(&ast.Query{})
	if err == nil && w != "" {
		conds = append(conds, strings.TrimPrefix(w, " WHERE "))
	}
	var and func(e ast.Expr)
	and = func(e ast.Expr) {
		if b, ok := e.(*ast.Binary); ok && b.Op == "and" {
			and(b.L)
			and(b.R)
			return
		}
		if s, err := c.cond(e); err == nil {
			conds = append(conds, s)
		}
	}
	if q.Where != nil {
		and(q.Where)
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// Streamed is the plan of a query run in signinq on sign-ins streamed
// from ClickHouse: the SQL that selects them.
type Streamed struct {
	SQL string
}

// streamedPlan returns the SQL that streams a query's sign-ins.
func streamedPlan(plan *query.Plan, database string, lists map[string][]string) *Streamed {
	c := &compiler{plan: plan, database: database, lists: listValues(lists)}
	var names []string
	for _, col := range columns() {
		names = append(names, ident(col.name))
	}
	return &Streamed{SQL: "SELECT " + strings.Join(names, ", ") + " FROM " + c.table() + c.pushdown(plan.Statement.Query)}
}

// Cache keeps the stores of sign-ins streamed for queries run in signinq,
// by the SQL that streamed them (the last cacheStores of them), for a
// session of queries on a table that does not change meanwhile (a test,
// a benchmark). Close it after.
type Cache struct {
	dbs   map[string]*engine.DB
	order []string // oldest first
}

// cacheStores is how many stores a Cache keeps.
const cacheStores = 4

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{dbs: map[string]*engine.DB{}} }

func (c *Cache) put(sql string, db *engine.DB) {
	if len(c.order) == cacheStores {
		c.dbs[c.order[0]].Close()
		delete(c.dbs, c.order[0])
		c.order = c.order[1:]
	}
	c.dbs[sql] = db
	c.order = append(c.order, sql)
}

// Close closes the cache's stores.
func (c *Cache) Close() error {
	var errs []error
	for _, db := range c.dbs {
		errs = append(errs, db.Close())
	}
	c.dbs, c.order = nil, nil
	return errors.Join(errs...)
}

// runStreamed runs a query in signinq on the sign-ins s streams from
// ClickHouse, held in a temporary in-memory store with the named lists
// of opts.
func runStreamed(ctx context.Context, conn driver.Conn, reg *plugins.Registry, text string, s *Streamed, opts QueryOptions, now time.Time) (*result.Result, error) {
	db := (*engine.DB)(nil)
	if opts.Cache != nil {
		db = opts.Cache.dbs[s.SQL]
	}
	if db == nil {
		var err error
		if db, err = stream(ctx, conn, s.SQL, opts); err != nil {
			return nil, err
		}
		if opts.Cache != nil {
			opts.Cache.put(s.SQL, db)
		} else {
			defer db.Close()
		}
	}
	return query.Run(ctx, db, reg, text, query.Options{Now: now})
}

// stream reads the sign-ins a statement selects into a new in-memory
// store.
func stream(ctx context.Context, conn driver.Conn, sql string, opts QueryOptions) (*engine.DB, error) {
	max := opts.MaxStreamed
	if max <= 0 {
		max = DefaultMaxStreamed
	}
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: %w", err)
	}
	defer rows.Close()
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*engine.DB, error) {
		db.Close()
		return nil, err
	}
	for name, values := range opts.Lists {
		if err := query.SetList(db, name, values); err != nil {
			return fail(err)
		}
	}
	cols := columns()
	types := rows.ColumnTypes()
	dest := make([]any, len(types))
	for i, t := range types {
		dest[i] = reflect.New(t.ScanType()).Interface()
	}
	var batch []signin.Record
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fail(fmt.Errorf("clickhouse: %w", err))
		}
		if n++; n > max {
			return fail(fmt.Errorf("clickhouse: more than %d sign-ins match the query's filter: %w; narrow it with where or since, or raise the limit", max, ErrTooManyRows))
		}
		r, err := record(cols, dest)
		if err != nil {
			return fail(err)
		}
		batch = append(batch, r)
		if len(batch) == 20000 {
			if _, err := db.IngestRecords(ctx, batch); err != nil {
				return fail(err)
			}
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fail(fmt.Errorf("clickhouse: %w", err))
	}
	if len(batch) > 0 {
		if _, err := db.IngestRecords(ctx, batch); err != nil {
			return fail(err)
		}
	}
	return db, nil
}

// record makes a sign-in of a row of every column.
func record(cols []column, dest []any) (signin.Record, error) {
	r := signin.New()
	for i, c := range cols {
		x, ok := deref(dest[i])
		if !ok {
			continue
		}
		var err error
		switch c.name {
		case colSecond, colIP16:
			continue
		case colRaw:
			if s := x.(string); s != "" {
				r.Raw = []byte(s)
			}
			continue
		case colFormat:
			r.Format = signin.Format(x.(uint8))
			continue
		}
		f := c.field
		if f.Derived() {
			continue
		}
		switch {
		case f.Name == "time":
			err = f.SetTime(&r, time.Unix(0, x.(int64)).UTC())
		case f.Kind == signin.KindString:
			err = f.SetString(&r, x.(string))
		case f.Kind == signin.KindInt:
			err = f.SetInt(&r, x.(int64))
		case f.Kind == signin.KindTime:
			err = f.SetTime(&r, time.Unix(0, x.(int64)).UTC())
		case f.Kind == signin.KindFloat:
			err = f.SetFloat(&r, x.(float64))
		case f.Kind == signin.KindBool:
			b := signin.BoolFalse
			if x.(uint8) != 0 {
				b = signin.BoolTrue
			}
			err = f.SetBool(&r, b)
		case f.Kind == signin.KindList:
			if l := x.([]string); len(l) > 0 {
				err = f.SetList(&r, l)
			}
		}
		if err != nil {
			return r, fmt.Errorf("clickhouse: column %s: %w", c.name, err)
		}
	}
	return r, nil
}
