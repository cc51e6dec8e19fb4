package kql

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
)

// table is one of the Log Analytics sign-in tables: the sign-in type its
// rows are, and which of the columns the translation reads it holds, and
// as what (the same column is dynamic in SigninLogs and a JSON string in
// the other three: kusto's testdata/signin-tables.txt declares them from
// Microsoft's table references).
type table struct {
	name    string
	typ     string          // the catalog's type value of its rows
	dynamic map[string]bool // the columns it holds as dynamic
	has     map[string]bool // the columns it holds, dynamic or not
}

func cols(s string) map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(s) {
		m[c] = true
	}
	return m
}

// The columns read, per table (a subset of each table's schema).
var tables = []*table{
	{name: "SigninLogs", typ: "interactive",
		dynamic: cols("LocationDetails DeviceDetail Status ConditionalAccessPolicies MfaDetail"),
		has: cols(`AADTenantId AppDisplayName AppId AppliedConditionalAccessPolicies AuthenticationDetails AuthenticationMethodsUsed MfaDetail NetworkLocationDetails RiskEventTypes RiskEventTypes_V2 AuthenticationProtocol AuthenticationRequirement
			AutonomousSystemNumber ClientAppUsed ConditionalAccessPolicies ConditionalAccessStatus CorrelationId CreatedDateTime
			CrossTenantAccessType DeviceDetail HomeTenantId Id Identity IPAddress IsInteractive Location LocationDetails
			ProcessingTimeInMilliseconds ResourceDisplayName ResourceId ResourceIdentity ResourceTenantId ResultDescription ResultType
			RiskDetail RiskLevelAggregated RiskLevelDuringSignIn RiskState ServicePrincipalId ServicePrincipalName Status
			TimeGenerated TokenIssuerType UserAgent UserDisplayName UserId UserPrincipalName UserType`)},
	{name: "AADNonInteractiveUserSignInLogs", typ: "nonInteractive",
		dynamic: cols(""),
		has: cols(`AADTenantId AppDisplayName AppId AuthenticationDetails AuthenticationMethodsUsed MfaDetail NetworkLocationDetails RiskEventTypes RiskEventTypes_V2 AuthenticationProtocol AuthenticationRequirement
			AutonomousSystemNumber ClientAppUsed ConditionalAccessPolicies ConditionalAccessStatus CorrelationId CreatedDateTime
			CrossTenantAccessType DeviceDetail HomeTenantId Id Identity IPAddress IsInteractive Location LocationDetails
			OriginalTransferMethod ProcessingTimeInMs ResourceDisplayName ResourceIdentity ResourceTenantId ResultDescription
			ResultType RiskDetail RiskLevelAggregated RiskLevelDuringSignIn RiskState ServicePrincipalId SessionId Status
			TimeGenerated TokenIssuerType UserAgent UserDisplayName UserId UserPrincipalName UserType`)},
	{name: "AADServicePrincipalSignInLogs", typ: "servicePrincipal",
		dynamic: cols(""),
		has: cols(`AppId ConditionalAccessPolicies ConditionalAccessStatus CorrelationId Id Identity IPAddress Location
			LocationDetails ResourceDisplayName ResourceIdentity ResultDescription ResultType ServicePrincipalId
			ServicePrincipalName TimeGenerated`)},
	{name: "AADManagedIdentitySignInLogs", typ: "managedIdentity",
		dynamic: cols(""),
		has: cols(`AADTenantId AppId ConditionalAccessPolicies ConditionalAccessStatus CorrelationId CreatedDateTime Id NetworkLocationDetails
			Identity IPAddress Location LocationDetails ManagedServiceIdentity ResourceDisplayName ResourceIdentity ResultDescription ResultType
			ServicePrincipalId ServicePrincipalName SessionId TimeGenerated UserAgent`)},
}

// nulls are KQL's typed nulls, for a column a table lacks.
var nulls = map[signin.Kind]string{
	signin.KindInt: "long(null)", signin.KindFloat: "real(null)",
	signin.KindTime: "datetime(null)", signin.KindBool: "bool(null)",
}

// column is a field's column in a table: its expression there, of the
// field's kind, or "" when the table lacks it (then the kind's empty
// value: "" for text, a typed null otherwise).
type column func(t *table) string

// plain is a column the table holds as text (or as the field's type,
// conv converting it: tolong for a number LA keeps as text).
func plain(col, conv string) column {
	return func(t *table) string {
		if !t.has[col] {
			return ""
		}
		if conv != "" {
			return conv + "(" + col + ")"
		}
		return col
	}
}

// key is a key inside a column that holds JSON: dynamic in some
// tables, a string to parse in others (todynamic).
func key(col, path, conv string) column {
	return func(t *table) string {
		if !t.has[col] {
			return ""
		}
		c := col
		if !t.dynamic[col] {
			c = "todynamic(" + col + ")"
		}
		return conv + "(" + c + path + ")"
	}
}

// first is the first of the columns that is not empty (KQL's coalesce:
// non-null, and for text non-empty).
func first(cs ...column) column {
	return func(t *table) string {
		var es []string
		for _, c := range cs {
			if e := c(t); e != "" {
				es = append(es, e)
			}
		}
		switch len(es) {
		case 0:
			return ""
		case 1:
			return es[0]
		}
		return "coalesce(" + strings.Join(es, ", ") + ")"
	}
}

// enum is an enumerated field's column in the catalog's spelling: a
// value equal to one of the catalog's without regard to case takes the
// catalog's spelling (Member is member), as signinq's readers normalize
// them; others are kept as written.
func enum(f *signin.Field, c column) column {
	return func(t *table) string {
		e := c(t)
		if e == "" {
			return ""
		}
		var b strings.Builder
		b.WriteString("case(")
		for _, v := range f.Values {
			fmt.Fprintf(&b, "%s =~ %s, %s, ", e, str(v), str(v))
		}
		b.WriteString(e + ")")
		return b.String()
	}
}

// columns maps the catalog's fields to their columns. A field not here
// (the multi-valued ones, and those Log Analytics does not carry as the
// other formats do) is not expressible.
var columns = map[string]column{
	"time":               first(plain("CreatedDateTime", ""), plain("TimeGenerated", "")),
	"ingested":           plain("TimeGenerated", ""),
	"id":                 plain("Id", ""),
	"error":              plain("ResultType", "tolong"),
	"reason":             plain("ResultDescription", ""),
	"details":            key("Status", ".additionalDetails", "tostring"),
	"user":               plain("UserPrincipalName", ""),
	"userId":             plain("UserId", ""),
	"userName":           plain("UserDisplayName", ""),
	"app":                plain("AppDisplayName", ""),
	"appId":              plain("AppId", ""),
	"resource":           plain("ResourceDisplayName", ""),
	"resourceId":         plain("ResourceIdentity", ""),
	"ip":                 plain("IPAddress", ""),
	"country":            first(key("LocationDetails", ".countryOrRegion", "tostring"), plain("Location", "")),
	"state":              key("LocationDetails", ".state", "tostring"),
	"city":               key("LocationDetails", ".city", "tostring"),
	"latitude":           key("LocationDetails", ".geoCoordinates.latitude", "toreal"),
	"longitude":          key("LocationDetails", ".geoCoordinates.longitude", "toreal"),
	"asn":                plain("AutonomousSystemNumber", "tolong"),
	"client":             plain("ClientAppUsed", ""),
	"browser":            key("DeviceDetail", ".browser", "tostring"),
	"os":                 key("DeviceDetail", ".operatingSystem", "tostring"),
	"userAgent":          plain("UserAgent", ""),
	"device":             key("DeviceDetail", ".displayName", "tostring"),
	"deviceId":           key("DeviceDetail", ".deviceId", "tostring"),
	"compliant":          key("DeviceDetail", ".isCompliant", "tobool"),
	"managed":            key("DeviceDetail", ".isManaged", "tobool"),
	"trust":              key("DeviceDetail", ".trustType", "tostring"),
	"isInteractive":      plain("IsInteractive", ""),
	"firstAuthMethod":    key("AuthenticationDetails", "[0].authenticationMethod", "tostring"),
	"firstStepResult":    key("AuthenticationDetails", "[0].authenticationStepResultDetail", "tostring"),
	"firstStepSucceeded": key("AuthenticationDetails", "[0].succeeded", "tobool"),
	"riskDetail":         plain("RiskDetail", ""),
	"sp":                 plain("ServicePrincipalName", ""),
	"spId":               plain("ServicePrincipalId", ""),
	"tenant":             first(plain("HomeTenantId", ""), plain("AADTenantId", "")),
	"resourceTenant":     plain("ResourceTenantId", ""),
	"correlationId":      plain("CorrelationId", ""),
	"sessionId":          plain("SessionId", ""),
	"latency":            first(plain("ProcessingTimeInMilliseconds", "tolong"), plain("ProcessingTimeInMs", "tolong")),
	"signInCount":        func(*table) string { return "long(1)" },
}

func init() {
	for name, col := range map[string]string{
		"userType": "UserType", "protocol": "AuthenticationProtocol", "originalTransferMethod": "OriginalTransferMethod",
		"authRequirement": "AuthenticationRequirement", "ca": "ConditionalAccessStatus", "risk": "RiskLevelDuringSignIn",
		"riskAggregated": "RiskLevelAggregated", "riskState": "RiskState", "crossTenant": "CrossTenantAccessType",
		"tokenIssuer": "TokenIssuerType",
	} {
		columns[name] = enum(signin.Lookup(name), plain(col, ""))
	}
	columns["msiType"] = enum(signin.Lookup("msiType"), key("ManagedServiceIdentity", ".msiType", "tostring"))
	// logTenant: AADTenantId, else the tenant of the log's resource path
	// (/tenants/ID/providers/…), as the Log Analytics reader takes it.
	columns["logTenant"] = first(plain("AADTenantId", ""), func(t *table) string {
		if !t.has["ResourceId"] {
			return ""
		}
		return "extract(" + str("^(?i:/tenants/)([^/]+)") + ", 1, ResourceId)"
	})
	columns["type"] = func(t *table) string { return str(t.typ) }
	columns["status"] = status(signin.DefaultInterruptCodes)
	columns["identity"] = func(t *table) string {
		if t.typ == "servicePrincipal" || t.typ == "managedIdentity" {
			return first(plain("ServicePrincipalName", ""), plain("Identity", ""), plain("AppDisplayName", ""),
				plain("ServicePrincipalId", ""), plain("AppId", ""))(t)
		}
		return first(plain("UserPrincipalName", ""), plain("UserDisplayName", ""), plain("Identity", ""), plain("UserId", ""))(t)
	}
	columns["place"] = func(t *table) string {
		c, s, y := columns["country"](t), columns["state"](t), columns["city"](t)
		for _, p := range []*string{&c, &s, &y} {
			if *p == "" {
				*p = `""`
			}
		}
		return fmt.Sprintf(`iff(isempty(%s) and isempty(%s) and isempty(%s), "", strcat(%s, "/", %s, "/", %s))`, c, s, y, c, s, y)
	}
}

// status is the status classification of docs/fields.md over
// ResultType: 0 success, a code of the interrupt set interrupted,
// every other failure.
func status(codes []int64) column {
	return func(t *table) string {
		var b strings.Builder
		for i, c := range codes {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(str(strconv.FormatInt(c, 10)))
		}
		return fmt.Sprintf(`case(ResultType == "0", "success", ResultType in (%s), "interrupted", "failure")`, b.String())
	}
}

// str is a KQL string literal of s: verbatim (@"…", a quote doubled),
// which takes any text but a line break; those are escaped.
func str(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range s {
			switch r {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
		return b.String()
	}
	return `@"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// A multi-valued field is a dynamic array of strings in the KQL: its
// distinct elements that are not "" (make_set), built in each table's
// branch from the columns signinq's Log Analytics reader reads it from
// (engine/logfile): the objects of a JSON array (the Conditional Access
// policies, the authentication steps, the network locations), or a
// column that holds a list of strings (a JSON array, or one text). Each
// source is an array in a hidden column, expanded by mv-apply with a
// null element appended, so that the subtable is never empty (mv-expand
// of an empty array gives no row, which would drop the sign-in:
// docs/scale.md), and summarized into the fields' arrays.

// listSource is one array a table's multi-valued fields are built from.
type listSource struct {
	col   string                           // its hidden column
	array func(t *table) string            // the array in a table; "" when the table lacks it
	sets  map[string]func(e string) string // a field's element (a string, "" for none) of the source's element e
}

// objects is the array of JSON objects in column col (dynamic, or a JSON
// string), [] when it holds no array.
func objects(col string) func(t *table) string {
	return func(t *table) string {
		if !t.has[col] {
			return ""
		}
		c := col
		if !t.dynamic[col] {
			c = "todynamic(" + col + ")"
		}
		return "iff(gettype(" + c + ") == \"array\", " + c + ", dynamic([]))"
	}
}

// strings is a column holding a list of strings as the reader's list
// reads it: a JSON array (its text starts with [ once trimmed), else one
// text (trimmed; none when empty).
func stringList(col string) func(t *table) string {
	return func(t *table) string {
		if !t.has[col] {
			return ""
		}
		tr := "trim(@\"\\s+\", " + col + ")"
		return "iff(" + tr + " startswith \"[\", iff(gettype(todynamic(" + tr + ")) == \"array\", todynamic(" + tr + "), dynamic([])), iff(isempty(" + tr + "), dynamic([]), pack_array(" + tr + ")))"
	}
}

func elem(key string) func(e string) string {
	return func(e string) string { return "tostring(" + e + "." + key + ")" }
}

var listSources = []*listSource{
	{col: "__ca", array: func(t *table) string {
		a, b := objects("ConditionalAccessPolicies")(t), objects("AppliedConditionalAccessPolicies")(t)
		switch {
		case a == "":
			return b
		case b == "":
			return a
		}
		return "array_concat(" + a + ", " + b + ")"
	}, sets: map[string]func(string) string{
		// A policy with a name: policy if its result is success or
		// failure, policyFailed failure, policyReportOnly reportOnly…,
		// policyResult "name: result" when it has a result.
		"policy": func(e string) string {
			return "iff(" + elem("result")(e) + " in~ (\"success\", \"failure\"), " + elem("displayName")(e) + ", \"\")"
		},
		"policyFailed": func(e string) string {
			return "iff(" + elem("result")(e) + " =~ \"failure\", " + elem("displayName")(e) + ", \"\")"
		},
		"policyReportOnly": func(e string) string {
			return "iff(" + elem("result")(e) + " startswith \"reportOnly\", " + elem("displayName")(e) + ", \"\")"
		},
		"policyResult": func(e string) string {
			return "iff(isnotempty(" + elem("displayName")(e) + ") and isnotempty(" + elem("result")(e) + "), strcat(" + elem("displayName")(e) + ", \": \", " + elem("result")(e) + "), \"\")"
		},
	}},
	{col: "__auth", array: objects("AuthenticationDetails"), sets: map[string]func(string) string{
		"authMethod": elem("authenticationMethod"),
		"stepResult": elem("authenticationStepResultDetail"),
	}},
	{col: "__amu", array: stringList("AuthenticationMethodsUsed"), sets: map[string]func(string) string{
		"authMethod": func(e string) string { return "tostring(" + e + ")" },
	}},
	{col: "__net", array: objects("NetworkLocationDetails"), sets: map[string]func(string) string{
		"networkType": elem("networkType"),
	}},
	{col: "__risk2", array: stringList("RiskEventTypes_V2"), sets: map[string]func(string) string{
		"riskEvents": func(e string) string { return "tostring(" + e + ")" },
	}},
	{col: "__risk1", array: stringList("RiskEventTypes"), sets: map[string]func(string) string{
		"__riskLegacy": func(e string) string { return "tostring(" + e + ")" },
	}},
}

// listFields are the multi-valued fields translated, and the hidden
// sets each is made of: one set, or (authMethod) the union of several
// (with MfaDetail.authMethod), or (riskEvents) RiskEventTypes_V2's,
// else RiskEventTypes'.
var listFields = map[string]bool{
	"policy": true, "policyFailed": true, "policyReportOnly": true, "policyResult": true,
	"authMethod": true, "stepResult": true, "networkType": true, "riskEvents": true,
}

// listBranch is the steps of a table's branch that build the
// multi-valued fields used (after its project and time range): the
// hidden columns' projections, and the steps.
func listBranch(t *table, used map[string]bool) (proj []string, steps []string) {
	var hidden []string
	for _, src := range listSources {
		var names []string
		for name := range src.sets {
			if used[name] || name == "__riskLegacy" && used["riskEvents"] {
				names = append(names, name)
			}
		}
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		a := src.array(t)
		if a == "" {
			continue
		}
		hidden = append(hidden, ident(src.col))
		proj = append(proj, ident(src.col)+" = "+a)
		var sums []string
		for _, name := range names {
			x := src.sets[name]("__e")
			col := ident(name)
			if src.col == "__amu" {
				col = ident("__amu_set")
			}
			sums = append(sums, col+" = make_set_if("+x+", isnotempty("+x+"))")
		}
		steps = append(steps, "mv-apply __e = array_concat("+ident(src.col)+", dynamic([null])) on (summarize "+strings.Join(sums, ", ")+")")
	}
	// The fields' arrays, in every table (empty where it lacks their
	// columns): authMethod also holds AuthenticationMethodsUsed's and
	// MfaDetail.authMethod; riskEvents is RiskEventTypes when
	// RiskEventTypes_V2 has none.
	made := map[string]bool{}
	for _, src := range listSources {
		if src.array(t) == "" {
			continue
		}
		for name := range src.sets {
			made[name] = true
		}
	}
	var ext []string
	names := make([]string, 0, len(used))
	for name := range used {
		if listFields[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case name == "authMethod":
			var parts []string
			if made["authMethod"] {
				parts = append(parts, ident("authMethod"))
			}
			if listSources[2].array(t) != "" {
				parts = append(parts, ident("__amu_set"))
				hidden = append(hidden, ident("__amu_set"))
			}
			if t.has["MfaDetail"] {
				c := "MfaDetail"
				if !t.dynamic[c] {
					c = "todynamic(" + c + ")"
				}
				proj = append(proj, ident("__mfa")+" = tostring("+c+".authMethod)")
				hidden = append(hidden, ident("__mfa"))
				parts = append(parts, "pack_array("+ident("__mfa")+")")
			}
			switch len(parts) {
			case 0:
				ext = append(ext, ident(name)+" = dynamic([])")
			default:
				parts = append(parts, "dynamic([])")
				ext = append(ext, ident(name)+" = set_difference(set_union("+strings.Join(parts, ", ")+"), dynamic([\"\"]))")
			}
		case name == "riskEvents" && made["riskEvents"]:
			ext = append(ext, ident(name)+" = iff(array_length("+ident("riskEvents")+") > 0, "+ident("riskEvents")+", "+ident("__riskLegacy")+")")
			hidden = append(hidden, ident("__riskLegacy"))
		case !made[name]:
			ext = append(ext, ident(name)+" = dynamic([])")
		}
	}
	if len(ext) > 0 {
		steps = append(steps, "extend "+strings.Join(ext, ", "))
	}
	if len(hidden) > 0 {
		steps = append(steps, "project-away "+strings.Join(hidden, ", "))
	}
	return proj, steps
}
