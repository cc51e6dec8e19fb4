package clickhouse

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/signinq/signinq/clickhouse/localcluster"
	"github.com/signinq/signinq/engine/signin"
)

// TestExportHeld exports sign-ins that repeat, across batches and days,
// into empty tables, with the memory of the keys added large and small
// (so that days are forgotten and asked of the server), then again: each
// sign-in (id, type, day) is added once, one of the same id and type on
// another day is another sign-in, and the second export adds nothing.
func TestExportHeld(t *testing.T) {
	ctx := context.Background()
	cl := localcluster.StartTest(t)
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{cl.Addr(0)}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	day0 := time.Date(2026, 11, 20, 23, 59, 59, 999_000_000, time.UTC)
	var recs []signin.Record
	distinct := map[recKey]bool{}
	add := func(id string, typ signin.Type, day int, sec int) {
		r := signin.Record{ID: id, Type: typ, Time: day0.AddDate(0, 0, day).Add(time.Duration(sec) * time.Second)}
		recs = append(recs, r)
		distinct[recKey{r.ID, r.Type, dayOf(&r)}] = true
	}
	// Three days, ten ids each, two types for the even ids; the same ids
	// every day (the last second of each day, and the next day's start).
	for day := range 3 {
		for i := range 10 {
			add(fmt.Sprintf("id-%d", i), signin.TypeInteractive, day, 0)
			if i%2 == 0 {
				add(fmt.Sprintf("id-%d", i), signin.TypeNonInteractive, day, 1)
			}
		}
	}
	// Then each again, at other times of the same days, in another
	// order: all held.
	n := len(recs)
	for i := n - 1; i >= 0; i-- {
		r := recs[i]
		r.Time = r.Time.Add(-time.Duration(i) * time.Millisecond)
		recs = append(recs, r)
	}
	seq := func(yield func(*signin.Record, error) bool) {
		for i := range recs {
			if !yield(&recs[i], nil) {
				return
			}
		}
	}
	defer func(b int) { rememberBudget = b }(rememberBudget)
	for _, budget := range []int{1 << 21, 5} {
		rememberBudget = budget
		db := fmt.Sprintf("held%d", budget)
		opts := Options{Database: db, Cluster: localcluster.Name, BatchSize: 4}
		for run := range 2 {
			st, err := Export(ctx, conn, seq, opts)
			if err != nil {
				t.Fatal(err)
			}
			want := int64(len(distinct))
			if run == 1 {
				want = 0
			}
			if st.Read != int64(len(recs)) || st.Added != want {
				t.Errorf("budget %d, export %d: read %d, added %d; want %d read, %d added", budget, run+1, st.Read, st.Added, len(recs), want)
			}
		}
		var rows, keys uint64
		q := fmt.Sprintf("SELECT count(), uniqExact(id, type, toYYYYMMDD(_t)) FROM %s.%s", db, Table)
		if err := conn.QueryRow(ctx, q).Scan(&rows, &keys); err != nil {
			t.Fatal(err)
		}
		if rows != uint64(len(distinct)) || keys != rows {
			t.Errorf("budget %d: the table holds %d rows of %d sign-ins; want %d", budget, rows, keys, len(distinct))
		}
	}
}
