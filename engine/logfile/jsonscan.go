package logfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// unit is one JSON value to decode, with where it starts.
type unit struct {
	raw       []byte
	line, col int
	err       string // set when the scanner itself rejects the unit
}

// jsonScanner splits JSON documents into the values that are records,
// without decoding them: the elements of a top-level array (the portal's
// JSON download), the elements of the "value" or "records" array of a
// top-level object (Graph responses, Event Hub payloads), and any other
// top-level object (a single record, pretty-printed or not). Several
// documents may follow one another.
//
// It only tracks strings and nesting, so it is fast and streams documents
// of any size; the decoder checks each value's syntax. A structural error
// (unbalanced brackets, text where a value should be) ends the input,
// since nothing after it can be located reliably.
type jsonScanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next byte to look at
	mark int   // start of the value (or key) being captured, or -1
	base int64 // input offset of buf[0]
	eof  bool
	rerr error // read error

	line      int
	lineStart int64 // input offset of the current line's first byte

	state    scanState
	first    bool // the next array element is the first
	maxValue int

	// capture is set when mark is a value's (a record's) start, which
	// may be dropped when the value grows past maxValue: the value is
	// then skipped to its end, keeping only its first bytes (overRaw),
	// and returned as a unit rejected for its size (over), so that
	// reading goes on after it.
	capture bool
	over    bool
	overRaw []byte
	// valLine and valCol are where the value being captured starts.
	valLine, valCol int

	// inStr is set while a string is read in pieces: pos is where the
	// last piece ended, and esc says the byte at pos is escaped. A string
	// is so looked at once however the input is cut into reads.
	inStr, esc bool
	// work counts the bytes string scanning looked at (for the tests
	// that it is linear).
	work int64
}

type scanState uint8

const (
	scanTop     scanState = iota // between documents
	scanArray                    // in a top-level array of records
	scanWrapped                  // in the record array of a wrapper object
	scanWrapper                  // in a wrapper object, after its record array
)

// errValueTooLarge ends an input whose value exceeds the limit.
var errValueTooLarge = errors.New("value too large")

func newJSONScanner(r io.Reader, maxValue int) *jsonScanner {
	return &jsonScanner{r: r, buf: make([]byte, 0, 64<<10), mark: -1, line: 1, maxValue: maxValue}
}

// newBytesScanner scans b, which is all the input. The units it returns
// are slices of b.
func newBytesScanner(b []byte) *jsonScanner {
	return &jsonScanner{buf: b, eof: true, mark: -1, line: 1, maxValue: len(b)}
}

// scanError is a structural error at a position, or a read error
// (err) where the input stopped.
type scanError struct {
	line, col int
	msg       string
	raw       []byte
	err       error // the read error, if that is what ended the input
	inValue   bool  // the input ended inside a value (or a document)
}

func (e *scanError) Error() string { return e.msg }

func (s *jsonScanner) here() (int, int) {
	return s.line, int(s.base+int64(s.pos)-s.lineStart) + 1
}

func (s *jsonScanner) errorf(format string, args ...any) *scanError {
	line, col := s.here()
	e := &scanError{line: line, col: col, msg: fmt.Sprintf(format, args...)}
	if s.mark >= 0 {
		e.raw = clip(s.buf[s.mark:s.pos])
	} else {
		e.raw = clip(s.buf[s.pos:min(len(s.buf), s.pos+64)])
	}
	return e
}

// clip bounds the raw bytes kept with a reject.
func clip(b []byte) []byte {
	const max = 64 << 10
	if len(b) > max {
		b = b[:max]
	}
	return bytes.Clone(b)
}

// fill reads more input, keeping the bytes from mark (or pos) on. It
// returns false at the end of the input, and when what must be kept
// (a key, or what lies outside any record) grows past maxValue. A
// record that grows past it is dropped (see capture), and reading goes
// on.
func (s *jsonScanner) fill() bool {
	for {
		if s.eof {
			return false
		}
		keep := s.pos
		if s.mark >= 0 && s.mark < keep {
			keep = s.mark
		}
		if keep > 0 && cap(s.buf) > bigRecord && len(s.buf)-keep < cap(s.buf)/4 {
			// Past a large value: back to a buffer of the usual size.
			nb := make([]byte, len(s.buf)-keep, max(64<<10, 2*(len(s.buf)-keep)))
			copy(nb, s.buf[keep:])
			s.buf = nb
			s.base += int64(keep)
			s.pos -= keep
			if s.mark >= 0 {
				s.mark -= keep
			}
			keep = 0
		}
		if keep > 0 {
			n := copy(s.buf, s.buf[keep:])
			s.buf = s.buf[:n]
			s.base += int64(keep)
			s.pos -= keep
			if s.mark >= 0 {
				s.mark -= keep
			}
		}
		if len(s.buf) == cap(s.buf) {
			if s.mark >= 0 && s.capture && len(s.buf)-s.mark > s.maxValue {
				s.over, s.overRaw = true, clip(s.buf[s.mark:])
				s.mark, s.capture = -1, false
				continue
			}
			if len(s.buf) > s.maxValue {
				return false
			}
			// Grow to one byte past the limit at most, where a value is
			// known to be too large; past bigRecord, to that at once,
			// rather than through copies of copies (see chunks.more).
			c := min(2*cap(s.buf), s.maxValue+1)
			if cap(s.buf) >= bigRecord {
				c = s.maxValue + 1
			}
			if c <= cap(s.buf) {
				c = cap(s.buf) + 1
			}
			nb := make([]byte, len(s.buf), c)
			copy(nb, s.buf)
			s.buf = nb
		}
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
		}
		if n > 0 {
			return true
		}
	}
}

// tooLarge reports whether fill stopped because of the size limit.
func (s *jsonScanner) tooLarge() bool { return !s.eof && len(s.buf) > s.maxValue }

// skipSpace moves past white space; it returns false at the end.
func (s *jsonScanner) skipSpace() bool {
	for {
		for ; s.pos < len(s.buf); s.pos++ {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\r':
			case '\n':
				s.newline(s.pos)
			default:
				return true
			}
		}
		if !s.fill() {
			return false
		}
	}
}

func (s *jsonScanner) newline(i int) {
	s.line++
	s.lineStart = s.base + int64(i) + 1
}

// peek returns the byte at pos, reading more if needed.
func (s *jsonScanner) peek() (byte, bool) {
	if s.pos >= len(s.buf) && !s.fill() {
		return 0, false
	}
	return s.buf[s.pos], true
}

// skipValue moves past one JSON value starting at pos.
func (s *jsonScanner) skipValue() error {
	c, ok := s.peek()
	if !ok {
		return s.endError()
	}
	switch c {
	case '"':
		return s.skipString()
	case '{', '[':
		return s.skipComposite()
	case ',', ':', '}', ']':
		return s.errorf("unexpected %q where a value should be", c)
	}
	for {
		for ; s.pos < len(s.buf); s.pos++ {
			switch s.buf[s.pos] {
			case ',', '}', ']', ' ', '\t', '\r', '\n', ':', '"', '{', '[':
				return nil
			}
		}
		if !s.fill() {
			if s.tooLarge() {
				return s.errorf("%v", errValueTooLarge)
			}
			return nil
		}
	}
}

func (s *jsonScanner) endError() error {
	if s.rerr != nil {
		return s.readError()
	}
	if s.tooLarge() {
		return s.errorf("a record larger than %d bytes", s.maxValue)
	}
	return s.errorf("unexpected end of input (the JSON is cut short)")
}

// readError is the error of an input whose reading failed (or which is
// cut short, see errTruncated), saying whether that was inside a record.
func (s *jsonScanner) readError() *scanError {
	e := s.errorf("read error: %v", s.rerr)
	e.err, e.inValue = s.rerr, s.mark >= 0 && s.capture || s.over
	if e.inValue {
		e.line, e.col = s.valLine, s.valCol
		if s.over {
			e.raw = s.overRaw
		}
	}
	return e
}

// stringRest moves pos past the string being read: from its opening
// quote at pos, or, when inStr is set, from where the last call
// stopped. It returns true once past the closing quote, and false when
// the string goes on past the bytes read (pos is then at their end,
// inStr set). A newline in a string, which JSON does not allow, is an
// error at the newline. Strings are most of a sign-in's bytes, so they
// are skipped with IndexByte, not byte by byte; and each byte is looked
// at a bounded number of times however the input is cut into reads (a
// string read in many small pieces, as gzip gives them, was looked at
// again from its start after each).
func (s *jsonScanner) stringRest() (bool, error) {
	buf, i := s.buf, s.pos
	if !s.inStr {
		i++
		s.inStr, s.esc = true, false
	}
	for {
		if s.esc {
			if i >= len(buf) {
				s.pos = i
				return false, nil
			}
			if buf[i] == '\n' {
				s.pos, s.inStr = i, false
				return false, s.errorf("unterminated string")
			}
			i++
			s.esc = false
		}
		rest := buf[i:]
		q := bytes.IndexByte(rest, '"')
		seg := rest
		if q >= 0 {
			seg = rest[:q]
		}
		s.work += int64(len(seg)) + 1
		if n := bytes.IndexByte(seg, '\n'); n >= 0 {
			s.pos, s.inStr = i+n, false
			return false, s.errorf("unterminated string")
		}
		// The backslashes just before the quote (or the end) escape it
		// when they are odd in number. They are counted from i, where
		// nothing is escaped.
		k := len(seg)
		for k > 0 && seg[k-1] == '\\' {
			k--
		}
		odd := (len(seg)-k)%2 == 1
		if q < 0 {
			s.pos, s.esc = len(buf), odd
			return false, nil
		}
		if !odd {
			s.pos, s.inStr = i+q+1, false
			return true, nil
		}
		i += q + 1
	}
}

// skipString moves past the string that starts at pos.
func (s *jsonScanner) skipString() error {
	for {
		done, err := s.stringRest()
		if err != nil || done {
			return err
		}
		if !s.fill() {
			s.inStr = false
			s.pos = len(s.buf)
			return s.endError()
		}
	}
}

func (s *jsonScanner) skipComposite() error {
	depth := 0
	for {
		done := true
		if s.inStr { // a string read on from the last piece
			var err error
			if done, err = s.stringRest(); err != nil {
				return err
			}
		}
		for done && s.pos < len(s.buf) {
			switch s.buf[s.pos] {
			case '"':
				var err error
				if done, err = s.stringRest(); err != nil {
					return err
				}
				continue // pos is past the string, or at the end of the bytes read
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.pos++
					return nil
				}
			case '\n':
				s.newline(s.pos)
			}
			s.pos++
		}
		if !s.fill() {
			s.inStr = false
			s.pos = len(s.buf)
			return s.endError()
		}
	}
}

// take returns the bytes from mark to pos as a unit and clears the
// mark. A value larger than maxValue is a unit rejected for its size,
// with its first bytes.
func (s *jsonScanner) take(line, col int) unit {
	var u unit
	switch {
	case s.over:
		u = unit{raw: s.overRaw, line: line, col: col, err: fmt.Sprintf("a record larger than %d bytes", s.maxValue)}
	case s.pos-s.mark > s.maxValue:
		u = unit{raw: clip(s.buf[s.mark:s.pos]), line: line, col: col, err: fmt.Sprintf("a record larger than %d bytes", s.maxValue)}
	default:
		u = unit{raw: s.buf[s.mark:s.pos], line: line, col: col}
	}
	s.mark, s.capture, s.over, s.overRaw = -1, false, false, nil
	return u
}

// value marks pos as the start of a value to capture.
func (s *jsonScanner) value() {
	s.mark, s.capture, s.over, s.overRaw = s.pos, true, false, nil
	s.valLine, s.valCol = s.here()
}

// next returns the next unit. Its raw bytes are valid until the next call.
// At the end it returns io.EOF; a *scanError ends the input.
func (s *jsonScanner) next() (unit, error) {
	for {
		if !s.skipSpace() {
			switch {
			case s.rerr != nil:
				return unit{}, s.readError()
			case s.state != scanTop:
				return unit{}, s.errorf("unexpected end of input (the JSON is cut short)")
			}
			return unit{}, io.EOF
		}
		c := s.buf[s.pos]
		switch s.state {
		case scanTop:
			switch c {
			case '[':
				s.pos++
				s.state, s.first = scanArray, true
			case '{':
				u, ok, err := s.topObject()
				if err != nil || ok {
					return u, err
				}
			default:
				return unit{}, s.errorf("unexpected %q where a JSON object or array should be", c)
			}
		case scanArray, scanWrapped:
			if c == ']' {
				s.pos++
				if s.state == scanArray {
					s.state = scanTop
				} else {
					s.state = scanWrapper
				}
				continue
			}
			if !s.first {
				if c != ',' {
					return unit{}, s.errorf("expected ',' or ']' after an array element, found %q", c)
				}
				s.pos++
				if !s.skipSpace() {
					return unit{}, s.endError()
				}
				if s.buf[s.pos] == ']' {
					line, col := s.here()
					return unit{line: line, col: col, err: "a trailing comma before ']'", raw: []byte(",]")}, nil
				}
			}
			s.first = false
			line, col := s.here()
			s.value()
			if err := s.skipValue(); err != nil {
				return unit{}, err
			}
			return s.take(line, col), nil
		case scanWrapper:
			switch c {
			case '}':
				s.pos++
				s.state = scanTop
			case ',':
				s.pos++
				if err := s.member(); err != nil {
					return unit{}, err
				}
			default:
				return unit{}, s.errorf("expected ',' or '}' in an object, found %q", c)
			}
		}
	}
}

// member moves past one `"key": value` member of an object.
func (s *jsonScanner) member() error {
	if _, err := s.key(); err != nil {
		return err
	}
	return s.skipValue()
}

// key reads an object key and its colon, and returns the key's text as
// written (escapes are not decoded; the keys that matter have none).
func (s *jsonScanner) key() (string, error) {
	if !s.skipSpace() {
		return "", s.endError()
	}
	if s.buf[s.pos] != '"' {
		return "", s.errorf("expected an object key, found %q", s.buf[s.pos])
	}
	// Keep the key in the buffer while it is read (a value's mark keeps
	// it already, unless the value grows too large and is dropped): its
	// text is found again from its input offset.
	unmark := s.mark < 0
	if unmark {
		s.mark, s.capture = s.pos, false
	}
	start := s.base + int64(s.pos)
	if err := s.skipString(); err != nil {
		return "", err
	}
	k := ""
	if lo := int(start-s.base) + 1; lo >= 0 {
		k = string(s.buf[lo : s.pos-1])
	}
	if unmark {
		s.mark = -1
	}
	if !s.skipSpace() {
		return "", s.endError()
	}
	if s.buf[s.pos] != ':' {
		return "", s.errorf("expected ':' after an object key, found %q", s.buf[s.pos])
	}
	s.pos++
	return k, nil
}

// topObject reads a top-level object. A wrapper (an object with a
// "value" or "records" array) switches the scanner into that array and
// returns no unit; any other object is returned whole.
func (s *jsonScanner) topObject() (unit, bool, error) {
	line, col := s.here()
	s.value()
	s.pos++ // {
	for n := 0; ; n++ {
		if !s.skipSpace() {
			return unit{}, false, s.endError()
		}
		switch c := s.buf[s.pos]; {
		case c == '}':
			s.pos++
			return s.take(line, col), true, nil
		case n > 0 && c == ',':
			s.pos++
		case n > 0:
			return unit{}, false, s.errorf("expected ',' or '}' in an object, found %q", c)
		}
		k, err := s.key()
		if err != nil {
			return unit{}, false, err
		}
		if !s.skipSpace() {
			return unit{}, false, s.endError()
		}
		if s.buf[s.pos] == '[' && (equalFold(k, "value") || equalFold(k, "records")) {
			s.pos++
			s.mark, s.capture, s.over, s.overRaw = -1, false, false, nil
			s.state, s.first = scanWrapped, true
			return unit{}, false, nil
		}
		if err := s.skipValue(); err != nil {
			return unit{}, false, err
		}
	}
}

func equalFold(a, b string) bool { return len(a) == len(b) && bytes.EqualFold([]byte(a), []byte(b)) }
