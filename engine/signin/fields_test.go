package signin

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite docs/fields.md")

// TestFieldsDoc keeps docs/fields.md in step with the catalog. Run with
// -update after changing the catalog.
func TestFieldsDoc(t *testing.T) {
	got := fieldsDoc()
	const path = "../../docs/fields.md"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the catalog; run go test ./engine/signin -update", path)
	}
}

func fieldsDoc() []byte {
	var b bytes.Buffer
	b.WriteString(`# The sign-in fields

<!-- Generated from engine/signin/fields.go by TestFieldsDoc; do not edit. -->

Every sign-in, whatever its type and whatever format it was read from, has
the fields below. Queries use these names, or the Log Analytics and Graph
names of [aliases](#aliases) (case is ignored). A field the source leaves
out is absent: strings are empty, numbers and flags have no value.
Multi-valued fields (list) match on any element.

| field | type | meaning |
|---|---|---|
`)
	for _, f := range Fields() {
		doc := f.Doc
		if f.Values != nil {
			doc += " Values: " + strings.Join(f.Values, ", ") + "."
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, f.Kind, doc)
	}
	b.WriteString(`
## Where each field comes from

The four formats are the Azure Monitor diagnostic-settings record
(storage JSON lines, Event Hub payloads; ` + "`properties.`" + ` is the nested
sign-in), Microsoft Graph's signIn and summarizedSignIn (API responses and
the portal's JSON download), the Entra portal's CSV download, and Log
Analytics CSV exports of SigninLogs and the AAD*SignInLogs tables (dynamic
columns hold JSON; ` + "`Column.key`" + ` is a key inside it). Keys are matched
without regard to case. A dash means the format does not carry the field.

| field | diagnostic settings | Graph | portal CSV | Log Analytics CSV |
|---|---|---|---|---|
`)
	for _, f := range Fields() {
		fmt.Fprintf(&b, "| `%s` |", f.Name)
		for _, format := range Formats {
			src := f.From[format]
			if src == "" {
				src = "—"
			}
			fmt.Fprintf(&b, " %s |", src)
		}
		b.WriteString("\n")
	}
	b.WriteString(`
## Aliases

A field also answers, in queries and in the shell's completion, to its
names in Log Analytics (the SigninLogs columns KQL uses) and in Microsoft
Graph (the signIn properties), as the table above lists them, in any
case: ` + "`count where ResultType=50126 group by UserPrincipalName`" + ` is
` + "`count where error=50126 group by user`" + `, and results name the column
` + "`user`" + `. A dotted name is a key inside a column or an object
(` + "`DeviceDetail.browser`" + `, ` + "`status.errorCode`" + `); ` + "`[]`" + `, a list's elements, is left
out (` + "`AuthenticationDetails.authenticationMethod`" + `). Fallbacks ("else X")
are not aliases: they hold the value only when the first source lacks it.
` + "`TimeGenerated`" + ` is ` + "`ingested`" + `, when Azure Monitor logged the record (absent
in Graph and portal exports); the sign-in's own time is ` + "`CreatedDateTime`" + `,
` + "`time`" + `. No alias is claimed by two fields or is another field's name. A
field named as in both (` + "`userId`" + `, ` + "`UserId`" + `) is not listed; Tab offers
aliases once a word is begun (` + "`UserP`" + `).

| field | Log Analytics | Graph |
|---|---|---|
`)
	for _, f := range Fields() {
		la, graph := f.SourceNames(FormatLogAnalyticsCSV), f.SourceNames(FormatGraph)
		if len(f.Aliases()) == 0 {
			continue
		}
		cell := func(names []string) string {
			var out []string
			for _, n := range names {
				out = append(out, "`"+n+"`")
			}
			if len(out) == 0 {
				return "—"
			}
			return strings.Join(out, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, cell(la), cell(graph))
	}
	b.WriteString(`
## Status classification

` + "`status`" + ` is derived from ` + "`error`" + `: 0 is ` + "`success`" + `; a code in the interrupt
set is ` + "`interrupted`" + ` (the user was stopped to do something, not refused);
every other code is ` + "`failure`" + `. Where a format carries the status as text
(the portal CSV's Status column, a diagnostic record whose resultType is
"Success" or "Failure"), that text is used as given.

The default interrupt set follows the portal's three-state Status as
recorded by LETHAL-FORENSICS Microsoft-Analyzer-Suite (Config/Status.csv):

`)
	var codes []string
	for _, c := range DefaultInterruptCodes {
		codes = append(codes, fmt.Sprint(c))
	}
	b.WriteString(strings.Join(codes, ", "))
	b.WriteString(`.

` + "`signinq parse --interrupt-codes`" + ` (and ` + "`signin.NewClassifier`" + ` in Go) replaces it.

## Normalization

- Times are instants in UTC. A time without a zone is UTC.
- Enumerated values take their catalog spelling whatever the export
  wrote: ` + "`Member`" + ` is ` + "`member`" + `, ` + "`Not Applied`" + ` is ` + "`notApplied`" + `, ` + "`OAuth2`" + ` is
  ` + "`oAuth2`" + `. Values the catalog does not list are kept as written.
- IP addresses are written in canonical form (` + "`2001:db8::1`" + `); text that is not
  an address (a redaction placeholder) is kept as written.
- Where a JSON object repeats a key, the last value wins.
- ` + "`identity`" + ` is who signed in: for users the user principal name, else
  the display name, the record's identity or the user id; for service
  principals and managed identities the service principal name, else the
  record's identity, the app name, the service principal id or the app id.

## Place

` + "`place`" + ` is where a sign-in came from as one value: its ` + "`country`" + `, ` + "`state`" + ` and
` + "`city`" + ` joined by slashes, as the record holds them
(` + "`US/Washington/Redmond`" + `). A part the source leaves out is empty
(` + "`US//`" + ` when only the country is known, ` + "`US/Washington/`" + ` without a
city), and a sign-in with none of the three has no place: it is absent,
as an empty text is (` + "`place = \"\"`" + ` finds it, ` + "`dcount(place)`" + ` leaves it
out).

Why: Microsoft Sentinel's sign-in rules count and compare places built
the same way from LocationDetails' countryOrRegion, state and city (how
many places a user signed in from in a day, a sign-in from another place
than the one before, places never seen before), and ` + "`city`" + ` cannot stand
for them: same-named cities of two countries or states (Paris, France;
Paris, Texas) are one city, and a location known only by its country has
no city. A function joining fields in the query would do the same work
for every sign-in of every query; ` + "`place`" + ` is one indexed column, as
` + "`city`" + ` is, so that ` + "`place = \"US/Washington/Redmond\"`" + ` is one bitmap, and
` + "`dcount(place)`" + ` and ` + "`group by place`" + ` read its dictionary ids as for any text
field.

A place is for counting, grouping and comparing (` + "`dcount(place)`" + `,
` + "`group by place`" + `, ` + "`place in (…)`" + `, ` + "`place != \"\"`" + `), not for reading back:
a part that holds a slash is kept as it is (` + "`DE/Hesse/Frankfurt/Main`" + `),
so the text cannot always be split into its parts; read ` + "`country`" + `,
` + "`state`" + ` and ` + "`city`" + ` for them. It matches without regard to case, as all
text does.

No format carries it: a record makes it from its country, state and city
whenever it is read (Go: ` + "`signin.Record.Place`" + `), whichever format the
record came from, and for a typed record given to the store through the
Go API; it cannot be set. The store computes it once per sign-in, when
it writes the sign-in's columns. A store written by a signinq without
the field (format version 2) has no place for the sign-ins it held
then: see [format.md](format.md#filling-fields-added-later).

## Authentication steps and Conditional Access results

A sign-in's authenticationDetails is a list of steps (a method, a result
detail, whether it succeeded), and its appliedConditionalAccessPolicies a
list of policies (a name, a result). The questions asked of them (Microsoft
Sentinel's sign-in rules) are few: the first step's method, whether any
step had some result, the first step's result, which policies failed,
which are in report-only mode, and each policy with its result. Each is a
field of its own, stored and indexed like the others (a bitmap per value),
and the multi-valued ones match when any element does:

- ` + "`" + `firstAuthMethod` + "`" + `, ` + "`" + `firstStepResult` + "`" + `, ` + "`" + `firstStepSucceeded` + "`" + `: the first
  element of authenticationDetails, as the source orders it
  (` + "`" + `firstAuthMethod != "Integrated Windows Authentication"` + "`" + `,
  ` + "`" + `firstAuthMethod = "Password" and firstStepSucceeded` + "`" + `).
- ` + "`" + `stepResult` + "`" + `: every step's result detail, without repeats
  (` + "`" + `stepResult = "MFA successfully completed"` + "`" + `: some step completed MFA).
  ` + "`" + `authMethod` + "`" + ` is every step's method.
- ` + "`" + `policy` + "`" + `: the policies applied (result success or failure);
  ` + "`" + `policyFailed` + "`" + `: those whose result is failure; ` + "`" + `policyReportOnly` + "`" + `: those
  in report-only mode (reportOnlySuccess, reportOnlyFailure,
  reportOnlyNotApplied, reportOnlyInterrupted); ` + "`" + `policyResult` + "`" + `: every
  policy that has a result, as "name: result", notApplied and notEnabled
  included (` + "`" + `policyResult = "Require MFA: failure"` + "`" + `,
  ` + "`" + `policyResult like "*: reportOnlyFailure"` + "`" + `, ` + "`" + `group by policyResult` + "`" + `).

Why fields and not a syntax that indexes into the lists
(` + "`" + `AuthenticationDetails[0].authenticationMethod` + "`" + `, a policy whose result is
failure): the fields answer every one of these questions with the
operators the language has (` + "`" + `=` + "`" + `, ` + "`" + `in` + "`" + `, ` + "`" + `like` + "`" + `, ` + "`" + `contains` + "`" + `, ` + "`" + `group by` + "`" + `,
` + "`" + `values` + "`" + `, ` + "`" + `dcount` + "`" + `) and its rules for lists and missing values, so that
nothing in the language changes and the completion, the aliases, this
page, the benchmark's peers and the differential test's evaluator see
them as they see any field. Each is one indexed column: ` + "`" + `policyFailed =
"Block legacy authentication"` + "`" + ` is one bitmap, where an indexing
expression would decode every sign-in's list. The one question that
relates two properties of one element, a policy's name with its result,
is ` + "`" + `policyResult` + "`" + `'s text; a condition on several properties of one
element would need a quantifier ("a policy whose name is X and whose
result is Y") with its own rules for ` + "`" + `not` + "`" + ` and missing values.

What they do not keep:

- Positions beyond the first: a question of the second or third policy
  by position (a hunting query shows the first three) is
  ` + "`" + `group by policyResult` + "`" + `, a row per policy.
- How many steps had a result: ` + "`" + `stepResult` + "`" + ` is a set, so
  ` + "`" + `countif(stepResult = "MFA denied; user declined the authentication")` + "`" + `
  counts sign-ins, not steps (with one MFA step per sign-in, the two
  agree).
- Whether steps after the first succeeded, other than by their result
  text.
- The portal's CSV download carries the MFA step only: its
  "Multifactor authentication result" is the one element of ` + "`" + `stepResult` + "`" + `
  and its "Multifactor authentication auth method" one of ` + "`" + `authMethod` + "`" + `.
  It has no first step (` + "`" + `firstAuthMethod` + "`" + `, ` + "`" + `firstStepResult` + "`" + `,
  ` + "`" + `firstStepSucceeded` + "`" + ` are absent), no policies (only the status ` + "`" + `ca` + "`" + `), no
  network location, no ` + "`" + `isInteractive` + "`" + ` and no ` + "`" + `logTenant` + "`" + `. Graph v1.0 has
  the policies with their results but no authenticationDetails and no
  networkLocationDetails, which are Graph beta's.

` + "`" + `isInteractive` + "`" + ` is the source's flag, not the log: ` + "`" + `type=interactive` + "`" + ` is a
record of the interactive log (SigninLogs), and some of those say
` + "`" + `isInteractive` + "`" + ` false. ` + "`" + `logTenant` + "`" + ` is the tenant whose log holds the
sign-in (the diagnostic record's tenantId, Log Analytics' AADTenantId,
else the tenant that resourceId's path names); Log Analytics' TenantId is
the workspace's, and is not read. ` + "`" + `tenant` + "`" + `, the home tenant of the one who
signed in, falls back to it.

## AD FS sign-ins

Microsoft Entra Connect Health reports the sign-ins of an on-premises AD FS
farm to Entra ID ("AD FS sign-ins in Microsoft Entra ID with Connect
Health"). Diagnostic settings export them in the ` + "`ADFSSignInLogs`" + ` category
and Log Analytics holds them in the ` + "`ADFSSignInLogs`" + ` table (Azure Monitor's
table reference lists its columns); signinq reads them as sign-ins of type
` + "`adfs`" + `. Their keys and columns are those of the other sign-ins, mapped as
the table above says (the diagnostic-settings and Log Analytics columns),
with these differences:

- ` + "`authMethod`" + ` is how AD FS authenticated, from authenticationDetails: Forms
  (user name and password), Windows or "Integrated Windows Authentication",
  Certificate, WindowsHelloForBusiness, Device, Federated, SSO, Multifactor,
  Azure MFA, ADFSExternalAuthenticationProvider. Connect Health logs one
  row per step (Forms, then SSO), the rows sharing a correlation id.
- ` + "`tokenIssuer`" + ` is ADFederationServices.
- A user that does not exist: Connect Health writes the zero GUID
  (00000000-0000-0000-0000-000000000000) as the user, user name and user
  id, and what was typed as signInIdentifier (alternateSignInName in Log
  Analytics). signinq takes what was typed as ` + "`user`" + ` and ` + "`identity`" + `, and
  leaves ` + "`userName`" + ` and ` + "`userId`" + ` absent, so that attempts on names that do
  not exist are told apart (a password spray tries many).
- ` + "`app`" + ` and ` + "`appId`" + ` are NotSet or NotApplicable outside OAuth (WS-Federation,
  WS-Trust, SAML), and ` + "`resource`" + ` and ` + "`resourceId`" + ` hold the relying party
  (urn:federation:MicrosoftOnline), NotSet in some failures; they are
  kept as written.
- The Log Analytics table has no LocationDetails, AutonomousSystemNumber,
  ClientAppUsed or MFA columns: those fields are absent.
- ` + "`grouped`" + ` never merges them, as it does not merge interactive sign-ins.
`)
	return b.Bytes()
}

func TestLookup(t *testing.T) {
	for _, name := range []string{"time", "TIME", "userId", "userid", "authMethod", "policy"} {
		if f := Lookup(name); f == nil || !strings.EqualFold(f.Name, name) {
			t.Errorf("Lookup(%q) = %v", name, f)
		}
	}
	if Lookup("nosuchfield") != nil {
		t.Error("Lookup of an unknown name found a field")
	}
	// The names the issue asks for are all there.
	for _, name := range strings.Fields(`time ingested id type user userId userName userType identity app appId
		resource resourceId ip status error reason client browser os deviceId device compliant managed trust country
		state city ca risk riskAggregated riskState authRequirement protocol sp spId msiType correlationId userAgent
		latency tenant resourceTenant crossTenant tokenIssuer asn policy authMethod`) {
		if Lookup(name) == nil {
			t.Errorf("field %q is missing", name)
		}
	}
}

func TestFieldAccessors(t *testing.T) {
	r := New()
	r.Time = time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	r.Error = 50126
	r.Compliant = BoolTrue
	r.Latitude = 47.5
	r.Policies = []string{"MFA", "Block legacy"}
	r.Type = TypeManagedIdentity
	f := func(name, text string, present bool) {
		t.Helper()
		fd := Lookup(name)
		if got := fd.Text(&r); got != text {
			t.Errorf("%s: Text = %q, want %q", name, got, text)
		}
		if got := fd.Present(&r); got != present {
			t.Errorf("%s: Present = %v, want %v", name, got, present)
		}
	}
	f("time", "2025-01-02T03:04:05.000000006Z", true)
	f("ingested", "", false)
	f("error", "50126", true)
	f("latency", "", false)
	f("compliant", "true", true)
	f("managed", "", false)
	f("latitude", "47.5", true)
	f("longitude", "", false)
	f("policy", "MFA, Block legacy", true)
	f("authMethod", "", false)
	f("type", "managedIdentity", true)
	f("status", "", false)
	f("signInCount", "1", true)

	if v, ok := Lookup("time").Int(&r); !ok || v != r.Time.UnixNano() {
		t.Errorf("time as Int = %d, %v", v, ok)
	}
	if v, ok := Lookup("compliant").Int(&r); !ok || v != 1 {
		t.Errorf("compliant as Int = %d, %v", v, ok)
	}
	if v, ok := Lookup("latitude").Float(&r); !ok || v != 47.5 {
		t.Errorf("latitude = %v, %v", v, ok)
	}
	if v, ok := Lookup("error").Float(&r); !ok || v != 50126 {
		t.Errorf("error as Float = %v, %v", v, ok)
	}
	if got := Lookup("policy").List(&r); !slices.Equal(got, r.Policies) {
		t.Errorf("policy list = %q", got)
	}
	if got := Lookup("type").List(&r); !slices.Equal(got, []string{"managedIdentity"}) {
		t.Errorf("type as list = %q", got)
	}
	if got := Lookup("app").List(&r); got != nil {
		t.Errorf("absent app as list = %q", got)
	}
	if !Lookup("time").Time(&r).Equal(r.Time) || !Lookup("app").Time(&r).IsZero() {
		t.Error("Time accessor")
	}
}

func TestEveryFieldHasSourcesAndAnAccessor(t *testing.T) {
	r := New()
	for _, f := range Fields() {
		if f.Doc == "" || !strings.HasSuffix(f.Doc, ".") && !strings.HasSuffix(f.Doc, "…") {
			t.Errorf("%s: doc %q is not a sentence", f.Name, f.Doc)
		}
		if f.From[FormatDiag] == "" || f.From[FormatGraph] == "" && f.Name != "ingested" {
			t.Errorf("%s: no JSON source", f.Name)
		}
		f.Text(&r) // panics if the accessor for its kind is missing
		f.Present(&r)
	}
}

// TestKeys checks that Keys and From tell one story: where a format has a
// key, From names it first (alone, or before its fallbacks); where From
// names one key of a JSON format, Keys holds it, so that readers derive
// what docs/fields.md says.
func TestKeys(t *testing.T) {
	for _, f := range Fields() {
		for _, format := range Formats {
			key, src := f.Keys[format], f.From[format]
			if key != "" && src != key && !strings.HasPrefix(src, key+", else ") && !strings.HasPrefix(src, key+"; ") {
				t.Errorf("%s, %s: From %q does not begin with its key %q", f.Name, format, src, key)
			}
			if format == FormatPortalCSV {
				continue
			}
			if key != "" && !sourceName.MatchString(key) {
				t.Errorf("%s, %s: key %q is not a path of keys", f.Name, format, key)
			}
			if sourceName.MatchString(src) && src != "derived" && key != src {
				t.Errorf("%s, %s: From names one key, %q, and Keys has %q", f.Name, format, src, key)
			}
		}
	}
}

func TestRef(t *testing.T) {
	r := New()
	if ref := Ref[string](Lookup("user")); ref == nil || ref(&r) != &r.User {
		t.Error("Ref[string](user) is not the user's address")
	}
	if ref := Ref[int64](Lookup("latency")); ref == nil || ref(&r) != &r.Latency {
		t.Error("Ref[int64](latency) is not the latency's address")
	}
	if ref := Ref[[]string](Lookup("policy")); ref == nil || ref(&r) != &r.Policies {
		t.Error("Ref[[]string](policy) is not the policies' address")
	}
	if Ref[int64](Lookup("user")) != nil || Ref[string](Lookup("type")) != nil || Ref[string](Lookup("status")) != nil || Ref[Bool](Lookup("time")) != nil {
		t.Error("Ref of another type than the record's is not nil")
	}
}

func TestAppendJSON(t *testing.T) {
	r := New()
	r.Time = time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	r.ID = "id-1"
	r.Status = StatusFailure
	r.Error = 0
	r.Reason = "quote \" backslash \\ newline \n control \x01 bad utf8 \xff"
	r.Compliant = BoolFalse
	r.Latitude, r.Longitude = 0, math.NaN()
	r.AuthMethods = []string{"Password", "Authenticator App"}
	got := AppendJSON(nil, &r)
	if !json.Valid(got) {
		t.Fatalf("not JSON: %s", got)
	}
	want := `{"time":"2025-01-02T02:04:05Z","id":"id-1","type":"interactive","status":"failure","error":0,` +
		`"reason":"quote \" backslash \\ newline \n control \u0001 bad utf8 \ufffd","latitude":0,"compliant":false,` +
		`"authMethod":["Password","Authenticator App"],"signInCount":1}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestParseTypeAndStatus(t *testing.T) {
	types := map[string]Type{
		"interactive": TypeInteractive, "SignInLogs": TypeInteractive, "SigninLogs": TypeInteractive, "interactiveUser": TypeInteractive,
		"nonInteractive": TypeNonInteractive, "NonInteractiveUserSignInLogs": TypeNonInteractive, "AADNonInteractiveUserSignInLogs": TypeNonInteractive,
		"servicePrincipal": TypeServicePrincipal, "MicrosoftServicePrincipalSignInLogs": TypeServicePrincipal, "AADServicePrincipalSignInLogs": TypeServicePrincipal,
		"managedIdentity": TypeManagedIdentity, "ManagedIdentitySignInLogs": TypeManagedIdentity, "AADManagedIdentitySignInLogs": TypeManagedIdentity,
		"adfs": TypeADFS, "ADFSSignInLogs": TypeADFS, "ADFSSignIns": TypeADFS,
	}
	for s, want := range types {
		if got, ok := ParseType(s); !ok || got != want {
			t.Errorf("ParseType(%q) = %v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"AuditLogs", "ADFS sign-ins", "ProvisioningLogs", ""} {
		if _, ok := ParseType(s); ok {
			t.Errorf("ParseType(%q) succeeded", s)
		}
	}
	for _, typ := range Types {
		if got, ok := ParseType(typ.String()); !ok || got != typ {
			t.Errorf("%v does not round-trip", typ)
		}
	}
	for s, want := range map[string]Status{"Success": StatusSuccess, "failure": StatusFailure, "Interrupted": StatusInterrupted, "Error": StatusFailure} {
		if got, ok := ParseStatus(s); !ok || got != want {
			t.Errorf("ParseStatus(%q) = %v, %v", s, got, ok)
		}
	}
	if _, ok := ParseStatus("4"); ok {
		t.Error(`ParseStatus("4") succeeded`)
	}
}

func TestClassifier(t *testing.T) {
	var c *Classifier // the default
	for code, want := range map[int64]Status{0: StatusSuccess, 50140: StatusInterrupted, 50058: StatusInterrupted, 65001: StatusInterrupted,
		81014: StatusInterrupted, 50126: StatusFailure, 53003: StatusFailure, 7000222: StatusFailure, NoInt: StatusUnknown} {
		if got := c.Status(code); got != want {
			t.Errorf("default Status(%d) = %v, want %v", code, got, want)
		}
	}
	// The codes the issue names are all interrupts.
	for _, code := range []int64{50055, 50058, 50072, 50074, 50125, 50140, 50144, 65001, 81010, 81012, 81014} {
		if c.Status(code) != StatusInterrupted {
			t.Errorf("%d is not an interrupt", code)
		}
	}
	c = NewClassifier([]int64{70043, 50126, 70043})
	if c.Status(50126) != StatusInterrupted || c.Status(50140) != StatusFailure || !slices.Equal(c.InterruptCodes(), []int64{50126, 70043}) {
		t.Errorf("custom classifier: %v", c.InterruptCodes())
	}
}

func TestBool(t *testing.T) {
	for s, want := range map[string]Bool{"true": BoolTrue, "TRUE": BoolTrue, "Yes": BoolTrue, "1": BoolTrue, "false": BoolFalse, "No": BoolFalse, "": BoolUnknown, "maybe": BoolUnknown} {
		if got := ParseBool(s); got != want {
			t.Errorf("ParseBool(%q) = %v", s, got)
		}
	}
}

func TestSetters(t *testing.T) {
	r := New()
	set := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	set(Lookup("app").SetString(&r, "Azure Portal"))
	set(Lookup("type").SetString(&r, "ServicePrincipalSignInLogs"))
	set(Lookup("status").SetString(&r, "Interrupted"))
	set(Lookup("error").SetInt(&r, 50140))
	set(Lookup("latitude").SetFloat(&r, 1.5))
	set(Lookup("time").SetTime(&r, time.Date(2025, 1, 1, 1, 0, 0, 0, time.FixedZone("x", 3600))))
	set(Lookup("managed").SetBool(&r, BoolTrue))
	set(Lookup("policy").SetList(&r, []string{"MFA"}))
	want := `{"time":"2025-01-01T00:00:00Z","type":"servicePrincipal","status":"interrupted","error":50140,"app":"Azure Portal","latitude":1.5,"managed":true,"policy":["MFA"],"signInCount":1}`
	if got := string(AppendJSON(nil, &r)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if err := Lookup("type").SetString(&r, "robot"); err == nil || !strings.Contains(err.Error(), "interactive, nonInteractive") {
		t.Errorf("bad type: %v", err)
	}
	if err := Lookup("error").SetString(&r, "x"); err == nil || err.Error() != "field error is a int, not a string" {
		t.Errorf("wrong kind: %v", err)
	}
	for _, f := range Fields() {
		var err error
		switch f.Kind {
		case KindString:
			err = f.SetString(&r, "")
		case KindInt:
			err = f.SetInt(&r, NoInt)
		case KindFloat:
			err = f.SetFloat(&r, math.NaN())
		case KindTime:
			err = f.SetTime(&r, time.Time{})
		case KindBool:
			err = f.SetBool(&r, BoolUnknown)
		case KindList:
			err = f.SetList(&r, nil)
		}
		if f.Name == "type" {
			continue // a type is never absent
		}
		if f.Derived() {
			if err == nil {
				t.Errorf("%s: a derived field was set", f.Name)
			}
			continue
		}
		if err != nil || f.Present(&r) {
			t.Errorf("%s: clearing: %v, present %v", f.Name, err, f.Present(&r))
		}
	}
}

func TestTexts(t *testing.T) {
	a, b := New(), New()
	a.Type, a.App, a.Error, a.AuthMethods = TypeServicePrincipal, "Azure Portal", 50126, []string{"Password", "SMS"}
	a.Country, a.City = "US", "Redmond"
	b.Status, b.Latitude = StatusFailure, 47.5
	recs := []*Record{&a, &b, &a}
	for _, f := range Fields() {
		got := f.Texts([]string{"stale", "stale", "stale", "stale"}, recs)
		if len(got) != len(recs) {
			t.Fatalf("%s: %d values for %d records", f.Name, len(got), len(recs))
		}
		for i, r := range recs {
			if got[i] != f.Text(r) {
				t.Errorf("%s: Texts gave %q for record %d, Text %q", f.Name, got[i], i, f.Text(r))
			}
		}
	}
}
