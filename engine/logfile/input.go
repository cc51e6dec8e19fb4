package logfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/dustin/go-humanize"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Input is one source of sign-ins: a file, standard input, or any stream
// an embedding program has.
type Input struct {
	// Name identifies the input in messages and rejects. Its base name
	// also tells the type of portal downloads (InteractiveSignIns_….csv,
	// NonInteractiveSignIns_…, ApplicationSignIns_…, MSISignIns_…).
	Name string
	// Open opens the input. It is called once, when the input's turn
	// comes; the reader closes what it returns.
	Open func() (io.ReadCloser, error)

	// skipped, set by Paths for what it found in a directory and does
	// not read, says why: the reader reports it as a warning in its turn.
	skipped string
}

// FileInput returns the Input for a file path.
func FileInput(path string) Input {
	return Input{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// ReaderInput returns an Input that reads r, which is not closed.
func ReaderInput(name string, r io.Reader) Input {
	return Input{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
}

// pathError drops the path from an *fs.PathError, which the reject names
// already.
func pathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// bufSize is the read buffer of an input; it is also how far detection
// looks. Readers of large inputs read past it in bigger pieces.
const bufSize = 64 << 10

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// opened is an input opened for reading: its text, decompressed and in
// UTF-8 without a byte-order mark.
type opened struct {
	br *bufio.Reader
	// counter counts the bytes read before they are decoded to UTF-8
	// (after decompression), as Summary.Bytes counts them.
	counter *countingReader
	closer  io.Closer
	// utf16 is set when the text was UTF-16 (little or big endian, with
	// a byte-order mark) and is decoded as it is read.
	utf16 bool
}

// openInput opens in and returns its content, decompressed, decoded to
// UTF-8 and without a byte-order mark. Decoding streams, as reading does.
func openInput(in Input) (*opened, error) {
	rc, err := in.Open()
	if err != nil {
		return nil, errors.New(pathError(err))
	}
	br := bufio.NewReaderSize(rc, bufSize)
	var src io.Reader = br
	head, _ := br.Peek(10)
	if what := compressedOther(head); what != "" {
		rc.Close()
		return nil, fmt.Errorf("%s: decompress it first (signinq reads gzip as it is)", what)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			rc.Close()
			return nil, fmt.Errorf("%w: its gzip header is cut short (copy or download the file again)", ErrTruncated)
		}
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("gzip: %w", err)
		}
		src = &gzipReader{zr: zr}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		rc.Close()
		return nil, errors.New("a zip archive: extract it and read the files inside")
	}
	o := &opened{counter: &countingReader{r: src}, closer: rc}
	o.br, o.utf16 = decodeText(bufio.NewReaderSize(o.counter, bufSize))
	return o, nil
}

// compressedOther names the compression or archive formats other than
// gzip that head starts with, or returns "".
func compressedOther(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\xfd7zXZ\x00")):
		return "an xz-compressed file"
	case bytes.HasPrefix(head, []byte("\x28\xb5\x2f\xfd")):
		return "a zstd-compressed file"
	case len(head) >= 10 && bytes.HasPrefix(head, []byte("BZh")) && head[3] >= '1' && head[3] <= '9' && bytes.Equal(head[4:10], []byte("1AY&SY")):
		return "a bzip2-compressed file"
	case bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")):
		return "a 7-Zip archive"
	}
	return ""
}

// ErrTruncated is what the reject of an input cut short wraps: a gzip
// file whose compressed stream ends before its end, as a copy or a
// download stopped midway leaves it (where the cut falls on a record's
// end, nothing else would tell). The records before the cut are read as
// usual; the reject says where the text stops, and, when the cut falls
// inside a record, holds that record's beginning as its Raw. It is
// counted in Summary.Truncated (not as a rejected record), and the
// summary is then not clean.
var ErrTruncated = errors.New("the file is truncated")

// truncatedError is the read error of a compressed stream that ends
// before its end.
type truncatedError struct {
	format string
	after  int64 // bytes of text read before the cut
}

func (e *truncatedError) Error() string {
	return fmt.Sprintf("%v: its %s stream stops short, after %s of text", ErrTruncated, e.format, humanize.IBytes(uint64(e.after)))
}

func (e *truncatedError) Is(target error) bool { return target == ErrTruncated }

// gzipReader reads a gzip stream, and returns a *truncatedError where
// the stream ends before its end (gzip says io.ErrUnexpectedEOF, which
// readers that fill a buffer take for a short last read).
type gzipReader struct {
	zr *gzip.Reader
	n  int64
}

func (g *gzipReader) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	g.n += int64(n)
	if err == io.ErrUnexpectedEOF {
		err = &truncatedError{format: "gzip", after: g.n}
	}
	return n, err
}

// readFailure is the reject of an input whose reading failed at line:col
// (where the text read stops), with the record it was reading, cut
// short (partial, without a line end; empty when the failure fell
// between records).
func readFailure(input string, err error, line, col int, partial []byte) *Reject {
	partial = bytes.TrimRight(partial, "\r\n")
	inside := len(bytes.TrimSpace(partial)) > 0
	if !errors.Is(err, ErrTruncated) {
		return &Reject{Input: input, Line: line, Col: col, Raw: clip(partial), Reason: "read error: " + err.Error()}
	}
	where := "between two records: the records before were read; what followed is missing"
	if inside {
		where = "inside the record that starts here (its beginning is kept as the rejected text): the records before it were read; the rest of it, and what followed, is missing"
	}
	return &Reject{Input: input, Line: line, Col: col, Raw: clip(partial), err: ErrTruncated,
		Reason: fmt.Sprintf("%v, %s; copy or download the file again", err, where)}
}

// decodeText returns br's text in UTF-8 without a byte-order mark: a
// UTF-8 mark is skipped, and text that starts with a UTF-16 mark (as
// Windows PowerShell's Out-File and > write it) is decoded from UTF-16
// of the mark's byte order as it is read; utf16 says so. Invalid UTF-16
// (an unpaired surrogate) becomes U+FFFD.
func decodeText(br *bufio.Reader) (_ *bufio.Reader, utf16 bool) {
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		// ExpectBOM: the mark decides the byte order, and is dropped.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), bufSize), true
	}
	return br, false
}

// sniffed is what the first bytes of an input say it is.
type sniffed uint8

const (
	sniffEmpty sniffed = iota
	sniffJSONLines
	sniffJSON
	sniffCSV
)

// sniff looks at the start of an input. JSON lines are told from a JSON
// document by their first line: it is a whole object, or it is cut short
// (it does not end opening a value, as "{", "[", "," or ":" do) and the
// next line is a whole object. Everything that does not start with '{' or
// '[' is tried as CSV.
func sniff(br *bufio.Reader) sniffed {
	head, _ := br.Peek(64 << 10)
	return sniffHead(head)
}

// sniffHead is sniff over an input's first bytes.
func sniffHead(head []byte) sniffed {
	rest := bytes.TrimLeft(head, " \t\r\n")
	if len(rest) == 0 {
		return sniffEmpty
	}
	switch rest[0] {
	case '[':
		return sniffJSON
	case '{':
	default:
		return sniffCSV
	}
	first, next, _ := bytes.Cut(rest, []byte("\n"))
	first = bytes.TrimRight(first, " \t\r")
	if isObjectLine(first) {
		return sniffJSONLines
	}
	switch first[len(first)-1] {
	case '{', '[', ',', ':':
		return sniffJSON
	}
	for len(next) > 0 {
		var line []byte
		line, next, _ = bytes.Cut(next, []byte("\n"))
		if line = bytes.TrimSpace(line); len(line) > 0 {
			if isObjectLine(line) {
				return sniffJSONLines
			}
			break
		}
	}
	return sniffJSON
}

func isObjectLine(l []byte) bool { return len(l) > 1 && l[0] == '{' && l[len(l)-1] == '}' }

// Skipped says why Paths does not read an input it found in a directory
// (the reader reports it as a warning in its turn, and Open is nil); ""
// for an input to read.
func (in Input) Skipped() string { return in.skipped }
