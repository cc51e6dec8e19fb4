// Package testcert makes the self-signed certificate that test servers
// on loopback present (serve, Azurite, ClickHouse): valid for 127.0.0.1
// and localhost from 2000 to 2100, so that no test depends on the date,
// and its own certificate authority, so that a client trusts it with the
// returned pool or the certificate file as a CA file.
package testcert
