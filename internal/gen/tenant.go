package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/signinq/signinq/internal/jsonw"
)

// msaTenant is the home tenant of consumer Microsoft accounts.
const msaTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

// user is a person or service account of the population.
type user struct {
	idx            int
	upn, name, id  string
	guest, admin   bool
	service        bool // a service account: no MFA, signs in from servers
	home           string
	cross          string // crossTenantAccessType
	country        *country
	tz             int
	devices        []*device
	devCDF         cdf
	homeNet        *netAddr
	mobileNet      *netAddr
	office         *netAddr // nil for remote workers and guests
	mfa            authMethod
	passwordDetail string
	weight         float64
	wide           *userNet // the wide shape's networks (addresses.go); nil in the compact shape
	idJSON         []byte   // "userDisplayName":…,"userPrincipalName":…,"userId":…
}

// workload is a service principal or a managed identity.
type workload struct {
	name, appID, spID string
	mi                bool
	msiType, assocID  string
	credType          string // clientCredentialType
	keyID, thumbprint string
	res               []*resource
	resCDF            cdf
	nets              []*netAddr
	broken            bool         // signs in with an expired secret, over and over
	egress            *cloudEgress // the wide shape's rotating cloud egress (addresses.go), or nil
	lib               string
	// Failure reasons that name the workload.
	reason7000215, reason7000222, reason700016 string
}

// tzGroup is the users of one time zone, for the rhythm.
type tzGroup struct {
	tz    int
	users []*user
	cdf   cdf
	total float64
}

// tenant is the population: everything the sign-ins are about. It is
// built once from the seed and read-only afterwards, so that generating
// goroutines share it.
type tenant struct {
	id, domain, name string
	spec             *shapeSpec // the shape's parameters
	workspace        string     // the Log Analytics workspace id
	logPath          string     // the logs' Azure resource id: /tenants/…/providers/Microsoft.aadiam
	hybrid           bool
	resByKey         map[string]*resource
	apps             []*app
	exo              *app // Office 365 Exchange Online, the legacy clients' app
	appsBy           [numOS][2][]*app
	appCDF           [numOS][2]cdf
	policies         []*policy
	policyLists      [][]string           // applied policy names by bit mask of policies
	policyPairs      [][numResults]string // "name: result" by policy and result (policyResult)
	offices          []*netAddr
	users            []*user
	groups           []*tzGroup
	sps, mis         []*workload
	spCDF, miCDF     cdf
	legacy           []legacyClient
	legacyCDF        cdf
}

// legacyClient is a basic-authentication client.
type legacyClient struct {
	client   string // clientAppUsed
	dev      *device
	weight   float64
	protocol string
}

// buildTenant makes the population of cfg from its seed.
func buildTenant(cfg Config) *tenant {
	r := newRand(cfg.Seed, streamTenant)
	label := cfg.Domain[:strings.IndexByte(cfg.Domain, '.')]
	t := &tenant{
		id:        newGUID(r).String(),
		workspace: newGUID(r).String(),
		domain:    cfg.Domain,
		name:      strings.ToUpper(label[:1]) + label[1:],
		hybrid:    chance(r, 0.7),
		spec:      &specs[cfg.Shape],
	}
	t.logPath = "/tenants/" + t.id + "/providers/Microsoft.aadiam"
	t.buildResources(r)
	t.buildApps(r, cfg.Apps)
	t.policies = newPolicies(r)
	t.policyLists = make([][]string, 1<<len(t.policies))
	for m := range t.policyLists {
		for i, p := range t.policies {
			if m&(1<<i) != 0 {
				t.policyLists[m] = append(t.policyLists[m], p.name)
			}
		}
		t.policyLists[m] = slices.Clip(t.policyLists[m])
	}
	t.policyPairs = make([][numResults]string, len(t.policies))
	for i, p := range t.policies {
		for res, name := range resultNames {
			t.policyPairs[i][res] = p.name + ": " + name
		}
	}
	t.buildOffices(r)
	t.buildUsers(r, cfg.Users, label)
	t.buildWorkloads(r, cfg.ServicePrincipals, cfg.ManagedIdentities)
	if t.spec.wide {
		t.widen(newRand(cfg.Seed, streamAddresses))
	}
	t.legacy = []legacyClient{
		{"Exchange ActiveSync", syntheticDevice("Ios", "", "Apple-iPhone15C148/2102.60"), 0.4, "none"},
		{"IMAP4", syntheticDevice("", "", ""), 0.2, "none"},
		{"POP3", syntheticDevice("", "", ""), 0.1, "none"},
		{"Authenticated SMTP", syntheticDevice("", "", ""), 0.15, "none"},
		{"Other clients", syntheticDevice("", "", "BAV2ROPC"), 0.15, "ropc"},
	}
	lw := make([]float64, len(t.legacy))
	for i, l := range t.legacy {
		lw[i] = l.weight
	}
	t.legacyCDF = newCDF(lw)
	return t
}

// syntheticDevice is a client that is no device of the population: a
// legacy protocol client or an attacker's tool.
func syntheticDevice(os, browser, ua string) *device {
	v := &osVariant{family: osWindows, webOS: os, nativeOS: os, nativeBrowser: browser}
	for k := range v.ua {
		v.ua[k] = ua
	}
	d := &device{variant: v, browser: browserInfo{name: browser, ua: ua}}
	d.finish()
	return d
}

func (t *tenant) buildResources(r *rand.Rand) {
	t.resByKey = map[string]*resource{}
	for _, d := range firstPartyResources {
		rs := newResource(r, d.id, d.name, d.scopes)
		rs.office = d.office
		t.resByKey[d.key] = rs
	}
}

func (t *tenant) buildApps(r *rand.Rand, nLOB int) {
	var sumI, sumNI float64
	for _, d := range firstPartyApps {
		a := &app{id: d.id, name: d.name, kind: d.kind, wI: d.wI, wNI: d.wNI}
		res, w := parseResList(d.res, t.resByKey)
		a.res = res
		finishApp(a, w)
		t.apps = append(t.apps, a)
		sumI += d.wI
		sumNI += d.wNI
		if d.name == "Office 365 Exchange Online" {
			t.exo = a
		}
	}
	// Line-of-business and SaaS apps share about a sixth of the
	// sign-ins, Zipf-distributed in a random order.
	names := slices.Clone(saasApps)
	for _, d := range lobDepts {
		for _, n := range lobNouns {
			names = append(names, d+" "+n)
		}
	}
	r.Shuffle(len(names)-len(saasApps), func(i, j int) {
		k := len(saasApps)
		names[k+i], names[k+j] = names[k+j], names[k+i]
	})
	// Beyond the combinations, numbered generations of them.
	for i, base := 0, len(names); base+i < nLOB; i++ {
		dept, noun, round := lobDepts[i%len(lobDepts)], lobNouns[i/len(lobDepts)%len(lobNouns)], 2+i/(len(lobDepts)*len(lobNouns))
		names = append(names, dept+" "+noun+" "+strconv.Itoa(round))
	}
	names = names[:nLOB]
	weights := zipf(nLOB, 1.0)
	r.Shuffle(len(weights), func(i, j int) { weights[i], weights[j] = weights[j], weights[i] })
	total := 0.0
	for _, w := range weights {
		total += w
	}
	apis := map[string]*resource{}
	for i, name := range names {
		a := &app{id: newGUID(r).String(), name: name, kind: kindWeb}
		if i >= len(saasApps) && chance(r, 0.15) {
			a.kind = kindNative
		}
		self := newResource(r, a.id, name, `["openid","profile","email","offline_access"]`)
		res, w := []*resource{self, t.resByKey["graph"]}, []float64{3, 1}
		if i >= len(saasApps) && chance(r, 0.4) {
			dept := name[:strings.LastIndexByte(name, ' ')]
			api := apis[dept]
			if api == nil {
				api = newResource(r, newGUID(r).String(), dept+" API", `["user_impersonation"]`)
				apis[dept] = api
			}
			res, w = append(res, api), append(w, 2)
		}
		a.res = res
		a.assigned = i < len(saasApps) || chance(r, 0.3)
		a.wI = weights[i] / total * sumI * 0.2
		a.wNI = weights[i] / total * sumNI * 0.15
		finishApp(a, w)
		t.apps = append(t.apps, a)
	}
	for f := range numOS {
		for typ := range 2 {
			var list []*app
			var w []float64
			for _, a := range t.apps {
				if !a.kind.runsOn(osFamily(f)) {
					continue
				}
				list = append(list, a)
				if typ == 0 {
					w = append(w, a.wI)
				} else {
					w = append(w, a.wNI)
				}
			}
			t.appsBy[f][typ], t.appCDF[f][typ] = list, newCDF(w)
		}
	}
}

// pickApp draws the app of a user sign-in on a platform.
func (t *tenant) pickApp(r *rand.Rand, f osFamily, interactive bool) *app {
	typ := 1
	if interactive {
		typ = 0
	}
	return t.appsBy[f][typ][t.appCDF[f][typ].pick(r)]
}

// officeSites are where the organization may have offices; the first two
// always exist.
var officeSites = []struct{ country, city, label string }{
	{"US", "Seattle", "HQ - Seattle"}, {"US", "New York", "Office - New York"}, {"GB", "London", "Office - London"},
	{"DE", "Munich", "Office - Munich"}, {"IN", "Bengaluru", "Office - Bengaluru"}, {"FR", "Paris", "Office - Paris"},
	{"CA", "Toronto", "Office - Toronto"}, {"NL", "Amsterdam", "Office - Amsterdam"}, {"JP", "Tokyo", "Office - Tokyo"},
	{"AU", "Sydney", "Office - Sydney"}, {"BR", "São Paulo", "Office - São Paulo"}, {"IE", "Dublin", "Office - Dublin"},
	{"US", "Austin", "Office - Austin"}, {"ES", "Madrid", "Office - Madrid"}, {"SG", "Singapore", "Office - Singapore"},
}

// businessISP is the corporate egress network in the United States;
// elsewhere offices use the country's first broadband provider.
var businessISP = isp{"Lumen Technologies", 3356, [][2]byte{{4, 14}, {8, 39}, {63, 145}}, 0}

func (t *tenant) buildOffices(r *rand.Rand) {
	for i, s := range officeSites {
		if i >= 2 && !chance(r, 0.7) {
			continue
		}
		c := countryByCode[s.country]
		var ct *city
		for j := range c.cities {
			if c.cities[j].name == s.city {
				ct = &c.cities[j]
			}
		}
		n := &c.home[0]
		if s.country == "US" {
			n = &businessISP
		}
		for range 2 {
			a := newNetAddr(r, s.country, ct, n, false)
			a.trusted = s.label
			a.finish()
			t.offices = append(t.offices, a)
		}
	}
}

// officesIn returns the office egress addresses of a country.
func (t *tenant) officesIn(cc string) []*netAddr {
	var out []*netAddr
	for _, o := range t.offices {
		if o.country == cc {
			out = append(out, o)
		}
	}
	return out
}

func (t *tenant) buildUsers(r *rand.Rand, n int, label string) {
	nService := min(len(serviceAccountNames), n/200)
	if n >= 20 {
		nService = max(nService, 2)
	}
	nGuest := n * t.spec.guestPercent / 100
	var homeCountries []*country
	var cw []float64
	for _, c := range countries {
		if c.weight > 0 {
			homeCountries = append(homeCountries, c)
			cw = append(cw, c.weight)
		}
	}
	countryCDF := newCDF(cw)
	partnerIDs := make([]string, len(partners))
	for i, p := range partners {
		partnerIDs[i] = newGUID(r).String()
		if p.name == "" {
			partnerIDs[i] = msaTenant
		}
	}
	taken := map[string]bool{}
	unique := func(local, domain string) string {
		upn := local + "@" + domain
		for i := 2; taken[upn]; i++ {
			upn = local + strconv.Itoa(i) + "@" + domain
		}
		taken[upn] = true
		return upn
	}
	prefix := strings.ToUpper(label)
	if len(prefix) > 8 {
		prefix = prefix[:8]
	}
	for i := range n {
		u := &user{idx: i, id: newGUID(r).String(), home: t.id, cross: "none", passwordDetail: "Password in the cloud"}
		if t.hybrid {
			u.passwordDetail = "Password Hash Sync"
		}
		c := homeCountries[countryCDF.pick(r)]
		u.country = c
		pool := c.names
		if c.code == "US" {
			pool = pickWeighted(r, poolsUS)
		}
		first, last := pickOne(r, pool.first), pickOne(r, pool.last)
		switch {
		case i < nService:
			local := serviceAccountNames[i]
			u.service, u.upn, u.name = true, unique(local, t.domain), local
			u.country = countryByCode["US"]
		case i < nService+nGuest:
			pi := r.IntN(len(partners))
			u.guest, u.cross, u.home = true, "b2bCollaboration", partnerIDs[pi]
			u.upn, u.name = unique(translit(first)+"."+translit(last), partners[pi].domain), first+" "+last
			u.passwordDetail = "Password in the cloud"
		default:
			u.upn, u.name = unique(translit(first)+"."+translit(last), t.domain), first+" "+last
			u.admin = chance(r, 0.02)
		}
		ct := &u.country.cities[cityIndex(r, len(u.country.cities))]
		u.tz = ct.tz
		t.buildDevices(r, u, prefix, first)
		homeISP := pickOne(r, ispRefs(u.country.home))
		u.homeNet = newNetAddr(r, u.country.code, ct, homeISP, false)
		mct := ct
		if chance(r, 0.3) {
			mct = &u.country.cities[r.IntN(len(u.country.cities))]
		}
		mobile := u.country.mobile
		if len(mobile) == 0 {
			mobile = u.country.home
		}
		mobileISP := pickOne(r, ispRefs(mobile))
		u.mobileNet = newNetAddr(r, u.country.code, mct, mobileISP, chance(r, 0.4))
		if t.spec.wide {
			u.wide = &userNet{homeISP: homeISP, homeCt: ct, mobileISP: mobileISP, mobileCt: mct}
		}
		if offices := t.officesIn(u.country.code); len(offices) > 0 && !u.guest && (u.service || chance(r, t.spec.officeShare)) {
			u.office = pickOne(r, offices)
		}
		if u.service && u.office == nil {
			u.office = t.offices[0]
		}
		u.mfa = pickWeighted(r, mfaMethods)
		u.finish()
		t.users = append(t.users, u)
	}
	// Activity is Zipf-like over a random order of users; service
	// accounts are among the busiest.
	ranks := r.Perm(n)
	w := zipf(n, 0.75)
	for i, u := range t.users {
		rank := ranks[i]
		if u.service {
			rank = rank % max(1, n/20)
		}
		u.weight = w[rank]
	}
	byTZ := map[int]*tzGroup{}
	for _, u := range t.users {
		g := byTZ[u.tz]
		if g == nil {
			g = &tzGroup{tz: u.tz}
			byTZ[u.tz] = g
			t.groups = append(t.groups, g)
		}
		g.users = append(g.users, u)
	}
	slices.SortFunc(t.groups, func(a, b *tzGroup) int { return a.tz - b.tz })
	for _, g := range t.groups {
		ws := make([]float64, len(g.users))
		for i, u := range g.users {
			ws[i] = u.weight
			g.total += u.weight
		}
		g.cdf = newCDF(ws)
	}
}

// finish makes the user's JSON fragment.
func (u *user) finish() {
	b := []byte(`"userDisplayName":`)
	b = jsonw.String(b, u.name)
	b = append(b, `,"userPrincipalName":`...)
	b = jsonw.String(b, u.upn)
	b = append(b, `,"userId":`...)
	u.idJSON = jsonw.String(b, u.id)
}

// cityIndex draws a city of a country, the first (the largest) most
// often.
func cityIndex(r *rand.Rand, n int) int {
	if n == 1 || chance(r, 0.35) {
		return 0
	}
	return r.IntN(n)
}

func ispRefs(list []isp) []*isp {
	out := make([]*isp, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

// buildDevices gives a user one to three devices: a computer, usually a
// phone, sometimes another device.
func (t *tenant) buildDevices(r *rand.Rand, u *user, prefix, first string) {
	corp := func(p float64) bool { return !u.guest && chance(r, p) }
	if u.service {
		d := newDevice(r, osWindows, true, t.hybrid, prefix, first)
		d.name = "SRV-" + strings.ToUpper(strings.TrimPrefix(u.name, "svc-"))
		if len(d.name) > 15 {
			d.name = d.name[:15]
		}
		d.finish()
		u.devices, u.devCDF = []*device{d}, newCDF([]float64{1})
		return
	}
	desktop := pickWeighted(r, []weighted[osFamily]{{osWindows, 0.79}, {osMac, 0.15}, {osLinux, 0.06}})
	u.devices = append(u.devices, newDevice(r, desktop, corp(0.92), t.hybrid, prefix, first))
	w := []float64{0.62}
	if chance(r, 0.85) {
		phone := pickWeighted(r, []weighted[osFamily]{{osIOS, 0.55}, {osAndroid, 0.45}})
		u.devices = append(u.devices, newDevice(r, phone, corp(0.4), t.hybrid, prefix, first))
		w = append(w, 0.3)
	}
	if chance(r, 0.2) {
		u.devices = append(u.devices, newDevice(r, pickWeighted(r, osShare), corp(0.3), t.hybrid, prefix, first))
		w = append(w, 0.08)
	}
	u.devCDF = newCDF(w)
}

func (t *tenant) buildWorkloads(r *rand.Rand, nSP, nMI int) {
	pick := func(keys []weighted[string], n int) ([]*resource, cdf) {
		var res []*resource
		var w []float64
		for len(res) < n {
			rs := t.resByKey[pickWeighted(r, keys)]
			if !slices.Contains(res, rs) {
				res = append(res, rs)
				w = append(w, 1/float64(len(res)))
			}
		}
		return res, newCDF(w)
	}
	azureNet := func() *netAddr {
		reg := azureRegions[r.IntN(len(azureRegions))]
		return newNetAddr(r, reg.country, &reg.city, &isp{"Microsoft Corporation", 8075, reg.blocks, 0}, false)
	}
	names := map[string]bool{}
	uniqueName := func(n string) string {
		base := n
		for i := 2; names[n]; i++ {
			n = base + "-" + strconv.Itoa(i)
		}
		names[n] = true
		return n
	}
	spRes := []weighted[string]{{"graph", 0.35}, {"arm", 0.25}, {"kv", 0.15}, {"storage", 0.12}, {"exo", 0.05}, {"spo", 0.05}, {"sql", 0.03}}
	libs := []string{
		"Family: MSAL Library: MSAL.NET 4.54.1.0 Platform: .NET FW",
		"Family: MSAL Library: MSAL.NET 4.58.1.0 Platform: .NET",
		"Family: MSAL Library: MSAL.Python 1.24.0 Platform: Python",
		"Family: MSAL Library: MSAL.Java 1.13.8 Platform: Java",
		"Family: MSAL Library: MSAL.js 2.38.1 Platform: Node",
		"Family: ADAL Library: ADAL.NET 5.2.9 Platform: .NET",
	}
	for i := range nSP {
		var name string
		switch {
		case i%40 == 7:
			name = "ConfigMgrSvc_" + newGUID(r).String()
		default:
			name = spBaseNames[r.IntN(len(spBaseNames))] + "-" + pickOne(r, environments)
		}
		w := &workload{name: uniqueName(name), appID: newGUID(r).String(), spID: newGUID(r).String(), lib: pickOne(r, libs)}
		w.credType = pickWeighted(r, []weighted[string]{{"clientSecret", 0.55}, {"certificate", 0.3}, {"federatedIdentityCredential", 0.15}})
		if strings.HasPrefix(w.name, "github-actions") {
			w.credType = "federatedIdentityCredential"
		}
		if w.credType != "federatedIdentityCredential" {
			w.keyID = newGUID(r).String()
		}
		if w.credType == "certificate" {
			w.thumbprint = strings.ToUpper(fmt.Sprintf("%016x%016x%08x", r.Uint64(), r.Uint64(), r.Uint32()))
		}
		w.res, w.resCDF = pick(spRes, 1+r.IntN(3))
		switch x := r.Float64(); {
		case x < 0.6 || strings.HasPrefix(w.name, "github-actions"):
			w.nets = []*netAddr{azureNet(), azureNet()}
		case x < 0.85:
			w.nets = []*netAddr{t.offices[r.IntN(len(t.offices))]}
		default:
			us := countryByCode["US"]
			w.nets = []*netAddr{newNetAddr(r, "US", &city{"Ashburn", "Virginia", 39.0438, -77.4874, -300}, &us.hosting[1], false)}
		}
		w.reason7000215 = "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + w.appID + "'."
		w.reason7000222 = "The provided client secret keys for app '" + w.appID + "' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds"
		w.reason700016 = "Application with identifier '" + w.appID + "' was not found in the directory '" + t.id + "'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
		t.sps = append(t.sps, w)
	}
	// A few automations keep retrying with an expired secret.
	for i := 0; i < len(t.sps)/40; i++ {
		w := t.sps[3+i*17%max(1, len(t.sps)-3)]
		w.broken, w.credType, w.thumbprint = true, "clientSecret", ""
		if w.keyID == "" {
			w.keyID = newGUID(r).String()
		}
	}
	subs := make([]string, 2+r.IntN(4))
	for i := range subs {
		subs[i] = newGUID(r).String()
	}
	miRes := []weighted[string]{{"kv", 0.35}, {"storage", 0.25}, {"arm", 0.15}, {"graph", 0.1}, {"sql", 0.08}, {"servicebus", 0.07}}
	for range nMI {
		k := miKinds[r.IntN(len(miKinds))]
		appName, env := pickOne(r, miApps), pickOne(r, environments[:4])
		var name string
		switch k.prefix {
		case "vm", "vmss":
			name = k.prefix + "-" + appName + "-" + fmt.Sprintf("%02d", 1+r.IntN(12))
		case "aks":
			name = "aks-" + appName + "-" + env + "-agentpool"
		default:
			name = k.prefix + "-" + appName + "-" + env
		}
		name = uniqueName(name)
		w := &workload{name: name, mi: true, appID: newGUID(r).String(), spID: newGUID(r).String(), msiType: "systemAssigned", credType: "managedIdentity"}
		if k.userAssigned {
			w.msiType = "userAssigned"
		}
		w.assocID = "/subscriptions/" + pickOne(r, subs) + "/resourceGroups/rg-" + appName + "-" + env + "/providers/" + k.provider + "/" + name
		w.res, w.resCDF = pick(miRes, 1+r.IntN(2))
		if chance(r, 0.8) {
			w.nets = []*netAddr{noAddr}
		} else {
			w.nets = []*netAddr{azureNet()}
		}
		t.mis = append(t.mis, w)
	}
	t.spCDF, t.miCDF = weighWorkloads(r, t.sps), weighWorkloads(r, t.mis)
}

// weighWorkloads gives workloads Zipf weights in a random order, broken
// ones among the busiest, and returns their distribution.
func weighWorkloads(r *rand.Rand, ws []*workload) cdf {
	if len(ws) == 0 {
		return nil
	}
	z := zipf(len(ws), 1.0)
	r.Shuffle(len(z), func(i, j int) { z[i], z[j] = z[j], z[i] })
	for i, x := range ws {
		if x.broken {
			z[i] = max(z[i], 1.0/8)
		}
	}
	return newCDF(z)
}
