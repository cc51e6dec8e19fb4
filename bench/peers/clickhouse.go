package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/signinq/signinq/bench"
	"github.com/signinq/signinq/clickhouse"
	"github.com/signinq/signinq/clickhouse/localcluster"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
)

// The "clickhouse" peer is a two-shard ClickHouse cluster on loopback
// (clickhouse/localcluster: Debian's clickhouse-server, two servers with
// their data in the peers' cache), loaded by signinq's own export
// (clickhouse.Export into the Distributed table over the shards' tables)
// and asked each query of the standard set in signinq's language through
// clickhouse.Query: compiled to SQL when the compiler can say it exactly,
// else run in signinq on the sign-ins streamed from the cluster with the
// filter pushed down. Not the hand-written SQL of bench.Query.SQL: what
// is measured, and checked, is signinq on ClickHouse, as a user of
// signinq query --on runs it.

// chDatabase is the database the export makes on the cluster.
const chDatabase = "bench"

// chReady is the file, in the peer's directory, written once the export
// is whole: without it the directory is loaded anew.
const chReady = "ready"

// chPeer is the running cluster and a connection to its first shard,
// which holds the Distributed table.
type chPeer struct {
	dir         string
	timeout     time.Duration
	cl          *localcluster.Cluster
	conn        driver.Conn
	reg         *plugins.Registry
	lists       map[string][]string
	maxStreamed int
	version     string
	how         map[string]string // by query text: how the cluster answered it (chSQL, chStreamed, a refusal)
}

// How the ClickHouse peer answered a query.
const (
	chSQL      = "SQL"
	chStreamed = "streamed"
)

// startCluster starts the cluster whose servers keep their data in dir
// and connects to it. The servers die with this process (localcluster)
// if it is killed; close stops them.
func startCluster(ctx context.Context, dir string) (*localcluster.Cluster, driver.Conn, error) {
	cl, err := localcluster.Start(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	conn, err := ch.Open(&ch.Options{Addr: []string{cl.Addr(0)}, DialTimeout: 30 * time.Second, ReadTimeout: time.Hour})
	if err == nil {
		err = conn.Ping(ctx)
	}
	if err != nil {
		cl.Close()
		return nil, nil, fmt.Errorf("clickhouse: %w", err)
	}
	return cl, conn, nil
}

// loadClickHouse starts a cluster in the new directory dir (what was
// there is removed), exports the store's sign-ins into it, stops it and
// writes the ready file. The load's time is the export's, reading the
// store included (as for Parquet); its size is the two servers' data
// directories once the export is done (ClickHouse keeps merging parts
// after, which changes it a little).
func loadClickHouse(ctx context.Context, store *engine.DB, dir string, logf func(string, ...any)) (peerLoad, error) {
	var l peerLoad
	if err := os.RemoveAll(dir); err != nil {
		return l, err
	}
	cl, conn, err := startCluster(ctx, dir)
	if err != nil {
		return l, err
	}
	defer cl.Close()
	defer conn.Close()
	logf("exporting the sign-ins to the two-shard ClickHouse cluster in %s", dir)
	start := time.Now()
	st, err := clickhouse.Export(ctx, conn, clickhouse.StoreRecords(ctx, store), clickhouse.Options{
		Database: chDatabase, Cluster: localcluster.Name, BatchSize: 100_000,
	})
	if err != nil {
		return l, err
	}
	l.Seconds = time.Since(start).Seconds()
	var rows uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+chDatabase+"."+clickhouse.Table).Scan(&rows); err != nil {
		return l, err
	}
	if st.Added != st.Read || int64(rows) != st.Read {
		return l, fmt.Errorf("clickhouse: the export read %d sign-ins, added %d, and the table holds %d", st.Read, st.Added, rows)
	}
	l.Rows = st.Added
	if l.Bytes, err = chDataSize(dir); err != nil {
		return l, err
	}
	logf("exported %d sign-ins in %.1f s (%.0f a second), %.0f MB on disk", l.Rows, l.Seconds, float64(l.Rows)/l.Seconds, float64(l.Bytes)/1e6)
	return l, os.WriteFile(filepath.Join(dir, chReady), nil, 0o644)
}

// chDataSize is the size of the files in the two servers' data
// directories.
func chDataSize(dir string) (int64, error) {
	var n int64
	for _, shard := range []string{"shard0", "shard1"} {
		err := filepath.WalkDir(filepath.Join(dir, shard, "data"), func(_ string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return n, nil
}

// openClickHouse starts the loaded cluster of dir for queries, with the
// named lists the queries may use, the bound of sign-ins a query run in
// signinq may stream, and the time a query may take.
func openClickHouse(ctx context.Context, dir string, lists map[string][]string, maxStreamed int, timeout time.Duration) (*chPeer, error) {
	cl, conn, err := startCluster(ctx, dir)
	if err != nil {
		return nil, err
	}
	p := &chPeer{dir: dir, timeout: timeout, cl: cl, conn: conn, reg: standard.Registry(), lists: lists, maxStreamed: maxStreamed, version: "?", how: map[string]string{}}
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&p.version); err != nil {
		p.close()
		return nil, fmt.Errorf("clickhouse: %w", err)
	}
	return p, nil
}

func (p *chPeer) close() error {
	err := p.conn.Close()
	p.cl.Close()
	return err
}

// chSettings are the settings of the peer's queries: room for long
// statements. The SQL of ip in @ranges (10,000 networks, each a range of
// 16-byte addresses) is over a megabyte, beyond 18.16's default
// max_query_size of 256 KiB ("Max query size exceeded"); clickhouse.Query
// does not raise it itself today, so the peer does, as a user would in
// the server's profile.
var chSettings = ch.Settings{"max_query_size": 64 << 20, "max_ast_elements": 1 << 22, "max_expanded_ast_elements": 1 << 22}

// restart stops the cluster and starts it again on its data: after a
// query given up on, which the servers may go on working at (cancelling
// does not stop 18.16 while it analyzes a statement), so that it does
// not take the machine from the next queries.
func (p *chPeer) restart(ctx context.Context) error {
	p.conn.Close()
	p.cl.Close()
	cl, conn, err := startCluster(ctx, p.dir)
	if err != nil {
		return err
	}
	p.cl, p.conn = cl, conn
	return nil
}

// errRefused wraps a peer's refusal of a query, which compare reports
// as the query's outcome on that peer rather than failing the run.
var errRefused = errors.New("refused")

// run runs a query once on the cluster as signinq's query --on does:
// compiled to SQL, or, when it cannot be, run in signinq on the sign-ins
// streamed from the cluster (no cache between runs: each run streams
// them anew). The first run of a query finds which, and later runs do
// the same. A query whose sign-ins to stream are more than maxStreamed
// is refused, and one that takes longer than the timeout given up on
// (the cluster restarted): errors wrapping errRefused, saying which.
func (p *chPeer) run(ctx context.Context, q bench.Query, _ map[string][]string) (func([]signin.Kind) (answer, error), error) {
	if p.timeout <= 0 {
		return p.runOnce(ctx, q) // no bound
	}
	qctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	norm, err := p.runOnce(qctx, q)
	// At the deadline the context is done, or the driver's read, whose
	// deadline is the context's, fails first with an I/O timeout
	// (os.ErrDeadlineExceeded, wrapped) while the context is not yet.
	if err != nil && ctx.Err() == nil && (qctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded)) {
		how := fmt.Sprintf("timed out (> %v)", p.timeout)
		p.how[q.Text] = how
		if err := p.restart(ctx); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", how, errRefused)
	}
	return norm, err
}

func (p *chPeer) runOnce(ctx context.Context, q bench.Query) (func([]signin.Kind) (answer, error), error) {
	opts := clickhouse.QueryOptions{Database: chDatabase, Now: benchEnd, Lists: p.lists, MaxStreamed: p.maxStreamed}
	how, seen := p.how[q.Text]
	if !seen || how == chSQL {
		opts.SQLOnly = true
	}
	ctx = ch.Context(ctx, ch.WithSettings(chSettings))
	res, err := clickhouse.Query(ctx, p.conn, p.reg, q.Text, opts)
	if !seen && errors.Is(err, clickhouse.ErrNotExpressible) {
		how = chStreamed
		opts.SQLOnly = false
		res, err = clickhouse.Query(ctx, p.conn, p.reg, q.Text, opts)
	} else if !seen {
		how = chSQL
	}
	if errors.Is(err, clickhouse.ErrTooManyRows) {
		how = fmt.Sprintf("refused: streams > %d sign-ins", p.maxStreamed)
		p.how[q.Text] = how
		return nil, fmt.Errorf("%s: %w", how, errRefused)
	}
	if err != nil {
		return nil, err
	}
	p.how[q.Text] = how
	return func([]signin.Kind) (answer, error) { return fromSigninq(res), nil }, nil
}

func (p *chPeer) name() string { return "clickhouse" }

// ran says how the cluster answered q: chSQL, chStreamed or a refusal.
func (p *chPeer) ran(q bench.Query, _ map[string][]string) string { return p.how[q.Text] }
