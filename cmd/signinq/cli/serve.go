package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/pull"
)

// defaultListen is where signinq serve listens unless told: loopback,
// port 8274 (unassigned by IANA; "SIQ" on a phone's keypad, almost).
const defaultListen = "127.0.0.1:8274"

// tokenFileName is the file, in the store's directory, that holds the
// token signinq serve generated, readable by its owner alone.
const tokenFileName = "serve.token"

// shutdownGrace is how long serve lets the requests under way finish
// once stopped, before it cancels their queries and closes.
const shutdownGrace = 5 * time.Second

type serveCmd struct {
	dbFlag
	maxMemoryFlag
	Listen     string        `default:"127.0.0.1:8274" placeholder:"ADDR" help:"The address to listen on, host:port (default 127.0.0.1:8274; port 0 picks a free one, printed). Off loopback a bearer token and TLS are required."`
	TokenFile  string        `name:"token-file" type:"path" placeholder:"FILE" help:"Require the bearer token in FILE (readable by its owner alone). Off loopback without it, a token is generated into the store's serve.token on first start, and kept."`
	TLSCert    string        `name:"tls-cert" type:"path" placeholder:"FILE" help:"Serve HTTPS with this certificate (PEM; with --tls-key): required off loopback."`
	TLSKey     string        `name:"tls-key" type:"path" placeholder:"FILE" help:"The certificate's private key (PEM)."`
	Timeout    time.Duration `default:"30s" placeholder:"DURATION" help:"A query's time limit when its request gives none (default 30s)."`
	MaxTimeout time.Duration `name:"max-timeout" default:"10m" placeholder:"DURATION" help:"The longest time limit a request may ask for (default 10m)."`
	servePull
}

// Run serves the HTTP API (docs/api.md) over the store, which it holds
// open until Ctrl-C or SIGTERM: then it stops taking requests, lets
// those under way finish for a few seconds, cancels the rest, and
// closes the store.
func (c *serveCmd) Run(e *env) error {
	loopback, err := isLoopback(c.Listen)
	if err != nil {
		return err
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both, or neither")
	}
	if !loopback && c.TLSCert == "" {
		return fmt.Errorf("--listen %s is off loopback, where requests and the token would cross the network in the clear: give --tls-cert and --tls-key (or listen on 127.0.0.1)", c.Listen)
	}
	if c.Timeout <= 0 || c.MaxTimeout <= 0 {
		return errors.New("--timeout and --max-timeout must be positive")
	}
	token := ""
	if c.TokenFile != "" {
		if token, err = readToken(c.TokenFile); err != nil {
			return err
		}
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	sources, err := c.sources(e, logger)
	if err != nil {
		return err
	}
	var db *engine.DB
	if len(sources) > 0 {
		db, err = c.open(e, nil) // a store to pull into is made if need be
	} else {
		db, err = c.openExisting(e)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if !loopback && token == "" {
		path := filepath.Join(c.DB, tokenFileName)
		made, err := ensureToken(path)
		if err != nil {
			return err
		}
		if token, err = readToken(path); err != nil {
			return err
		}
		verb := "is in"
		if made {
			verb = "was generated into"
		}
		fmt.Fprintf(e.stderr, "signinq: the bearer token %s %s (send it as Authorization: Bearer TOKEN)\n", verb, path)
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	// The pulls run under their own context: stopped with the server,
	// they commit what they read before the store closes.
	pulling, stopPulls := context.WithCancel(context.Background())
	defer stopPulls()
	var pulls func() []pull.Status
	waitPulls := func() {}
	if len(sources) > 0 {
		var sched *pull.Schedule
		sched, waitPulls = c.startPulls(pulling, e, db, sources, logger)
		pulls = sched.Statuses
	}
	defer waitPulls()
	handler := api.New(db, standard.Registry(), api.Options{
		Now:        e.now,
		Timeout:    min(c.Timeout, c.MaxTimeout),
		MaxTimeout: c.MaxTimeout,
		MaxMemory:  int64(c.MaxMemory),
		Token:      token,
		// Without a token on loopback, only requests that name it:
		// no web page reaches the store through DNS rebinding.
		LoopbackHosts: loopback && token == "",
		Logger:        logger,
		Pulls:         pulls,
	})
	// The requests' contexts, which their queries run under: cancelled
	// when the grace after a stop has passed.
	base, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	// The requests under way, which the store must outlive: each holds
	// a read lock, which the stop takes for writing; one that comes
	// after is refused.
	var inFlight sync.RWMutex
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !inFlight.TryRLock() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, `{"error":{"message":"the server is stopping","kind":"canceled"}}`)
			return
		}
		defer inFlight.RUnlock()
		handler.ServeHTTP(w, r)
	})
	srv := &http.Server{
		Handler:           counted,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          log.New(&prefixWriter{e.stderr}, "", 0),
	}
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	// The user's other signinq processes ask on the store's socket.
	stopSharing := share(e, db, c.DB)
	defer stopSharing(0)
	fmt.Fprintf(e.stderr, "signinq: serving %s on %s://%s\n", c.DB, scheme, ln.Addr())
	served := make(chan error, 1)
	go func() {
		if c.TLSCert != "" {
			served <- srv.ServeTLS(ln, c.TLSCert, c.TLSKey)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-served: // it could not serve: the certificate, most often
		return err
	case <-e.ctx.Done():
	}
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(grace); err != nil {
		cancelRequests() // the queries still running stop
		srv.Close()
	}
	<-served
	stopPulls()
	waitPulls()
	stopSharing(shutdownGrace)
	inFlight.Lock() // after Close too: their queries, cancelled, end soon
	fmt.Fprintf(e.stderr, "signinq: stopped serving %s\n", c.DB)
	return db.Close()
}

// isLoopback reports whether a listen address is on loopback only:
// 127.0.0.0/8, ::1 or localhost. An address without a host (":8274")
// is every interface's, not loopback.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("--listen %q: %v (host:port, e.g. 127.0.0.1:8274)", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// readToken reads a bearer token from a file that its owner alone may
// read: what it holds, less surrounding white space.
func readToken(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("%s can be read or written by others (mode %04o): a token must be its owner's alone (chmod 600 %s)", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(string(b))
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		return "", fmt.Errorf("%s holds no token (one line, without spaces)", path)
	}
	return token, nil
}

// ensureToken makes a token file unless there is one: 32 random bytes,
// base64url, mode 0600. made says whether it made it.
func ensureToken(path string) (made bool, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = f.WriteString(base64.RawURLEncoding.EncodeToString(raw) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return false, err
	}
	return true, nil
}

// prefixWriter writes the HTTP server's own messages (a TLS handshake
// that failed) as the command's.
type prefixWriter struct{ w io.Writer }

func (p *prefixWriter) Write(b []byte) (int, error) {
	if _, err := fmt.Fprintf(p.w, "signinq: %s", b); err != nil {
		return 0, err
	}
	return len(b), nil
}
