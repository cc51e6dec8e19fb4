package storage

import (
	"bytes"
	"encoding/json"
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

	consumed atomic.Int64
	lines    atomic.Int64
	err      error // read by the caller once the reader is done with it
}

// readPiece is how much wholeLines asks its reader for at a time.
const readPiece = 256 << 10

func newWholeLines(r io.Reader, limit int) *wholeLines {
	return &wholeLines{r: r, limit: limit}
}

func (w *wholeLines) Read(p []byte) (int, error) {
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
	case len(w.buf)-w.ready > w.limit:
		w.ready = len(w.buf)
	}
}

// complete reports whether text after a blob's last line end is a whole
// record, or nothing but white space. A record is a JSON object, and no
// proper beginning of an object is valid JSON: what is valid is whole.
func complete(tail []byte) bool {
	t := bytes.TrimSpace(tail)
	return len(t) == 0 || (t[0] == '{' && json.Valid(t))
}
