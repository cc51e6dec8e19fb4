package query

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// placeRules are Microsoft Sentinel's sign-in rules that count or compare
// places (docs/sentinel.md; the inventory's 7, 15, 54, 58 and 61), with
// place where they build country/state/city; 58 without its | sequence
// (TestSentinelDoc runs it whole), and 61 also with its country-state
// pair as an anti join on the two fields.
var placeRules = []string{
	// 7 and 27: a user's distinct places per application and day.
	`dcount(place) as places where error=0 and type in (interactive, nonInteractive) since 7d group by appId, userId, bin(1d) having places > 2 | spikes k=2.5 min=1`,
	// 15: distributed password cracking, from several places.
	`count as attempts, dcount(place) as places, dcount(ip) as addresses, values(ip) as ips, values(app) as apps, values(reason) as reasons, min(time) as first, max(time) as last where error in @passwordFailures and type in (interactive, nonInteractive) since 1d group by user, type having attempts > 30 and places >= 3`,
	// 54: applications signed in to from nearly one place a sign-in.
	`list time, app, identity, user, country, state, city where type=interactive and app in (count as n, dcount(userId) as accounts, dcount(place) as places, n / places as ratio where type=interactive since 7d group by app having n < 1000 and places > accounts and ratio > 0.8) since 7d`,
	// 58 before its sequence: sign-ins from a place, not one of the 100
	// most common.
	`list time, identity, user, country, state, city where type=interactive and place != "" and place not in (top 100 place where type=interactive since 10d) since 10d`,
	// 61: single-factor successes from an ASN and a place not seen in
	// the 6 days before.
	`list where type=interactive and error=0 and deviceId="" and authRequirement=singleFactorAuthentication and asn not in (list asn where type=interactive and error=0 and time < now - 1d since 7d) and place not in (list place where type=interactive and error=0 and time < now - 1d since 7d) since 1d`,
	`list time, user, ip, asn, country, state, city, app where type=interactive and error=0 and deviceId="" and authRequirement=singleFactorAuthentication and asn not in (list asn where type=interactive and error=0 and time < now - 1d since 7d) since 1d | join anti (list country, state where type=interactive and error=0 and time < now - 1d since 7d) on country, state`,
}

// TestDifferentialPlace runs queries on place through the executor and
// the naive evaluator, which reads the place each record makes from its
// country, state and city, where the executor reads the column the store
// wrote: distinct places per user, groups, comparisons with places
// missing a part, subqueries, and the rules' lines (placeRules) with
// looser thresholds, so that they give rows on the test's data. It
// checks the data has what makes them tell place from city: places
// missing a part, and a user whose places outnumber their cities.
func TestDifferentialPlace(t *testing.T) {
	t.Parallel()
	seed, err := diffSeed()
	if err != nil {
		t.Fatalf("bad seed: %v", err)
	}
	s := diffFixture(t, seed)

	// The data: places known by their country only, without a country,
	// and a city of two countries (diffOddities), so that a user has
	// more places than cities.
	byPlace := map[string]int{}
	places, cities := map[string]map[string]bool{}, map[string]map[string]bool{}
	for i := range s.recs {
		r := &s.recs[i]
		byPlace[r.Place()]++
		if r.User == "" {
			continue
		}
		if places[r.User] == nil {
			places[r.User], cities[r.User] = map[string]bool{}, map[string]bool{}
		}
		if p := r.Place(); p != "" {
			places[r.User][p] = true
		}
		if r.City != "" {
			cities[r.User][r.City] = true
		}
	}
	for _, p := range []string{"US//", "US/Texas/Paris", "FR/Île-de-France/Paris", ""} {
		if byPlace[p] == 0 {
			t.Errorf("seed %d: no sign-in has the place %q: the test data should", seed, p)
		}
	}
	more := 0
	for u := range places {
		if len(places[u]) > len(cities[u]) {
			more++
		}
	}
	if more == 0 {
		t.Errorf("seed %d: no user has more places than cities", seed)
	}

	queries := []string{
		`dcount(place) group by user`,
		`dcount(place) as places, dcount(city) as cities group by user having places > cities`,
		`dcount(place) as places where status=success since 7d group by user, app, bin(1d) having places > 1`,
		`count group by place`,
		`count group by place, country order by count desc limit 20`,
		`values(place) as places where city = "Paris" group by country`,
		`count where place = "US//"`,
		`count where place = "us//" or place = "US/TEXAS/PARIS"`,
		`count where place in ("US//", "FR/Île-de-France/Paris") group by city`,
		`count where place != "" group by country`,
		`count where place = "" group by country, state, city`,
		`count where place startswith "US/" and not place endswith "/" group by state`,
		`count where place contains "/Paris" group by place`,
		`count where place like "*//*" group by place`,
		`top 10 place by dcount(user) where status=failure`,
		`dcountif(place, status=failure) as failedPlaces, dcount(place) as places group by app`,
		`list time, user, place where place = "US//" limit 30`,
		`count where place in (top 5 place) group by user`,
		`count where place not in (list place where status=success since 3d) since 1d group by user`,
		`count group by place | join anti (list place where type=interactive since 3d) on place`,
		// The rules' lines, looser.
		`dcount(place) as places where error=0 and type in (interactive, nonInteractive) since 7d group by appId, userId, bin(1d) having places > 0 | spikes k=1 min=1`,
		`count as attempts, dcount(place) as places, dcount(ip) as addresses, min(time) as first, max(time) as last where status=failure since 3d group by user, type having places >= 2`,
		`list time, app, identity, user, place where type=interactive and app in (count as n, dcount(userId) as accounts, dcount(place) as places where type=interactive since 7d group by app having places > 1) since 1d limit 50`,
		`list time, identity, user, place where type=interactive and place != "" and place not in (top 10 place where type=interactive since 10d) since 10d limit 50`,
		`list time, user, place where type=interactive and error=0 and place not in (list place where type=interactive and error=0 and time < now - 1d since 7d) since 1d`,
	}
	queries = append(queries, placeRules...)
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			for db, name := range diffStoreNames {
				o := diffRun(s, db, q, s.now)
				switch {
				case o.rejected != nil:
					t.Fatalf("seed %d: the executor refuses %s: %v", seed, q, o.rejected)
				case o.diff != "":
					t.Errorf("seed %d, %s, query:\n  %s\n%s", seed, name, q, o.diff)
				}
				if db == 0 {
					t.Logf("%d rows", o.rows)
				}
			}
		})
	}
}

// TestPlaceIsTheRecords checks that the store's place of every sign-in
// is the one its record makes: list reads the column, the records are
// rebuilt from the store without it.
func TestPlaceIsTheRecords(t *testing.T) {
	t.Parallel()
	seed, err := diffSeed()
	if err != nil {
		t.Fatalf("bad seed: %v", err)
	}
	s := diffFixture(t, seed)
	res, err := Run(t.Context(), s.dbs[0], nil, `list id, type, place limit 1000000`, Options{Now: s.now})
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]string]string{}
	for i := range s.recs {
		want[[2]string{s.recs[i].ID, s.recs[i].Type.String()}] = s.recs[i].Place()
	}
	if len(res.Rows) != len(s.recs) {
		t.Fatalf("list gave %d sign-ins, the store holds %d", len(res.Rows), len(s.recs))
	}
	for _, row := range res.Rows {
		k := [2]string{row[0].String(), row[1].String()}
		if got := row[2].String(); got != want[k] {
			t.Errorf("sign-in %s (%s): place %q, its record's %q", k[0], k[1], got, want[k])
		}
	}
	if f := signin.Lookup("place"); !f.Derived() {
		t.Error("place is not derived")
	}
}
