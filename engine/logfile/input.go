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
	"path/filepath"
	"strings"

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
}

// FileInput returns the Input for a file path.
func FileInput(path string) Input {
	return Input{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// ReaderInput returns an Input that reads r, which is not closed.
func ReaderInput(name string, r io.Reader) Input {
	return Input{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
}

// Paths expands command-line paths into inputs: a file is itself, a
// directory is every regular file below it in lexical order (skipping
// names that begin with a dot), and "-" is stdin. Paths that cannot be
// read are returned as refusals, so that reading goes on with the rest.
func Paths(paths []string, stdin io.Reader) ([]Input, []*Reject) {
	var ins []Input
	var refused []*Reject
	for _, p := range paths {
		if p == "-" {
			if stdin == nil {
				stdin = os.Stdin
			}
			ins = append(ins, ReaderInput("<stdin>", stdin))
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			refused = append(refused, refuse(p, pathError(err)))
			continue
		}
		if !st.IsDir() {
			ins = append(ins, FileInput(p))
			continue
		}
		err = filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				refused = append(refused, refuse(path, pathError(err)))
				return nil
			}
			if path != p && strings.HasPrefix(e.Name(), ".") {
				if e.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if e.Type().IsRegular() {
				ins = append(ins, FileInput(path))
			}
			return nil
		})
		if err != nil {
			refused = append(refused, refuse(p, pathError(err)))
		}
	}
	return ins, refused
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
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("gzip: %w", err)
		}
		src = zr
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		rc.Close()
		return nil, errors.New("a zip archive: extract it and read the files inside")
	}
	o := &opened{counter: &countingReader{r: src}, closer: rc}
	o.br, o.utf16 = decodeText(bufio.NewReaderSize(o.counter, bufSize))
	return o, nil
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

// InputSize is the size in bytes of the named files and directories, as
// Summary.Bytes counts them when they are read, or -1 when it cannot be
// known beforehand (standard input, compressed files): a progress bar's
// total.
func InputSize(paths []string) int64 {
	total := int64(0)
	for _, p := range paths {
		if p == "-" || strings.HasSuffix(p, ".gz") {
			return -1
		}
		err := filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasSuffix(path, ".gz") {
				return errors.New("compressed")
			}
			if !d.IsDir() {
				info, err := d.Info()
				if err != nil {
					return err
				}
				total += info.Size()
			}
			return nil
		})
		if err != nil {
			return -1
		}
	}
	return total
}
