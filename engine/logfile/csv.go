package logfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unsafe"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/jsonw"
	"github.com/valyala/fastjson"
)

// csvHeader is a CSV file's header, resolved to handlers by column.
type csvHeader struct {
	format   signin.Format
	columns  portalColumns // for a portal download: the type its columns say
	names    []string      // as written
	handlers []handler     // nil for columns the catalog does not use
}

// csvRow is one data row, or a row the CSV reader could not parse.
type csvRow struct {
	fields []string
	line   int
	raw    []byte // the row's text as read
	err    error  // the parse error, if any
	errCol int
}

// portalKeys decode the portal's CSV columns, keyed by the column name
// lower-cased, trimmed and with runs of spaces collapsed (the export has
// "Application ID " and "Autonomous system  number"): the columns read
// specially, written here, and the catalog's fields' columns
// (signin.Field.Keys), each with its field's handler.
var portalKeys = func() map[string]handler {
	m := map[string]handler{
		"date (utc)":                             hCreated,
		"ip address":                             hIP,
		"location":                               hPortalLocation,
		"status":                                 handler(func(d *decoder, name string, v *fastjson.Value) { d.statusText(name, v) }),
		"multifactor authentication auth method": hAuthMethods,
	}
	for _, f := range signin.Fields() {
		k := normalizeColumn(f.Keys[signin.FormatPortalCSV])
		if _, ok := m[k]; k == "" || ok || fieldHandlers[f] == nil {
			continue
		}
		m[k] = fieldHandlers[f]
	}
	return m
}()

var (
	// hPortalLocation splits the portal's "City, State, CC".
	hPortalLocation = handler(func(d *decoder, _ string, v *fastjson.Value) {
		b, _ := d.text(v)
		parts := strings.Split(string(b), ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		n := len(parts)
		d.rec.Country = d.keep([]byte(parts[n-1]), slotPortal[0])
		if n >= 2 {
			d.rec.State = d.keep([]byte(parts[n-2]), slotPortal[1])
		}
		if n >= 3 {
			d.rec.City = d.keep([]byte(strings.Join(parts[:n-2], ", ")), slotPortal[2])
		}
	})
)

// statusText takes a status given as text (the portal's Status column).
func (d *decoder) statusText(name string, v *fastjson.Value) {
	b, _ := d.text(v)
	if len(bytes.TrimSpace(b)) == 0 {
		return
	}
	st, ok := signin.ParseStatus(string(b))
	if !ok {
		d.fail("%s: not a status (Success, Failure, Interrupted): %s", name, quoteTrunc(b))
		return
	}
	d.env.statusText = st
}

// normalizeColumn lower-cases a column name, trims it and collapses runs
// of spaces.
func normalizeColumn(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// laColumn turns a Log Analytics column name into a key of topKeys or
// signInKeys: "TimeGenerated [UTC]" is timegenerated.
func laColumn(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '['); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	return strings.ToLower(s)
}

// newCSVHeader recognizes a header. It returns nil when the file is
// neither a portal download nor a Log Analytics export.
func newCSVHeader(names []string) *csvHeader {
	has := map[string]bool{}
	for _, n := range names {
		has[normalizeColumn(n)] = true
		has[laColumn(n)] = true
	}
	h := &csvHeader{names: names, handlers: make([]handler, len(names))}
	switch {
	case has["date (utc)"] && (has["request id"] || has["status"]):
		h.format = signin.FormatPortalCSV
		h.columns = portalColumnsOf(has)
		for i, n := range names {
			h.handlers[i] = portalKeys[normalizeColumn(n)]
		}
	case has["timegenerated"] || (has["createddatetime"] && (has["category"] || has["resulttype"])):
		h.format = signin.FormatLogAnalyticsCSV
		for i, n := range names {
			// Log Analytics' TenantId is the workspace's; the Entra
			// tenant is AADTenantId.
			if k := laColumn(n); k != "tenantid" {
				h.handlers[i] = topTable.m[k]
			}
		}
	default:
		return nil
	}
	return h
}

// csv splits a CSV file into jobs of whole rows (see csvEnds), which the
// workers parse. Its header must end within its first 64 KiB (bufSize),
// and a row longer than MaxRecordBytes is rejected and skipped.
func (s *splitter) csv(st *inputState, br *bufio.Reader) {
	head, _ := br.Peek(bufSize)
	// The header is the first record that is not a blank line, as
	// encoding/csv reads it.
	var ends csvEnds
	start, end, line := 0, -1, 1
	for start < len(head) {
		n := ends.next(head[start:])
		if n < 0 {
			if len(head) < bufSize { // the whole input is the header
				end = len(head)
			}
			break
		}
		if rec := head[start : start+n]; len(bytes.TrimRight(rec, "\r\n")) > 0 {
			end = start + n
			break
		}
		start += n
		line++
	}
	if start >= len(head) {
		return // blank lines: an empty input
	}
	long := end < 0 // the header does not end in the first 64 KiB
	if long {
		end = len(head)
	}
	if i := bytes.IndexByte(head[start:end], 0); i >= 0 {
		s.send(&job{in: st, refuse: st.notSignIn(fmt.Sprintf("neither JSON nor CSV: binary data (a NUL byte at byte %d)", start+i+1))})
		return
	}
	if long {
		s.send(&job{in: st, refuse: st.notSignIn(fmt.Sprintf("neither JSON nor CSV with a header: its first line does not end within its first %d KiB (it begins %s)", bufSize>>10, quoteTrunc(head[start:min(len(head), start+80)])))})
		return
	}
	cr := csv.NewReader(bytes.NewReader(head[start:end]))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		s.send(&job{in: st, refuse: st.notSignIn("not JSON, and not CSV with a header (" + err.Error() + ")")})
		return
	}
	line += countLines(head[start:end])
	h := newCSVHeader(header)
	switch {
	case h == nil && len(header) < 2:
		s.send(&job{in: st, refuse: st.notSignIn(fmt.Sprintf("neither JSON nor CSV (its first line is %s)", quoteTrunc([]byte(strings.Join(header, ",")))))})
		return
	case h == nil:
		s.send(&job{in: st, refuse: st.notSignIn(fmt.Sprintf("a CSV file whose header is neither the Entra portal's sign-in download nor a Log Analytics sign-in table (%s)", headerSample(header)))})
		return
	case st.want != signin.FormatUnknown && h.format != st.want:
		s.send(&job{in: st, refuse: st.notSignIn(fmt.Sprintf("its header is that of %s", csvFormatName(h.format)))})
		return
	}
	st.csv, st.format, st.signIns = h, h.format, true
	if h.format == signin.FormatPortalCSV {
		pt := resolvePortalType(st.name, h.columns, s.opts.Type, s.opts.AssumeInteractive)
		if pt.refuse != "" {
			r := refuse(st.name, pt.refuse)
			r.err = ErrTypeUnknown
			s.send(&job{in: st, refuse: r})
			return
		}
		if pt.warn != "" {
			s.send(&job{in: st, kind: jobNote, warnings: []*Warning{{Input: st.name, Message: pt.warn}}})
		}
		st.hint, st.hasHint, st.forceHint = pt.typ, true, true // the type decided here holds for every row
	}
	br.Discard(end)
	s.csvRows(st, br, line)
}

// csvRows splits the rows of a CSV file, from line on, into jobs of
// whole rows, as lines does lines: a job ends at a row's end, and a row
// longer than MaxRecordBytes is rejected and skipped to its end.
func (s *splitter) csvRows(st *inputState, br *bufio.Reader, line int) {
	var ends csvEnds
	c := newChunks(br, s.opts.MaxRecordBytes)
	for s.ctx.Err() == nil {
		looked := len(c.buf) // ends has looked at it: it goes on with what is new
		err := c.more()
		buf := c.buf
		cut := looked + ends.last(buf[looked:])
		if cut < looked {
			cut = 0
		}
		data, rest := buf[:cut], buf[cut:]
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			if len(data) > 0 && !s.send(&job{in: st, kind: jobRows, data: data, line: line}) {
				return
			}
			line += countLines(data)
			s.send(&job{in: st, kind: jobRows, line: line, tail: []*Reject{readFailure(st.name, err, line, 1, rest)}})
			return
		}
		if err != nil { // the end: the last row may have no line end
			if len(buf) > 0 {
				s.send(&job{in: st, kind: jobRows, data: buf, line: line})
			}
			return
		}
		if len(data) > 0 {
			if !s.send(&job{in: st, kind: jobRows, data: data, line: line}) {
				return
			}
			line += countLines(data)
			c.sent(len(data))
		}
		if len(rest) <= c.limit {
			continue
		}
		why := rowTooLarge(c.limit, ends.state == csvQuoted)
		j := &job{in: st, kind: jobRows, line: line, tail: []*Reject{{Input: st.name, Line: line, Col: 1, Raw: clip(rest), Reason: why}}}
		if !s.send(j) {
			return
		}
		skipped, err := skipRecord(br, &ends)
		line += countLines(rest) + skipped
		if err != nil {
			if err != io.EOF {
				s.send(&job{in: st, kind: jobRows, line: line, tail: []*Reject{readFailure(st.name, err, line, 0, nil)}})
			}
			return
		}
		c.buf = nil
	}
}

// rowTooLarge is the reason a row larger than limit is rejected for;
// quoted says it is in a quoted field where it passes the limit.
func rowTooLarge(limit int, quoted bool) string {
	why := fmt.Sprintf("a row larger than %d bytes", limit)
	if quoted {
		why += " (in a quoted field that goes on: a quote that does not close?)"
	}
	return why
}

// skipRecord discards the rest of the CSV record ends is in, and returns
// the line ends it held; io.EOF when the input ends first.
func skipRecord(br *bufio.Reader, ends *csvEnds) (int, error) {
	lines := 0
	for {
		b, err := br.Peek(bufSize)
		if len(b) == 0 {
			return lines, err
		}
		if n := ends.next(b); n >= 0 {
			br.Discard(n)
			return lines + countLines(b[:n]), nil
		}
		lines += countLines(b)
		br.Discard(len(b))
	}
}

// csvFormatName says what a CSV format is, for messages.
func csvFormatName(f signin.Format) string {
	if f == signin.FormatPortalCSV {
		return "the Entra portal's sign-in download (portal-csv)"
	}
	return "a Log Analytics sign-in table (la-csv)"
}

func headerSample(names []string) string {
	if len(names) > 5 {
		return "columns " + strings.Join(names[:5], ", ") + ", …"
	}
	return "columns " + strings.Join(names, ", ")
}

// rows decodes a job of CSV rows: whole rows, as csvEnds cut them,
// parsed with encoding/csv.
func (w *worker) rows() {
	j := w.j
	cr := csv.NewReader(bytes.NewReader(j.data))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	prev := int64(0)
	for {
		fields, err := cr.Read()
		off := cr.InputOffset()
		raw := j.data[prev:off]
		prev = off
		if err == io.EOF {
			return
		}
		pe := (*csv.ParseError)(nil)
		errors.As(err, &pe)
		if len(raw) > w.maxBytes { // whole in the bytes read, but too large
			line, _ := cr.FieldPos(0)
			if pe != nil {
				line = pe.StartLine
			}
			w.reject(j.line-1+line, 1, rowTooLarge(w.maxBytes, pe != nil && pe.Err == csv.ErrQuote), raw)
			w.flush()
			continue
		}
		if pe != nil {
			w.row(&csvRow{line: j.line - 1 + pe.Line, raw: raw, err: pe.Err, errCol: pe.Column})
		} else if err != nil { // not from a bytes.Reader
			w.reject(j.line, 0, "invalid CSV: "+err.Error(), raw)
			return
		} else {
			line, _ := cr.FieldPos(0)
			w.row(&csvRow{fields: fields, line: j.line - 1 + line, raw: raw})
		}
		w.flush()
	}
}

// row decodes one CSV row into a record.
func (w *worker) row(r *csvRow) {
	in := w.j.in
	h := in.csv
	raw := bytes.TrimRight(r.raw, "\r\n")
	if r.err != nil {
		w.reject(r.line, r.errCol, "invalid CSV: "+r.err.Error(), raw)
		return
	}
	if len(r.fields) != len(h.names) {
		if len(r.fields) == 1 && strings.TrimSpace(r.fields[0]) == "" {
			return // a blank line
		}
		w.reject(r.line, 0, fmt.Sprintf("a row of %d fields where the header has %d", len(r.fields), len(h.names)), raw)
		return
	}
	b := &w.j.batch
	b.Records = append(b.Records, signin.Record{})
	rec := &b.Records[len(b.Records)-1]
	d := w.d
	d.begin(rec)
	d.env.hint, d.env.hasHint, d.env.forceHint = in.hint, in.hasHint, in.forceHint
	for i, f := range r.fields {
		if hd := h.handlers[i]; hd != nil && f != "" {
			d.col = i + 1
			d.cell = unsafe.Slice(unsafe.StringData(f), len(f)) // read only
			hd(d, h.names[i], d.cellV)
		}
	}
	d.col = 0
	out, why := d.finish()
	w.observe(out, why)
	if out == outOK {
		w.noteLost(r.line)
	}
	if out != outOK {
		b.Records = b.Records[:len(b.Records)-1]
		col := 0
		if d.errCol > 0 {
			col = fieldCol(raw, d.errCol-1)
		}
		w.reject(r.line, col, why, raw)
		return
	}
	rec.Format = h.format
	rec.Raw = csvJSON(h.names, r.fields)
}

// csvJSON is a CSV row as a JSON object of its cells, keyed by the
// header's names as written, in file order: the record's lossless raw
// form.
func csvJSON(names, fields []string) []byte {
	n := 2
	for i := range fields {
		n += len(names[i]) + len(fields[i]) + 6
	}
	out := make([]byte, 0, n)
	out = append(out, '{')
	for i, f := range fields {
		out = jsonw.Key(out, names[i])
		out = jsonw.String(out, f)
	}
	return append(out, '}')
}

// fieldCol returns the 1-based column of field i in a CSV row's text, or
// 0 when the row spans lines before it.
func fieldCol(raw []byte, i int) int {
	inQuote := false
	field := 0
	for pos, c := range raw {
		if field == i {
			return pos + 1
		}
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			field++
		case c == '\n':
			return 0
		}
	}
	return 0
}
