package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/result"
)

// formQueries are the queries whose answers the forms are checked on:
// groups, a list with every kind of value, a bin, a note of no data, a
// note of a list's limit, no rows at all.
var formQueries = []struct {
	text      string
	now       string
	listLimit int
}{
	{text: "count group by app order by count desc, app"},
	{text: "list time, user, ip, status, error, authMethod, compliant, latitude, risk where status=failure order by time limit 50"},
	{text: "count since 2d group by bin(1h)"},
	{text: "count since 1h", now: "2030-01-01"},
	{text: "list time, user order by time", listLimit: 7},
	{text: "list time, user where user = \"nobody@nowhere.example\""},
	{text: "dcount(user), avg(latency), max(time) - min(time) as span group by type"},
}

// local runs a query as signinq query does, with the json and csv
// writers: what the API must answer.
func local(t *testing.T, reg *plugins.Registry, text, now string, listLimit int, format string) (cols []result.Column, out string, notes []result.Note) {
	t.Helper()
	opts := query.Options{Now: testEnd, DefaultListLimit: listLimit}
	if now != "" {
		tm, err := query.ParseTime(now)
		if err != nil {
			t.Fatal(err)
		}
		opts.Now = tm
	}
	o, err := query.Exec(context.Background(), testStore(t), reg, text, opts)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	defer o.Rows.Close()
	p, _ := reg.Lookup(format)
	var buf bytes.Buffer
	if err := p.(plugins.Writer).Write(&buf, o.Rows.Columns, o.Rows.All(), plugins.WriteOptions{}); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return o.Rows.Columns, buf.String(), o.Rows.Notes
}

func columnsJSON(cols []result.Column) []api.Column {
	out := make([]api.Column, len(cols))
	for i, c := range cols {
		out[i] = api.Column{Name: c.Name, Kind: c.Kind.String(), Field: c.Field, Key: c.Key}
		if c.Bin != 0 {
			out[i].Bin = c.Bin.String()
		}
	}
	return out
}

func noteTexts(notes []result.Note) []string {
	var out []string
	for _, n := range notes {
		out = append(out, n.String())
	}
	return out
}

func mustEqualJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// TestQueryForms checks each form's answer against what the json and
// csv writers write for the same query through query.Exec: the json
// form's rows are the json writer's lines, the ndjson form is those
// lines, the csv form the csv writer's output; the columns with their
// kinds, and the notes.
func TestQueryForms(t *testing.T) {
	s := newServer(t, api.Options{})
	for _, q := range formQueries {
		t.Run(q.text, func(t *testing.T) {
			cols, lines, notes := local(t, s.reg, q.text, q.now, q.listLimit, "json")
			_, csvText, _ := local(t, s.reg, q.text, q.now, q.listLimit, "csv")
			req := api.QueryRequest{Query: q.text, Now: q.now, ListLimit: q.listLimit}

			// json: one document.
			resp, body := s.do("POST", "/v1/query", req)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("json: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			var doc struct {
				Columns []api.Column      `json:"columns"`
				Rows    []json.RawMessage `json:"rows"`
				Notes   []api.Note        `json:"notes"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatalf("json: %v: %s", err, body)
			}
			mustEqualJSON(t, "json columns", doc.Columns, columnsJSON(cols))
			var rows strings.Builder
			for _, r := range doc.Rows {
				rows.Write(r)
				rows.WriteByte('\n')
			}
			if rows.String() != lines {
				t.Errorf("json rows:\n got %s\nwant %s", rows.String(), lines)
			}
			var texts []string
			for _, n := range doc.Notes {
				texts = append(texts, n.Text)
			}
			mustEqualJSON(t, "json notes", texts, noteTexts(notes))
			if len(notes) == 0 && strings.Contains(string(body), `"notes"`) {
				t.Errorf("json: notes without any: %s", body)
			}

			// ndjson, asked by the Accept header, and csv by the format.
			for _, f := range []struct {
				name, accept, param, contentType, want string
			}{
				{"ndjson", "application/x-ndjson", "", "application/x-ndjson", lines},
				{"csv", "", "csv", "text/csv; charset=utf-8", csvText},
			} {
				r := req
				r.Format = f.param
				resp, body := s.do("POST", "/v1/query", r, "Accept", f.accept)
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != f.contentType {
					t.Fatalf("%s: %d %s: %s", f.name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				if string(body) != f.want {
					t.Errorf("%s:\n got %s\nwant %s", f.name, body, f.want)
				}
				var hcols []api.Column
				if err := json.Unmarshal([]byte(resp.Header.Get(api.HeaderColumns)), &hcols); err != nil {
					t.Fatalf("%s: %s %q: %v", f.name, api.HeaderColumns, resp.Header.Get(api.HeaderColumns), err)
				}
				mustEqualJSON(t, f.name+" columns", hcols, columnsJSON(cols))
				var tnotes []api.Note
				if err := json.Unmarshal([]byte(resp.Trailer.Get(api.TrailerNotes)), &tnotes); err != nil {
					t.Fatalf("%s: trailer %s %q: %v", f.name, api.TrailerNotes, resp.Trailer.Get(api.TrailerNotes), err)
				}
				texts = nil
				for _, n := range tnotes {
					texts = append(texts, n.Text)
				}
				mustEqualJSON(t, f.name+" notes", texts, noteTexts(notes))
				if e := resp.Trailer.Get(api.TrailerError); e != "" {
					t.Errorf("%s: error trailer %s", f.name, e)
				}
			}

			// GET, for curl.
			v := url.Values{"q": {q.text}, "format": {"ndjson"}}
			if q.now != "" {
				v.Set("now", q.now)
			}
			if q.listLimit != 0 {
				v.Set("listLimit", "7")
			}
			resp, body = s.do("GET", "/v1/query?"+v.Encode(), nil)
			if resp.StatusCode != http.StatusOK || string(body) != lines {
				t.Errorf("GET: %d:\n got %s\nwant %s", resp.StatusCode, body, lines)
			}
		})
	}
}

// TestQueryNotes checks the notes' structure: a list's limit and a
// range without data, with their numbers and times.
func TestQueryNotes(t *testing.T) {
	s := newServer(t, api.Options{})
	_, body := s.do("POST", "/v1/query", api.QueryRequest{Query: "list time, user", ListLimit: 7})
	var doc struct{ Notes []api.Note }
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Notes) != 1 || doc.Notes[0].Kind != "listlimit" || *doc.Notes[0].Shown != 7 || *doc.Notes[0].Total != 5000 {
		t.Fatalf("list's note: %s", body)
	}
	_, body = s.do("POST", "/v1/query", api.QueryRequest{Query: "count since 1h", Now: "2030-01-01"})
	doc.Notes = nil
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Notes) != 1 || doc.Notes[0].Kind != "nodata" || doc.Notes[0].Last == nil || doc.Notes[0].Last.After(testEnd) ||
		!doc.Notes[0].Now.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("no-data note: %s", body)
	}
}

// TestQueryNow checks that the server's clock is now when the request
// gives none, and that latest is the store's newest sign-in.
func TestQueryNow(t *testing.T) {
	s := newServer(t, api.Options{})
	count := func(now string) string {
		_, body := s.do("POST", "/v1/query", api.QueryRequest{Query: "count since 1d", Now: now, Format: "csv"})
		return string(body)
	}
	_, want, _ := local(t, s.reg, "count since 1d", "", 0, "csv")
	if got := count(""); got != want {
		t.Errorf("now from the server's clock: %q, want %q", got, want)
	}
	if got := count("2030-01-01"); got != "count\n0\n" {
		t.Errorf("now 2030: %q", got)
	}
	if got := count("latest"); got == "count\n0\n" {
		t.Errorf("now latest counted nothing")
	}
}

// TestExplainDefine checks explain's plan and define and undefine's
// answers, in every form.
func TestExplainDefine(t *testing.T) {
	s := newServer(t, api.Options{})
	o, err := query.Exec(context.Background(), testStore(t), s.reg, "explain count where status=failure group by app", query.Options{Now: testEnd})
	if err != nil {
		t.Fatal(err)
	}
	o.Rows.Close()
	for _, format := range []string{"json", "ndjson", "csv"} {
		resp, body := s.do("POST", "/v1/query", api.QueryRequest{Query: "explain count where status=failure group by app", Format: format})
		var doc struct{ Plan string }
		if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v: %s", format, resp.StatusCode, err, body)
		}
		if doc.Plan != o.Rows.Plan || doc.Plan == "" {
			t.Errorf("%s: plan\n%s\nwant\n%s", format, doc.Plan, o.Rows.Plan)
		}
	}
	resp, body := s.do("POST", "/v1/query", api.QueryRequest{Query: "explain analyze count group by type"})
	if !strings.Contains(string(body), `"plan"`) || resp.StatusCode != 200 {
		t.Errorf("explain analyze: %d %s", resp.StatusCode, body)
	}

	resp, body = s.do("POST", "/v1/query", api.QueryRequest{Query: "define apitestfailures = count where status=failure"})
	var saved struct{ Saved api.Saved }
	if err := json.Unmarshal(body, &saved); err != nil || resp.StatusCode != 200 || saved.Saved.Removed || !strings.Contains(saved.Saved.Macro, "apitestfailures") {
		t.Fatalf("define: %d %v: %s", resp.StatusCode, err, body)
	}
	_, body = s.do("POST", "/v1/query", api.QueryRequest{Query: "apitestfailures", Format: "csv"})
	_, want, _ := local(t, s.reg, "count where status=failure", "", 0, "csv")
	if string(body) != want {
		t.Errorf("the saved query: %q, want %q", body, want)
	}
	resp, body = s.do("POST", "/v1/query", api.QueryRequest{Query: "undefine apitestfailures"})
	saved.Saved = api.Saved{}
	if err := json.Unmarshal(body, &saved); err != nil || resp.StatusCode != 200 || !saved.Saved.Removed {
		t.Fatalf("undefine: %d %v: %s", resp.StatusCode, err, body)
	}
}

// TestStreamError checks an error after the first rows of a streamed
// answer: the rows before it, then the error in the trailer for a
// client that reads trailers (TE: trailers), and a cut connection for
// any other, which must not take the rows for the whole answer.
func TestStreamError(t *testing.T) {
	s := newServer(t, api.Options{})
	failing := "/v1/query?format=ndjson&q=" + url.QueryEscape("list time, user order by time | failafter")
	resp, body := s.do("GET", failing, nil, "TE", "trailers")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if n := strings.Count(string(body), "\n"); n != 3 {
		t.Errorf("%d rows before the error, want 3: %s", n, body)
	}
	var e api.Error
	if err := json.Unmarshal([]byte(resp.Trailer.Get(api.TrailerError)), &e); err != nil {
		t.Fatalf("trailer %s %q: %v", api.TrailerError, resp.Trailer.Get(api.TrailerError), err)
	}
	if e.Kind != api.KindFailed || !strings.Contains(e.Message, "failed on purpose") {
		t.Errorf("error %+v", e)
	}
	// Without TE: trailers, the transfer fails after the rows.
	for _, form := range []string{"ndjson", "csv"} {
		plain, err := s.Client().Get(s.URL + strings.Replace(failing, "ndjson", form, 1))
		if err != nil {
			t.Fatal(err)
		}
		got, rerr := io.ReadAll(plain.Body)
		plain.Body.Close()
		if plain.StatusCode != http.StatusOK || rerr == nil {
			t.Errorf("%s without TE: trailers: status %d, read %d bytes with error %v; want the transfer to fail", form, plain.StatusCode, len(got), rerr)
		}
	}
	// In the json form, the same error is the answer.
	resp, body = s.do("POST", "/v1/query", api.QueryRequest{Query: "list time, user order by time | failafter"})
	apiError(t, resp, body, http.StatusInternalServerError, api.KindFailed)
}

// TestStreamUnbuffered checks that a streamed answer is not held by the
// json form's bounds: a thousand rows where the json form refuses ten.
func TestStreamUnbuffered(t *testing.T) {
	s := newServer(t, api.Options{MaxRows: 10})
	resp, body := s.do("POST", "/v1/query", api.QueryRequest{Query: "list time, user limit 1000"})
	e := apiError(t, resp, body, http.StatusUnprocessableEntity, api.KindResult)
	if !strings.Contains(e.Message, "ndjson") || !strings.Contains(e.Message, "10 rows") {
		t.Errorf("message %q says neither the bound nor ndjson", e.Message)
	}
	resp, body = s.do("POST", "/v1/query", api.QueryRequest{Query: "list time, user limit 1000", Format: "ndjson"})
	if resp.StatusCode != 200 || strings.Count(string(body), "\n") != 1000 {
		t.Errorf("ndjson: %d, %d lines", resp.StatusCode, strings.Count(string(body), "\n"))
	}
	resp, body = s.do("POST", "/v1/query", api.QueryRequest{Query: "list time, user limit 10"})
	if resp.StatusCode != 200 {
		t.Errorf("json of ten rows: %d %s", resp.StatusCode, body)
	}
	s2 := newServer(t, api.Options{MaxBytes: 100})
	resp, body = s2.do("POST", "/v1/query", api.QueryRequest{Query: "list time, user limit 1000"})
	apiError(t, resp, body, http.StatusUnprocessableEntity, api.KindResult)
}
