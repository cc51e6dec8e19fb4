package signinq

import (
	"context"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/result"
)

// Options configure Open: the store's options, and the plugins its
// queries use.
type Options struct {
	engine.Options
	// Plugins are the aggregates, functions, stages, readers and writers
	// queries use; nil means the built-in ones (standard.Registry).
	Plugins *plugins.Registry
}

// QueryOptions configure a query: its now, memory and time limits, and a
// list's default limit (see query.Options).
type QueryOptions = query.Options

// DB is a store that answers queries in signinq's language.
type DB struct {
	*engine.DB
	reg *plugins.Registry
}

// Open opens the store in dir, creating it when it does not exist (see
// engine.Open); opts may be nil.
func Open(dir string, opts *Options) (*DB, error) {
	if opts == nil {
		opts = &Options{}
	}
	db, err := engine.Open(dir, &opts.Options)
	if err != nil {
		return nil, err
	}
	reg := opts.Plugins
	if reg == nil {
		reg = standard.Registry()
	}
	return &DB{DB: db, reg: reg}, nil
}

// Plugins returns the registry the store's queries use.
func (db *DB) Plugins() *plugins.Registry { return db.reg }

// Query answers a statement of the language (docs/query-language.md),
// e.g. "count where status=failure since 24h group by app". Its errors
// carry the position in text of what they concern (*query.Error). The
// answer is gathered in memory: one whose rows would take more than
// opts.MaxMemory fails with result.ErrTooLarge; QueryRows reads any
// number of rows, one at a time. A define statement saves a query in the
// store and answers with no rows; its Plan says what was saved.
func (db *DB) Query(ctx context.Context, text string, opts QueryOptions) (*result.Result, error) {
	return query.Run(ctx, db.DB, db.reg, text, opts)
}

// QueryRows answers a query as Query does, but as a stream: the rows
// are read as the caller reads them, in memory that does not grow with
// their number, which suits a list of many sign-ins. ctx covers the
// reading of the rows too. The caller ranges over rows.All (or calls
// Close).
//
//	rows, err := db.QueryRows(ctx, "list * since 7d", signinq.QueryOptions{})
//	if err != nil { … }
//	for row, err := range rows.All() {
//		if err != nil { … }
//		… row[0] …
//	}
func (db *DB) QueryRows(ctx context.Context, text string, opts QueryOptions) (*result.Rows, error) {
	out, err := query.Exec(ctx, db.DB, db.reg, text, opts)
	if err != nil {
		return nil, err
	}
	if out.Saved != nil {
		rows := result.NewRows(nil, func(*result.Rows, func([]result.Value) bool) error { return nil }, nil)
		rows.Plan = out.Saved.String() + "\n"
		return rows, nil
	}
	return out.Rows, nil
}

// SetList sets the store's named list name to values, which queries
// test membership of (ip in @vps, user in @admins): text, whole numbers
// (error codes), or IP addresses and networks (CIDR), IPv4 and IPv6. It
// replaces a list of that name in one transaction (see query.SetList); a
// built-in list's name is refused (query.ErrBuiltinList).
func (db *DB) SetList(name string, values []string) error { return query.SetList(db.DB, name, values) }

// RemoveList removes the store's named list name (query.ErrUnknownList
// when it has none).
func (db *DB) RemoveList(name string) error { return query.RemoveList(db.DB, name) }

// Lists returns the named lists the store's queries may use: the
// built-ins and the store's own, by name.
func (db *DB) Lists() ([]*query.List, error) { return query.ListsOf(db.DB) }
