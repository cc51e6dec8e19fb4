package result

import (
	"fmt"
	"iter"
	"unsafe"
)

// Rows is the answer to a query read as it is made (DB.QueryRows): its
// columns at once, then its rows one at a time, as they flow from the
// store, never all gathered, so that a list of every sign-in takes the
// memory of a few blocks of them, however many the store holds. Result
// is the same answer gathered, for small ones (DB.Query).
//
// Read the rows with All, once. Stats and Notes are complete once the
// rows are read (with explain analyze, Plan too; with explain alone,
// Plan is set at once and there are no rows). A Rows holds a snapshot of
// the store, and the store must stay open, until the rows are read or
// Close is called: All closes it when its loop ends, however it ends.
// A Rows is not safe for concurrent use.
type Rows struct {
	Columns []Column
	// Plan is the plan, for explain; with explain analyze it holds rows
	// and times per step, once the rows are read.
	Plan string
	// Stats says what the query read, once the rows are read.
	Stats Stats
	// Notes say what the rows alone do not, once they are read (a list's
	// ListLimitNote counts what it showed).
	Notes []Note

	read  func(r *Rows, yield func(row []Value) bool) error
	close func()
	state rowsState
	err   error
}

type rowsState uint8

const (
	rowsUnread rowsState = iota
	rowsReading
	rowsDone
)

// NewRows makes the Rows of an answer, for a Querier. read passes the
// rows to yield in order, each valid until yield returns, and stops when
// yield returns false; before it returns it sets the Rows' Stats and
// Notes (and Plan, for explain analyze). close, which may be nil,
// releases what the answer holds (its snapshot): it is called once, when
// the rows are read or Close is called, whichever comes first.
func NewRows(cols []Column, read func(r *Rows, yield func(row []Value) bool) error, close func()) *Rows {
	return &Rows{Columns: cols, read: read, close: close}
}

// All returns the rows in order, each with a nil error; when reading
// fails, the sequence ends with a nil row and the error (also kept for
// Err). A row is valid until the loop goes on to the next one: copy it
// (slices.Clone) to keep it; the values in it stay valid. The rows can
// be ranged over once: a second loop gets only ErrRowsRead. The Rows is
// closed when the loop ends, by break, return or panic too; a loop that
// stops early stops the query: nothing more is read.
func (r *Rows) All() iter.Seq2[[]Value, error] {
	return func(yield func([]Value, error) bool) {
		if r.state != rowsUnread {
			yield(nil, ErrRowsRead)
			return
		}
		r.state = rowsReading
		defer r.release()
		stopped := false
		err := r.read(r, func(row []Value) bool {
			if !yield(row, nil) {
				stopped = true
				return false
			}
			return true
		})
		r.err = err
		if err != nil && !stopped {
			yield(nil, err)
		}
	}
}

// Err returns the error that ended the reading of the rows, if any.
func (r *Rows) Err() error { return r.err }

// Close releases the snapshot the rows are read from; the rows not read
// are not. It is safe to call more than once, and after All; called in
// All's loop, it does nothing (the loop's end releases the snapshot).
func (r *Rows) Close() error {
	if r.state == rowsUnread {
		r.release()
	}
	return nil
}

func (r *Rows) release() {
	if r.state == rowsDone {
		return
	}
	r.state = rowsDone
	if r.close != nil {
		r.close()
	}
}

// Result reads the rows into a Result, copying each, and closes the
// Rows. maxBytes, when positive, bounds what the rows may take: beyond
// it reading stops with ErrTooLarge, so that gathering an answer
// never takes the process's memory.
func (r *Rows) Result(maxBytes int64) (*Result, error) {
	res := &Result{Columns: r.Columns}
	var used int64
	var cells []Value // rows are cut from chunks of cells
	for row, err := range r.All() {
		if err != nil {
			return nil, err
		}
		if maxBytes > 0 {
			if used += rowBytes(row); used > maxBytes {
				return nil, fmt.Errorf("%w: its rows take over %d MiB (QueryOptions.MaxMemory); read them one at a time with DB.QueryRows, or give the query a limit", ErrTooLarge, maxBytes>>20)
			}
		}
		if len(cells) < len(row) {
			cells = make([]Value, len(row)*256)
		}
		kept := cells[:len(row):len(row)]
		copy(kept, row)
		res.Rows = append(res.Rows, kept)
		cells = cells[len(row):]
	}
	res.Plan, res.Stats, res.Notes = r.Plan, r.Stats, r.Notes
	return res, nil
}

// rowBytes estimates what a row held in a Result takes: its cells, and
// the text and lists they hold (which may be shared with a dictionary;
// counted anyway).
func rowBytes(row []Value) int64 {
	n := int64(len(row))*int64(unsafe.Sizeof(Value{})) + 24
	for _, v := range row {
		n += int64(len(v.s))
		for _, s := range v.l {
			n += int64(len(s)) + 16
		}
	}
	return n
}

// All returns the result's rows as Rows.All does (each with a nil
// error), to hand a gathered answer to what reads a stream.
func (res *Result) All() iter.Seq2[[]Value, error] {
	return func(yield func([]Value, error) bool) {
		for _, row := range res.Rows {
			if !yield(row, nil) {
				return
			}
		}
	}
}
