package gen

import (
	"math/rand/v2"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// Event is one generated sign-in: its canonical record, which is what
// reading any written format back gives (at the format's precision), and
// what the encoders need beyond it (every policy evaluation, the
// authentication steps, the device and network fragments).
//
// Events handed to Generate's callback belong to the generator: they are
// valid until the callback returns and must be copied to be kept. The
// record's strings and slices are immutable and may be kept.
type Event struct {
	Record signin.Record
	x      extras
}

// extras are the parts of a sign-in the canonical record does not hold.
type extras struct {
	t        *tenant
	user     *user
	dev      *device
	devIdx   int // the device's index among the user's, for the session id
	app      *app
	res      *resource
	wl       *workload
	net      *netAddr
	code     *codeInfo
	native   bool   // a rich client, not a browser
	incoming string // incomingTokenType
	pol      [maxPolicies]polEval
	steps    [2]step
	nsteps   int
	mfa      authMethod // the second factor performed in this sign-in
	mfaClaim bool       // MFA satisfied by a claim in the token
	multi    bool       // authenticationRequirement is multi-factor
	// The request id (also the uniqueTokenIdentifier), correlation id
	// and session id, made into the record's strings per chunk (see
	// Generator.name). A user sign-in's session id derives from the user,
	// the device and the day unless fixedSess is set.
	id, corr, sess guid
	fixedSess      bool
}

// userCtx is the context of a user sign-in: who, on what, from where,
// with which outcome. Background sign-ins draw it at random; incidents
// set it.
type userCtx struct {
	at          time.Time
	u           *user
	dev         *device
	devIdx      int
	app         *app
	res         *resource
	net         *netAddr
	interactive bool
	legacy      bool
	kind        appKind
	client      string // clientAppUsed
	protocol    string
	ua          string
	code        *codeInfo
	risk        uint8
	riskEvents  []string
	// forced keeps the code as given; otherwise Conditional Access may
	// change it (a blocked context gives 53003, an MFA failure without an
	// MFA policy becomes a success).
	forced bool
	// For forced contexts: whether MFA is performed (else satisfied by a
	// claim) on success, and whether the first factor is a fresh
	// password.
	forcePerformed, password bool
	// method is the second factor used; methodNone means the user's own.
	method authMethod
}

var classifier *signin.Classifier // nil: the default interrupt codes

// ingested returns when Azure Monitor logs a sign-in made at t: 30 s to
// 5 min later, usually about a minute.
func ingested(r *rand.Rand, t time.Time) time.Time {
	x := r.Float64()
	d := 30*time.Second + time.Duration(x*x*x*float64(270*time.Second))
	return t.Add(d.Truncate(tick))
}

// fillUser makes a user sign-in from its context.
func (t *tenant) fillUser(r *rand.Rand, ev *Event, c *userCtx) {
	rec := &ev.Record
	rec.Reset()
	x := &ev.x
	*x = extras{t: t, user: c.u, dev: c.dev, devIdx: c.devIdx, app: c.app, res: c.res, net: c.net, native: !c.kind.browserClient(), incoming: "none"}
	rec.Time = c.at
	rec.Ingested = ingested(r, c.at)
	rec.Type = signin.TypeNonInteractive
	if c.interactive {
		rec.Type = signin.TypeInteractive
	}

	// Conditional Access.
	code := c.code
	ectx := evalCtx{u: c.u, app: c.app, res: c.res, dev: c.dev, net: c.net, legacy: c.legacy, risk: c.risk}
	var applies [maxPolicies]bool
	mfaRequired := false
	if !code.preAuth {
		blocked := false
		for i, p := range t.policies {
			if p.state == stateOff {
				continue
			}
			sat, notSat, ok := p.match(&ectx)
			x.pol[i].sat, x.pol[i].notSat, applies[i] = sat, notSat, ok
			if ok && p.state == stateOn {
				mfaRequired = mfaRequired || p.grant == grantMFA
				blocked = blocked || p.grant == grantBlock
			}
		}
		if !c.forced {
			if code.needsMFA && !mfaRequired {
				code = codeByNumber[0]
			}
			if blocked {
				code = codeByNumber[53003]
			}
		}
	}
	mfaOK := !code.needsMFA
	var mask int
	anySuccess, anyFailure := false, false
	for i, p := range t.policies {
		e := &x.pol[i]
		switch {
		case p.state == stateOff:
			e.res = resNotEnabled
		case code.preAuth:
			e.res, e.sat, e.notSat = resNotApplied, 0, 0
			if p.state == stateReportOnly {
				e.res = resReportOnlyNotApplied
			}
		case !applies[i]:
			e.res = resNotApplied
			if p.state == stateReportOnly {
				e.res = resReportOnlyNotApplied
			}
		case p.state == stateReportOnly:
			e.res = resReportOnlyFailure
			if p.satisfied(&ectx, mfaOK) {
				e.res = resReportOnlySuccess
			}
		case p.satisfied(&ectx, mfaOK):
			e.res = resSuccess
			mask |= 1 << i
			anySuccess = true
		default:
			e.res = resFailure
			mask |= 1 << i
			anyFailure = true
		}
	}
	switch {
	case anyFailure:
		rec.CA = "failure"
	case anySuccess:
		rec.CA = "success"
	default:
		rec.CA = "notApplied"
	}
	rec.Policies = t.policyLists[mask]

	// Authentication: the first factor, then the second.
	x.code = code
	x.multi = mfaRequired && !code.preAuth
	first := methodPrevious
	if c.interactive && (c.password || (!c.forced && chance(r, 0.4)) || c.legacy) {
		first = methodPassword
	}
	primaryOK := func(m authMethod) step {
		if m == methodPassword {
			return step{method: methodPassword, ok: true, detail: detailCorrectPassword}
		}
		return step{method: methodPrevious, ok: true, detail: detailFirstByClaim}
	}
	second := c.u.mfa
	if c.method != methodNone {
		second = c.method
	}
	success := code.code == 0 || code.code == 50140
	switch {
	case !c.interactive:
		if success && x.multi {
			x.steps[0] = step{method: methodPrevious, ok: true, mfa: true, detail: detailMFAByClaim}
			x.nsteps, x.mfaClaim = 1, true
		}
	case code.step != "":
		x.steps[0] = step{method: methodPassword, detail: code.step}
		x.nsteps = 1
	case code.code == 50058 || code.code == 50057 || code.code == 50034:
	case code.code == 500121:
		x.steps[0], x.steps[1] = primaryOK(first), step{method: second, mfa: true, detail: detailMFADenied}
		x.nsteps = 2
	case success && x.multi:
		x.steps[0] = primaryOK(first)
		perform := c.forcePerformed || (!c.forced && chance(r, 0.3))
		if perform {
			x.steps[1] = step{method: second, ok: true, mfa: true, detail: detailMFACompleted}
			x.mfa = second
		} else {
			x.steps[1] = step{method: methodPrevious, ok: true, mfa: true, detail: detailMFAByClaim}
			x.mfaClaim = true
		}
		x.nsteps = 2
	default:
		x.steps[0] = primaryOK(first)
		x.nsteps = 1
	}
	m1, m2 := methodNone, methodNone
	if x.nsteps > 0 {
		m1 = x.steps[0].method
	}
	if x.nsteps > 1 {
		m2 = x.steps[1].method
	}
	rec.AuthMethods = methodLists[m1][m2]
	rec.AuthRequirement = "singleFactorAuthentication"
	if x.multi {
		rec.AuthRequirement = "multiFactorAuthentication"
	}

	// The outcome.
	rec.Error = code.code
	rec.Status = classifier.Status(code.code)
	rec.Reason = t.reason(code, c.app, c.res, nil)
	rec.Details = code.details
	if code.code == 0 {
		switch {
		case x.mfa != methodNone:
			rec.Details = additionalMFADone
		case x.mfaClaim:
			rec.Details = detailMFAByClaim
		}
	}

	// Risk.
	rec.Risk, rec.RiskAggregated, rec.RiskState, rec.RiskDetail = riskNames[c.risk], riskNames[c.risk], "none", "none"
	if c.risk != riskNone {
		rec.RiskEvents = c.riskEvents
		rec.RiskState = "atRisk"
		if code.code == 0 && x.mfa != methodNone && c.risk >= riskMedium {
			rec.RiskState, rec.RiskDetail = "remediated", "userPassedMFADrivenByRiskBasedPolicy"
		}
	}

	// Who, what, where, how.
	u := c.u
	rec.Identity, rec.User, rec.UserID, rec.UserName = u.upn, u.upn, u.id, u.name
	rec.UserType = "member"
	if u.guest {
		rec.UserType = "guest"
	}
	rec.App, rec.AppID, rec.Resource, rec.ResourceID = c.app.name, c.app.id, c.res.name, c.res.id
	setNet(rec, c.net)
	rec.Client, rec.Protocol, rec.UserAgent = c.client, c.protocol, c.ua
	d := c.dev
	rec.Browser, rec.OS = d.browserName(x.native), d.os(x.native)
	rec.Device, rec.DeviceID, rec.Compliant, rec.Managed, rec.Trust = d.name, d.id, d.compliant, d.managed, d.trust
	rec.SP, rec.SPID = "", ""
	rec.Tenant, rec.ResourceTenant, rec.CrossTenant, rec.TokenIssuer = u.home, t.id, u.cross, "AzureAD"
	if c.interactive {
		rec.Latency = int64(40 + logNormal(r, 160, 0.7))
	} else {
		rec.Latency = int64(5 + logNormal(r, 45, 0.8))
		if x.native && d.prtCapable {
			x.incoming = "primaryRefreshToken"
		}
	}
	x.id, x.corr = requestID(r), newGUID(r)
}

// setNet sets the location fields of a record from its address.
func setNet(rec *signin.Record, n *netAddr) {
	rec.IP, rec.Country, rec.State, rec.City = n.ip, n.country, n.state, n.cty
	rec.Latitude, rec.Longitude = n.lat, n.lon
	if n.asn != 0 {
		rec.ASN = n.asn
	}
}

// reason returns the failure reason of a code in a sign-in.
func (t *tenant) reason(c *codeInfo, a *app, rs *resource, w *workload) string {
	switch c.kind {
	case reasonApp65001:
		return a.reason65001
	case reasonApp50105:
		return a.reason50105
	case reasonRes50076:
		return rs.reason50076
	case reasonRes50078:
		return rs.reason50078
	case reasonTenant50034:
		return "The user account {EmailHidden} does not exist in the " + t.id + " directory. To sign into this application, the account must be added to the directory."
	case reasonSP7000215:
		return w.reason7000215
	case reasonSP7000222:
		return w.reason7000222
	case reasonSP700016:
		return w.reason700016
	}
	return c.reason
}

// fillWorkload makes a service principal or managed identity sign-in.
func (t *tenant) fillWorkload(r *rand.Rand, ev *Event, at time.Time, w *workload) {
	rec := &ev.Record
	rec.Reset()
	x := &ev.x
	*x = extras{t: t, wl: w}
	rec.Time = at
	rec.Ingested = ingested(r, at)
	var code *codeInfo
	switch {
	case w.mi:
		rec.Type = signin.TypeManagedIdentity
		code = managedIdentityCodes.codes[managedIdentityCodes.cdf.pick(r)]
		rec.MSIType = w.msiType
		rec.Latency = int64(logNormal(r, 6, 0.9))
	default:
		rec.Type = signin.TypeServicePrincipal
		code = servicePrincipalCodes.codes[servicePrincipalCodes.cdf.pick(r)]
		if w.broken && chance(r, 0.9) {
			code = codeByNumber[7000222]
		}
		rec.App = w.name
		rec.Latency = int64(logNormal(r, 35, 0.8))
	}
	x.code = code
	x.res = w.res[w.resCDF.pick(r)]
	if w.egress != nil {
		x.net = w.egress.addr(at)
	} else {
		x.net = w.nets[r.IntN(len(w.nets))]
	}
	rec.Error, rec.Status = code.code, classifier.Status(code.code)
	rec.Reason = t.reason(code, nil, x.res, w)
	rec.Identity, rec.SP, rec.SPID, rec.AppID = w.name, w.name, w.spID, w.appID
	rec.Resource, rec.ResourceID = x.res.name, x.res.id
	setNet(rec, x.net)
	rec.Protocol, rec.CA = "none", "notApplied"
	rec.Risk, rec.RiskAggregated, rec.RiskState, rec.RiskDetail = "none", "none", "none", "none"
	rec.Tenant, rec.ResourceTenant, rec.CrossTenant, rec.TokenIssuer = t.id, t.id, "none", "AzureAD"
	x.id, x.corr = requestID(r), newGUID(r)
}

// background makes background event of time at in bin.
func (g *Generator) background(r *rand.Rand, ev *Event, at time.Time, bin int) {
	t := g.t
	if r.Float64() < g.rhythm.machine[bin] {
		if r.Float64() < spShareOfMachine {
			t.fillWorkload(r, ev, at, t.sps[t.spCDF.pick(r)])
		} else {
			t.fillWorkload(r, ev, at, t.mis[t.miCDF.pick(r)])
		}
		return
	}
	grp := t.groups[g.rhythm.groups[bin].pick(r)]
	u := grp.users[grp.cdf.pick(r)]
	c := userCtx{at: at, u: u, interactive: chance(r, t.spec.interactiveShare), protocol: "none"}
	c.devIdx = u.devCDF.pick(r)
	c.dev = u.devices[c.devIdx]
	if c.interactive && !u.guest && chance(r, 0.015) {
		lc := &t.legacy[t.legacyCDF.pick(r)]
		c.legacy, c.client, c.protocol, c.dev, c.app, c.res, c.kind = true, lc.client, lc.protocol, lc.dev, t.exo, t.exo.res[0], kindNative
		c.ua = lc.dev.browser.ua
		c.code = codeByNumber[0]
		if chance(r, 0.2) {
			c.code = codeByNumber[50126]
		}
	} else {
		fam := c.dev.variant.family
		c.app = t.pickApp(r, fam, c.interactive)
		c.res = c.app.pickResource(r)
		c.kind = c.app.kind
		c.ua = c.dev.userAgent(c.kind)
		c.client = "Mobile Apps and Desktop clients"
		if c.kind.browserClient() {
			c.client = "Browser"
		}
		if c.interactive && c.kind == kindCLI && chance(r, 0.1) {
			c.protocol = "deviceCode"
		}
		dist := &nonInteractiveCodes
		if c.interactive {
			dist = &interactiveCodes
		}
		c.code = dist.codes[dist.cdf.pick(r)]
		if c.code.code == 50105 && !c.app.assigned {
			c.code = codeByNumber[0]
		}
		if c.interactive && chance(r, 0.02) {
			c.risk = pickWeighted(r, []weighted[uint8]{{riskLow, 0.55}, {riskMedium, 0.35}, {riskHigh, 0.1}})
			switch c.risk {
			case riskLow:
				c.riskEvents = riskUnfamiliar
			case riskMedium:
				c.riskEvents = pickWeighted(r, []weighted[[]string]{{riskUnfamiliar, 0.7}, {riskAnonymous, 0.3}})
			default:
				c.riskEvents = pickWeighted(r, []weighted[[]string]{{riskTravel, 0.6}, {riskMalicious, 0.4}})
			}
		}
	}
	if u.wide != nil {
		c.net = t.wideNet(r, u, c.devIdx, c.dev, at)
	} else {
		c.net = pickNet(r, u, c.dev)
	}
	t.fillUser(r, ev, &c)
}

// pickNet draws the network of a user sign-in: the office, home or the
// phone's carrier.
func pickNet(r *rand.Rand, u *user, d *device) *netAddr {
	x := r.Float64()
	mobile := d.variant.family.mobile()
	switch {
	case u.service:
		return u.office
	case u.office != nil && mobile:
		if x < 0.25 {
			return u.office
		} else if x < 0.5 {
			return u.homeNet
		}
		return u.mobileNet
	case u.office != nil:
		if x < 0.6 {
			return u.office
		} else if x < 0.95 {
			return u.homeNet
		}
		return u.mobileNet
	case mobile:
		if x < 0.4 {
			return u.homeNet
		}
		return u.mobileNet
	}
	if x < 0.9 {
		return u.homeNet
	}
	return u.mobileNet
}
