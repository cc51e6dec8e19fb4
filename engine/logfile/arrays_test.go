package logfile

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// arrays is the path of a record made for what no sample carries (see
// testdata/arrays/README.md).
func arrays(name string) string { return filepath.Join("testdata", "arrays", name) }

// TestArrays checks the fields read from the lists of a sign-in (its
// authentication steps, Conditional Access policies and network
// locations) and the flags and ids beside them, in every format that
// carries them: real sample records where they have the values, records
// made for the rest (a device code sign-in with a denied MFA step, failed
// and report-only policies and two named networks). Each case gives the
// fields' texts (Field.Text: lists joined by ", "); "" is absent.
func TestArrays(t *testing.T) {
	const (
		steps2 = "Correct password, MFA denied; user declined the authentication"
		pols   = "Require MFA for all users: failure, Block device code flow: reportOnlyFailure, Require compliant device: reportOnlyNotApplied, Block legacy authentication: notApplied, Terms of use: success"
	)
	tests := []struct {
		name, path, id string
		want           map[string]string
	}{
		{"diag: report-only policies", sample("elastic/test-non-interactive-user-signin.log"), "088b4409-9e63-425d-b777-2c8c6c380b00", map[string]string{
			"isInteractive": "false", "firstAuthMethod": "Previously satisfied", "firstStepResult": "MFA requirement satisfied by claim in the token",
			"firstStepSucceeded": "true", "stepResult": "MFA requirement satisfied by claim in the token",
			"policy": "Require MFA for everyone", "policyFailed": "",
			"policyReportOnly": `TEST - Cyberfort Users using non-compliant devices, TEST - Cyberfort Users using Compliant Devices, CA – iOS \\u0026 Android – Unmanaged, Require Mobile access from protected apps/compliant devices, Block Legacy EAS Auth`,
			"logTenant":        "226f45e7-e2e2-4228-9e9d-612687e8c133", "networkType": "", "originalTransferMethod": "",
		}},
		{"diag: a trusted named location", sample("elastic/test-non-interactive-user.log"), "22222222-fb7b-4f83-bf74-3876f9ef3900", map[string]string{
			"networkType": "trustedNamedLocation", "networkName": "Hannover", "isInteractive": "false",
			"policyResult": "01 - Require Windows Hybrid AD Joined Device: success, 05 - MFA für Gäste: notApplied, 02 - Mobile Device Policy: notApplied, 04 - Block Legacy Authentication: notApplied, 06 - Enterprise Apps: notApplied, 03 - Require MFA for Admins: notApplied, 07 - PowerAutomate Pilot: notApplied, 02c - Mobile Device Policy Device Compliance: notApplied, 02d - MacOS: notApplied",
			"logTenant":    "22222222-902d-4dea-8026-5a790862fede", "firstAuthMethod": "",
		}},
		{"diag: a SigninLogs record that says it is not interactive", sample("datadog/azure-activedirectory-tests-signin-sample.json"), "b95c8eca-487b-4631-b6e5-0469cb7c0800", map[string]string{
			"type": "interactive", "isInteractive": "false", "policyResult": "Require MFA: success", "firstStepSucceeded": "false",
		}},
		{"Graph beta: a wrong password", sample("graph/graph-beta-signins-list-example1.json"), "1691d37b-8579-43a7-966a-0f35583c1300", map[string]string{
			"isInteractive": "true", "firstAuthMethod": "Password", "firstStepSucceeded": "false",
			"firstStepResult": "Invalid username or password or Invalid on-premise username or password.",
			"networkType":     "namedNetwork", "networkName": "North America", "logTenant": "",
		}},
		{"Graph beta: device code, MFA denied", arrays("graph-beta-device-code.json"), "a0000000-0000-4000-8000-00000000d001", map[string]string{
			"originalTransferMethod": "deviceCodeFlow", "isInteractive": "true",
			"authMethod": "Password, Mobile app notification", "firstAuthMethod": "Password", "firstStepResult": "Correct password",
			"firstStepSucceeded": "true", "stepResult": steps2,
			"policy": "Require MFA for all users, Terms of use", "policyFailed": "Require MFA for all users",
			"policyReportOnly": "Block device code flow, Require compliant device", "policyResult": pols,
			"networkType": "namedNetwork, trustedNamedLocation", "networkName": "Contoso HQ, Contoso VPN",
		}},
		{"Graph v1.0: policies and their results", arrays("graph-v1-signins-list-example1-fixed.json"), "66ea54eb-6301-4ee5-be62-ff5a759b0100", map[string]string{
			"policyResult": "SharePoint limited access for guest workers: notEnabled, Medium signin risk block: notEnabled",
			"policy":       "", "policyFailed": "", "policyReportOnly": "", "isInteractive": "true", "firstAuthMethod": "",
		}},
		{"Log Analytics: the steps as JSON text, AADTenantId and not TenantId", sample("log-analytics-csv/signinlogs-la-export-2rows.csv"), "b069bb58-4f48-4f41-9380-e26c3d6cb600", map[string]string{
			"isInteractive": "true", "firstAuthMethod": "Password", "firstStepResult": "Correct password", "firstStepSucceeded": "true",
			"stepResult": "Correct password", "logTenant": "4b2462a4-bbee-495a-a0e1-f23ae524cc9c", "networkType": "",
		}},
		{"Log Analytics: every list as JSON text", arrays("aadnoninteractive-la-export.csv"), "a0000000-0000-4000-8000-00000000d002", map[string]string{
			"type": "nonInteractive", "isInteractive": "false", "originalTransferMethod": "deviceCodeFlow",
			"firstAuthMethod": "Password", "firstStepResult": "Correct password", "firstStepSucceeded": "true", "stepResult": steps2,
			"policyFailed": "Require MFA for all users", "policyReportOnly": "Block device code flow, Require compliant device", "policyResult": pols,
			"networkType": "namedNetwork, trustedNamedLocation", "networkName": "Contoso HQ, Contoso VPN",
			"logTenant": "33333333-3333-4333-8333-333333333333", "tenant": "11111111-1111-4111-8111-111111111111",
		}},
		{"portal: the MFA step only", arrays("InteractiveSignIns_2026-03-02_2026-03-03.csv"), "a0000000-0000-4000-8000-00000000d003", map[string]string{
			"originalTransferMethod": "deviceCodeFlow", "stepResult": "MFA denied; user declined the authentication",
			"authMethod": "Mobile app notification", "firstAuthMethod": "", "firstStepResult": "", "firstStepSucceeded": "",
			"policyResult": "", "isInteractive": "", "logTenant": "", "ca": "failure",
		}},
		{"portal: a real download's columns", filepath.Join("testdata", "portal", "InteractiveSignIns_2025-12-04_2025-12-05.csv"), "", map[string]string{
			"originalTransferMethod": "none", "stepResult": "MFA requirement satisfied by claim in the token",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, rejects, _ := scan(t, Options{}, tt.path)
			if len(rejects) > 0 {
				t.Fatalf("rejected: %s", rejects[0].Reason)
			}
			var r *signin.Record
			for i := range recs {
				if tt.id == "" && signin.Lookup("stepResult").Present(&recs[i]) || tt.id != "" && recs[i].ID == tt.id {
					r = &recs[i]
					break
				}
			}
			if r == nil {
				t.Fatalf("no record %q among %d", tt.id, len(recs))
			}
			for name, want := range tt.want {
				f := signin.Lookup(name)
				if got := f.Text(r); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

// TestPolicyResults checks how each result of a Conditional Access policy
// sorts it among the policy fields, in any case, and that a policy
// without a name or a result is left out of those that need it.
func TestPolicyResults(t *testing.T) {
	tests := []struct {
		result                                  string
		policy, failed, reportOnly, pairPresent bool
	}{
		{"success", true, false, false, true},
		{"failure", true, true, false, true},
		{"FAILURE", true, true, false, true},
		{"notApplied", false, false, false, true},
		{"notEnabled", false, false, false, true},
		{"unknownFutureValue", false, false, false, true},
		{"reportOnlySuccess", false, false, true, true},
		{"reportOnlyFailure", false, false, true, true},
		{"reportonlynotapplied", false, false, true, true},
		{"reportOnlyInterrupted", false, false, true, true},
		{"reportOnl", false, false, false, true},
		{"", false, false, false, false},
	}
	for _, tt := range tests {
		line := `{"createdDateTime":"2026-03-02T10:00:00Z","appliedConditionalAccessPolicies":[{"displayName":"P","result":"` + tt.result + `"},{"result":"failure"}]}`
		recs, _, _, _ := scanInputs(t, Options{}, ReaderInput("policies", strings.NewReader(line)))
		if len(recs) != 1 {
			t.Fatalf("%q: %d records", tt.result, len(recs))
		}
		r := &recs[0]
		has := func(list []string) bool { return len(list) == 1 && list[0] == "P" }
		if has(r.Policies) != tt.policy || has(r.PoliciesFailed) != tt.failed || has(r.PoliciesReportOnly) != tt.reportOnly {
			t.Errorf("result %q: policy %q, policyFailed %q, policyReportOnly %q; want P in them: %v, %v, %v",
				tt.result, r.Policies, r.PoliciesFailed, r.PoliciesReportOnly, tt.policy, tt.failed, tt.reportOnly)
		}
		want := []string(nil)
		if tt.pairPresent {
			want = []string{"P: " + tt.result}
		}
		if len(r.PolicyResults) != len(want) || len(want) == 1 && r.PolicyResults[0] != want[0] {
			t.Errorf("result %q: policyResult %q, want %q", tt.result, r.PolicyResults, want)
		}
	}
}

// TestListsShared checks the lists records share (see intern): equal
// lists of two records are one, and appending to each record's list
// gives each its own.
func TestListsShared(t *testing.T) {
	var b strings.Builder
	for _, id := range []string{"a", "b"} {
		b.WriteString(`{"createdDateTime":"2026-03-02T10:00:00Z","id":"` + id + `","appliedConditionalAccessPolicies":[{"displayName":"P","result":"failure"},{"displayName":"Q","result":"reportOnlyFailure"}],"authenticationDetails":[{"authenticationStepResultDetail":"Correct password"}]}` + "\n")
	}
	recs, _, _, _ := scanInputs(t, Options{Workers: 1}, ReaderInput("shared", strings.NewReader(b.String())))
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	a, c := &recs[0], &recs[1]
	for _, name := range []string{"policy", "policyFailed", "policyReportOnly", "policyResult", "stepResult"} {
		f := signin.Lookup(name)
		la, lc := f.List(a), f.List(c)
		if len(la) == 0 || !slices.Equal(la, lc) {
			t.Fatalf("%s: %q and %q, want equal lists", name, la, lc)
		}
		if &la[0] != &lc[0] {
			t.Errorf("%s: two records' equal lists are not shared", name)
		}
		xa, xc := append(la, "x"), append(lc, "y")
		if xa[len(xa)-1] != "x" || xc[len(xc)-1] != "y" {
			t.Errorf("%s: appending to two records' shared list: %q and %q", name, xa, xc)
		}
	}
}
