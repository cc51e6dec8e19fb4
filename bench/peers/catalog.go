package main

import (
	"fmt"
	"strconv"
	"strings"
)

// A column is one field of signinq's catalog (docs/fields.md) as a column
// of the DuckDB table: its SQL type and the expression that computes it
// from a diagnostic-settings record as DuckDB's JSON reader gives it (see
// sourceColumns). The expressions may use the derived columns of
// derivedSQL, which start with an underscore.
type column struct {
	name   string
	typ    string   // DuckDB type
	expr   string   // SQL over the source and derived columns
	values []string // the catalog's values of an enumerated field, which expr normalizes to
}

// The SQL types of the catalog's kinds.
const (
	tString = "VARCHAR"
	tInt    = "BIGINT"
	tFloat  = "DOUBLE"
	tTime   = "TIMESTAMP"
	tBool   = "BOOLEAN"
	tList   = "VARCHAR[]"
)

// interruptCodes is signinq's default interrupt set (docs/fields.md,
// "Status classification"): these error codes are interrupted, 0 is
// success, every other code is failure.
var interruptCodes = []int64{
	16000, 16001, 16003, 50055, 50058, 50059, 50072, 50074, 50125, 50127,
	50129, 50140, 50143, 50144, 51006, 52004, 65001, 81010, 81012, 81014,
}

// Enumerated fields' values, as docs/fields.md lists them.
var (
	valuesRisk = []string{"none", "low", "medium", "high", "hidden"}
)

// sourceColumns are the keys of a diagnostic-settings record that DuckDB's
// JSON reader is told to read, with their types: the reader parses each
// line once and builds these values, skipping every other key (the
// record's other ~40 properties). Keys are matched as written: signinq
// matches them without regard to case, DuckDB does not.
//
// Strings the catalog keeps as text are read as VARCHAR even where DuckDB
// would infer UUID, and times are read as text and cast in SQL (see
// timeExpr): the reader's own TIMESTAMP conversion ignores the offset
// (-05:00) instead of converting to UTC, and fails the load on a time it
// cannot parse.
var sourceColumns = []struct{ name, typ string }{
	{"time", tString},
	{"category", tString},
	{"tenantId", tString},
	{"resultType", tString},
	{"resultDescription", tString},
	{"callerIpAddress", tString},
	{"correlationId", tString},
	{"identity", tString},
	{"location", tString}, // the envelope's location is a country code
	{"properties", `STRUCT(
		"id" VARCHAR,
		"createdDateTime" VARCHAR,
		"userDisplayName" VARCHAR,
		"userPrincipalName" VARCHAR,
		"userId" VARCHAR,
		"userType" VARCHAR,
		"appId" VARCHAR,
		"appDisplayName" VARCHAR,
		"resourceDisplayName" VARCHAR,
		"resourceId" VARCHAR,
		"ipAddress" VARCHAR,
		"autonomousSystemNumber" BIGINT,
		"clientAppUsed" VARCHAR,
		"userAgent" VARCHAR,
		"correlationId" VARCHAR,
		"sessionId" VARCHAR,
		"conditionalAccessStatus" VARCHAR,
		"authenticationProtocol" VARCHAR,
		"authenticationRequirement" VARCHAR,
		"homeTenantId" VARCHAR,
		"tenantId" VARCHAR,
		"resourceTenantId" VARCHAR,
		"crossTenantAccessType" VARCHAR,
		"tokenIssuerType" VARCHAR,
		"processingTimeInMilliseconds" BIGINT,
		"processingTimeInMs" BIGINT,
		"riskLevelDuringSignIn" VARCHAR,
		"riskLevelAggregated" VARCHAR,
		"riskState" VARCHAR,
		"riskDetail" VARCHAR,
		"riskEventTypes_v2" VARCHAR[],
		"riskEventTypes" VARCHAR[],
		"servicePrincipalId" VARCHAR,
		"servicePrincipalName" VARCHAR,
		"managedIdentityType" VARCHAR,
		"managedServiceIdentity" STRUCT("msiType" VARCHAR),
		"status" STRUCT("errorCode" BIGINT, "failureReason" VARCHAR, "additionalDetails" VARCHAR),
		"deviceDetail" STRUCT("deviceId" VARCHAR, "displayName" VARCHAR, "operatingSystem" VARCHAR,
			"browser" VARCHAR, "isCompliant" BOOLEAN, "isManaged" BOOLEAN, "trustType" VARCHAR),
		"location" STRUCT("city" VARCHAR, "state" VARCHAR, "countryOrRegion" VARCHAR,
			"geoCoordinates" STRUCT("latitude" DOUBLE, "longitude" DOUBLE)),
		"appliedConditionalAccessPolicies" STRUCT("displayName" VARCHAR, "result" VARCHAR)[],
		"authenticationDetails" STRUCT("authenticationMethod" VARCHAR)[],
		"authenticationMethodsUsed" VARCHAR[],
		"mfaDetail" STRUCT("authMethod" VARCHAR))`},
}

// derivedSQL computes, once per row, the values several columns need.
var derivedSQL = []struct{ name, expr string }{
	// The type from the category (signin.ParseType); NULL for a category
	// that is not a sign-in log, and such rows are left out.
	{"_type", `CASE lower(trim(category))
		WHEN 'signinlogs' THEN 'interactive'
		WHEN 'noninteractiveusersigninlogs' THEN 'nonInteractive'
		WHEN 'serviceprincipalsigninlogs' THEN 'servicePrincipal'
		WHEN 'microsoftserviceprincipalsigninlogs' THEN 'servicePrincipal'
		WHEN 'managedidentitysigninlogs' THEN 'managedIdentity'
		WHEN 'adfssigninlogs' THEN 'adfs' END`},
	{"_error", `coalesce(properties.status.errorCode, TRY_CAST(trim(resultType) AS BIGINT))`},
	{"_created", timeExpr("properties.createdDateTime")},
	{"_logged", timeExpr(`"time"`)},
	// Every authentication method named, in signinq's order: the steps'
	// methods, authenticationMethodsUsed, then mfaDetail's.
	{"_auth", `list_concat(
		list_transform(properties.authenticationDetails, lambda d: d.authenticationMethod),
		properties.authenticationMethodsUsed,
		[properties.mfaDetail.authMethod])`},
}

// timeExpr converts a time text to a UTC TIMESTAMP: ISO 8601 with or
// without an offset (converted to UTC; none means UTC), else the US form
// some exports write (11/14/2025 1:48:53 AM, taken as UTC); NULL if
// neither. TIMESTAMP keeps microseconds: a seventh fractional digit is
// dropped. signinq's parser knows more forms (docs/fields.md).
func timeExpr(x string) string {
	return fmt.Sprintf(`coalesce(timezone('UTC', TRY_CAST(%[1]s AS TIMESTAMPTZ)), try_strptime(%[1]s, '%%m/%%d/%%Y %%I:%%M:%%S %%p'))`, x)
}

// nonEmpty is a list's elements less NULLs and empty strings.
func nonEmpty(x string) string {
	return fmt.Sprintf(`list_filter(%s, lambda s: s <> '')`, x)
}

// firstOf is the first of xs that is neither NULL nor empty.
func firstOf(xs ...string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("nullif(%s, '')", x)
	}
	return "coalesce(" + strings.Join(parts, ", ") + ")"
}

// enumExpr gives an enumerated value its catalog spelling as signinq does
// (Member is member, Not Applied is notApplied): values compared without
// regard to ASCII case, spaces, hyphens and underscores; other values are
// kept as written.
func enumExpr(x string, values []string) string {
	var in, when strings.Builder
	for i, v := range values {
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString(quote(v))
		fmt.Fprintf(&when, " WHEN %s THEN %s", quote(strings.ToLower(v)), quote(v))
	}
	return fmt.Sprintf(`CASE WHEN %[1]s IS NULL OR %[1]s IN (%[2]s) THEN %[1]s ELSE CASE lower(replace(replace(replace(%[1]s, ' ', ''), '-', ''), '_', ''))%[3]s ELSE %[1]s END END`,
		x, in.String(), when.String())
}

func enumColumn(name, x string, values []string) column {
	return column{name: name, typ: tString, expr: enumExpr(x, values), values: values}
}

func codeList(codes []int64) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.FormatInt(c, 10)
	}
	return strings.Join(s, ", ")
}

// columns are the catalog's fields in its order. signinq derives status,
// identity, authMethod and policy in Go; their SQL here follows its rules.
// What it does that this does not: the IP address is not put in canonical
// form (DuckDB's inet extension is not built in), and key case matters.
var columns = []column{
	{name: "time", typ: tTime, expr: `coalesce(_created, _logged)`},
	{name: "ingested", typ: tTime, expr: `_logged`},
	{name: "id", typ: tString, expr: `properties.id`},
	{name: "type", typ: tString, expr: `_type`},
	// The status from the error code; without one, resultType's text
	// when it is a status (Success, Failure).
	{name: "status", typ: tString, expr: `CASE
		WHEN _error IS NULL THEN CASE lower(trim(resultType))
			WHEN 'success' THEN 'success' WHEN 'succeeded' THEN 'success'
			WHEN 'failure' THEN 'failure' WHEN 'failed' THEN 'failure' WHEN 'error' THEN 'failure'
			WHEN 'interrupted' THEN 'interrupted' WHEN 'interrupt' THEN 'interrupted' END
		WHEN _error = 0 THEN 'success'
		WHEN _error IN (` + codeList(interruptCodes) + `) THEN 'interrupted'
		ELSE 'failure' END`},
	{name: "error", typ: tInt, expr: `_error`},
	{name: "reason", typ: tString, expr: firstOf("properties.status.failureReason", "resultDescription")},
	{name: "details", typ: tString, expr: `properties.status.additionalDetails`},
	{name: "identity", typ: tString, expr: `CASE WHEN _type IN ('interactive', 'nonInteractive', 'adfs') THEN ` +
		firstOf("properties.userPrincipalName", "properties.userDisplayName", "identity", "properties.userId") +
		` ELSE ` +
		firstOf("properties.servicePrincipalName", "identity", "properties.appDisplayName", "properties.servicePrincipalId", "properties.appId") +
		` END`},
	{name: "user", typ: tString, expr: `properties.userPrincipalName`},
	{name: "userId", typ: tString, expr: `properties.userId`},
	{name: "userName", typ: tString, expr: `properties.userDisplayName`},
	enumColumn("userType", `properties.userType`, []string{"member", "guest"}),
	{name: "app", typ: tString, expr: `properties.appDisplayName`},
	{name: "appId", typ: tString, expr: `properties.appId`},
	{name: "resource", typ: tString, expr: `properties.resourceDisplayName`},
	{name: "resourceId", typ: tString, expr: `properties.resourceId`},
	{name: "ip", typ: tString, expr: firstOf("trim(properties.ipAddress)", "trim(callerIpAddress)")},
	{name: "country", typ: tString, expr: firstOf("properties.location.countryOrRegion", "location")},
	{name: "state", typ: tString, expr: `properties.location.state`},
	{name: "city", typ: tString, expr: `properties.location.city`},
	{name: "latitude", typ: tFloat, expr: `properties.location.geoCoordinates.latitude`},
	{name: "longitude", typ: tFloat, expr: `properties.location.geoCoordinates.longitude`},
	{name: "asn", typ: tInt, expr: `properties.autonomousSystemNumber`},
	{name: "client", typ: tString, expr: `properties.clientAppUsed`},
	{name: "browser", typ: tString, expr: `properties.deviceDetail.browser`},
	{name: "os", typ: tString, expr: `properties.deviceDetail.operatingSystem`},
	{name: "userAgent", typ: tString, expr: `properties.userAgent`},
	{name: "device", typ: tString, expr: `properties.deviceDetail.displayName`},
	{name: "deviceId", typ: tString, expr: `properties.deviceDetail.deviceId`},
	{name: "compliant", typ: tBool, expr: `properties.deviceDetail.isCompliant`},
	{name: "managed", typ: tBool, expr: `properties.deviceDetail.isManaged`},
	{name: "trust", typ: tString, expr: `properties.deviceDetail.trustType`},
	enumColumn("protocol", `properties.authenticationProtocol`,
		[]string{"none", "oAuth2", "ropc", "wsFederation", "saml20", "deviceCode", "authenticationTransfer", "nativeAuth"}),
	enumColumn("authRequirement", `properties.authenticationRequirement`,
		[]string{"singleFactorAuthentication", "multiFactorAuthentication"}),
	// Without repeats, in order: an element is kept where it first occurs.
	{name: "authMethod", typ: tList, expr: `list_filter(_auth, lambda m, i: m <> '' AND list_position(_auth, m) = i)`},
	enumColumn("ca", `properties.conditionalAccessStatus`, []string{"success", "failure", "notApplied"}),
	// The policies whose result is success or failure.
	{name: "policy", typ: tList, expr: `list_transform(
		list_filter(properties.appliedConditionalAccessPolicies,
			lambda p: lower(p.result) IN ('success', 'failure') AND p.displayName <> ''),
		lambda p: p.displayName)`},
	enumColumn("risk", `properties.riskLevelDuringSignIn`, valuesRisk),
	enumColumn("riskAggregated", `properties.riskLevelAggregated`, valuesRisk),
	enumColumn("riskState", `properties.riskState`,
		[]string{"none", "confirmedSafe", "remediated", "dismissed", "atRisk", "confirmedCompromised"}),
	{name: "riskDetail", typ: tString, expr: `properties.riskDetail`},
	{name: "riskEvents", typ: tList, expr: `CASE WHEN len(` + nonEmpty("properties.riskEventTypes_v2") + `) > 0
		THEN ` + nonEmpty("properties.riskEventTypes_v2") + ` ELSE ` + nonEmpty("properties.riskEventTypes") + ` END`},
	{name: "sp", typ: tString, expr: `properties.servicePrincipalName`},
	{name: "spId", typ: tString, expr: `properties.servicePrincipalId`},
	enumColumn("msiType", firstOf("properties.managedServiceIdentity.msiType", "properties.managedIdentityType"),
		[]string{"none", "systemAssigned", "userAssigned"}),
	{name: "tenant", typ: tString, expr: firstOf("properties.homeTenantId", "properties.tenantId", "tenantId")},
	{name: "resourceTenant", typ: tString, expr: `properties.resourceTenantId`},
	enumColumn("crossTenant", `properties.crossTenantAccessType`,
		[]string{"none", "b2bCollaboration", "b2bDirectConnect", "microsoftSupport", "serviceProvider", "passthrough"}),
	enumColumn("tokenIssuer", `properties.tokenIssuerType`,
		[]string{"AzureAD", "ADFederationServices", "AzureADBackupAuth", "ADFederationServicesMFAAdapter", "NPSExtension"}),
	{name: "correlationId", typ: tString, expr: firstOf("properties.correlationId", "correlationId")},
	{name: "sessionId", typ: tString, expr: `properties.sessionId`},
	{name: "latency", typ: tInt, expr: `coalesce(properties.processingTimeInMilliseconds, properties.processingTimeInMs)`},
	// A diagnostic record is one sign-in.
	{name: "signInCount", typ: tInt, expr: `1`},
}

// table is the name of the table loaded.
const table = "signins"

// quote returns s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ident returns s as an SQL identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// loadSQL is the statement that loads path into the table: DuckDB's JSON
// reader parses each line once into the typed source columns, and the
// select computes the catalog columns from them. Lines whose category is
// not a sign-in log, and sign-ins without a time, are left out, as signinq
// leaves them out.
func loadSQL(path string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s AS\nWITH src AS (\n  SELECT * FROM read_json(%s,\n    format = 'newline_delimited',\n    records = true,\n    columns = {", ident(table), quote(path))
	for i, c := range sourceColumns {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n      %s: %s", quote(c.name), quote(c.typ))
	}
	b.WriteString("})\n), r AS (\n  SELECT *")
	for _, d := range derivedSQL {
		fmt.Fprintf(&b, ",\n    %s AS %s", d.expr, d.name)
	}
	b.WriteString("\n  FROM src\n)\nSELECT")
	for i, c := range columns {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n  CAST(%s AS %s) AS %s", c.expr, c.typ, ident(c.name))
	}
	b.WriteString("\nFROM r\nWHERE _type IS NOT NULL AND coalesce(_created, _logged) IS NOT NULL")
	return b.String()
}
