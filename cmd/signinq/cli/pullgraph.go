package cli

import "errors"

// pullGraphCmd is signinq pull graph.
type pullGraphCmd struct {
	dbFlag
}

func (c *pullGraphCmd) Run(e *env) error { return errors.New("pull graph: not built yet") }
