package cli

import "errors"

// clickhouseExport are export's flags for ClickHouse.
type clickhouseExport struct{}

func exportClickHouse(e *env, c *exportCmd) error {
	return errors.New("export to ClickHouse: not built yet")
}
