package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/parquet"
)

// The "parquet" peer is DuckDB reading the Parquet files signinq export
// --format parquet writes (package parquet): the same SQL as the DuckDB
// peer's, over a view of the files in place of a loaded table, so that
// its answers check the export and its times are a data lake's.

// parquetGlob is the files of the export in dir, as DuckDB globs them.
func parquetGlob(dir string) string { return filepath.ToSlash(filepath.Join(dir, "**", "*.parquet")) }

// parquetSetup are the statements that make the table of an in-memory
// DuckDB a view of the export in dir, its day and type partition columns
// read from the directory names (hive_partitioning), in UTC.
func parquetSetup(dir string) []string {
	return []string{
		"SET TimeZone = 'UTC'",
		fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet(%s, hive_partitioning = true)", ident(table), quote(parquetGlob(dir))),
	}
}

// loadParquet exports the store's sign-ins as Parquet files into the
// directory dir, replacing what is there; the load's time is the
// export's, its size the files'.
func loadParquet(ctx context.Context, store *engine.DB, dir string, logf func(string, ...any)) (peerLoad, error) {
	logf("exporting the sign-ins as Parquet into %s", dir)
	start := time.Now()
	st, err := parquet.Write(ctx, dir, parquet.FromStore(store), parquet.Options{Replace: true})
	if err != nil {
		return peerLoad{}, err
	}
	l := peerLoad{Rows: st.Rows, Seconds: time.Since(start).Seconds(), Bytes: st.Bytes}
	logf("exported %d sign-ins in %d files (%.0f MB) in %.1f s", st.Rows, st.Files, float64(st.Bytes)/1e6, l.Seconds)
	return l, nil
}
