package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
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

// A source is a key of a diagnostic-settings record that DuckDB's JSON
// reader is told to read, by its path (dots go into objects), with its
// type.
type source struct{ path, typ string }

// specialSources are the keys the hand-written columns (specialColumns)
// and derivedSQL read; the plain columns' keys come from the catalog
// (see sourceColumns).
var specialSources = []source{
	{"time", tString},
	{"category", tString},
	{"tenantId", tString},
	{"resultType", tString},
	{"resultDescription", tString},
	{"callerIpAddress", tString},
	{"correlationId", tString},
	{"identity", tString},
	{"location", tString}, // the envelope's location is a country code
	{"properties.createdDateTime", tString},
	{"properties.userDisplayName", tString},
	{"properties.userPrincipalName", tString},
	{"properties.userId", tString},
	{"properties.appId", tString},
	{"properties.appDisplayName", tString},
	{"properties.ipAddress", tString},
	{"properties.correlationId", tString},
	{"properties.homeTenantId", tString},
	{"properties.tenantId", tString},
	{"properties.processingTimeInMilliseconds", tInt},
	{"properties.processingTimeInMs", tInt},
	{"properties.riskEventTypes_v2", tList},
	{"properties.riskEventTypes", tList},
	{"properties.servicePrincipalId", tString},
	{"properties.servicePrincipalName", tString},
	{"properties.managedIdentityType", tString},
	{"properties.managedServiceIdentity.msiType", tString},
	{"properties.status.errorCode", tInt},
	{"properties.status.failureReason", tString},
	{"properties.location.countryOrRegion", tString},
	{"properties.appliedConditionalAccessPolicies", `STRUCT("displayName" VARCHAR, "result" VARCHAR)[]`},
	{"properties.authenticationDetails", `STRUCT("authenticationMethod" VARCHAR, "authenticationStepResultDetail" VARCHAR, "succeeded" BOOLEAN)[]`},
	{"properties.networkLocationDetails", `STRUCT("networkType" VARCHAR, "networkNames" VARCHAR[])[]`},
	{"resourceId", tString},
	{"properties.authenticationMethodsUsed", tList},
	{"properties.mfaDetail.authMethod", tString},
}

// sourceColumns are the top-level keys of a diagnostic-settings record
// that DuckDB's JSON reader is told to read, with their types, objects
// as STRUCTs of the keys read in them: the reader parses each line once
// and builds these values, skipping every other key (the record's other
// ~40 properties). They are specialSources and the keys of the plain
// columns (plainColumn). Keys are matched as written: signinq matches
// them without regard to case, DuckDB does not.
//
// Strings the catalog keeps as text are read as VARCHAR even where DuckDB
// would infer UUID, and times are read as text and cast in SQL (see
// timeExpr): the reader's own TIMESTAMP conversion ignores the offset
// (-05:00) instead of converting to UTC, and fails the load on a time it
// cannot parse.
var sourceColumns = func() []source {
	srcs := append([]source(nil), specialSources...)
	for _, f := range signin.Fields() {
		if _, special := specialColumns[f.Name]; !special {
			if _, ok := plainColumn(f); ok {
				srcs = append(srcs, source{f.Keys[signin.FormatDiag], plainSourceType(f.Kind)})
			}
		}
	}
	return sourceTree(srcs)
}()

// sourceTree folds sources into top-level ones, in the order their keys
// first come: an object is a STRUCT of the keys read in it. A key read
// as two types is a bug in specialSources.
func sourceTree(srcs []source) []source {
	type node struct {
		name, typ string
		kids      []*node
	}
	root := &node{}
	for _, s := range srcs {
		n := root
		for _, name := range strings.Split(s.path, ".") {
			i := 0
			for i < len(n.kids) && n.kids[i].name != name {
				i++
			}
			if i == len(n.kids) {
				n.kids = append(n.kids, &node{name: name})
			}
			n = n.kids[i]
		}
		if n.typ != "" && n.typ != s.typ {
			panic(fmt.Sprintf("BUG: peers: source %s read as %s and as %s", s.path, n.typ, s.typ))
		}
		n.typ = s.typ
	}
	var typeOf func(n *node) string
	typeOf = func(n *node) string {
		if len(n.kids) == 0 {
			return n.typ
		}
		if n.typ != "" {
			panic(fmt.Sprintf("BUG: peers: source %s read as %s and as an object", n.name, n.typ))
		}
		fields := make([]string, len(n.kids))
		for i, k := range n.kids {
			fields[i] = ident(k.name) + " " + typeOf(k)
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")"
	}
	out := make([]source, len(root.kids))
	for i, k := range root.kids {
		out[i] = source{k.name, typeOf(k)}
	}
	return out
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

// pathTenant is the tenant a diagnostic record's resourceId names:
// /tenants/ID/providers/microsoft.aadiam.
const pathTenant = `regexp_extract(resourceId, '^/[tT][eE][nN][aA][nN][tT][sS]/([^/]+)', 1)`

// distinctInOrder is a list's elements less NULLs, empty strings and
// repeats: an element is kept where it first occurs.
func distinctInOrder(x string) string {
	return fmt.Sprintf(`list_filter(%[1]s, lambda s, i: s <> '' AND list_position(%[1]s, s) = i)`, x)
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

func enumColumn(x string, values []string) column {
	return column{typ: tString, expr: enumExpr(x, values), values: values}
}

func codeList(codes []int64) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.FormatInt(c, 10)
	}
	return strings.Join(s, ", ")
}

// countryExpr is the country: the location's, else the envelope's.
var countryExpr = firstOf("properties.location.countryOrRegion", "location")

// specialColumns are the catalog's fields that signinq derives, reads
// from several keys or reads specially; their SQL follows its rules.
// Every other field is a plain column (plainColumn). What signinq does
// that this does not: the IP address is not put in canonical form
// (DuckDB's inet extension is not built in), and key case matters.
var specialColumns = map[string]column{
	"time":     {typ: tTime, expr: `coalesce(_created, _logged)`},
	"ingested": {typ: tTime, expr: `_logged`},
	"type":     {typ: tString, expr: `_type`},
	// The status from the error code; without one, resultType's text
	// when it is a status (Success, Failure).
	"status": {typ: tString, expr: `CASE
		WHEN _error IS NULL THEN CASE lower(trim(resultType))
			WHEN 'success' THEN 'success' WHEN 'succeeded' THEN 'success'
			WHEN 'failure' THEN 'failure' WHEN 'failed' THEN 'failure' WHEN 'error' THEN 'failure'
			WHEN 'interrupted' THEN 'interrupted' WHEN 'interrupt' THEN 'interrupted' END
		WHEN _error = 0 THEN 'success'
		WHEN _error IN (` + codeList(interruptCodes) + `) THEN 'interrupted'
		ELSE 'failure' END`},
	"error":  {typ: tInt, expr: `_error`},
	"reason": {typ: tString, expr: firstOf("properties.status.failureReason", "resultDescription")},
	"identity": {typ: tString, expr: `CASE WHEN _type IN ('interactive', 'nonInteractive', 'adfs') THEN ` +
		firstOf("properties.userPrincipalName", "properties.userDisplayName", "identity", "properties.userId") +
		` ELSE ` +
		firstOf("properties.servicePrincipalName", "identity", "properties.appDisplayName", "properties.servicePrincipalId", "properties.appId") +
		` END`},
	"ip":      {typ: tString, expr: firstOf("trim(properties.ipAddress)", "trim(callerIpAddress)")},
	"country": {typ: tString, expr: countryExpr},
	// The country, state and city joined by slashes, a missing one
	// empty; NULL when all three are missing (signin.Record.Place).
	"place": {typ: tString, expr: fmt.Sprintf(`CASE WHEN %[1]s IS NULL AND nullif(%[2]s, '') IS NULL AND nullif(%[3]s, '') IS NULL THEN NULL
		ELSE coalesce(%[1]s, '') || '/' || coalesce(%[2]s, '') || '/' || coalesce(%[3]s, '') END`,
		countryExpr, "properties.location.state", "properties.location.city")},
	// Without repeats, in order: an element is kept where it first occurs.
	"authMethod": {typ: tList, expr: `list_filter(_auth, lambda m, i: m <> '' AND list_position(_auth, m) = i)`},
	// The policies whose result is success or failure.
	"policy": {typ: tList, expr: `list_transform(
		list_filter(properties.appliedConditionalAccessPolicies,
			lambda p: lower(p.result) IN ('success', 'failure') AND p.displayName <> ''),
		lambda p: p.displayName)`},
	"riskEvents": {typ: tList, expr: `CASE WHEN len(` + nonEmpty("properties.riskEventTypes_v2") + `) > 0
		THEN ` + nonEmpty("properties.riskEventTypes_v2") + ` ELSE ` + nonEmpty("properties.riskEventTypes") + ` END`},
	"msiType": enumColumn(firstOf("properties.managedServiceIdentity.msiType", "properties.managedIdentityType"), signin.Lookup("msiType").Values),
	"tenant":  {typ: tString, expr: firstOf("properties.homeTenantId", "properties.tenantId", "tenantId", pathTenant)},
	// The tenant the log came from: tenantId, else the one resourceId's
	// path names (/tenants/ID/providers/…).
	"logTenant": {typ: tString, expr: firstOf("properties.tenantId", "tenantId", pathTenant)},
	// The first authentication step's method, result and success.
	"firstAuthMethod":    {typ: tString, expr: firstOf("properties.authenticationDetails[1].authenticationMethod")},
	"firstStepResult":    {typ: tString, expr: firstOf("properties.authenticationDetails[1].authenticationStepResultDetail")},
	"firstStepSucceeded": {typ: tBool, expr: `properties.authenticationDetails[1].succeeded`},
	"stepResult":         {typ: tList, expr: distinctInOrder(`list_transform(properties.authenticationDetails, lambda d: d.authenticationStepResultDetail)`)},
	"networkType":        {typ: tList, expr: distinctInOrder(`list_transform(properties.networkLocationDetails, lambda n: n.networkType)`)},
	"networkName":        {typ: tList, expr: distinctInOrder(`flatten(list_transform(properties.networkLocationDetails, lambda n: n.networkNames))`)},
	// Every policy with a name and a result, as "name: result"; the
	// names of those that failed, and of those in report-only mode.
	"policyResult": {typ: tList, expr: `list_transform(
		list_filter(properties.appliedConditionalAccessPolicies, lambda p: p.displayName <> '' AND p.result <> ''),
		lambda p: p.displayName || ': ' || p.result)`},
	"policyFailed": {typ: tList, expr: `list_transform(
		list_filter(properties.appliedConditionalAccessPolicies, lambda p: lower(p.result) = 'failure' AND p.displayName <> ''),
		lambda p: p.displayName)`},
	"policyReportOnly": {typ: tList, expr: `list_transform(
		list_filter(properties.appliedConditionalAccessPolicies, lambda p: starts_with(lower(p.result), 'reportonly') AND p.displayName <> ''),
		lambda p: p.displayName)`},
	"correlationId": {typ: tString, expr: firstOf("properties.correlationId", "correlationId")},
	"latency":       {typ: tInt, expr: `coalesce(properties.processingTimeInMilliseconds, properties.processingTimeInMs)`},
	// A diagnostic record is one sign-in.
	"signInCount": {typ: tInt, expr: `1`},
}

// kindTypes are the SQL types of the catalog's kinds.
var kindTypes = map[signin.Kind]string{
	signin.KindString: tString, signin.KindInt: tInt, signin.KindFloat: tFloat,
	signin.KindTime: tTime, signin.KindBool: tBool, signin.KindList: tList,
}

// plainSourceType is the type the JSON reader reads a plain column's key
// as: its column's, but text for a time (see timeExpr).
func plainSourceType(k signin.Kind) string {
	if k == signin.KindTime {
		return tString
	}
	return kindTypes[k]
}

// plainColumn is the column of a field held in its diagnostic-settings
// key (signin.Field.Keys) as its kind says: the key's value, a time cast
// to UTC, an enumerated text given its catalog spelling. ok is false for
// a field without such a key.
func plainColumn(f *signin.Field) (c column, ok bool) {
	key := f.Keys[signin.FormatDiag]
	if key == "" || kindTypes[f.Kind] == "" {
		return column{}, false
	}
	c = column{name: f.Name, typ: kindTypes[f.Kind], expr: key}
	switch {
	case f.Kind == signin.KindTime:
		c.expr = timeExpr(key)
	case f.Kind == signin.KindString && f.Values != nil:
		c.expr, c.values = enumExpr(key, f.Values), f.Values
	}
	return c, true
}

// columns are the catalog's fields in its order: specialColumns, else
// plain columns. A field that is neither is left out, and
// TestColumnsMatchCatalog fails.
var columns = func() []column {
	var out []column
	for _, f := range signin.Fields() {
		c, ok := specialColumns[f.Name]
		if ok {
			c.name = f.Name
		} else if c, ok = plainColumn(f); !ok {
			continue
		}
		out = append(out, c)
	}
	return out
}()

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
		fmt.Fprintf(&b, "\n      %s: %s", quote(c.path), quote(c.typ))
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
