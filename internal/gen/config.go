package gen

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Config says what to generate. Count and End are required; every other
// field has a default that its zero value selects.
type Config struct {
	// Count is the number of sign-ins to generate, incidents included;
	// it must be positive.
	Count int64
	// Seed selects the tenant and the sign-ins: the same Config gives the
	// same output, in every format.
	Seed uint64
	// Days is the length of the window [End - Days*24h, End) in days;
	// 0 means DefaultDays.
	Days int
	// End is the end of the window (exclusive). It is required: the
	// generator never reads the clock.
	End time.Time
	// Shape is the kind of tenant (see Shape); the zero value is
	// ShapeCompact, the generator's original tenant.
	Shape Shape
	// Users is the size of the user population, guests and service
	// accounts included; 0 means DefaultUsers in the compact shape and
	// Count/100 (at least 100) in the wide one.
	Users int
	// Domain is the tenant's verified domain; "" means DefaultDomain.
	Domain string
	// Apps is the number of line-of-business and SaaS applications added
	// to the first-party ones; 0 means DefaultApps.
	Apps int
	// ServicePrincipals and ManagedIdentities size the workload
	// population; 0 means DefaultServicePrincipals and
	// DefaultManagedIdentities, and in the wide shape one service
	// principal per 100 users and one managed identity per 200 when that
	// is more.
	ServicePrincipals int
	ManagedIdentities int
	// NoIncidents turns off the injected attacks (see Generator.Incidents).
	NoIncidents bool
	// Workers is the number of goroutines generating and encoding
	// events; 0 means GOMAXPROCS. It does not change the output.
	Workers int
}

// The defaults of Config's optional fields.
const (
	DefaultDays              = 30
	DefaultUsers             = 5000
	DefaultDomain            = "contoso.com"
	DefaultApps              = 200
	DefaultServicePrincipals = 150
	DefaultManagedIdentities = 80
)

// Limits on the population, to keep the tenant's memory bounded.
const (
	maxUsers     = 1_000_000
	maxWorkloads = 100_000
	maxDays      = 3660
)

// normalize applies the defaults and validates c.
func (c Config) normalize() (Config, error) {
	if c.Count <= 0 {
		return c, fmt.Errorf("gen: Count must be positive, not %d", c.Count)
	}
	if c.End.IsZero() {
		return c, errors.New("gen: End is required")
	}
	c.End = c.End.UTC()
	if c.Shape >= numShapes {
		return c, fmt.Errorf("gen: no tenant shape %d", c.Shape)
	}
	users, sps, mis := DefaultUsers, DefaultServicePrincipals, DefaultManagedIdentities
	if c.Shape == ShapeWide {
		users = int(min(maxUsers, max(wideMinUsers, c.Count/wideSignInsPerUser)))
		u := c.Users
		if u <= 0 || u > maxUsers {
			u = users
		}
		sps, mis = max(sps, u/wideUsersPerSP), max(mis, u/wideUsersPerMI)
	}
	def := func(name string, v *int, d, max int) error {
		switch {
		case *v < 0:
			return fmt.Errorf("gen: %s must not be negative, not %d", name, *v)
		case *v == 0:
			*v = d
		case *v > max:
			return fmt.Errorf("gen: %s must be at most %d, not %d", name, max, *v)
		}
		return nil
	}
	for _, e := range []error{
		def("Days", &c.Days, DefaultDays, maxDays),
		def("Users", &c.Users, users, maxUsers),
		def("Apps", &c.Apps, DefaultApps, 10_000),
		def("ServicePrincipals", &c.ServicePrincipals, sps, maxWorkloads),
		def("ManagedIdentities", &c.ManagedIdentities, mis, maxWorkloads),
	} {
		if e != nil {
			return c, e
		}
	}
	if c.Workers < 0 {
		return c, fmt.Errorf("gen: Workers must not be negative, not %d", c.Workers)
	}
	if c.Domain == "" {
		c.Domain = DefaultDomain
	}
	c.Domain = strings.ToLower(c.Domain)
	if !validDomain(c.Domain) {
		return c, fmt.Errorf("gen: %q is not a domain name", c.Domain)
	}
	return c, nil
}

// validDomain accepts dot-separated labels of letters, digits and inner
// hyphens, at least two of them.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// start returns the start of the window: End - Days*24h.
func (c Config) start() time.Time {
	return c.End.Add(-time.Duration(c.Days) * 24 * time.Hour)
}
