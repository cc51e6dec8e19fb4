package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/plugins/standard"
)

// TestIngest posts a log of generated sign-ins (canonical JSON lines,
// and a line that is none) to POST /v1/ingest twice: the first stores
// them all, the second skips them all as duplicates; both reject the bad
// line and say so. A body a web page could send (text/plain), an unknown
// parameter or format, are refused before anything is read.
func TestIngest(t *testing.T) {
	t.Logf("seed %d", testSeed)
	g, err := gen.New(gen.Config{Count: 500, Seed: testSeed, Users: 20, Days: 2, End: testEnd})
	if err != nil {
		t.Fatal(err)
	}
	var log []byte
	if err := g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			log = append(signin.AppendJSON(log, &batch[i].Record), '\n')
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	log = append(log, "{\"id\": \"x\", \"createdDateTime\": \"not a time\"}\n"...)
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(api.New(db, standard.Registry(), api.Options{Now: testNow}))
	defer srv.Close()
	post := func(query, ct string, body []byte) (int, api.IngestAnswer, string) {
		t.Helper()
		resp, err := http.Post(srv.URL+"/v1/ingest"+query, ct, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		var a api.IngestAnswer
		if resp.StatusCode == 200 {
			if err := json.Unmarshal(b.Bytes(), &a); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, a, b.String()
	}
	for i, want := range []struct{ stored, duplicates int64 }{{500, 0}, {0, 500}} {
		status, a, body := post("?name=signins.json", "application/octet-stream", log)
		if status != 200 || a.Stored != want.stored || a.Duplicates != want.duplicates || a.Read != 501 || a.Rejected != 1 || a.Rows != 500 ||
			len(a.RejectTexts) != 1 || !bytes.HasPrefix([]byte(a.RejectTexts[0]), []byte("signins.json:501")) {
			t.Errorf("ingest %d: %d %+v\n%s", i+1, status, a, body)
		}
	}
	for _, tc := range []struct {
		query, ct string
		status    int
	}{
		{"", "text/plain", 415},
		{"", "application/x-www-form-urlencoded", 415},
		{"", "", 415},
		{"?names=x", "application/octet-stream", 400},
		{"?format=nosuch", "application/octet-stream", 400},
		{"?type=nosuch", "application/octet-stream", 400},
	} {
		if status, _, body := post(tc.query, tc.ct, log); status != tc.status {
			t.Errorf("POST /v1/ingest%s (%s): %d, want %d: %s", tc.query, tc.ct, status, tc.status, body)
		}
	}
	if n, _ := db.Count(); n != 500 {
		t.Errorf("the store holds %d sign-ins, want 500", n)
	}
}

// TestIngestStream posts generated sign-ins through a store's socket
// with IngestStream: the events come as the ingest goes (progress that
// never goes back and ends at what was read (the last commit after it), the bad line's reject
// with its position, raw text and text), then the answer. A second post
// stopped halfway through its body (stop closed, the body's trailer
// saying stop) is answered interrupted, with no reject for the record
// the cut split; the same log posted again then stores exactly the rest:
// no sign-in lost nor doubled.
func TestIngestStream(t *testing.T) {
	t.Logf("seed %d", testSeed)
	const n = 3000
	g, err := gen.New(gen.Config{Count: n, Seed: testSeed, Users: 20, Days: 2, End: testEnd})
	if err != nil {
		t.Fatal(err)
	}
	var log []byte
	if err := g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			log = append(signin.AppendJSON(log, &batch[i].Record), '\n')
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	bad := "{\"id\": \"x\", \"createdDateTime\": \"not a time\"}\n"
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	s, err := api.ServeSocket(dir, api.New(db, standard.Registry(), api.SocketOptions(api.Options{Now: testNow})))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(0)
	c, err := api.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	// Half the log, stopped in the middle of a record.
	half := len(log) / 2
	if log[half-1] == '\n' {
		half++
	}
	stop := make(chan struct{})
	body := &halting{parts: [][]byte{log[:half]}, stop: stop}
	var progressed int
	a, err := c.IngestStream(ctx, body, api.IngestRequest{Name: "half.json"}, stop, func(ev api.IngestEvent) {
		if ev.Progress != nil {
			progressed++
		}
		if ev.Reject != nil {
			t.Errorf("a reject from a stopped ingest: %+v", ev.Reject)
		}
	})
	whole := int64(bytes.Count(log[:half], []byte("\n")))
	if err != nil || !a.Interrupted || a.Rejected != 0 || a.Truncated != 0 || a.Stored > whole || a.Stored == 0 || a.Rows != a.Stored {
		t.Fatalf("stopped after %d whole records: %+v, %v", whole, a, err)
	}
	if c, _ := db.Count(); c != a.Stored {
		t.Errorf("the store holds %d sign-ins, the answer says %d were stored", c, a.Stored)
	}
	first := a.Stored

	// All of it, and a bad line.
	var events []api.IngestEvent
	a, err = c.IngestStream(ctx, bytes.NewReader(append(log, bad...)), api.IngestRequest{Name: "all.json"}, nil, func(ev api.IngestEvent) {
		events = append(events, ev)
	})
	if err != nil || a.Interrupted || a.Stored != n-first || a.Duplicates != first || a.Read != n+1 || a.Rejected != 1 || a.Rows != n {
		t.Fatalf("the whole log after %d stored: %+v, %v", first, a, err)
	}
	var last api.IngestProgress
	rejects := 0
	for _, ev := range events {
		switch {
		case ev.Progress != nil:
			p := *ev.Progress
			if p.Bytes < last.Bytes || p.Read < last.Read || p.Stored < last.Stored || p.Duplicates < last.Duplicates {
				t.Errorf("progress went back: %+v after %+v", p, last)
			}
			last = p
		case ev.Reject != nil:
			rejects++
			r := ev.Reject
			if r.Input != "all.json" || r.Line != n+1 || r.Raw != bad[:len(bad)-1] || r.Text == "" || !strings.HasPrefix(r.Text, fmt.Sprintf("all.json:%d", n+1)) {
				t.Errorf("the reject: %+v", r)
			}
		}
	}
	if rejects != 1 || last.Read != a.Read || last.Stored > a.Stored || last.Duplicates > a.Duplicates || last.Bytes != int64(len(log)+len(bad)) {
		t.Errorf("%d rejects; the last progress %+v, the answer %+v", rejects, last, a)
	}
	if c, _ := db.Count(); c != n {
		t.Errorf("the store holds %d sign-ins, want %d", c, n)
	}
}

// halting is a body that reads its parts, then closes stop and waits
// there for the reader to see it.
type halting struct {
	parts [][]byte
	stop  chan struct{}
	done  bool
}

func (h *halting) Read(p []byte) (int, error) {
	if len(h.parts) > 0 {
		n := copy(p, h.parts[0])
		if h.parts[0] = h.parts[0][n:]; len(h.parts[0]) == 0 {
			h.parts = h.parts[1:]
		}
		return n, nil
	}
	if !h.done {
		h.done = true
		close(h.stop)
	}
	return 0, nil
}
