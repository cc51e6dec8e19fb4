package result

import "errors"

var (
	// ErrTooLarge is returned by Rows.Result for an answer whose rows
	// would take more memory than its bound to gather: read them one at
	// a time with Rows.All, or give the query a limit.
	ErrTooLarge = errors.New("result: the answer is too large to gather")

	// ErrRowsRead is what a second loop over Rows.All gets, or one after
	// Close: the rows of a query are read once.
	ErrRowsRead = errors.New("result: the rows were read or closed already")
)
