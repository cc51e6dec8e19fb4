package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// testEnd is the generated sign-ins' end, and the tests' clock: never
// the wall clock.
var testEnd = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func testNow() time.Time { return testEnd }

// testSeed makes the tests' store; it is printed, so that a failure can
// be replayed.
const testSeed = 17

// storeOnce is the tests' store: 5,000 generated sign-ins over 5 days,
// in memory, shared by the package's tests (which only read it, but
// for the define test, which removes what it saves).
var storeOnce = sync.OnceValues(func() (*engine.DB, error) {
	g, err := gen.New(gen.Config{Count: 5000, Seed: testSeed, Users: 40, Days: 5, End: testEnd})
	if err != nil {
		return nil, err
	}
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		return nil, err
	}
	var recs []signin.Record
	err = g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			recs = append(recs, batch[i].Record)
		}
		return nil
	})
	if err == nil {
		_, err = db.IngestRecords(context.Background(), recs)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
})

func testStore(t testing.TB) *engine.DB {
	t.Helper()
	db, err := storeOnce()
	if err != nil {
		t.Fatalf("generating the store (seed %d): %v", testSeed, err)
	}
	return db
}

// stallStage waits until its query is cancelled (by the request, or its
// time limit): a query as slow as the test needs, without a timing. It
// reports when it starts and when it stops.
type stallStage struct {
	started, stopped chan struct{}
}

func newStall() *stallStage {
	return &stallStage{started: make(chan struct{}, 16), stopped: make(chan struct{}, 16)}
}

func (s *stallStage) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "stall", Kind: plugins.KindStage, Help: "waits until the query is cancelled (tests)", Example: "count | stall"}
}

func (s *stallStage) Bind(_ *plugins.Args, in []result.Column) (plugins.Runner, error) {
	return stallRunner{s, in}, nil
}

type stallRunner struct {
	s  *stallStage
	in []result.Column
}

func (r stallRunner) Columns() []result.Column { return r.in }
func (r stallRunner) Run(ctx context.Context, _ *plugins.Env, _ iter.Seq[[]result.Value], _ func([]result.Value) error) error {
	r.s.started <- struct{}{}
	<-ctx.Done()
	r.s.stopped <- struct{}{}
	return ctx.Err()
}

// failStage passes on its first three rows, then fails: an error in the
// middle of an answer.
type failStage struct{}

var errFailStage = errors.New("failafter: failed on purpose after three rows")

func (failStage) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "failafter", Kind: plugins.KindStage, Help: "fails after three rows (tests)", Example: "list | failafter", Streams: true}
}

func (failStage) Bind(_ *plugins.Args, in []result.Column) (plugins.Runner, error) {
	return failRunner{in}, nil
}

type failRunner struct{ in []result.Column }

func (r failRunner) Columns() []result.Column { return r.in }
func (failRunner) Run(ctx context.Context, _ *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	n := 0
	for row := range in {
		if n == 3 {
			return errFailStage
		}
		if err := emit(row); err != nil {
			return err
		}
		n++
	}
	return errFailStage
}

// testRegistry is the standard plugins with the tests' stages.
func testRegistry(t testing.TB, stall *stallStage) *plugins.Registry {
	t.Helper()
	reg := standard.Registry().Clone()
	if stall != nil {
		if err := reg.Register(stall); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.Register(failStage{}); err != nil {
		t.Fatal(err)
	}
	return reg
}

// server is a test server of the API over the tests' store.
type server struct {
	*httptest.Server
	t     *testing.T
	stall *stallStage
	reg   *plugins.Registry
}

// newServer serves the API with opts (its clock the tests') over a
// real listener, closed at the test's end.
func newServer(t *testing.T, opts api.Options) *server {
	t.Helper()
	s := &server{t: t, stall: newStall()}
	s.reg = testRegistry(t, s.stall)
	opts.Now = testNow
	s.Server = httptest.NewServer(api.New(testStore(t), s.reg, opts))
	t.Cleanup(s.Close)
	return s
}

// do sends a request and returns the response, its body read.
func (s *server) do(method, path string, body any, header ...string) (*http.Response, []byte) {
	s.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, b
}

// apiError decodes an error response, checking its status and kind.
func apiError(t *testing.T, resp *http.Response, body []byte, status int, kind string) *api.Error {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var e struct {
		Error *api.Error `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil {
		t.Fatalf("not an error body (%v): %s", err, body)
	}
	if e.Error.Kind != kind || e.Error.Message == "" {
		t.Fatalf("kind %q, want %q (message %q)", e.Error.Kind, kind, e.Error.Message)
	}
	return e.Error
}

// TestRoutes checks 404 and 405 (with Allow), as JSON errors, and HEAD.
func TestRoutes(t *testing.T) {
	s := newServer(t, api.Options{})
	resp, body := s.do("GET", "/v1/nothing", nil)
	apiError(t, resp, body, http.StatusNotFound, api.KindRequest)
	resp, body = s.do("GET", "/", nil)
	apiError(t, resp, body, http.StatusNotFound, api.KindRequest)
	resp, body = s.do("DELETE", "/v1/query", nil)
	apiError(t, resp, body, http.StatusMethodNotAllowed, api.KindRequest)
	if got := resp.Header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow %q, want GET, POST", got)
	}
	resp, body = s.do("POST", "/v1/stats", `{}`)
	apiError(t, resp, body, http.StatusMethodNotAllowed, api.KindRequest)
	if got := resp.Header.Get("Allow"); got != "GET" {
		t.Errorf("Allow %q, want GET", got)
	}
	resp, body = s.do("HEAD", "/v1/health", nil)
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD /v1/health: %d %q", resp.StatusCode, body)
	}
	resp, body = s.do("GET", "/v1/health", nil)
	if resp.StatusCode != http.StatusOK || string(body) != "{\"status\":\"ok\"}\n" {
		t.Errorf("GET /v1/health: %d %q", resp.StatusCode, body)
	}
}

// goroutinesBack waits until the number of goroutines is at most n
// again, failing after a generous watchdog (not a timing: a leak never
// ends).
func goroutinesBack(t *testing.T, n int) {
	t.Helper()
	watchdog := time.After(30 * time.Second)
	for {
		if runtime.NumGoroutine() <= n {
			return
		}
		select {
		case <-watchdog:
			t.Fatalf("%d goroutines, %d before the request: leaked", runtime.NumGoroutine(), n)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
