package logfile

import (
	"context"
	"io"
	"os"
)

// cancellable returns in with its Open wrapped so that reading a stream
// (standard input, a pipe, a socket: anything but a regular file) gives
// up when ctx is done. A read from a stream may wait for ever, and an
// ingest told to stop must stop, not wait for input that may never come.
func cancellable(ctx context.Context, in Input) Input {
	open := in.Open
	in.Open = func() (io.ReadCloser, error) {
		rc, err := open()
		if err != nil {
			return rc, err
		}
		if f, ok := rc.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				return rc, nil
			}
		}
		return &ctxReader{ctx: ctx, rc: rc}, nil
	}
	return in
}

// ctxReader reads rc on another goroutine, into a buffer of its own, and
// returns ctx's error instead once ctx is done. The read then in flight
// is abandoned with its buffer; it ends when rc's Read does, and what it
// read is dropped.
type ctxReader struct {
	ctx  context.Context
	rc   io.ReadCloser
	buf  []byte
	res  chan readResult
	dead error // the context's error, once a read was abandoned
}

type readResult struct {
	n   int
	err error
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if r.dead != nil {
		return 0, r.dead
	}
	if err := r.ctx.Err(); err != nil {
		r.dead = err
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if cap(r.buf) < len(p) {
		r.buf = make([]byte, len(p))
	}
	if r.res == nil {
		r.res = make(chan readResult, 1)
	}
	buf := r.buf[:len(p)]
	go func() {
		n, err := r.rc.Read(buf)
		r.res <- readResult{n, err}
	}()
	select {
	case res := <-r.res:
		return copy(p, buf[:res.n]), res.err
	case <-r.ctx.Done():
		r.dead = r.ctx.Err()
		r.buf = nil // the abandoned read's
		return 0, r.dead
	}
}

func (r *ctxReader) Close() error { return r.rc.Close() }
