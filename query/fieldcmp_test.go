package query

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// TestFieldComparisons counts sign-ins by comparisons of two fields and
// checks each count against the records, read with plain Go: a bare word
// naming a field is that field (tenant != resourceTenant once counted
// every sign-in, comparing with the word "resourceTenant"), a quoted one
// is text, and missing values and lists follow the language's rules (a
// missing text is "", != its negation; a missing number, time or flag
// satisfies nothing; a list is equal when any element is).
func TestFieldComparisons(t *testing.T) {
	seed, err := diffSeed()
	if err != nil {
		t.Fatal(err)
	}
	s := diffFixture(t, seed)
	fold := strings.EqualFold
	anyFold := func(a, b []string) bool {
		if len(a) == 0 {
			a = []string{""}
		}
		if len(b) == 0 {
			b = []string{""}
		}
		for _, x := range a {
			if slices.ContainsFunc(b, func(y string) bool { return fold(x, y) }) {
				return true
			}
		}
		return false
	}
	num := func(v int64) bool { return v != signin.NoInt }
	flag := func(b signin.Bool) (int, bool) {
		switch b {
		case signin.BoolTrue:
			return 1, true
		case signin.BoolFalse:
			return 0, true
		}
		return 0, false
	}
	for _, c := range []struct {
		query string
		want  func(r *signin.Record) bool
		some  bool // the data has such sign-ins, and sign-ins without
	}{
		{`count where tenant != resourceTenant`, func(r *signin.Record) bool { return !fold(r.Tenant, r.ResourceTenant) }, true},
		{`count where tenant = resourceTenant`, func(r *signin.Record) bool { return fold(r.Tenant, r.ResourceTenant) }, true},
		{`count where TENANT != resourceTenant and resourceTenant != ""`, func(r *signin.Record) bool {
			return !fold(r.Tenant, r.ResourceTenant) && r.ResourceTenant != ""
		}, true},
		{`count where tenant != ResourceTenantId`, func(r *signin.Record) bool { return !fold(r.Tenant, r.ResourceTenant) }, true},
		{`count where UserPrincipalName != identity`, func(r *signin.Record) bool { return !fold(r.User, r.Identity) }, true},
		{`count where app = "resourceTenant"`, func(r *signin.Record) bool { return fold(r.App, "resourceTenant") }, false},
		{`count where user != identity`, func(r *signin.Record) bool { return !fold(r.User, r.Identity) }, true},
		{`count where not user = identity`, func(r *signin.Record) bool { return !fold(r.User, r.Identity) }, true},
		{`count where policy = authMethod`, func(r *signin.Record) bool { return anyFold(r.Policies, r.AuthMethods) }, true},
		{`count where app != policy`, func(r *signin.Record) bool { return !anyFold([]string{r.App}, r.Policies) }, true},
		{`count where latency > 1000`, func(r *signin.Record) bool { return num(r.Latency) && r.Latency > 1000 }, true},
		{`count where latency > asn`, func(r *signin.Record) bool { return num(r.Latency) && num(r.ASN) && r.Latency > r.ASN }, true},
		{`count where latency != error`, func(r *signin.Record) bool { return num(r.Latency) && num(r.Error) && r.Latency != r.Error }, true},
		{`count where asn >= latitude`, func(r *signin.Record) bool {
			return num(r.ASN) && !math.IsNaN(r.Latitude) && float64(r.ASN) >= r.Latitude
		}, true},
		{`count where latitude < longitude`, func(r *signin.Record) bool {
			return !math.IsNaN(r.Latitude) && !math.IsNaN(r.Longitude) && r.Latitude < r.Longitude
		}, true},
		{`count where time < ingested`, func(r *signin.Record) bool { return !r.Ingested.IsZero() && r.Time.Before(r.Ingested) }, true},
		{`count where ingested >= time`, func(r *signin.Record) bool { return !r.Ingested.IsZero() && !r.Ingested.Before(r.Time) }, true},
		{`count where time = time`, func(r *signin.Record) bool { return true }, false},
		{`count where compliant != managed`, func(r *signin.Record) bool {
			a, ok1 := flag(r.Compliant)
			b, ok2 := flag(r.Managed)
			return ok1 && ok2 && a != b
		}, true},
		{`count where hour(time) = hour(ingested)`, func(r *signin.Record) bool {
			return !r.Ingested.IsZero() && r.Time.UTC().Hour() == r.Ingested.UTC().Hour()
		}, true},
		{`count where weekday(time) = weekday(ingested)`, func(r *signin.Record) bool {
			return !r.Ingested.IsZero() && r.Time.UTC().Weekday() == r.Ingested.UTC().Weekday()
		}, true},
		{`count where domain(user) = domain(identity)`, func(r *signin.Record) bool {
			d := func(s string) string {
				if i := strings.LastIndex(s, "@"); i >= 0 {
					return strings.ToLower(s[i+1:])
				}
				return ""
			}
			return d(r.User) == d(r.Identity)
		}, false},
		{`count where latency > signInCount and tenant = resourceTenant`, func(r *signin.Record) bool {
			return num(r.Latency) && num(r.SignInCount) && r.Latency > r.SignInCount && fold(r.Tenant, r.ResourceTenant)
		}, true},
	} {
		var want int64
		for i := range s.recs {
			if c.want(&s.recs[i]) {
				want++
			}
		}
		if c.some && (want == 0 || want == int64(len(s.recs))) {
			t.Errorf("%s: %d of %d sign-ins: the data should have some of each", c.query, want, len(s.recs))
		}
		for db, name := range diffStoreNames {
			res, err := Run(context.Background(), s.dbs[db], nil, c.query, Options{Now: s.now})
			if err != nil {
				t.Fatalf("%s: %v", c.query, err)
			}
			if got := res.Rows[0][0].Int(); got != want {
				t.Errorf("%s, %s: %d sign-ins, want %d", name, c.query, got, want)
			}
		}
	}
}
