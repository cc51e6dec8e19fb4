package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/query"
)

// What a store holds besides its sign-ins, and the extent of those: the
// named lists, the saved queries, a field's values, the span of the
// sign-ins. A shell asking another process's store completes and lists
// from these (GET /v1/lists, /v1/saved, /v1/values, /v1/span).

// List is a named list queries test membership of (GET /v1/lists;
// query.List).
type List struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"` // text, numbers or addresses
	Values  []string `json:"values"`
	Builtin bool     `json:"builtin,omitempty"`
	Doc     string   `json:"doc,omitempty"`     // a built-in's: what its values are
	Sources []string `json:"sources,omitempty"` // a built-in's: where its values come from
}

// Query reads the list back as the query package's.
func (l List) Query() *query.List {
	return &query.List{Name: l.Name, Values: l.Values, Builtin: l.Builtin, Doc: l.Doc, Sources: l.Sources}
}

func listOf(l *query.List) List {
	return List{Name: l.Name, Kind: l.Kind().String(), Values: l.Values, Builtin: l.Builtin, Doc: l.Doc, Sources: l.Sources}
}

// SavedQuery is a saved query (GET /v1/saved; query.Macro).
type SavedQuery struct {
	Name string `json:"name"`
	// Text is the definition, as define wrote it (define NAME… = BODY).
	Text string `json:"text"`
	// Stages marks one standing for stages (| …), not a query's head.
	Stages bool `json:"stages,omitempty"`
	// Error says why it cannot be read (Text is then as it is saved).
	Error string `json:"error,omitempty"`
}

// FieldValue is one of a field's values in the store (GET /v1/values),
// as results print it, and with counts the sign-ins having it.
type FieldValue struct {
	Value   string `json:"value"`
	Signins uint64 `json:"signins,omitempty"`
}

// Span is GET /v1/span: the sign-ins the store holds, and the times of
// the first and last (absent when it holds none).
type Span struct {
	Rows  int64      `json:"rows"`
	First *time.Time `json:"first,omitempty"`
	Last  *time.Time `json:"last,omitempty"`
}

// params reads a GET request's parameters, which must be among names.
func params(r *http.Request, names ...string) (url.Values, *Error) {
	ps, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, requestError(http.StatusBadRequest, "the URL's parameters: %v", err)
	}
	for name := range ps {
		if !containsFold(names, name) {
			if len(names) == 0 {
				return nil, requestError(http.StatusBadRequest, "unknown parameter %q (%s takes none)", name, r.URL.Path)
			}
			return nil, requestError(http.StatusBadRequest, "unknown parameter %q (the parameters are %s)", name, strings.Join(names, ", "))
		}
	}
	return ps, nil
}

// lists is GET /v1/lists: the lists queries may use, built in and the
// store's, by name; with name, that one alone (404 when there is none).
func (h *Handler) lists(w http.ResponseWriter, r *http.Request) {
	ps, e := params(r, "name")
	if e != nil {
		writeError(w, e)
		return
	}
	if ps.Has("name") {
		l, err := query.ListOf(h.db, ps.Get("name"))
		if errors.Is(err, query.ErrUnknownList) {
			writeError(w, requestError(http.StatusNotFound, "%v", err))
			return
		}
		if err != nil {
			h.fail(w, r, errorOf(err, ""))
			return
		}
		writeJSON(w, http.StatusOK, []List{listOf(l)})
		return
	}
	ls, err := query.ListsOf(h.db)
	if err != nil {
		h.fail(w, r, errorOf(err, ""))
		return
	}
	out := []List{}
	for _, l := range ls {
		out = append(out, listOf(l))
	}
	writeJSON(w, http.StatusOK, out)
}

// saved is GET /v1/saved: the saved queries, by name, then those that
// cannot be read, with why.
func (h *Handler) saved(w http.ResponseWriter, r *http.Request) {
	if _, e := params(r); e != nil {
		writeError(w, e)
		return
	}
	ms, err := query.MacrosOf(h.db, h.reg)
	if err != nil {
		h.fail(w, r, errorOf(err, ""))
		return
	}
	out := []SavedQuery{}
	for _, m := range ms.All() {
		out = append(out, SavedQuery{Name: m.Name, Text: m.String(), Stages: m.Stages})
	}
	for _, u := range ms.Unread() {
		out = append(out, SavedQuery{Name: u.Name, Text: u.Text, Error: u.Err.Error()})
	}
	writeJSON(w, http.StatusOK, out)
}

// values is GET /v1/values?field=F: the field's distinct values in the
// whole store, in the store's order (text bytewise, numbers ascending,
// false before true), as results print them; with counts=true the
// sign-ins having each; with prefix=P those beginning with P; with
// limit=N the first N. A field stored without a dictionary (times,
// measures, identifiers) has none listed.
func (h *Handler) values(w http.ResponseWriter, r *http.Request) {
	ps, e := params(r, "field", "counts", "prefix", "limit")
	if e != nil {
		writeError(w, e)
		return
	}
	name := ps.Get("field")
	col := engine.LookupColumn(name)
	if col == nil || col.Field == nil {
		writeError(w, requestError(http.StatusBadRequest, "field %q is not a field of the catalog (GET /v1/fields lists them)", name))
		return
	}
	counts, limit := false, 0
	if s := ps.Get("counts"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			writeError(w, requestError(http.StatusBadRequest, "counts %q is not true or false", s))
			return
		}
		counts = b
	}
	if s := ps.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			writeError(w, requestError(http.StatusBadRequest, "limit %q is not a whole number", s))
			return
		}
		limit = n
	}
	prefix := ps.Get("prefix")
	out := []FieldValue{}
	if col.HasDict() {
		var vcs []engine.ValueCount
		err := h.db.View(func(s *engine.Snapshot) error {
			var err error
			vcs, err = s.Values(col, counts)
			return err
		})
		if err != nil {
			h.fail(w, r, errorOf(err, ""))
			return
		}
		for _, vc := range vcs {
			if limit > 0 && len(out) == limit {
				break
			}
			if text := vc.Value.String(); strings.HasPrefix(text, prefix) {
				out = append(out, FieldValue{Value: text, Signins: vc.Signins})
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// span is GET /v1/span: how many sign-ins the store holds, and the
// times of its first and last, from one snapshot.
func (h *Handler) span(w http.ResponseWriter, r *http.Request) {
	if _, e := params(r); e != nil {
		writeError(w, e)
		return
	}
	var sp Span
	err := h.db.View(func(s *engine.Snapshot) error {
		sp.Rows = s.Count()
		if first, last, ok := s.Span(); ok {
			sp.First, sp.Last = &first, &last
		}
		return nil
	})
	if err != nil {
		h.fail(w, r, errorOf(err, ""))
		return
	}
	writeJSON(w, http.StatusOK, sp)
}

// get asks GET path?params of the holder, and decodes its JSON answer
// into v.
func (c *Client) get(ctx context.Context, path string, params url.Values, v any) error {
	u := "http://signinq" + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrDecode, path, err)
	}
	return nil
}

// Lists are the holder's named lists (GET /v1/lists); with a name, that
// one alone (an *Error of status 404 when there is none).
func (c *Client) Lists(ctx context.Context, name string) ([]List, error) {
	var out []List
	var ps url.Values
	if name != "" {
		ps = url.Values{"name": {name}}
	}
	return out, c.get(ctx, "/v1/lists", ps, &out)
}

// Saved are the holder's saved queries (GET /v1/saved).
func (c *Client) Saved(ctx context.Context) ([]SavedQuery, error) {
	var out []SavedQuery
	return out, c.get(ctx, "/v1/saved", nil, &out)
}

// Values are a field's values in the holder's store (GET /v1/values):
// with counts the sign-ins having each, those beginning with prefix, at
// most limit of them (0: all).
func (c *Client) Values(ctx context.Context, field string, counts bool, prefix string, limit int) ([]FieldValue, error) {
	ps := url.Values{"field": {field}}
	if counts {
		ps.Set("counts", "true")
	}
	if prefix != "" {
		ps.Set("prefix", prefix)
	}
	if limit > 0 {
		ps.Set("limit", strconv.Itoa(limit))
	}
	var out []FieldValue
	return out, c.get(ctx, "/v1/values", ps, &out)
}

// Span is the holder's store's extent (GET /v1/span).
func (c *Client) Span(ctx context.Context) (Span, error) {
	var sp Span
	return sp, c.get(ctx, "/v1/span", nil, &sp)
}
