package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/race"
)

// demoEnds are the days the demo tenant is made to end on in
// TestDemoAnyDate: eight days in a row (every weekday, and the dates on
// which the demo's travel findings once changed), month ends, a year's
// end and a leap day. The clock is a few seconds before midnight, so that
// a run crosses into the next day as it goes.
var demoEnds = []string{
	"2026-12-06T10:00:00Z", "2026-12-07T10:00:00Z", "2026-12-08T10:00:00Z", "2026-12-09T10:00:00Z",
	"2026-12-10T10:00:00Z", "2026-12-11T10:00:00Z", "2026-12-12T10:00:00Z", "2026-12-13T10:00:00Z",
	"2026-11-30T23:59:58Z", "2026-12-31T23:59:58Z", "2027-02-28T23:59:58Z", "2028-02-29T12:00:00Z",
}

// demoEndsRace are the days of demoEnds TestDemoAnyDate runs under -race,
// which makes each ten times slower, and in the quick lane (-short): one
// of the eight days in a row, a month's end, a year's end and a leap day
// (all twelve run without them).
var demoEndsRace = []string{"2026-12-08T10:00:00Z", "2026-11-30T23:59:58Z", "2026-12-31T23:59:58Z", "2028-02-29T12:00:00Z"}

// TestDemoAnyDate makes the demo's tenant as if on each of demoEnds and
// checks what the demo shows of it on every one: each detection finds its
// injected incident and reports nothing that is not an attack. (On some
// days the spray's and the MFA fatigue's successful attackers, who sign
// in from abroad within hours of the account's owner, are also impossible
// travel: travel may report them, and nothing else.)
func TestDemoAnyDate(t *testing.T) {
	t.Parallel()
	for _, s := range race.Quick(demoEnds, demoEndsRace) {
		start, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			moved := time.Now()
			now := func() time.Time { return start.Add(time.Since(moved)) }
			dir := filepath.Join(t.TempDir(), "demo")
			run := func(args ...string) []byte {
				t.Helper()
				var out, errb bytes.Buffer
				if code := Main(args, strings.NewReader(""), &out, &errb, now); code != exitOK {
					t.Fatalf("signinq %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
				}
				return out.Bytes()
			}
			shown := string(run("demo", "--count", "20000", "--dir", dir))
			b, err := os.ReadFile(filepath.Join(dir, demoReady))
			if err != nil {
				t.Fatal(err)
			}
			var tenant demoTenant
			if err := json.Unmarshal(b, &tenant); err != nil {
				t.Fatal(err)
			}
			if want := start.Truncate(24 * time.Hour); !tenant.End.Equal(want) {
				t.Errorf("the tenant ends at %v, want %v (the day the demo ran)", tenant.End, want)
			}
			if !strings.Contains(shown, "The tenant ends at "+tenant.End.Format("2006-01-02 15:04 MST")) {
				t.Errorf("the demo does not say where the tenant ends:\n%s", shown)
			}
			incident := map[string]gen.Incident{}
			attackers := map[string]bool{}
			var attacks []string
			for _, inc := range tenant.Incidents {
				incident[inc.Kind] = inc
				attackers[inc.IP] = true
				attacks = append(attacks, inc.Description)
			}
			rows := func(q string) []map[string]any {
				out := run("query", "--db", dir, "--format", "json", "--now", tenant.End.Format(time.RFC3339), q)
				var rows []map[string]any
				sc := bufio.NewScanner(bytes.NewReader(out))
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					var row map[string]any
					if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
						t.Fatalf("%s: %v in %s", q, err, sc.Text())
					}
					rows = append(rows, row)
				}
				return rows
			}
			one := func(q, kind, col, want string) {
				t.Helper()
				got := rows(q)
				if len(got) != 1 || got[0][col] != want {
					t.Errorf("%s: %v; want one row with %s %s (%s: %s)", q, got, col, want, kind, incident[kind].Description)
				}
			}
			one("list since 30d | spray", gen.IncidentPasswordSpray, "ip", incident[gen.IncidentPasswordSpray].IP)
			one("list since 30d | bruteforce", gen.IncidentBruteForce, "user", incident[gen.IncidentBruteForce].Users[0])
			one("list since 30d | mfafatigue", gen.IncidentMFAFatigue, "user", incident[gen.IncidentMFAFatigue].Users[0])
			travel := incident[gen.IncidentImpossibleTravel]
			found := false
			for _, row := range rows("list since 30d | travel") {
				if row["user"] == travel.Users[0] && row["ip"] == travel.IP {
					found = true
				}
				if !attackers[row["ip"].(string)] && !attackers[row["prev_ip"].(string)] {
					t.Errorf("travel reports %v, which is none of the attacks: %q", row, attacks)
				}
			}
			if !found {
				t.Errorf("travel does not find %s", travel.Description)
			}
		})
	}
}
