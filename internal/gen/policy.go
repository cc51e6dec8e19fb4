package gen

import (
	"math/rand/v2"
	"strings"

	"github.com/signinq/signinq/internal/jsonw"
)

// The conditions of a Conditional Access policy, as the bits of
// conditionsSatisfied and conditionsNotSatisfied.
const (
	condApplication    uint16 = 1
	condUsers          uint16 = 2
	condDevicePlatform uint16 = 4
	condLocation       uint16 = 8
	condClientType     uint16 = 16
	condSignInRisk     uint16 = 32
)

// conditionNames names the bits in Graph's comma-separated form.
var conditionNames = []string{"application", "users", "devicePlatform", "location", "clientType", "signInRisk", "userRisk", "time", "deviceState"}

// conditionText is Graph's text of every combination of conditions.
var conditionText = func() []string {
	t := make([]string, 1<<len(conditionNames))
	t[0] = "none"
	for m := 1; m < len(t); m++ {
		var parts []string
		for i, n := range conditionNames {
			if m&(1<<i) != 0 {
				parts = append(parts, n)
			}
		}
		t[m] = strings.Join(parts, ",")
	}
	return t
}()

type policyState uint8

const (
	stateOn policyState = iota
	stateReportOnly
	stateOff
)

type grantKind uint8

const (
	grantBlock grantKind = iota
	grantMFA
	grantDevice  // a compliant or hybrid joined device
	grantSession // session controls only
)

type userScope uint8

const (
	usersAll       userScope = iota
	usersAllButSvc           // all users except the service-account exclusion group
	usersAdmins              // directory roles
	usersMembers             // members, not guests
	usersNone                // a pilot group no sign-in falls in
)

type appScope uint8

const (
	appsAll appScope = iota
	appsOffice
)

type locationCond uint8

const (
	locAny       locationCond = iota
	locUntrusted              // any location but the trusted named locations
	locBlocked                // the blocked countries
)

type clientCond uint8

const (
	clientAny clientCond = iota
	clientModern
	clientLegacy
)

// policy is a Conditional Access policy.
type policy struct {
	id, name  string
	state     policyState
	grant     grantKind
	grants    []string // enforcedGrantControls
	users     userScope
	apps      appScope
	platforms uint8 // bits of osFamily; 0 for any
	location  locationCond
	client    clientCond
	risky     bool // medium or high sign-in risk
	prefix    []byte
}

// policyDefs are the tenant's policies, in the order sign-ins list them.
var policyDefs = []policy{
	{name: "Require MFA for all users", grant: grantMFA, grants: []string{"Mfa"}, users: usersAllButSvc, location: locUntrusted, client: clientModern},
	{name: "Block legacy authentication", grant: grantBlock, grants: []string{"Block"}, client: clientLegacy},
	{name: "Require MFA for admins", grant: grantMFA, grants: []string{"Mfa"}, users: usersAdmins},
	{name: "Block access from unsupported countries", grant: grantBlock, grants: []string{"Block"}, location: locBlocked},
	{name: "Require compliant or hybrid joined device", state: stateReportOnly, grant: grantDevice, grants: []string{"RequireCompliantDevice", "RequireDomainJoinedDevice"},
		users: usersMembers, apps: appsOffice, platforms: 1<<osWindows | 1<<osMac},
	{name: "Require MFA for risky sign-ins", grant: grantMFA, grants: []string{"Mfa"}, risky: true},
	{name: "Block high user risk (pilot)", state: stateOff, grant: grantBlock, grants: []string{"Block"}, users: usersNone},
}

// maxPolicies bounds the policies an event can record.
const maxPolicies = 16

// newPolicies makes the tenant's policies with their ids and fragments.
func newPolicies(r *rand.Rand) []*policy {
	ps := make([]*policy, len(policyDefs))
	for i := range policyDefs {
		p := policyDefs[i]
		p.id = newGUID(r).String()
		b := []byte(`{"id":`)
		b = jsonw.String(b, p.id)
		b = append(b, `,"displayName":`...)
		b = jsonw.String(b, p.name)
		b = append(b, `,"enforcedGrantControls":`...)
		b = jsonw.Strings(b, p.grants)
		p.prefix = append(b, `,"enforcedSessionControls":[],"result":"`...)
		ps[i] = &p
	}
	return ps
}

// The results of a policy's evaluation.
type policyResult uint8

const (
	resNotApplied policyResult = iota
	resSuccess
	resFailure
	resNotEnabled
	resReportOnlySuccess
	resReportOnlyFailure
	resReportOnlyNotApplied
	numResults
)

var resultNames = [numResults]string{"notApplied", "success", "failure", "notEnabled", "reportOnlySuccess", "reportOnlyFailure", "reportOnlyNotApplied"}

// polEval is the evaluation of one policy for one sign-in.
type polEval struct {
	res         policyResult
	sat, notSat uint16
}

// evalCtx is what Conditional Access looks at.
type evalCtx struct {
	u      *user
	app    *app
	res    *resource
	dev    *device
	net    *netAddr
	legacy bool
	risk   uint8
}

// match evaluates p's conditions in order, stopping at the first that
// fails, and returns the bits satisfied, the bit not satisfied, and
// whether the policy applies.
func (p *policy) match(c *evalCtx) (sat, notSat uint16, applies bool) {
	check := func(bit uint16, ok bool) bool {
		if ok {
			sat |= bit
		} else {
			notSat = bit
		}
		return ok
	}
	okApp := p.apps == appsAll || (p.apps == appsOffice && c.res.office)
	if !check(condApplication, okApp) {
		return
	}
	var okUser bool
	switch p.users {
	case usersAll:
		okUser = true
	case usersAllButSvc:
		okUser = !c.u.service
	case usersAdmins:
		okUser = c.u.admin
	case usersMembers:
		okUser = !c.u.guest
	}
	if !check(condUsers, okUser) {
		return
	}
	if p.platforms != 0 && !check(condDevicePlatform, p.platforms&(1<<c.dev.variant.family) != 0) {
		return
	}
	switch p.location {
	case locUntrusted:
		if !check(condLocation, c.net.trusted == "") {
			return
		}
	case locBlocked:
		if !check(condLocation, blockedCountries[c.net.country]) {
			return
		}
	}
	switch p.client {
	case clientModern:
		if !check(condClientType, !c.legacy) {
			return
		}
	case clientLegacy:
		if !check(condClientType, c.legacy) {
			return
		}
	}
	if p.risky && !check(condSignInRisk, c.risk >= riskMedium) {
		return
	}
	return sat, notSat, true
}

// satisfied reports whether p's grant controls are met.
func (p *policy) satisfied(c *evalCtx, mfaOK bool) bool {
	switch p.grant {
	case grantBlock:
		return false
	case grantMFA:
		return mfaOK
	case grantDevice:
		return c.dev.compliant == boolTrue || c.dev.hybrid
	}
	return true
}
