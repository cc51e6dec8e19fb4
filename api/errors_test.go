package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/query"
)

// TestQueryErrors checks the errors of statements: their status and
// kind, and for a query error the position and caret query.Error gives,
// so that a client says what the command says.
func TestQueryErrors(t *testing.T) {
	s := newServer(t, api.Options{})
	for _, tc := range []struct {
		text   string
		status int
		kind   string
		want   string // in the message
	}{
		{"count where status = ", http.StatusBadRequest, api.KindQuery, "ends too soon"},
		{"count where staus = failure", http.StatusBadRequest, api.KindQuery, `did you mean "status"?`},
		{"count\ngroup by ap", http.StatusBadRequest, api.KindQuery, `did you mean "app"?`},
		{"count group by user, ip, app, device", http.StatusUnprocessableEntity, api.KindMemory, "memory"},
		{"count | stall", http.StatusGatewayTimeout, api.KindTimeout, "time limit"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			for _, format := range []string{"json", "ndjson", "csv"} {
				req := api.QueryRequest{Query: tc.text, Format: format, MaxMemory: "64KiB"}
				if tc.kind == api.KindTimeout {
					req.Timeout = "10ms" // the stage waits until then
				}
				resp, body := s.do("POST", "/v1/query", req)
				e := apiError(t, resp, body, tc.status, tc.kind)
				if !strings.Contains(e.Message, tc.want) {
					t.Errorf("%s: message %q, want %q in it", format, e.Message, tc.want)
				}
				if tc.kind != api.KindQuery {
					if e.Position != nil || e.Caret != "" {
						t.Errorf("%s: a position for a %s error: %s", format, tc.kind, body)
					}
					continue
				}
				_, err := query.Exec(context.Background(), testStore(t), s.reg, tc.text, query.Options{Now: testEnd})
				var qe *query.Error
				if !errors.As(err, &qe) {
					t.Fatalf("query.Exec: %v", err)
				}
				if e.Message != qe.Error() || e.Caret != qe.Caret(tc.text) || e.Caret == "" {
					t.Errorf("%s: %q %q, want %q %q", format, e.Message, e.Caret, qe.Error(), qe.Caret(tc.text))
				}
				if p := e.Position; p == nil || p.Line != qe.Pos.Line || p.Column != qe.Pos.Col || p.Offset != qe.Pos.Offset {
					t.Errorf("%s: position %+v, want %+v", format, e.Position, qe.Pos)
				}
			}
		})
	}
}

// TestTimeoutCapped checks that a request's timeout is held to the
// server's maximum, and that the server's default applies without one.
func TestTimeoutCapped(t *testing.T) {
	s := newServer(t, api.Options{Timeout: 5 * 1e6, MaxTimeout: 10 * 1e6}) // 5ms, 10ms
	for _, timeout := range []string{"", "1000h"} {
		resp, body := s.do("POST", "/v1/query", api.QueryRequest{Query: "count | stall", Timeout: timeout})
		apiError(t, resp, body, http.StatusGatewayTimeout, api.KindTimeout)
	}
}

// TestRequestErrors checks malformed requests: each a 4xx JSON error of
// kind request saying what is wrong.
func TestRequestErrors(t *testing.T) {
	s := newServer(t, api.Options{MaxBody: 1000})
	post := func(body string, header ...string) (*http.Response, []byte) {
		return s.do("POST", "/v1/query", body, header...)
	}
	for _, tc := range []struct {
		name   string
		send   func() (*http.Response, []byte)
		status int
		want   string
	}{
		{"not JSON", func() (*http.Response, []byte) { return post(`count`) }, 400, "not a query request"},
		{"unknown member", func() (*http.Response, []byte) { return post(`{"query":"count","tiemout":"1s"}`) }, 400, "tiemout"},
		{"two objects", func() (*http.Response, []byte) { return post(`{"query":"count"}{"query":"count"}`) }, 400, "more after"},
		{"no query", func() (*http.Response, []byte) { return post(`{"now":"latest"}`) }, 400, "no query"},
		{"bad now", func() (*http.Response, []byte) { return post(`{"query":"count","now":"yesterday"}`) }, 400, `now "yesterday"`},
		{"bad timeout", func() (*http.Response, []byte) { return post(`{"query":"count","timeout":"-1s"}`) }, 400, "timeout"},
		{"bad memory", func() (*http.Response, []byte) { return post(`{"query":"count","maxMemory":"lots"}`) }, 400, "maxMemory"},
		{"bad format", func() (*http.Response, []byte) { return post(`{"query":"count","format":"xml"}`) }, 400, `format "xml"`},
		{"negative listLimit", func() (*http.Response, []byte) { return post(`{"query":"count","listLimit":-1}`) }, 400, "listLimit"},
		{"wrong type", func() (*http.Response, []byte) { return post(`{"query":7}`) }, 400, "not a query request"},
		{"not JSON content", func() (*http.Response, []byte) { return post(`{"query":"count"}`, "Content-Type", "text/plain") }, 415, "JSON"},
		{"too large", func() (*http.Response, []byte) { return post(`{"query":"` + strings.Repeat("count ", 200) + `"}`) }, 413, "1000 bytes"},
		{"unknown parameter", func() (*http.Response, []byte) { return s.do("GET", "/v1/query?q=count&fromat=csv", nil) }, 400, `"fromat"`},
		{"GET without q", func() (*http.Response, []byte) { return s.do("GET", "/v1/query?format=csv", nil) }, 400, "no query"},
		{"bad listLimit", func() (*http.Response, []byte) {
			return s.do("GET", "/v1/query?q=count&listLimit="+url.QueryEscape("a lot"), nil)
		}, 400, "listLimit"},
		{"bad escape", func() (*http.Response, []byte) { return s.do("GET", "/v1/query?q=%zz", nil) }, 400, "parameters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tc.send()
			e := apiError(t, resp, body, tc.status, api.KindRequest)
			if !strings.Contains(e.Message, tc.want) {
				t.Errorf("message %q, want %q in it", e.Message, tc.want)
			}
		})
	}
}
