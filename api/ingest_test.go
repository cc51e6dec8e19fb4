package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
