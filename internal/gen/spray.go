package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// IncidentDistributedSpray is the wide shape's password spray: thousands
// of addresses (residential proxies and hosting providers in many
// countries) each trying one to five accounts, low and slow, minutes to
// hours apart, over the last days of the window; 50126 for existing
// accounts, some 50053 (smart lockout), 50034 for guessed names, and a
// success for about one address in a thousand. Its Incident has every
// address in IPs; IP and Country are the first attempt's.
const IncidentDistributedSpray = "distributed-spray"

// The distributed spray's size: sprayAddresses(Count) addresses, each
// making one to sprayMaxTries attempts, sprayGap to sprayGap*12 apart,
// over the last sprayDays days of the window (at most 80% of it).
const (
	sprayMaxTries = 5
	sprayGap      = 10 * time.Minute
	sprayDays     = 6
)

// sprayAddresses is the number of addresses of the distributed spray of
// count sign-ins: Count/500, at least 50 and at most 5,000.
func sprayAddresses(count int64) int { return int(min(5000, max(50, count/500))) }

// distributedSpray makes the wide shape's distributed spray against
// targets, drawing from r, and hands it to add.
func (g *Generator) distributedSpray(r *rand.Rand, targets []*user, add func(Incident, []Event)) {
	t := g.t
	start, end := g.window()
	span := min(end.Sub(start)*8/10, sprayDays*24*time.Hour)
	lo := end.Add(-span - end.Sub(start)/50)
	longest := sprayGap * 12 * sprayMaxTries
	legacyDev := syntheticDevice("", "", "BAV2ROPC")
	pyDev := syntheticDevice("", "Python Requests 2.31", "python-requests/2.31.0")
	webDev := syntheticDevice("Windows 10", "Chrome 121.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36")
	aadPS, home := t.appByName("Azure Active Directory PowerShell"), t.appByName("OfficeHome")
	existing := map[string]bool{}
	var services []*user
	for _, u := range t.users {
		existing[u.upn] = true
		if u.service {
			services = append(services, u)
		}
	}
	var ghosts []*user
	for _, local := range guessedNames {
		if upn := local + "@" + t.domain; !existing[upn] {
			ghost := &user{upn: upn, home: t.id, cross: "none", mfa: methodPush, passwordDetail: "Password in the cloud"}
			ghost.finish()
			ghosts = append(ghosts, ghost)
		}
	}
	tries := []weighted[int]{{1, 0.35}, {2, 0.25}, {3, 0.2}, {4, 0.1}, {5, 0.1}}
	n := sprayAddresses(g.cfg.Count)
	// Every this many addresses, the last attempt succeeds against a
	// service account, exempt from MFA.
	every := n / max(1, n/1000)
	var list []Event
	var ips []string
	countriesSeen := map[string]bool{}
	tried := map[string]bool{}
	var names []string
	for i := range n {
		// Where: a residential proxy or a hosting provider anywhere.
		c := countries[r.IntN(len(countries))]
		nets := c.home
		if len(nets) == 0 || len(c.hosting) > 0 && chance(r, 0.4) {
			nets = c.hosting
		}
		net := v4Addr(c, r.IntN(len(c.cities)), &nets[r.IntN(len(nets))], r.Uint64())
		ips = append(ips, net.ip)
		countriesSeen[c.code] = true
		// How: one client for the address's attempts.
		base := userCtx{interactive: true, forced: true, password: true, net: net, kind: kindNative, protocol: "ropc"}
		switch x := r.Float64(); {
		case x < 0.5:
			base.dev, base.app, base.client, base.ua, base.legacy = legacyDev, t.exo, "Other clients", "BAV2ROPC", true
		case x < 0.7:
			base.dev, base.app, base.client, base.ua = pyDev, aadPS, "Mobile Apps and Desktop clients", pyDev.browser.ua
		default:
			base.dev, base.app, base.client, base.ua, base.kind, base.protocol = webDev, home, "Browser", webDev.browser.ua, kindWeb, "none"
		}
		base.res = base.app.res[0]
		at := lo.Add(time.Duration(r.Int64N(int64(span - longest))))
		k := pickWeighted(r, tries)
		for j := range k {
			c := base
			c.at = at.Truncate(tick)
			at = at.Add(sprayGap + time.Duration(r.Int64N(int64(11*sprayGap))))
			if len(ghosts) > 0 && chance(r, 0.06) {
				c.u, c.code = ghosts[r.IntN(len(ghosts))], codeByNumber[50034]
			} else {
				c.u, c.code = targets[r.IntN(len(targets))], codeByNumber[50126]
				if chance(r, 0.03) {
					c.code = codeByNumber[50053]
				}
			}
			if j == k-1 && i%every == every/2 && len(services) > 0 {
				c.u, c.code = services[i%len(services)], codeByNumber[0]
			}
			var ev Event
			t.fillUser(r, &ev, &c)
			ev.x.sess, ev.x.fixedSess = newGUID(r), true
			list = append(list, ev)
			if !tried[c.u.upn] {
				tried[c.u.upn] = true
				names = append(names, c.u.upn)
			}
		}
	}
	slices.Sort(names)
	first := slices.MinFunc(list, func(a, b Event) int { return a.Record.Time.Compare(b.Record.Time) })
	add(Incident{Kind: IncidentDistributedSpray, IP: first.Record.IP, Country: first.Record.Country, IPs: ips, Users: names,
		Description: fmt.Sprintf("Distributed password spray from %d addresses in %d countries (residential proxies and hosting), each trying 1 to %d accounts minutes to hours apart: %d sign-ins against %d accounts.",
			len(ips), len(countriesSeen), sprayMaxTries, len(list), len(names))}, list)
}
