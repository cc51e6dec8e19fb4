package fakegraph

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// get asks the fake for a listing and returns its status and body.
func get(t *testing.T, s *Server, token, query string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/beta/auditLogs/signIns?"+query, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return resp.StatusCode, m
}

func add(t *testing.T, s *Server, typ string, at time.Time, id string) {
	t.Helper()
	obj := fmt.Sprintf(`{"id":%q,"createdDateTime":%q,"signInEventTypes":[%q]}`, id, at.Format(time.RFC3339), typ)
	if err := s.Add(typ, at, id, []byte(obj)); err != nil {
		t.Fatal(err)
	}
}

func ids(m map[string]any) []string {
	var out []string
	for _, v := range m["value"].([]any) {
		out = append(out, v.(map[string]any)["id"].(string))
	}
	return out
}

// The fake lists as Graph documents: interactive sign-ins without a type
// filter, newest first, $top at most 1000, next links that hold their
// place when a sign-in is added between two pages, and a token needed.
func TestListing(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 5 {
		add(t, s, "interactiveUser", t0.Add(time.Duration(i)*time.Minute), fmt.Sprintf("i%d", i))
		add(t, s, "servicePrincipal", t0.Add(time.Duration(i)*time.Minute), fmt.Sprintf("s%d", i))
	}
	tok := s.IssueToken()
	if st, m := get(t, s, "", ""); st != 401 || !strings.Contains(fmt.Sprint(m), "InvalidAuthenticationToken") {
		t.Errorf("no token: %d %v", st, m)
	}
	if st, m := get(t, s, tok, ""); st != 200 || strings.Join(ids(m), ",") != "i4,i3,i2,i1,i0" {
		t.Errorf("no filter: %d %v", st, ids(m))
	}
	if st, _ := get(t, s, tok, "$top=1001"); st != 400 {
		t.Errorf("$top=1001: %d", st)
	}
	if st, _ := get(t, s, tok, url.Values{"$filter": {"userId eq 'x'"}}.Encode()); st != 400 {
		t.Errorf("a filter it does not know: %d", st)
	}
	f := fmt.Sprintf("(signInEventTypes/any(t: t eq 'servicePrincipal')) and createdDateTime ge %s and createdDateTime le %s",
		t0.Add(time.Minute).Format(time.RFC3339), t0.Add(3*time.Minute).Format(time.RFC3339))
	st, m := get(t, s, tok, url.Values{"$filter": {f}, "$top": {"2"}}.Encode())
	if st != 200 || strings.Join(ids(m), ",") != "s3,s2" {
		t.Fatalf("first page: %d %v", st, ids(m))
	}
	add(t, s, "servicePrincipal", t0.Add(150*time.Second), "late") // between the pages' sign-ins
	next, _ := m["@odata.nextLink"].(string)
	u, _ := url.Parse(next)
	st, m = get(t, s, tok, u.RawQuery)
	if st != 200 || strings.Join(ids(m), ",") != "s1" || m["@odata.nextLink"] != nil {
		t.Errorf("second page: %d %v, next %v", st, ids(m), m["@odata.nextLink"])
	}
}
