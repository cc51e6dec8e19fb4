package signin

import (
	"slices"
	"strings"
	"testing"
)

// TestAliases checks that no alias is claimed by two fields or is another
// field's name, and that the names analysts know resolve, in any case,
// to the fields the catalog's From column says they are; fallbacks and
// descriptions are not aliases.
func TestAliases(t *testing.T) {
	if _, conflicts := aliasIndex(Fields()); len(conflicts) > 0 {
		t.Errorf("aliases in conflict:\n%s", strings.Join(conflicts, "\n"))
	}
	for alias, field := range map[string]string{
		// Log Analytics columns.
		"UserPrincipalName": "user", "ResultType": "error", "ResultDescription": "reason", "AppDisplayName": "app",
		"IPAddress": "ip", "TimeGenerated": "ingested", "CreatedDateTime": "time", "Category": "type",
		"UserDisplayName": "userName", "ResourceDisplayName": "resource", "ResourceIdentity": "resourceId",
		"ClientAppUsed": "client", "ConditionalAccessStatus": "ca", "RiskLevelDuringSignIn": "risk",
		"ProcessingTimeInMilliseconds": "latency", "AutonomousSystemNumber": "asn", "HomeTenantId": "tenant",
		"DeviceDetail.browser": "browser", "DeviceDetail.operatingSystem": "os", "LocationDetails.countryOrRegion": "country",
		"Status.additionalDetails": "details", "AuthenticationDetails.authenticationMethod": "authMethod",
		"AuthenticationMethodsUsed": "authMethod", "ConditionalAccessPolicies.displayName": "policy",
		"RiskEventTypes_V2": "riskEvents",
		// Graph properties.
		"userPrincipalName": "user", "createdDateTime": "time", "status.errorCode": "error", "status.failureReason": "reason",
		"appDisplayName": "app", "ipAddress": "ip", "location.city": "city", "location.geoCoordinates.latitude": "latitude",
		"deviceDetail.isCompliant": "compliant", "signInEventTypes": "type", "mfaDetail.authMethod": "authMethod",
		"appliedConditionalAccessPolicies.displayName": "policy", "managedServiceIdentity.msiType": "msiType",
		"AADTenantId": "logTenant", "tenantId": "logTenant", "IsInteractive": "isInteractive",
		"AuthenticationDetails.authenticationStepResultDetail": "stepResult", "NetworkLocationDetails.networkNames": "networkName",
		"OriginalTransferMethod": "originalTransferMethod",
		// Any case.
		"USERPRINCIPALNAME": "user", "ipaddress": "ip", "STATUS.ERRORCODE": "error",
	} {
		if f := Lookup(alias); f == nil || f.Name != field {
			t.Errorf("Lookup(%q) = %v, want %s", alias, f, field)
		}
	}
	for _, name := range []string{
		"derived", "Location", "ProcessingTimeInMs", "RiskEventTypes", "TenantId.x",
		"managedServiceIdentity", "AuthenticationDetails", "properties.userPrincipalName",
		"AuthenticationDetails.succeeded", "ConditionalAccessPolicies.result",
		"IP address", "user.", ".user", "aggregationDateTime",
	} {
		if f := Lookup(name); f != nil {
			t.Errorf("Lookup(%q) = %s: not an alias (a fallback, a description, another format's name)", name, f.Name)
		}
	}
	// Every alias is one Names lists, and a field's own name is none.
	names := Names()
	for _, f := range Fields() {
		for _, a := range f.Aliases() {
			if strings.EqualFold(a, f.Name) || !slices.Contains(names, a) {
				t.Errorf("%s: alias %q (names: %v)", f.Name, a, names)
			}
		}
	}
}

// TestAliasConflicts checks that two fields claiming one alias, or an
// alias that is another field's name, are found and left out.
func TestAliasConflicts(t *testing.T) {
	a := &Field{Name: "a", From: from("", "shared", "", "B")}
	b := &Field{Name: "b", From: from("", "Shared", "", "only")}
	c := &Field{Name: "c", From: from("", "c, else a", "", "")}
	m, conflicts := aliasIndex([]*Field{a, b, c})
	want := []string{"b is an alias of a and the name of b", "shared is an alias of a and b"}
	if !slices.Equal(conflicts, want) {
		t.Errorf("conflicts %q, want %q", conflicts, want)
	}
	if m["shared"] != nil || m["b"] != nil || m["only"] != b || len(m) != 1 {
		t.Errorf("index %v", m)
	}
}
