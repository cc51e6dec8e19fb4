package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// QueryRequest is a query to run: the JSON body of POST /v1/query, or
// the parameters of GET /v1/query (q for Query, and the others by their
// JSON names).
type QueryRequest struct {
	// Query is the statement: a query, explain, explain analyze, define
	// or undefine (docs/query-language.md).
	Query string `json:"query"`
	// Now is what relative times count from: a date, an RFC 3339
	// timestamp, or "latest" (the store's newest sign-in); "" for the
	// server's clock.
	Now string `json:"now,omitempty"`
	// Timeout is the query's time limit ("30s", "5m"): "" for the
	// server's default; more than the server's maximum is held to it.
	Timeout string `json:"timeout,omitempty"`
	// MaxMemory is the memory the query's groups may take ("512MiB"):
	// "" for the server's maximum, which a larger one is held to.
	MaxMemory string `json:"maxMemory,omitempty"`
	// ListLimit is the number of sign-ins a list without a limit
	// returns, with a note when more match (the command's table shows
	// 100); 0 for all.
	ListLimit int `json:"listLimit,omitempty"`
	// Format is the answer's form: json (the default), ndjson or csv;
	// "" lets the Accept header choose.
	Format string `json:"format,omitempty"`
}

// The answer's forms, and their media types.
const (
	FormatJSON   = "json"   // application/json: one document, columns, rows and notes
	FormatNDJSON = "ndjson" // application/x-ndjson: a row per line, streamed
	FormatCSV    = "csv"    // text/csv: a header row, then a row per line, streamed
)

var mediaTypes = map[string]string{
	FormatJSON:   "application/json",
	FormatNDJSON: "application/x-ndjson",
	FormatCSV:    "text/csv; charset=utf-8",
}

// The headers and trailers of a streamed answer (ndjson, csv).
const (
	// HeaderColumns holds the answer's columns, as a JSON array of
	// Column, before the rows.
	HeaderColumns = "Signinq-Columns"
	// HeaderRows says what the rows are: RowsSignins, sign-ins (a list
	// without stages), which a client may write as they come; RowsGroups,
	// groups or a stage's rows, which a shell gathers to chart them.
	HeaderRows = "Signinq-Rows"
	// TrailerNotes holds the answer's notes, as a JSON array of Note,
	// after the rows.
	TrailerNotes = "Signinq-Notes"
	// TrailerError holds, as a JSON Error, the error that ended the
	// answer after its first rows; absent when all the rows came.
	TrailerError = "Signinq-Error"
)

// The values of HeaderRows.
const (
	RowsSignins = "signins"
	RowsGroups  = "groups"
)

// queryParams are the parameters GET /v1/query takes (q, or query).
var queryParams = []string{"q", "query", "now", "timeout", "maxMemory", "listLimit", "format"}

// decodeQuery reads a query request: GET's parameters, or POST's JSON
// body (whose format a format parameter may give too). The format is
// then the request's, else the one Accept prefers, else json. Every
// error is a request error.
func decodeQuery(r *http.Request) (QueryRequest, *Error) {
	var req QueryRequest
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return req, requestError(http.StatusBadRequest, "the URL's parameters: %v", err)
	}
	for name := range params {
		if !containsFold(queryParams, name) {
			return req, requestError(http.StatusBadRequest, "unknown parameter %q (the parameters are %s)", name, strings.Join(queryParams, ", "))
		}
	}
	get := func(name string) string {
		for n, vs := range params {
			if strings.EqualFold(n, name) && len(vs) > 0 {
				return vs[0]
			}
		}
		return ""
	}
	if r.Method == http.MethodPost {
		// Content-Type must say JSON: a web page cannot send that to
		// another site without asking first (CORS), which this server
		// never allows, so that a page the user visits cannot run
		// statements here (define, undefine) with a form.
		ct := r.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return req, requestError(http.StatusUnsupportedMediaType, "the body must be JSON, with Content-Type: application/json (curl --json), not %q", ct)
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return req, bodyError(err)
		}
		if _, err := dec.Token(); err != io.EOF {
			if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
				return req, bodyError(fmt.Errorf("more after the JSON object"))
			}
		}
		if f := get("format"); f != "" && req.Format == "" {
			req.Format = f
		}
	} else {
		req.Query = get("q")
		if req.Query == "" {
			req.Query = get("query")
		}
		req.Now, req.Timeout, req.MaxMemory, req.Format = get("now"), get("timeout"), get("maxMemory"), get("format")
		if s := get("listLimit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return req, requestError(http.StatusBadRequest, "listLimit %q is not a whole number", s)
			}
			req.ListLimit = n
		}
	}
	if strings.TrimSpace(req.Query) == "" {
		return req, requestError(http.StatusBadRequest, "no query: give one (POST {\"query\": \"count\"}, or GET ?q=count)")
	}
	req.Format = strings.ToLower(req.Format)
	if req.Format == "" {
		req.Format = acceptedFormat(r.Header.Values("Accept"))
	}
	if _, ok := mediaTypes[req.Format]; !ok {
		return req, requestError(http.StatusBadRequest, "unknown format %q (json, ndjson or csv)", req.Format)
	}
	if req.ListLimit < 0 {
		return req, requestError(http.StatusBadRequest, "listLimit %d is negative", req.ListLimit)
	}
	return req, nil
}

// bodyError is the error of a body that is not a query request, or
// is larger than the server takes (413).
func bodyError(err error) *Error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return requestError(http.StatusRequestEntityTooLarge, "the body is larger than the %d bytes the server takes", tooLarge.Limit)
	}
	return requestError(http.StatusBadRequest, "the body is not a query request ({\"query\": \"...\"}): %v", err)
}

func containsFold(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// acceptedFormat is the format the Accept header prefers, in its order
// (quality values aside): ndjson, csv or json; json when it names none.
func acceptedFormat(accept []string) string {
	for _, a := range accept {
		for part := range strings.SplitSeq(a, ",") {
			mt, _, _ := strings.Cut(part, ";")
			switch strings.ToLower(strings.TrimSpace(mt)) {
			case "application/x-ndjson", "application/jsonl", "application/jsonlines":
				return FormatNDJSON
			case "text/csv":
				return FormatCSV
			case "application/json":
				return FormatJSON
			}
		}
	}
	return FormatJSON
}

// options are the query options a request asks for, within the
// server's limits.
func (h *Handler) options(req QueryRequest) (query.Options, *Error) {
	opts := query.Options{Timeout: h.opts.Timeout, MaxMemory: h.opts.MaxMemory, DefaultListLimit: req.ListLimit}
	if req.Now != "" {
		if strings.EqualFold(req.Now, "latest") {
			opts.NowLatest = true
		} else {
			t, err := query.ParseTime(req.Now)
			if err != nil {
				return opts, requestError(http.StatusBadRequest, "now %q %v, or latest", req.Now, err)
			}
			opts.Now = t
		}
	}
	if opts.Now.IsZero() {
		opts.Now = h.opts.Now().UTC() // with latest too: an empty store counts from the clock
	}
	if req.Timeout != "" {
		d, err := time.ParseDuration(req.Timeout)
		if err != nil || d <= 0 {
			return opts, requestError(http.StatusBadRequest, "timeout %q is not a positive duration (30s, 5m)", req.Timeout)
		}
		opts.Timeout = min(d, h.opts.MaxTimeout)
	}
	if req.MaxMemory != "" {
		n, err := query.ParseMemory(req.MaxMemory)
		if err != nil {
			return opts, requestError(http.StatusBadRequest, "maxMemory: %v", err)
		}
		if n > 0 {
			opts.MaxMemory = min(n, h.opts.MaxMemory)
		}
	}
	return opts, nil
}

// Column is a column of an answer.
type Column struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // string, int, float, time, bool, list, duration
	// Field is the catalog field whose values the column holds; absent
	// for a computed column.
	Field string `json:"field,omitempty"`
	Key   bool   `json:"key,omitempty"` // a group key
	Bin   string `json:"bin,omitempty"` // a bin(D) key's bucket length, as Go writes a duration
}

// Note says what an answer's rows alone do not (result.Note).
type Note struct {
	Kind string `json:"kind"` // nodata, listlimit, or other
	Text string `json:"text"` // the note as the command prints it, without its hint
	// A nodata note's range (From through Now) and the store's first and
	// last sign-ins (absent when it holds none).
	From  *time.Time `json:"from,omitempty"`
	Now   *time.Time `json:"now,omitempty"`
	First *time.Time `json:"first,omitempty"`
	Last  *time.Time `json:"last,omitempty"`
	// A listlimit note's sign-ins shown, and how many match (-1: more,
	// how many not counted).
	Shown *int   `json:"shown,omitempty"`
	Total *int64 `json:"total,omitempty"`
}

// Saved is what a define or undefine did (the answer's "saved").
type Saved struct {
	Macro   string `json:"macro"`   // the saved query, as define writes it
	Removed bool   `json:"removed"` // undefine removed it
}

// queryAnswer is the buffered json form's body, and the one of an
// explain or a define in any form (Plan or Saved alone).
type queryAnswer struct {
	Columns []Column        `json:"columns,omitempty"`
	Rows    json.RawMessage `json:"rows,omitempty"`
	Notes   []Note          `json:"notes,omitempty"`
	Plan    *string         `json:"plan,omitempty"`
	Saved   *Saved          `json:"saved,omitempty"`
}

func columnsOf(cols []result.Column) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = Column{Name: c.Name, Kind: c.Kind.String(), Field: c.Field, Key: c.Key}
		if c.Bin != 0 {
			out[i].Bin = c.Bin.String()
		}
	}
	return out
}

func notesOf(notes []result.Note) []Note {
	out := []Note{}
	for _, n := range notes {
		note := Note{Kind: "other", Text: n.String()}
		switch n := n.(type) {
		case result.NoDataNote:
			note.Kind = "nodata"
			note.From, note.Now = timePtr(n.From), timePtr(n.Now)
			if !n.Last.IsZero() {
				note.First, note.Last = timePtr(n.First), timePtr(n.Last)
			}
		case result.ListLimitNote:
			note.Kind = "listlimit"
			note.Shown, note.Total = &n.Shown, &n.Total
		}
		out = append(out, note)
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}

// query is GET and POST /v1/query: it runs the statement on a snapshot,
// until it ends, fails, runs past its time limit or the request is
// cancelled (the client went away), and answers in the form asked.
func (h *Handler) query(w http.ResponseWriter, r *http.Request) {
	req, e := decodeQuery(r)
	if e != nil {
		writeError(w, e)
		return
	}
	opts, e := h.options(req)
	if e != nil {
		writeError(w, e)
		return
	}
	if r.Method != http.MethodPost {
		// A GET must not change the store: a link or an image's
		// address on a web page could.
		if st, err := query.Parse(req.Query); err == nil && (st.Define != nil || st.Undefine != nil) {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, requestError(http.StatusMethodNotAllowed, "define and undefine change the store: send them with POST"))
			return
		}
	}
	out, err := query.Exec(r.Context(), h.db, h.reg, req.Query, opts)
	if err != nil {
		h.fail(w, r, errorOf(err, req.Query))
		return
	}
	if s := out.Saved; s != nil {
		writeJSON(w, http.StatusOK, queryAnswer{Saved: &Saved{Macro: s.Macro.String(), Removed: s.Removed}})
		return
	}
	rows := out.Rows
	defer rows.Close()
	if out.Plan.Statement.Explain {
		// explain analyze runs the query: its rows are read, not shown.
		for _, err := range rows.All() {
			if err != nil {
				h.fail(w, r, errorOf(err, req.Query))
				return
			}
		}
		writeJSON(w, http.StatusOK, queryAnswer{Plan: &rows.Plan, Notes: notesOf(rows.Notes)})
		return
	}
	if out.Plan.Kind == ast.List && len(out.Plan.Stages()) == 0 {
		w.Header().Set(HeaderRows, RowsSignins)
	} else {
		w.Header().Set(HeaderRows, RowsGroups)
	}
	name := req.Format
	if name == FormatNDJSON {
		name = FormatJSON // the json writer's lines
	}
	p, ok := h.reg.Lookup(name)
	wr, isWriter := p.(plugins.Writer)
	if !ok || !isWriter {
		h.fail(w, r, &Error{Message: fmt.Sprintf("the server's plugins have no %s writer", name), Kind: KindInternal, status: http.StatusInternalServerError})
		return
	}
	if req.Format == FormatJSON {
		h.buffered(w, r, wr, rows, req.Query)
		return
	}
	h.stream(w, r, wr, rows, req)
}

// fail answers an error, logging the server's own failures.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, e *Error) {
	h.logFailure(r, e)
	writeError(w, e)
}

// logFailure logs an error that is the server's own failure.
func (h *Handler) logFailure(r *http.Request, e *Error) {
	if e.status >= 500 && e.Kind != KindTimeout && e.Kind != KindCanceled {
		h.opts.Logger.Error("query failed", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "kind", e.Kind, "error", e.Message)
	}
}

// errTooLarge ends the rows of a buffered answer past its limits.
type errTooLarge struct{ what string }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("the answer has more than %s, the most the json form holds: use the ndjson or csv form, which streams any number of rows, or a limit", e.what)
}

// buffered answers in the json form: the rows as the json writer writes
// them, gathered into one document with the columns and the notes, up to
// the server's MaxRows and MaxBytes.
func (h *Handler) buffered(w http.ResponseWriter, r *http.Request, wr plugins.Writer, rows *result.Rows, text string) {
	var buf bytes.Buffer
	n := 0
	bounded := func(yield func([]result.Value, error) bool) {
		for row, err := range rows.All() {
			if err == nil {
				n++
				switch {
				case n > h.opts.MaxRows:
					err = errTooLarge{fmt.Sprintf("%d rows", h.opts.MaxRows)}
				case int64(buf.Len()) > h.opts.MaxBytes:
					err = errTooLarge{fmt.Sprintf("%d bytes", h.opts.MaxBytes)}
				}
			}
			if !yield(row, err) || err != nil {
				return
			}
		}
	}
	if err := write(wr, &buf, rows.Columns, bounded); err != nil {
		if tl := (errTooLarge{}); errors.As(err, &tl) {
			h.fail(w, r, &Error{Message: tl.Error(), Kind: KindResult, status: http.StatusUnprocessableEntity})
			return
		}
		h.fail(w, r, errorOf(err, text))
		return
	}
	// The writer's lines, each an object on one line (JSON escapes line
	// breaks in strings), made an array.
	lines := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	rowsJSON := make([]byte, 0, len(lines)+2)
	rowsJSON = append(rowsJSON, '[')
	rowsJSON = append(rowsJSON, bytes.ReplaceAll(lines, []byte("\n"), []byte(","))...)
	rowsJSON = append(rowsJSON, ']')
	writeJSON(w, http.StatusOK, queryAnswer{Columns: columnsOf(rows.Columns), Rows: rowsJSON, Notes: notesOf(rows.Notes)})
}

// stream answers in the ndjson or csv form: the columns in a header,
// the rows as the writer writes them, flushed to the client as they
// come, and the notes and any error in trailers. An error before the
// first row is answered as any error, with its status; one after it,
// in the Signinq-Error trailer to a client that says it reads trailers
// (TE: trailers), else by cutting the connection.
func (h *Handler) stream(w http.ResponseWriter, r *http.Request, wr plugins.Writer, rows *result.Rows, req QueryRequest) {
	sw := &streamWriter{w: w, start: func() {
		hd := w.Header()
		hd.Set("Content-Type", mediaTypes[req.Format])
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set(HeaderColumns, headerJSON(columnsOf(rows.Columns)))
		hd.Set("Trailer", TrailerNotes+", "+TrailerError)
		w.WriteHeader(http.StatusOK)
	}}
	// The first row (or the end, or an error) comes before the writer
	// writes anything, its header either: an error that comes first
	// (a limit, a stage's failure) is then answered with its status.
	next, stop := iter.Pull2(rows.All())
	defer stop()
	first, err, more := next()
	if err != nil {
		h.fail(w, r, errorOf(err, req.Query))
		return
	}
	peeked := func(yield func([]result.Value, error) bool) {
		if !more || !yield(first, nil) {
			return
		}
		for {
			row, err, ok := next()
			if !ok || !yield(row, err) || err != nil {
				return
			}
		}
	}
	err = write(wr, sw, rows.Columns, peeked)
	if err != nil && !sw.started {
		h.fail(w, r, errorOf(err, req.Query))
		return
	}
	if !sw.started {
		sw.begin()
	}
	if err != nil {
		e := errorOf(err, req.Query)
		if e.status >= 500 && e.Kind != KindTimeout && e.Kind != KindCanceled {
			h.opts.Logger.Error("query failed", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "kind", e.Kind, "error", e.Message)
		}
		w.Header().Set(TrailerError, headerJSON(e))
		if !readsTrailers(r) {
			// A client that does not say it reads trailers would see
			// the rows before the error as the whole answer: the
			// connection is cut instead, so that it sees a transfer
			// that failed (curl: exit 18; Python's requests:
			// ChunkedEncodingError), never a shorter answer.
			panic(http.ErrAbortHandler)
		}
	}
	w.Header().Set(TrailerNotes, headerJSON(notesOf(rows.Notes)))
}

// readsTrailers reports whether a request says its client reads
// trailers (TE: trailers), where a streamed answer's late error comes.
func readsTrailers(r *http.Request) bool {
	for _, v := range r.Header.Values("TE") {
		for _, t := range strings.Split(v, ",") {
			if name, _, _ := strings.Cut(strings.TrimSpace(t), ";"); strings.EqualFold(name, "trailers") {
				return true
			}
		}
	}
	return false
}

// streamWriter writes a streamed answer: it begins the response at its
// first bytes, and flushes each write to the client.
type streamWriter struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (s *streamWriter) begin() {
	s.started = true
	s.start()
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if !s.started {
		s.begin()
	}
	n, err := s.w.Write(p)
	if err == nil {
		err = http.NewResponseController(s.w).Flush()
	}
	return n, err
}

// write writes rows with a writer plugin; a panic in it is an error, as
// any plugin's is.
func write(wr plugins.Writer, w io.Writer, cols []result.Column, rows iter.Seq2[[]result.Value, error]) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %w: %v", wr.Describe().Name, query.ErrPluginPanic, r)
		}
	}()
	return wr.Write(w, cols, rows, plugins.WriteOptions{})
}
