package plugins

import (
	"io"

	"github.com/signinq/signinq/engine"
)

// Writer writes a query's result in an output format. The command and
// the REPL pick one by name (--format, \format).
type Writer interface {
	Plugin
	Write(w io.Writer, res *engine.Result, opts WriteOptions) error
}

// WriteOptions are hints for writers meant for people; formats meant for
// programs ignore them.
type WriteOptions struct {
	Width int  // the terminal's width in columns; 0 for no limit
	Color bool // the terminal shows colour
}
