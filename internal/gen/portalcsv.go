package gen

import (
	"github.com/signinq/signinq/engine/signin"
)

// The portal download's headers. The user files' header is the 57
// columns of the current download, with its trailing spaces ("Application
// ID "), double space ("Autonomous system  number") and repeated
// "Incoming token type"; service principal files have 22 columns and
// managed identity files add four.
var (
	portalUserHeader = []string{"Date (UTC)", "Request ID", "User agent", "Correlation ID", "User ID", "User", "Username", "User type",
		"Cross tenant access type", "Incoming token type", "Authentication Protocol", "Unique token identifier",
		"Original transfer method", "Client credential type", "Token Protection - Sign In Session",
		"Token Protection - Sign In Session StatusCode", "Application", "Application ID ", "App owner tenant ID",
		"Resource", "Resource ID ", "Resource tenant ID", "Resource owner tenant ID", "Home tenant ID",
		"Home tenant name", "IP address", "Location", "Status", "Sign-in error code", "Failure reason", "Client app",
		"Device ID", "Browser", "Operating System", "Compliant", "Managed", "Join Type",
		"Multifactor authentication result", "Multifactor authentication auth method",
		"Multifactor authentication auth detail", "Authentication requirement", "Sign-in identifier", "Session ID",
		"IP address (seen by resource)", "Through Global Secure Access", "Global Secure Access IP address",
		"Autonomous system  number", "Flagged for review", "Token issuer type", "Incoming token type",
		"Token issuer name", "Latency", "Conditional Access", "Managed Identity type", "Associated Resource Id",
		"Federated Token Id", "Federated Token Issuer"}
	portalSPHeader = []string{"Date (UTC)", "Request ID", "Correlation ID", "Service principal ID", "Service principal name",
		"Credential key ID", "Credential thumbprint", "Application", "Application ID ", "App owner tenant ID",
		"Resource", "Resource ID ", "Resource tenant ID", "Resource owner tenant ID", "Home tenant ID",
		"Home tenant name", "IP address", "Location", "Status", "Sign-in error code", "Failure reason", "Conditional Access"}
	portalMIHeader = append(append([]string(nil), portalSPHeader...), "Managed Identity type", "Associated Resource Id", "Federated Token Id", "Federated Token Issuer")
)

// portalFilePrefixes name the portal's files by type.
var portalFilePrefixes = [...]string{"InteractiveSignIns", "NonInteractiveSignIns", "ApplicationSignIns", "MSISignIns"}

// portalHeaderLine returns the header of a type's file, with the UTF-8
// byte-order mark the download starts with.
func portalHeaderLine(typ signin.Type) []byte {
	h := portalUserHeader
	switch typ {
	case signin.TypeServicePrincipal:
		h = portalSPHeader
	case signin.TypeManagedIdentity:
		h = portalMIHeader
	}
	b := []byte("\xef\xbb\xbf")
	for i, n := range h {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSV(b, n, true)
	}
	return append(b, '\n')
}

// microsoftTenant owns Microsoft's first-party applications.
const microsoftTenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

var portalStatus = [...]string{"", "Success", "Failure", "Interrupted"}

// portalCA spells conditionalAccessStatus as the portal shows it.
func portalCA(s string) string {
	switch s {
	case "success":
		return "Success"
	case "failure":
		return "Failure"
	}
	return "Not Applied"
}

func yesNo(b signin.Bool) string {
	switch b {
	case signin.BoolTrue:
		return "Yes"
	case signin.BoolFalse:
		return "No"
	}
	return ""
}

// portalLocation appends "City, State, CC", or nothing without a
// location, as a quoted field.
func portalLocation(w *csvRow, rec *signin.Record) {
	w.b = append(w.b, '"')
	if rec.Country != "" {
		w.b = appendCSVContent(w.b, rec.City)
		w.b = append(w.b, ", "...)
		w.b = appendCSVContent(w.b, rec.State)
		w.b = append(w.b, ", "...)
		w.b = appendCSVContent(w.b, rec.Country)
	}
	w.b = append(w.b, `",`...)
}

// appendPortal appends ev as a row of its type's portal file, every field
// quoted, times to the second.
func (e *encoder) appendPortal(dst []byte, ev *Event) []byte {
	rec, x := &ev.Record, &ev.x
	t := x.t
	w := csvRow{b: dst, always: true}
	e.scratch = appendPortalTime(e.scratch[:0], rec.Time)
	w.bytes(e.scratch)
	w.str(rec.ID)
	if x.user == nil {
		wl := x.wl
		w.str(rec.CorrelationID)
		w.str(rec.SPID)
		w.str(rec.SP)
		w.str(wl.keyID)
		w.str(wl.thumbprint)
		w.str(rec.App)
		w.str(rec.AppID)
		w.str(t.id)
		w.str(rec.Resource)
		w.str(rec.ResourceID)
		w.str(rec.ResourceTenant)
		w.str(ownerTenant(t, rec.ResourceID))
		w.str(rec.Tenant)
		w.str(t.name)
		w.str(rec.IP)
		portalLocation(&w, rec)
		w.str(portalStatus[rec.Status])
		w.int(rec.Error)
		w.str(rec.Reason)
		w.str(portalCA(rec.CA))
		if wl.mi {
			w.str(rec.MSIType)
			w.str(wl.assocID)
			w.str("")
			w.str("")
		}
		w.end()
		return w.b
	}
	u := x.user
	w.str(rec.UserAgent)
	w.str(rec.CorrelationID)
	w.str(rec.UserID)
	w.str(rec.UserName)
	w.str(rec.User)
	w.str(portalUserType(u))
	w.str(rec.CrossTenant)
	w.str(x.incoming)
	w.str(rec.Protocol)
	e.scratch = x.id.appendUTI(e.scratch[:0])
	w.bytes(e.scratch)
	for range 4 { // transfer method, credential type, token protection
		w.str("")
	}
	w.str(rec.App)
	w.str(rec.AppID)
	w.str(ownerTenant(t, rec.AppID))
	w.str(rec.Resource)
	w.str(rec.ResourceID)
	w.str(rec.ResourceTenant)
	w.str(ownerTenant(t, rec.ResourceID))
	w.str(rec.Tenant)
	if u.guest {
		w.str("")
	} else {
		w.str(t.name)
	}
	w.str(rec.IP)
	portalLocation(&w, rec)
	w.str(portalStatus[rec.Status])
	w.int(rec.Error)
	w.str(rec.Reason)
	w.str(rec.Client)
	w.str(rec.DeviceID)
	w.str(rec.Browser)
	w.str(rec.OS)
	w.str(yesNo(rec.Compliant))
	w.str(yesNo(rec.Managed))
	w.str(rec.Trust)
	mfaResult := ""
	for i := range x.nsteps {
		if x.steps[i].mfa {
			mfaResult = x.steps[i].detail
		}
	}
	w.str(mfaResult)
	w.str(portalMFAMethod(ev))
	w.str("")
	w.str(rec.AuthRequirement)
	if rec.Type == signin.TypeInteractive {
		w.str(rec.User)
	} else {
		w.str("")
	}
	w.str(rec.SessionID)
	w.str("")
	w.str("No")
	w.str("")
	if rec.ASN != signin.NoInt {
		w.int(rec.ASN)
	} else {
		w.str("")
	}
	w.str("No")
	w.str(rec.TokenIssuer)
	w.str(x.incoming)
	w.str("")
	w.int(rec.Latency)
	w.str(portalCA(rec.CA))
	for range 4 { // the managed identity columns
		w.str("")
	}
	w.end()
	return w.b
}

// portalUserType spells userType as the portal shows it.
func portalUserType(u *user) string {
	if u.guest {
		return "Guest"
	}
	return "Member"
}

// ownerTenant returns the tenant that owns an application: Microsoft for
// first-party ids, else the tenant itself.
func ownerTenant(t *tenant, appID string) string {
	if firstPartyID(appID) {
		return microsoftTenant
	}
	return t.id
}

// firstPartyIDs are the ids of Microsoft's applications and resources.
var firstPartyIDs = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range firstPartyApps {
		m[a.id] = true
	}
	for _, r := range firstPartyResources {
		m[r.id] = true
	}
	return m
}()

func firstPartyID(id string) bool { return firstPartyIDs[id] }
