package logfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/signinq/signinq/engine/signin"
)

// This file reads inputs in formats added from outside (Options.Formats),
// which are line-oriented: the splitter cuts lines into jobs as it does
// JSON lines, and workers hand each line to the format's Decode.

// extLines splits an input in a format added from outside: its header
// line, if the format has one, then jobs of lines.
func (s *splitter) extLines(st *inputState, br *bufio.Reader) {
	line := 1
	if st.ext.Header {
		for {
			text, err := readLine(br, s.opts.MaxRecordBytes)
			if err != nil && len(text) == 0 {
				if err != errEndOfInput {
					s.send(&job{in: st, refuse: refuse(st.name, fmt.Sprintf("line %d, the header: %v", line, err))})
				}
				return // an input of blank lines is empty
			}
			line++
			if len(bytes.TrimSpace(text)) > 0 {
				st.header = text
				break
			}
		}
	}
	s.lines(st, br, jobExt, line)
}

var errEndOfInput = errors.New("end of input")

// readLine reads a line of at most max bytes and returns it without its
// line ending. At the end of the input it returns what is left with
// errEndOfInput.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var out []byte
	for {
		part, err := br.ReadSlice('\n')
		out = append(out, part...)
		if len(out) > max {
			return nil, fmt.Errorf("longer than %d bytes", max)
		}
		switch err {
		case nil:
			return bytes.TrimRight(out, "\r\n"), nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(out) == 0 {
				return nil, errEndOfInput
			}
			return bytes.TrimRight(out, "\r\n"), nil
		default: // the reading failed, or the input is cut short
			return nil, err
		}
	}
}

// extLines decodes a job of lines in a format added from outside.
func (w *worker) extLines() {
	j := w.j
	f := j.in.ext
	j.batch.Records = make([]signin.Record, 0, j.recordRoom())
	data, num := j.data, j.line
	for len(data) > 0 {
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i:i], data[i+1:]
		} else {
			data = nil
		}
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[: n-1 : n-1]
		}
		switch {
		case len(bytes.TrimSpace(l)) == 0:
		case len(l) > w.maxBytes:
			w.reject(num, 1, fmt.Sprintf("a line longer than %d bytes", w.maxBytes), l)
		default:
			w.ext(f, l, num)
		}
		w.flush()
		num++
	}
}

// ext decodes one line with f and checks and completes the record.
func (w *worker) ext(f *Format, text []byte, num int) {
	b := &w.j.batch
	b.Records = append(b.Records, signin.Record{})
	rec := &b.Records[len(b.Records)-1]
	rec.Reset()
	err := decodeLine(f, Line{Input: w.j.in.name, Header: w.j.in.header, Num: num, Text: text}, rec)
	if err == nil && rec.Time.IsZero() {
		err = errors.New("no sign-in time")
	}
	if err != nil {
		b.Records = b.Records[:len(b.Records)-1]
		col := 0
		var ce *ColumnError
		if errors.As(err, &ce) {
			col = ce.Col
		}
		if errors.Is(err, ErrNotSignInLog) {
			w.observe(outNotSignIn, err.Error())
		} else {
			w.observe(outMalformed, "")
		}
		w.reject(num, col, err.Error(), text)
		return
	}
	w.observe(outOK, "")
	if rec.Status == signin.StatusUnknown {
		rec.Status = w.d.classifier.Status(rec.Error)
	}
	if rec.Identity == "" {
		rec.Identity = identity(rec, "")
	}
	if rec.Raw == nil {
		rec.Raw = text
	}
}

// decodeLine calls f.Decode, turning a panic into an error: a format
// added from outside must not stop the reader.
func decodeLine(f *Format, l Line, rec *signin.Record) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("format %s failed on this line: %v", f.Name, p)
		}
	}()
	return f.Decode(l, rec)
}
