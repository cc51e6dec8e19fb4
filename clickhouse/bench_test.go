package clickhouse

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/signinq/signinq/clickhouse/localcluster"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
)

var benchRows = flag.Int64("ch.bench.rows", 1_000_000, "sign-ins BenchmarkOnCluster generates")

// benchQueries are bench's standard queries of the language (bench/queries.go).
var benchQueries = []string{
	`count`,
	`count where status=failure since 24h`,
	`count where status=failure since 24h group by app`,
	`dcount(user) where app="Office 365 Exchange Online" since 7d`,
	`count, dcount(user) as users where type=interactive group by country`,
	`count where type in (servicePrincipal, managedIdentity) group by type, resource`,
	`top 10 browser where type=interactive since 7d`,
	`top 5 ip by dcount(user) where error=50126 since 1h`,
	`count where error in (50053, 50126) since 3d group by ip having count >= 20`,
	`count since 24h group by bin(1h)`,
	`count where status=failure and not country in (US, CA) group by user, country order by count desc limit 50`,
	`countif(status=failure) as failed, count as total, failed * 100 / total as pct since 7d group by app having failed > 10 order by pct desc`,
}

// BenchmarkOnCluster generates sign-ins (-ch.bench.rows, 30 days to
// 2026-11-26, seed 3) into a store and into the two-shard cluster, checks
// that each standard query gives the same answer on both, and times each
// on the engine and on ClickHouse.
//
//	go test ./clickhouse -run '^$' -bench OnCluster -benchtime 20x
func BenchmarkOnCluster(b *testing.B) {
	ctx := context.Background()
	cl := localcluster.StartTest(b)
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{cl.Addr(0)}})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	end := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	g, err := gen.New(gen.Config{Count: *benchRows, Seed: 3, Days: 30, End: end})
	if err != nil {
		b.Fatal(err)
	}
	db, err := engine.Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	var recs []signin.Record
	_, err = db.IngestBatches(ctx, func(add func([]signin.Record) error) error {
		return g.Generate(ctx, func(batch []gen.Event) error {
			recs = recs[:0]
			for i := range batch {
				recs = append(recs, batch[i].Record)
			}
			return add(recs)
		})
	}, engine.IngestOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d sign-ins into the store in %v", *benchRows, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	st, err := Export(ctx, conn, StoreRecords(ctx, db), Options{Database: "bench", Cluster: localcluster.Name, BatchSize: 100_000})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("exported %d sign-ins to the two-shard cluster in %v", st.Added, time.Since(start).Round(time.Millisecond))
	reg := standard.Registry()
	for _, q := range benchQueries {
		want, err := query.Run(ctx, db, reg, q, query.Options{Now: end})
		if err != nil {
			b.Fatal(err)
		}
		got, err := Query(ctx, conn, reg, q, QueryOptions{Database: "bench", Now: end, SQLOnly: true})
		if err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		if d := diffResults(want, got); d != "" {
			b.Fatalf("%s:\n%s", q, d)
		}
		b.Run("signinq/"+q, func(b *testing.B) {
			for range b.N {
				if _, err := query.Run(ctx, db, reg, q, query.Options{Now: end}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("clickhouse/"+q, func(b *testing.B) {
			for range b.N {
				if _, err := Query(ctx, conn, reg, q, QueryOptions{Database: "bench", Now: end, SQLOnly: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
