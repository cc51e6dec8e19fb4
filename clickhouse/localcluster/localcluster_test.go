package localcluster

import (
	"context"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func TestStart(t *testing.T) {
	start := time.Now()
	c := StartTest(t)
	t.Logf("started in %v", time.Since(start).Round(time.Millisecond))
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{c.Addr(0)}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.clusters WHERE cluster = '"+Name+"'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("cluster %s has %d shards, want 2", Name, n)
	}
}

// TestRestart checks that a cluster started again on the directory of
// one closed finds the data it left, as the peers benchmark's cache
// relies on.
func TestRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	c, err := Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(c *Cluster, q string) {
		t.Helper()
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{c.Addr(1)}})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	exec(c, "CREATE TABLE kept (n UInt32) ENGINE = MergeTree ORDER BY n")
	exec(c, "INSERT INTO kept SELECT toUInt32(number + 1) FROM system.numbers LIMIT 3")
	c.Close()
	c, err = Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{c.Addr(1)}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT sum(n) FROM kept").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Fatalf("after a restart the table sums to %d, want 6", n)
	}
}
