package cli

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/signinq/signinq/internal/clock"
	"github.com/signinq/signinq/internal/testcert"
)

// serveStore makes a store of 2,000 generated sign-ins (seed 1) for the
// serve tests.
func serveStore(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	var errb bytes.Buffer
	if code := Main([]string{"gen", "--count", "2000", "--days", "3", "--seed", "1", "--end", "2026-11-26T00:00:00Z", "-q", "--db", dir}, strings.NewReader(""), io.Discard, &errb, clock.Test); code != exitOK {
		t.Fatalf("gen: exit %d: %s", code, errb.String())
	}
	return dir
}

// serveChild is a signinq serve process.
type serveChild struct {
	t      *testing.T
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{} // closed when its standard error closed: it exited
	url    string        // where it serves, as it printed it
}

// serving matches the line signinq serve prints once it listens.
var serving = regexp.MustCompile(`signinq: serving (.+) on (https?://\S+)\n`)

// startServe starts the real command, signinq serve with args, and
// waits for the address it prints.
func startServe(t *testing.T, args ...string) *serveChild {
	t.Helper()
	c := &serveChild{t: t, cmd: exec.Command(os.Args[0], append([]string{"serve"}, args...)...), done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), "SIGNINQ_RUN=1")
	pipe, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill(); <-c.done })
	go func() {
		defer close(c.done)
		buf := make([]byte, 4096)
		for {
			n, err := pipe.Read(buf)
			c.mu.Lock()
			c.stderr.Write(buf[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	watchdog := time.After(time.Minute) // not a timing: so that a bug fails rather than hangs
	for {
		if m := serving.FindStringSubmatch(c.output()); m != nil {
			c.url = m[2]
			return c
		}
		select {
		case <-c.done:
			t.Fatalf("signinq serve exited before serving:\n%s", c.output())
		case <-watchdog:
			t.Fatalf("signinq serve did not say where it serves:\n%s", c.output())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (c *serveChild) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

// stop sends sig and returns the exit status and what it printed.
func (c *serveChild) stop(sig syscall.Signal) (int, string) {
	c.t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		c.t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(time.Minute): // not a timing: so that a bug fails rather than hangs
		c.t.Fatalf("signinq serve did not exit after %v:\n%s", sig, c.output())
	}
	err := c.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), c.output()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return 0, c.output()
}

// get asks the server, with a token when not "".
func get(t *testing.T, client *http.Client, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestServe starts signinq serve on a free loopback port, queries it
// with an HTTP client, and stops it with Ctrl-C or SIGTERM: it exits 0,
// having closed the store, which another signinq then opens.
func TestServe(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := serveStore(t)
			c := startServe(t, "--db", dir, "--listen", "127.0.0.1:0")
			if !strings.HasPrefix(c.url, "http://127.0.0.1:") || strings.HasSuffix(c.url, ":0") {
				t.Fatalf("serving on %s", c.url)
			}
			client := &http.Client{}
			// Another signinq's query is serve's to answer (on the
			// store's socket: share_test.go); a write is refused.
			if code := Main([]string{"query", "--db", dir, "count"}, strings.NewReader(""), io.Discard, io.Discard, clock.Test); code != exitOK {
				t.Errorf("a query while serve holds the store: exit %d", code)
			}
			if code := Main([]string{"compact", "--db", dir}, strings.NewReader(""), io.Discard, io.Discard, clock.Test); code != exitInUse {
				t.Errorf("a second signinq opened the store that serve holds: exit %d", code)
			}
			status, served := get(t, client, c.url+"/v1/query?format=ndjson&now=2026-11-26&q="+"count+group+by+type+order+by+type", "")
			if status != 200 || strings.Count(served, "\n") < 2 || !strings.Contains(served, `"count":`) {
				t.Fatalf("query: %d %s", status, served)
			}
			status, body := get(t, client, c.url+"/v1/stats", "")
			var st struct{ Rows int64 }
			if err := json.Unmarshal([]byte(body), &st); status != 200 || err != nil || st.Rows != 2000 {
				t.Fatalf("stats: %d %v %s", status, err, body)
			}
			client.CloseIdleConnections()
			code, out := c.stop(sig)
			if code != 0 || !strings.Contains(out, "signinq: stopped serving "+dir) {
				t.Fatalf("exit %d after %v:\n%s", code, sig, out)
			}
			// The store is closed: the command opens it again, and it
			// answers the same as served.
			var got, errb bytes.Buffer
			if code := Main([]string{"query", "--db", dir, "--format", "json", "--now", "2026-11-26", "count group by type order by type"}, strings.NewReader(""), &got, &errb, clock.Test); code != 0 || got.String() != served {
				t.Errorf("after serve: exit %d %s\n%s, want\n%s", code, errb.String(), got.String(), served)
			}
		})
	}
}

// TestServeRefused checks what signinq serve refuses before serving.
func TestServeRefused(t *testing.T) {
	dir := serveStore(t)
	open := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(open, []byte("t0ken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--listen", "0.0.0.0:0"}, exitError, "--listen 0.0.0.0:0 is off loopback, where requests and the token would cross the network in the clear: give --tls-cert and --tls-key"},
		{[]string{"--listen", ":0"}, exitError, "is off loopback"},
		{[]string{"--listen", "[::]:0"}, exitError, "is off loopback"},
		{[]string{"--listen", "127.0.0.1"}, exitError, `--listen "127.0.0.1"`},
		{[]string{"--tls-cert", "cert.pem"}, exitError, "--tls-cert and --tls-key go together"},
		{[]string{"--listen", "127.0.0.1:0", "--token-file", open}, exitError, "can be read or written by others (mode 0644)"},
		{[]string{"--listen", "127.0.0.1:0", "--token-file", empty}, exitError, "holds no token"},
		{[]string{"--listen", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "none")}, exitNoStore, "no store at"},
	} {
		var errb bytes.Buffer
		args := append([]string{"serve", "--db", dir}, tc.args...)
		if code := Main(args, strings.NewReader(""), io.Discard, &errb, clock.Test); code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.want, errb.String())
		}
	}
}

// TestServeTokenTLS serves off loopback: with TLS, and the token it
// generates into the store's serve.token (mode 0600) on first start and
// reads again on the next; the token is never printed. A request needs
// it, but for health; on loopback, --token-file makes it needed too.
func TestServeTokenTLS(t *testing.T) {
	dir := serveStore(t)
	certFile, keyFile, pool := selfSigned(t)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	tokenPath := filepath.Join(dir, "serve.token")
	var token string
	for i, want := range []string{"was generated into", "is in"} {
		c := startServe(t, "--db", dir, "--listen", "0.0.0.0:0", "--tls-cert", certFile, "--tls-key", keyFile)
		fi, err := os.Stat(tokenPath)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", tokenPath, fi.Mode().Perm())
		}
		b, err := os.ReadFile(tokenPath)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && strings.TrimSpace(string(b)) != token {
			t.Errorf("the token changed on the second start")
		}
		token = strings.TrimSpace(string(b))
		if raw, err := base64URL(token); err != nil || len(raw) != 32 {
			t.Errorf("token %d bytes (%v), want 32 random bytes in base64url", len(raw), err)
		}
		if !strings.Contains(c.output(), "signinq: the bearer token "+want+" "+tokenPath) {
			t.Errorf("start %d does not say where the token is:\n%s", i+1, c.output())
		}
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(c.url, "https://"))
		url := "https://127.0.0.1:" + port
		if status, body := get(t, client, url+"/v1/query?q=count&format=csv", ""); status != 401 {
			t.Errorf("without the token: %d %s", status, body)
		}
		if status, body := get(t, client, url+"/v1/query?q=count&format=csv", token); status != 200 || body != "count\n2000\n" {
			t.Errorf("with the token: %d %s", status, body)
		}
		if status, _ := get(t, client, url+"/v1/health", ""); status != 200 {
			t.Errorf("health without the token: %d", status)
		}
		client.CloseIdleConnections()
		code, out := c.stop(syscall.SIGINT)
		if code != 0 || strings.Contains(out, token) {
			t.Errorf("exit %d; the token must never be printed:\n%s", code, out)
		}
	}
	// On loopback, a token given is required.
	given := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(given, []byte("given-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startServe(t, "--db", dir, "--listen", "127.0.0.1:0", "--token-file", given)
	if status, _ := get(t, &http.Client{}, c.url+"/v1/stats", ""); status != 401 {
		t.Errorf("loopback with --token-file, without the token: %d", status)
	}
	if status, _ := get(t, &http.Client{}, c.url+"/v1/stats", "given-token"); status != 200 {
		t.Errorf("loopback with --token-file, with the token: %d", status)
	}
	if code, out := c.stop(syscall.SIGTERM); code != 0 || strings.Contains(out, "given-token") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func base64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their files and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	certFile, keyFile, pool, err := testcert.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}
