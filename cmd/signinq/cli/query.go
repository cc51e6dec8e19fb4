package cli

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kong"
	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/result"
)

type queryCmd struct {
	dbFlag
	maxMemoryFlag
	Now     string        `placeholder:"TIME" help:"The time relative times are resolved against (since 24h): a date, an RFC 3339 timestamp, or latest (the store's newest sign-in, for an old export); default: the machine's clock."`
	Format  string        `enum:"table,json,csv" default:"table" help:"table: aligned, for people (columns as wide as the first 1,000 rows need); json: one object per row; csv: with a header row. Rows are written as they are read, in bounded memory."`
	Timeout time.Duration `placeholder:"DURATION" help:"Stop the query with an error once it has run this long (30s, 5m); default: no limit (Ctrl-C stops it)."`
	On      string        `placeholder:"URL" help:"Run the query on another engine instead of the store: clickhouse://[USER@]HOST[:PORT]/DATABASE[?secure=true&ca=FILE], where signinq export put the sign-ins; the password from CLICKHOUSE_PASSWORD (docs/scale.md)."`
	Query   []string      `arg:"" name:"query" help:"The query, e.g. count where status=failure since 24h group by app (quote it, or give it as words)."`
}

// tableListLimit is list's limit in a table when the query gives none.
const tableListLimit = 100

func (c *queryCmd) Run(e *env) error {
	if c.On != "" {
		return queryOn(e, c)
	}
	return failure(runQuery(e, &c.dbFlag, c.maxMemoryFlag, c.Now, c.Format, c.Timeout, strings.Join(c.Query, " ")))
}

// failure marks an error that is not the query's as a failure (exit 1).
func failure(err error) error {
	var (
		qe queryError
		rf remoteFailure
	)
	if err == nil || errors.As(err, &qe) || errors.As(err, &rf) {
		return err
	}
	return queryFailure{err}
}

// explainCmd is explain QUERY, and explain analyze QUERY: analyze is a
// command of its own, so that the flags may come after it as after
// explain (explain analyze --now 2026-11-26 'count'), where a query that
// began with it took them for the query's words.
type explainCmd struct {
	dbFlag
	maxMemoryFlag
	Now     string            `placeholder:"TIME" help:"The time relative times are resolved against: a date, an RFC 3339 timestamp, or latest (the store's newest sign-in); default: the machine's clock."`
	Timeout time.Duration     `placeholder:"DURATION" help:"With analyze, stop the query with an error once it has run this long (30s, 5m); default: no limit."`
	SQL     bool              `name:"sql" help:"Print the query as the SQL signinq query --on clickhouse://… runs there, instead of the plan."`
	KQL     bool              `name:"kql" help:"Print the query in KQL over the Log Analytics sign-in tables (SigninLogs and the others), for Log Analytics, Sentinel or Azure Data Explorer, instead of the plan."`
	Plan    explainPlanCmd    `cmd:"" default:"withargs" help:"Show how a query would run, without running it (explain QUERY is short for it)."`
	Analyze explainAnalyzeCmd `cmd:"" help:"Run the query and show what each step read, with its rows and time."`
}

type explainPlanCmd struct {
	Query []string `arg:"" name:"query" help:"The query to explain."`
}

func (c *explainPlanCmd) Run(e *env, x *explainCmd) error {
	switch {
	case x.SQL && x.KQL:
		return errors.New("explain: --sql or --kql, not both")
	case x.SQL:
		return explainSQL(e, x, strings.Join(c.Query, " "))
	case x.KQL:
		return explainKQL(e, x, strings.Join(c.Query, " "))
	}
	return failure(runQuery(e, &x.dbFlag, x.maxMemoryFlag, x.Now, "table", x.Timeout, "explain "+strings.Join(c.Query, " ")))
}

type explainAnalyzeCmd struct {
	Query []string `arg:"" name:"query" help:"The query to run and explain."`
}

func (c *explainAnalyzeCmd) Run(e *env, x *explainCmd) error {
	return failure(runQuery(e, &x.dbFlag, x.maxMemoryFlag, x.Now, "table", x.Timeout, "explain analyze "+strings.Join(c.Query, " ")))
}

// queryError is a query the language refuses: the command exits 2 after
// showing it with a caret.
type queryError struct{ err *query.Error }

func (q queryError) Error() string { return q.err.Error() }
func (queryError) exitCode() int   { return exitError }

// queryFailure is any other failure of a query: the command exits 1.
type queryFailure struct{ err error }

func (q queryFailure) Error() string { return q.err.Error() }
func (q queryFailure) Unwrap() error { return q.err }
func (queryFailure) exitCode() int   { return exitRejected }

// maxMemoryFlag is --max-memory: the memory limit of a query's groups.
type maxMemoryFlag struct {
	MaxMemory memorySize `name:"max-memory" placeholder:"SIZE" env:"SIGNINQ_MAX_MEMORY" help:"The memory a query's groups may take, e.g. 512MiB or 4GiB (default 1GiB): past it the query stops at once, with an error saying which keys or aggregates took it."`
}

// memorySize is a size in bytes as people write it (query.ParseMemory);
// 0 when not given.
type memorySize int64

func (m *memorySize) Decode(ctx *kong.DecodeContext) error {
	var s string
	if err := ctx.Scan.PopValueInto("size", &s); err != nil {
		return err
	}
	if strings.TrimSpace(s) == "" {
		*m = 0 // the default, as when not given
		return nil
	}
	n, err := query.ParseMemory(s)
	if err != nil {
		return err
	}
	*m = memorySize(n)
	return nil
}

// runQuery runs a query, or a define or undefine, as the command does:
// without a time limit unless timeout is given (a person waits, and
// Ctrl-C stops it).
func runQuery(e *env, db *dbFlag, mem maxMemoryFlag, nowFlag, format string, timeout time.Duration, text string) error {
	opts := query.Options{MaxMemory: int64(mem.MaxMemory), Timeout: -1}
	if timeout > 0 {
		opts.Timeout = timeout
	}
	if nowFlag != "" {
		t, latest, err := parseNow(nowFlag)
		if err != nil {
			return err
		}
		opts.Now, opts.NowLatest = t, latest
	}
	if format == "table" {
		opts.DefaultListLimit = tableListLimit
	}
	if opts.Now.IsZero() {
		// With latest too: an empty store counts from the clock.

		opts.Now = e.now().UTC()
	}
	// fail says what went wrong: a memory error with the flag that
	// raises the limit.
	fail := func(err error) error {
		if errors.Is(err, query.ErrTooMuchMemory) {
			return fmt.Errorf("%w with --max-memory", err)
		}
		return showQueryError(e, text, err)
	}
	store, holder, err := db.openOrDial(e)
	for asked := 1; holder != nil; asked++ {
		// Another process of this user holds the store: it runs the
		// query, and the rows are written here.
		ferr := forwardQuery(e, holder, db.DB, opts, format, text)
		if !errors.Is(ferr, errHolderGone) || asked == askAgain {
			return ferr
		}
		store, holder, err = db.openOrDial(e)
	}
	if err != nil {
		// An error in the statement comes before the store's: its
		// syntax always; the rest when there is no store (nor a file of
		// saved queries an older signinq left), which then holds no
		// saved queries to change what the statement means.
		st, qerr := query.Parse(text)
		if qerr != nil {
			return fail(qerr)
		}
		var se *storeError
		_, statErr := os.Stat(filepath.Join(db.DB, query.MacroFile))
		if st.Query != nil && errors.As(err, &se) && se.code == exitNoStore && errors.Is(statErr, os.ErrNotExist) {
			if _, qerr := query.Prepare(text, nil, standard.Registry(), opts.Now); qerr != nil {
				return fail(qerr)
			}
		}
		return err
	}
	defer store.Close()
	start := e.now()
	// The rows flow from the store to the writer as it writes them.
	out, err := query.Exec(e.ctx, store, standard.Registry(), text, opts)
	if err != nil {
		return fail(err)
	}
	if saved := out.Saved; saved != nil {
		where := "saved in"
		if saved.Removed {
			where = "removed from"
		}
		fmt.Fprintf(e.stdout, "%s the store %s: %s\n", where, db.DB, saved.Macro)
		return nil
	}
	plan, rows := out.Plan, out.Rows
	defer rows.Close()
	if plan.Statement.Explain {
		// explain analyze runs the query: its rows are read, not shown.
		for _, err := range rows.All() {
			if err != nil {
				return fail(err)
			}
		}
		fmt.Fprint(e.stdout, rows.Plan)
		return nil
	}
	pl, _ := standard.Registry().Lookup(format)
	w := pl.(plugins.Writer)
	count := 0
	counted := func(yield func([]result.Value, error) bool) {
		for row, err := range rows.All() {
			if err == nil {
				count++
			}
			if !yield(row, err) {
				return
			}
		}
	}
	if err := writeRows(w, e, rows.Columns, counted); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return errOutputClosed
		}
		return fail(err)
	}
	elapsed := e.now().Sub(start)
	for _, n := range rows.Notes {
		fmt.Fprintf(e.stderr, "signinq: %s\n", noteText(n, "--now latest"))
	}
	if format == "table" {
		fmt.Fprintf(e.stderr, "%s %s in %s\n", humanize.Comma(int64(count)), words.Plural(count, "row"), words.Round(elapsed))
	}
	return nil
}

// errOutputClosed ends a command whose standard output was closed by its
// reader (signinq query 'list *' | head): it stops at once, quietly, with
// the exit status of a process SIGPIPE ended (exitOutputClosed), as it
// does when standard output is the process's own.
var errOutputClosed = errors.New("standard output closed")

// noteText is a result's note as the command prints it: with how to count
// from the store's data when now is away from it (latest: how to say
// "now latest" here).
func noteText(n result.Note, latest string) string {
	if nd, ok := n.(result.NoDataNote); ok && !nd.Last.IsZero() {
		return fmt.Sprintf("%s; use %s to count from there", nd, latest)
	}
	return n.String()
}

// showQueryError prints a query error with a caret under its position.
func showQueryError(e *env, text string, err error) error {
	var qe *query.Error
	if !errors.As(err, &qe) {
		return err
	}
	if caret := qe.Caret(text); caret != "" {
		fmt.Fprintf(e.stderr, "%s\n", caret)
	}
	return queryError{qe}
}

// writeOptions are the table's when standard output is a terminal: its
// width, and colour unless NO_COLOR is set.
func writeOptions(e *env) plugins.WriteOptions {
	var o plugins.WriteOptions
	if width := widthOf(e.stdout); width != nil {
		o.Width = width()
		o.Color = os.Getenv("NO_COLOR") == ""
	}
	return o
}

// parseNow reads --now: a date, an RFC 3339 timestamp, or latest (the
// store's newest sign-in, resolved when the query runs).
func parseNow(s string) (t time.Time, latest bool, err error) {
	if strings.EqualFold(s, "latest") {
		return time.Time{}, true, nil
	}
	if t, err = query.ParseTime(s); err != nil {
		return time.Time{}, false, fmt.Errorf("--now %q %v, or latest", s, err)
	}
	return t, false, nil
}

// writeResult writes a result with a writer plugin.
func writeResult(w plugins.Writer, e *env, res *result.Result) error {
	return writeRows(w, e, res.Columns, res.All())
}

// writeRows writes an answer with a writer plugin, as its rows come; a
// panic in the writer is an error, as any plugin's is.
func writeRows(w plugins.Writer, e *env, cols []result.Column, rows iter.Seq2[[]result.Value, error]) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panic: %v", w.Describe().Name, r)
		}
	}()
	return w.Write(e.stdout, cols, rows, writeOptions(e))
}
