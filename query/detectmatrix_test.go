package query

import (
	"flag"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// The detection matrix: the detections (bruteforce, spray, mfafatigue,
// travel) at their defaults on a generated tenant in which attacks of
// many intensities are mixed into benign noise. Every attack must be
// found and no benign sign-in reported. Its figures are the detection
// matrix of docs/plugins.md:
//
//	go test ./query -run TestDetectMatrix -v                     # the figures
//	go test ./query -run TestDetectMatrix -matrix.update         # rewrite them in docs/plugins.md
//	go test ./query -run TestDetectMatrix -matrix.seed=random    # another tenant
//	SIGNINQ_MATRIX_SEED=N go test ./query -run TestDetectMatrix  # replay one

var (
	mxSeedFlag   = flag.String("matrix.seed", "", "seed of TestDetectMatrix's tenant, or random (default $SIGNINQ_MATRIX_SEED, else a fixed one)")
	mxUpdateFlag = flag.Bool("matrix.update", false, "rewrite the detection matrix in docs/plugins.md")
)

// mxDefaultSeed is the seed of a plain run, whose figures are the docs'.
const mxDefaultSeed = 20260302

// mxEnd is the end of the generated tenant and the queries' now (a
// Monday, 00:00 UTC).
var mxEnd = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

const (
	mxHistoryDays = 30 // the sign-ins before the window: the users' history
	mxWindowDays  = 14 // the window the detections examine
	mxUsers       = 400
)

// mxQuery is the query each detection runs at, its defaults.
func mxQuery(stage string) string { return fmt.Sprintf("list since %dd | %s", mxWindowDays, stage) }

// mxPlace is where a sign-in comes from, as geolocation by IP address
// says.
type mxPlace struct {
	city, country string
	lat, lon      float64
	utc           int // local time's offset from UTC in hours (winter)
}

var (
	mxSeattle    = mxPlace{"Seattle", "US", 47.61, -122.33, -8}
	mxChicago    = mxPlace{"Chicago", "US", 41.88, -87.63, -6}
	mxDallas     = mxPlace{"Dallas", "US", 32.78, -96.80, -6}
	mxLosAngeles = mxPlace{"Los Angeles", "US", 34.05, -118.24, -8}
	mxNewYork    = mxPlace{"New York", "US", 40.71, -74.01, -5}
	mxLondon     = mxPlace{"London", "GB", 51.51, -0.13, 0}
	mxManchester = mxPlace{"Manchester", "GB", 53.48, -2.24, 0}
	mxGlasgow    = mxPlace{"Glasgow", "GB", 55.86, -4.25, 0}
	mxBerlin     = mxPlace{"Berlin", "DE", 52.52, 13.40, 1}
	mxFrankfurt  = mxPlace{"Frankfurt", "DE", 50.11, 8.68, 1}
	mxMunich     = mxPlace{"Munich", "DE", 48.14, 11.58, 1}
	mxHamburg    = mxPlace{"Hamburg", "DE", 53.55, 9.99, 1}
	mxAmsterdam  = mxPlace{"Amsterdam", "NL", 52.37, 4.90, 1}
	mxParis      = mxPlace{"Paris", "FR", 48.86, 2.35, 1}
	mxMadrid     = mxPlace{"Madrid", "ES", 40.42, -3.70, 1}
	mxWarsaw     = mxPlace{"Warsaw", "PL", 52.23, 21.01, 1}
	mxMoscow     = mxPlace{"Moscow", "RU", 55.76, 37.62, 3}
	mxLagos      = mxPlace{"Lagos", "NG", 6.52, 3.38, 1}
	mxSaoPaulo   = mxPlace{"Sao Paulo", "BR", -23.55, -46.63, -3}
	mxSingapore  = mxPlace{"Singapore", "SG", 1.35, 103.82, 8}
	mxHanoi      = mxPlace{"Hanoi", "VN", 21.03, 105.85, 7}
	mxToronto    = mxPlace{"Toronto", "CA", 43.65, -79.38, -5}
	mxDublin     = mxPlace{"Dublin", "IE", 53.35, -6.26, 0}
)

// mxCarrierCities are where a country's mobile carriers' addresses are
// placed: a phone's address, and so its city, changes from sign-in to
// sign-in.
var mxCarrierCities = map[string][]mxPlace{
	"US": {mxSeattle, mxChicago, mxDallas, mxLosAngeles, mxNewYork},
	"GB": {mxLondon, mxManchester, mxGlasgow},
	"DE": {mxBerlin, mxFrankfurt, mxMunich, mxHamburg},
	"IE": {mxDublin},
}

// mxOffice is an office: its users sign in through its one NAT address.
type mxOffice struct {
	place mxPlace
	nat   string
	share float64 // of the users
}

var mxOffices = []*mxOffice{
	{mxSeattle, "203.0.113.10", 0.38},
	{mxLondon, "198.51.100.20", 0.32},
	{mxBerlin, "192.0.2.30", 0.27},
	{mxDublin, "192.0.2.77", 0.03}, // a small branch
}

// mxVPN is the corporate VPN's egress: the users who use it appear in
// Amsterdam, minutes after signing in at home.
var mxVPN = []string{"185.199.40.1", "185.199.40.2", "185.199.40.3"}

var mxApps = []string{"Microsoft Teams", "Office 365 Exchange Online", "OfficeHome", "SharePoint Online", "Microsoft Edge", "Azure Portal", "OneDrive SyncEngine"}

type mxUser struct {
	upn    string
	office *mxOffice
	homeIP string
	phone  bool // also signs in from a phone, through the carriers' addresses
	vpn    bool // uses the corporate VPN on some days
	rare   bool // signs in on one day a week or so
	joined int  // the day (index) of the user's first sign-in: a new employee's is in the window
	trip   *mxTrip
	victim bool
}

// mxTrip is a journey abroad, flown at an airliner's speed.
type mxTrip struct {
	day, days int // the first day (index) and how many days abroad
	dest      mxPlace
	hotel     string
	landed    time.Time // when the outward flight lands
}

// mxAttack is an attack of the matrix: the detection that must find it,
// its parameters as the figures show them, its victims and addresses.
type mxAttack struct {
	stage  string
	cells  []string // the parameters, in the order of the stage's header
	users  []string // the accounts (bruteforce, mfafatigue, travel)
	ips    []string // the attacker's addresses
	found  map[string]bool
	detail string // what happened, for messages
}

// mxNoise counts the benign noise generated.
type mxNoise struct {
	signIns, mistypes, mistypeFailures, badMornings, badMorningFailures int
	strayDenials, strayEpisodes, interrupts, phoneSignIns, vpnSignIns   int
	phoneUsers, vpnUsers, rareUsers, joiners, trips, smallOffice        int
	minOffice, maxOffice                                                int // the users of the three busy offices
}

// mxWorld is the generated tenant.
type mxWorld struct {
	r       *rand.Rand
	users   []*mxUser
	recs    []signin.Record
	drop    map[int]bool // records removed (a travel attack's victim does not sign in in between)
	benign  int          // the records before it are the benign ones
	attacks []*mxAttack
	noise   mxNoise
	ipN     int
}

// mxStart is the first generated day.
func mxStart() time.Time { return mxEnd.AddDate(0, 0, -(mxHistoryDays + mxWindowDays)) }

// mxWindowStart is the first day of the window.
func mxWindowStart() time.Time { return mxEnd.AddDate(0, 0, -mxWindowDays) }

func (w *mxWorld) ip(prefix string) string {
	w.ipN++
	return fmt.Sprintf("%s.%d.%d", prefix, w.ipN/250%250+1, w.ipN%250+1)
}

// add records a sign-in; it returns its index.
func (w *mxWorld) add(t time.Time, user, ip string, p mxPlace, app string, code int64, typ signin.Type) int {
	r := signin.New()
	r.ID = fmt.Sprintf("3a7e1c00-0000-4000-8000-%012x", len(w.recs))
	r.Type = typ
	r.Time = t
	r.User, r.Identity, r.IP, r.App = user, user, ip, app
	r.Country, r.City, r.Latitude, r.Longitude = p.country, p.city, p.lat, p.lon
	r.Error = code
	switch code {
	case 0:
		r.Status = signin.StatusSuccess
	case 50074, 50076:
		r.Status = signin.StatusInterrupted
	default:
		r.Status = signin.StatusFailure
	}
	if code == 500121 {
		r.Details = "MFA denied; user declined the authentication"
	}
	w.recs = append(w.recs, r)
	return len(w.recs) - 1
}

func (w *mxWorld) app() string { return mxApps[w.r.IntN(len(mxApps))] }

// between returns a random time in [from, to).
func (w *mxWorld) between(from, to time.Time) time.Time {
	return from.Add(time.Duration(w.r.Int64N(int64(to.Sub(from))))).Truncate(time.Second)
}

func (w *mxWorld) secs(lo, hi int) time.Duration {
	return time.Duration(lo+w.r.IntN(hi-lo+1)) * time.Second
}

// local returns the UTC time of a local hour of a day at a place.
func local(day time.Time, p mxPlace, hour float64) time.Time {
	return day.Add(time.Duration((hour - float64(p.utc)) * float64(time.Hour)))
}

func newMatrixWorld(seed uint64) *mxWorld {
	w := &mxWorld{r: rand.New(rand.NewPCG(seed, 0x6d61747269782d31)), drop: map[int]bool{}}
	w.makeUsers()
	w.makeBenign()
	w.benign = len(w.recs)
	w.makeAttacks()
	return w
}

func (w *mxWorld) makeUsers() {
	for i := range mxUsers {
		u := &mxUser{upn: fmt.Sprintf("user%03d@contoso.com", i)}
		x := w.r.Float64()
		for _, o := range mxOffices {
			if u.office = o; x < o.share {
				break
			}
			x -= o.share
		}
		u.homeIP = w.ip(map[string]string{"US": "73", "GB": "86", "DE": "91", "IE": "89"}[u.office.place.country])
		u.rare = w.r.Float64() < 0.05
		if w.r.Float64() < 0.02 || i%200 == 0 { // two at least
			u.joined = mxHistoryDays + 1 + w.r.IntN(3) // a Tuesday to Thursday of the window's first week
			u.rare = false
			w.noise.joiners++
		}
		u.phone = !u.rare && w.r.Float64() < 0.45
		// A new employee's first days through the VPN would be reported:
		// nothing of theirs is familiar yet (docs/plugins.md says so).
		u.vpn = !u.rare && u.joined == 0 && w.r.Float64() < 0.08
		if u.joined == 0 && w.r.Float64() < 0.04 {
			dests := map[string][]mxPlace{"US": {mxLondon, mxParis, mxSingapore}, "GB": {mxNewYork, mxMadrid, mxSingapore}, "DE": {mxNewYork, mxMadrid, mxToronto}, "IE": {mxNewYork, mxParis}}[u.office.place.country]
			u.trip = &mxTrip{day: 1 + w.r.IntN(mxHistoryDays+mxWindowDays-6), days: 2 + w.r.IntN(3), dest: dests[w.r.IntN(len(dests))], hotel: w.ip("104")}
			w.noise.trips++
		}
		if u.phone {
			w.noise.phoneUsers++
		}
		if u.rare {
			w.noise.rareUsers++
		}
		if u.vpn {
			w.noise.vpnUsers++
		}
		if u.office == mxOffices[3] {
			w.noise.smallOffice++
		}
		w.users = append(w.users, u)
	}
	for _, o := range mxOffices[:3] {
		n := 0
		for _, u := range w.users {
			if u.office == o {
				n++
			}
		}
		if w.noise.minOffice == 0 || n < w.noise.minOffice {
			w.noise.minOffice = n
		}
		w.noise.maxOffice = max(w.noise.maxOffice, n)
	}
}

// mxCarrier is a country's pool of carrier addresses, each placed in one
// of its carrier cities.
type mxCarrier struct {
	ips    []string
	places []mxPlace
}

// makeBenign makes every user's sign-ins, day by day: at the office or at
// home, on a phone, through the VPN, abroad on a trip; mistyped
// passwords, mornings after a password change at a busy office, MFA
// interrupts and stray denied pushes.
func (w *mxWorld) makeBenign() {
	carriers := map[string]*mxCarrier{}
	prefixes := map[string]string{"US": "172.56", "GB": "92.40", "DE": "80.187", "IE": "37.228"}
	for _, cc := range slices.Sorted(maps.Keys(mxCarrierCities)) {
		c := &mxCarrier{}
		for range 30 {
			c.ips = append(c.ips, w.ip(prefixes[cc]))
			cities := mxCarrierCities[cc]
			c.places = append(c.places, cities[w.r.IntN(len(cities))])
		}
		carriers[cc] = c
	}
	days := mxHistoryDays + mxWindowDays
	for d := range days {
		day := mxStart().AddDate(0, 0, d)
		work := day.Weekday() != time.Saturday && day.Weekday() != time.Sunday
		// A morning after a password change at a busy office: 15 to 25
		// people type their old password at once.
		bad := map[*mxUser]bool{}
		if work {
			for _, o := range mxOffices[:3] {
				if w.r.Float64() < 0.1 {
					var staff []*mxUser
					for _, u := range w.users {
						if u.office == o && u.trip == nil {
							staff = append(staff, u)
						}
					}
					for _, i := range w.r.Perm(len(staff))[:15+w.r.IntN(11)] {
						bad[staff[i]] = true
					}
					w.noise.badMornings++
				}
			}
		}
		for _, u := range w.users {
			if u.trip != nil && d >= u.trip.day && d <= u.trip.day+u.trip.days {
				w.tripDay(u, day, d-u.trip.day)
				continue
			}
			if d >= u.joined {
				w.userDay(u, day, work, bad[u], carriers[u.office.place.country])
			}
		}
	}
}

// userDay makes a user's sign-ins of a day at home.
func (w *mxWorld) userDay(u *mxUser, day time.Time, work, bad bool, carrier *mxCarrier) {
	r := w.r
	home := u.office.place
	if absent := u.rare && r.Float64() < 0.85 || work && r.Float64() < 0.05 || !work && r.Float64() < 0.75; !absent {
		ip := u.homeIP
		atOffice := work && (bad || r.Float64() < 0.6)
		if atOffice {
			ip = u.office.nat
		}
		from := local(day, home, 7.5+r.Float64()*2)
		if bad {
			from = local(day, home, 8+r.Float64()*0.5)
		}
		to := from.Add(time.Duration(6+r.IntN(4)) * time.Hour)
		n := 2 + r.IntN(6)
		times := []time.Time{from}
		for range n - 1 {
			times = append(times, w.between(from, to))
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		mistype := -1
		if !bad && r.Float64() < 0.08 {
			mistype = r.IntN(n)
		}
		for i, t := range times {
			app := w.app()
			// Before the success, in order: mistyped passwords, the MFA
			// interrupt.
			var before []int64
			switch {
			case bad && i == 0:
				for range 1 + r.IntN(2) {
					before = append(before, 50126)
					w.noise.badMorningFailures++
				}
			case i == mistype:
				for range 1 + r.IntN(5) {
					before = append(before, 50126)
					w.noise.mistypeFailures++
				}
				w.noise.mistypes++
			}
			if r.Float64() < 0.25 {
				before = append(before, 50074)
				w.noise.interrupts++
			}
			at := t.Add(-time.Duration(len(before)) * 40 * time.Second)
			for _, code := range before {
				w.add(at, u.upn, ip, home, app, code, signin.TypeInteractive)
				at = at.Add(w.secs(10, 40))
			}
			w.add(t, u.upn, ip, home, app, 0, signin.TypeInteractive)
			if r.Float64() < 0.5 {
				w.add(t.Add(w.secs(300, 3000)), u.upn, ip, home, app, 0, signin.TypeNonInteractive)
			}
			// The corporate VPN: signing in through it, and again at home
			// minutes later when it is turned off.
			if u.vpn && work && !atOffice && r.Float64() < 0.3 {
				v := t.Add(w.secs(60, 600))
				w.add(v, u.upn, mxVPN[r.IntN(len(mxVPN))], mxAmsterdam, w.app(), 0, signin.TypeInteractive)
				w.add(v.Add(w.secs(120, 900)), u.upn, ip, home, w.app(), 0, signin.TypeInteractive)
				w.noise.vpnSignIns++
			}
		}
		// A push the user did not start (declined once or twice), or
		// pushes left unanswered (up to three) before one approved.
		if r.Float64() < 0.04 {
			t := w.between(from, to)
			approve := r.IntN(2) == 0
			n := 1 + r.IntN(2)
			if approve {
				n = 1 + r.IntN(3)
			}
			for range n {
				w.add(t, u.upn, ip, home, "OfficeHome", 500121, signin.TypeInteractive)
				t = t.Add(w.secs(60, 150))
				w.noise.strayDenials++
			}
			if approve {
				w.add(t, u.upn, ip, home, "OfficeHome", 0, signin.TypeInteractive)
			}
			w.noise.strayEpisodes++
		}
	}
	if u.phone && r.Float64() < 0.85 {
		for range 2 + r.IntN(4) {
			t := local(day, home, 7+r.Float64()*15)
			k := r.IntN(len(carrier.ips))
			if r.Float64() < 0.2 {
				w.add(t.Add(-30*time.Second), u.upn, carrier.ips[k], carrier.places[k], "Outlook Mobile", 50074, signin.TypeInteractive)
				w.noise.interrupts++
			}
			w.add(t, u.upn, carrier.ips[k], carrier.places[k], "Outlook Mobile", 0, signin.TypeInteractive)
			w.noise.phoneSignIns++
		}
	}
}

// tripDay makes a traveller's sign-ins on day k of a trip (0 the
// outward flight, days the return): at home before the flight, abroad
// after landing, never faster than an airliner.
func (w *mxWorld) tripDay(u *mxUser, day time.Time, k int) {
	home, dest := u.office.place, u.trip.dest
	flight := time.Duration((trHaversineKm(home, dest)/800 + 1.5) * float64(time.Hour))
	sign := func(t time.Time, ip string, p mxPlace) {
		w.add(t, u.upn, ip, p, w.app(), 0, signin.TypeInteractive)
	}
	switch k {
	case 0:
		dep := local(day, home, 7)
		sign(dep.Add(-20*time.Minute), u.homeIP, home)
		u.trip.landed = dep.Add(flight)
		for t := dep.Add(flight + 30*time.Minute); t.Before(day.Add(24 * time.Hour)); t = t.Add(time.Duration(1+w.r.IntN(3)) * time.Hour) {
			sign(t, u.trip.hotel, dest)
		}
	case u.trip.days:
		dep := local(day, dest, 9)
		for t := local(day, dest, 6); t.Before(dep); t = t.Add(time.Hour) {
			sign(t, u.trip.hotel, dest)
		}
		sign(dep.Add(flight+30*time.Minute), u.homeIP, home)
	default:
		for range 3 + w.r.IntN(5) {
			if t := local(day, dest, 8+w.r.Float64()*12); t.After(u.trip.landed) {
				sign(t, u.trip.hotel, dest)
			}
		}
	}
}

// trHaversineKm is the great-circle distance between two places.
func trHaversineKm(a, b mxPlace) float64 {
	const rad = math.Pi / 180
	dlat, dlon := (b.lat-a.lat)*rad, (b.lon-a.lon)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(a.lat*rad)*math.Cos(b.lat*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * 6371.0088 * math.Asin(math.Sqrt(min(1, h)))
}

// victim picks an account for an attack: one not attacked yet, not
// travelling, and as asked.
func (w *mxWorld) victim(ok func(*mxUser) bool) *mxUser {
	for _, i := range w.r.Perm(len(w.users)) {
		if u := w.users[i]; !u.victim && u.trip == nil && u.office != mxOffices[3] && (ok == nil || ok(u)) {
			u.victim = true
			return u
		}
	}
	panic("no user left to attack")
}

// attackTime returns a random time in the window, away from its ends.
func (w *mxWorld) attackTime() time.Time {
	return w.between(mxWindowStart().Add(24*time.Hour), mxEnd.Add(-30*time.Hour))
}

func (w *mxWorld) makeAttacks() {
	w.bruteForces()
	w.sprays()
	w.fatigues()
	w.travels()
}

// bruteForces: one account's password guessed, 10 to 100 times within 5
// to 60 minutes, then right. With smart lockout (its defaults: locked
// after 10 failures, for 60 seconds, then again after each failure, for
// longer), the attempts while the account is locked fail with 50053.
func (w *mxWorld) bruteForces() {
	for _, n := range []int{10, 15, 30, 100} {
		for _, d := range []time.Duration{5 * time.Minute, 20 * time.Minute, 60 * time.Minute} {
			for _, lockout := range []bool{false, true} {
				w.bruteForce(n, d, lockout, false)
			}
		}
	}
	w.bruteForce(30, 20*time.Minute, true, true)
	w.bruteForce(100, 60*time.Minute, false, true)
}

func (w *mxWorld) bruteForce(n int, d time.Duration, lockout, rotate bool) {
	u := w.victim(nil)
	dest := []mxPlace{mxMoscow, mxLagos, mxSaoPaulo, mxHanoi}[w.r.IntN(4)]
	a := &mxAttack{stage: "bruteforce", users: []string{u.upn}}
	ip := w.ip("45.83")
	a.ips = append(a.ips, ip)
	start := w.attackTime()
	fails, lock, lockFor := 0, time.Time{}, time.Minute
	var last time.Time
	locked := 0
	for i := range n {
		t := start.Add(d * time.Duration(i) / time.Duration(n))
		if rotate {
			ip = w.ip("45.84")
			a.ips = append(a.ips, ip)
		}
		code := int64(50126)
		switch {
		case lockout && t.Before(lock):
			code = 50053
			locked++
		default:
			fails++
			if lockout && fails >= 10 {
				lock, lockFor = t.Add(lockFor), lockFor*2
			}
		}
		w.add(t, u.upn, ip, dest, "Azure Portal", code, signin.TypeInteractive)
		last = t
	}
	win := last.Add(w.secs(20, 240))
	if win.Before(lock) {
		win = lock.Add(w.secs(5, 30))
	}
	w.add(win, u.upn, ip, dest, "Azure Portal", 0, signin.TypeInteractive)
	lk := "off"
	if lockout {
		lk = fmt.Sprintf("on: %d × 50053", locked)
	}
	from := "1"
	if rotate {
		from = strconv.Itoa(n)
	}
	a.cells = []string{strconv.Itoa(n), mxDur(d), lk, from, mxDur(win.Sub(last))}
	a.detail = fmt.Sprintf("%s: %d failures from %s in %v, success at %v", u.upn, n, a.ips[0], d, win.Format(time.RFC3339))
	w.attacks = append(w.attacks, a)
}

// sprays: one password tried against many accounts, from one address or
// spread over several, within 10 minutes to 4 hours; with wrong
// passwords (50126), and with names that are no account (50034) and
// locked accounts (50053) mixed in; one guess right, or none.
func (w *mxWorld) sprays() {
	for _, s := range []struct {
		accounts, addrs int
		d               time.Duration
		mixed, success  bool
	}{
		{10, 1, 10 * time.Minute, false, false},
		{10, 1, 10 * time.Minute, false, true},
		{30, 1, time.Hour, false, true},
		{100, 1, 30 * time.Minute, true, false},
		{300, 1, 2 * time.Hour, true, true},
		{20, 1, 4 * time.Hour, false, false},
		{60, 1, 6 * time.Hour, true, true},
		{100, 5, time.Hour, false, true},
		{100, 20, time.Hour, false, false},
		{200, 40, time.Hour, true, true},
	} {
		w.spray(s.accounts, s.addrs, s.d, s.mixed, s.success)
	}
}

func (w *mxWorld) spray(accounts, addrs int, d time.Duration, mixed, success bool) {
	a := &mxAttack{stage: "spray", found: map[string]bool{}}
	dest := []mxPlace{mxAmsterdam, mxSingapore, mxMoscow, mxSaoPaulo}[w.r.IntN(4)]
	for range addrs {
		a.ips = append(a.ips, w.ip("193.42"))
	}
	start := w.attackTime()
	var targets []string
	for _, i := range w.r.Perm(len(w.users))[:accounts] {
		targets = append(targets, w.users[i].upn)
	}
	guessed, locked := 0, 0
	for k, user := range targets {
		t := start.Add(d * time.Duration(k) / time.Duration(accounts))
		code := int64(50126)
		if mixed {
			switch x := w.r.Float64(); {
			case x < 0.1:
				user, code = fmt.Sprintf("%s%d@contoso.com", []string{"admin", "test", "helpdesk", "backup"}[k%4], k), 50034
				guessed++
			case x < 0.15:
				code = 50053
				locked++
			}
		}
		w.add(t, user, a.ips[k%addrs], dest, "Azure Active Directory PowerShell", code, signin.TypeInteractive)
	}
	won := "no"
	if success {
		u := w.victim(nil)
		a.users = append(a.users, u.upn)
		w.add(w.between(start, start.Add(d)), u.upn, a.ips[0], dest, "Azure Active Directory PowerShell", 0, signin.TypeInteractive)
		won = "yes"
	}
	codes := "50126"
	if mixed {
		codes = fmt.Sprintf("50126, %d 50034, %d 50053", guessed, locked)
	}
	perHour := float64(accounts) / float64(addrs) / max(1, d.Hours())
	a.cells = []string{strconv.Itoa(accounts), strconv.Itoa(addrs), mxDur(d), strconv.FormatFloat(math.Round(perHour*10)/10, 'f', -1, 64), codes, won}
	a.detail = fmt.Sprintf("%d accounts from %v within %v from %v", accounts, a.ips, d, start.Format(time.RFC3339))
	w.attacks = append(w.attacks, a)
}

// fatigues: push after push sent to an account whose password the
// attacker has, denied or left unanswered (500121), each with or without
// its interrupt (50074) logged first, until one is approved.
func (w *mxWorld) fatigues() {
	for _, pushes := range []int{5, 10, 20, 50} {
		for _, d := range []time.Duration{5 * time.Minute, 30 * time.Minute, 60 * time.Minute} {
			w.fatigue(pushes, d, pushes%20 == 0)
		}
	}
}

func (w *mxWorld) fatigue(pushes int, d time.Duration, interrupts bool) {
	u := w.victim(nil)
	dest := []mxPlace{mxHanoi, mxLagos, mxMoscow}[w.r.IntN(3)]
	ip := w.ip("103.77")
	a := &mxAttack{stage: "mfafatigue", users: []string{u.upn}, ips: []string{ip}}
	start := w.attackTime()
	var last time.Time
	for i := range pushes {
		t := start.Add(d * time.Duration(i) / time.Duration(pushes))
		if interrupts {
			w.add(t.Add(-5*time.Second), u.upn, ip, dest, "OfficeHome", 50074, signin.TypeInteractive)
		}
		w.add(t, u.upn, ip, dest, "OfficeHome", 500121, signin.TypeInteractive)
		last = t
	}
	ok := last.Add(w.secs(20, 120))
	w.add(ok, u.upn, ip, dest, "OfficeHome", 0, signin.TypeInteractive)
	in := "no"
	if interrupts {
		in = "yes"
	}
	a.cells = []string{strconv.Itoa(pushes), mxDur(d), in}
	a.detail = fmt.Sprintf("%s: %d pushes from %s in %v, approved at %v", u.upn, pushes, ip, d, ok.Format(time.RFC3339))
	w.attacks = append(w.attacks, a)
}

// travels: an account used from abroad shortly after its user signed in
// at home, the user an ordinary one, one who uses the VPN, one whose
// phone's carrier moves it from city to city; the attacker back once or
// on three days.
func (w *mxWorld) travels() {
	plain := func(u *mxUser) bool { return !u.vpn && !u.phone && !u.rare && u.joined == 0 }
	for _, t := range []struct {
		user    func(*mxUser) bool
		kind    string
		country string
		dest    mxPlace
		gap     time.Duration
		days    int
	}{
		{plain, "ordinary", "DE", mxWarsaw, 20 * time.Minute, 1},
		{plain, "ordinary", "GB", mxMadrid, 45 * time.Minute, 1},
		{plain, "ordinary", "US", mxToronto, time.Hour, 1},
		{plain, "ordinary", "GB", mxLagos, 2 * time.Hour, 1},
		{plain, "ordinary", "US", mxHanoi, 5 * time.Minute, 1},
		{plain, "ordinary", "DE", mxSaoPaulo, 3 * time.Hour, 1},
		{plain, "ordinary", "DE", mxAmsterdam, 10 * time.Minute, 1},
		{plain, "ordinary", "GB", mxMoscow, 30 * time.Minute, 3},
		{func(u *mxUser) bool { return u.vpn }, "uses the VPN", "", mxSingapore, 30 * time.Minute, 1},
		{func(u *mxUser) bool { return u.vpn }, "uses the VPN", "", mxMoscow, time.Hour, 3},
		{func(u *mxUser) bool { return u.phone && !u.vpn }, "phone on carriers", "US", mxLagos, 15 * time.Minute, 1},
		{func(u *mxUser) bool { return u.phone && !u.vpn }, "phone on carriers", "DE", mxHanoi, time.Hour, 3},
		{func(u *mxUser) bool {
			return u.rare && w.signsIn(u, mxWindowStart().Add(24*time.Hour), mxEnd.AddDate(0, 0, -mxWindowDays/2))
		}, "signs in once a week", "", mxLagos, 30 * time.Minute, 1},
		{func(u *mxUser) bool {
			return u.joined > 0 && !u.rare && w.signsIn(u, mxWindowStart().Add(24*time.Hour), mxEnd.AddDate(0, 0, -mxWindowDays/2))
		}, "new, on their first day", "", mxSaoPaulo, 20 * time.Minute, 1},
	} {
		u := w.victim(func(u *mxUser) bool { return t.user(u) && (t.country == "" || u.office.place.country == t.country) })
		w.travel(u, t.kind, t.dest, t.gap, t.days)
	}
}

// signsIn reports whether a user has a benign success in [from, to).
func (w *mxWorld) signsIn(u *mxUser, from, to time.Time) bool {
	for _, r := range w.recs[:w.benign] {
		if r.User == u.upn && r.Status == signin.StatusSuccess && !r.Time.Before(from) && r.Time.Before(to) {
			return true
		}
	}
	return false
}

func (w *mxWorld) travel(u *mxUser, kind string, dest mxPlace, gap time.Duration, days int) {
	ip := w.ip("5.188")
	a := &mxAttack{stage: "travel", users: []string{u.upn}, ips: []string{ip}}
	// Days on which the user signs in, from a random one of those in the
	// window's first half.
	var starts []time.Time
	for _, r := range w.recs[:w.benign] {
		d := r.Time.Truncate(24 * time.Hour)
		if r.User == u.upn && r.Status == signin.StatusSuccess && d.After(mxWindowStart()) && d.Before(mxEnd.AddDate(0, 0, -mxWindowDays/2)) && !slices.Contains(starts, d) {
			starts = append(starts, d)
		}
	}
	if len(starts) == 0 {
		panic(fmt.Sprintf("%s does not sign in in the window's first half", u.upn))
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	day := starts[w.r.IntN(len(starts))]
	if u.joined > 0 {
		day = starts[0] // a new employee's first day
	}
	first := day
	var km, kmh []float64
	for done := 0; done < days; day = day.AddDate(0, 0, 1) {
		if !day.Before(mxEnd) {
			panic(fmt.Sprintf("%s has too few days with sign-ins for a travel attack", u.upn))
		}
		// A success of the user that day, then the attacker's gap after
		// it, the user's sign-ins in between left out.
		var cands []int
		for i, r := range w.recs[:w.benign] {
			if r.User == u.upn && r.Status == signin.StatusSuccess && !r.Time.Before(day) && r.Time.Before(day.Add(24*time.Hour)) && !w.drop[i] {
				cands = append(cands, i)
			}
		}
		if len(cands) == 0 {
			continue
		}
		if done == 0 {
			first = day
		}
		done++
		prev := w.recs[cands[w.r.IntN(len(cands))]]
		at := prev.Time.Add(gap)
		for i, r := range w.recs[:w.benign] {
			if r.User == u.upn && r.Time.After(prev.Time) && !r.Time.After(at) {
				w.drop[i] = true
			}
		}
		p := mxPlace{city: prev.City, country: prev.Country, lat: prev.Latitude, lon: prev.Longitude}
		w.add(at, u.upn, ip, dest, "Office 365 Exchange Online", 0, signin.TypeInteractive)
		km = append(km, trHaversineKm(p, dest))
		kmh = append(kmh, km[len(km)-1]/gap.Hours())
	}
	rng := func(xs []float64, to float64) string {
		lo, hi := math.Round(slices.Min(xs)/to)*to, math.Round(slices.Max(xs)/to)*to
		if lo == hi {
			return mxThousands(int(lo))
		}
		return mxThousands(int(lo)) + "–" + mxThousands(int(hi))
	}
	a.cells = []string{kind, dest.city + " " + dest.country, mxDur(gap), rng(km, 10), rng(kmh, 100), strconv.Itoa(days)}
	a.detail = fmt.Sprintf("%s (%s) from %s %s (%s), %v after a sign-in, on %d day(s) from %s", u.upn, kind, dest.city, dest.country, ip, gap, days, first.Format(time.DateOnly))
	w.attacks = append(w.attacks, a)
}

// mxDur writes a duration as the figures do.
func mxDur(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%d min %d s", d/time.Minute, d%time.Minute/time.Second)
	}
	return fmt.Sprintf("%d s", d/time.Second)
}

// records returns the world's sign-ins, those left out removed.
func (w *mxWorld) records() []signin.Record {
	var out []signin.Record
	for i, r := range w.recs {
		if !w.drop[i] {
			out = append(out, r)
		}
	}
	return out
}

// mxSeed returns the seed of this run: the flag's, the environment's,
// or the default; "random" draws one.
func mxSeed(t *testing.T) uint64 {
	s := *mxSeedFlag
	if s == "" {
		s = os.Getenv("SIGNINQ_MATRIX_SEED")
	}
	switch s {
	case "":
		return mxDefaultSeed
	case "random":
		return rand.Uint64() % 1_000_000_000
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("-matrix.seed %q: %v", s, err)
	}
	return n
}

// mxStage is a detection of the matrix: the row's key columns and the
// header of its attacks' parameters.
type mxStage struct {
	name     string
	defaults string
	header   []string
}

var mxStages = []mxStage{
	{"bruteforce", "failures=10 window=1h", []string{"attempts", "within", "smart lockout", "addresses", "success after the last"}},
	{"spray", "accounts=5 window=1h share=0.5", []string{"accounts", "addresses", "within", "accounts per address per hour", "codes", "one right"}},
	{"mfafatigue", "prompts=5 denials=5 window=1h", []string{"denied pushes", "within", "interrupts logged"}},
	{"travel", "speed=1000 distance=500 familiar=2 shared=5 baseline=30d", []string{"user", "attacker in", "after the user", "km", "km/h", "days"}},
}

// mxResult is what a detection reported.
type mxResult struct {
	rows, fromAttacks, falsePositives int
	fps                               []string
}

func TestDetectMatrix(t *testing.T) {
	t.Parallel()
	seed := mxSeed(t)
	t.Logf("seed %d (replay: go test ./query -run TestDetectMatrix -matrix.seed=%d)", seed, seed)
	w := newMatrixWorld(seed)
	recs := w.records()
	w.noise.signIns = len(recs)
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.IngestRecords(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	// Whose and which addresses the attacks' are.
	byUser := map[string][]*mxAttack{}
	byIP := map[string][]*mxAttack{}
	for _, a := range w.attacks {
		for _, u := range a.users {
			byUser[u] = append(byUser[u], a)
		}
		for _, ip := range a.ips {
			byIP[ip] = append(byIP[ip], a)
		}
	}
	results := map[string]*mxResult{}
	for _, st := range mxStages {
		q := mxQuery(st.name)
		res, err := Run(t.Context(), db, nil, q, Options{Now: mxEnd})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		col := map[string]int{}
		for i, c := range res.Columns {
			col[c.Name] = i
		}
		str := func(row []result.Value, name string) string { return row[col[name]].String() }
		list := func(row []result.Value, name string) []string {
			if v := row[col[name]]; !v.IsNull() && v.Kind() == signin.KindList {
				return v.List()
			}
			return nil
		}
		out := &mxResult{rows: len(res.Rows)}
		results[st.name] = out
		for _, row := range res.Rows {
			// The row's attack: one of this detection whose account or
			// address it names; else another attack's (a brute force's
			// success from abroad is travel too).
			var ips []string
			var users []string
			switch st.name {
			case "spray":
				ips = []string{str(row, "ip")}
			case "travel":
				users, ips = []string{str(row, "user")}, []string{str(row, "ip"), str(row, "prev_ip")}
			default:
				users, ips = []string{str(row, "user")}, append(list(row, "ips"), str(row, "successIp"))
			}
			mine, other := false, false
			for _, ip := range ips {
				for _, a := range byIP[ip] {
					if len(users) > 0 && !slices.Contains(a.users, users[0]) && a.stage != "spray" {
						continue
					}
					if a.stage == st.name {
						mine = true
						if st.name == "spray" {
							a.found[ip] = true
						} else {
							a.found = map[string]bool{"": true}
						}
					} else {
						other = true
					}
				}
			}
			switch {
			case mine:
			case other:
				out.fromAttacks++
			default:
				out.falsePositives++
				out.fps = append(out.fps, rowText(row))
			}
		}
		for _, fp := range out.fps {
			t.Errorf("%s reports a benign row: %s", q, fp)
		}
	}
	for _, a := range w.attacks {
		if !mxFound(a) {
			t.Errorf("%s misses an attack: %s", mxQuery(a.stage), a.detail)
		}
	}
	report := w.report(results)
	t.Logf("seed %d\n%s", seed, report)
	if seed != mxDefaultSeed {
		return
	}
	const path = "../docs/plugins.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	const begin, end = "<!-- detection matrix -->\n", "<!-- end of detection matrix -->\n"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", path, begin, end)
	}
	if doc[i+len(begin):j] != report {
		if *mxUpdateFlag {
			if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+report+doc[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s: the detection matrix is out of date: run go test ./query -run TestDetectMatrix -matrix.update", path)
	}
}

// mxFound reports whether an attack was found: for a spray, every one of
// its addresses.
func mxFound(a *mxAttack) bool {
	if a.stage != "spray" {
		return a.found[""]
	}
	for _, ip := range a.ips {
		if !a.found[ip] {
			return false
		}
	}
	return true
}

// report writes the figures: a summary, each detection's attacks, and
// the benign noise.
func (w *mxWorld) report(results map[string]*mxResult) string {
	var b strings.Builder
	n := w.noise
	k := mxThousands
	fmt.Fprintf(&b, "\nA tenant of %d users over %d days (%s sign-ins); the detections run over its last %d days\n", mxUsers, mxHistoryDays+mxWindowDays, k(n.signIns), mxWindowDays)
	fmt.Fprintf(&b, "(`%s`) at their defaults. The benign noise: %s mistyped passwords (1 to 5 failures each,\n", mxQuery("STAGE"), k(n.mistypes))
	fmt.Fprintf(&b, "%s in all); %d mornings after a password change at offices of %d to %d people, each behind one NAT address\n", k(n.mistypeFailures), n.badMornings, n.minOffice, n.maxOffice)
	fmt.Fprintf(&b, "(15 to 25 of them failing at once, %s failures in all); a branch office of %d people; %s MFA interrupts\n", k(n.badMorningFailures), n.smallOffice, k(n.interrupts))
	fmt.Fprintf(&b, "(50074); %s stray pushes declined or left unanswered (1 to 3 denials each, %s in all); %d users on phones\n", k(n.strayEpisodes), k(n.strayDenials), n.phoneUsers)
	fmt.Fprintf(&b, "whose carriers place them in another city of their country at each sign-in (%s sign-ins); %d users on the\n", k(n.phoneSignIns), n.vpnUsers)
	fmt.Fprintf(&b, "corporate VPN, which leaves in Amsterdam (%s times, each followed by a sign-in at home minutes later); %d users\n", k(n.vpnSignIns), n.rareUsers)
	fmt.Fprintf(&b, "who sign in on one day a week or so; %d new employees (not on the VPN) whose first sign-in is in the window; %d trips\n", n.joiners, n.trips)
	b.WriteString("abroad by air.\n\n")
	b.WriteString("| detection | defaults | attacks | found | recall | rows | rows of other attacks | benign rows |\n|---|---|---|---|---|---|---|---|\n")
	for _, st := range mxStages {
		attacks, found := 0, 0
		for _, a := range w.attacks {
			if a.stage == st.name {
				attacks++
				if mxFound(a) {
					found++
				}
			}
		}
		r := results[st.name]
		fmt.Fprintf(&b, "| %s | `%s` | %d | %d | %.0f%% | %d | %d | %d |\n", st.name, st.defaults, attacks, found, 100*float64(found)/float64(max(1, attacks)), r.rows, r.fromAttacks, r.falsePositives)
	}
	for _, st := range mxStages {
		fmt.Fprintf(&b, "\n`%s`:\n\n| %s | found |\n|%s---|\n", mxQuery(st.name), strings.Join(st.header, " | "), strings.Repeat("---|", len(st.header)))
		for _, a := range w.attacks {
			if a.stage != st.name {
				continue
			}
			f := "yes"
			if !mxFound(a) {
				f = "**no**"
			}
			fmt.Fprintf(&b, "| %s | %s |\n", strings.Join(a.cells, " | "), f)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// mxThousands writes n with thousands separators.
func mxThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
