package gen

import (
	"slices"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

func TestIncidentScaling(t *testing.T) {
	for _, c := range []struct {
		count                int64
		spray, brute, pushes int
	}{
		{10_000, 50, 30, 10},
		{1_000_000, 100, 35, 12},
		{10_000_000, 400, 60, 20},
		{1 << 40, 400, 60, 20},
	} {
		if got := sprayTargets(c.count); got != c.spray {
			t.Errorf("sprayTargets(%d) = %d, want %d", c.count, got, c.spray)
		}
		if got := bruteForceFailures(c.count); got != c.brute {
			t.Errorf("bruteForceFailures(%d) = %d, want %d", c.count, got, c.brute)
		}
		if got := fatiguePushes(c.count); got != c.pushes {
			t.Errorf("fatiguePushes(%d) = %d, want %d", c.count, got, c.pushes)
		}
	}
}

func TestNoIncidents(t *testing.T) {
	for _, cfg := range []Config{
		{Count: incidentMinCount - 1},
		{Count: 50_000, NoIncidents: true},
		{Count: 50_000, Users: incidentMinUsers - 1},
	} {
		if inc := newGen(t, cfg).Incidents(); len(inc) != 0 {
			t.Errorf("%+v: %d incidents, want none", cfg, len(inc))
		}
	}
}

// incidentFixture generates a stream with incidents once for the tests
// below.
func incidentFixture(t *testing.T) (*Generator, []Event, map[string]Incident) {
	t.Helper()
	g := newGen(t, Config{Count: 40_000, Seed: 42, Users: 3000})
	evs := collect(t, g)
	byKind := map[string]Incident{}
	for _, inc := range g.Incidents() {
		if _, dup := byKind[inc.Kind]; dup {
			t.Fatalf("two %s incidents", inc.Kind)
		}
		byKind[inc.Kind] = inc
	}
	if len(byKind) != 4 {
		t.Fatalf("incidents %v, want the four kinds", g.Incidents())
	}
	return g, evs, byKind
}

// fromIP returns the records of the events from ip.
func fromIP(evs []Event, ip string) []*signin.Record {
	var out []*signin.Record
	for i := range evs {
		if evs[i].Record.IP == ip {
			out = append(out, &evs[i].Record)
		}
	}
	return out
}

func TestIncidents(t *testing.T) {
	g, evs, inc := incidentFixture(t)
	start, end := g.window()
	for _, in := range inc {
		if in.Start.Before(start) || !in.End.Before(end) || in.End.Before(in.Start) || in.Description == "" || len(in.Users) == 0 {
			t.Errorf("incident %+v: bad times, description or users", in)
		}
		if in.Kind != IncidentImpossibleTravel {
			if n := len(fromIP(evs, in.IP)); n != in.Count {
				t.Errorf("%s: %d sign-ins from %s, incident says %d", in.Kind, n, in.IP, in.Count)
			}
		}
	}

	t.Run("spray", func(t *testing.T) {
		in := inc[IncidentPasswordSpray]
		if d := in.End.Sub(in.Start); d < 50*time.Minute || d > 2*time.Hour {
			t.Errorf("spray lasts %v, want one to two hours", d)
		}
		bad := map[string]bool{}
		codes := map[int64]int{}
		successes := 0
		for _, r := range fromIP(evs, in.IP) {
			codes[r.Error]++
			if r.Error == 50126 {
				bad[r.User] = true
			}
			if r.Error == 0 {
				successes++
			}
			if r.Type != signin.TypeInteractive || (r.UserAgent != "BAV2ROPC" && r.UserAgent != "python-requests/2.31.0") ||
				r.Protocol != "ropc" || r.Time.Before(in.Start) || r.Time.After(in.End) {
				t.Errorf("spray sign-in %s: type %v, agent %q, protocol %q, time %v", r.ID, r.Type, r.UserAgent, r.Protocol, r.Time)
			}
		}
		if len(bad) < 50 {
			t.Errorf("%d accounts with 50126 from the spray address, want at least 50", len(bad))
		}
		if codes[50053] == 0 || codes[50034] == 0 || successes != 1 {
			t.Errorf("spray outcomes %v, want some 50053 and 50034 and one success", codes)
		}
	})

	t.Run("brute force", func(t *testing.T) {
		in := inc[IncidentBruteForce]
		recs := fromIP(evs, in.IP)
		last := recs[len(recs)-1]
		fails := recs[:len(recs)-1]
		if last.Error != 0 || len(fails) < 30 || len(fails) > 60 {
			t.Fatalf("%d failures then error %d, want 30 to 60 then a success", len(fails), last.Error)
		}
		for _, r := range recs {
			if r.User != in.Users[0] {
				t.Errorf("brute-force sign-in for %s, want %s", r.User, in.Users[0])
			}
		}
		for _, r := range fails {
			if r.Error != 50126 {
				t.Errorf("failure with error %d, want 50126", r.Error)
			}
		}
		if d := fails[len(fails)-1].Time.Sub(fails[0].Time); d > 20*time.Minute {
			t.Errorf("failures span %v, want at most 20 minutes", d)
		}
	})

	t.Run("impossible travel", func(t *testing.T) {
		in := inc[IncidentImpossibleTravel]
		var mine []*signin.Record
		home := ""
		for i := range evs {
			if r := &evs[i].Record; r.User == in.Users[0] {
				mine = append(mine, r)
				if r.IP != in.IP {
					home = evs[i].x.user.country.code
				}
			}
		}
		var abroad *signin.Record
		for _, r := range mine {
			switch {
			case r.Country == home:
			case abroad == nil && r.IP == in.IP && r.Error == 0:
				abroad = r
			default:
				t.Errorf("sign-in %s from %s, want only %s and the incident", r.ID, r.Country, home)
			}
		}
		if abroad == nil || abroad.Country == home || abroad.Country != in.Country {
			t.Fatalf("no successful sign-in from %s (%s)", in.IP, in.Country)
		}
		var before *signin.Record
		for _, r := range mine {
			if r.Country == home && !r.Time.After(abroad.Time) {
				before = r
			}
		}
		if before == nil || abroad.Time.Sub(before.Time) > time.Hour {
			t.Fatalf("no sign-in at home within the hour before %v", abroad.Time)
		}
		km := distanceKm(before.Latitude, before.Longitude, abroad.Latitude, abroad.Longitude)
		if speed := km / abroad.Time.Sub(before.Time).Hours(); speed < 1000 {
			t.Errorf("%.0f km in %v: %.0f km/h is possible", km, abroad.Time.Sub(before.Time), speed)
		}
	})

	t.Run("mfa fatigue", func(t *testing.T) {
		in := inc[IncidentMFAFatigue]
		recs := fromIP(evs, in.IP)
		last := recs[len(recs)-1]
		denied := recs[:len(recs)-1]
		if len(denied) < 10 || len(denied) > 20 || last.Error != 0 {
			t.Fatalf("%d denials then error %d, want 10 to 20 then a success", len(denied), last.Error)
		}
		for _, r := range denied {
			if r.Error != 500121 || r.Details != "MFA denied; user declined the authentication" ||
				!slices.Contains(r.AuthMethods, "Mobile app notification") || r.User != in.Users[0] {
				t.Errorf("denial %s: error %d, details %q, methods %v, user %s", r.ID, r.Error, r.Details, r.AuthMethods, r.User)
			}
		}
		if d := last.Time.Sub(denied[0].Time); d > 35*time.Minute {
			t.Errorf("fatigue spans %v, want about 30 minutes", d)
		}
		if !slices.Contains(last.AuthMethods, "Mobile app notification") || last.AuthRequirement != "multiFactorAuthentication" {
			t.Errorf("approval: methods %v, requirement %s", last.AuthMethods, last.AuthRequirement)
		}
	})
}
