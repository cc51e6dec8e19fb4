package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sync/atomic"
)

// wholeLines passes on the whole lines of what it reads, and of the text
// after the last line end only a complete JSON value (the last record of
// a blob written without a final line end), or white space: a blob read
// while it is being appended to may end inside a record, which is left
// for the next pull instead of being read as a malformed one. A held
// text longer than limit is passed on as it is (the reader rejects it as
// too long). consumed counts the bytes passed on, lines their line ends;
// err is the error of the reader below, if not io.EOF.
type wholeLines struct {
	r     io.Reader
	limit int
	buf   []byte // buf[pos:ready] is to pass on, buf[ready:] held
	pos   int
	ready int
	eof   bool

	// check, when not empty, is the text the reader must start with (the
	// end of what the last pull read): other text means the blob was
	// replaced, and the reader stops with errReplaced.
	check []byte

	consumed atomic.Int64
	lines    atomic.Int64
	err      error // the reader's own; others call failed
	failure  atomic.Pointer[error]
	// last is the end of what was passed on, up to maxCheck bytes from
	// the start of its last line: a later pull checks the blob still
	// holds it.
	last []byte
}

// maxCheck bounds the text a cursor keeps of a blob's last line.
const maxCheck = 256

// errReplaced is a blob that no longer holds what the last pull read.
var errReplaced = errors.New("the blob no longer holds the text the last pull read before its offset")

// readPiece is how much wholeLines asks its reader for at a time.
const readPiece = 256 << 10

func newWholeLines(r io.Reader, limit int) *wholeLines {
	return &wholeLines{r: r, limit: limit}
}

func (w *wholeLines) Read(p []byte) (int, error) {
	if len(w.check) > 0 {
		got := make([]byte, len(w.check))
		_, err := io.ReadFull(w.r, got)
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF || (err == nil && !bytes.Equal(got, w.check)):
			w.err = errReplaced
		case err != nil:
			w.err = err
		}
		w.check = nil
		if w.err != nil {
			w.failure.Store(&w.err)
			return 0, w.err
		}
	}
	for w.pos == w.ready {
		if w.eof {
			return 0, io.EOF
		}
		if w.err != nil {
			return 0, w.err
		}
		w.fill()
	}
	n := copy(p, w.buf[w.pos:w.ready])
	w.pos += n
	w.consumed.Add(int64(n))
	w.lines.Add(int64(bytes.Count(p[:n], []byte{'\n'})))
	return n, nil
}

// failed returns the error of the reader below (not io.EOF), or nil; it
// may be called while another goroutine reads.
func (w *wholeLines) failed() error {
	if p := w.failure.Load(); p != nil {
		return *p
	}
	return nil
}

// fill reads more, making the whole lines read ready.
func (w *wholeLines) fill() {
	held := copy(w.buf, w.buf[w.ready:])
	w.buf, w.pos, w.ready = w.buf[:held], 0, 0
	if cap(w.buf)-held < readPiece {
		nb := make([]byte, held, max(2*cap(w.buf), held+readPiece))
		copy(nb, w.buf)
		w.buf = nb
	}
	n, err := w.r.Read(w.buf[held:cap(w.buf)])
	w.buf = w.buf[:held+n]
	if i := bytes.LastIndexByte(w.buf[held:], '\n'); i >= 0 {
		w.ready = held + i + 1
	}
	switch {
	case err == io.EOF:
		w.eof = true
		if tail := w.buf[w.ready:]; complete(tail) {
			w.ready = len(w.buf)
		}
	case err != nil:
		w.err = err
		w.failure.Store(&w.err)
	case len(w.buf)-w.ready > w.limit:
		w.ready = len(w.buf)
	}
	if w.ready > 0 {
		// Held text starts a line, so the last line passed on is in buf.
		start := bytes.LastIndexByte(w.buf[:w.ready-1], '\n') + 1
		start = max(start, w.ready-maxCheck)
		w.last = append(w.last[:0], w.buf[start:w.ready]...)
	}
}

// complete reports whether text after a blob's last line end is a whole
// record, or nothing but white space. A record is a JSON object, and no
// proper beginning of an object is valid JSON: what is valid is whole.
func complete(tail []byte) bool {
	t := bytes.TrimSpace(tail)
	return len(t) == 0 || (t[0] == '{' && json.Valid(t))
}
