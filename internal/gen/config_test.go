package gen

import (
	"strings"
	"testing"
	"time"
)

func TestConfig(t *testing.T) {
	end := time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, c := range []struct {
		cfg  Config
		fail string // a fragment of the error; "" for none
	}{
		{Config{Count: 1, End: end}, ""},
		{Config{Count: 0, End: end}, "Count"},
		{Config{Count: -5, End: end}, "Count"},
		{Config{Count: 1}, "End"},
		{Config{Count: 1, End: end, Days: -1}, "Days"},
		{Config{Count: 1, End: end, Days: maxDays + 1}, "Days"},
		{Config{Count: 1, End: end, Users: -1}, "Users"},
		{Config{Count: 1, End: end, Users: maxUsers + 1}, "Users"},
		{Config{Count: 1, End: end, ServicePrincipals: -1}, "ServicePrincipals"},
		{Config{Count: 1, End: end, Workers: -1}, "Workers"},
		{Config{Count: 1, End: end, Domain: "localhost"}, "domain"},
		{Config{Count: 1, End: end, Domain: "a..com"}, "domain"},
		{Config{Count: 1, End: end, Domain: "-x.com"}, "domain"},
		{Config{Count: 1, End: end, Domain: "Fabrikam.COM"}, ""},
	} {
		_, err := New(c.cfg)
		switch {
		case c.fail == "" && err != nil:
			t.Errorf("New(%+v): %v", c.cfg, err)
		case c.fail != "" && (err == nil || !strings.Contains(err.Error(), c.fail)):
			t.Errorf("New(%+v) = %v, want an error about %s", c.cfg, err, c.fail)
		}
	}

	g := newGen(t, Config{Count: 1, End: end, Domain: "Fabrikam.COM"})
	cfg := g.Config()
	if cfg.Days != DefaultDays || cfg.Users != DefaultUsers || cfg.Apps != DefaultApps ||
		cfg.ServicePrincipals != DefaultServicePrincipals || cfg.ManagedIdentities != DefaultManagedIdentities {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if cfg.Domain != "fabrikam.com" || cfg.End.Location() != time.UTC || !cfg.End.Equal(end) {
		t.Errorf("domain %q, end %v", cfg.Domain, cfg.End)
	}
}

func TestTenant(t *testing.T) {
	g := newGen(t, Config{Count: 1, Users: 2000, Seed: 9})
	tn := g.t
	upns := map[string]bool{}
	guests, services, admins := 0, 0, 0
	for _, u := range tn.users {
		if upns[u.upn] {
			t.Errorf("UPN %s twice", u.upn)
		}
		upns[u.upn] = true
		switch {
		case u.guest:
			guests++
			if u.home == tn.id || strings.HasSuffix(u.upn, "@"+tn.domain) || u.cross != "b2bCollaboration" {
				t.Errorf("guest %s: home tenant %s, cross-tenant %s", u.upn, u.home, u.cross)
			}
		case u.service:
			services++
		default:
			if u.admin {
				admins++
			}
			if !strings.HasSuffix(u.upn, "@"+tn.domain) || u.home != tn.id || strings.ContainsAny(u.upn, " 'ü") {
				t.Errorf("member %s: home tenant %s", u.upn, u.home)
			}
		}
		if n := len(u.devices); n < 1 || n > 3 {
			t.Errorf("%s has %d devices", u.upn, n)
		}
		if u.homeNet.country != u.country.code || u.mobileNet.country != u.country.code || (u.office != nil && u.office.country != u.country.code && !u.service) {
			t.Errorf("%s of %s has addresses abroad", u.upn, u.country.code)
		}
	}
	if guests < 60 || guests > 140 || services < 2 || admins == 0 {
		t.Errorf("%d guests, %d service accounts, %d admins in 2000 users", guests, services, admins)
	}
	if n := len(tn.apps); n < 200 {
		t.Errorf("%d apps", n)
	}
	if len(tn.sps) != DefaultServicePrincipals || len(tn.mis) != DefaultManagedIdentities {
		t.Errorf("%d service principals, %d managed identities", len(tn.sps), len(tn.mis))
	}
	if n := len(tn.policies); n < 7 || n > 12 || n > maxPolicies {
		t.Errorf("%d Conditional Access policies", n)
	}
}

func TestManyApps(t *testing.T) {
	g := newGen(t, Config{Count: 1, Apps: 1000})
	seen := map[string]bool{}
	for _, a := range g.t.apps {
		if seen[a.name] {
			t.Errorf("two apps named %q", a.name)
		}
		seen[a.name] = true
	}
	if want := len(firstPartyApps) + 1000; len(g.t.apps) != want {
		t.Errorf("%d apps, want %d", len(g.t.apps), want)
	}
}
