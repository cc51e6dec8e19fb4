package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoadPercentiles checks a report's latencies: nearest-rank
// percentiles and the largest, overall and per query, whatever order
// the requests finished in.
func TestLoadPercentiles(t *testing.T) {
	cfg := LoadConfig{URL: "http://127.0.0.1:1", Queries: []string{"a", "b"}, Now: "latest", Concurrency: 2}
	var outs []outcome
	// Query a: 1..100 ms, in reverse; query b: 1000 ms, once, an error.
	for i := 100; i >= 1; i-- {
		outs = append(outs, outcome{query: 0, latency: time.Duration(i) * time.Millisecond, rows: 2})
	}
	outs = append(outs, outcome{query: 1, latency: time.Second, kind: "400 query", message: "bad"})
	rep := summarize(cfg, outs, 2*time.Second)
	if want := (Latency{P50: 50 * time.Millisecond, P90: 90 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}); rep.Queries[0].Latency != want {
		t.Errorf("query a: %+v, want %+v", rep.Queries[0].Latency, want)
	}
	// Overall: 101 latencies, 1..100 ms and 1 s.
	if want := (Latency{P50: 51 * time.Millisecond, P90: 91 * time.Millisecond, P99: 100 * time.Millisecond, Max: time.Second}); rep.Latency != want {
		t.Errorf("overall: %+v, want %+v", rep.Latency, want)
	}
	if rep.Requests != 101 || rep.Errors != 1 || rep.Rows != 200 || rep.RequestsPerSecond != 50.5 {
		t.Errorf("requests %d, errors %d, rows %d, %v/s", rep.Requests, rep.Errors, rep.Rows, rep.RequestsPerSecond)
	}
	if rep.ErrorKinds["400 query"] != 1 || rep.Queries[1].ErrorKinds["400 query"] != 1 || rep.ErrorSamples["400 query"] != "bad" {
		t.Errorf("errors by kind: %v %v %v", rep.ErrorKinds, rep.Queries[1].ErrorKinds, rep.ErrorSamples)
	}
	// No requests: zeros, not a division by zero.
	empty := summarize(cfg, nil, 0)
	if empty.Latency != (Latency{}) || empty.RequestsPerSecond != 0 || empty.Requests != 0 {
		t.Errorf("no requests: %+v", empty)
	}
}

// TestLoadLoopback checks that a run refuses any server off loopback,
// and that its client will not connect to an address off loopback
// whatever a name resolved to.
func TestLoadLoopback(t *testing.T) {
	for _, u := range []string{
		"http://127.0.0.1:8274", "http://127.5.6.7:1", "http://[::1]:8274", "http://localhost:8274", "https://LOCALHOST", "http://127.0.0.1:8274/",
	} {
		if _, err := CheckLoopbackURL(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, tc := range []struct{ url, want string }{
		{"http://10.0.0.1:8274", "is not loopback"},
		{"http://0.0.0.0:8274", "is not loopback"},
		{"http://[::]:8274", "is not loopback"},
		{"http://example.com", "is not loopback"},
		{"http://127.0.0.1.nip.io:8274", "is not loopback"},
		{"http://localhost.example.com", "is not loopback"},
		{"http://[::ffff:10.0.0.1]:1", "is not loopback"},
		{"ftp://127.0.0.1", "want http:// or https://"},
		{"127.0.0.1:8274", `URL "127.0.0.1:8274"`},
		{"http://user:pw@127.0.0.1", "base only"},
		{"http://127.0.0.1/?q=count", "base only"},
		{"http://%zz", "URL"},
	} {
		_, err := CheckLoopbackURL(tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.url, err, tc.want)
		}
		if _, err := Load(context.Background(), LoadConfig{URL: tc.url, Requests: 1}); err == nil {
			t.Errorf("Load ran against %s", tc.url)
		}
	}
	// The dialer refuses an address off loopback before connecting.
	tr := loopbackTransport(1)
	_, err := tr.DialContext(context.Background(), "tcp", "192.0.2.1:80")
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Errorf("dialing 192.0.2.1: %v", err)
	}
}

// TestLoadConfig checks the bounds of a run.
func TestLoadConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  LoadConfig
		want string
	}{
		{LoadConfig{}, "URL"},
		{LoadConfig{URL: "http://127.0.0.1:1"}, "give a duration or a number of requests"},
		{LoadConfig{URL: "http://127.0.0.1:1", Requests: 1, Concurrency: MaxLoadConcurrency + 1}, "want 1 to 64 workers"},
		{LoadConfig{URL: "http://127.0.0.1:1", Requests: 1, Concurrency: -1}, "want 1 to 64 workers"},
		{LoadConfig{URL: "http://127.0.0.1:1", Duration: MaxLoadDuration + time.Second}, "want at most 10m0s"},
		{LoadConfig{URL: "http://127.0.0.1:1", Requests: MaxLoadRequests + 1}, "want at most 1000000"},
		{LoadConfig{URL: "http://127.0.0.1:1", Requests: -1}, "want at most"},
		{LoadConfig{URL: "http://127.0.0.1:1", Requests: 1, Queries: []string{}}, "no queries"},
		{LoadConfig{URL: "http://127.0.0.1:1", Requests: 1, Queries: []string{" "}}, "an empty query"},
		{LoadConfig{URL: "http://127.0.0.1:1", Requests: 1, Timeout: -time.Second}, "positive time limit"},
		{LoadConfig{URL: "http://127.0.0.1:1", Requests: 1, Token: "a b"}, "white space"},
	} {
		rep, err := Load(context.Background(), tc.cfg)
		if err == nil || rep != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error saying %q", tc.cfg, err, tc.want)
		}
	}
}

// TestLoadQueries checks the default mix: the standard set's queries
// without stages and without the benchmark stores' own lists.
func TestLoadQueries(t *testing.T) {
	qs := LoadQueries()
	if len(qs) < 20 {
		t.Fatalf("%d queries in the default mix", len(qs))
	}
	sql := map[string]bool{}
	for _, q := range Queries() {
		sql[q.Text] = q.SQL != ""
	}
	for _, q := range qs {
		if !sql[q] || strings.Contains(q, "@vps") || strings.Contains(q, "@admins") || strings.Contains(q, "@ranges") {
			t.Errorf("in the default mix: %s", q)
		}
	}
}

// fakeServer answers /v1/query as signinq serve does, by the statement:
// "rows N" answers N NDJSON lines, "late" a line then an error in the
// trailer, "bad" a query error (400), "busy" 503 canceled, "plain" a 502
// that is not the API's. It checks each request's form, and counts the
// statements it was sent.
type fakeServer struct {
	t     *testing.T
	token string
	clock *fakeClock
	mu    sync.Mutex
	seen  map[string]int
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct{ Query, Now, Timeout, Format string }
	b, _ := io.ReadAll(r.Body)
	auth := ""
	if f.token != "" {
		auth = "Bearer " + f.token
	}
	if r.Method != "POST" || r.URL.Path != "/v1/query" || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &req) != nil ||
		req.Now != "2026-11-26" || req.Timeout != "1m0s" || req.Format != "ndjson" || r.Header.Get("Authorization") != auth {
		f.t.Errorf("a request not as the API wants: %s %s %v %s", r.Method, r.URL, r.Header, b)
		w.WriteHeader(500)
		return
	}
	f.mu.Lock()
	f.seen[req.Query]++
	f.mu.Unlock()
	// Each query takes a known time on the run's clock.
	switch {
	case strings.HasPrefix(req.Query, "rows "):
		var n int
		fmt.Sscanf(req.Query, "rows %d", &n)
		f.clock.advance(time.Duration(n) * time.Millisecond)
		w.Header().Set("Content-Type", "application/x-ndjson")
		for i := range n {
			fmt.Fprintf(w, "{\"count\":%d}\n", i)
		}
	case req.Query == "late":
		w.Header().Set("Trailer", "Signinq-Error")
		io.WriteString(w, "{\"count\":1}\n")
		w.(http.Flusher).Flush()
		w.Header().Set("Signinq-Error", `{"message":"the query ran past its time limit","kind":"timeout"}`)
	case req.Query == "bad":
		w.WriteHeader(400)
		io.WriteString(w, `{"error":{"message":"1:1: unknown field","kind":"query"}}`)
	case req.Query == "busy":
		w.WriteHeader(503)
		io.WriteString(w, `{"error":{"message":"the server is stopping","kind":"canceled"}}`)
	default:
		w.WriteHeader(502)
		io.WriteString(w, "bad gateway\n")
	}
}

// fakeClock is a run's clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestLoad runs against a fake server on loopback: the queries are sent
// in turn, with the token, now and timeout; rows are counted; errors
// are counted by status and kind (a trailer's too) and do not stop the
// run; the latencies are the run's clock's.
func TestLoad(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	f := &fakeServer{t: t, token: "t0k", clock: clock, seen: map[string]int{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	queries := []string{"rows 3", "rows 10", "late", "bad", "busy", "plain"}
	rep, err := Load(context.Background(), LoadConfig{
		URL: srv.URL, Token: "t0k", Concurrency: 1, Requests: 60, Queries: queries,
		Now: "2026-11-26", Timeout: time.Minute, Clock: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queries {
		if f.seen[q] != 10 {
			t.Errorf("%q sent %d times, want 10: %v", q, f.seen[q], f.seen)
		}
	}
	want := map[string]int64{"200 timeout": 10, "400 query": 10, "503 canceled": 10, "502": 10}
	if rep.Requests != 60 || rep.Errors != 40 || rep.Rows != 10*(3+10+1) || fmt.Sprint(rep.ErrorKinds) != fmt.Sprint(want) {
		t.Errorf("requests %d, errors %d %v, rows %d", rep.Requests, rep.Errors, rep.ErrorKinds, rep.Rows)
	}
	if rep.ErrorSamples["502"] != "bad gateway" || rep.ErrorSamples["200 timeout"] != "the query ran past its time limit" {
		t.Errorf("samples: %q", rep.ErrorSamples)
	}
	if l := rep.Queries[1].Latency; l.P50 != 10*time.Millisecond || l.Max != 10*time.Millisecond || rep.Queries[1].Rows != 100 || rep.Queries[1].Errors != 0 {
		t.Errorf("rows 10: %+v", rep.Queries[1])
	}
	if rep.Latency.Max != 10*time.Millisecond || rep.Elapsed != 130*time.Millisecond || rep.RequestsPerSecond != 60/0.13 {
		t.Errorf("latency %+v, elapsed %v, %v/s", rep.Latency, rep.Elapsed, rep.RequestsPerSecond)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"60 requests in 130ms from 1 workers", "| **all** | 60 | 40 | 140 | 0.0 ms | 10.0 ms | 10.0 ms | 10.0 ms |", "| `rows 10` | 10 | 0 | 100 | 10.0 ms |", "| 503 canceled | 10 | the server is stopping |"} {
		if !strings.Contains(md.String(), s) {
			t.Errorf("the Markdown report lacks %q:\n%s", s, md.String())
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back LoadReport
	if err := json.Unmarshal(b, &back); err != nil || back.Requests != 60 || back.Queries[1].Latency != rep.Queries[1].Latency {
		t.Errorf("the JSON report read back: %v %+v", err, back)
	}
}

// TestLoadBounded checks that a run stops: after its duration, on the
// run's clock, with the requests under way finished; and when its
// context is cancelled, with the report of what finished and the
// context's error.
func TestLoadBounded(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	f := &fakeServer{t: t, clock: clock, seen: map[string]int{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	rep, err := Load(context.Background(), LoadConfig{
		URL: srv.URL, Concurrency: 1, Duration: 100 * time.Millisecond, Queries: []string{"rows 7"},
		Now: "2026-11-26", Timeout: time.Minute, Clock: clock.Now,
	})
	// Each request moves the clock 7 ms: 15 start before 100 ms.
	if err != nil || rep.Requests != 15 || rep.Errors != 0 || f.seen["rows 7"] != 15 {
		t.Fatalf("%v: %+v, %v", err, rep, f.seen)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // then the server watches the connection
		if n.Add(1) == 5 {
			cancel()
			<-r.Context().Done() // the client hung up
			return
		}
		io.WriteString(w, "{}\n")
	}))
	defer slow.Close()
	rep, err = Load(ctx, LoadConfig{URL: slow.URL, Concurrency: 1, Requests: 100, Queries: []string{"count"}})
	if err != context.Canceled || rep == nil || rep.Requests != 4 || rep.Errors != 0 {
		t.Fatalf("cancelled: %v %+v", err, rep)
	}
}
