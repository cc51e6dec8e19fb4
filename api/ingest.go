package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// MaxReported is how many rejects and warnings an ingest's answer lists
// (it counts them all).
const MaxReported = 1000

// IngestRequest is how POST /v1/ingest reads its body, in its
// parameters.
type IngestRequest struct {
	// Name is the input's name in rejects and warnings, whose base name
	// tells the type of a portal download (InteractiveSignIns_….csv);
	// "" for "posted".
	Name string
	// Format names the format the body is in (signinq ingest --format);
	// "" tells it by content.
	Format string
	// Type is the sign-in type of a portal CSV download of user
	// sign-ins (signinq ingest --type).
	Type string
}

// IngestAnswer is POST /v1/ingest's answer: what the ingest read and
// stored, as signinq ingest reports it.
type IngestAnswer struct {
	// What was read (logfile.Summary's counts).
	Inputs    int   `json:"inputs"`
	Refused   int   `json:"refused"`
	Truncated int   `json:"truncated"`
	Bytes     int64 `json:"bytes"`
	Read      int64 `json:"read"`
	Accepted  int64 `json:"accepted"`
	Rejected  int64 `json:"rejected"`
	Warnings  int   `json:"warnings"`
	// What was stored: new sign-ins, and those skipped as stored already.
	Stored     int64 `json:"stored"`
	Duplicates int64 `json:"duplicates"`
	// The first MaxReported rejects and warnings, as the command prints
	// them ("input:line:col: reason").
	RejectTexts  []string `json:"rejectTexts,omitempty"`
	WarningTexts []string `json:"warningTexts,omitempty"`
	// Rows is the sign-ins the store holds after the ingest.
	Rows int64 `json:"rows"`
	// Interrupted says the client stopped the ingest (the request's
	// Signinq-Interrupt trailer): what it read is committed, and the
	// counts are of that.
	Interrupted bool `json:"interrupted,omitempty"`
}

// TrailerInterrupt is the trailer of a POST /v1/ingest request's body
// that stops the ingest where the body ends, as Ctrl-C stops signinq
// ingest: the holder commits the whole records it read, and answers
// what it stored with interrupted set, the cut record neither stored nor
// rejected. Its value is "stop"; the request declares it (Trailer:
// Signinq-Interrupt) and sends its body chunked.
const TrailerInterrupt = "Signinq-Interrupt"

// IngestEvent is a line of POST /v1/ingest?progress=true's answer, an
// NDJSON stream: progress after each batch stored, each reject and
// warning as the ingest meets it, then the answer or the error that
// ended the ingest, last.
type IngestEvent struct {
	Progress *IngestProgress `json:"progress,omitempty"`
	Reject   *Reject         `json:"reject,omitempty"`
	Warning  string          `json:"warning,omitempty"`
	Answer   *IngestAnswer   `json:"answer,omitempty"`
	Error    *Error          `json:"error,omitempty"`
}

// IngestProgress is how far an ingest is: the bytes and records read,
// and of their sign-ins those committed and the duplicates skipped.
type IngestProgress struct {
	Bytes      int64 `json:"bytes"`
	Read       int64 `json:"read"`
	Stored     int64 `json:"stored"`
	Duplicates int64 `json:"duplicates"`
}

// Reject is a rejected record, or a refused or truncated input, as
// signinq ingest --rejects writes it, with its text as the command
// prints it.
type Reject struct {
	Input     string `json:"input"`
	Line      int    `json:"line,omitempty"`
	Col       int    `json:"col,omitempty"`
	Reason    string `json:"reason"`
	Truncated bool   `json:"truncated,omitempty"`
	Refused   bool   `json:"refused,omitempty"`
	Raw       string `json:"raw,omitempty"` // the record as read (cut at 64 KiB); none for a refused input
	Text      string `json:"text"`          // input:line:col: reason
}

// RejectOf is a reader's reject as the API answers it.
func RejectOf(r *logfile.Reject) Reject {
	return Reject{Input: r.Input, Line: r.Line, Col: r.Col, Reason: r.Reason, Truncated: errors.Is(r, logfile.ErrTruncated),
		Refused: r.Refused, Raw: string(r.Raw), Text: r.Error()}
}

// Summary is the answer's counts of what was read.
func (a *IngestAnswer) Summary() logfile.Summary {
	return logfile.Summary{Inputs: a.Inputs, Refused: a.Refused, Truncated: a.Truncated, Bytes: a.Bytes,
		Read: a.Read, Accepted: a.Accepted, Rejected: a.Rejected, Warnings: a.Warnings}
}

// ingestParams are the parameters POST /v1/ingest takes.
var ingestParams = []string{"name", "format", "type", "progress"}

// ingest is POST /v1/ingest: it stores the sign-ins of the body, a
// sign-in log in any format signinq ingest reads (told by content, or
// by the format parameter), deduplicated as every ingest is, committing
// as it reads (a query sees whole commits). A request cancelled (the
// client went away) stops the ingest, which keeps what it committed.
func (h *Handler) ingest(w http.ResponseWriter, r *http.Request) {
	// The body's type must be one a web page cannot send to another
	// site without asking first (CORS), which this server never allows.
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" || mt == "text/plain" {
		writeError(w, requestError(http.StatusUnsupportedMediaType, "post the log with Content-Type: application/octet-stream (curl --data-binary @FILE -H 'Content-Type: application/octet-stream'), not %q", ct))
		return
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, requestError(http.StatusBadRequest, "the URL's parameters: %v", err))
		return
	}
	for name := range params {
		if !containsFold(ingestParams, name) {
			writeError(w, requestError(http.StatusBadRequest, "unknown parameter %q (the parameters are %s)", name, strings.Join(ingestParams, ", ")))
			return
		}
	}
	req := IngestRequest{Name: params.Get("name"), Format: params.Get("format"), Type: params.Get("type")}
	if req.Name == "" {
		req.Name = "posted"
	}
	ro := logfile.Options{Formats: plugins.ExtraFormats(h.reg)}
	if req.Format != "" {
		rd, err := plugins.LookupReader(h.reg, req.Format)
		if err != nil {
			writeError(w, requestError(http.StatusBadRequest, "format: %v", err))
			return
		}
		ro.Format = rd.Format().Name
	}
	if req.Type != "" {
		t, ok := signin.ParseType(req.Type)
		if !ok {
			writeError(w, requestError(http.StatusBadRequest, "type %q is not a sign-in type", req.Type))
			return
		}
		ro.Type = &t
	}
	progress := false
	if s := params.Get("progress"); s != "" {
		if progress, err = strconv.ParseBool(s); err != nil {
			writeError(w, requestError(http.StatusBadRequest, "progress %q is not true or false", s))
			return
		}
	}
	// The body's end stops the ingest when its trailer says so.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	body := &interruptible{r: r, cancel: cancel}
	var (
		a    IngestAnswer
		emit func(IngestEvent) // progress's lines
	)
	opts := engine.IngestOptions{
		Read: ro,
		OnReject: func(rj *logfile.Reject) {
			if emit != nil {
				rej := RejectOf(rj)
				emit(IngestEvent{Reject: &rej})
			} else if len(a.RejectTexts) < MaxReported {
				a.RejectTexts = append(a.RejectTexts, rj.Error())
			}
		},
		OnWarning: func(wn *logfile.Warning) {
			if emit != nil {
				emit(IngestEvent{Warning: wn.Error()})
			} else if len(a.WarningTexts) < MaxReported {
				a.WarningTexts = append(a.WarningTexts, wn.Error())
			}
		},
	}
	if progress {
		// Lines go out as the body comes in.
		http.NewResponseController(w).EnableFullDuplex()
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		enc := json.NewEncoder(w)
		emit = func(ev IngestEvent) {
			enc.Encode(ev) // a client gone is seen by the ingest's context
			http.NewResponseController(w).Flush()
		}
		opts.Progress = func(st engine.IngestStats) {
			emit(IngestEvent{Progress: &IngestProgress{Bytes: st.Bytes, Read: st.Read, Stored: st.Stored, Duplicates: st.Duplicates}})
		}
	}
	st, err := h.db.IngestInputs(ctx, []logfile.Input{logfile.ReaderInput(req.Name, body)}, opts)
	if err != nil && errors.Is(err, engine.ErrInterrupted) && body.stopped.Load() && r.Context().Err() == nil {
		a.Interrupted, err = true, nil
	}
	if err == nil {
		a.Rows, err = h.db.Count()
	}
	if err != nil {
		e := errorOf(err, "")
		if e.Kind == KindFailed {
			e.Message = fmt.Sprintf("%s (%d new sign-ins were stored before it)", e.Message, st.Stored)
		}
		if emit != nil {
			h.logFailure(r, e)
			emit(IngestEvent{Error: e})
			return
		}
		h.fail(w, r, e)
		return
	}
	s := st.Summary
	a.Inputs, a.Refused, a.Truncated, a.Bytes = s.Inputs, s.Refused, s.Truncated, s.Bytes
	a.Read, a.Accepted, a.Rejected, a.Warnings = s.Read, s.Accepted, s.Rejected, s.Warnings
	a.Stored, a.Duplicates = st.Stored, st.Duplicates
	if emit != nil {
		emit(IngestEvent{Answer: &a})
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// interruptible is an ingest request's body, which ends the ingest
// instead of the input when the request's Signinq-Interrupt trailer
// says stop: it cancels the ingest, which commits what it read, and
// answers its reader with the cancellation, not the end of the input
// (whose last record may be cut).
type interruptible struct {
	r       *http.Request
	cancel  context.CancelFunc
	stopped atomic.Bool
}

func (b *interruptible) Read(p []byte) (int, error) {
	n, err := b.r.Body.Read(p)
	if errors.Is(err, io.EOF) && strings.EqualFold(b.r.Trailer.Get(TrailerInterrupt), "stop") {
		b.stopped.Store(true)
		b.cancel()
		return n, context.Canceled
	}
	return n, err
}

// Ingest posts a sign-in log (its bytes as they are: gzipped too) to the
// holder, which stores its sign-ins. Cancelling ctx stops the ingest,
// which keeps what it committed.
func (c *Client) Ingest(ctx context.Context, body io.Reader, q IngestRequest) (IngestAnswer, error) {
	var a IngestAnswer
	params := url.Values{}
	for k, v := range map[string]string{"name": q.Name, "format": q.Format, "type": q.Type} {
		if v != "" {
			params.Set(k, v)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://signinq/v1/ingest?"+params.Encode(), body)
	if err != nil {
		return a, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return a, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	return a, nil
}

// IngestStream posts a sign-in log to the holder as Ingest does, and
// passes each event of the ingest to on as it comes (progress, rejects,
// warnings: POST /v1/ingest?progress=true). Closing stop ends the body
// there and has the holder stop the ingest, as Ctrl-C stops signinq
// ingest: it commits what it read, and the answer, Interrupted, counts
// that. Cancelling ctx instead abandons the request (the holder stops
// the ingest and keeps what it committed, unanswered).
func (c *Client) IngestStream(ctx context.Context, body io.Reader, q IngestRequest, stop <-chan struct{}, on func(IngestEvent)) (IngestAnswer, error) {
	params := url.Values{"progress": {"true"}}
	for k, v := range map[string]string{"name": q.Name, "format": q.Format, "type": q.Type} {
		if v != "" {
			params.Set(k, v)
		}
	}
	sb := &stoppable{r: body, stop: stop}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://signinq/v1/ingest?"+params.Encode(), sb)
	if err != nil {
		return IngestAnswer{}, err
	}
	req.ContentLength = -1 // chunked, for the trailer
	req.Trailer = http.Header{TrailerInterrupt: nil}
	sb.trailer = req.Trailer
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.do(req)
	if err != nil {
		return IngestAnswer{}, err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var ev IngestEvent
		if err := dec.Decode(&ev); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return IngestAnswer{}, ctxErr
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return IngestAnswer{}, fmt.Errorf("%w: the answer ended before the ingest did", ErrNoHolder)
			}
			return IngestAnswer{}, fmt.Errorf("%w: %v", ErrDecode, err)
		}
		switch {
		case ev.Answer != nil:
			return *ev.Answer, nil
		case ev.Error != nil:
			return IngestAnswer{}, ev.Error
		}
		if on != nil {
			on(ev)
		}
	}
}

// stoppable is a request's body that ends, its trailer saying stop, once
// stop is closed, even while a read of r waits (a pipe with nothing to
// read yet): that read is abandoned, and its bytes are not sent.
type stoppable struct {
	r       io.Reader
	stop    <-chan struct{}
	trailer http.Header
	ended   bool
	res     chan readResult // the read under way's; nil when none is
	left    readResult      // what a read got that p had no room for
}

type readResult struct {
	b   []byte
	err error
}

func (s *stoppable) Read(p []byte) (int, error) {
	if s.ended {
		return 0, io.EOF
	}
	if len(s.left.b) > 0 || s.left.err != nil {
		n := copy(p, s.left.b)
		s.left.b = s.left.b[n:]
		if len(s.left.b) > 0 {
			return n, nil
		}
		err := s.left.err
		s.left = readResult{}
		return n, err
	}
	if s.res == nil {
		s.res = make(chan readResult, 1)
		buf := make([]byte, len(p)) // the read's own: it may outlive this call
		go func(res chan<- readResult) {
			n, err := s.r.Read(buf)
			res <- readResult{buf[:n], err}
		}(s.res)
	}
	select {
	case <-s.stop:
		s.ended = true
		s.trailer.Set(TrailerInterrupt, "stop")
		return 0, io.EOF
	case r := <-s.res:
		s.res = nil
		n := copy(p, r.b)
		if n < len(r.b) {
			s.left = readResult{r.b[n:], r.err}
			return n, nil
		}
		return n, r.err
	}
}
