package gen

import (
	"bytes"
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// wideCount is the size of the wide shape's realism fixture.
const wideCount = 200_000

// wideEvents returns the records of wideCount sign-ins of each shape,
// seed 11, incidents on, and the wide generator; made once.
var wideEvents = sync.OnceValues(func() ([2][]signin.Record, error) {
	var out [2][]signin.Record
	for s := range numShapes {
		g, err := New(Config{Count: wideCount, Seed: 11, End: testEnd, Shape: s})
		if err != nil {
			return out, err
		}
		recs := make([]signin.Record, 0, wideCount)
		err = g.Generate(context.Background(), func(b []Event) error {
			for i := range b {
				recs = append(recs, b[i].Record)
			}
			return nil
		})
		if err != nil {
			return out, err
		}
		out[s] = recs
	}
	return out, nil
})

func wideFixture(t *testing.T) (compact, wide []signin.Record) {
	t.Helper()
	evs, err := wideEvents()
	if err != nil {
		t.Fatal(err)
	}
	return evs[ShapeCompact], evs[ShapeWide]
}

func TestShapeNames(t *testing.T) {
	for s := range numShapes {
		got, err := ParseShape(strings.ToUpper(s.String()))
		if err != nil || got != s {
			t.Errorf("ParseShape(%q) = %v, %v; want %v", s, got, err, s)
		}
	}
	if _, err := ParseShape("broad"); err == nil {
		t.Error(`ParseShape("broad") succeeded`)
	}
	if _, err := New(Config{Count: 10, End: testEnd, Shape: numShapes}); err == nil {
		t.Error("New accepted an unknown shape")
	}
	for _, c := range []struct {
		cfg             Config
		users, sps, mis int
		descr           string
	}{
		{Config{Count: 1_000_000}, DefaultUsers, DefaultServicePrincipals, DefaultManagedIdentities, "compact"},
		{Config{Count: 1_000_000, Shape: ShapeWide}, 10_000, DefaultServicePrincipals, DefaultManagedIdentities, "wide, 1M"},
		{Config{Count: 10_000_000, Shape: ShapeWide}, 100_000, 1000, 500, "wide, 10M"},
		{Config{Count: 2_000, Shape: ShapeWide}, wideMinUsers, DefaultServicePrincipals, DefaultManagedIdentities, "wide, tiny"},
		{Config{Count: 10_000_000, Shape: ShapeWide, Users: 40_000}, 40_000, 400, 200, "wide, users set"},
	} {
		c.cfg.End = testEnd
		n, err := c.cfg.normalize()
		if err != nil {
			t.Fatal(err)
		}
		if n.Users != c.users || n.ServicePrincipals != c.sps || n.ManagedIdentities != c.mis {
			t.Errorf("%s: users %d, service principals %d, managed identities %d; want %d, %d, %d",
				c.descr, n.Users, n.ServicePrincipals, n.ManagedIdentities, c.users, c.sps, c.mis)
		}
	}
}

func TestWideDeterminism(t *testing.T) {
	t.Parallel()
	cfg := Config{Count: 15_000, Seed: 9, Days: 10, Shape: ShapeWide}
	base := output(t, newGen(t, cfg))
	for _, workers := range []int{1, 3} {
		cfg.Workers = workers
		got := output(t, newGen(t, cfg))
		for f, b := range base {
			if !bytes.Equal(got[f], b) {
				t.Errorf("workers %d: %v output differs from the first run's", workers, f)
			}
		}
	}
	compact := output(t, newGen(t, Config{Count: 15_000, Seed: 9, Days: 10}))
	if bytes.Equal(compact[signin.FormatDiag], base[signin.FormatDiag]) {
		t.Error("the wide shape gave the compact one's output")
	}
}

// addrStats are the address statistics of a run of sign-ins.
type addrStats struct {
	ips, v6        int
	maxUsersPerDay int // the most users one address saw in one day
	inconsistent   []string
}

func addressStats(recs []signin.Record) addrStats {
	var st addrStats
	type place struct {
		country, city string
		lat, lon      float64
	}
	where := map[string]place{}
	type ipDay struct {
		ip  string
		day int64
	}
	users := map[ipDay]map[string]bool{}
	for i := range recs {
		r := &recs[i]
		if r.IP == "" {
			continue
		}
		p := place{r.Country, r.City, r.Latitude, r.Longitude}
		if q, ok := where[r.IP]; !ok {
			where[r.IP] = p
			if a, err := netip.ParseAddr(r.IP); err == nil && a.Is6() {
				st.v6++
			}
		} else if q != p && len(st.inconsistent) < 5 {
			st.inconsistent = append(st.inconsistent, r.IP)
		}
		if r.User == "" {
			continue
		}
		k := ipDay{r.IP, r.Time.Unix() / 86400}
		if users[k] == nil {
			users[k] = map[string]bool{}
		}
		users[k][r.User] = true
		st.maxUsersPerDay = max(st.maxUsersPerDay, len(users[k]))
	}
	st.ips = len(where)
	return st
}

func TestWideAddresses(t *testing.T) {
	compact, wide := wideFixture(t)
	c, w := addressStats(compact), addressStats(wide)
	cr, wr := float64(c.ips)/float64(len(compact)), float64(w.ips)/float64(len(wide))
	t.Logf("distinct addresses per sign-in at %d: compact %.4f (%d), wide %.4f (%d, %d IPv6); most users on one address in a day: compact %d, wide %d",
		wideCount, cr, c.ips, wr, w.ips, w.v6, c.maxUsersPerDay, w.maxUsersPerDay)
	// At this count the compact shape has 25 sign-ins per user, so its
	// ratio is at its highest; at a million it is a fifth of this.
	if wr < 2.5*cr || wr < 0.1 {
		t.Errorf("wide: %.4f distinct addresses per sign-in, want at least 0.1 and 2.5 times the compact shape's %.4f", wr, cr)
	}
	if w.v6 < w.ips/20 {
		t.Errorf("wide: %d IPv6 addresses of %d, want at least a twentieth", w.v6, w.ips)
	}
	// Carrier-grade NAT and corporate egress: one address, many users.
	if w.maxUsersPerDay < 50 {
		t.Errorf("wide: at most %d users on one address in a day, want at least 50", w.maxUsersPerDay)
	}
	if len(w.inconsistent) > 0 {
		t.Errorf("wide: addresses with more than one location: %v", w.inconsistent)
	}
	// Mobile carriers' NAT addresses (not offices) shared in a day.
	mobileShared := 0
	type ipDay struct {
		ip  string
		day int64
	}
	seen := map[ipDay]map[string]bool{}
	for i := range wide {
		r := &wide[i]
		if r.User == "" || r.NetworkNames != nil || !isCarrier(r.ASN) {
			continue
		}
		k := ipDay{r.IP, r.Time.Unix() / 86400}
		if seen[k] == nil {
			seen[k] = map[string]bool{}
		}
		seen[k][r.User] = true
		mobileShared = max(mobileShared, len(seen[k]))
	}
	t.Logf("wide: most users on one mobile carrier address in a day: %d", mobileShared)
	if mobileShared < 30 {
		t.Errorf("wide: at most %d users on one carrier address in a day, want at least 30", mobileShared)
	}
}

// isCarrier reports whether an autonomous system is a mobile carrier's.
func isCarrier(asn int64) bool {
	for _, c := range countries {
		for _, n := range c.mobile {
			if n.asn == asn {
				return true
			}
		}
	}
	return false
}

func TestWidePopulation(t *testing.T) {
	_, wide := wideFixture(t)
	g := newGen(t, Config{Count: wideCount, Seed: 11, Shape: ShapeWide})
	if got, want := g.Config().Users, wideCount/wideSignInsPerUser; got != want {
		t.Errorf("users = %d, want Count/%d = %d", got, wideSignInsPerUser, want)
	}
	users, guests := map[string]bool{}, map[string]bool{}
	for i := range wide {
		r := &wide[i]
		if r.User == "" || r.Error == 50034 {
			continue
		}
		users[r.User] = true
		if r.UserType == "guest" {
			guests[r.User] = true
			if r.Tenant == r.ResourceTenant || r.Tenant == "" || r.CrossTenant != "b2bCollaboration" {
				t.Fatalf("guest sign-in of %s: home tenant %q, resource tenant %q, cross-tenant access %q", r.User, r.Tenant, r.ResourceTenant, r.CrossTenant)
			}
		}
	}
	t.Logf("wide at %d: %d users seen, %d guests", wideCount, len(users), len(guests))
	within(t, "users seen per Config.Users", float64(len(users))/float64(g.Config().Users), 0.6, 1.0)
	within(t, "guests among users seen", float64(len(guests))/float64(len(users)), 0.05, 0.2)

	n := float64(len(wide))
	m := map[signin.Type]int{}
	for i := range wide {
		m[wide[i].Type]++
	}
	t.Logf("wide type mix: interactive %.3f, non-interactive %.3f, service principal %.3f, managed identity %.3f",
		float64(m[signin.TypeInteractive])/n, float64(m[signin.TypeNonInteractive])/n, float64(m[signin.TypeServicePrincipal])/n, float64(m[signin.TypeManagedIdentity])/n)
	within(t, "wide non-interactive share", float64(m[signin.TypeNonInteractive])/n, 0.75, 0.9)
	within(t, "wide interactive share", float64(m[signin.TypeInteractive])/n, 0.03, 0.1)
	for _, typ := range []signin.Type{signin.TypeInteractive, signin.TypeServicePrincipal, signin.TypeManagedIdentity} {
		if m[typ] == 0 || m[typ]*3 > m[signin.TypeNonInteractive] {
			t.Errorf("%v: %d sign-ins against %d non-interactive", typ, m[typ], m[signin.TypeNonInteractive])
		}
	}
}

func TestDistributedSpray(t *testing.T) {
	_, wide := wideFixture(t)
	g := newGen(t, Config{Count: wideCount, Seed: 11, Shape: ShapeWide})
	var spray *Incident
	incs := g.Incidents()
	for i := range incs {
		if incs[i].Kind == IncidentDistributedSpray {
			spray = &incs[i]
		}
	}
	if spray == nil {
		t.Fatal("no distributed spray among the incidents")
	}
	if want := sprayAddresses(wideCount); len(spray.IPs) != want || spray.IP != "" && !slices.Contains(spray.IPs, spray.IP) {
		t.Fatalf("spray: %d addresses (want %d), first %q", len(spray.IPs), want, spray.IP)
	}
	// In the stream: each address of the spray tries at most
	// sprayMaxTries accounts, failing (but for the rare success).
	ips := map[string]bool{}
	for _, ip := range spray.IPs {
		ips[ip] = true
	}
	accounts := map[string]map[string]bool{}
	fails, n := 0, 0
	for i := range wide {
		r := &wide[i]
		if !ips[r.IP] || r.Time.Before(spray.Start) || r.Time.After(spray.End) {
			continue
		}
		if r.UserAgent != "BAV2ROPC" && r.UserAgent != "python-requests/2.31.0" && !strings.Contains(r.UserAgent, "Chrome/121.0.0.0") {
			continue
		}
		if accounts[r.IP] == nil {
			accounts[r.IP] = map[string]bool{}
		}
		accounts[r.IP][r.User] = true
		n++
		if r.Status == signin.StatusFailure {
			fails++
		}
	}
	few := 0
	for _, a := range accounts {
		if len(a) <= sprayMaxTries {
			few++
		}
	}
	t.Logf("distributed spray at %d: %d addresses, %d of them trying at most %d accounts; %d sign-ins, %d failed; %d accounts",
		wideCount, len(accounts), few, sprayMaxTries, n, fails, len(spray.Users))
	if len(accounts) < 300 || few < len(accounts)*99/100 {
		t.Errorf("spray: %d addresses seen, %d trying at most %d accounts; want at least 300, nearly all", len(accounts), few, sprayMaxTries)
	}
	if n != spray.Count || fails < n*95/100 || fails == n {
		t.Errorf("spray: %d sign-ins seen (incident: %d), %d failed; want nearly all failed, some not", n, spray.Count, fails)
	}
	if days := spray.End.Sub(spray.Start).Hours() / 24; days < 3 {
		t.Errorf("spray lasts %.1f days, want several", days)
	}
}

// TestAddressBlocks checks what makes an address's location a function
// of the address in the wide shape: every /16 block of the address
// tables belongs to one network of one country (or one Azure region, or
// one proxy provider, whose addresses name their country).
func TestAddressBlocks(t *testing.T) {
	owner := map[[2]byte]string{}
	claim := func(b [2]byte, who string) {
		if o, ok := owner[b]; ok && o != who {
			t.Errorf("%d.%d.0.0/16 belongs to %s and %s", b[0], b[1], o, who)
		}
		owner[b] = who
	}
	for _, c := range countries {
		for _, list := range [][]isp{c.home, c.mobile, c.hosting} {
			for _, n := range list {
				for _, b := range n.blocks {
					claim(b, c.code+" "+n.name)
				}
			}
		}
		if len(c.cities) > 256 {
			t.Errorf("%s: %d cities do not fit the third byte of an address", c.code, len(c.cities))
		}
	}
	for _, b := range businessISP.blocks {
		claim(b, "US "+businessISP.name)
	}
	for _, reg := range azureRegions {
		for _, b := range reg.blocks {
			claim(b, "Azure "+reg.city.name)
		}
	}
	for _, p := range proxyProviders {
		for _, b := range p.blocks {
			claim(b, p.name)
		}
	}
}
