package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
)

// TestCancel checks that a client that hangs up cancels its query: the
// stage stops, the handler returns, and no goroutine is left of the
// request, in each form.
func TestCancel(t *testing.T) {
	stall := newStall()
	h := api.New(testStore(t), testRegistry(t, stall), api.Options{Now: testNow, Timeout: time.Hour})
	returned := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	defer srv.Close()
	for _, format := range []string{"json", "ndjson", "csv"} {
		client := &http.Client{Transport: &http.Transport{}}
		before := runtime.NumGoroutine()
		ctx, cancel := context.WithCancel(context.Background())
		req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/query",
			strings.NewReader(`{"query": "count group by app | stall", "format": "`+format+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		failed := make(chan error, 1)
		go func() {
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
				err = errors.New("answered: " + resp.Status)
			}
			failed <- err
		}()
		watchdog := time.After(time.Minute) // not a timing: so that a bug fails rather than hangs
		select {
		case <-stall.started:
		case err := <-failed:
			t.Fatalf("%s: the query ended before it was cancelled: %v", format, err)
		case <-watchdog:
			t.Fatalf("%s: the query did not start", format)
		}
		cancel() // the client hangs up
		if err := <-failed; !errors.Is(err, context.Canceled) {
			t.Errorf("%s: the client's request: %v", format, err)
		}
		for what, ch := range map[string]chan struct{}{"the stage did not stop": stall.stopped, "the handler did not return": returned} {
			select {
			case <-ch:
			case <-watchdog:
				t.Fatalf("%s: %s", format, what)
			}
		}
		client.CloseIdleConnections()
		goroutinesBack(t, before)
	}
}
