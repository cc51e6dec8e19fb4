package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

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
}

// Summary is the answer's counts of what was read.
func (a *IngestAnswer) Summary() logfile.Summary {
	return logfile.Summary{Inputs: a.Inputs, Refused: a.Refused, Truncated: a.Truncated, Bytes: a.Bytes,
		Read: a.Read, Accepted: a.Accepted, Rejected: a.Rejected, Warnings: a.Warnings}
}

// ingestParams are the parameters POST /v1/ingest takes.
var ingestParams = []string{"name", "format", "type"}

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
	var a IngestAnswer
	st, err := h.db.IngestInputs(r.Context(), []logfile.Input{logfile.ReaderInput(req.Name, r.Body)}, engine.IngestOptions{
		Read: ro,
		OnReject: func(rj *logfile.Reject) {
			if len(a.RejectTexts) < MaxReported {
				a.RejectTexts = append(a.RejectTexts, rj.Error())
			}
		},
		OnWarning: func(wn *logfile.Warning) {
			if len(a.WarningTexts) < MaxReported {
				a.WarningTexts = append(a.WarningTexts, wn.Error())
			}
		},
	})
	if err != nil {
		e := errorOf(err, "")
		if e.Kind == KindFailed {
			e.Message = fmt.Sprintf("%s (%d new sign-ins were stored before it)", e.Message, st.Stored)
		}
		h.fail(w, r, e)
		return
	}
	s := st.Summary
	a.Inputs, a.Refused, a.Truncated, a.Bytes = s.Inputs, s.Refused, s.Truncated, s.Bytes
	a.Read, a.Accepted, a.Rejected, a.Warnings = s.Read, s.Accepted, s.Rejected, s.Warnings
	a.Stored, a.Duplicates = st.Stored, st.Duplicates
	if a.Rows, err = h.db.Count(); err != nil {
		h.fail(w, r, errorOf(err, ""))
		return
	}
	writeJSON(w, http.StatusOK, a)
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
