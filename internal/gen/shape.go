package gen

import (
	"fmt"
	"slices"
	"strings"
)

// Shape is the kind of tenant the generator makes: how many users per
// sign-in, where they sign in from, how much of the volume is
// non-interactive and which attacks are injected. The zero value is
// ShapeCompact.
type Shape uint8

const (
	// ShapeCompact is a mid-sized organization working mostly from its
	// offices: DefaultUsers users whatever the Count (5,000, so 200
	// sign-ins per user at a million), each with a home, a mobile and
	// usually an office address that never change, so that a month of
	// sign-ins comes from a few addresses per user; guests are 5% of the
	// population; the incidents are the four single-address attacks.
	ShapeCompact Shape = iota
	// ShapeWide is a large, spread-out organization: Count/100 users by
	// default (100,000 at 10 million sign-ins), 12% of them guests from
	// other tenants; two thirds of its members have an office; home
	// broadband addresses are re-drawn every few days, mobile carriers
	// share carrier-grade NAT egress addresses among many users (or give
	// IPv6 addresses of their own), some users go out through a cloud VPN
	// or proxy and workloads through rotating cloud egress addresses, so
	// that the distinct addresses number about a seventh of the sign-ins
	// (142,318 at a million, against the compact shape's 10,197);
	// non-interactive token refreshes are over four fifths of the volume;
	// and a distributed password spray (IncidentDistributedSpray) joins
	// the four single-address attacks.
	ShapeWide
	numShapes
)

// shapeNames are the shapes' names, by Shape.
var shapeNames = [numShapes]string{"compact", "wide"}

// String returns the shape's name: "compact" or "wide".
func (s Shape) String() string {
	if s < numShapes {
		return shapeNames[s]
	}
	return fmt.Sprintf("Shape(%d)", uint8(s))
}

// Shapes returns every shape's name, the default first.
func Shapes() []string { return slices.Clone(shapeNames[:]) }

// ParseShape returns the shape of a name as String gives it, in any case.
func ParseShape(name string) (Shape, error) {
	for s, n := range shapeNames {
		if strings.EqualFold(name, n) {
			return Shape(s), nil
		}
	}
	return 0, fmt.Errorf("gen: no tenant shape %q (the shapes are %s)", name, strings.Join(shapeNames[:], ", "))
}

// shapeSpec is what a shape sets in the common machinery.
type shapeSpec struct {
	// guestPercent is the share of guests in the population, in percent.
	guestPercent int
	// officeShare is the probability that a member in a country with an
	// office works from it.
	officeShare float64
	// machineShare, userShare (1 - machineShare, rounded once) and
	// interactiveShare: see rhythm.go.
	machineShare, userShare, interactiveShare float64
	// wide selects the wide address space (addresses.go) and the
	// distributed spray (spray.go).
	wide bool
}

// specs are the shapes' parameters, by Shape. The compact shape's are
// the generator's original constants.
//
// The wide shape's guests (12%) and office share (two thirds, hybrid
// work) are choices, not measurements. Its type mix follows Microsoft's
// sign-in log pages, which size the non-interactive log "Large" and the
// interactive one "small" (learn.microsoft.com/entra/identity/
// monitoring-health/concept-noninteractive-sign-ins and
// concept-interactive-sign-ins: clients refresh tokens on the user's
// behalf many times for each interactive sign-in): 6% of user sign-ins
// are interactive against the compact shape's 15%.
var specs = [numShapes]shapeSpec{
	ShapeCompact: {guestPercent: 5, officeShare: 0.88, machineShare: machineShare, userShare: 1 - machineShare, interactiveShare: interactiveShare},
	ShapeWide:    {guestPercent: 12, officeShare: 0.65, machineShare: 0.12, userShare: 1 - 0.12, interactiveShare: 0.06, wide: true},
}

// Sizes of the wide shape's population: Count/usersPerSignIn users, and
// a service principal per spPerUser users and a managed identity per
// miPerUser, each at least the compact default.
const (
	wideSignInsPerUser = 100
	wideMinUsers       = 100
	wideUsersPerSP     = 100
	wideUsersPerMI     = 200
)

// MarshalText returns the shape's name.
func (s Shape) MarshalText() ([]byte, error) {
	if s >= numShapes {
		return nil, fmt.Errorf("gen: no tenant shape %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText sets s to the shape a name names (see ParseShape).
func (s *Shape) UnmarshalText(b []byte) error {
	v, err := ParseShape(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
