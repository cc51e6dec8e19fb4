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

	"github.com/signinq/signinq/engine/signin"
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

// typeFromName returns the type a portal download's file name implies.
func typeFromName(name string) (signin.Type, bool) {
	base := strings.ToLower(filepath.Base(name))
	switch {
	case strings.HasPrefix(base, "noninteractivesignins"):
		return signin.TypeNonInteractive, true
	case strings.HasPrefix(base, "interactivesignins"):
		return signin.TypeInteractive, true
	case strings.HasPrefix(base, "applicationsignins"), strings.HasPrefix(base, "serviceprincipalsignins"):
		return signin.TypeServicePrincipal, true
	case strings.HasPrefix(base, "msisignins"), strings.HasPrefix(base, "managedidentitysignins"):
		return signin.TypeManagedIdentity, true
	}
	return 0, false
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

// openInput opens in and returns its content, decompressed, without a
// byte-order mark, and the counter of decompressed bytes.
func openInput(in Input) (*bufio.Reader, *countingReader, io.Closer, error) {
	rc, err := in.Open()
	if err != nil {
		return nil, nil, nil, errors.New(pathError(err))
	}
	br := bufio.NewReaderSize(rc, bufSize)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, nil, nil, fmt.Errorf("gzip: %w", err)
		}
		cr := &countingReader{r: zr}
		br = bufio.NewReaderSize(cr, bufSize)
		return stripBOM(br), cr, rc, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		rc.Close()
		return nil, nil, nil, errors.New("a zip archive: extract it and read the files inside")
	}
	cr := &countingReader{r: br}
	return stripBOM(bufio.NewReaderSize(cr, bufSize)), cr, rc, nil
}

func stripBOM(br *bufio.Reader) *bufio.Reader {
	if head, _ := br.Peek(3); bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	return br
}

// sniffed is what the first bytes of an input say it is.
type sniffed uint8

const (
	sniffEmpty sniffed = iota
	sniffJSONLines
	sniffJSON
	sniffCSV
	sniffUTF16
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
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		return sniffUTF16
	}
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
