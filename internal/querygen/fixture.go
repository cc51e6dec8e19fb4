package querygen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
)

// The sign-ins the differential tests ask about: a generated tenant's,
// with oddities the generator does not make, sparse sign-ins far from
// the rest, and the named lists the queries test membership of.

// End is the end of the generated window, and the queries' now.
var End = time.Date(2026, 11, 10, 6, 30, 0, 0, time.UTC)

// Oddities returns sign-ins the generator does not make, copied from
// its own with a new id and one oddity each: values differing only in
// case, IPv6 and IPv4-mapped addresses, missing numbers and flags, lists
// with repeats, text with a line break or beyond ASCII, times shared by
// several sign-ins (one of them twice, by id, under two types) and on
// the boundaries of since, between and bin.
func Oddities(seed uint64, recs []signin.Record, now time.Time) []signin.Record {
	r := rand.New(rand.NewPCG(seed, 0x0dd))
	var out []signin.Record
	id := func(i int) string { return fmt.Sprintf("0dd0dd00-0000-4000-8000-%012x", i) }
	for i := 0; i < 300; i++ {
		c := recs[r.IntN(len(recs))]
		c.ID = id(i)
		c.Raw = nil
		switch i % 20 {
		case 0:
			c.App = strings.ToUpper(c.App)
		case 1:
			c.App = strings.ToLower(c.App)
			c.User = strings.ToUpper(c.User)
		case 2:
			c.IP = fmt.Sprintf("2001:db8:%x::%x", r.IntN(4), r.IntN(300))
			c.Latitude, c.Longitude, c.ASN = math.NaN(), math.NaN(), signin.NoInt
		case 3:
			c.IP = fmt.Sprintf("::ffff:10.%d.%d.%d", r.IntN(3), r.IntN(256), r.IntN(256))
		case 4:
			c.IP = fmt.Sprintf("10.%d.%d.%d", r.IntN(3), r.IntN(256), r.IntN(256))
		case 5:
			c.Error, c.Status, c.Latency = signin.NoInt, signin.StatusUnknown, signin.NoInt
		case 6:
			c.Compliant, c.Managed, c.Ingested = signin.BoolUnknown, signin.BoolUnknown, time.Time{}
		case 7:
			c.Policies = []string{"Require MFA for all users", "Block legacy authentication", "Require MFA for all users"}
			c.RiskEvents = []string{"unlikelyTravel", "anonymizedIPAddress"}
		case 8:
			c.AuthMethods = []string{"Password", "Text message", "Password"}
			c.Policies = nil
		case 9:
			c.Details = "line one\nline two"
			c.Reason = "Ångström: naïve café — ZOË"
		case 10:
			c.User = "zoë.åberg@contoso.com"
			c.Identity = c.User
			c.City = "Zürich"
		case 11, 12: // the time of another sign-in
			c.Time = recs[r.IntN(len(recs))].Time
		case 13: // the same id and time as the previous one, another type
			prev := out[len(out)-1]
			c.ID, c.Time = prev.ID, prev.Time
			c.Type = (prev.Type + 1) % signin.Type(len(signin.Types))
		case 14: // on a day's, an hour's, a since's boundary
			switch r.IntN(4) {
			case 0:
				c.Time = now.Add(-24 * time.Hour)
			case 1:
				c.Time = now.Add(-time.Duration(1+r.IntN(9)) * 24 * time.Hour).Truncate(24 * time.Hour)
			case 2:
				c.Time = now.Add(-time.Duration(1+r.IntN(200)) * time.Hour).Truncate(time.Hour)
			default:
				c.Time = now.Add(-7 * 24 * time.Hour)
			}
		case 15:
			c.Latency = 1000
			c.Risk = "high"
		case 16:
			c.Error = 50126
			c.Status = signin.StatusFailure
			c.IP = "203.0.113.7"
		case 17: // a place missing a part, or a city of the same name as another country's
			c.App, c.Country = "", ""
			switch i / 20 % 4 {
			case 1:
				c.Country, c.State, c.City = "US", "", ""
			case 2:
				c.State, c.City = "", ""
			case 3:
				c.Country, c.State, c.City = "US", "Texas", "Paris"
			}
		case 18:
			if c.Latitude != 0 {
				c.Latitude = -c.Latitude
			}
			c.SignInCount = 3
		case 19:
			c.UserAgent = "Agent (with) \"quotes\" and \\ backslash, *star? 100%"
		}
		out = append(out, c)
	}
	return out
}

// Sparse returns sign-ins with almost nothing but a time, an id and
// a type, ingested on their own: their parts lack most columns, which
// queries must read as missing values.
func Sparse(seed uint64, now time.Time) []signin.Record {
	r := rand.New(rand.NewPCG(seed, 0x5a5e))
	day := now.Add(-36 * time.Hour).Truncate(24 * time.Hour)
	var out []signin.Record
	for i := 0; i < 40; i++ {
		c := signin.New()
		c.ID = fmt.Sprintf("5a5e5a5e-0000-4000-8000-%012x", i)
		c.Type = signin.Type(r.IntN(len(signin.Types)))
		c.Time = day.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		if i%4 == 0 {
			c.User = "sparse@contoso.com"
			c.Identity = c.User
		}
		out = append(out, c)
	}
	return out
}

// Lists are the named lists of the differential test's stores (and
// the naive evaluator's, which tests membership by a scan of them):
// values of the generator's catalogs in other cases and values it never
// makes, and networks wide and narrow, IPv4 and IPv6, which some of any
// seed's addresses are in and some not.
var Lists = map[string][]string{
	"diffApps":      {"microsoft teams", "AZURE PORTAL", "OfficeHome", "Graph Explorer", "no such app"},
	"diffUsers":     {"ZOË.ÅBERG@contoso.com", "nobody@contoso.com", "Zoë.Åberg@CONTOSO.com"},
	"diffCodes":     {"0", "50126", "50074", "53003", "500121", "70044", "99999"},
	"diffCountries": {"us", "DE", "fr", "XX"},
	"diffNets":      nets(),
}

// nets are networks and addresses: fixed ones, and /16s and /24s
// drawn from a fixed seed.
func nets() []string {
	out := []string{"10.0.0.0/15", "2001:db8:1::/48", "2001:db8:2::7", "::ffff:10.0.0.0/104", "0.0.0.0/3",
		"64.0.0.0/4", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16", "203.0.113.0/24", "1.2.3.4", "::ffff:10.2.0.1"}
	r := rand.New(rand.NewPCG(15, 15))
	for range 200 {
		a := netip.AddrFrom4([4]byte{byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
		p, _ := a.Prefix(rPick(r, []int{16, 24, 32}))
		out = append(out, p.String())
	}
	return out
}

func rPick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// Records are the sign-ins of a seed's fixture, but the sparse ones: a
// generated tenant of 20,000 sign-ins over the 10 days before End (200
// users), and the oddities added to them.
func Records(seed uint64) ([]signin.Record, error) {
	g, err := gen.New(gen.Config{Count: 20000, Seed: seed, Users: 200, Days: 10, End: End})
	if err != nil {
		return nil, err
	}
	var recs []signin.Record
	err = g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			recs = append(recs, batch[i].Record)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return append(recs, Oddities(seed, recs, End)...), nil
}
