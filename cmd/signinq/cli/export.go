package cli

import (
	"errors"
	"strings"
)

// exportCmd writes sign-ins elsewhere: into ClickHouse, or as Parquet.
type exportCmd struct {
	dbFlag
	To     string   `required:"" placeholder:"URL|DIR" help:"Where to: clickhouse://[USER@]HOST[:PORT]/DATABASE[?secure=true&ca=FILE] (the password from CLICKHOUSE_PASSWORD), or a directory for --format parquet."`
	Format string   `enum:"clickhouse,parquet" default:"clickhouse" help:"clickhouse: into a ClickHouse database (--to clickhouse://…); parquet: Parquet files partitioned by day and type (Hive-style directories) under --to DIR."`
	Files  []string `arg:"" optional:"" name:"file" help:"Sign-in logs to export as ingest reads them, instead of the store's sign-ins."`
	Quiet  bool     `short:"q" help:"Print no progress and no summary."`
	clickhouseExport
	parquetExport
}

func (c *exportCmd) Run(e *env) error {
	switch {
	case strings.HasPrefix(c.To, "clickhouse://"):
		return exportClickHouse(e, c)
	case c.Format == "parquet":
		return exportParquet(e, c)
	}
	return errors.New("export: --to clickhouse://HOST:PORT/DATABASE, or --format parquet --to DIR")
}
