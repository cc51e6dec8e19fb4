package query

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/query/ast"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/benchstore"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/result"
)

// The detection stages (newvalue, travel, spikes) against a generated
// tenant: they must find the attacks the generator injects.

var d2End = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

type d2Store struct {
	db        *engine.DB
	incidents []gen.Incident
}

var d2Once = sync.OnceValues(func() (*d2Store, error) {
	ctx := context.Background()
	g, err := gen.New(gen.Config{Count: 200_000, Seed: 11, Days: 30, Users: 2000, End: d2End})
	if err != nil {
		return nil, err
	}
	recs := make([]signin.Record, 0, 200_000)
	err = g.Generate(ctx, func(batch []gen.Event) error {
		for i := range batch {
			recs = append(recs, batch[i].Record)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		return nil, err
	}
	if _, err := db.IngestRecords(ctx, recs); err != nil {
		db.Close()
		return nil, err
	}
	return &d2Store{db: db, incidents: g.Incidents()}, nil
})

func d2StoreT(t *testing.T) *d2Store {
	t.Helper()
	s, err := d2Once()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *d2Store) incident(t *testing.T, kind string) gen.Incident {
	t.Helper()
	for _, inc := range s.incidents {
		if inc.Kind == kind {
			return inc
		}
	}
	t.Fatalf("the generator injected no %s incident", kind)
	return gen.Incident{}
}

func (s *d2Store) query(t *testing.T, text string) *result.Result {
	t.Helper()
	res, err := Run(t.Context(), s.db, nil, text, Options{Now: d2End})
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return res
}

// d2Quote is a value as a query writes it.
func d2Quote(v result.Value) string { return ast.Quote(v.String()) }

func (s *d2Store) count(t *testing.T, text string) int64 {
	t.Helper()
	res := s.query(t, text)
	if len(res.Rows) != 1 {
		t.Fatalf("%s: %d rows", text, len(res.Rows))
	}
	return res.Rows[0][0].Int()
}

// TestDetect2Travel: travel over the month finds the injected impossible
// travel (its user, from home to the attacker's address and country).
// Every other pair it reports between two countries is another attack's
// success from afar (the spray's, the brute force's, the approved MFA
// push's). By default it reports no pair within one country; with
// samecountry=true, those it reports are the generator's mobile
// addresses placed in another city, and each involves a sign-in that
// was not familiar then: from a place the user had signed in from on
// fewer than two days before, through an address fewer than five other
// users had signed in from before that day.
func TestDetect2Travel(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"list since 30d | travel", "list since 30d | travel samecountry=true"} {
		t.Run(q, func(t *testing.T) { d2Travel(t, q) })
	}
}

func d2Travel(t *testing.T, q string) {
	s := d2StoreT(t)
	inc := s.incident(t, gen.IncidentImpossibleTravel)
	attackIPs := map[string]string{}
	for _, i := range s.incidents {
		attackIPs[i.IP] = i.Kind
	}
	sameCountry := strings.Contains(q, "samecountry=true")
	res := s.query(t, q)
	col := map[string]int{}
	for i, c := range res.Columns {
		col[c.Name] = i
	}
	found := false
	for _, r := range res.Rows {
		user, ip, prevIP := r[col["user"]].Str(), r[col["ip"]].Str(), r[col["prev_ip"]].Str()
		country, prevCountry := r[col["country"]].Str(), r[col["prev_country"]].Str()
		if user == inc.Users[0] && ip == inc.IP && country == inc.Country {
			found = true
			if km := r[col["km"]].Int(); km < 4000 {
				t.Errorf("the incident's pair is %d km apart; the generator puts it over 4000", km)
			}
			continue
		}
		if attackIPs[ip] != "" || attackIPs[prevIP] != "" {
			t.Logf("another attack: %s %s → %s (%s)", user, prevIP, ip, attackIPs[ip]+attackIPs[prevIP])
			continue
		}
		if country != prevCountry {
			t.Errorf("travel between countries that no incident explains: %v", r)
			continue
		}
		if !sameCountry {
			t.Errorf("travel within a country without samecountry=true: %v", r)
			continue
		}
		// A pair within a country: one of its sign-ins must have been
		// new then (the history goes back 30 days before the window).
		rare := false
		for _, end := range [][2]string{{"prev_city", "prev_ip"}, {"city", "ip"}} {
			day := r[col[strings.Replace(end[0], "city", "time", 1)]].Time().Truncate(24 * time.Hour)
			before := fmt.Sprintf("between %s and %s", d2End.AddDate(0, 0, -60).Format(time.RFC3339), day.Format(time.RFC3339))
			days := s.query(t, fmt.Sprintf("count where user=%s and city=%s and country=%s and status=success %s group by bin(1d)",
				ast.Quote(user), d2Quote(r[col[end[0]]]), ast.Quote(country), before))
			others := s.count(t, fmt.Sprintf("dcount(user) where ip in (%s) and user!=%s and status=success %s",
				d2Quote(r[col[end[1]]]), ast.Quote(user), before))
			if len(days.Rows) < 2 && others < 5 {
				rare = true
			}
		}
		if !rare {
			t.Errorf("travel between two sign-ins familiar then: %v", r)
		}
	}
	if !found {
		t.Errorf("travel misses the impossible-travel incident %+v; it found %d pairs", inc, len(res.Rows))
	}
}

// TestDetect2NewValue: newvalue country over a week holding the
// impossible-travel incident finds the traveller's new country; over the
// week of the other attacks it finds the countries their successes came
// from. Every row is checked against plain counts: the key signed in
// from the value in the window, never in the baseline, and did sign in
// during the baseline.
func TestDetect2NewValue(t *testing.T) {
	t.Parallel()
	s := d2StoreT(t)
	check := func(from, to time.Time, want map[[2]string]bool) {
		t.Helper()
		q := fmt.Sprintf("list between %s and %s | newvalue country user 30d", from.Format(time.RFC3339), to.Format(time.RFC3339))
		res := s.query(t, q)
		got := map[[2]string]bool{}
		base := fmt.Sprintf("between %s and %s", from.Add(-30*24*time.Hour).Format(time.RFC3339), from.Format(time.RFC3339))
		window := fmt.Sprintf("between %s and %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
		for _, r := range res.Rows {
			user, country := r[0].Str(), r[1].Str()
			got[[2]string{user, country}] = true
			cond := fmt.Sprintf("user=%s and country=%s and status=success", ast.Quote(user), ast.Quote(country))
			if n := s.count(t, "count where "+cond+" "+base); n != 0 {
				t.Errorf("%s: %s %s is not new: %d sign-ins in the baseline", q, user, country, n)
			}
			if n := s.count(t, "count where "+cond+" "+window); n != r[3].Int() || n == 0 {
				t.Errorf("%s: %s %s: count %d, the window holds %d", q, user, country, r[3].Int(), n)
			}
			if n := s.count(t, fmt.Sprintf("count where user=%s and status=success %s", ast.Quote(user), base)); n == 0 {
				t.Errorf("%s: %s has no sign-in in the baseline, and newkeys is false", q, user)
			}
		}
		for w := range want {
			if !got[w] {
				t.Errorf("%s misses %v; it found %v", q, w, got)
			}
		}
		t.Logf("%s: %v", q, got)
	}
	day := func(t time.Time) time.Time { return t.Truncate(24 * time.Hour) }
	inc := s.incident(t, gen.IncidentImpossibleTravel)
	from := day(inc.Start).Add(-2 * 24 * time.Hour)
	check(from, from.Add(7*24*time.Hour), map[[2]string]bool{{inc.Users[0], inc.Country}: true})

	// The spray's success, the brute force's and the approved push
	// came from countries their accounts never used.
	want := map[[2]string]bool{}
	var first, last time.Time
	for _, kind := range []string{gen.IncidentPasswordSpray, gen.IncidentBruteForce, gen.IncidentMFAFatigue} {
		i := s.incident(t, kind)
		if first.IsZero() || i.Start.Before(first) {
			first = i.Start
		}
		if i.End.After(last) {
			last = i.End
		}
		if kind != gen.IncidentPasswordSpray {
			want[[2]string{i.Users[0], i.Country}] = true
		} else {
			want[[2]string{i.Users[len(i.Users)-1], i.Country}] = true // the one that succeeded
		}
	}
	check(day(first), day(last).Add(24*time.Hour), want)
}

// TestDetect2Spikes: the hourly timeline of wrong passwords and lockouts
// over the month spikes at the password spray's hours; every hour it
// flags is one of an attack (the spray, or the brute force's 30 wrong
// passwords).
func TestDetect2Spikes(t *testing.T) {
	t.Parallel()
	s := d2StoreT(t)
	spray := s.incident(t, gen.IncidentPasswordSpray)
	brute := s.incident(t, gen.IncidentBruteForce)
	res := s.query(t, "count where error in (50126, 50053) since 30d group by bin(1h) | spikes")
	if len(res.Columns) != 5 || res.Columns[0].Name != "time" {
		t.Fatalf("columns %v", res.Columns)
	}
	within := func(h time.Time, i gen.Incident) bool {
		return !h.Add(time.Hour).Before(i.Start) && !h.After(i.End)
	}
	sprayed := false
	for _, r := range res.Rows {
		h := r[0].Time()
		switch {
		case within(h, spray):
			sprayed = true
		case within(h, brute):
		default:
			t.Errorf("a spike no attack explains: %v", r)
		}
	}
	if !sprayed {
		t.Errorf("spikes misses the password spray (%s to %s): %v", spray.Start, spray.End, res.Rows)
	}
	// By app, the spray's PowerShell attempts stand out too.
	res = s.query(t, "count where status=failure since 30d group by app, bin(1h) | spikes")
	apps := map[string]bool{}
	for _, r := range res.Rows {
		apps[r[0].Str()] = true
	}
	if !apps["Azure Active Directory PowerShell"] {
		t.Errorf("spikes by app misses the spray's PowerShell attempts: %v", res.Rows)
	}
}

// TestDetect2NeedsWindow: newvalue without a start says it needs one.
func TestDetect2NeedsWindow(t *testing.T) {
	s := d2StoreT(t)
	_, err := Run(t.Context(), s.db, nil, "list | newvalue country", Options{Now: d2End})
	if err == nil || !strings.Contains(err.Error(), "time window") {
		t.Errorf("newvalue without since: %v", err)
	}
}

// BenchmarkDetections2Exact measures travel and newvalue over the week of
// the benchmark store holding the impossible-travel incident (run with
// -store-rows=10000000 for the goal's size), and fails unless each finds
// exactly that incident: travel the pairs into and out of the attacker's
// address for its user, newvalue its user's new country. The incidents
// are the generator's for the store of -store-rows (internal/benchstore),
// which it uses whatever -store-dir says.
func BenchmarkDetections2Exact(b *testing.B) {
	db := generatedBenchStore(b)
	g, err := gen.New(gen.Config{Count: *benchRows, Seed: benchstore.Seed, End: benchstore.End})
	if err != nil {
		b.Fatal(err)
	}
	var inc gen.Incident
	for _, i := range g.Incidents() {
		if i.Kind == gen.IncidentImpossibleTravel {
			inc = i
		}
	}
	if inc.Kind == "" {
		b.Fatal("the generator injected no impossible travel into the store")
	}
	// The 7 days from 2 days before the incident's day, cut short (to
	// whole hours) where another incident would fall in them, so that
	// the window holds this one alone.
	from := inc.Start.Truncate(24 * time.Hour).Add(-2 * 24 * time.Hour)
	to := from.Add(7 * 24 * time.Hour)
	for _, i := range g.Incidents() {
		switch {
		case i.Kind == inc.Kind:
		case !i.End.Before(from) && i.End.Before(inc.Start):
			from = i.End.Truncate(time.Hour).Add(time.Hour)
		case i.Start.Before(to) && i.Start.After(inc.End):
			to = i.Start.Truncate(time.Hour)
		}
	}
	if to.Sub(from) < 7*24*time.Hour {
		b.Logf("the window is %v: other incidents fall in the 7 days around this one", to.Sub(from))
	}
	window := fmt.Sprintf("between %s and %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	ctx := context.Background()
	opts := Options{Now: benchEnd}
	check := map[string]func(*result.Result) error{
		"list " + window + " | travel": func(res *result.Result) error {
			if len(res.Rows) == 0 {
				return fmt.Errorf("no pair; want %s → %s (%s)", inc.Users[0], inc.IP, inc.Country)
			}
			col := map[string]int{}
			for i, c := range res.Columns {
				col[c.Name] = i
			}
			for _, r := range res.Rows {
				ip, prev := r[col["ip"]].Str(), r[col["prev_ip"]].Str()
				if r[col["user"]].Str() != inc.Users[0] || ip != inc.IP && prev != inc.IP {
					return fmt.Errorf("a pair that is not the incident's: %v", r)
				}
			}
			return nil
		},
		"list " + window + " | newvalue country by user baseline 30d": func(res *result.Result) error {
			if len(res.Rows) != 1 || res.Rows[0][0].Str() != inc.Users[0] || res.Rows[0][1].Str() != inc.Country ||
				!slices.Equal(res.Rows[0][4].List(), []string{inc.IP}) {
				return fmt.Errorf("%v; want one row: %s %s from %s", res.Rows, inc.Users[0], inc.Country, inc.IP)
			}
			return nil
		},
	}
	for _, q := range slices.Sorted(maps.Keys(check)) {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				res, err := Run(ctx, db, nil, q, opts)
				if err != nil {
					b.Fatal(err)
				}
				if err := check[q](res); err != nil {
					b.Fatalf("%s: %v", q, err)
				}
			}
		})
	}
}
