package query

import (
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/internal/gen"
)

// TestDetect2Anomalies: on the generated month, a user's hourly failures
// decomposed with a line (KQL's series_decompose_anomalies(n, 3, 0,
// "linefit")) flag the hour of the injected brute force: its user's 30
// to 60 wrong passwords within 20 minutes; and the rule-shaped line
// (anomalies, then | where on the baseline and the time) runs.
func TestDetect2Anomalies(t *testing.T) {
	t.Parallel()
	s := d2StoreT(t)
	brute := s.incident(t, gen.IncidentBruteForce)
	res := s.query(t, "count where error=50126 since 30d group by user, bin(1h) | anomalies k=3 trend=linefit")
	var names []string
	for _, c := range res.Columns {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "user time count baseline score flag" {
		t.Fatalf("columns %s", got)
	}
	found := false
	for _, r := range res.Rows {
		if r[5].Int() != 1 || r[4].Float() <= 3 {
			t.Errorf("a row whose flag or score is not an up anomaly at k=3: %v", r)
		}
		h := r[1].Time()
		if strings.EqualFold(r[0].Str(), brute.Users[0]) && !h.Add(time.Hour).Before(brute.Start) && !h.After(brute.End) {
			found = true
			if r[2].Int() < 30 {
				t.Errorf("the brute force's hour holds %v wrong passwords, want at least 30", r[2])
			}
		}
	}
	if !found {
		t.Errorf("anomalies misses the brute force on %s (%s to %s): %d rows, first %v", brute.Users[0], brute.Start, brute.End, len(res.Rows), res.Rows[:min(len(res.Rows), 5)])
	}
	// The brute force's hour is the most anomalous of its user's.
	res = s.query(t, "count where error=50126 and user="+quoteUser(brute.Users[0])+" since 30d group by user, bin(1h) | anomalies k=3 trend=linefit | limit 1")
	if len(res.Rows) != 1 || res.Rows[0][1].Time().Add(time.Hour).Before(brute.Start) || res.Rows[0][1].Time().After(brute.End) {
		t.Errorf("the user's most anomalous hour is not the brute force's: %v", res.Rows)
	}
	// Sentinel's rule shape: anomalies, then the baseline and the last day.
	s.query(t, "count, values(ip) as ips where error != 0 since 14d group by user, bin(1h) | anomalies k=3 trend=linefit | where baseline > 0 and time >= now - 1d")
}

// quoteUser is a user name as a query writes it.
func quoteUser(u string) string { return `"` + u + `"` }
