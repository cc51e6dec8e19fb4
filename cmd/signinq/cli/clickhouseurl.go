package cli

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	chgo "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The environment variables a ClickHouse server's user and password come
// from, as clickhouse-client reads them: a password never goes on the
// command line, where other users see it (ps) and the shell's history
// keeps it.
const (
	clickhouseUserEnv     = "CLICKHOUSE_USER"
	clickhousePasswordEnv = "CLICKHOUSE_PASSWORD"
)

// clickhouseURL is a parsed clickhouse://[USER@]HOST[:PORT]/DATABASE[?secure=true&ca=FILE].
type clickhouseURL struct {
	addr, database string
	auth           chgo.Auth
	tls            *tls.Config // nil for the plain protocol
}

// clickhouseParams are the URL's query parameters, with what each says.
var clickhouseParams = map[string]string{
	"secure": "true for TLS (port 9440 by default)",
	"ca":     "a PEM file of the certificate authorities to trust, for TLS, instead of the system's",
}

// parseClickHouseURL reads a ClickHouse URL; the user, when the URL has
// none, and the password come from getenv (CLICKHOUSE_USER,
// CLICKHOUSE_PASSWORD). A URL holding a password is refused, and no
// error repeats one.
func parseClickHouseURL(s string, getenv func(string) string) (clickhouseURL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "clickhouse" || u.Host == "" || u.Opaque != "" {
		shown := s
		if err == nil {
			shown = u.Redacted()
		} else if i := strings.LastIndex(s, "@"); i >= 0 {
			shown = "clickhouse://…" + s[i:]
		}
		return clickhouseURL{}, fmt.Errorf("%q is not clickhouse://[USER@]HOST[:PORT]/DATABASE[?secure=true]", shown)
	}
	if _, set := u.User.Password(); set {
		return clickhouseURL{}, fmt.Errorf("%s: a password in the URL would be seen by other users (ps) and kept in the shell's history: give it in %s", u.Redacted(), clickhousePasswordEnv)
	}
	c := clickhouseURL{addr: u.Host, database: strings.Trim(u.Path, "/")}
	if strings.Contains(c.database, "/") {
		return clickhouseURL{}, fmt.Errorf("%s: the path names one database, not %q", u.Redacted(), c.database)
	}
	if c.database == "" {
		c.database = "default"
	}
	q := u.Query()
	for k := range q {
		if _, ok := clickhouseParams[k]; !ok {
			return clickhouseURL{}, fmt.Errorf("%s: unknown parameter %q (secure: %s; ca: %s)", u.Redacted(), k, clickhouseParams["secure"], clickhouseParams["ca"])
		}
	}
	switch v := q.Get("secure"); v {
	case "", "false":
	case "true":
		c.tls = &tls.Config{ServerName: u.Hostname()}
	default:
		return clickhouseURL{}, fmt.Errorf("%s: secure=%s: not true or false", u.Redacted(), v)
	}
	if ca := q.Get("ca"); ca != "" {
		if c.tls == nil {
			return clickhouseURL{}, fmt.Errorf("%s: ca= is for TLS: add secure=true", u.Redacted())
		}
		pem, err := os.ReadFile(ca)
		if err != nil {
			return clickhouseURL{}, fmt.Errorf("%s: ca: %w", u.Redacted(), err)
		}
		c.tls.RootCAs = x509.NewCertPool()
		if !c.tls.RootCAs.AppendCertsFromPEM(pem) {
			return clickhouseURL{}, fmt.Errorf("%s: ca: %s holds no PEM certificate", u.Redacted(), ca)
		}
	}
	if u.Port() == "" {
		port := "9000" // the native protocol's port
		if c.tls != nil {
			port = "9440" // and over TLS
		}
		c.addr = net.JoinHostPort(u.Hostname(), port)
	}
	c.auth.Username = getenv(clickhouseUserEnv)
	if name := u.User.Username(); name != "" {
		c.auth.Username = name
	}
	c.auth.Password = getenv(clickhousePasswordEnv)
	c.auth.Database = "default"
	return c, nil
}

// dialClickHouse connects over the native protocol and checks that the
// server answers.
func dialClickHouse(e *env, s string) (driver.Conn, clickhouseURL, error) {
	u, err := parseClickHouseURL(s, os.Getenv)
	if err != nil {
		return nil, u, err
	}
	conn, err := chgo.Open(&chgo.Options{Addr: []string{u.addr}, Auth: u.auth, TLS: u.tls})
	if err == nil {
		err = conn.Ping(e.ctx)
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		var cerr *tls.CertificateVerificationError
		if errors.As(err, &cerr) {
			return nil, u, fmt.Errorf("clickhouse at %s: %w (ca=FILE trusts a private certificate authority)", u.addr, err)
		}
		return nil, u, fmt.Errorf("clickhouse at %s: %w", u.addr, err)
	}
	return conn, u, nil
}
