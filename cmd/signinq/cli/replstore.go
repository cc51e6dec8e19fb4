package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/repl"
	"github.com/signinq/signinq/result"
)

// A shell on a store another signinq process holds asks that process
// for everything (remoteStore, a repl.Store over the API's client), and
// answers as it would on the store itself: the same rows through the
// same writers, the same errors with their carets. When the holder goes
// away (it was closed, or killed), the statement under way fails saying
// so, and the shell opens the store itself, or asks the store's next
// holder (heldStore): the next statement runs again as ever.

// remoteStore is a store another process holds, asked through c.
type remoteStore struct {
	c *api.Client
	// ingest forwards \ingest's inputs (forwardInputs).
	ingest func(ctx context.Context, paths []string, r repl.IngestReport) (engine.IngestStats, error)
}

func (r *remoteStore) Holder() string {
	if pid := r.c.PID(); pid > 0 {
		return fmt.Sprintf("the signinq process %d", pid)
	}
	return "another signinq process"
}

func (r *remoteStore) Clock() func() time.Time { return nil }

func (r *remoteStore) Exec(ctx context.Context, _ *plugins.Registry, text string, opts query.Options) (*repl.Answer, error) {
	req := api.QueryRequest{Query: text, ListLimit: opts.DefaultListLimit, MaxMemory: strconv.FormatInt(query.DefaultMaxMemory, 10)}
	if opts.MaxMemory > 0 {
		req.MaxMemory = strconv.FormatInt(opts.MaxMemory, 10)
	}
	switch {
	case opts.NowLatest:
		req.Now = "latest"
	case !opts.Now.IsZero():
		req.Now = opts.Now.UTC().Format(time.RFC3339Nano) // the session's now, not the holder's clock
	}
	if opts.Timeout > 0 {
		req.Timeout = opts.Timeout.String()
	}
	a, err := r.c.Query(ctx, req)
	if err != nil {
		return nil, localError(err)
	}
	out := &repl.Answer{Close: a.Close, Notes: a.Notes}
	switch {
	case a.Saved != nil:
		out.Saved = "saved: " + a.Saved.Macro
		if a.Saved.Removed {
			out.Saved = "removed: " + a.Saved.Macro
		}
	case a.Plan != nil:
		plan := *a.Plan
		out.Explain, out.Plan = true, func() string { return plan }
		out.Rows = func(func([]result.Value, error) bool) {}
	default:
		out.Columns, out.Gathered = a.Columns, !a.Signins
		out.Rows = func(yield func([]result.Value, error) bool) {
			for row, err := range a.Rows() {
				if !yield(row, localError(err)) || err != nil {
					return
				}
			}
		}
	}
	return out, nil
}

func (r *remoteStore) Lists(ctx context.Context) ([]*query.List, error) {
	ls, err := r.c.Lists(ctx, "")
	if err != nil {
		return nil, localError(err)
	}
	out := make([]*query.List, len(ls))
	for i, l := range ls {
		out[i] = l.Query()
	}
	return out, nil
}

func (r *remoteStore) List(ctx context.Context, name string) (*query.List, error) {
	ls, err := r.c.Lists(ctx, name)
	if err != nil {
		return nil, localError(err)
	}
	if len(ls) != 1 {
		return nil, fmt.Errorf("%w: %d lists answered for @%s", api.ErrDecode, len(ls), strings.TrimPrefix(name, "@"))
	}
	return ls[0].Query(), nil
}

func (r *remoteStore) Saved(ctx context.Context, _ *plugins.Registry) ([]repl.SavedQuery, error) {
	saved, err := r.c.Saved(ctx)
	if err != nil {
		return nil, localError(err)
	}
	out := make([]repl.SavedQuery, len(saved))
	for i, s := range saved {
		out[i] = repl.SavedQuery{Name: s.Name, Text: s.Text, Stages: s.Stages}
		if s.Error != "" {
			out[i].Err = errors.New(s.Error)
		}
	}
	return out, nil
}

func (r *remoteStore) Values(ctx context.Context, field string, counts bool) ([]repl.FieldValue, error) {
	vs, err := r.c.Values(ctx, field, counts, "", 0)
	if err != nil {
		return nil, localError(err)
	}
	out := make([]repl.FieldValue, len(vs))
	for i, v := range vs {
		out[i] = repl.FieldValue{Text: v.Value, Signins: v.Signins}
	}
	return out, nil
}

func (r *remoteStore) Span(ctx context.Context) (first, last time.Time, ok bool, err error) {
	sp, err := r.c.Span(ctx)
	if err != nil {
		return first, last, false, localError(err)
	}
	if sp.First == nil || sp.Last == nil {
		return first, last, false, nil
	}
	return *sp.First, *sp.Last, true, nil
}

func (r *remoteStore) Count(ctx context.Context) (int64, error) {
	sp, err := r.c.Span(ctx)
	return sp.Rows, localError(err)
}

func (r *remoteStore) Stats(ctx context.Context) (engine.Stats, error) {
	st, err := r.c.Stats(ctx)
	if err != nil {
		return engine.Stats{}, localError(err)
	}
	es, err := st.Engine()
	return es, localError(err)
}

func (r *remoteStore) Ingest(ctx context.Context, paths []string, rep repl.IngestReport) (engine.IngestStats, error) {
	return r.ingest(ctx, paths, rep)
}

// errHolderAway is a request the holder did not answer: it went away
// (closed, or killed) since the shell began asking it.
var errHolderAway = errors.New("the signinq process holding the store went away")

// remoteCause is an error the holder answered, with the message it
// gave and the error of its kind (query.ErrTooMuchMemory,
// query.ErrTimeout), for errors.Is.
type remoteCause struct {
	msg   string
	cause error
}

func (e *remoteCause) Error() string { return e.msg }
func (e *remoteCause) Unwrap() error { return e.cause }

// localError is the error the shell would have had running on the store
// itself for one the holder answered: a statement's as a *query.Error at
// its position (the shell prints its caret), a memory or time limit's
// wrapping query's, a cancelled request's context.Canceled; the holder's
// going away errHolderAway.
func localError(err error) error {
	if err == nil {
		return nil
	}
	var ae *api.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, api.ErrNoHolder):
		return fmt.Errorf("%w (%v)", errHolderAway, err)
	case !errors.As(err, &ae):
		return err
	}
	switch ae.Kind {
	case api.KindQuery:
		qe := &query.Error{Msg: ae.Message}
		if p := ae.Position; p != nil {
			qe.Pos = ast.Pos{Offset: p.Offset, Line: p.Line, Col: p.Column}
			qe.Msg = strings.TrimPrefix(ae.Message, fmt.Sprintf("%d:%d: ", p.Line, p.Column))
		}
		return qe
	case api.KindMemory:
		return &remoteCause{ae.Message, query.ErrTooMuchMemory}
	case api.KindTimeout:
		return &remoteCause{ae.Message, query.ErrTimeout}
	case api.KindCanceled:
		return &remoteCause{ae.Message, context.Canceled}
	}
	return ae
}

// heldStore is the store of a shell that began asking another process:
// it asks that process until it goes away, then takes the store over
// (takeOver: opens it, or dials its next holder), and asks the store it
// got from then on.
type heldStore struct {
	mu       sync.Mutex
	cur      repl.Store
	takeOver func() (repl.Store, error)
	warn     func(format string, args ...any)
}

func (h *heldStore) store() repl.Store {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur
}

// check passes err on; when it says the holder went away, it takes the
// store over first, and says so in the error: the statement is not run
// again (an \ingest may have stored part of its inputs), the next one
// runs on the store taken over.
func (h *heldStore) check(err error) error {
	if !errors.Is(err, errHolderAway) {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, remote := h.cur.(*remoteStore); !remote {
		return err // taken over already
	}
	next, terr := h.takeOver()
	if terr != nil {
		return fmt.Errorf("%w, and the store cannot be opened: %v", err, terr)
	}
	h.cur = next
	if who := next.Holder(); who != "" {
		return fmt.Errorf("%w; the store is now held by %s, which this session asks from now on: run the statement again", err, who)
	}
	return fmt.Errorf("%w; this session now holds the store itself: run the statement again", err)
}

func (h *heldStore) Holder() string          { return h.store().Holder() }
func (h *heldStore) Clock() func() time.Time { return h.store().Clock() }

func (h *heldStore) Exec(ctx context.Context, reg *plugins.Registry, text string, opts query.Options) (*repl.Answer, error) {
	a, err := h.store().Exec(ctx, reg, text, opts)
	if err != nil {
		return nil, h.check(err)
	}
	rows := a.Rows
	a.Rows = func(yield func([]result.Value, error) bool) {
		for row, err := range rows {
			if !yield(row, h.check(err)) {
				return
			}
		}
	}
	return a, nil
}

func (h *heldStore) Lists(ctx context.Context) ([]*query.List, error) {
	ls, err := h.store().Lists(ctx)
	return ls, h.check(err)
}

func (h *heldStore) List(ctx context.Context, name string) (*query.List, error) {
	l, err := h.store().List(ctx, name)
	return l, h.check(err)
}

func (h *heldStore) Saved(ctx context.Context, reg *plugins.Registry) ([]repl.SavedQuery, error) {
	s, err := h.store().Saved(ctx, reg)
	return s, h.check(err)
}

func (h *heldStore) Values(ctx context.Context, field string, counts bool) ([]repl.FieldValue, error) {
	vs, err := h.store().Values(ctx, field, counts)
	return vs, h.check(err)
}

func (h *heldStore) Span(ctx context.Context) (first, last time.Time, ok bool, err error) {
	first, last, ok, err = h.store().Span(ctx)
	return first, last, ok, h.check(err)
}

func (h *heldStore) Count(ctx context.Context) (int64, error) {
	n, err := h.store().Count(ctx)
	return n, h.check(err)
}

func (h *heldStore) Stats(ctx context.Context) (engine.Stats, error) {
	st, err := h.store().Stats(ctx)
	return st, h.check(err)
}

func (h *heldStore) Ingest(ctx context.Context, paths []string, r repl.IngestReport) (engine.IngestStats, error) {
	st, err := h.store().Ingest(ctx, paths, r)
	return st, h.check(err)
}
