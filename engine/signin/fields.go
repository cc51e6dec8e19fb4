package signin

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Kind is the type of a catalog field's values.
type Kind uint8

// The kinds of field.
const (
	KindString Kind = iota // text; "" when absent
	KindInt                // a 64-bit integer; NoInt when absent
	KindFloat              // a float64; NaN when absent
	KindTime               // an instant, UTC; zero when absent
	KindBool               // true, false or absent
	KindList               // a list of strings: a multi-valued field, matched on any element
	// KindDuration is a length of time in nanoseconds, which no field
	// has: what time arithmetic computes (last - first, now - time).
	KindDuration
)

var kindNames = [...]string{"string", "int", "float", "time", "bool", "list", "duration"}

// String returns the kind's name as docs/fields.md writes it.
func (k Kind) String() string { return kindNames[k] }

// Field describes one queryable field of the catalog.
type Field struct {
	Name   string   // the name queries use; unique, matched without regard to case
	Kind   Kind     // the type of its values
	Doc    string   // one sentence for docs/fields.md and completion
	Values []string // known values, for enumerations; nil otherwise
	// Keys names, for each format (indexed by Format), the key the format
	// holds the field's value under, when the value is the key's as the
	// field's kind reads it: a path of keys in the JSON record, dots
	// going into objects (diagnostic settings, Graph, and Log Analytics,
	// whose dynamic columns hold JSON), matched without regard to case;
	// the column's header in the portal's CSV download. It is "" where
	// the field is derived, split from a column, gathered from a list or
	// an enumeration's text, or not carried. Where the format has a
	// fallback ("X, else Y"), Keys holds the first key, X.
	//
	// Keys is the machine-readable half of From: package logfile decodes
	// a field from its keys as its kind says unless it reads the field
	// specially (times, the IP address), and checks that every key is
	// read into its field (TestCatalogKeys); bench/peers derives its SQL
	// from the diagnostic-settings key.
	Keys [numFormats]string
	// From says where the field comes from in each format, for people,
	// indexed by Format: its key, its key and fallbacks, or how it is
	// derived; "" means the format does not carry it. A catalog entry
	// sets From only where Keys does not say it all: where From is "", it
	// is made Keys when the catalog is built.
	From [numFormats]string

	// Accessors: one of these, by Kind. Type and status are strings
	// whose values are enumerations of their own types; a derived
	// string (place) is made from other fields by derive.
	ps   func(*Record) *string
	pi   func(*Record) *int64
	pf   func(*Record) *float64
	pt   func(*Record) *time.Time
	pb   func(*Record) *Bool
	pl   func(*Record) *[]string
	enum *enumAccess
	// derive makes the value of a field the record does not hold, from
	// the fields it does (see Derived).
	derive *derivation
}

// derivation makes a derived field's values: one record's, or a batch's,
// where records with equal sources share one string (the store writes a
// batch at a time: it then makes a string per distinct value, not per
// sign-in).
type derivation struct {
	one  func(*Record) string
	many func(dst []string, recs []*Record)
}

// Derived reports whether the field's value is made from other fields of
// the record rather than held in it (place, from country, state and
// city): it always agrees with them, cannot be set (SetString fails),
// and readers of the export formats and of the canonical form leave it
// to be made. The store keeps a derived field's column and bitmaps like
// any field's, so that queries filter and group on it without making it
// again; a record rebuilt from the store makes it from its sources.
func (f *Field) Derived() bool { return f.derive != nil }

// enumAccess reads and writes a field held in an enumeration type.
type enumAccess struct {
	get func(*Record) string
	set func(*Record, string) bool
}

var (
	typeEnum = &enumAccess{
		get: func(r *Record) string { return r.Type.String() },
		set: func(r *Record, s string) bool {
			t, ok := ParseType(s)
			if ok {
				r.Type = t
			}
			return ok
		},
	}
	statusEnum = &enumAccess{
		get: func(r *Record) string { return r.Status.String() },
		set: func(r *Record, s string) bool {
			if s == "" {
				r.Status = StatusUnknown
				return true
			}
			st, ok := ParseStatus(s)
			if ok {
				r.Status = st
			}
			return ok
		},
	}
)

// str returns a string field's value.
func (f *Field) str(r *Record) string {
	switch {
	case f.enum != nil:
		return f.enum.get(r)
	case f.derive != nil:
		return f.derive.one(r)
	}
	return *f.ps(r)
}

func (f *Field) num(r *Record) int64     { return *f.pi(r) }
func (f *Field) flt(r *Record) float64   { return *f.pf(r) }
func (f *Field) tim(r *Record) time.Time { return *f.pt(r) }
func (f *Field) bol(r *Record) Bool      { return *f.pb(r) }
func (f *Field) lst(r *Record) []string  { return *f.pl(r) }

// Text returns the field's value in r as text: strings as they are,
// integers in decimal, times in RFC 3339 UTC, flags as "true" or "false",
// lists joined by ", ". It returns "" when the value is absent.
func (f *Field) Text(r *Record) string {
	switch f.Kind {
	case KindString:
		return f.str(r)
	case KindInt:
		if v := f.num(r); v != NoInt {
			return formatInt(v)
		}
	case KindFloat:
		if v := f.flt(r); !math.IsNaN(v) {
			return formatFloat(v)
		}
	case KindTime:
		if t := f.tim(r); !t.IsZero() {
			return t.UTC().Format(time.RFC3339Nano)
		}
	case KindBool:
		return f.bol(r).String()
	case KindList:
		return strings.Join(f.lst(r), ", ")
	}
	return ""
}

// Texts sets dst[i] to Text(recs[i]) for every record, and returns dst,
// grown to len(recs) if needed. It is the fast way to read one string
// field of many records: the store reads a batch a column at a time.
func (f *Field) Texts(dst []string, recs []*Record) []string {
	dst = slices.Grow(dst[:0], len(recs))[:len(recs)]
	switch {
	case f.Kind != KindString:
		for i, r := range recs {
			dst[i] = f.Text(r)
		}
	case f.enum != nil:
		for i, r := range recs {
			dst[i] = f.enum.get(r)
		}
	case f.derive != nil:
		f.derive.many(dst, recs)
	default:
		for i, r := range recs {
			dst[i] = *f.ps(r)
		}
	}
	return dst
}

// Int returns the value of an integer field, a time field (as Unix
// nanoseconds) or a flag (0 or 1), and whether it is present.
func (f *Field) Int(r *Record) (int64, bool) {
	switch f.Kind {
	case KindInt:
		v := f.num(r)
		return v, v != NoInt
	case KindTime:
		t := f.tim(r)
		return t.UnixNano(), !t.IsZero()
	case KindBool:
		switch f.bol(r) {
		case BoolTrue:
			return 1, true
		case BoolFalse:
			return 0, true
		}
	}
	return 0, false
}

// Float returns the value of a numeric field and whether it is present.
func (f *Field) Float(r *Record) (float64, bool) {
	if f.Kind == KindFloat {
		v := f.flt(r)
		return v, !math.IsNaN(v)
	}
	v, ok := f.Int(r)
	return float64(v), ok
}

// Time returns the value of a time field; the zero time when absent.
func (f *Field) Time(r *Record) time.Time {
	if f.Kind == KindTime {
		return f.tim(r)
	}
	return time.Time{}
}

// List returns the values of a multi-valued field. For a single-valued
// field it returns the one value as a list, or nil when absent, so that
// callers can treat every field as multi-valued. The slice is r's own and
// must not be modified.
func (f *Field) List(r *Record) []string {
	if f.Kind == KindList {
		return f.lst(r)
	}
	if s := f.Text(r); s != "" {
		return []string{s}
	}
	return nil
}

// Present reports whether r has a value for the field.
func (f *Field) Present(r *Record) bool {
	switch f.Kind {
	case KindList:
		return len(f.lst(r)) > 0
	case KindFloat:
		return !math.IsNaN(f.flt(r))
	case KindInt, KindTime, KindBool:
		_, ok := f.Int(r)
		return ok
	}
	return f.str(r) != ""
}

// from builds a Field.From array: diagnostic settings, Graph, portal CSV,
// Log Analytics CSV.
func from(diag, graph, portal, la string) (a [numFormats]string) {
	a[FormatDiag], a[FormatGraph], a[FormatPortalCSV], a[FormatLogAnalyticsCSV] = diag, graph, portal, la
	return a
}

// keys builds a Field.Keys array, in from's order.
func keys(diag, graph, portal, la string) [numFormats]string { return from(diag, graph, portal, la) }

// withFrom completes the catalog's From entries from their Keys (see
// Field.From).
func withFrom(fs []*Field) []*Field {
	for _, f := range fs {
		for i, k := range f.Keys {
			if f.From[i] == "" {
				f.From[i] = k
			}
		}
	}
	return fs
}

// The catalog, in the order canonical records list their fields: when,
// what kind and outcome, who, what they reached, from where, how, under
// which policies and risks, and the identifiers that tie records together.
var fields = withFrom([]*Field{
	{Name: "time", Kind: KindTime, Doc: "When the sign-in happened (createdDateTime); the record's log time when the source has no sign-in time.",
		Keys: keys("properties.createdDateTime", "createdDateTime", "Date (UTC)", "CreatedDateTime"),
		From: from("properties.createdDateTime, else time", "createdDateTime; summarized rows: firstSignInDateTime, else aggregationDateTime", "", "CreatedDateTime, else TimeGenerated"),
		pt:   func(r *Record) *time.Time { return &r.Time }},
	{Name: "ingested", Kind: KindTime, Doc: "When Azure Monitor logged the record (top-level time / TimeGenerated).",
		Keys: keys("time", "", "", "TimeGenerated"),
		pt:   func(r *Record) *time.Time { return &r.Ingested }},
	{Name: "id", Doc: "The sign-in's request id.",
		Keys: keys("properties.id", "id", "Request ID", "Id"),
		ps:   func(r *Record) *string { return &r.ID }},
	{Name: "type", Doc: "The kind of sign-in.", Values: typeNames[:],
		From: from("category (ADFSSignInLogs is adfs)", "signInEventTypes, else the file name, else inferred (isInteractive, managedServiceIdentity, servicePrincipalId)", "the columns for the service principal and managed identity downloads; else --type, else the file name (InteractiveSignIns_…, NonInteractiveSignIns_…); ingest refuses a download none of them tells", "Category, else Type (the table; ADFSSignInLogs is adfs)"),
		enum: typeEnum},
	{Name: "status", Doc: "The outcome: derived from the error code (see status classification), or the status text where the format has one.", Values: statusNames[1:],
		From: from("derived from properties.status.errorCode, else resultType", "derived from status.errorCode", "Status", "derived from ResultType"),
		enum: statusEnum},
	{Name: "isInteractive", Kind: KindBool, Doc: "Whether the source says the sign-in was interactive (isInteractive): type tells the log a record is from, and a record of the interactive log may say false.",
		Keys: keys("properties.isInteractive", "isInteractive", "", "IsInteractive"),
		pb:   func(r *Record) *Bool { return &r.IsInteractive }},
	{Name: "error", Kind: KindInt, Doc: "The error code (AADSTS number without the prefix); 0 is success.",
		Keys: keys("properties.status.errorCode", "status.errorCode", "Sign-in error code", "ResultType"),
		From: from("properties.status.errorCode, else resultType", "", "", "ResultType, else Status.errorCode"),
		pi:   func(r *Record) *int64 { return &r.Error }},
	{Name: "reason", Doc: "The failure reason.",
		Keys: keys("properties.status.failureReason", "status.failureReason", "Failure reason", "ResultDescription"),
		From: from("properties.status.failureReason, else resultDescription", "", "", "ResultDescription, else Status.failureReason"),
		ps:   func(r *Record) *string { return &r.Reason }},
	{Name: "details", Doc: "Additional details of the outcome, e.g. \"MFA denied; user declined the authentication\".",
		Keys: keys("properties.status.additionalDetails", "status.additionalDetails", "", "Status.additionalDetails"),
		ps:   func(r *Record) *string { return &r.Details }},

	{Name: "identity", Doc: "Who signed in: the user principal name for users, the service principal or managed identity name otherwise (falling back to the display name, the app or the id).",
		From: from("derived", "derived", "derived", "derived"),
		ps:   func(r *Record) *string { return &r.Identity }},
	{Name: "user", Doc: "The user principal name.",
		Keys: keys("properties.userPrincipalName", "userPrincipalName", "Username", "UserPrincipalName"),
		ps:   func(r *Record) *string { return &r.User }},
	{Name: "userId", Doc: "The user's object id.",
		Keys: keys("properties.userId", "userId", "User ID", "UserId"),
		ps:   func(r *Record) *string { return &r.UserID }},
	{Name: "userName", Doc: "The user's display name.",
		Keys: keys("properties.userDisplayName", "userDisplayName", "User", "UserDisplayName"),
		ps:   func(r *Record) *string { return &r.UserName }},
	{Name: "userType", Doc: "Member or guest.", Values: []string{"member", "guest"},
		Keys: keys("properties.userType", "userType", "User type", "UserType"),
		ps:   func(r *Record) *string { return &r.UserType }},

	{Name: "app", Doc: "The application signed in to (appDisplayName).",
		Keys: keys("properties.appDisplayName", "appDisplayName", "Application", "AppDisplayName"),
		ps:   func(r *Record) *string { return &r.App }},
	{Name: "appId", Doc: "The application's id.",
		Keys: keys("properties.appId", "appId", "Application ID", "AppId"),
		ps:   func(r *Record) *string { return &r.AppID }},
	{Name: "resource", Doc: "The resource reached (resourceDisplayName).",
		Keys: keys("properties.resourceDisplayName", "resourceDisplayName", "Resource", "ResourceDisplayName"),
		ps:   func(r *Record) *string { return &r.Resource }},
	{Name: "resourceId", Doc: "The resource's application id.",
		Keys: keys("properties.resourceId", "resourceId", "Resource ID", "ResourceIdentity"),
		ps:   func(r *Record) *string { return &r.ResourceID }},

	{Name: "ip", Doc: "The client IP address, in canonical form.",
		Keys: keys("properties.ipAddress", "ipAddress", "IP address", "IPAddress"),
		From: from("properties.ipAddress, else callerIpAddress", "", "", ""),
		ps:   func(r *Record) *string { return &r.IP }},
	{Name: "country", Doc: "The country or region code of the IP address.",
		Keys: keys("properties.location.countryOrRegion", "location.countryOrRegion", "", "LocationDetails.countryOrRegion"),
		From: from("properties.location.countryOrRegion, else location", "", "Location (its last part)", "LocationDetails.countryOrRegion, else Location"),
		ps:   func(r *Record) *string { return &r.Country }},
	{Name: "state", Doc: "The state or province of the IP address.",
		Keys: keys("properties.location.state", "location.state", "", "LocationDetails.state"),
		From: from("", "", "Location (its middle part)", ""),
		ps:   func(r *Record) *string { return &r.State }},
	{Name: "city", Doc: "The city of the IP address.",
		Keys: keys("properties.location.city", "location.city", "", "LocationDetails.city"),
		From: from("", "", "Location (its first part)", ""),
		ps:   func(r *Record) *string { return &r.City }},
	{Name: "place", Doc: "Where the sign-in came from as one value, for counting and comparing places: country, state and city joined by slashes (US/Washington/Redmond; US// when only the country is known); empty when none of them is known.",
		From:   from("derived from country, state and city", "derived from country, state and city", "derived from country, state and city", "derived from country, state and city"),
		derive: placeDerivation},
	{Name: "latitude", Kind: KindFloat, Doc: "The latitude of the IP address.",
		Keys: keys("properties.location.geoCoordinates.latitude", "location.geoCoordinates.latitude", "", "LocationDetails.geoCoordinates.latitude"),
		pf:   func(r *Record) *float64 { return &r.Latitude }},
	{Name: "longitude", Kind: KindFloat, Doc: "The longitude of the IP address.",
		Keys: keys("properties.location.geoCoordinates.longitude", "location.geoCoordinates.longitude", "", "LocationDetails.geoCoordinates.longitude"),
		pf:   func(r *Record) *float64 { return &r.Longitude }},
	{Name: "asn", Kind: KindInt, Doc: "The autonomous system number of the IP address.",
		Keys: keys("properties.autonomousSystemNumber", "autonomousSystemNumber", "Autonomous system  number", "AutonomousSystemNumber"),
		pi:   func(r *Record) *int64 { return &r.ASN }},

	{Name: "networkType", Kind: KindList, Doc: "The kinds of network the sign-in came from (networkLocationDetails[].networkType): intranet, extranet, namedNetwork, trusted, trustedNamedLocation.",
		From: from("properties.networkLocationDetails[].networkType", "networkLocationDetails[].networkType (beta)", "", "NetworkLocationDetails[].networkType"),
		pl:   func(r *Record) *[]string { return &r.NetworkTypes }},
	{Name: "networkName", Kind: KindList, Doc: "The named networks (named locations) the sign-in came from (networkLocationDetails[].networkNames[]).",
		From: from("properties.networkLocationDetails[].networkNames[]", "networkLocationDetails[].networkNames[] (beta)", "", "NetworkLocationDetails[].networkNames[]"),
		pl:   func(r *Record) *[]string { return &r.NetworkNames }},

	{Name: "client", Doc: "The client app used (clientAppUsed): Browser, Mobile Apps and Desktop clients, Exchange ActiveSync, IMAP4, …",
		Keys: keys("properties.clientAppUsed", "clientAppUsed", "Client app", "ClientAppUsed"),
		ps:   func(r *Record) *string { return &r.Client }},
	{Name: "browser", Doc: "The browser or client library and its version.",
		Keys: keys("properties.deviceDetail.browser", "deviceDetail.browser", "Browser", "DeviceDetail.browser"),
		ps:   func(r *Record) *string { return &r.Browser }},
	{Name: "os", Doc: "The operating system, as the source spells it.",
		Keys: keys("properties.deviceDetail.operatingSystem", "deviceDetail.operatingSystem", "Operating System", "DeviceDetail.operatingSystem"),
		ps:   func(r *Record) *string { return &r.OS }},
	{Name: "userAgent", Doc: "The client's user agent string.",
		Keys: keys("properties.userAgent", "userAgent", "User agent", "UserAgent"),
		ps:   func(r *Record) *string { return &r.UserAgent }},
	{Name: "device", Doc: "The device's display name.",
		Keys: keys("properties.deviceDetail.displayName", "deviceDetail.displayName", "", "DeviceDetail.displayName"),
		ps:   func(r *Record) *string { return &r.Device }},
	{Name: "deviceId", Doc: "The device's id.",
		Keys: keys("properties.deviceDetail.deviceId", "deviceDetail.deviceId", "Device ID", "DeviceDetail.deviceId"),
		ps:   func(r *Record) *string { return &r.DeviceID }},
	{Name: "compliant", Kind: KindBool, Doc: "Whether the device is compliant.",
		Keys: keys("properties.deviceDetail.isCompliant", "deviceDetail.isCompliant", "Compliant", "DeviceDetail.isCompliant"),
		pb:   func(r *Record) *Bool { return &r.Compliant }},
	{Name: "managed", Kind: KindBool, Doc: "Whether the device is managed.",
		Keys: keys("properties.deviceDetail.isManaged", "deviceDetail.isManaged", "Managed", "DeviceDetail.isManaged"),
		pb:   func(r *Record) *Bool { return &r.Managed }},
	{Name: "trust", Doc: "How the device is joined (trustType): Azure AD joined, Hybrid Azure AD joined, Azure AD registered.",
		Keys: keys("properties.deviceDetail.trustType", "deviceDetail.trustType", "Join Type", "DeviceDetail.trustType"),
		ps:   func(r *Record) *string { return &r.Trust }},

	{Name: "protocol", Doc: "The authentication protocol.", Values: []string{"none", "oAuth2", "ropc", "wsFederation", "saml20", "deviceCode", "authenticationTransfer", "nativeAuth"},
		Keys: keys("properties.authenticationProtocol", "authenticationProtocol", "Authentication Protocol", "AuthenticationProtocol"),
		ps:   func(r *Record) *string { return &r.Protocol }},
	{Name: "originalTransferMethod", Doc: "How the sign-in was transferred from another device (originalTransferMethod): deviceCodeFlow for the device code flow that phishing abuses, authenticationTransfer, or none.", Values: []string{"none", "deviceCodeFlow", "authenticationTransfer", "unknownFutureValue"},
		Keys: keys("properties.originalTransferMethod", "originalTransferMethod", "Original transfer method", "OriginalTransferMethod"),
		From: from("", "originalTransferMethod; beta only", "", ""),
		ps:   func(r *Record) *string { return &r.TransferMethod }},
	{Name: "authRequirement", Doc: "The authentication required.", Values: []string{"singleFactorAuthentication", "multiFactorAuthentication"},
		Keys: keys("properties.authenticationRequirement", "authenticationRequirement", "Authentication requirement", "AuthenticationRequirement"),
		ps:   func(r *Record) *string { return &r.AuthRequirement }},
	{Name: "authMethod", Kind: KindList, Doc: "The authentication methods used (Password, Authenticator App, Previously satisfied, …), without repeats.",
		Keys: keys("", "", "Multifactor authentication auth method", ""),
		From: from("properties.authenticationDetails[].authenticationMethod, authenticationMethodsUsed[], mfaDetail.authMethod", "authenticationDetails[].authenticationMethod, authenticationMethodsUsed[], mfaDetail.authMethod", "", "AuthenticationDetails[].authenticationMethod, AuthenticationMethodsUsed, MfaDetail.authMethod"),
		pl:   func(r *Record) *[]string { return &r.AuthMethods }},
	{Name: "firstAuthMethod", Doc: "The first authentication step's method (authenticationDetails[0].authenticationMethod): Password, Previously satisfied, Integrated Windows Authentication, …",
		From: from("properties.authenticationDetails[0].authenticationMethod", "authenticationDetails[0].authenticationMethod (beta)", "", "AuthenticationDetails[0].authenticationMethod"),
		ps:   func(r *Record) *string { return &r.FirstAuthMethod }},
	{Name: "firstStepResult", Doc: "The first authentication step's result (authenticationDetails[0].authenticationStepResultDetail), e.g. \"Correct password\".",
		From: from("properties.authenticationDetails[0].authenticationStepResultDetail", "authenticationDetails[0].authenticationStepResultDetail (beta)", "", "AuthenticationDetails[0].authenticationStepResultDetail"),
		ps:   func(r *Record) *string { return &r.FirstStepResult }},
	{Name: "firstStepSucceeded", Kind: KindBool, Doc: "Whether the first authentication step succeeded (authenticationDetails[0].succeeded).",
		From: from("properties.authenticationDetails[0].succeeded", "authenticationDetails[0].succeeded (beta)", "", "AuthenticationDetails[0].succeeded"),
		pb:   func(r *Record) *Bool { return &r.FirstStepSucceeded }},
	{Name: "stepResult", Kind: KindList, Doc: "Every authentication step's result (authenticationStepResultDetail), in order, without repeats: \"MFA successfully completed\", \"MFA denied; user declined the authentication\", …",
		Keys: keys("", "", "Multifactor authentication result", ""),
		From: from("properties.authenticationDetails[].authenticationStepResultDetail", "authenticationDetails[].authenticationStepResultDetail (beta)", "Multifactor authentication result; the MFA step's only", "AuthenticationDetails[].authenticationStepResultDetail"),
		pl:   func(r *Record) *[]string { return &r.StepResults }},
	{Name: "ca", Doc: "The Conditional Access status (conditionalAccessStatus).", Values: []string{"success", "failure", "notApplied"},
		Keys: keys("properties.conditionalAccessStatus", "conditionalAccessStatus", "Conditional Access", "ConditionalAccessStatus"),
		ps:   func(r *Record) *string { return &r.CA }},
	{Name: "policy", Kind: KindList, Doc: "The display names of the Conditional Access policies applied: those whose result is success or failure.",
		From: from("properties.appliedConditionalAccessPolicies[].displayName", "appliedConditionalAccessPolicies[].displayName", "", "ConditionalAccessPolicies[].displayName"),
		pl:   func(r *Record) *[]string { return &r.Policies }},

	{Name: "policyResult", Kind: KindList, Doc: "Every Conditional Access policy evaluated, with its result, as \"name: result\" (result success, failure, notApplied, notEnabled, reportOnlySuccess, reportOnlyFailure, reportOnlyNotApplied, reportOnlyInterrupted, …).",
		From: from("displayName: result of properties.appliedConditionalAccessPolicies[]", "displayName: result of appliedConditionalAccessPolicies[]", "", "displayName: result of ConditionalAccessPolicies[]"),
		pl:   func(r *Record) *[]string { return &r.PolicyResults }},
	{Name: "policyFailed", Kind: KindList, Doc: "The display names of the Conditional Access policies whose result is failure.",
		From: from("displayName of properties.appliedConditionalAccessPolicies[] whose result is failure", "displayName of appliedConditionalAccessPolicies[] whose result is failure", "", "displayName of ConditionalAccessPolicies[] whose result is failure"),
		pl:   func(r *Record) *[]string { return &r.PoliciesFailed }},
	{Name: "policyReportOnly", Kind: KindList, Doc: "The display names of the Conditional Access policies in report-only mode: those whose result is reportOnlySuccess, reportOnlyFailure, reportOnlyNotApplied or reportOnlyInterrupted.",
		From: from("displayName of properties.appliedConditionalAccessPolicies[] whose result is reportOnly…", "displayName of appliedConditionalAccessPolicies[] whose result is reportOnly…", "", "displayName of ConditionalAccessPolicies[] whose result is reportOnly…"),
		pl:   func(r *Record) *[]string { return &r.PoliciesReportOnly }},

	{Name: "risk", Doc: "The risk level during sign-in.", Values: riskLevels,
		Keys: keys("properties.riskLevelDuringSignIn", "riskLevelDuringSignIn", "", "RiskLevelDuringSignIn"),
		ps:   func(r *Record) *string { return &r.Risk }},
	{Name: "riskAggregated", Doc: "The aggregated risk level.", Values: riskLevels,
		Keys: keys("properties.riskLevelAggregated", "riskLevelAggregated", "", "RiskLevelAggregated"),
		ps:   func(r *Record) *string { return &r.RiskAggregated }},
	{Name: "riskState", Doc: "The risk state.", Values: []string{"none", "confirmedSafe", "remediated", "dismissed", "atRisk", "confirmedCompromised"},
		Keys: keys("properties.riskState", "riskState", "", "RiskState"),
		ps:   func(r *Record) *string { return &r.RiskState }},
	{Name: "riskDetail", Doc: "The reason behind the risk state (riskDetail).",
		Keys: keys("properties.riskDetail", "riskDetail", "", "RiskDetail"),
		ps:   func(r *Record) *string { return &r.RiskDetail }},
	{Name: "riskEvents", Kind: KindList, Doc: "The risk event types detected: unlikelyTravel, anonymizedIPAddress, leakedCredentials, …",
		Keys: keys("properties.riskEventTypes_v2", "riskEventTypes_v2", "", "RiskEventTypes_V2"),
		From: from("properties.riskEventTypes_v2, else riskEventTypes", "riskEventTypes_v2, else riskEventTypes", "", "RiskEventTypes_V2, else RiskEventTypes"),
		pl:   func(r *Record) *[]string { return &r.RiskEvents }},

	{Name: "sp", Doc: "The service principal's name; for managed identities, the identity's name.",
		Keys: keys("properties.servicePrincipalName", "servicePrincipalName", "Service principal name", "ServicePrincipalName"),
		ps:   func(r *Record) *string { return &r.SP }},
	{Name: "spId", Doc: "The service principal's id.",
		Keys: keys("properties.servicePrincipalId", "servicePrincipalId", "Service principal ID", "ServicePrincipalId"),
		ps:   func(r *Record) *string { return &r.SPID }},
	{Name: "msiType", Doc: "The managed identity's type.", Values: []string{"none", "systemAssigned", "userAssigned"},
		Keys: keys("properties.managedServiceIdentity.msiType", "managedServiceIdentity.msiType", "Managed Identity type", "ManagedServiceIdentity.msiType"),
		From: from("properties.managedServiceIdentity.msiType, else properties.managedIdentityType", "", "", ""),
		ps:   func(r *Record) *string { return &r.MSIType }},

	{Name: "tenant", Doc: "The home tenant of the one who signed in (homeTenantId), else the tenant the log came from.",
		Keys: keys("properties.homeTenantId", "homeTenantId", "Home tenant ID", "HomeTenantId"),
		From: from("properties.homeTenantId, else tenantId", "homeTenantId, else tenantId", "", "HomeTenantId, else AADTenantId"),
		ps:   func(r *Record) *string { return &r.Tenant }},
	{Name: "logTenant", Doc: "The tenant whose log holds the sign-in: the diagnostic record's tenantId, Log Analytics' AADTenantId (not its TenantId, the workspace's).",
		Keys: keys("tenantId", "tenantId", "", "AADTenantId"),
		From: from("tenantId, else the tenant of resourceId (/tenants/ID/providers/…)", "tenantId; summarized sign-ins only (a sign-in has none)", "", "AADTenantId, else the tenant of ResourceId (/tenants/ID/providers/…)"),
		ps:   func(r *Record) *string { return &r.LogTenant }},
	{Name: "resourceTenant", Doc: "The tenant of the resource.",
		Keys: keys("properties.resourceTenantId", "resourceTenantId", "Resource tenant ID", "ResourceTenantId"),
		ps:   func(r *Record) *string { return &r.ResourceTenant }},
	{Name: "crossTenant", Doc: "The cross-tenant access type.", Values: []string{"none", "b2bCollaboration", "b2bDirectConnect", "microsoftSupport", "serviceProvider", "passthrough"},
		Keys: keys("properties.crossTenantAccessType", "crossTenantAccessType", "Cross tenant access type", "CrossTenantAccessType"),
		ps:   func(r *Record) *string { return &r.CrossTenant }},
	{Name: "tokenIssuer", Doc: "The type of the token issuer.", Values: []string{"AzureAD", "ADFederationServices", "AzureADBackupAuth", "ADFederationServicesMFAAdapter", "NPSExtension"},
		Keys: keys("properties.tokenIssuerType", "tokenIssuerType", "Token issuer type", "TokenIssuerType"),
		ps:   func(r *Record) *string { return &r.TokenIssuer }},

	{Name: "correlationId", Doc: "The correlation id shared by the requests of one sign-in flow.",
		Keys: keys("properties.correlationId", "correlationId", "Correlation ID", "CorrelationId"),
		From: from("properties.correlationId, else correlationId", "", "", ""),
		ps:   func(r *Record) *string { return &r.CorrelationID }},
	{Name: "sessionId", Doc: "The session id.",
		Keys: keys("properties.sessionId", "sessionId", "Session ID", "SessionId"),
		ps:   func(r *Record) *string { return &r.SessionID }},
	{Name: "latency", Kind: KindInt, Doc: "The processing time in milliseconds.",
		Keys: keys("properties.processingTimeInMilliseconds", "processingTimeInMilliseconds", "Latency", "ProcessingTimeInMilliseconds"),
		From: from("", "", "", "ProcessingTimeInMilliseconds, else ProcessingTimeInMs"),
		pi:   func(r *Record) *int64 { return &r.Latency }},
	{Name: "signInCount", Kind: KindInt, Doc: "How many sign-ins the record stands for: 1, or a summarized row's signInCount.",
		Keys: keys("", "signInCount", "", ""),
		From: from("1", "signInCount, else 1", "1", "1"),
		pi:   func(r *Record) *int64 { return &r.SignInCount }},
})

var riskLevels = []string{"none", "low", "medium", "high", "hidden"}

var byName = func() map[string]*Field {
	m := make(map[string]*Field, len(fields))
	for _, f := range fields {
		k := strings.ToLower(f.Name)
		if _, dup := m[k]; dup {
			panic("BUG: duplicate field " + f.Name)
		}
		m[k] = f
	}
	return m
}()

// Fields returns the catalog in its canonical order. The slice and the
// fields are shared and must not be modified.
func Fields() []*Field { return fields }

// Lookup returns the field with the given name or alias (see Aliases),
// matched without regard to case, or nil.
func Lookup(name string) *Field {
	if f := byName[strings.ToLower(name)]; f != nil {
		return f
	}
	return byAlias[strings.ToLower(name)]
}

// Ref returns the accessor of a field whose value a Record holds as a T
// (string, int64, float64, time.Time, Bool or []string, as its Kind
// says): a function giving the address of the field's value in a
// record, for readers that set many records' fields fast. It returns nil
// when the record does not hold the field as a T: another kind, or type
// and status, which are held as their enumerations.
func Ref[T any](f *Field) func(*Record) *T {
	for _, a := range [...]any{f.ps, f.pi, f.pf, f.pt, f.pb, f.pl} {
		if ref, ok := a.(func(*Record) *T); ok {
			return ref
		}
	}
	return nil
}

// errKind is returned by a setter of the wrong kind for the field.
func (f *Field) errKind(want Kind) error {
	return fmt.Errorf("field %s is a %s, not a %s", f.Name, f.Kind, want)
}

// SetString sets a string field. For type and status the text must be one
// of their values (see ParseType and ParseStatus; "" clears the status).
// A derived field (see Derived) cannot be set: set its sources.
func (f *Field) SetString(r *Record, s string) error {
	switch {
	case f.Kind != KindString:
		return f.errKind(KindString)
	case f.derive != nil:
		return fmt.Errorf("field %s is %s, and cannot be set", f.Name, f.From[FormatDiag])
	case f.enum != nil:
		if !f.enum.set(r, s) {
			return fmt.Errorf("%s: %q is not one of %s", f.Name, s, strings.Join(f.Values, ", "))
		}
	default:
		*f.ps(r) = s
	}
	return nil
}

// SetInt sets an integer field; NoInt makes it absent.
func (f *Field) SetInt(r *Record, v int64) error {
	if f.Kind != KindInt {
		return f.errKind(KindInt)
	}
	*f.pi(r) = v
	return nil
}

// SetFloat sets a float field; NaN makes it absent.
func (f *Field) SetFloat(r *Record, v float64) error {
	if f.Kind != KindFloat {
		return f.errKind(KindFloat)
	}
	*f.pf(r) = v
	return nil
}

// SetTime sets a time field, in UTC; the zero time makes it absent.
func (f *Field) SetTime(r *Record, t time.Time) error {
	if f.Kind != KindTime {
		return f.errKind(KindTime)
	}
	if !t.IsZero() {
		t = t.UTC()
	}
	*f.pt(r) = t
	return nil
}

// SetBool sets a flag.
func (f *Field) SetBool(r *Record, v Bool) error {
	if f.Kind != KindBool {
		return f.errKind(KindBool)
	}
	*f.pb(r) = v
	return nil
}

// SetList sets a multi-valued field. The record keeps the slice.
func (f *Field) SetList(r *Record, v []string) error {
	if f.Kind != KindList {
		return f.errKind(KindList)
	}
	*f.pl(r) = v
	return nil
}
