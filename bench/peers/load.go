package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

// DuckDBLoadCmd is the duckdb-load subcommand.
type DuckDBLoadCmd struct {
	DB       string `name:"db" placeholder:"FILE.duckdb" help:"The DuckDB database file to load into; it is deleted first. Default: signinq-peers.duckdb in the temporary directory."`
	Threads  int    `help:"DuckDB's threads (SET threads=N); 0 leaves DuckDB's default, one per core." default:"0"`
	Repeat   int    `help:"How many times to load, each into a new database file; the median is printed at the end." default:"1"`
	Verify   bool   `help:"After the last load, print the row count and a few aggregates to check it."`
	PrintSQL bool   `name:"print-sql" help:"Print the load statement and exit."`
	File     string `arg:"" help:"A file of diagnostic-settings sign-in records, one JSON object a line (signinq gen --format diag)."`
}

// Run loads the file as many times as asked and prints the figures.
func (c *DuckDBLoadCmd) Run() error {
	if c.PrintSQL {
		fmt.Println(loadSQL(c.File) + ";")
		return nil
	}
	if c.Repeat < 1 {
		return fmt.Errorf("--repeat must be at least 1")
	}
	fi, err := os.Stat(c.File)
	if err != nil {
		return err
	}
	dbPath := c.DB
	if dbPath == "" {
		dbPath = filepath.Join(os.TempDir(), "signinq-peers.duckdb")
	}
	ctx := context.Background()
	var runs []loadResult
	for i := range c.Repeat {
		r, err := c.run(ctx, dbPath, i, fi.Size())
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	if c.Repeat > 1 {
		fmt.Printf("median of %d: %s\n", c.Repeat, median(runs))
	}
	return nil
}

// run is repetition i: a new database, the load and its figures, and,
// after the last, the checks if asked for.
func (c *DuckDBLoadCmd) run(ctx context.Context, dbPath string, i int, fileBytes int64) (loadResult, error) {
	db, conn, err := openDB(ctx, dbPath, c.Threads)
	if err != nil {
		return loadResult{}, err
	}
	defer db.Close()
	defer conn.Close()
	if i == 0 {
		var version string
		var threads int64
		if err := conn.QueryRowContext(ctx, "SELECT version(), current_setting('threads')").Scan(&version, &threads); err != nil {
			return loadResult{}, err
		}
		fmt.Printf("duckdb-load: %s into %s, DuckDB %s, %d threads\n", c.File, dbPath, version, threads)
	}
	r, err := load(ctx, conn, dbPath, c.File)
	if err != nil {
		return r, err
	}
	r.fileBytes = fileBytes
	fmt.Printf("run %d/%d: %s\n", i+1, c.Repeat, r)
	if !c.Verify || i < c.Repeat-1 {
		return r, nil
	}
	return r, check(ctx, conn, os.Stdout)
}

// loadResult is what one load measured.
type loadResult struct {
	rows      int64
	seconds   float64 // the load and the checkpoint, wall time
	cpu       float64 // the CPU time they took, in seconds; 0 if unknown
	fileBytes int64   // the input's size
	dbBytes   int64   // the database file (and any write-ahead log) after the checkpoint
}

func (r loadResult) String() string {
	cpu := ""
	if r.cpu > 0 {
		cpu = fmt.Sprintf(" (CPU %.3f s)", r.cpu)
	}
	return fmt.Sprintf("%d rows in %.3f s%s, %.1f MB/s, %.0f sign-ins/s, database %d bytes (%.1f bytes/row)",
		r.rows, r.seconds, cpu, float64(r.fileBytes)/1e6/r.seconds, float64(r.rows)/r.seconds,
		r.dbBytes, float64(r.dbBytes)/float64(max(r.rows, 1)))
}

// median is the median of each measure (the mean of the two middle ones
// for an even count): time, CPU time and database size.
func median(runs []loadResult) loadResult {
	m := runs[0]
	m.seconds = medianOf(runs, func(r loadResult) float64 { return r.seconds })
	m.cpu = medianOf(runs, func(r loadResult) float64 { return r.cpu })
	m.dbBytes = int64(medianOf(runs, func(r loadResult) float64 { return float64(r.dbBytes) }))
	return m
}

func medianOf(runs []loadResult, f func(loadResult) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	slices.Sort(v)
	n := len(v)
	return (v[(n-1)/2] + v[n/2]) / 2
}

// openDB deletes the database file and its log, and opens a new one.
// threads > 0 sets DuckDB's thread count. The connection returned is the
// one the settings were made on.
func openDB(ctx context.Context, dbPath string, threads int) (*sql.DB, *sql.Conn, error) {
	if err := removeDB(dbPath); err != nil {
		return nil, nil, err
	}
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		return nil, nil, err
	}
	conn, err := db.Conn(ctx)
	if err == nil && threads > 0 {
		_, err = conn.ExecContext(ctx, fmt.Sprintf("SET threads = %d", threads))
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		db.Close()
		return nil, nil, err
	}
	return db, conn, nil
}

// load loads jsonPath into the table on conn, checkpoints the database
// and measures the two; then it counts the rows and sizes the file.
func load(ctx context.Context, conn *sql.Conn, dbPath, jsonPath string) (loadResult, error) {
	var r loadResult
	cpu0, cpuOK := cpuTime()
	start := time.Now()
	if _, err := conn.ExecContext(ctx, loadSQL(jsonPath)); err != nil {
		return r, fmt.Errorf("load %s: %w", jsonPath, err)
	}
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return r, err
	}
	r.seconds = time.Since(start).Seconds()
	if cpu1, ok := cpuTime(); ok && cpuOK {
		r.cpu = (cpu1 - cpu0).Seconds()
	}
	var err error
	if r.dbBytes, err = dbSize(dbPath); err != nil {
		return r, err
	}
	err = conn.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(table)).Scan(&r.rows)
	return r, err
}

// removeDB deletes a database file and its write-ahead log.
func removeDB(path string) error {
	for _, p := range []string{path, path + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// dbSize is the size of a database file and its write-ahead log.
func dbSize(path string) (int64, error) {
	var n int64
	for _, p := range []string{path, path + ".wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && p != path {
			continue
		}
		if err != nil {
			return 0, err
		}
		n += fi.Size()
	}
	return n, nil
}
