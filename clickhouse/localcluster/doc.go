// Package localcluster starts a ClickHouse cluster of two shards on
// loopback: two clickhouse-server processes (Debian's package, which
// .ci/run installs), each with its own data directory under a directory
// the caller gives and its own free ports, and a config whose
// remote_servers names the cluster "signinq" of the two as shards.
//
// The tests of package clickhouse and of the command run against it
// (StartTest), and the peers benchmark (bench/peers) keeps one in its
// cache so that a store exported once is queried again on later runs
// (Start on the same directory finds the data the last cluster there
// left). The servers die with the process that started them.
package localcluster
