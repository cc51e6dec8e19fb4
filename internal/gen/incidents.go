package gen

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Incident is an attack injected into the generated sign-ins, for the CLI
// to print and for tests and analytics to find.
type Incident struct {
	Kind        string    // one of the Incident* kinds
	Description string    // one sentence saying what happened
	Start, End  time.Time // the first and last sign-in of the incident
	IP          string    // the attacker's address (a distributed one's first)
	IPs         []string  // a distributed incident's addresses; nil for the others
	Country     string    // the attacker's country code
	Users       []string  // the accounts involved, by user principal name
	Count       int       // the incident's sign-ins
}

// The kinds of incident.
const (
	// IncidentPasswordSpray is one foreign hosting address trying a
	// password or two against many accounts over one to two hours, with
	// legacy (BAV2ROPC) and ROPC clients: 50126 for existing accounts,
	// some 50053 (locked), 50034 for guessed names that do not exist,
	// and one success against a service account exempt from MFA.
	IncidentPasswordSpray = "password-spray"
	// IncidentBruteForce is one address failing one account's password
	// 30 to 60 times (50126) within about 20 minutes, then succeeding.
	IncidentBruteForce = "brute-force"
	// IncidentImpossibleTravel is a user who only ever signs in from
	// their home country succeeding from a far country they never used,
	// within an hour of a sign-in at home.
	IncidentImpossibleTravel = "impossible-travel"
	// IncidentMFAFatigue is 10 to 20 push notifications denied (500121,
	// "MFA denied; user declined the authentication") within about 30
	// minutes, then one approved.
	IncidentMFAFatigue = "mfa-fatigue"
)

// Incidents are injected when Config.Count and Config.Users are at least
// these (and Config.NoIncidents is false): below them the attacks would
// dominate the stream. Their size grows with Count:
//
//	password spray: 50 + Count/20,000 existing accounts, at most 400
//	                (and at most the members available), plus a tenth as
//	                many guessed names and one service account; 30% of
//	                the existing accounts are tried twice
//	brute force:    30 + Count/200,000 failures, at most 60, then a success
//	MFA fatigue:    10 + Count/500,000 denied pushes, at most 20, then an
//	                approval
//	travel:         a sign-in at home and one abroad
//
// so 10,000 sign-ins carry about 110 incident sign-ins and 10 million
// about 630.
const (
	incidentMinCount = 10_000
	incidentMinUsers = 100
)

func sprayTargets(count int64) int       { return int(min(400, 50+count/20_000)) }
func bruteForceFailures(count int64) int { return int(min(60, 30+count/200_000)) }
func fatiguePushes(count int64) int      { return int(min(20, 10+count/500_000)) }

// guessedNames are the local parts a spray tries that are no account.
var guessedNames = strings.Fields("admin administrator test info support helpdesk scanner hr finance it sales backup user1 office reception marketing webmaster security noreply billing payroll accounts service training guest demo temp root sysadmin postmaster contact jobs careers press media legal ceo cfo")

// buildIncidents makes the incidents and their events.
func (g *Generator) buildIncidents() {
	t := g.t
	r := newRand(g.cfg.Seed, streamIncidents)
	start, end := g.window()
	span := end.Sub(start)
	// when returns a random start for an incident lasting d, away from
	// the window's edges.
	when := func(d time.Duration) time.Time {
		lo := start.Add(span / 10)
		room := span*8/10 - d
		return lo.Add(time.Duration(r.Int64N(int64(room)))).Truncate(tick)
	}
	// Victims: distinct, busy accounts.
	var members, services []*user
	for _, u := range t.users {
		switch {
		case u.service:
			services = append(services, u)
		case !u.guest:
			members = append(members, u)
		}
	}
	busy := slices.Clone(members)
	slices.SortStableFunc(busy, func(a, b *user) int { return cmp.Compare(b.weight, a.weight) })
	busy = busy[:max(2, len(busy)/5)]
	traveller := busy[r.IntN(len(busy))]
	var fatigued *user
	for _, i := range r.Perm(len(busy)) {
		if u := busy[i]; u != traveller && u.mfa == methodPush {
			fatigued = u
			break
		}
	}
	if fatigued == nil {
		fatigued = busy[0]
		if fatigued == traveller {
			fatigued = busy[1]
		}
	}
	sprayed, forced := services[0], services[1%len(services)]

	var evs []Event
	add := func(inc Incident, list []Event) {
		slices.SortStableFunc(list, func(a, b Event) int { return a.Record.Time.Compare(b.Record.Time) })
		inc.Start, inc.End, inc.Count = list[0].Record.Time, list[len(list)-1].Record.Time, len(list)
		g.incidents = append(g.incidents, inc)
		evs = append(evs, list...)
	}

	// Password spray.
	var sprayPool []*user
	{
		net := g.attackerNet(r, "NL")
		legacyDev := syntheticDevice("", "", "BAV2ROPC")
		pyDev := syntheticDevice("", "Python Requests 2.31", "python-requests/2.31.0")
		aadPS := t.appByName("Azure Active Directory PowerShell")
		s := when(2 * time.Hour)
		d := time.Duration(60+r.IntN(61)) * time.Minute
		at := func() time.Time { return s.Add(time.Duration(r.Int64N(int64(d)))).Truncate(tick) }
		attempt := func(u *user, code int64, python bool) Event {
			c := userCtx{at: at(), u: u, interactive: true, forced: true, password: true, protocol: "ropc", code: codeByNumber[code], net: net}
			if python {
				c.dev, c.app, c.client, c.kind, c.ua = pyDev, aadPS, "Mobile Apps and Desktop clients", kindNative, pyDev.browser.ua
			} else {
				c.dev, c.app, c.client, c.kind, c.ua, c.legacy = legacyDev, t.exo, "Other clients", kindNative, "BAV2ROPC", true
			}
			c.res = c.app.res[0]
			var ev Event
			t.fillUser(r, &ev, &c)
			ev.x.sess, ev.x.fixedSess = newGUID(r), true
			return ev
		}
		var pool []*user
		for _, u := range members {
			if u != traveller && u != fatigued {
				pool = append(pool, u)
			}
		}
		r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		sprayPool = pool
		targets := pool[:min(len(pool), sprayTargets(g.cfg.Count))]
		var list []Event
		var names []string
		for i, u := range targets {
			list = append(list, attempt(u, 50126, chance(r, 0.3)))
			// Some accounts are tried again; smart lockout locks a few
			// (always the first, so that every spray has a lockout).
			if i == 0 || chance(r, 0.3) {
				code := int64(50126)
				if i == 0 || chance(r, 0.25) {
					code = 50053
				}
				list = append(list, attempt(u, code, chance(r, 0.3)))
			}
			names = append(names, u.upn)
		}
		existing := map[string]bool{}
		for _, u := range t.users {
			existing[u.upn] = true
		}
		nFake := len(targets)/10 + 3
		for _, local := range guessedNames {
			if nFake == 0 {
				break
			}
			upn := local + "@" + t.domain
			if existing[upn] {
				continue
			}
			ghost := &user{upn: upn, home: t.id, cross: "none", mfa: methodPush, passwordDetail: "Password in the cloud"}
			ghost.finish()
			list = append(list, attempt(ghost, 50034, chance(r, 0.3)))
			names = append(names, upn)
			nFake--
		}
		list = append(list, attempt(sprayed, 0, true))
		names = append(names, sprayed.upn)
		add(Incident{Kind: IncidentPasswordSpray, IP: net.ip, Country: net.country, Users: names,
			Description: fmt.Sprintf("Password spray from %s (%s, AS%d %s): %d accounts tried with legacy and ROPC clients; %s signed in.",
				net.ip, net.country, net.asn, net.org, len(names), sprayed.upn)}, list)
	}

	// Brute force ending in success.
	{
		net := g.attackerNet(r, pickOne(r, []string{"DE", "FR"}))
		dev := syntheticDevice("Windows 10", "Chrome 120.0.6099", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
		home := t.appByName("OfficeHome")
		n := bruteForceFailures(g.cfg.Count)
		s := when(time.Hour)
		d := time.Duration(14+r.IntN(6)) * time.Minute
		base := userCtx{u: forced, dev: dev, app: home, res: home.res[0], net: net, interactive: true, forced: true, password: true,
			kind: kindWeb, client: "Browser", protocol: "none", ua: dev.browser.ua}
		list := t.failThenSucceed(r, base, s, d, 8*time.Second, n, 50126, 30*time.Second, 60)
		add(Incident{Kind: IncidentBruteForce, IP: net.ip, Country: net.country, Users: []string{forced.upn},
			Description: fmt.Sprintf("Brute force from %s (%s, AS%d %s): %d wrong passwords for %s, then a successful sign-in.",
				net.ip, net.country, net.asn, net.org, n, forced.upn)}, list)
	}

	// A new country, too far to travel to.
	{
		u := traveller
		var far []*country
		for _, c := range countries {
			if c != u.country && len(c.home) > 0 && !blockedCountries[c.code] &&
				distanceKm(u.homeNet.lat, u.homeNet.lon, c.cities[0].lat, c.cities[0].lon) > 4000 {
				far = append(far, c)
			}
		}
		fc := pickOne(r, far)
		net := newNetAddr(r, fc.code, &fc.cities[0], &fc.home[0], false)
		dev := syntheticDevice("Windows 10", "Edge 120.0.2210", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91")
		home := t.appByName("OfficeHome")
		outlook := t.appByName("One Outlook Web")
		s := when(2 * time.Hour)
		at2 := s.Add(time.Duration(20+r.IntN(31)) * time.Minute).Truncate(tick)
		homeDev := u.devices[0]
		c1 := userCtx{at: s, u: u, dev: homeDev, app: home, res: home.res[0], net: u.homeNet, interactive: true, forced: true,
			kind: kindWeb, client: "Browser", protocol: "none", ua: homeDev.userAgent(kindWeb), code: codeByNumber[0]}
		c2 := userCtx{at: at2, u: u, dev: dev, app: outlook, res: outlook.res[0], net: net, interactive: true, forced: true,
			kind: kindWeb, client: "Browser", protocol: "none", ua: dev.browser.ua, code: codeByNumber[0],
			risk: riskMedium, riskEvents: riskTravel}
		var e1, e2 Event
		t.fillUser(r, &e1, &c1)
		t.fillUser(r, &e2, &c2)
		e2.x.sess, e2.x.fixedSess = newGUID(r), true
		km := distanceKm(u.homeNet.lat, u.homeNet.lon, net.lat, net.lon)
		add(Incident{Kind: IncidentImpossibleTravel, IP: net.ip, Country: net.country, Users: []string{u.upn},
			Description: fmt.Sprintf("%s, who signs in only from %s, signed in from %s (%s) %d minutes after a sign-in at home, %.0f km away.",
				u.upn, u.country.code, net.country, net.ip, int(at2.Sub(s).Minutes()), km)}, []Event{e1, e2})
	}

	// MFA fatigue.
	{
		u := fatigued
		fc := countryByCode[pickOne(r, []string{"VN", "NG", "AR", "ID", "AE"})]
		net := newNetAddr(r, fc.code, &fc.cities[0], &fc.home[0], false)
		dev := syntheticDevice("Windows 10", "Chrome 120.0.6099", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
		home := t.appByName("OfficeHome")
		n := fatiguePushes(g.cfg.Count)
		s := when(time.Hour)
		d := time.Duration(22+r.IntN(8)) * time.Minute
		base := userCtx{u: u, dev: dev, app: home, res: home.res[0], net: net, interactive: true, forced: true, password: true,
			kind: kindWeb, client: "Browser", protocol: "none", ua: dev.browser.ua, forcePerformed: true, method: methodPush}
		list := t.failThenSucceed(r, base, s, d, 40*time.Second, n, 500121, 20*time.Second, 40)
		add(Incident{Kind: IncidentMFAFatigue, IP: net.ip, Country: net.country, Users: []string{u.upn},
			Description: fmt.Sprintf("MFA fatigue from %s (%s): %d push notifications to %s denied, then one approved.", net.ip, net.country, n, u.upn)}, list)
	}

	if t.spec.wide {
		g.distributedSpray(newRand(g.cfg.Seed, streamSpray), sprayPool, add)
	}

	slices.SortStableFunc(evs, func(a, b Event) int { return a.Record.Time.Compare(b.Record.Time) })
	g.name(evs)
	g.incEvents = evs
	slices.SortStableFunc(g.incidents, func(a, b Incident) int { return a.Start.Compare(b.Start) })
}

// failThenSucceed makes the sign-ins of an attack that fails n times and
// then succeeds: attempt i at start + d·i/n plus up to jitter, with error
// code fail, and the success gap plus up to gapSpan seconds after the
// last slot. Every attempt is base with its own time, outcome and
// session.
func (t *tenant) failThenSucceed(r *rand.Rand, base userCtx, start time.Time, d, jitter time.Duration, n int, fail int64, gap time.Duration, gapSpan int) []Event {
	list := make([]Event, 0, n+1)
	for i := 0; i <= n; i++ {
		at := start.Add(d * time.Duration(i) / time.Duration(n)).Add(time.Duration(r.IntN(int(jitter/time.Millisecond))) * time.Millisecond).Truncate(tick)
		code := fail
		if i == n {
			code = 0
			at = at.Add(gap + time.Duration(r.IntN(gapSpan))*time.Second)
		}
		c := base
		c.at, c.code = at, codeByNumber[code]
		var ev Event
		t.fillUser(r, &ev, &c)
		ev.x.sess, ev.x.fixedSess = newGUID(r), true
		list = append(list, ev)
	}
	return list
}

// attackerNet returns an address of a hosting provider in a country.
func (g *Generator) attackerNet(r *rand.Rand, cc string) *netAddr {
	c := countryByCode[cc]
	return newNetAddr(r, cc, &c.cities[0], &c.hosting[r.IntN(len(c.hosting))], false)
}

// appByName returns a first-party app.
func (t *tenant) appByName(name string) *app {
	for _, a := range t.apps {
		if a.name == name {
			return a
		}
	}
	panic("gen: no app " + name)
}
