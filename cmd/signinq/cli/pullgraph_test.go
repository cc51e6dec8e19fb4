package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/fakegraph"
	"github.com/signinq/signinq/internal/gen"
)

// pullNow is the time the pull tests take for now; the fake's sign-ins
// are in the three days before it.
const pullNow = "2026-11-26T10:00:00Z"

// graphFake starts a fake Graph holding count sign-ins, and writes its
// certificate for SSL_CERT_FILE.
func graphFake(t *testing.T, count int64) (*fakegraph.Server, string) {
	t.Helper()
	f, err := fakegraph.New(fakegraph.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	end, _ := time.Parse(time.RFC3339, pullNow)
	if _, err := f.Generate(context.Background(), gen.Config{Count: count, Seed: 7, Days: 3, End: end.Add(-time.Minute), Workers: 1}); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := f.WriteCA(ca); err != nil {
		t.Fatal(err)
	}
	return f, ca
}

// pullChild is signinq pull graph in a process of its own, trusting the
// fake's certificate through SSL_CERT_FILE, with env added to an
// environment without AZURE_ variables.
func pullChild(f *fakegraph.Server, ca, db string, env []string, args ...string) *exec.Cmd {
	args = append([]string{"pull", "graph", "--db", db, "--graph-url", f.URL(), "--authority-url", f.URL(), "--now", pullNow}, args...)
	cmd := exec.Command(os.Args[0], args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AZURE_") && !strings.HasPrefix(kv, "SSL_CERT_") && !strings.HasPrefix(kv, "SIGNINQ_DB=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, append([]string{"SIGNINQ_RUN=1", "SSL_CERT_FILE=" + ca}, env...)...)
	return cmd
}

func secretEnv(f *fakegraph.Server, secret string) []string {
	return []string{"AZURE_TENANT_ID=" + f.TenantID(), "AZURE_CLIENT_ID=" + f.ClientID(), "AZURE_CLIENT_SECRET=" + secret}
}

func runPull(t *testing.T, cmd *exec.Cmd) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), o.String(), e.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, o.String(), e.String()
}

func pulledCount(t *testing.T, dir string) int64 {
	t.Helper()
	db, err := engine.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.Count()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func fakeTotal(f *fakegraph.Server) int64 {
	var n int64
	for _, typ := range []string{"interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity"} {
		n += int64(f.Count(typ))
	}
	return n
}

// The command, in a process of its own, authenticates with a client
// secret from the environment through azidentity against the fake
// authority, pulls every type over TLS through a throttled response and
// a dropped connection, and a second run adds nothing; the secret shows
// nowhere. A wrong secret fails with exit 2, and does not show either.
func TestPullGraphProcess(t *testing.T) {
	f, ca := graphFake(t, 2000)
	db := filepath.Join(t.TempDir(), "store")
	f.After(4)
	f.Throttle(1, http.StatusTooManyRequests, "0")
	f.After(3)
	f.Drop(1)
	secret := f.ClientSecret()
	code, stdout, stderr := runPull(t, pullChild(f, ca, db, secretEnv(f, secret)))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Logf("first pull:\n%s", stderr)
	if strings.Contains(stdout+stderr, secret) {
		t.Errorf("the secret shows: %s%s", stdout, stderr)
	}
	for _, typ := range []string{"interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity"} {
		if !strings.Contains(stderr, "signinq: "+typ+": ") || !strings.Contains(stderr, "read through "+pullNow) {
			t.Errorf("no summary of %s:\n%s", typ, stderr)
		}
	}
	if !strings.Contains(stderr, "(1 throttled)") || !strings.Contains(stderr, "connection dropped") {
		t.Errorf("the throttling and the dropped connection are not reported:\n%s", stderr)
	}
	if n := pulledCount(t, db); n != fakeTotal(f) {
		t.Errorf("store holds %d, the fake %d", n, fakeTotal(f))
	}
	code, _, stderr = runPull(t, pullChild(f, ca, db, secretEnv(f, secret)))
	if code != 0 || strings.Count(stderr, ", 0 new,") != 4 {
		t.Errorf("second pull: exit %d:\n%s", code, stderr)
	}

	wrong := "not-" + secret
	code, stdout, stderr = runPull(t, pullChild(f, ca, db, secretEnv(f, wrong)))
	if code != exitError || !strings.Contains(stderr, "AADSTS7000215") || strings.Contains(stdout+stderr, wrong) {
		t.Errorf("wrong secret: exit %d:\n%s%s", code, stdout, stderr)
	}
}

// A bearer token from a file works as the credential; a store another
// process holds is refused with exit 3, pointing to serve --pull graph.
func TestPullGraphTokenFileAndHeldStore(t *testing.T) {
	f, ca := graphFake(t, 500)
	dir := t.TempDir()
	db := filepath.Join(dir, "store")
	tok := filepath.Join(dir, "token")
	token := f.IssueToken()
	if err := os.WriteFile(tok, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runPull(t, pullChild(f, ca, db, nil, "--token-file", tok, "--types", "interactiveUser,servicePrincipal"))
	if code != 0 || strings.Contains(stdout+stderr, token) {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if n, want := pulledCount(t, db), int64(f.Count("interactiveUser")+f.Count("servicePrincipal")); n != want {
		t.Errorf("store holds %d, want %d", n, want)
	}
	held, err := engine.Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	code, _, stderr = runPull(t, pullChild(f, ca, db, nil, "--token-file", tok))
	if code != exitInUse || !strings.Contains(stderr, "signinq serve --db "+db+" --pull graph") {
		t.Errorf("held store: exit %d:\n%s", code, stderr)
	}
}

// Ctrl-C while the pull waits out a throttled response: it commits what
// it read, exits 130, and a second pull completes the store, nothing
// lost or doubled.
func TestPullGraphInterrupted(t *testing.T) {
	f, ca := graphFake(t, 3000)
	db := filepath.Join(t.TempDir(), "store")
	f.After(40)
	f.Throttle(1, http.StatusTooManyRequests, "300")
	cmd := pullChild(f, ca, db, secretEnv(f, f.ClientSecret()), "--page-size", "100")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for !throttled(f) {
		select {
		case err := <-exited:
			t.Fatalf("exited (%v) before the throttling: %s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := <-exited
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "interrupted after reading") {
		t.Fatalf("interrupted: %v:\n%s", err, stderr.String())
	}
	first := pulledCount(t, db)
	if first == 0 || first >= fakeTotal(f) {
		t.Errorf("interrupted pull stored %d of %d", first, fakeTotal(f))
	}
	code, _, out := runPull(t, pullChild(f, ca, db, secretEnv(f, f.ClientSecret())))
	if code != 0 {
		t.Fatalf("second pull: exit %d:\n%s", code, out)
	}
	if n := pulledCount(t, db); n != fakeTotal(f) {
		t.Errorf("after the second pull the store holds %d, the fake %d", n, fakeTotal(f))
	}
}

func throttled(f *fakegraph.Server) bool {
	for _, r := range f.Requests() {
		if r.Fault == "429" {
			return true
		}
	}
	return false
}

// --since and --until take dates, timestamps and ages.
func TestParseWhen(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) }
	for in, want := range map[string]string{
		"2026-11-01":           "2026-11-01T00:00:00Z",
		"2026-11-01T08:30:00Z": "2026-11-01T08:30:00Z",
		"7d":                   "2026-11-19T10:00:00Z",
		"36h":                  "2026-11-24T22:00:00Z",
	} {
		got, err := parseWhen("--since", in, now)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("parseWhen(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "-3d", "7x"} {
		if _, err := parseWhen("--since", bad, now); err == nil || !strings.Contains(err.Error(), "--since") {
			t.Errorf("parseWhen(%q): %v", bad, err)
		}
	}
}

// A token from a variable: trimmed, its expiry its exp claim; an unset
// or empty variable is an error naming it, never holding a token.
func TestTokenEnv(t *testing.T) {
	cred, err := graphCredential("", "SIGNINQ_TEST_GRAPH_TOKEN", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{}); err == nil || !strings.Contains(err.Error(), "$SIGNINQ_TEST_GRAPH_TOKEN") {
		t.Errorf("unset: %v", err)
	}
	jwt := "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":1795000000,"tid":"t"}`)) + ".c2ln"
	t.Setenv("SIGNINQ_TEST_GRAPH_TOKEN", " Bearer "+jwt+"\n")
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{})
	if err != nil || tok.Token != jwt || tok.ExpiresOn.Unix() != 1795000000 {
		t.Errorf("token %q, expires %s, %v", tok.Token, tok.ExpiresOn, err)
	}
	t.Setenv("SIGNINQ_TEST_GRAPH_TOKEN", "two tokens")
	if _, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{}); err == nil || strings.Contains(err.Error(), "two tokens") {
		t.Errorf("two words: %v", err)
	}
	if _, err := graphCredential("f", "V", ""); err == nil {
		t.Errorf("--token-file and --token-env together accepted")
	}
}

// On a terminal, the pull shows a bar per type: sign-ins read, their
// rate, the share of the window read and what is new.
func TestPullGraphProgressOnTerminal(t *testing.T) {
	f, ca := graphFake(t, 3000)
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte(f.IssueToken()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", ca) // for the child runOnTerminal starts
	shown := runOnTerminal(t, "pull", "graph", "--db", filepath.Join(dir, "store"), "--graph-url", f.URL(), "--token-file", tok, "--now", pullNow, "--page-size", "100")
	for _, want := range []string{"pulling interactiveUser", "pulling managedIdentity", "records/s", "% of the window read", " new", "read through " + pullNow} {
		if !strings.Contains(shown, want) {
			t.Errorf("the terminal does not show %q:\n%q", want, shown)
		}
	}
}
