package logfile

import (
	"testing"
)

// TestCanonicalPlace checks that the canonical form's place, a derived
// field, is not read: a record's place is made from its country, state
// and city, whatever the line says, and a line whose place disagrees or
// has no location is read, not rejected.
func TestCanonicalPlace(t *testing.T) {
	data := `{"time":"2025-01-01T00:00:00Z","id":"a","type":"interactive","country":"US","state":"Texas","city":"Paris","place":"US/Texas/Paris"}
{"time":"2025-01-01T00:00:01Z","id":"b","type":"interactive","country":"FR","place":"US/Texas/Paris"}
{"time":"2025-01-01T00:00:02Z","id":"c","type":"interactive","place":"US//"}
{"time":"2025-01-01T00:00:03Z","id":"d","type":"interactive","place":17}
`
	recs, rejects, _ := scan(t, Options{}, write(t, t.TempDir(), "places.jsonl", []byte(data)))
	if len(rejects) != 0 {
		t.Fatalf("rejects: %v", rejects)
	}
	want := []string{"US/Texas/Paris", "FR//", "", ""}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, w := range want {
		if got := recs[i].Place(); got != w {
			t.Errorf("record %s: place %q, want %q", recs[i].ID, got, w)
		}
	}
}
