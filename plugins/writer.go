package plugins

import (
	"io"
	"iter"

	"github.com/signinq/signinq/result"
)

// Writer writes a query's answer in an output format. The command and
// the REPL pick one by name (--format, \format).
type Writer interface {
	Plugin
	// Write writes an answer of the columns cols to w, with the rows
	// rows yields (Rows.All of a query's stream, Result.All of a
	// gathered answer) as they come: a writer holds memory that does
	// not grow with their number (a list can be all the store's
	// sign-ins). A row is valid only until the next: a writer keeps
	// what it needs of it (its text), never the row. An error among the
	// rows ends the writing and is returned, after what came before it
	// is written; an error of w ends it too (the reader of a pipe went
	// away), and the writer returns it without reading more rows.
	Write(w io.Writer, cols []result.Column, rows iter.Seq2[[]result.Value, error], opts WriteOptions) error
}

// WriteOptions are hints for writers meant for people; formats meant for
// programs ignore them.
type WriteOptions struct {
	Width int  // the terminal's width in columns; 0 for no limit
	Color bool // the terminal shows colour
}

// WriteResult writes a gathered answer with a writer.
func WriteResult(wr Writer, w io.Writer, res *result.Result, opts WriteOptions) error {
	return wr.Write(w, res.Columns, res.All(), opts)
}
