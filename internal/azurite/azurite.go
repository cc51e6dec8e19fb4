package azurite

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/signinq/signinq/internal/testcert"
)

// Version is the Azurite release installed.
const Version = "3.37.0"

// Account and Key are Azurite's well-known development account and its
// key (published in Azurite's README; no secret).
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Server is a running Azurite blob service.
type Server struct {
	// URL is the account's blob endpoint, https://127.0.0.1:PORT/devstoreaccount1.
	URL string
	// ConnectionString names the account, its key and URL, as
	// AZURE_STORAGE_CONNECTION_STRING holds one.
	ConnectionString string
	// CertFile is the PEM file of the certificate the server presents
	// (self-signed, for 127.0.0.1): a process trusts it through
	// SSL_CERT_FILE.
	CertFile string
	// Pool holds that certificate, for a client in the test's process;
	// HTTPClient is a client that trusts it.
	Pool       *x509.CertPool
	HTTPClient *http.Client

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// Binary returns the path of azurite-blob, installing it first if needed.
func Binary() (string, error) {
	if p := os.Getenv("SIGNINQ_AZURITE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("azurite: SIGNINQ_AZURITE: %w", err)
		}
		return p, nil
	}
	return Install()
}

// Dir is the directory Install installs Version into.
func Dir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("azurite: no cache directory to install it into (set XDG_CACHE_HOME, or SIGNINQ_AZURITE to azurite-blob's path): %w", err)
	}
	return filepath.Join(cache, "signinq-test", "azurite", Version), nil
}

// Install installs Azurite's Version with npm into Dir, unless it is
// there, and returns the path of its azurite-blob. It holds a lock on a
// file beside Dir meanwhile, so that test processes started together
// install it once; an interrupted install leaves nothing that is taken
// for a whole one.
func Install() (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("azurite: %w", err)
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", fmt.Errorf("azurite: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("azurite: locking %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil // another process installed it meanwhile
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("azurite: azurite-blob is not installed (%s), and npm, which installs it, is not found: install Node.js 20 or later with npm, or run .ci/run, which installs Azurite before the tests (or set SIGNINQ_AZURITE to azurite-blob's path)", bin)
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", fmt.Errorf("azurite: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", fmt.Errorf("azurite: %w", err)
	}
	cmd := exec.Command(npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "azurite@"+Version)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("azurite: npm install azurite@%s in %s: %w\n%s", Version, tmp, err, out)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("azurite: %w", err)
	}
	return bin, nil
}

// startWait is how long Start waits for Azurite to listen.
const startWait = 2 * time.Minute

// Start starts Azurite's blob service for a test and stops it when the
// test ends. It fails the test (never skips it) when Azurite cannot be
// installed or started, saying why.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile, pool, err := testcert.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	var s *Server
	for attempt := 0; ; attempt++ {
		s, err = start(bin, dir, certFile, keyFile)
		if err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	s.CertFile, s.Pool = certFile, pool
	s.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return s
}

// start runs azurite-blob on a free port and waits until it listens.
func start(bin, dir, certFile, keyFile string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
		"--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
		"--cert", certFile, "--key", keyFile)
	cmd.Dir = dir // whatever it writes beside its data
	pr, pw := io.Pipe()
	out := &syncBuffer{}
	cmd.Stdout = io.MultiWriter(pw, out)
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("azurite: starting %s: %w", bin, err)
	}
	s := &Server{cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		pw.Close()
		close(s.done)
	}()
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		found := false
		for sc.Scan() {
			if !found && strings.Contains(sc.Text(), "successfully listens on") {
				found = true
				listening <- true
			}
		}
		if !found {
			listening <- false
		}
		io.Copy(io.Discard, pr)
	}()
	timer := time.NewTimer(startWait)
	defer timer.Stop()
	select {
	case ok := <-listening:
		if !ok {
			<-s.done
			return nil, fmt.Errorf("azurite: %s exited before listening on port %d: %v\n%s", bin, port, cmd.ProcessState, out.String())
		}
	case <-timer.C:
		s.stop()
		return nil, fmt.Errorf("azurite: %s did not listen on port %d within %s:\n%s", bin, port, startWait, out.String())
	}
	s.URL = fmt.Sprintf("https://127.0.0.1:%d/%s", port, Account)
	s.ConnectionString = fmt.Sprintf("DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;", Account, Key, s.URL)
	return s, nil
}

// stop ends the server: SIGTERM, then SIGKILL if it lingers.
func (s *Server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Output is what the server printed so far, for a failing test's log.
func (s *Server) Output() string { return s.out.String() }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("azurite: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer is a buffer written by a process's output copiers and read
// by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
