package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
)

// checks are the queries --verify prints: the row count, counts by type
// and status, and how many rows have a value in a few columns, to see
// that the load read the file whole and filled the columns.
var checks = []struct{ title, query string }{
	{"rows", `SELECT count(*) AS rows FROM signins`},
	{"by type", `SELECT "type", count(*) AS rows FROM signins GROUP BY ALL ORDER BY rows DESC`},
	{"by status", `SELECT status, count(*) AS rows FROM signins GROUP BY ALL ORDER BY rows DESC`},
	{"time range", `SELECT CAST(min("time") AS VARCHAR) AS first, CAST(max("time") AS VARCHAR) AS last, CAST(max(ingested - "time") AS VARCHAR) AS max_ingest_delay FROM signins`},
	{"rows with a value", `SELECT
		count("error") AS error, count(nullif(identity, '')) AS identity, count(nullif(country, '')) AS country,
		count(latitude) AS latitude, count(compliant) AS compliant, count(latency) AS latency,
		count(*) FILTER (len(authMethod) > 0) AS authMethod, count(*) FILTER (len(policy) > 0) AS policy,
		count(*) FILTER (len(riskEvents) > 0) AS riskEvents
		FROM signins`},
	{"top authentication methods", `SELECT m AS authMethod, count(*) AS rows FROM (SELECT unnest(authMethod) AS m FROM signins) GROUP BY ALL ORDER BY rows DESC LIMIT 5`},
	{"top failure codes", `SELECT "error", status, count(*) AS rows FROM signins WHERE status <> 'success' GROUP BY ALL ORDER BY rows DESC LIMIT 5`},
}

// check runs the checks and prints their results as aligned text.
func check(ctx context.Context, conn *sql.Conn, w io.Writer) error {
	for _, c := range checks {
		fmt.Fprintf(w, "-- %s\n", c.title)
		if err := printQuery(ctx, conn, w, c.query); err != nil {
			return fmt.Errorf("%s: %w", c.title, err)
		}
	}
	return nil
}

// printQuery prints a query's result, a header and a line a row, in
// columns separated by two spaces.
func printQuery(ctx context.Context, conn *sql.Conn, w io.Writer, query string) error {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return err
	}
	table := [][]string{names}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		line := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				line[i] = "NULL"
			} else {
				line[i] = fmt.Sprint(v)
			}
		}
		table = append(table, line)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	width := make([]int, len(names))
	for _, line := range table {
		for i, s := range line {
			width[i] = max(width[i], len(s))
		}
	}
	for _, line := range table {
		var b strings.Builder
		for i, s := range line {
			if i > 0 {
				b.WriteString("  ")
			}
			fmt.Fprintf(&b, "%-*s", width[i], s)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	return nil
}
