package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// QueryOptions configure Query.
type QueryOptions struct {
	Database string // "default" when ""
	// Now is what relative times count from ("since 24h"); required,
	// so that an answer never depends on the machine's clock unasked.
	Now time.Time
	// SQLOnly refuses a query that does not compile to SQL (an error
	// wrapping ErrNotExpressible) instead of running it in signinq on
	// the sign-ins streamed from ClickHouse.
	SQLOnly bool
	// Lists are the named lists (name: values) queries may use beside
	// the built-in ones, as a store's lists (signinq lists) are; a query
	// using one runs in signinq on streamed sign-ins.
	Lists map[string][]string
	// MaxStreamed bounds the sign-ins streamed for a query run in
	// signinq: beyond, ErrTooManyRows. DefaultMaxStreamed when 0.
	MaxStreamed int
	// Cache, when set, keeps the streamed sign-ins for later queries of
	// the same filter (see Cache).
	Cache *Cache
}

// Prepare checks a query as the engine does (query.Prepare, with the
// built-in named lists) at now, and compiles it.
func Prepare(text string, reg *plugins.Registry, database string, now time.Time) (*Compiled, error) {
	plan, err := query.Prepare(text, nil, reg, now)
	if err != nil {
		return nil, err
	}
	if database == "" {
		database = "default"
	}
	return Compile(plan, database)
}

// Query runs a query of the language on ClickHouse: it is checked as the
// engine checks it, compiled to SQL (an error wrapping ErrNotExpressible
// when it cannot be said exactly), run by ClickHouse over the table the
// export made, and its rows decoded, filtered by having, ordered and cut
// as the engine's are.
func Query(ctx context.Context, conn driver.Conn, reg *plugins.Registry, text string, opts QueryOptions) (*result.Result, error) {
	now := opts.Now
	if now.IsZero() {
		return nil, errors.New("clickhouse: QueryOptions.Now is required: the time relative times count from")
	}
	plan, cp, err := prepare(ctx, reg, text, opts, now)
	if errors.Is(err, ErrNotExpressible) && !opts.SQLOnly {
		return runStreamed(ctx, conn, reg, text, streamedPlan(plan, database(Options{Database: opts.Database}), opts.Lists), opts, now)
	}
	if err != nil {
		return nil, err
	}
	res, err := cp.Run(ctx, conn)
	if errors.Is(err, ErrNotExpressible) && !opts.SQLOnly {
		// A subquery's values the statement cannot hold.
		return runStreamed(ctx, conn, reg, text, streamedPlan(plan, database(Options{Database: opts.Database}), opts.Lists), opts, now)
	}
	return res, err
}

// prepare checks a query, with the built-in named lists and opts.Lists,
// and compiles it: the plan, and the compiled query or the compiler's
// error (the plan is set then too).
func prepare(ctx context.Context, reg *plugins.Registry, text string, opts QueryOptions, now time.Time) (*query.Plan, *Compiled, error) {
	// The query is checked as it would be on a store with opts.Lists.
	plan, err := query.PrepareLists(text, nil, reg, now, opts.Lists)
	if err != nil {
		return nil, nil, err
	}
	cp, err := compile(plan, database(Options{Database: opts.Database}), opts.Lists, reg)
	return plan, cp, err
}

// Run runs a compiled query on conn.
func (cp *Compiled) Run(ctx context.Context, conn driver.Conn) (*result.Result, error) {
	sql, err := cp.statement(ctx, conn)
	if err != nil {
		return nil, err
	}
	rows, err := conn.Query(longStatement(ctx, sql), sql)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: %w", err)
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	var selected []int // the outs SQL selects, in its order
	for i, o := range cp.outs {
		if o.sql != "" {
			selected = append(selected, i)
		}
	}
	n := len(selected) + len(cp.sumOver)
	if len(types) != n {
		return nil, fmt.Errorf("clickhouse: the server returned %d columns for %d", len(types), n)
	}
	dest := make([]any, n)
	for i, t := range types {
		dest[i] = reflect.New(t.ScanType()).Interface()
	}
	var out [][]result.Value
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("clickhouse: %w", err)
		}
		row := make([]result.Value, len(cp.outs))
		for j, i := range selected {
			v, err := decode(dest[j], cp.outs[i].kind)
			if err != nil {
				return nil, fmt.Errorf("clickhouse: column %s: %w", cp.outs[i].name, err)
			}
			if conv := cp.outs[i].conv; conv != nil {
				s, err := conv(v.Str())
				if err != nil {
					return nil, fmt.Errorf("clickhouse: column %s: %w", cp.outs[i].name, err)
				}
				v = result.StringValue(s)
			}
			row[i] = v
		}
		for j, i := range cp.sumOver {
			f, _ := deref(dest[len(selected)+j])
			if x, ok := f.(float64); ok && math.Abs(x) >= 9.2e18 {
				return nil, fmt.Errorf("clickhouse: %s: the total is beyond the range of whole numbers: %w", cp.outs[i].name, plugins.ErrOverflow)
			}
			if x, ok := f.(float64); ok && math.Abs(x) >= 9e18 {
				return nil, refuse(ast.Pos{}, cp.outs[i].name, "its total is too near the range of whole numbers to tell an overflow")
			}
		}
		for i, o := range cp.outs {
			if o.calc != nil {
				v, err := eval(o.calc, row)
				if err != nil {
					return nil, err
				}
				row[i] = v
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: %w", err)
	}
	if cp.absent != nil {
		if out, err = cp.addAbsent(out); err != nil {
			return nil, err
		}
	}
	if out, err = cp.finish(out); err != nil {
		return nil, err
	}
	for i, r := range out {
		v := make([]result.Value, len(cp.visible))
		for j, k := range cp.visible {
			v[j] = r[k]
		}
		out[i] = v
	}
	for _, op := range cp.post {
		if out, err = op.apply(ctx, conn, out); err != nil {
			return nil, err
		}
	}
	return &result.Result{Columns: cp.Columns, Rows: out, Stats: result.Stats{Rows: int64(len(out))}}, nil
}

// finish applies having, the order and the limit.
func (cp *Compiled) finish(rows [][]result.Value) ([][]result.Value, error) {
	if cp.having != nil {
		kept := rows[:0]
		for _, r := range rows {
			ok, err := cp.having.holds(r)
			if err != nil {
				return nil, err
			}
			if ok {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	if cp.order != nil {
		slices.SortStableFunc(rows, func(a, b []result.Value) int {
			for _, o := range cp.order {
				c := result.Compare(a[o.col], b[o.col])
				if o.desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			for _, k := range cp.keys {
				if c := strings.Compare(a[k].String(), b[k].String()); c != 0 {
					return c
				}
			}
			return 0
		})
	}
	if cp.limit >= 0 && len(rows) > cp.limit {
		rows = rows[:cp.limit]
	}
	return rows, nil
}

// deref follows pointers to the value, nil for a null.
func deref(p any) (any, bool) {
	v := reflect.ValueOf(p)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	}
	return v.Interface(), true
}

// decode makes a scanned value a result value of kind k.
func decode(p any, k signin.Kind) (result.Value, error) {
	x, ok := deref(p)
	if !ok {
		if k == signin.KindList {
			return result.ListValue(nil), nil
		}
		if k == signin.KindString {
			return result.Null(k), nil
		}
		return result.Null(k), nil
	}
	switch k {
	case signin.KindString:
		if s, ok := x.(string); ok {
			return result.StringValue(s), nil
		}
	case signin.KindList:
		if l, ok := x.([]string); ok {
			return result.ListValue(l), nil
		}
	case signin.KindInt, signin.KindTime, signin.KindBool:
		var n int64
		switch x := x.(type) {
		case int64:
			n = x
		case uint64:
			n = int64(x)
		case uint8:
			n = int64(x)
		case int8:
			n = int64(x)
		case int32:
			n = int64(x)
		case uint32:
			n = int64(x)
		default:
			return result.Value{}, fmt.Errorf("unexpected %T for %s", x, k)
		}
		switch k {
		case signin.KindTime:
			return result.TimeValue(time.Unix(0, n).UTC()), nil
		case signin.KindBool:
			return result.BoolValue(n != 0), nil
		}
		return result.IntValue(n), nil
	case signin.KindFloat:
		switch x := x.(type) {
		case float64:
			return result.FloatValue(x), nil
		case float32:
			return result.FloatValue(float64(x)), nil
		}
	}
	return result.Value{}, fmt.Errorf("unexpected %T for %s", x, k)
}

// Explain returns the SQL a query runs as on ClickHouse: the compiled
// statement, or, for a query SQL cannot say, the statement that streams
// its sign-ins to signinq, with why (an error wrapping ErrNotExpressible).
func Explain(text string, reg *plugins.Registry, database string, now time.Time) (sql string, streamed error, err error) {
	return ExplainLists(text, reg, database, now, nil)
}

// ExplainLists is Explain with named lists beside the built-in ones, as
// QueryOptions.Lists gives them to Query.
func ExplainLists(text string, reg *plugins.Registry, database string, now time.Time, lists map[string][]string) (sql string, streamed error, err error) {
	plan, cp, err := prepare(context.Background(), reg, text, QueryOptions{Database: database, Lists: lists}, now)
	if plan == nil {
		return "", nil, err
	}
	if errors.Is(err, ErrNotExpressible) {
		return streamedPlan(plan, database, lists).SQL, err, nil
	}
	if err != nil {
		return "", nil, err
	}
	return cp.SQL, nil, nil
}

// longStatement is the context to run a statement in: for one longer
// than ClickHouse's default limits of a statement's size (256 KiB) and
// parsed elements (50,000), which a long named list or a subquery's many
// values make, limits that admit it.
func longStatement(ctx context.Context, sql string) context.Context {
	if len(sql) < 200_000 {
		return ctx
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{
		"max_query_size":            len(sql) + 1<<16,
		"max_ast_elements":          len(sql),
		"max_expanded_ast_elements": len(sql),
	}))
}
