package cli

import "errors"

// queryOn runs a query on the engine --on names.
func queryOn(e *env, c *queryCmd) error { return errors.New("query --on: not built yet") }

// explainSQL prints the SQL a query runs as on ClickHouse.
func explainSQL(e *env, x *explainCmd, text string) error {
	return errors.New("explain --sql: not built yet")
}
