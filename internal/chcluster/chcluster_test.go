package chcluster

import (
	"context"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func TestStart(t *testing.T) {
	start := time.Now()
	c := Start(t)
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
