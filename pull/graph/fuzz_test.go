package graph

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// parsePage never panics; what it accepts is a JSON object with a value
// array, and its nextLink is the document's.
func FuzzParsePage(f *testing.F) {
	for _, s := range []string{
		`{"value":[]}`,
		`{"@odata.context":"x","value":[{"id":"a"}],"@odata.nextLink":"https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=x"}`,
		`{"value":{}}`, `{"value":null}`, `[]`, `<html>`, `{"value":[1,2`, `{"value":[],"@odata.nextLink":3}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pg, err := parsePage(b)
		if err != nil {
			return
		}
		// The oracle: encoding/json, keys matched exactly (its struct
		// fields match any case).
		var doc map[string]json.RawMessage
		if !utf8.Valid(b) || json.Unmarshal(b, &doc) != nil {
			return // fastjson accepts a few things encoding/json does not; encoding/json replaces bad UTF-8
		}
		var vals []json.RawMessage
		if json.Unmarshal(doc["value"], &vals) != nil || vals == nil {
			t.Errorf("%q: accepted, value %s", b, doc["value"])
		}
		var next *string
		if raw, ok := doc["@odata.nextLink"]; ok && json.Unmarshal(raw, &next) != nil {
			t.Errorf("%q: nextLink %s accepted", b, raw)
		}
		if next != nil && *next != pg.next || next == nil && pg.next != "" {
			t.Errorf("%q: next %q, want %v", b, pg.next, next)
		}
	})
}

// parseCursor never panics, and reads back what saveCursor writes.
func FuzzParseCursor(f *testing.F) {
	f.Add([]byte(`{"v":1,"through":"2026-11-26T10:00:00Z","saved":"2026-11-26T10:00:05Z"}`))
	f.Add([]byte(`{"v":2,"through":"2026-11-26T10:00:00Z"}`))
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseCursor(b)
		if err != nil {
			return
		}
		if c.V != cursorVersion || c.Through.IsZero() {
			t.Errorf("%q: accepted %+v", b, c)
		}
		out, err := json.Marshal(c)
		if err != nil {
			return // a year beyond 9999 does not marshal
		}
		back, err := parseCursor(out)
		if err != nil || !back.Through.Equal(c.Through) {
			t.Errorf("%q: %s reads back as %+v, %v", b, out, back, err)
		}
	})
}

func TestCursorName(t *testing.T) {
	got := CursorName("https://Graph.Microsoft.US/", "t1", ManagedIdentity)
	if got != "graph.microsoft.us/t1/managedIdentity" {
		t.Errorf("CursorName = %q", got)
	}
	if n := SignInsURL("https://graph.microsoft.com", NonInteractiveUser, t0, t0.Add(time.Hour), 1000); !strings.HasPrefix(n, "https://graph.microsoft.com/beta/auditLogs/signIns?$filter=%28signInEventTypes%2Fany%28t%3A+t+eq+%27nonInteractiveUser%27%29%29+and+createdDateTime+ge+2026-11-26T10%3A00%3A00Z") || !strings.HasSuffix(n, "&$top=1000") {
		t.Errorf("SignInsURL = %s", n)
	}
}
