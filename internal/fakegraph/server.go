package fakegraph

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value serves with a made-up
// tenant and client, tokens for an hour, unlimited uses.
type Options struct {
	// TenantID, ClientID and ClientSecret are what the token endpoint
	// accepts; "" means the defaults below.
	TenantID, ClientID, ClientSecret string
	// TokenLife is the expires_in of the tokens issued: 0 means 3599 s.
	TokenLife time.Duration
	// TokenUses is how many Graph requests a token is good for before
	// Graph answers 401 InvalidAuthenticationToken, as for an expired
	// token; 0 means no limit.
	TokenUses int
	// Dir, if set, holds the sign-ins' JSON in a file there instead of
	// in memory.
	Dir string
	// Addr is the address to listen on: "" means 127.0.0.1 and a free
	// port.
	Addr string
	// ThrottleEvery and DropEvery, when positive, answer every so many
	// sign-in requests with 429 (Retry-After: RetryAfter) or a dropped
	// connection, besides the faults queued.
	ThrottleEvery, DropEvery int
	RetryAfter               string
}

// The defaults of Options.
const (
	DefaultTenantID     = "8f2e7c1a-3b4d-4e5f-9a6b-7c8d9e0f1a2b"
	DefaultClientID     = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
	DefaultClientSecret = "fake-secret-Q~not.a.real.one"
)

// Server is a running fake of Graph and of the token endpoint.
type Server struct {
	opts  Options
	srv   *httptest.Server
	store *store

	mu       sync.Mutex
	tokens   map[string]*token
	issued   int
	faults   []fault
	served   int // sign-in requests
	requests []Request
}

// Request is a request the server answered, recorded without its token
// or secret.
type Request struct {
	Method string
	Path   string
	Query  url.Values // decoded; a token request's form without client_secret
	Status int
	Fault  string // the fault served ("429", "503", "drop", "malformed"), or ""
}

// New starts a server; Close stops it.
func New(opts Options) (*Server, error) {
	if opts.TenantID == "" {
		opts.TenantID = DefaultTenantID
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.TokenLife == 0 {
		opts.TokenLife = 3599 * time.Second
	}
	st, err := newStore(opts.Dir)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, store: st, tokens: map[string]*token{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /beta/auditLogs/signIns", s.signIns)
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openID)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(r, http.StatusNotFound, "")
		graphErr(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment '"+r.URL.Path+"'.")
	})
	s.srv = httptest.NewUnstartedServer(mux)
	if opts.Addr != "" {
		s.srv.Listener.Close()
		l, err := listen(opts.Addr)
		if err != nil {
			st.close()
			return nil, err
		}
		s.srv.Listener = l
	}
	s.srv.StartTLS()
	return s, nil
}

// Close stops the server and deletes its file.
func (s *Server) Close() {
	s.srv.Close()
	s.store.close()
}

// URL is the server's base URL (https://127.0.0.1:PORT): the Graph URL
// and the authority host both.
func (s *Server) URL() string { return s.srv.URL }

// Client is an HTTP client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Certificates is the server's certificate, for a pool of roots.
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// WriteCA writes the server's certificate as PEM to path, for
// SSL_CERT_FILE.
func (s *Server) WriteCA(path string) error {
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
	return os.WriteFile(path, b, 0o600)
}

// TenantID, ClientID and ClientSecret are what the token endpoint
// accepts.
func (s *Server) TenantID() string     { return s.opts.TenantID }
func (s *Server) ClientID() string     { return s.opts.ClientID }
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// Requests returns the requests answered so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the requests recorded.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) record(r *http.Request, status int, fault string) {
	q := r.URL.Query()
	if r.Method == http.MethodPost && r.Form != nil {
		q = url.Values{}
		for k, v := range r.PostForm {
			if k != "client_secret" && k != "client_assertion" {
				q[k] = v
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: q, Status: status, Fault: fault})
}

// graphErr writes Graph's error shape.
func graphErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"innerError": map[string]string{"date": "2026-01-01T00:00:00", "request-id": "00000000-0000-0000-0000-000000000000"},
	}})
}

// hostURL is the scheme and host the client used.
func hostURL(r *http.Request) string {
	return "https://" + r.Host
}

// trimBearer returns the token of an Authorization header.
func trimBearer(h string) (string, bool) {
	t, ok := strings.CutPrefix(h, "Bearer ")
	return t, ok && t != ""
}
