package query

import (
	"context"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/result"
)

// runRows runs a query with the default plugins and returns its rows as a
// stream.
func runRows(ctx context.Context, db *engine.DB, text string, opts Options) (*result.Rows, error) {
	out, err := Exec(ctx, db, nil, text, opts)
	if err != nil {
		return nil, err
	}
	return out.Rows, nil
}
