package cli

import "errors"

// parquetExport are export's flags for Parquet.
type parquetExport struct{}

func exportParquet(e *env, c *exportCmd) error { return errors.New("export as Parquet: not built yet") }
