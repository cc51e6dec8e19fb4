package cli

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/azurite"
	"github.com/signinq/signinq/internal/gen"
)

// storageAccount is an Azurite account the tests write blobs to, and the
// environment a signinq process reaches it with.
type storageAccount struct {
	t      *testing.T
	server *azurite.Server
	client *azblob.Client
	env    []string // AZURE_STORAGE_CONNECTION_STRING, SSL_CERT_FILE
}

func newStorageAccount(t *testing.T) *storageAccount {
	t.Helper()
	s := azurite.Start(t)
	o := &azblob.ClientOptions{}
	o.Transport = s.HTTPClient
	c, err := azblob.NewClientFromConnectionString(s.ConnectionString, o)
	if err != nil {
		t.Fatal(err)
	}
	return &storageAccount{t: t, server: s, client: c,
		env: []string{"AZURE_STORAGE_CONNECTION_STRING=" + s.ConnectionString, "SSL_CERT_FILE=" + s.CertFile}}
}

// appendTo appends data to an append blob, creating it and its container
// when they are not there.
func (a *storageAccount) appendTo(container, name string, data []byte) {
	a.t.Helper()
	ctx := context.Background()
	if _, err := a.client.CreateContainer(ctx, container, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		a.t.Fatal(err)
	}
	ab := a.client.ServiceClient().NewContainerClient(container).NewAppendBlobClient(name)
	if _, err := ab.GetProperties(ctx, nil); bloberror.HasCode(err, bloberror.BlobNotFound) {
		if _, err := ab.Create(ctx, nil); err != nil {
			a.t.Fatal(err)
		}
	}
	for len(data) > 0 {
		n := min(len(data), 4<<20)
		if _, err := ab.AppendBlock(ctx, streaming.NopCloser(bytes.NewReader(data[:n])), nil); err != nil {
			a.t.Fatal(err)
		}
		data = data[n:]
	}
}

// storageBlob is an hour's blob of generated sign-ins of one type.
type storageBlob struct {
	container, name string
	lines           [][]byte
}

// hourlyBlobs generates n sign-ins of a day (fixed seed and end), as
// diagnostic settings archive them: a container per type, a blob per
// hour.
func hourlyBlobs(t *testing.T, n int64) []*storageBlob {
	t.Helper()
	end := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	g, err := gen.New(gen.Config{Count: n, Seed: 7, Days: 1, End: end, NoIncidents: true, Users: 300})
	if err != nil {
		t.Fatal(err)
	}
	containers := []string{"insights-logs-signinlogs", "insights-logs-noninteractiveusersigninlogs", "insights-logs-serviceprincipalsigninlogs", "insights-logs-managedidentitysigninlogs"}
	byKey := map[string]*storageBlob{}
	var out []*storageBlob
	err = g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			ev := &batch[i]
			h := ev.Record.Time.Truncate(time.Hour)
			c := containers[ev.Record.Type]
			name := fmt.Sprintf("tenantId=%s/y=%04d/m=%02d/d=%02d/h=%02d/m=00/PT1H.json", g.TenantID(), h.Year(), h.Month(), h.Day(), h.Hour())
			b := byKey[c+"/"+name]
			if b == nil {
				b = &storageBlob{container: c, name: name}
				byKey[c+"/"+name] = b
				out = append(out, b)
			}
			b.lines = append(b.lines, append(gen.AppendDiag(nil, ev), '\n'))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func joinLines(lines [][]byte) []byte { return bytes.Join(lines, nil) }

// pullRun runs signinq in a process of its own with extra environment
// variables: its exit status, standard output and error.
func pullRun(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	r := runSigninq(t, env, args...)
	return r.code, r.stdout, r.stderr
}

// noSecret fails the test if the account's key shows in what signinq
// printed.
func noSecret(t *testing.T, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		if strings.Contains(o, azurite.Key) || strings.Contains(o, azurite.Key[:20]) {
			t.Fatalf("the account key shows in signinq's output:\n%s", o)
		}
	}
}

var storedRe = regexp.MustCompile(`stored ([0-9,]+) new sign-ins?, skipped ([0-9,]+) duplicates, rejected ([0-9,]+)`)

// stored is what a pull's summary says it stored, skipped and rejected.
func stored(t *testing.T, stderr string) (n, dups, rejected int64) {
	t.Helper()
	t.Logf("signinq pull storage:\n%s", stderr) // docs/pull.md's counts
	m := storedRe.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no summary in:\n%s", stderr)
	}
	return number(m[1]), number(m[2]), number(m[3])
}

// TestPullStorage runs signinq pull storage against Azurite: blobs
// appended to between pulls (one append ending inside a record), a new
// hour's blob, a pull that finds nothing new, a malformed line rejected
// with its blob and line, the bounds of --since and --until; the account
// key is never printed.
func TestPullStorage(t *testing.T) {
	blobs := hourlyBlobs(t, 4000)
	a := newStorageAccount(t)
	db := filepath.Join(t.TempDir(), "db")
	last := blobs[len(blobs)-1]
	var first int64
	for _, b := range blobs[:len(blobs)-1] {
		a.appendTo(b.container, b.name, joinLines(b.lines[:len(b.lines)/2]))
		first += int64(len(b.lines) / 2)
	}
	code, stdout, stderr := pullRun(t, a.env, "pull", "storage", "--db", db)
	noSecret(t, stdout, stderr)
	if n, d, r := stored(t, stderr); code != 0 || n != first || d != 0 || r != 0 {
		t.Fatalf("first pull: exit %d, want %d stored:\n%s", code, first, stderr)
	}
	if !strings.Contains(stderr, "warning: insights-logs-adfssigninlogs: no such container") {
		t.Errorf("no warning of the missing AD FS container:\n%s", stderr)
	}

	// The rest, the first blob's last record cut short, and a new hour.
	mid := blobs[0]
	var second int64
	var cut []byte
	for _, b := range blobs[:len(blobs)-1] {
		rest := joinLines(b.lines[len(b.lines)/2:])
		second += int64(len(b.lines) - len(b.lines)/2)
		if b == mid {
			cut = b.lines[len(b.lines)-1][50:]
			rest = rest[:len(rest)-len(cut)]
			second--
		}
		a.appendTo(b.container, b.name, rest)
	}
	a.appendTo(last.container, last.name, joinLines(last.lines))
	second += int64(len(last.lines))
	code, stdout, stderr = pullRun(t, a.env, "pull", "storage", "--db", db)
	noSecret(t, stdout, stderr)
	if n, d, r := stored(t, stderr); code != 0 || n != second || d != 0 || r != 0 {
		t.Fatalf("second pull: exit %d, want %d stored:\n%s", code, second, stderr)
	}

	// The record completed, then a malformed line and a good one.
	a.appendTo(mid.container, mid.name, cut)
	a.appendTo(mid.container, mid.name, []byte("{\"time\":\"2026-03-01T\n"))
	code, stdout, stderr = pullRun(t, a.env, "pull", "storage", "--db", db)
	noSecret(t, stdout, stderr)
	wantLine := fmt.Sprintf("signinq: %s/%s:%d:", mid.container, mid.name, len(mid.lines)+1)
	if n, _, r := stored(t, stderr); code != exitRejected || n != 1 || r != 1 || !strings.Contains(stderr, wantLine) {
		t.Fatalf("third pull: exit %d, want 1 stored and 1 rejected at %q:\n%s", code, wantLine, stderr)
	}
	code, stdout, stderr = pullRun(t, a.env, "pull", "storage", "--db", db)
	noSecret(t, stdout, stderr)
	if n, d, r := stored(t, stderr); code != 0 || n != 0 || d != 0 || r != 0 || !strings.Contains(stderr, fmt.Sprintf("0 read (0 again whole), %d unchanged", len(blobs))) {
		t.Fatalf("fourth pull: exit %d, want nothing read:\n%s", code, stderr)
	}
	if n := storeCount(t, db); n != 4000 {
		t.Fatalf("the store holds %d sign-ins, want the 4000 generated", n)
	}

	// --since and --until by the path's hour, into a new store.
	db2 := filepath.Join(t.TempDir(), "db")
	var inside int64
	for _, b := range blobs {
		if strings.Contains(b.name, "/d=01/h=03/") || strings.Contains(b.name, "/d=01/h=04/") {
			if b == mid {
				t.Fatalf("the blob with a malformed line, %s, is of hour 3 or 4", b.name)
			}
			inside += int64(len(b.lines))
		}
	}
	code, _, stderr = pullRun(t, a.env, "pull", "storage", "--db", db2, "--since", "2026-03-01T03:00:00Z", "--until", "2026-03-01T05:00:00Z")
	if n, _, r := stored(t, stderr); n != inside || r != 0 || code != 0 || inside == 0 {
		t.Fatalf("bounded pull: exit %d, want %d stored:\n%s", code, inside, stderr)
	}
}

// TestPullStorageAccount: without an account the command says how to give
// one; a SAS on the command line is refused; a store another process
// holds points to signinq serve --pull.
func TestPullStorageAccount(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	code, _, stderr := pullRun(t, []string{"AZURE_STORAGE_CONNECTION_STRING="}, "pull", "storage", "--db", db)
	if code != exitError || !strings.Contains(stderr, "no storage account: give --account-url") {
		t.Fatalf("no account: exit %d:\n%s", code, stderr)
	}
	code, _, stderr = pullRun(t, nil, "pull", "storage", "--db", db, "--account-url", "https://acct.blob.core.windows.net/?sv=2024&sig=c2VjcmV0c2VjcmV0")
	if code != exitError || strings.Contains(stderr, "c2VjcmV0c2VjcmV0") || !strings.Contains(stderr, "--sas-file") {
		t.Fatalf("a SAS in the URL: exit %d:\n%s", code, stderr)
	}
	// A connection refused: the error names the URL, never the SAS.
	const sig = "U0VDUkVUU0lHTkFUVVJFMTIz"
	sasFile := filepath.Join(t.TempDir(), "sas")
	if err := os.WriteFile(sasFile, []byte("?sv=2024-01-01&ss=b&sig="+sig+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := pullRun(t, nil, "pull", "storage", "--db", db, "--account-url", "https://127.0.0.1:1/devstoreaccount1", "--sas-file", sasFile, "--container", "insights-logs-signinlogs")
	if code != exitError || strings.Contains(stderr+stdout, sig) || !strings.Contains(stderr, "listing container insights-logs-signinlogs") {
		t.Fatalf("a SAS and a connection refused: exit %d:\n%s", code, stderr)
	}
	held, err := engine.Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	code, _, stderr = pullRun(t, []string{"AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=" + azurite.Account + ";AccountKey=" + azurite.Key + ";EndpointSuffix=core.windows.net"}, "pull", "storage", "--db", db)
	if code != exitInUse || !strings.Contains(stderr, "signinq serve --db "+db+" --pull storage") {
		t.Fatalf("a store held: exit %d:\n%s", code, stderr)
	}
}

// gate is a TLS proxy in front of Azurite that holds the download of one
// download until released: a pull stopped while waiting for it is stopped
// midway, whatever the machine's speed.
type gate struct {
	arrived chan struct{}
	release chan struct{}
}

// TestPullStorageInterrupt stops a pull with SIGINT while it waits for a
// blob, then pulls again: exit 130, what was read is committed, and the
// store ends with every sign-in once.
func TestPullStorageInterrupt(t *testing.T) {
	blobs := hourlyBlobs(t, 3000)
	a := newStorageAccount(t)
	var total int64
	for _, b := range blobs {
		a.appendTo(b.container, b.name, joinLines(b.lines))
		total += int64(len(b.lines))
	}
	// The gate holds the tenth download.
	target, _ := url.Parse(a.server.URL)
	g := &gate{arrived: make(chan struct{}), release: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	proxy.Transport = a.server.HTTPClient.Transport
	var order []string
	var mu sync.Mutex
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Query().Get("comp") == "" {
			mu.Lock()
			order = append(order, r.URL.Path)
			n := len(order)
			mu.Unlock()
			if n == 10 { // the first pull's tenth download
				close(g.arrived)
				select {
				case <-g.release:
				case <-r.Context().Done():
					return
				}
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer close(g.release)
	certs := filepath.Join(t.TempDir(), "certs.pem")
	azc, err := os.ReadFile(a.server.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	proxyCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(certs, append(azc, proxyCert...), 0o644); err != nil {
		t.Fatal(err)
	}
	cs := strings.Replace(a.server.ConnectionString, target.Scheme+"://"+target.Host, srv.URL, 1)
	env := []string{"AZURE_STORAGE_CONNECTION_STRING=" + cs, "SSL_CERT_FILE=" + certs}

	db := filepath.Join(t.TempDir(), "db")
	cmd := exec.Command(os.Args[0], "pull", "storage", "--db", db, "--container", blobs[0].container, "--container", "insights-logs-noninteractiveusersigninlogs", "--container", "insights-logs-serviceprincipalsigninlogs", "--container", "insights-logs-managedidentitysigninlogs")
	cmd.Env = append(append(os.Environ(), "SIGNINQ_RUN=1"), env...)
	var stderr syncBuf
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g.arrived:
	case <-time.After(2 * time.Minute): // not a timing: only so that a bug fails rather than hangs
		cmd.Process.Kill()
		t.Fatalf("the pull never asked for the tenth blob:\n%s", stderr.String())
	}
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	m := regexp.MustCompile(`interrupted after reading ([0-9,]+) records from 10 blobs: ([0-9,]+) new sign-ins committed`).FindStringSubmatch(stderr.String())
	if code != 130 || m == nil {
		t.Fatalf("interrupted pull: exit %d, want 130 and what it committed:\n%s", code, stderr.String())
	}
	committed := number(m[2])
	if n := storeCount(t, db); n != committed || n == 0 {
		t.Fatalf("the store holds %d sign-ins; the interrupted pull said %d", n, committed)
	}
	// Straight to Azurite: the store knows the account by its name, not
	// by the endpoint it was reached through.
	code, _, out := pullRun(t, a.env, "pull", "storage", "--db", db)
	if n, d, _ := stored(t, out); code != 0 || n != total-committed || d != 0 {
		t.Fatalf("pull after the interruption: exit %d, want %d stored and no duplicates:\n%s", code, total-committed, out)
	}
	if n := storeCount(t, db); n != total {
		t.Fatalf("the store holds %d sign-ins, want %d", n, total)
	}
}

// syncBuf is a buffer a process writes while the test reads it.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestPullStorageProgress: on a terminal, a pull shows a bar with the
// blobs and sign-ins read.
func TestPullStorageProgress(t *testing.T) {
	blobs := hourlyBlobs(t, 1000)
	a := newStorageAccount(t)
	for _, b := range blobs {
		a.appendTo(b.container, b.name, joinLines(b.lines))
	}
	for _, kv := range a.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	c := startChild(t, nil, "pull", "storage", "--db", filepath.Join(t.TempDir(), "db"))
	code, out := c.wait()
	want := regexp.MustCompile(fmt.Sprintf(`pulling: [0-9]+/%d blobs, [0-9,]+ sign-ins read +[0-9]+%% \|`, len(blobs)))
	if code != 0 || !want.MatchString(out) || !strings.Contains(out, "stored 1,000 new sign-ins") {
		t.Fatalf("exit %d; want a bar matching %q:\n%s", code, want, out)
	}
	noSecret(t, out)
}
