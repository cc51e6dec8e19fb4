package kusto

import (
	"strings"
	"testing"
)

// TestKusto checks that the analyzer runs and that it tells a good query
// from bad ones: an unknown column, a wrong type, a syntax error, and a
// column the non-interactive table holds as a string used as dynamic.
func TestKusto(t *testing.T) {
	qs := []string{
		`SigninLogs | where UserPrincipalName =~ "a" | summarize count() by tostring(LocationDetails.countryOrRegion)`,
		`SigninLogs | where NoSuchColumn == 1`,
		`SigninLogs | summarize sum(UserPrincipalName)`,
		`SigninLogs | where (`,
		`AADNonInteractiveUserSignInLogs | where LocationDetails.countryOrRegion == "US"`,
		`AADNonInteractiveUserSignInLogs | where tostring(todynamic(LocationDetails).countryOrRegion) == "US"`,
	}
	ds := CheckT(t, qs)
	for i, want := range []bool{true, false, false, false, false, true} {
		if ok := len(ds[i]) == 0; ok != want {
			t.Errorf("%s: diagnostics %v, want none: %v", qs[i], ds[i], want)
		}
	}
	if !strings.Contains(string(Tables), "AADManagedIdentitySignInLogs(") {
		t.Error("the tables lack AADManagedIdentitySignInLogs")
	}
}
