package cli

import "errors"

// pullStorageCmd is signinq pull storage.
type pullStorageCmd struct {
	dbFlag
}

func (c *pullStorageCmd) Run(e *env) error { return errors.New("pull storage: not built yet") }
