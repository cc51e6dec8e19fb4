package cli

import "errors"

// explainKQL prints a query in KQL.
func explainKQL(e *env, x *explainCmd, text string) error {
	return errors.New("explain --kql: not built yet")
}
