// Command fakegraph serves a fake Microsoft Graph and token endpoint
// (package internal/fakegraph) holding a generated tenant's sign-ins,
// over TLS on loopback, until interrupted: what signinq pull graph is
// measured against (docs/pull.md). It writes its certificate for
// SSL_CERT_FILE and prints the environment a pull needs:
//
//	go run ./cmd/fakegraph -count 1000000 -ca /tmp/fg/ca.pem -dir /tmp/fg -throttle-every 200 -drop-every 300
//
// The client secret is the fake's fixed one, printed as an export line
// for the pull's environment; it is not a secret of anything real.
package main
