package repl

import (
	"context"
	"iter"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// Store is what a session asks of the store it works on: the store it
// holds itself (Local), or one that another signinq process holds,
// asked through that process (the command's implementation over the
// API's socket). Every method answers as the store itself would, errors
// included; a store another process holds may also fail because that
// process went away.
type Store interface {
	// Exec runs a statement, as query.Exec does.
	Exec(ctx context.Context, reg *plugins.Registry, text string, opts query.Options) (*Answer, error)
	// Lists are the named lists queries may use (query.ListsOf); List is
	// one, by name (query.ListOf).
	Lists(ctx context.Context) ([]*query.List, error)
	List(ctx context.Context, name string) (*query.List, error)
	// Saved are the saved queries, by name, those that cannot be read
	// among them with their Err.
	Saved(ctx context.Context, reg *plugins.Registry) ([]SavedQuery, error)
	// Values are a field's distinct values in the whole store, in the
	// store's order, as results print them (engine.Snapshot.Values), and
	// with counts the sign-ins having each; none for a field stored
	// without a dictionary.
	Values(ctx context.Context, field string, counts bool) ([]FieldValue, error)
	// Span is the times of the first and last sign-ins; ok is false for
	// an empty store.
	Span(ctx context.Context) (first, last time.Time, ok bool, err error)
	// Count is the number of sign-ins the store holds.
	Count(ctx context.Context) (int64, error)
	// Stats describes the store (engine.DB.Stats).
	Stats(ctx context.Context) (engine.Stats, error)
	// Ingest stores the sign-ins of files and directories (engine.DB.Ingest),
	// reporting as it goes; stopped by ctx, it commits what it read and
	// returns engine.ErrInterrupted with what it did.
	Ingest(ctx context.Context, paths []string, report IngestReport) (engine.IngestStats, error)
	// Clock is the store's clock (engine.Options.Clock); nil for none.
	Clock() func() time.Time
	// Holder says who holds the store when it is not this process ("the
	// signinq process 1234"), for the greeting and \stats; "" when the
	// session holds it.
	Holder() string
}

// Answer is what a statement answered (Store.Exec). A define or undefine
// has Saved and nothing else; an explain, Plan (read once Rows are);
// any other, Columns and Rows.
type Answer struct {
	// Saved says what define or undefine did ("saved: define …").
	Saved string
	// Explain marks an explain: Plan says what the statement would do,
	// or, with explain analyze, once Rows are read, what it did.
	Explain bool
	Plan    func() string
	Columns []result.Column
	// Gathered marks rows to be gathered before they are written: groups
	// or a stage's rows, which \chart and the terminal's charts draw;
	// sign-ins flow to the writer as they come, never gathered.
	Gathered bool
	// Rows yields the rows, then the error that ended them, if any; it
	// may be ranged over once.
	Rows iter.Seq2[[]result.Value, error]
	// Notes are the answer's notes, once its rows are read.
	Notes func() []result.Note
	// Close ends the answer (a query still running is cancelled).
	Close func() error
}

// SavedQuery is a saved query as \saved lists it.
type SavedQuery struct {
	Name   string
	Text   string // define NAME… = BODY, as it was saved
	Stages bool   // it stands for stages (| …), not a query's head
	Err    error  // why it cannot be read; nil when it can
}

// FieldValue is one of a field's values in the store, as results print
// it, and the sign-ins having it (when counted).
type FieldValue struct {
	Text    string
	Signins uint64
}

// IngestReport receives an ingest's progress, its rejects and warnings
// (as the command prints them), each possibly nil.
type IngestReport struct {
	Progress func(engine.IngestStats)
	Reject   func(text string)
	Warning  func(text string)
}

// Local is the Store a session holds itself: db.
func Local(db *engine.DB) Store { return localStore{db} }

type localStore struct{ db *engine.DB }

func (l localStore) Exec(ctx context.Context, reg *plugins.Registry, text string, opts query.Options) (*Answer, error) {
	out, err := query.Exec(ctx, l.db, reg, text, opts)
	if err != nil {
		return nil, err
	}
	if out.Saved != nil {
		return &Answer{Saved: out.Saved.String(), Close: func() error { return nil }}, nil
	}
	rows := out.Rows
	return &Answer{
		Explain:  out.Plan.Statement.Explain,
		Plan:     func() string { return rows.Plan },
		Columns:  rows.Columns,
		Gathered: out.Plan.Kind != ast.List || len(out.Plan.Stages()) > 0,
		Rows:     rows.All(),
		Notes:    func() []result.Note { return rows.Notes },
		Close:    func() error { rows.Close(); return nil },
	}, nil
}

func (l localStore) Lists(context.Context) ([]*query.List, error) { return query.ListsOf(l.db) }

func (l localStore) List(_ context.Context, name string) (*query.List, error) {
	return query.ListOf(l.db, name)
}

func (l localStore) Saved(_ context.Context, reg *plugins.Registry) ([]SavedQuery, error) {
	ms, err := query.MacrosOf(l.db, reg)
	if err != nil {
		return nil, err
	}
	return SavedOf(ms), nil
}

// SavedOf lists saved queries as Store.Saved does: those read, then
// those that cannot be, each by name.
func SavedOf(ms *query.Macros) []SavedQuery {
	var out []SavedQuery
	for _, m := range ms.All() {
		out = append(out, SavedQuery{Name: m.Name, Text: m.String(), Stages: m.Stages})
	}
	for _, u := range ms.Unread() {
		out = append(out, SavedQuery{Name: u.Name, Text: u.Text, Err: u.Err})
	}
	return out
}

func (l localStore) Values(_ context.Context, field string, counts bool) ([]FieldValue, error) {
	return ValuesOf(l.db, field, counts)
}

// ValuesOf is a field's values in a store, as Store.Values answers them.
func ValuesOf(db *engine.DB, field string, counts bool) ([]FieldValue, error) {
	col := engine.LookupColumn(field)
	if col == nil || !col.HasDict() {
		return nil, nil
	}
	var vcs []engine.ValueCount
	err := db.View(func(s *engine.Snapshot) error {
		var err error
		vcs, err = s.Values(col, counts)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]FieldValue, len(vcs))
	for i, vc := range vcs {
		out[i] = FieldValue{Text: vc.Value.String(), Signins: vc.Signins}
	}
	return out, nil
}

func (l localStore) Span(context.Context) (first, last time.Time, ok bool, err error) {
	err = l.db.View(func(snap *engine.Snapshot) error {
		first, last, ok = snap.Span()
		return nil
	})
	return first, last, ok, err
}

func (l localStore) Count(context.Context) (int64, error) { return l.db.Count() }

func (l localStore) Stats(context.Context) (engine.Stats, error) { return l.db.Stats() }

func (l localStore) Ingest(ctx context.Context, paths []string, r IngestReport) (engine.IngestStats, error) {
	opts := engine.IngestOptions{Progress: r.Progress}
	if r.Reject != nil {
		opts.OnReject = func(rj *logfile.Reject) { r.Reject(rj.Error()) }
	}
	if r.Warning != nil {
		opts.OnWarning = func(w *logfile.Warning) { r.Warning(w.Error()) }
	}
	return l.db.Ingest(ctx, paths, opts)
}

func (l localStore) Clock() func() time.Time { return l.db.Clock() }

func (l localStore) Holder() string { return "" }
