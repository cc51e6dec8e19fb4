package kql

import (
	"strings"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/kusto"
)

// schemas reads the tables' declared columns and types (kusto's
// testdata/signin-tables.txt, from Microsoft's table references).
func schemas(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, line := range strings.Split(string(kusto.Tables), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, cols, ok := strings.Cut(strings.TrimSuffix(line, ")"), "(")
		if !ok {
			t.Fatalf("bad table line %q", line)
		}
		m := map[string]string{}
		for _, c := range strings.Split(cols, ",") {
			col, typ, _ := strings.Cut(strings.TrimSpace(c), ":")
			m[col] = typ
		}
		out[name] = m
	}
	return out
}

// TestTables checks the mapping's view of each table against the real
// schemas: every column it reads is there, dynamic exactly where the
// schema says so (elsewhere a JSON string, parsed with todynamic), and
// every column of the schemas the mapping names for some table is read
// from each table that has it.
func TestTables(t *testing.T) {
	sch := schemas(t)
	if len(sch) != len(tables) {
		t.Fatalf("%d tables declared, %d mapped", len(sch), len(tables))
	}
	named := map[string]bool{}
	for _, tb := range tables {
		for c := range tb.has {
			named[c] = true
		}
	}
	for _, tb := range tables {
		s := sch[tb.name]
		if s == nil {
			t.Fatalf("%s: not declared", tb.name)
		}
		for c := range tb.has {
			typ, ok := s[c]
			if !ok {
				t.Errorf("%s: the mapping reads %s, which the table lacks", tb.name, c)
			}
			if (typ == "dynamic") != tb.dynamic[c] {
				t.Errorf("%s.%s is %s in the schema; the mapping takes it as dynamic: %v", tb.name, c, typ, tb.dynamic[c])
			}
		}
		for c := range named {
			if _, ok := s[c]; ok && !tb.has[c] {
				t.Errorf("%s has %s, which the mapping reads from other tables but not from it", tb.name, c)
			}
		}
	}
}

// TestColumns checks the mapping of fields to columns where it matters
// most: the sign-in's own time before the log's, the JSON columns
// parsed where they are strings, absent columns as empty values of the
// field's kind, and every catalog field either mapped or refused.
func TestColumns(t *testing.T) {
	byName := map[string]*table{}
	for _, tb := range tables {
		byName[tb.name] = tb
	}
	for _, c := range []struct{ field, table, want string }{
		{"time", "SigninLogs", "coalesce(CreatedDateTime, TimeGenerated)"},
		{"time", "AADServicePrincipalSignInLogs", "TimeGenerated"},
		{"ingested", "SigninLogs", "TimeGenerated"},
		{"country", "SigninLogs", "coalesce(tostring(LocationDetails.countryOrRegion), Location)"},
		{"country", "AADNonInteractiveUserSignInLogs", "coalesce(tostring(todynamic(LocationDetails).countryOrRegion), Location)"},
		{"browser", "AADNonInteractiveUserSignInLogs", "tostring(todynamic(DeviceDetail).browser)"},
		{"browser", "AADServicePrincipalSignInLogs", ""},
		{"details", "SigninLogs", "tostring(Status.additionalDetails)"},
		{"error", "AADManagedIdentitySignInLogs", "tolong(ResultType)"},
		{"latency", "SigninLogs", "tolong(ProcessingTimeInMilliseconds)"},
		{"latency", "AADNonInteractiveUserSignInLogs", "tolong(ProcessingTimeInMs)"},
		{"firstStepSucceeded", "SigninLogs", "tobool(todynamic(AuthenticationDetails)[0].succeeded)"},
		{"user", "AADManagedIdentitySignInLogs", ""},
		{"identity", "AADServicePrincipalSignInLogs", "coalesce(ServicePrincipalName, Identity, ServicePrincipalId, AppId)"},
		{"tenant", "SigninLogs", "coalesce(HomeTenantId, AADTenantId)"},
		{"type", "AADManagedIdentitySignInLogs", `@"managedIdentity"`},
	} {
		if got := columns[c.field](byName[c.table]); got != c.want {
			t.Errorf("%s in %s: %s, want %s", c.field, c.table, got, c.want)
		}
	}
	if got := columns["userType"](byName["SigninLogs"]); !strings.HasPrefix(got, `case(UserType =~ @"member", @"member", UserType =~ @"guest", @"guest", UserType)`) {
		t.Errorf("userType: %s, want the catalog's spelling of a value equal without regard to case", got)
	}
	for _, f := range signin.Fields() {
		if f.Kind == signin.KindList && columns[f.Name] != nil {
			t.Errorf("%s is multi-valued and mapped as one value", f.Name)
		}
	}
}
