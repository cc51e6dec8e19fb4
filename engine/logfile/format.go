package logfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/valyala/fastjson"
)

// Format is an input format: its name, how to recognize an input in it,
// and how to decode its records. [Formats] lists the built-in ones; a
// program adds its own with [Options.Formats] and forces one with
// [Options.Format].
//
// A format added from outside is line-oriented: the reader splits each
// input into lines (after decompression, decoded to UTF-8 and without a
// byte-order mark),
// and calls Decode with each non-blank line, on several goroutines at
// once and out of order; the records still come out in input order.
// Decode must therefore be safe for concurrent use, and keep no state
// between calls. A format whose first line is a header (a column list)
// sets Header: that line is handed to every Decode call instead of being
// decoded.
//
// The built-in formats are read by the package's own fast paths, which
// Decode does not describe (it is nil for them); their Sniff reports what
// the built-in sniffer decides of an input as a whole.
type Format struct {
	// Name is what Options.Format and the command line's --format name
	// the format by: lower case, without spaces (diag, la-csv).
	Name string
	// Help says in one line what the format is.
	Help string
	// Sniff reports whether an input is in the format, given its first
	// bytes: up to 64 KiB after decompression, decoded to UTF-8 and
	// without a byte-order mark, fewer for a shorter input, never none. It must not keep or
	// change head, and must be safe for concurrent use. Formats added
	// from outside are sniffed before the built-in ones (which take
	// almost anything that is not JSON for CSV), so their Sniff must be
	// specific. nil means the format is read only when forced.
	Sniff func(head []byte) bool
	// Header says the first non-blank line of an input is a header,
	// handed to Decode with every line after it.
	Header bool
	// Decode decodes one line into rec, which the reader has reset (see
	// [signin.Record.Reset]). It may run in several goroutines at once.
	//
	// An error rejects the line: its text is the reason, and a
	// *[ColumnError] places it at a column of the line. An error that
	// wraps [ErrNotSignInLog], returned for the first line an input
	// decodes without error of another kind, refuses the input whole, as
	// the built-in formats refuse inputs that are not sign-in logs.
	//
	// A record without a Time is rejected. The reader fills in what
	// Decode leaves unset and can derive: Status from Error (with the
	// Options' classifier), Identity from the user or service principal
	// fields, and Raw as the line's text.
	Decode func(l Line, rec *signin.Record) error

	builtin builtinFormat
}

// Line is one line of an input, handed to [Format.Decode].
type Line struct {
	Input  string // the input's name
	Header []byte // the header line, without its line ending, when Format.Header is set
	Num    int    // the line's number, from 1
	// Text is the line without its line ending. It stays valid and
	// unchanged after Decode returns, so that the record may keep parts
	// of it (as Raw, or as strings made with unsafe.String), but Decode
	// must not change it.
	Text []byte
}

// ColumnError is an error of [Format.Decode] placed at a column of the
// line: Col counts bytes from 1.
type ColumnError struct {
	Col int
	Err error
}

func (e *ColumnError) Error() string { return e.Err.Error() }
func (e *ColumnError) Unwrap() error { return e.Err }

// builtinFormat tells the built-in formats apart; 0 is a format added
// from outside.
type builtinFormat uint8

const (
	builtinNone builtinFormat = iota
	builtinDiag
	builtinEventHub
	builtinGraph
	builtinPortalCSV
	builtinLogAnalyticsCSV
	builtinCanonical
)

var builtins = []Format{
	{Name: "diag", builtin: builtinDiag, Sniff: sniffDiag,
		Help: "Azure Monitor diagnostic-settings records of the sign-in categories: JSON lines as storage blobs hold them, single or pretty-printed records"},
	{Name: "eventhub", builtin: builtinEventHub, Sniff: sniffEventHub,
		Help: `Azure Monitor diagnostic-settings records in Event Hub {"records":[…]} payloads (one, or one a line)`},
	{Name: "graph", builtin: builtinGraph, Sniff: sniffGraph,
		Help: `Microsoft Graph auditLogs/signIns responses ({"value":[…]}, v1.0 and beta, summarized sign-ins) and the portal's JSON download`},
	{Name: "portal-csv", builtin: builtinPortalCSV, Sniff: sniffPortalCSV,
		Help: "The Entra admin center's CSV downloads (InteractiveSignIns_….csv and the others; their columns tell service principal and managed identity sign-ins and their file names or --type the others)"},
	{Name: "la-csv", builtin: builtinLogAnalyticsCSV, Sniff: sniffLogAnalyticsCSV,
		Help: "Log Analytics CSV exports of SigninLogs, AADNonInteractiveUserSignInLogs and the other sign-in tables"},
	{Name: "canonical", builtin: builtinCanonical, Sniff: sniffCanonical,
		Help: "signinq's own canonical JSON lines, as signinq parse prints them"},
}

// Formats returns the built-in formats, in the order the package
// documentation describes them. The slice is the caller's.
func Formats() []Format { return slices.Clone(builtins) }

// Builtin reports whether f is one of the built-in formats.
func (f *Format) Builtin() bool { return f.builtin != builtinNone }

// want is the record format a forced built-in format accepts; 0 for any.
func (f *Format) want() signin.Format {
	switch f.builtin {
	case builtinDiag, builtinEventHub:
		return signin.FormatDiag
	case builtinGraph:
		return signin.FormatGraph
	case builtinPortalCSV:
		return signin.FormatPortalCSV
	case builtinLogAnalyticsCSV:
		return signin.FormatLogAnalyticsCSV
	case builtinCanonical:
		return signin.FormatCanonical
	}
	return signin.FormatUnknown
}

// formatSet is the formats a scan reads, resolved from its Options once.
type formatSet struct {
	forced *Format   // Options.Format, or nil to sniff
	extra  []*Format // Options.Formats without the built-ins, in order
	// also is what the refusal of an input adds to the built-in formats'
	// list: the extra formats, or "".
	also string
}

// resolveFormats checks the Options' formats: extra formats need a
// name no other format has and a Decode, and a forced format must be
// known. Its errors list the known formats.
func resolveFormats(opts *Options) (*formatSet, error) {
	fs := &formatSet{}
	seen := map[string]bool{}
	for i := range builtins {
		seen[builtins[i].Name] = true
	}
	var also []string
	for i := range opts.Formats {
		f := &opts.Formats[i]
		if f.Builtin() {
			continue // already there
		}
		switch {
		case f.Name == "" || strings.ContainsAny(f.Name, " \t\r\n"):
			return nil, fmt.Errorf("logfile: bad format name %q", f.Name)
		case seen[f.Name]:
			return nil, fmt.Errorf("logfile: format %q is given twice (or is built in)", f.Name)
		case f.Decode == nil:
			return nil, fmt.Errorf("logfile: format %q has no Decode", f.Name)
		}
		seen[f.Name] = true
		fs.extra = append(fs.extra, f)
		if f.Help != "" {
			also = append(also, fmt.Sprintf("%s (%s)", f.Name, f.Help))
		} else {
			also = append(also, f.Name)
		}
	}
	if len(also) > 0 {
		fs.also = "; and also " + strings.Join(also, ", ")
	}
	if opts.Format == "" {
		return fs, nil
	}
	for i := range builtins {
		if strings.EqualFold(builtins[i].Name, opts.Format) {
			fs.forced = &builtins[i]
			return fs, nil
		}
	}
	for _, f := range fs.extra {
		if strings.EqualFold(f.Name, opts.Format) {
			fs.forced = f
			return fs, nil
		}
	}
	return nil, fmt.Errorf("logfile: unknown input format %q; the formats are %s", opts.Format, strings.Join(fs.names(), ", "))
}

// names lists the formats' names: the built-in ones, then the extra ones.
func (fs *formatSet) names() []string {
	var out []string
	for i := range builtins {
		out = append(out, builtins[i].Name)
	}
	for _, f := range fs.extra {
		out = append(out, f.Name)
	}
	return out
}

// sniffExtra returns the first extra format whose Sniff accepts head.
func (fs *formatSet) sniffExtra(head []byte) *Format {
	for _, f := range fs.extra {
		if f.Sniff != nil && f.Sniff(head) {
			return f
		}
	}
	return nil
}

// forcedBuiltin splits an input forced to be read in a built-in format,
// whatever its content says (kind is what sniff found).
func (s *splitter) forcedBuiltin(st *inputState, br *bufio.Reader, kind sniffed) {
	switch st.forced.builtin {
	case builtinPortalCSV, builtinLogAnalyticsCSV:
		s.csv(st, br)
	case builtinCanonical:
		st.canonical, st.signIns = true, true
		s.lines(st, br, jobLines, 1)
	default: // diag, eventhub, graph: records say which they are
		switch kind {
		case sniffJSONLines:
			s.lines(st, br, jobLines, 1)
		case sniffJSON:
			s.documents(st, br)
		default:
			s.send(&job{in: st, refuse: st.notSignIn("not JSON")})
		}
	}
}

// notInFormat refuses an input that is not in the format it was forced
// to be read in.
func notInFormat(name string, f *Format, why string) *Reject {
	r := refuse(name, fmt.Sprintf("%v in format %s, which it was asked to be read in: %s", ErrNotSignInLog, f.Name, why))
	r.err = ErrNotSignInLog
	return r
}

// ---- the built-in formats' sniffers ----

// firstKey reports whether the JSON object at the start of rest (after
// '{' and blanks) has key as its first key.
func firstKey(rest []byte, key string) bool {
	if len(rest) == 0 || rest[0] != '{' {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(rest[1:], " \t\r\n"), []byte(`"`+key+`"`))
}

func jsonHead(head []byte) (sniffed, []byte) {
	k := sniffHead(head)
	return k, bytes.TrimLeft(head, " \t\r\n")
}

func sniffCanonical(head []byte) bool {
	k, rest := jsonHead(head)
	if k != sniffJSONLines {
		return false
	}
	first, _, _ := bytes.Cut(rest, newline)
	var p fastjson.Parser
	return isCanonical(&p, bytes.TrimSpace(first))
}

func sniffEventHub(head []byte) bool {
	k, rest := jsonHead(head)
	return (k == sniffJSON || k == sniffJSONLines) && firstKey(rest, "records")
}

// sniffDiag takes JSON that names a category (which Graph objects do
// not have) and is neither an Event Hub payload nor the canonical form.
func sniffDiag(head []byte) bool {
	k, _ := jsonHead(head)
	return (k == sniffJSON || k == sniffJSONLines) && !sniffEventHub(head) && !sniffCanonical(head) &&
		bytes.Contains(head, []byte(`"category"`))
}

// sniffGraph takes JSON that names no category and is not the canonical
// form.
func sniffGraph(head []byte) bool {
	k, _ := jsonHead(head)
	return (k == sniffJSON || k == sniffJSONLines) && !sniffEventHub(head) && !sniffCanonical(head) &&
		!bytes.Contains(head, []byte(`"category"`))
}

func csvHeaderFormat(head []byte) signin.Format {
	if sniffHead(head) != sniffCSV {
		return signin.FormatUnknown
	}
	cr := csv.NewReader(bytes.NewReader(head))
	cr.FieldsPerRecord = -1
	names, err := cr.Read()
	if err != nil && !errors.Is(err, csv.ErrFieldCount) {
		return signin.FormatUnknown
	}
	if h := newCSVHeader(names); h != nil {
		return h.format
	}
	return signin.FormatUnknown
}

func sniffPortalCSV(head []byte) bool { return csvHeaderFormat(head) == signin.FormatPortalCSV }

func sniffLogAnalyticsCSV(head []byte) bool {
	return csvHeaderFormat(head) == signin.FormatLogAnalyticsCSV
}
