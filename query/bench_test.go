package query

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"testing"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/result"
)

// The store the query benchmarks use: 30 days of generated sign-ins,
// without raw records, compacted, cached between runs and shared with the
// engine's read benchmarks (internal/benchstore), or named with -store-dir.
var (
	benchRows = flag.Int64("store-rows", 1_000_000, "sign-ins in the store the benchmarks generate and cache")
	benchDir  = flag.String("store-dir", "", "a store for the benchmarks to use instead of a generated one")
)

var benchEnd = benchstore.End

func benchStore(b *testing.B) *engine.DB {
	if *benchDir != "" {
		return openBenchStore(b, *benchDir)
	}
	return generatedBenchStore(b)
}

// generatedBenchStore opens the generated store of -store-rows sign-ins,
// whatever -store-dir says: benchmarks that check the incidents the
// generator injected need the store it made.
func generatedBenchStore(b *testing.B) *engine.DB {
	dir, err := benchstore.Dir(context.Background(), *benchRows, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	return openBenchStore(b, dir)
}

func openBenchStore(b *testing.B, dir string) *engine.DB {
	db, err := engine.Open(dir, &engine.Options{NoBackgroundCompaction: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkQuery measures the queries the language's performance goals
// name, warm, on a compacted store: run with -store-rows=10000000 for
// the goals' size.
func BenchmarkQuery(b *testing.B) {
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	// A busy user of the data, for the needle.
	top, err := Run(ctx, db, nil, "top 1 user where type=interactive", opts)
	if err != nil || len(top.Rows) == 0 {
		b.Fatalf("no user to look for: %v", err)
	}
	user := top.Rows[0][0].String()
	for _, q := range []string{
		`count where status=failure since 24h group by app`,
		`count where status=failure group by app`,
		`dcount(user) where app="Office 365 Exchange Online" since 7d`,
		`top 10 ip where status=failure`,
		fmt.Sprintf(`list time, user, app, ip, status, error where user=%q since 30d limit 20`, user),
		`count`,
		`count where status=failure since 24h`,
		`count since 24h group by bin(1h)`,
		`count, dcount(user) as users where type=interactive group by country`,
		`count where status=failure group by type`,
		`list time, user, country, latitude, longitude where status=success since 7d`,
	} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(ctx, db, nil, q, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAggregates measures the aggregates that read their field's
// values (the decoders in their hot loop: engine.Vector.AppendValues and
// AppendIDs) and groups by keys of each kind, warm.
func BenchmarkAggregates(b *testing.B) {
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	for _, q := range []string{
		`sum(latency), avg(latency) since 7d group by app`,
		`min(time), max(time) group by country`,
		`min(app), max(latitude) since 7d group by type`,
		`values(country) where status=failure since 7d group by app`,
		`dcount(ip) since 7d group by user`,
		`dcount(authMethod), values(policy) group by app`,
		`count since 7d group by authMethod`,
		`top 10 user`,
		`dcount(correlationId) since 24h`,
	} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(ctx, db, nil, q, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParsePlan measures parsing and checking each example.
func BenchmarkParsePlan(b *testing.B) {
	for _, ex := range examples {
		if ex.canonical == "" {
			continue
		}
		st, err := Parse(ex.text)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Check(st, nil, checkNow); err != nil {
			continue // a placeholder field name of the syntax examples
		}
		b.Run(ex.canonical, func(b *testing.B) {
			for b.Loop() {
				st, _ := Parse(ex.text)
				if _, err := Check(st, nil, checkNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDetections measures the security stages over the 7 days
// around each incident the generator injected into the benchmark store
// (seed 7, 30 days to 2026-11-26: internal/benchstore); with
// -store-rows=10000000 these are the figures the plugins' goal (under 1 s
// each) is held against.
func BenchmarkDetections(b *testing.B) {
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	for _, q := range []string{
		`list between 2026-11-01 and 2026-11-08 | spray`,
		`list between 2026-11-15 and 2026-11-22 | bruteforce`,
		`list between 2026-10-30 and 2026-11-06 | mfafatigue`,
		`list between 2026-11-06 and 2026-11-13 | travel`,
		`list between 2026-11-06 and 2026-11-13 | newvalue country by user baseline 30d`,
		`count where error in (50126, 50053) between 2026-11-01 and 2026-11-08 group by bin(1h) | spikes`,
		`list where type=nonInteractive since 24h | grouped 1h`,
	} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(ctx, db, nil, q, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSubquery measures subqueries (in (QUERY)) of few values and of
// many: each runs once per query, its values a hash set looked up once
// per dictionary value of a part.
func BenchmarkSubquery(b *testing.B) {
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	for _, q := range []string{
		`count where ip in (top 20 ip where error in (50126, 50053) since 1d) since 1d group by user`,
		`dcount(user) as users where user not in (list user where status=success since 30d) and status=failure since 1d group by ip`,
		`count where ip in (list ip where status=failure) group by app`,
		`count where user in (count where status=success group by user) and status=failure group by app`,
		`count where id in (list id limit 100000)`,
	} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(ctx, db, nil, q, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJoin measures joins: the examples on the store, and
// 100,000 rows joined with 100,000 (rows: the join alone, on rows made
// in memory; store: the rows two lists read).
func BenchmarkJoin(b *testing.B) {
	b.Run("rows=100000x100000", func(b *testing.B) {
		const n = 100_000
		cols := []result.Column{{Name: "user", Kind: signin.KindString, Key: true}, {Name: "count", Kind: signin.KindInt}}
		rcols := []result.Column{{Name: "user", Kind: signin.KindString, Key: true}, {Name: "c2", Kind: signin.KindInt}}
		left, right := make([][]result.Value, n), make([][]result.Value, n)
		for i := range n {
			left[i] = []result.Value{result.StringValue(fmt.Sprintf("User%06d@contoso.com", i)), result.IntValue(int64(i))}
			right[i] = []result.Value{result.StringValue(fmt.Sprintf("user%06d@CONTOSO.com", n-1-i)), result.IntValue(int64(i))}
		}
		for _, kind := range []string{"", "left", "anti"} {
			b.Run("kind="+kind, func(b *testing.B) {
				r := &joinRunner{kind: kind, sub: &subquery{res: &result.Result{Columns: rcols, Rows: right}},
					lkeys: []int{0}, rkeys: []int{0}, ips: []bool{false}, cols: append(cols[:2:2], rcols[1])}
				if kind != "anti" {
					r.extra = []int{1}
				}
				for b.Loop() {
					rows := 0
					err := r.Run(context.Background(), nil, slices.Values(left), func([]result.Value) error { rows++; return nil })
					if want := map[string]int{"": n, "left": n, "anti": 0}[kind]; err != nil || rows != want {
						b.Fatalf("%d rows, %v; want %d", rows, err, want)
					}
				}
			})
		}
	})
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	for _, q := range []string{
		`count where status=failure since 1d group by user | join anti (list user where status=success since 1d) on user`,
		`countif(status!=success) as failures where app contains "Azure Portal" since 1d group by user | join (countif(status!=success) as weekFailures, count as weekTotal where app contains "Azure Portal" since 7d group by user) on user | where failures >= 10 and failures > 5 * weekFailures / weekTotal`,
		`list id, user limit 100000 | join (list id, app limit 100000) on id`,
		`list id, user where status=failure | join left (list id, app where status=failure limit 100000) on id`,
	} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(ctx, db, nil, q, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPipe measures where, order by and limit after a stage or an
// aggregate.
func BenchmarkPipe(b *testing.B) {
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	for _, q := range []string{
		`count where status!=success since 14d group by user, bin(1d) | spikes k=3 | where median > 50`,
		`count group by user, app | where count > 10 and app != "Microsoft Teams" | order by user, count desc | limit 100`,
	} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(ctx, db, nil, q, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSequence measures sequences on the store: the two
// questions, and one whose tries read long sessions (every sign-in of a
// user a day, a success ending a run of failures of any length).
func BenchmarkSequence(b *testing.B) {
	db := benchStore(b)
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	for _, q := range []string{
		`list where type in (interactive, nonInteractive) since 1d | sequence by user, app within 10m: status=success then status=failure and subnet(ip, 16) != prev.subnet(ip, 16)`,
		`list where app contains "Azure Portal" since 1d | sequence by user gap 20m: 10+ status!=success then status=success`,
		`list since 1d | sequence by user gap 1d: 10+ status!=success then status=success`,
		`list time, user, ip, status since 7d | sequence by user within 1h: status=success then status!=success and subnet(ip, 16) != prev.subnet(ip, 16)`,
		// Every sign-in of the store (1,000,000 by default), held.
		`list time, user, app, status | sequence by user gap 1h: 3+ status!=success then status=success`,
		// Sessions of an application's sign-ins a month long, no match:
		// a try that runs out of events rules out the tries after it.
		`list time, app, status, error | sequence by app gap 1d: 100+ status!=success then error = 12345`,
	} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				res, err := Run(ctx, db, nil, q, opts)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(res.Rows)), "matches")
			}
		})
	}
}
