package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/signinq/signinq/clickhouse/localcluster"
	"github.com/signinq/signinq/internal/clock"
	"github.com/signinq/signinq/internal/testcert"
)

func TestParseClickHouseURL(t *testing.T) {
	env := map[string]string{clickhouseUserEnv: "analyst", clickhousePasswordEnv: "pw-from-env"}
	getenv := func(k string) string { return env[k] }
	for _, c := range []struct {
		url, addr, database, user string
		tls                       bool
		err                       string // a part of the error; "" for none
	}{
		{url: "clickhouse://ch1:9000/signins", addr: "ch1:9000", database: "signins", user: "analyst"},
		{url: "clickhouse://ch1", addr: "ch1:9000", database: "default", user: "analyst"},
		{url: "clickhouse://soc@ch1/logs", addr: "ch1:9000", database: "logs", user: "soc"},
		{url: "clickhouse://ch1/logs?secure=true", addr: "ch1:9440", database: "logs", user: "analyst", tls: true},
		{url: "clickhouse://[::1]/logs?secure=true", addr: "[::1]:9440", database: "logs", user: "analyst", tls: true},
		{url: "clickhouse://ch1:9441/logs?secure=true", addr: "ch1:9441", database: "logs", user: "analyst", tls: true},
		{url: "clickhouse://soc:hunter2@ch1/logs", err: "a password in the URL would be seen by other users (ps) and kept in the shell's history: give it in CLICKHOUSE_PASSWORD"},
		{url: "clickhouse://ch1/logs?secure=yes", err: "secure=yes: not true or false"},
		{url: "clickhouse://ch1/logs?sslmode=require", err: `unknown parameter "sslmode"`},
		{url: "clickhouse://ch1/logs?ca=/nonexistent.pem", err: "ca= is for TLS: add secure=true"},
		{url: "clickhouse://ch1/logs?secure=true&ca=/nonexistent.pem", err: "no such file"},
		{url: "clickhouse://ch1/a/b", err: "the path names one database"},
		{url: "http://ch1:8123/logs", err: "is not clickhouse://[USER@]HOST[:PORT]/DATABASE"},
		{url: "clickhouse:ch1", err: "is not clickhouse://"},
		{url: "clickhouse://soc:hunter2@ch1:bad port/x", err: "is not clickhouse://"},
	} {
		u, err := parseClickHouseURL(c.url, getenv)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one saying %q", c.url, err, c.err)
			} else if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: the error repeats the password: %v", c.url, err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.url, err)
		case u.addr != c.addr || u.database != c.database || u.auth.Username != c.user || u.auth.Password != "pw-from-env" || (u.tls != nil) != c.tls:
			t.Errorf("%s: %s %s %s %q tls=%v, want %s %s %s tls=%v", c.url, u.addr, u.database, u.auth.Username, u.auth.Password, u.tls != nil, c.addr, c.database, c.user, c.tls)
		}
	}
}

// TestClickHouseTLSPassword exports to and queries a cluster whose user
// has a password, over TLS with the cluster's certificate authority
// given as ca=: the password comes from CLICKHOUSE_PASSWORD and appears
// in no output; a wrong one, or a certificate not trusted, is an error
// saying so.
func TestClickHouseTLSPassword(t *testing.T) {
	const password = "Tr0ub4dor&3"
	certFile, keyFile, _, err := testcert.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cl, err := localcluster.StartWith(t.Context(), t.TempDir(), localcluster.Options{Password: password, CertFile: certFile, KeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	dir := queryStore(t, 1000)
	url := "clickhouse://" + cl.SecureAddr(0) + "/tls?secure=true&ca=" + certFile
	run := func(want int, args ...string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		if code := Main(args, strings.NewReader(""), &out, &errb, clock.Test); code != want {
			t.Fatalf("%q: exit %d, want %d\n%s", args, code, want, errb.String())
		}
		if strings.Contains(out.String()+errb.String(), password) {
			t.Fatalf("%q: the output shows the password:\n%s%s", args, out.String(), errb.String())
		}
		return out.String(), errb.String()
	}
	t.Setenv(clickhousePasswordEnv, password)
	if _, msg := run(exitOK, "export", "--db", dir, "--to", url, "--cluster", localcluster.Name); !strings.Contains(msg, "added 1,000 new sign-ins") {
		t.Fatalf("export: %s", msg)
	}
	q := "count where status=failure since 7d group by app"
	want, _ := run(exitOK, "query", "--db", dir, "--now", "2026-11-26", q)
	if got, _ := run(exitOK, "query", "--on", url, "--now", "2026-11-26", q); got != want {
		t.Errorf("query --on over TLS:\n%s\nwant\n%s", got, want)
	}

	t.Setenv(clickhousePasswordEnv, "wrong")
	if _, msg := run(exitRejected, "query", "--on", url, "--now", "2026-11-26", q); !strings.Contains(msg, "password") {
		t.Errorf("a wrong password: %s", msg)
	}
	t.Setenv(clickhousePasswordEnv, password)
	untrusted := "clickhouse://" + cl.SecureAddr(0) + "/tls?secure=true"
	if _, msg := run(exitRejected, "query", "--on", untrusted, "--now", "2026-11-26", q); !strings.Contains(msg, "certificate") || !strings.Contains(msg, "ca=FILE") {
		t.Errorf("an untrusted certificate: %s", msg)
	}
	if _, msg := run(exitRejected, "query", "--on", "clickhouse://default:"+password+"@"+cl.SecureAddr(0)+"/tls?secure=true", q); !strings.Contains(msg, clickhousePasswordEnv) {
		t.Errorf("a password in the URL: %s", msg)
	}
}
