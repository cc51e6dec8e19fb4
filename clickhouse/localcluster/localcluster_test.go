package localcluster

import (
	"context"
	"crypto/tls"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/signinq/signinq/internal/testcert"
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

// TestTLSPassword starts a cluster whose user has a password and whose
// servers also speak TLS: a client with the password over TLS, trusting
// the certificate, reads both shards through the cluster (the shards
// use the password among themselves); without the password it is
// refused.
func TestTLSPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	certFile, keyFile, pool, err := testcert.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := StartWith(ctx, t.TempDir(), Options{Password: "s3cr<e>t&", CertFile: certFile, KeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	open := func(password string) driver.Conn {
		conn, err := clickhouse.Open(&clickhouse.Options{
			Addr: []string{c.SecureAddr(0)},
			Auth: clickhouse.Auth{Username: "default", Password: password},
			TLS:  &tls.Config{RootCAs: pool},
		})
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}
	conn := open("s3cr<e>t&")
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM remote('127.0.0.1:"+strconv.Itoa(c.Ports[0])+",127.0.0.1:"+strconv.Itoa(c.Ports[1])+"', system.one, 'default', 's3cr<e>t&')").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("the two shards' system.one count %d rows, want 2", n)
	}
	if err := conn.Exec(ctx, "CREATE TABLE one AS system.one ENGINE = Distributed("+Name+", system, one)"); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM one").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("the cluster's Distributed table counts %d rows, want 2", n)
	}
	bad := open("wrong")
	defer bad.Close()
	if err := bad.Ping(ctx); err == nil {
		t.Fatal("a wrong password is accepted")
	}
}
