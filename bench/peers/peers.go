package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/bench"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver (pure Go)
)

// A peer is another engine asked the standard set's SQL over a table of
// the same sign-ins: DuckDB or SQLite.
type peer struct {
	kind     string            // its name: duckdb, sqlite or parquet
	sqls     map[string]string // the queries' SQL, by their text
	db       *sql.DB
	conn     *sql.Conn
	from     func(time.Time) string     // a time as the peer's literal
	duration func(time.Duration) string // a duration as the difference of two times
	bin1h    string                     // the start of a sign-in's hour, as the peer returns times
	day      string                     // the start of its day (UTC)
}

// The peers by name, in the order they run.
var peerNames = []string{"duckdb", "sqlite", "parquet", "clickhouse"}

// peerTitle is a peer's name as tables print it.
func peerTitle(name string) string {
	switch name {
	case "duckdb":
		return "DuckDB"
	case "sqlite":
		return "SQLite"
	case "parquet":
		return "DuckDB on Parquet"
	case "clickhouse":
		return "ClickHouse, 2 shards"
	}
	return name
}

// Time in the peers' tables. DuckDB keeps times as TIMESTAMP (UTC,
// microseconds), SQLite as INTEGER Unix nanoseconds (as signinq stores
// them); each writes the queries' {from} and {bin1h} in its own terms.

// duckFrom is a time as a DuckDB TIMESTAMP literal.
func duckFrom(t time.Time) string {
	return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05.000000") + "'"
}

// duckBin1h is the hour a sign-in's time falls in, as a TIMESTAMP.
const duckBin1h = `date_trunc('hour', "time")`

// duckDay is the day a sign-in's time falls in, as a TIMESTAMP.
const duckDay = `date_trunc('day', "time")`

// duckDuration is a duration as the INTERVAL two TIMESTAMPs differ by,
// in microseconds (DuckDB's resolution).
func duckDuration(d time.Duration) string {
	return fmt.Sprintf("INTERVAL '%d microseconds'", d.Microseconds())
}

// sqliteFrom is a time as SQLite's integer: Unix nanoseconds.
func sqliteFrom(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

// sqliteBin1h is the hour a sign-in's time falls in, in Unix nanoseconds.
const sqliteBin1h = `("time" / 3600000000000) * 3600000000000`

// sqliteDay is the day a sign-in's time falls in, in Unix nanoseconds.
const sqliteDay = `("time" / 86400000000000) * 86400000000000`

// sqliteDuration is a duration as two of SQLite's times differ:
// nanoseconds.
func sqliteDuration(d time.Duration) string { return strconv.FormatInt(d.Nanoseconds(), 10) }

// sql writes a query's SQL for the peer, with the named lists' values.
func (p *peer) sql(q bench.Query, lists map[string][]string) string {
	return q.SQLPeer(bench.Dialect{Now: benchEnd, Time: p.from, Duration: p.duration, Bin1h: p.bin1h, Day: p.day, Lists: lists})
}

// query runs an SQL query and returns its column names and rows, every
// row read.
func (p *peer) query(ctx context.Context, q string) ([]string, [][]any, error) {
	rows, err := p.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		out = append(out, vals)
	}
	return names, out, rows.Err()
}

func (p *peer) name() string { return p.kind }

// run runs q's SQL once; errNoSQL when q has none. The answer is
// normalized after, apart from the time measured.
func (p *peer) run(ctx context.Context, q bench.Query, lists map[string][]string) (func([]signin.Kind) (answer, error), error) {
	if q.SQL == "" {
		return nil, errNoSQL
	}
	names, rows, err := p.query(ctx, p.sqlOf(q, lists))
	if err != nil {
		return nil, err
	}
	return func(kinds []signin.Kind) (answer, error) { return fromPeer(names, rows, kinds) }, nil
}

// sqlOf is q's SQL for the peer, written once.
func (p *peer) sqlOf(q bench.Query, lists map[string][]string) string {
	s, ok := p.sqls[q.Text]
	if !ok {
		s = p.sql(q, lists)
		if p.sqls == nil {
			p.sqls = map[string]string{}
		}
		p.sqls[q.Text] = s
	}
	return s
}

// ran is how the peer ran q: its SQL.
func (p *peer) ran(q bench.Query, lists map[string][]string) string {
	return "SQL: " + p.sqlOf(q, lists)
}

func (p *peer) close() error {
	err := p.conn.Close()
	if cerr := p.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// openPeer opens a loaded peer's database for queries. threads is
// DuckDB's thread count; SQLite runs a query on one thread.
func openPeer(ctx context.Context, name, path string, threads int) (*peer, error) {
	p := &peer{kind: name}
	var setup []string
	switch name {
	case "duckdb":
		p.from, p.duration, p.bin1h, p.day = duckFrom, duckDuration, duckBin1h, duckDay
		setup = []string{fmt.Sprintf("SET threads = %d", threads)}
	case "parquet":
		// DuckDB in memory over the Parquet files signinq export wrote:
		// the table is a view of read_parquet, the files read as each
		// query runs.
		p.from, p.duration, p.bin1h, p.day = duckFrom, duckDuration, duckBin1h, duckDay
		setup = append(parquetSetup(path), fmt.Sprintf("SET threads = %d", threads))
		path = ""
	case "sqlite":
		p.from, p.duration, p.bin1h, p.day = sqliteFrom, sqliteDuration, sqliteBin1h, sqliteDay
		// A page cache of 1 GiB: SQLite's default, 2 MB, would make it
		// read every page through the kernel each time.
		setup = []string{"PRAGMA cache_size = -1048576", "PRAGMA query_only = 1"}
	default:
		return nil, fmt.Errorf("no peer %q (peers: %s)", name, strings.Join(peerNames, ", "))
	}
	driver := name
	if name == "parquet" {
		driver = "duckdb"
	}
	var err error
	if p.db, err = sql.Open(driver, path); err != nil {
		return nil, err
	}
	p.db.SetMaxOpenConns(1)
	if p.conn, err = p.db.Conn(ctx); err != nil {
		p.db.Close()
		return nil, err
	}
	for _, s := range setup {
		if _, err := p.conn.ExecContext(ctx, s); err != nil {
			p.close()
			return nil, fmt.Errorf("%s: %s: %w", name, s, err)
		}
	}
	return p, nil
}

// A peerLoad is what loading a peer measured.
type peerLoad struct {
	Rows    int64   `json:"rows"`
	Seconds float64 `json:"seconds"` // the load, wall time (see loadDuckDB, loadSQLite)
	Bytes   int64   `json:"bytes"`   // the database file (and its log) after the load
	// From says what was loaded: for DuckDB the CSV file's size and the
	// time signinq took to write it.
	CSVBytes   int64   `json:"csv_bytes,omitempty"`
	CSVSeconds float64 `json:"csv_seconds,omitempty"`
	At         string  `json:"at"` // when it was loaded
}

// peerFile is a peer's database file in dir.
func peerFile(dir, name string) string {
	switch name {
	case "duckdb":
		return filepath.Join(dir, "signins.duckdb")
	case "sqlite":
		return filepath.Join(dir, "signins.sqlite")
	case "parquet":
		return filepath.Join(dir, "signins.parquet") // a directory
	case "clickhouse":
		return filepath.Join(dir, "clickhouse") // the two servers' directories
	}
	return filepath.Join(dir, name)
}

// readyFile is the file whose presence says the peer's database at path
// is whole: the database itself, or for ClickHouse the file written
// last into the servers' directory.
func readyFile(name, path string) string {
	if name == "clickhouse" {
		return filepath.Join(path, chReady)
	}
	return path
}

// loadsFile records the peers' loads in dir, so that a later run reuses
// the databases and reports the load they came from.
func loadsFile(dir string) string { return filepath.Join(dir, "loads.json") }

func readLoads(dir string) map[string]peerLoad {
	m := map[string]peerLoad{}
	if b, err := os.ReadFile(loadsFile(dir)); err == nil {
		json.Unmarshal(b, &m)
	}
	return m
}

func writeLoads(dir string, m map[string]peerLoad) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(loadsFile(dir), append(b, '\n'), 0o644)
}

// loadPeer loads the store's sign-ins into a new database of the peer
// at path (a directory of files for parquet), stamped with now.
func loadPeer(ctx context.Context, name string, db *engine.DB, path string, threads int, keepCSV bool, now func() time.Time, logf func(string, ...any)) (peerLoad, error) {
	var l peerLoad
	var err error
	switch name {
	case "parquet":
		l, err = loadParquet(ctx, db, path, logf)
	case "clickhouse":
		l, err = loadClickHouse(ctx, db, path, logf)
	case "duckdb", "sqlite":
		for _, p := range []string{path, path + ".wal", path + "-wal", path + "-shm", path + "-journal"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return peerLoad{}, err
			}
		}
		if name == "duckdb" {
			l, err = loadDuckDB(ctx, db, path, threads, keepCSV, logf)
		} else {
			l, err = loadSQLite(ctx, db, path, logf)
		}
		if err == nil {
			l.Bytes, err = filesSize(path, path+".wal", path+"-wal")
		}
	default:
		err = fmt.Errorf("no peer %q", name)
	}
	if err != nil {
		return l, err
	}
	l.At = now().UTC().Format(time.RFC3339)
	return l, nil
}

// filesSize is the sum of the sizes of the files that exist.
func filesSize(paths ...string) (int64, error) {
	var n int64
	for _, p := range paths {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		n += fi.Size()
	}
	return n, nil
}

// duckCSVSQL is the statement that loads a CSV file writeCSV wrote into
// the table, creating it (the first chunk) or adding to it: DuckDB's CSV
// reader told the columns and their types (lists are read as text and
// split).
func duckCSVSQL(csvPath string, create bool) string {
	var b strings.Builder
	if create {
		fmt.Fprintf(&b, "CREATE TABLE %s AS SELECT", ident(table))
	} else {
		fmt.Fprintf(&b, "INSERT INTO %s SELECT", ident(table))
	}
	for i, c := range columns {
		if i > 0 {
			b.WriteString(",")
		}
		if c.typ == tList {
			fmt.Fprintf(&b, "\n  CAST(coalesce(string_split(%[1]s, chr(31)), []) AS VARCHAR[]) AS %[1]s", ident(c.name))
		} else {
			fmt.Fprintf(&b, "\n  %s", ident(c.name))
		}
	}
	fmt.Fprintf(&b, "\nFROM read_csv(%s, header = false, delim = ',', quote = '\"', escape = '\"', auto_detect = false, columns = {", quote(csvPath))
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		typ := c.typ
		if typ == tList {
			typ = tString
		}
		fmt.Fprintf(&b, "%s: %s", quote(c.name), quote(typ))
	}
	b.WriteString("})")
	return b.String()
}

// loadDuckDB writes the store's sign-ins to CSV files beside path, a
// chunk of csvChunkBytes at a time, and has DuckDB load each into a new
// database as it is written (CREATE TABLE AS SELECT from read_csv for the
// first, INSERT … SELECT for the rest), then CHECKPOINT. The load's time
// is those statements and the checkpoint; writing the files is timed
// apart. A chunk is removed once loaded unless keepCSV.
func loadDuckDB(ctx context.Context, store *engine.DB, path string, threads int, keepCSV bool, logf func(string, ...any)) (peerLoad, error) {
	var l peerLoad
	db, conn, err := openDB(ctx, path, threads)
	if err != nil {
		return l, err
	}
	defer db.Close()
	defer conn.Close()
	base := strings.TrimSuffix(path, filepath.Ext(path))
	chunkPath := func(i int) string {
		if i == 0 {
			return base + ".csv"
		}
		return fmt.Sprintf("%s.%d.csv", base, i)
	}
	logf("writing the sign-ins to %s and loading them into DuckDB %s", chunkPath(0), path)
	var took time.Duration
	load := func(i int, csvPath string) error {
		if !keepCSV {
			defer os.Remove(csvPath)
		}
		size, err := filesSize(csvPath)
		if err != nil {
			return err
		}
		l.CSVBytes += size
		start := time.Now()
		if _, err := conn.ExecContext(ctx, duckCSVSQL(csvPath, i == 0)); err != nil {
			return fmt.Errorf("duckdb: loading %s: %w", csvPath, err)
		}
		took += time.Since(start)
		logf("loaded %s (%.0f MB) in %.1f s", csvPath, float64(size)/1e6, time.Since(start).Seconds())
		return nil
	}
	n, _, writing, err := writeCSV(ctx, store, chunkPath, csvChunkBytes, load)
	if err != nil {
		return l, err
	}
	l.CSVSeconds = writing.Seconds()
	start := time.Now()
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return l, err
	}
	l.Seconds = (took + time.Since(start)).Seconds()
	logf("wrote %d sign-ins (%.0f MB of CSV) in %.1f s; DuckDB loaded them in %.1f s", n, float64(l.CSVBytes)/1e6, l.CSVSeconds, l.Seconds)
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(table)).Scan(&l.Rows); err != nil {
		return l, err
	}
	if l.Rows != n {
		return l, fmt.Errorf("duckdb: loaded %d rows of %d", l.Rows, n)
	}
	return l, nil
}

// SQLite's types of the catalog's kinds: times are Unix nanoseconds,
// flags 1 or 0, lists a JSON array of strings.
var sqliteTypes = map[string]string{
	tString: "TEXT", tInt: "INTEGER", tFloat: "REAL", tTime: "INTEGER", tBool: "INTEGER", tList: "TEXT",
}

// sqliteBatch is how many sign-ins one INSERT statement carries.
const sqliteBatch = 16

// sqliteSchema is the table's definition in SQLite.
func sqliteSchema() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (", ident(table))
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", ident(c.name), sqliteTypes[c.typ])
	}
	b.WriteString(")")
	return b.String()
}

// sqliteInsert is an INSERT of n sign-ins.
func sqliteInsert(n int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(columns)), ",") + ")"
	return fmt.Sprintf("INSERT INTO %s VALUES %s", ident(table), strings.TrimSuffix(strings.Repeat(one+",", n), ","))
}

// sqliteValue is a cell as the value bound to SQLite's statement.
func sqliteValue(typ string, v cell) any {
	if v.null {
		return nil
	}
	switch typ {
	case tInt, tTime, tBool:
		return v.i
	case tFloat:
		return v.f
	case tList:
		b, _ := json.Marshal(v.l)
		return string(b)
	}
	return strings.Clone(v.s)
}

// loadSQLite inserts the store's sign-ins into a new SQLite database from
// Go, as a program would: one transaction, a prepared INSERT of
// sqliteBatch rows, synchronous off (the rollback journal, SQLite's
// default, writes the new table's pages straight to the file; in WAL mode
// one big transaction would go through a log as large as the database
// and be copied again at the checkpoint); then an index on time (what
// every query's window filters on) and ANALYZE. The load's time is the
// time spent in SQLite: the inserts, the commit, the index and ANALYZE,
// not the reading of the store.
func loadSQLite(ctx context.Context, store *engine.DB, path string, logf func(string, ...any)) (peerLoad, error) {
	var l peerLoad
	logf("inserting the sign-ins into SQLite %s", path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return l, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return l, err
	}
	defer conn.Close()
	var spent time.Duration
	exec := func(q string) error {
		start := time.Now()
		_, err := conn.ExecContext(ctx, q)
		spent += time.Since(start)
		if err != nil {
			return fmt.Errorf("sqlite: %s: %w", q, err)
		}
		return nil
	}
	for _, q := range []string{"PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144", sqliteSchema(), "BEGIN"} {
		if err := exec(q); err != nil {
			return l, err
		}
	}
	stmt, err := conn.PrepareContext(ctx, sqliteInsert(sqliteBatch))
	if err != nil {
		return l, err
	}
	defer stmt.Close()
	one, err := conn.PrepareContext(ctx, sqliteInsert(1))
	if err != nil {
		return l, err
	}
	defer one.Close()
	args := make([]any, 0, sqliteBatch*len(columns))
	pending := 0
	flush := func() error {
		start := time.Now()
		defer func() { spent += time.Since(start) }()
		if pending == sqliteBatch {
			_, err := stmt.ExecContext(ctx, args...)
			return err
		}
		for i := range pending {
			if _, err := one.ExecContext(ctx, args[i*len(columns):(i+1)*len(columns)]...); err != nil {
				return err
			}
		}
		return nil
	}
	err = scanStore(ctx, store, func(b *block) error {
		for i := range b.rows {
			for c := range columns {
				args = append(args, sqliteValue(columns[c].typ, b.cell(c, i)))
			}
			pending++
			l.Rows++
			if pending == sqliteBatch {
				if err := flush(); err != nil {
					return err
				}
				args, pending = args[:0], 0
			}
		}
		return nil
	})
	if err == nil && pending > 0 {
		err = flush()
	}
	if err != nil {
		return l, fmt.Errorf("sqlite: inserting: %w", err)
	}
	for _, q := range []string{"COMMIT", `CREATE INDEX signins_time ON signins ("time")`, "ANALYZE"} {
		if err := exec(q); err != nil {
			return l, err
		}
	}
	l.Seconds = spent.Seconds()
	return l, nil
}
