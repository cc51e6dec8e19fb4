package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/query"
)

// TestQueries checks the standard set: every query checks against the
// language, every SQL names its time window when the query has one, and
// the names are unique.
func TestQueries(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for _, q := range Queries() {
		if seen[q.Text] {
			t.Errorf("%s: twice", q.Text)
		}
		seen[q.Text] = true
		if _, err := query.Prepare(q.Text, nil, nil, now); err != nil {
			t.Errorf("%s: %v", q.Text, err)
		}
		if q.SQL == "" {
			if q.Group != "security" {
				t.Errorf("%s: no SQL", q.Text)
			}
			continue
		}
		if hasWindow := strings.Contains(q.Text, " since "); hasWindow != (q.Window > 0) || hasWindow != strings.Contains(q.SQL, "{from}") {
			t.Errorf("%s: window %v, SQL %s", q.Text, q.Window, q.SQL)
		}
		sql := q.SQLPeer(now, func(t time.Time) string { return "'" + t.Format(time.RFC3339) + "'" }, "hour(time)")
		if strings.ContainsAny(sql, "{}") {
			t.Errorf("%s: placeholders left in %s", q.Text, sql)
		}
	}
}
