// Package chcluster starts a two-shard ClickHouse cluster on loopback for
// tests: two clickhouse-server processes (Debian's package, which .ci/run
// installs), each with its own temporary data directory and free ports,
// and a config whose remote_servers names the cluster "signinq" of the
// two as shards. Tests that need it fail, never skip, when the server is
// not installed.
package chcluster
