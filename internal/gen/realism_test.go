package gen

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// realismFixture returns a month of sign-ins of a default tenant,
// incidents off, for the distribution tests, which only read it. It is
// made once.
func realismFixture(t *testing.T) []Event {
	t.Helper()
	evs, err := realismEvents()
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

var realismEvents = sync.OnceValues(func() ([]Event, error) {
	g, err := New(Config{Count: 60_000, Seed: 5, NoIncidents: true, End: testEnd})
	if err != nil {
		return nil, err
	}
	var evs []Event
	err = g.Generate(context.Background(), func(b []Event) error {
		evs = append(evs, b...)
		return nil
	})
	return evs, err
})

func within(t *testing.T, what string, v, lo, hi float64) {
	t.Helper()
	if v < lo || v > hi {
		t.Errorf("%s = %.4f, want within [%g, %g]", what, v, lo, hi)
	}
}

func TestTypeMix(t *testing.T) {
	evs := realismFixture(t)
	n := float64(len(evs))
	m := byType(evs)
	within(t, "interactive share", float64(m[signin.TypeInteractive])/n, 0.10, 0.16)
	within(t, "non-interactive share", float64(m[signin.TypeNonInteractive])/n, 0.65, 0.75)
	within(t, "service principal share", float64(m[signin.TypeServicePrincipal])/n, 0.08, 0.14)
	within(t, "managed identity share", float64(m[signin.TypeManagedIdentity])/n, 0.03, 0.08)
}

func TestActivityIsZipfLike(t *testing.T) {
	evs := realismFixture(t)
	perUser := map[string]int{}
	perApp := map[string]int{}
	total := 0
	for i := range evs {
		if r := &evs[i].Record; r.User != "" {
			perUser[r.User]++
			perApp[r.App]++
			total++
		}
	}
	counts := make([]int, 0, len(perUser))
	for _, c := range perUser {
		counts = append(counts, c)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	top := 0
	for _, c := range counts[:DefaultUsers/100] {
		top += c
	}
	within(t, "share of the top 1% of users", float64(top)/float64(total), 0.15, 0.45)
	within(t, "users seen", float64(len(perUser))/DefaultUsers, 0.6, 1.0)
	if len(perApp) < 100 {
		t.Errorf("%d apps seen, want a long tail", len(perApp))
	}
}

func TestOutcomes(t *testing.T) {
	evs := realismFixture(t)
	success := map[signin.Type]int{}
	codes := map[signin.Type]map[int64]int{}
	for i := range evs {
		r := &evs[i].Record
		if codes[r.Type] == nil {
			codes[r.Type] = map[int64]int{}
		}
		codes[r.Type][r.Error]++
		if r.Status == signin.StatusSuccess {
			success[r.Type]++
		}
		if (r.Error == 0) != (r.Reason == "") {
			t.Errorf("%s: error %d with reason %q", r.ID, r.Error, r.Reason)
		}
		if r.Status != classifier.Status(r.Error) {
			t.Errorf("%s: status %v for error %d", r.ID, r.Status, r.Error)
		}
	}
	m := byType(evs)
	within(t, "interactive success", float64(success[signin.TypeInteractive])/float64(m[signin.TypeInteractive]), 0.85, 0.95)
	within(t, "non-interactive success", float64(success[signin.TypeNonInteractive])/float64(m[signin.TypeNonInteractive]), 0.93, 0.99)
	within(t, "service principal success", float64(success[signin.TypeServicePrincipal])/float64(m[signin.TypeServicePrincipal]), 0.85, 0.99)
	within(t, "managed identity success", float64(success[signin.TypeManagedIdentity])/float64(m[signin.TypeManagedIdentity]), 0.98, 1)
	for typ, want := range map[signin.Type][]int64{
		signin.TypeInteractive:      {50126, 50140, 50074, 50076, 500121, 53003, 50058, 50053},
		signin.TypeNonInteractive:   {50058, 70043, 700082, 50173},
		signin.TypeServicePrincipal: {7000215, 7000222, 700016},
	} {
		for _, c := range want {
			if codes[typ][c] == 0 {
				t.Errorf("no %v sign-in failed with %d", typ, c)
			}
		}
	}
}

// TestConditionalAccess checks that policies, their results and the
// outcome agree.
func TestConditionalAccess(t *testing.T) {
	evs := realismFixture(t)
	statuses := map[string]int{}
	for i := range evs {
		ev := &evs[i]
		r := &ev.Record
		if ev.x.user == nil {
			if r.CA != "notApplied" || len(r.Policies) != 0 {
				t.Fatalf("%s: workload sign-in with Conditional Access %s %v", r.ID, r.CA, r.Policies)
			}
			continue
		}
		statuses[r.CA]++
		failed, applied := false, 0
		for j, p := range ev.x.t.policies {
			e := ev.x.pol[j]
			switch e.res {
			case resFailure:
				failed = true
				applied++
				if p.grant == grantBlock && r.Error != 53003 {
					t.Errorf("%s: blocking policy failed, error %d", r.ID, r.Error)
				}
			case resSuccess:
				applied++
			case resNotEnabled:
				if p.state != stateOff || e.sat != 0 || e.notSat != 0 {
					t.Errorf("%s: %s notEnabled", r.ID, p.name)
				}
			}
			if p.state == stateReportOnly && !strings.HasPrefix(resultNames[e.res], "reportOnly") {
				t.Errorf("%s: report-only %s has result %s", r.ID, p.name, resultNames[e.res])
			}
		}
		switch {
		case r.Error == 53003 && r.CA != "failure":
			t.Errorf("%s: blocked (53003) with Conditional Access %s", r.ID, r.CA)
		case failed != (r.CA == "failure"):
			t.Errorf("%s: Conditional Access %s with failed policies %v", r.ID, r.CA, failed)
		case r.CA == "failure" && r.Error == 0:
			t.Errorf("%s: Conditional Access failure on a success", r.ID)
		case len(r.Policies) != applied:
			t.Errorf("%s: %d applied policies listed, %d evaluated", r.ID, len(r.Policies), applied)
		case ev.x.code.preAuth && r.CA != "notApplied":
			t.Errorf("%s: error %d fails before Conditional Access, yet %s", r.ID, r.Error, r.CA)
		}
		if r.AuthRequirement == "multiFactorAuthentication" && r.Error == 0 &&
			!slices.Contains(r.AuthMethods, "Previously satisfied") && !slices.ContainsFunc(r.AuthMethods, func(m string) bool { return m != "Password" }) {
			t.Errorf("%s: multi-factor success with methods %v", r.ID, r.AuthMethods)
		}
		if r.Error == 500121 && r.Details != "MFA denied; user declined the authentication" {
			t.Errorf("%s: 500121 with details %q", r.ID, r.Details)
		}
	}
	for _, s := range []string{"success", "failure", "notApplied"} {
		if statuses[s] == 0 {
			t.Errorf("no user sign-in with Conditional Access %s (%v)", s, statuses)
		}
	}
}

func TestPopulationShape(t *testing.T) {
	evs := realismFixture(t)
	os := map[string]int{}
	clients := map[string]int{}
	guests, users, risky := 0, 0, 0
	for i := range evs {
		ev := &evs[i]
		r := &ev.Record
		if ev.x.user == nil {
			if r.SP == "" || r.SPID == "" || r.AppID == "" || (r.Type == signin.TypeManagedIdentity) != (r.MSIType != "") {
				t.Fatalf("%s: workload sign-in without its identity: %+v", r.ID, r)
			}
			continue
		}
		users++
		switch {
		case strings.HasPrefix(r.OS, "Windows"):
			os["Windows"]++
		default:
			os[r.OS]++
		}
		clients[r.Client]++
		if r.UserType == "guest" {
			guests++
			if r.Tenant == ev.x.t.id || r.CrossTenant != "b2bCollaboration" {
				t.Errorf("%s: guest with home tenant %s, cross-tenant %s", r.ID, r.Tenant, r.CrossTenant)
			}
		}
		if r.Country != ev.x.user.country.code {
			t.Errorf("%s: %s of %s signs in from %s", r.ID, r.User, ev.x.user.country.code, r.Country)
		}
		if r.Risk != "none" {
			risky++
			if len(r.RiskEvents) == 0 {
				t.Errorf("%s: risk %s without risk events", r.ID, r.Risk)
			}
		}
	}
	n := float64(users)
	within(t, "Windows share", float64(os["Windows"])/n, 0.45, 0.65)
	within(t, "iOS share", float64(os["Ios"])/n, 0.10, 0.20)
	within(t, "Android share", float64(os["Android"])/n, 0.07, 0.17)
	within(t, "macOS share", float64(os["MacOs"])/n, 0.05, 0.14)
	within(t, "Linux share", float64(os["Linux"])/n, 0.01, 0.06)
	within(t, "modern clients", float64(clients["Browser"]+clients["Mobile Apps and Desktop clients"])/n, 0.98, 0.9999)
	within(t, "guest sign-ins", float64(guests)/n, 0.01, 0.1)
	within(t, "risky sign-ins", float64(risky)/n, 0.0005, 0.01)
}

func TestRecordSizes(t *testing.T) {
	evs := realismFixture(t)
	var user, workload []int
	var buf []byte
	for i := range evs {
		buf = AppendDiag(buf[:0], &evs[i])
		if evs[i].x.user != nil {
			user = append(user, len(buf))
		} else {
			workload = append(workload, len(buf))
		}
	}
	slices.Sort(user)
	slices.Sort(workload)
	in := 0
	for _, s := range user {
		if s >= 2<<10 && s <= 5<<10 {
			in++
		}
	}
	within(t, "user sign-ins of 2-5 KiB", float64(in)/float64(len(user)), 0.95, 1)
	within(t, "median user sign-in (bytes)", float64(user[len(user)/2]), 3500, 5120)
	within(t, "median workload sign-in (bytes)", float64(workload[len(workload)/2]), 1200, 2200)
}

func TestWeeklyRhythm(t *testing.T) {
	evs := realismFixture(t)
	days := map[time.Weekday]int{}
	for i := range evs {
		if evs[i].x.user != nil {
			days[evs[i].Record.Time.Weekday()]++
		}
	}
	if weekday, weekend := days[time.Wednesday], days[time.Sunday]; weekday < 2*weekend {
		t.Errorf("%d user sign-ins on Wednesdays, %d on Sundays", weekday, weekend)
	}
}
