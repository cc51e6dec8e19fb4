package clickhouse

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

// ErrNoTime is the export's error for a sign-in without a time, which
// the table cannot hold (time is its sort key).
var ErrNoTime = errors.New("a sign-in without a time cannot be exported")

// Options configure an export.
type Options struct {
	Database string // the database; "default" when ""
	// Cluster names a cluster of the server's remote_servers: the table
	// is then created on each of its shards, and a Distributed table over
	// them receives the sign-ins.
	Cluster string
	// Auth is the user and password for the cluster's shards, which the
	// export connects to to create their tables.
	Auth clickhouse.Auth
	// TLS, when set, is the TLS configuration of those connections (its
	// ServerName set to each shard's host): a client that reached the
	// server over TLS reaches the shards over TLS too, at the ports
	// system.clusters lists, so the cluster must list its shards' secure
	// ports (remote_servers' <secure>1</secure>); a password is never
	// sent in clear to a shard when the user asked for TLS.
	TLS *tls.Config
	// BatchSize is how many sign-ins an insert carries; 20,000 when 0.
	BatchSize int
	// Progress, when set, is called after each batch with the sign-ins
	// read and added so far.
	Progress func(read, added int64)
}

// Stats says what an export did.
type Stats struct {
	Read  int64 // sign-ins read from the source
	Added int64 // of them, those the table did not hold, now added
}

// StoreRecords returns the sign-ins of a store, read from one snapshot.
func StoreRecords(ctx context.Context, db *engine.DB) iter.Seq2[*signin.Record, error] {
	return func(yield func(*signin.Record, error) bool) {
		stop := errors.New("stopped")
		err := db.View(func(s *engine.Snapshot) error {
			for _, p := range s.Parts() {
				for b := range p.Blocks {
					if err := ctx.Err(); err != nil {
						return err
					}
					err := s.Records(p, b, func(_ uint32, r *signin.Record) error {
						if !yield(r, nil) {
							return stop
						}
						return nil
					})
					if err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil && !errors.Is(err, stop) {
			yield(nil, err)
		}
	}
}

// CreateSchema creates the database and the table (Schema) if they do
// not exist; with opts.Cluster, on each of the cluster's shards as the
// server conn is connected to lists them in system.clusters.
func CreateSchema(ctx context.Context, conn driver.Conn, opts Options) error {
	dbName := database(opts)
	local, distributed := Schema(dbName, opts.Cluster)
	if opts.Cluster == "" {
		return exec(ctx, conn, local)
	}
	rows, err := conn.Query(ctx, "SELECT host_address, port, host_name FROM system.clusters WHERE cluster = "+quote(opts.Cluster))
	if err != nil {
		return fmt.Errorf("clickhouse: reading cluster %s: %w", opts.Cluster, err)
	}
	type shardAddr struct{ addr, name string }
	var addrs []shardAddr
	for rows.Next() {
		var host, name string
		var port uint16
		if err := rows.Scan(&host, &port, &name); err != nil {
			rows.Close()
			return fmt.Errorf("clickhouse: reading cluster %s: %w", opts.Cluster, err)
		}
		addrs = append(addrs, shardAddr{net.JoinHostPort(host, strconv.Itoa(int(port))), name})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("clickhouse: reading cluster %s: %w", opts.Cluster, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("clickhouse: the server has no cluster %q in its remote_servers", opts.Cluster)
	}
	for _, a := range addrs {
		var tc *tls.Config
		if opts.TLS != nil {
			tc = opts.TLS.Clone()
			tc.ServerName = a.name
		}
		shard, err := clickhouse.Open(&clickhouse.Options{Addr: []string{a.addr}, Auth: opts.Auth, TLS: tc})
		if err != nil {
			return fmt.Errorf("clickhouse: shard %s: %w", a.addr, err)
		}
		err = exec(ctx, shard, local)
		shard.Close()
		if err != nil {
			return fmt.Errorf("clickhouse: shard %s: %w", a.addr, err)
		}
	}
	return exec(ctx, conn, distributed)
}

func exec(ctx context.Context, conn driver.Conn, stmts []string) error {
	for _, s := range stmts {
		if err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("clickhouse: %w", err)
		}
	}
	return nil
}

func database(opts Options) string {
	if opts.Database == "" {
		return "default"
	}
	return opts.Database
}

// Export adds the sign-ins of recs that the table does not hold yet, in
// batches over the native protocol, creating the table first if need
// be. A sign-in is identified by its request id and type, as the store
// identifies it: running an export again adds only what is not there.
// Each batch first asks which of its sign-ins the table holds (by id,
// within the batch's days), then inserts the others; with a cluster the
// inserts are synchronous (insert_distributed_sync), so that a later
// batch, or a later export, sees them.
func Export(ctx context.Context, conn driver.Conn, recs iter.Seq2[*signin.Record, error], opts Options) (Stats, error) {
	var st Stats
	if err := CreateSchema(ctx, conn, opts); err != nil {
		return st, err
	}
	size := opts.BatchSize
	if size <= 0 {
		size = 20000
	}
	target := ident(database(opts)) + "." + ident(Table)
	cols := columns()
	batch := make([]*signin.Record, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		added, err := insert(ctx, conn, target, cols, batch, opts.Cluster != "")
		st.Added += added
		batch = batch[:0]
		if opts.Progress != nil {
			opts.Progress(st.Read, st.Added)
		}
		return err
	}
	for r, err := range recs {
		if err != nil {
			return st, err
		}
		if r.Time.IsZero() {
			return st, fmt.Errorf("clickhouse: sign-in %s: %w", r.ID, ErrNoTime)
		}
		st.Read++
		c := *r
		c.Raw = append([]byte(nil), r.Raw...)
		batch = append(batch, &c)
		if len(batch) == size {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	return st, flush()
}

// recKey identifies a sign-in: its id and type.
type recKey struct {
	id  string
	typ signin.Type
}

// insert adds the records the table lacks, and returns how many.
func insert(ctx context.Context, conn driver.Conn, target string, cols []column, recs []*signin.Record, cluster bool) (int64, error) {
	days := map[string]bool{}
	ids := map[string]bool{}
	for _, r := range recs {
		days[r.Time.UTC().Format("20060102")] = true
		ids[r.ID] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s, toUInt8(%s) FROM %s WHERE toYYYYMMDD(%s) IN (", ident("id"), ident("type"), target, ident(colSecond))
	first := true
	for d := range days {
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(d)
	}
	b.WriteString(") AND " + ident("id") + " IN (")
	first = true
	for id := range ids {
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(quote(id))
	}
	b.WriteString(")")
	held := map[recKey]bool{}
	// The ids make a long statement: beyond the parser's default 256 KiB
	// and 50,000 elements.
	qctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{
		"max_query_size": 2*b.Len() + 1<<20, "max_ast_elements": 4*len(ids) + 1000, "max_expanded_ast_elements": 4*len(ids) + 1000}))
	rows, err := conn.Query(qctx, b.String())
	if err != nil {
		return 0, fmt.Errorf("clickhouse: finding the sign-ins held: %w", err)
	}
	for rows.Next() {
		var id string
		var t uint8
		if err := rows.Scan(&id, &t); err != nil {
			rows.Close()
			return 0, fmt.Errorf("clickhouse: finding the sign-ins held: %w", err)
		}
		held[recKey{id, signin.Type(t)}] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("clickhouse: finding the sign-ins held: %w", err)
	}
	if cluster {
		ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_distributed_sync": 1}))
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = ident(c.name)
	}
	bt, err := conn.PrepareBatch(ctx, "INSERT INTO "+target+" ("+strings.Join(names, ", ")+")")
	if err != nil {
		return 0, fmt.Errorf("clickhouse: insert: %w", err)
	}
	var added int64
	vals := make([]any, len(cols))
	for _, r := range recs {
		k := recKey{r.ID, r.Type}
		if held[k] {
			continue
		}
		held[k] = true // a sign-in given twice is added once
		for i, c := range cols {
			vals[i] = value(c, r)
		}
		if err := bt.Append(vals...); err != nil {
			bt.Abort()
			return 0, fmt.Errorf("clickhouse: insert: %w", err)
		}
		added++
	}
	if added == 0 {
		bt.Abort()
		return 0, nil
	}
	if err := bt.Send(); err != nil {
		return 0, fmt.Errorf("clickhouse: insert: %w", err)
	}
	return added, nil
}

// value is the value of column c for r, as the driver takes it.
func value(c column, r *signin.Record) any {
	switch c.name {
	case colSecond:
		return r.Time.UTC().Truncate(time.Second)
	case colIP16:
		if a, err := netip.ParseAddr(r.IP); err == nil {
			b := a.Unmap().As16()
			s := string(b[:])
			return &s
		}
		return (*string)(nil)
	case colRaw:
		return string(r.Raw)
	case colFormat:
		return uint8(r.Format)
	}
	f := c.field
	switch {
	case f.Name == "time":
		return r.Time.UnixNano()
	case f.Kind == signin.KindString:
		return f.Text(r)
	case f.Kind == signin.KindInt, f.Kind == signin.KindTime:
		if v, ok := f.Int(r); ok {
			return &v
		}
		return (*int64)(nil)
	case f.Kind == signin.KindFloat:
		if v, ok := f.Float(r); ok {
			return &v
		}
		return (*float64)(nil)
	case f.Kind == signin.KindBool:
		if v, ok := f.Int(r); ok {
			u := uint8(v)
			return &u
		}
		return (*uint8)(nil)
	case f.Kind == signin.KindList:
		l := f.List(r)
		if l == nil {
			l = []string{}
		}
		return l
	}
	return nil
}
