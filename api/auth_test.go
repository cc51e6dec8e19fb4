package api_test

import (
	"bytes"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/signinq/signinq/api"
)

// syncBuffer is a log both the server's goroutines and the test use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAuth checks the bearer token: every route but health refuses a
// request without it or with another (401, WWW-Authenticate), and the
// log of a refusal says its method, path and address, never the token
// given nor the body.
func TestAuth(t *testing.T) {
	const token = "c2VjcmV0LXRva2VuLWZvci10ZXN0cw"
	var log syncBuffer
	s := newServer(t, api.Options{Token: token, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	body := `{"query":"count where user = \"body-secret\""}`
	for _, auth := range []string{"", "Bearer wrong-" + token, "Basic " + token, token, "Bearer " + token + "x", "Bearer"} {
		for _, path := range []string{"/v1/query", "/v1/stats", "/v1/fields", "/v1/plugins", "/openapi.json", "/v1/nothing"} {
			var header []string
			if auth != "" {
				header = []string{"Authorization", auth}
			}
			method, b := "GET", any(nil)
			if path == "/v1/query" {
				method, b = "POST", body
			}
			resp, rb := s.do(method, path, b, header...)
			if path == "/v1/nothing" {
				apiError(t, resp, rb, http.StatusNotFound, api.KindRequest) // no path is no secret
				continue
			}
			apiError(t, resp, rb, http.StatusUnauthorized, api.KindAuth)
			if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("%s %s with %q: WWW-Authenticate %q", method, path, auth, got)
			}
		}
	}
	logged := log.String()
	if !strings.Contains(logged, "path=/v1/stats") || !strings.Contains(logged, "method=POST") || !strings.Contains(logged, "remote=127.0.0.1:") {
		t.Errorf("the log does not say the refused requests:\n%s", logged)
	}
	for _, secret := range []string{token, "wrong-", "body-secret", "Bearer", "Basic"} {
		if strings.Contains(logged, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logged)
		}
	}

	resp, rb := s.do("GET", "/v1/health", nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health without the token: %d %s", resp.StatusCode, rb)
	}
	for _, auth := range []string{"Bearer " + token, "bearer " + token, "Bearer  " + token} {
		resp, rb = s.do("POST", "/v1/query", body, "Authorization", auth)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("with %q: %d %s", auth, resp.StatusCode, rb)
		}
	}
}

// TestTLS queries the API over TLS with a client that trusts the
// server's certificate, with a token, as signinq serve off loopback is.
func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(api.New(testStore(t), testRegistry(t, nil), api.Options{Now: testNow, Token: "tls-token"}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusting client's handshake
	srv.StartTLS()
	defer srv.Close()
	req, err := http.NewRequest("GET", srv.URL+"/v1/query?q=count&format=csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer tls-token")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if resp.StatusCode != 200 || b.String() != "count\n5000\n" || resp.TLS == nil {
		t.Errorf("over TLS: %d %q (TLS %v)", resp.StatusCode, b.String(), resp.TLS != nil)
	}
	// A client that does not trust the certificate is refused.
	if _, err := http.Get(srv.URL + "/v1/health"); err == nil {
		t.Errorf("a client without the server's certificate was answered")
	}
}

// TestLoopbackHosts checks that a server for loopback without a token
// refuses a request naming another host (a name rebound to 127.0.0.1),
// and answers those naming localhost, 127.0.0.1 or ::1.
func TestLoopbackHosts(t *testing.T) {
	s := newServer(t, api.Options{LoopbackHosts: true})
	for host, want := range map[string]int{"evil.example": 403, "evil.example:8274": 403, "127.0.0.1.nip.io": 403, "": 403,
		"localhost:8274": 200, "127.0.0.1": 200, "127.1.2.3:80": 200, "[::1]:8274": 200, "LOCALHOST": 200} {
		req, err := http.NewRequest("GET", s.URL+"/v1/health", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		if host == "" {
			req.Host = "0.0.0.0"
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// TestGetChangesNothing checks that define and undefine, which change
// the store, are refused with GET, which a web page's link or image can
// send; and that a POST must say its body is JSON, which a web page's
// form cannot.
func TestGetChangesNothing(t *testing.T) {
	s := newServer(t, api.Options{})
	for _, q := range []string{"define%20x%20%3D%20count", "undefine%20x"} {
		resp, body := s.do("GET", "/v1/query?q="+q, nil)
		e := apiError(t, resp, body, http.StatusMethodNotAllowed, api.KindRequest)
		if !strings.Contains(e.Message, "POST") || resp.Header.Get("Allow") != "POST" {
			t.Errorf("message %q", e.Message)
		}
	}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		req, err := http.NewRequest("POST", s.URL+"/v1/query", strings.NewReader(`{"query":"define x = count"}`))
		if err != nil {
			t.Fatal(err)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		apiError(t, resp, b, http.StatusUnsupportedMediaType, api.KindRequest)
	}
}
