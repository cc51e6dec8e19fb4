package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/plugins/standard"
)

// FuzzQueryRequest sends arbitrary query requests, as a body or as the
// URL's parameters, with an arbitrary Accept header: the handler never
// panics, and answers either a result (200, in the form asked) or a JSON
// error of a known kind with a message.
func FuzzQueryRequest(f *testing.F) {
	for _, seed := range []struct {
		post         bool
		params, body string
		accept       string
	}{
		{true, "", `{"query":"count group by app"}`, ""},
		{true, "format=csv", `{"query":"list time, user limit 3","now":"latest"}`, ""},
		{true, "", `{"query":"count","timeout":"1s","maxMemory":"1MiB","listLimit":2,"format":"ndjson"}`, ""},
		{true, "", `{"query":"count where staus=failure"}`, "text/csv"},
		{true, "", `{"query":"explain count"}`, ""},
		{true, "", `{"query":1}`, ""},
		{true, "", `{"query":"count"} x`, ""},
		{true, "", `{"query":"count","now":"2026-13-45"}`, ""},
		{true, "", "\xff\xfe", ""},
		{false, "q=count&format=ndjson", "", ""},
		{false, "q=list+time&listLimit=5", "", "application/x-ndjson"},
		{false, "q=%zz", "", ""},
		{false, "query=count&now=latest&timeout=5m", "", "text/csv;q=0.9, application/json"},
		{false, "q=count&listLimit=-3", "", ""},
	} {
		f.Add(seed.post, seed.params, seed.body, seed.accept)
	}
	// Small limits: whatever the fuzzer writes, each request ends soon.
	h := api.New(testStore(f), standard.Registry(), api.Options{Now: testNow, MaxTimeout: 2 * time.Second, MaxRows: 1000, MaxMemory: 64 << 20, MaxBody: 4096})
	kinds := []string{api.KindQuery, api.KindMemory, api.KindResult, api.KindTimeout, api.KindCanceled, api.KindStore, api.KindFailed, api.KindInternal, api.KindRequest}
	f.Fuzz(func(t *testing.T, post bool, params, body, accept string) {
		method := "GET"
		if post {
			method = "POST"
		}
		req := httptest.NewRequest(method, "/v1/query", strings.NewReader(body))
		req.URL.RawQuery = params
		if post {
			req.Header.Set("Content-Type", "application/json")
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		ct := resp.Header.Get("Content-Type")
		if resp.StatusCode == http.StatusOK {
			switch ct {
			case "application/json":
				var doc map[string]json.RawMessage
				if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
					t.Fatalf("200 json, not a document: %v: %q", err, rec.Body.String())
				}
			case "application/x-ndjson":
				for line := range strings.Lines(rec.Body.String()) {
					if !json.Valid([]byte(line)) {
						t.Fatalf("200 ndjson, a line not JSON: %q", line)
					}
				}
			case "text/csv; charset=utf-8":
			default:
				t.Fatalf("200 with Content-Type %q", ct)
			}
			return
		}
		var e struct{ Error *api.Error }
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || ct != "application/json" {
			t.Fatalf("status %d, not a JSON error (%v, %s): %q", resp.StatusCode, err, ct, rec.Body.String())
		}
		known := false
		for _, k := range kinds {
			known = known || e.Error.Kind == k
		}
		if !known || e.Error.Message == "" || resp.StatusCode < 400 {
			t.Fatalf("status %d, error %+v", resp.StatusCode, e.Error)
		}
	})
}
