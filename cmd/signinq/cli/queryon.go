package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/dustin/go-humanize"

	"github.com/signinq/signinq/clickhouse"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// queryOn runs a query on the engine --on names: ClickHouse, where
// signinq export put the sign-ins. It prints what query prints.
func queryOn(e *env, c *queryCmd) error {
	if !strings.HasPrefix(c.On, "clickhouse://") {
		return errNoOn
	}
	text := strings.Join(c.Query, " ")
	now := e.now().UTC()
	if c.Now != "" {
		t, latest, err := parseNow(c.Now)
		if err != nil {
			return err
		}
		if latest {
			return errors.New("query --on: --now latest is the store's; give a time")
		}
		now = t
	}
	conn, u, err := dialClickHouse(e, c.On)
	if err != nil {
		return failure(err)
	}
	defer conn.Close()
	start := e.now()
	ctx := e.ctx
	if c.Timeout > 0 {
		var cancel func()
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	lists, err := storeLists(e, &c.dbFlag)
	if err != nil {
		return failure(err)
	}
	res, err := clickhouse.Query(ctx, conn, standard.Registry(), text, clickhouse.QueryOptions{Database: u.database, Now: now, Lists: lists})
	if err != nil {
		return failure(showQueryError(e, text, err))
	}
	rows := res.Rows
	var note result.Note
	if c.Format == "table" && isList(text) && len(rows) > tableListLimit {
		// As query's table: the first rows, and of how many.
		note = result.ListLimitNote{Shown: tableListLimit, Total: int64(len(rows))}
		rows = rows[:tableListLimit]
	}
	pl, _ := standard.Registry().Lookup(c.Format)
	w := pl.(plugins.Writer)
	all := func(yield func([]result.Value, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
	if err := writeRows(w, e, res.Columns, all); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return errOutputClosed
		}
		return failure(err)
	}
	if note != nil {
		fmt.Fprintf(e.stderr, "signinq: %s\n", note)
	}
	if c.Format == "table" {
		fmt.Fprintf(e.stderr, "%s %s in %s\n", humanize.Comma(int64(len(rows))), words.Plural(len(rows), "row"), words.Round(e.now().Sub(start)))
	}
	return nil
}

// isList tells a list query without a limit, which the table cuts at
// tableListLimit rows as query does.
func isList(text string) bool {
	st, err := query.Parse(text)
	return err == nil && st.Query != nil && st.Query.Kind == ast.List && st.Query.Limit == nil && len(st.Query.Stages) == 0
}

// explainSQL prints the SQL a query runs as on ClickHouse, or, for one
// SQL cannot say, the SQL that streams its sign-ins to signinq.
func explainSQL(e *env, x *explainCmd, text string) error {
	now := e.now().UTC()
	if x.Now != "" {
		t, latest, err := parseNow(x.Now)
		if err != nil {
			return err
		}
		if !latest {
			now = t
		}
	}
	lists, err := storeLists(e, &x.dbFlag)
	if err != nil {
		return err
	}
	sql, streamed, err := clickhouse.ExplainLists(text, standard.Registry(), "default", now, lists)
	if err != nil {
		return showQueryError(e, text, err)
	}
	if streamed != nil {
		fmt.Fprintf(e.stdout, "-- runs in signinq on the sign-ins this streams from ClickHouse: %v\n", streamed)
	}
	fmt.Fprintln(e.stdout, sql)
	return nil
}

// storeLists are the named lists of the store --db names (signinq lists
// import), which query --on and explain --sql give queries beside the
// built-in ones, as query gives a store's; none when there is no store
// there.
func storeLists(e *env, f *dbFlag) (map[string][]string, error) {
	if _, err := os.Stat(filepath.Join(f.DB, "MANIFEST")); err != nil && !holdsTables(f.DB) {
		return nil, nil
	}
	db, err := f.open(e, nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ls, err := query.ListsOf(db)
	if err != nil {
		return nil, err
	}
	lists := map[string][]string{}
	for _, l := range ls {
		if !l.Builtin {
			lists[l.Name] = l.Values
		}
	}
	return lists, nil
}
