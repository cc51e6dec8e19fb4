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
// be. A sign-in is identified by its request id and type on its day, as
// the store identifies it (the engine keeps one sign-in of an id and a
// type per day): running an export again adds only what is not there.
// With a cluster the inserts are synchronous (insert_distributed_sync):
// when Export returns, every sign-in it added is on its shard and
// queryable, and a later batch, or a later export, sees them.
//
// Which sign-ins the table holds is asked of the server only where the
// answer may be yes (see held): a first export, or the export of days
// the table has nothing of, sends no check at all; the sign-ins of days
// the table held when the export began are checked on the server batch
// by batch, by id. The answer is exact either way, provided nothing else
// writes to the table during the export (the check and the insert are
// not one transaction, here as in any export by batches).
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
	h, err := newHeld(ctx, conn, target, rememberBudget)
	if err != nil {
		return st, err
	}
	cols := columns()
	batch := make([]*signin.Record, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		added, err := insert(ctx, conn, target, cols, batch, h, opts.Cluster != "")
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
		c.ID = strings.Clone(r.ID)
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

// recKey identifies a sign-in: its id, type and day.
type recKey struct {
	id  string
	typ signin.Type
	day uint32 // toYYYYMMDD
}

// rememberBudget bounds the keys an export remembers of the sign-ins it
// added (about 100 bytes each): beyond it, the days least recently added
// to are forgotten and checked on the server instead. A variable so that
// the tests can make it small.
var rememberBudget = 1 << 21

// held answers, for an export, which sign-ins the table holds already.
//
// Asking the server for every batch's ids (a statement listing them, run
// as a scan of the id column of the batch's days on every shard) is what
// made exports slow, and it is needless where the answer is known. The
// table can hold a sign-in of day D only if it held sign-ins of D when
// the export began, or if this export added it. So held reads once, at
// the start, the days the table holds anything of (a GROUP BY on the
// partition key's column); for the other days it remembers the keys of
// the sign-ins the export adds, and answers from them, exactly, without
// asking. Only the sign-ins of days held at the start are asked of the
// server. The memory is bounded (budget keys): beyond it, the days least
// recently added to are forgotten and join the days asked of the server,
// which sees what the export added since its inserts are synchronous. A
// store is read day by day, so a first export of any size forgets only
// days it has finished.
type held struct {
	server map[uint32]bool     // days whose sign-ins are asked of the server
	days   map[uint32]*dayKeys // the other days: the keys added to each
	total  int                 // keys in days
	budget int
	tick   uint64
}

type dayKeys struct {
	keys map[recKey]struct{}
	used uint64 // the tick of the last batch that added to it
}

// newHeld reads the days target holds any sign-in of.
func newHeld(ctx context.Context, conn driver.Conn, target string, budget int) (*held, error) {
	h := &held{server: map[uint32]bool{}, days: map[uint32]*dayKeys{}, budget: budget}
	rows, err := conn.Query(ctx, fmt.Sprintf("SELECT toYYYYMMDD(%[1]s) AS d FROM %[2]s GROUP BY d", ident(colSecond), target))
	if err != nil {
		return nil, fmt.Errorf("clickhouse: reading the days held: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d uint32
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("clickhouse: reading the days held: %w", err)
		}
		h.server[d] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: reading the days held: %w", err)
	}
	return h, nil
}

// dayOf is a sign-in's day as the partition key has it (toYYYYMMDD of
// the time's UTC second).
func dayOf(r *signin.Record) uint32 {
	y, m, d := r.Time.UTC().Date()
	return uint32(y*10000 + int(m)*100 + d)
}

// known says whether the export added the sign-in of key k, of a day
// not asked of the server.
func (h *held) known(k recKey) bool {
	s := h.days[k.day]
	if s == nil {
		return false
	}
	_, ok := s.keys[k]
	return ok
}

// added remembers the keys a batch added to days not asked of the
// server, then forgets the least recently added-to days beyond the
// budget, never those of this batch.
func (h *held) added(byDay map[uint32][]recKey) {
	h.tick++
	for d, keys := range byDay {
		s := h.days[d]
		if s == nil {
			s = &dayKeys{keys: map[recKey]struct{}{}}
			h.days[d] = s
		}
		s.used = h.tick
		for _, k := range keys {
			s.keys[k] = struct{}{}
		}
		h.total += len(keys)
	}
	for h.total > h.budget {
		var oldest uint32
		found := false
		for d, s := range h.days {
			if s.used < h.tick && (!found || s.used < h.days[oldest].used) {
				oldest, found = d, true
			}
		}
		if !found {
			return
		}
		h.total -= len(h.days[oldest].keys)
		delete(h.days, oldest)
		h.server[oldest] = true
	}
}

// askServer returns the keys, among recs' on days asked of the server,
// that the table holds.
func (h *held) askServer(ctx context.Context, conn driver.Conn, target string, recs []*signin.Record) (map[recKey]bool, error) {
	days := map[uint32]bool{}
	ids := map[string]bool{}
	for _, r := range recs {
		if d := dayOf(r); h.server[d] {
			days[d] = true
			ids[r.ID] = true
		}
	}
	found := map[recKey]bool{}
	if len(ids) == 0 {
		return found, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %[1]s, toUInt8(%[2]s), toYYYYMMDD(%[4]s) AS d FROM %[3]s WHERE d IN (", ident("id"), ident("type"), target, ident(colSecond))
	first := true
	for d := range days {
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(strconv.FormatUint(uint64(d), 10))
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
	// The ids make a long statement: beyond the parser's default 256 KiB
	// and 50,000 elements.
	qctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{
		"max_query_size": 2*b.Len() + 1<<20, "max_ast_elements": 4*len(ids) + 1000, "max_expanded_ast_elements": 4*len(ids) + 1000}))
	rows, err := conn.Query(qctx, b.String())
	if err != nil {
		return nil, fmt.Errorf("clickhouse: finding the sign-ins held: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var t uint8
		var d uint32
		if err := rows.Scan(&id, &t, &d); err != nil {
			return nil, fmt.Errorf("clickhouse: finding the sign-ins held: %w", err)
		}
		found[recKey{id, signin.Type(t), d}] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: finding the sign-ins held: %w", err)
	}
	return found, nil
}

// insert adds the records the table lacks, and returns how many.
func insert(ctx context.Context, conn driver.Conn, target string, cols []column, recs []*signin.Record, h *held, cluster bool) (int64, error) {
	onServer, err := h.askServer(ctx, conn, target, recs)
	if err != nil {
		return 0, err
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
	// The keys added, per day: those of days asked of the server are
	// marked there (a sign-in given twice in a batch is added once); the
	// others are remembered once the batch is in.
	remember := map[uint32][]recKey{}
	inBatch := map[recKey]bool{}
	vals := make([]any, len(cols))
	for _, r := range recs {
		k := recKey{r.ID, r.Type, dayOf(r)}
		if h.server[k.day] {
			if onServer[k] {
				continue
			}
			onServer[k] = true
		} else {
			if h.known(k) || inBatch[k] {
				continue
			}
			inBatch[k] = true
			remember[k.day] = append(remember[k.day], k)
		}
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
	h.added(remember)
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
