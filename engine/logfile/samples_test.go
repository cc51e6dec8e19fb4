package logfile

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

var update = flag.Bool("update", false, "rewrite golden files")

// scan reads paths and returns everything it produced.
func scan(t testing.TB, opts Options, paths ...string) ([]signin.Record, []*Reject, Summary) {
	t.Helper()
	var recs []signin.Record
	var rejects []*Reject
	sum, err := Scan(context.Background(), paths, opts, func(b *Batch) error {
		recs = append(recs, b.Records...)
		rejects = append(rejects, b.Rejects...)
		return nil
	})
	if err != nil {
		t.Fatalf("Scan(%v): %v", paths, err)
	}
	return recs, rejects, sum
}

// sample is the path of a sample copied from shared/samples/entra-signin.
func sample(name string) string { return filepath.Join("testdata", "samples", name) }

// TestSamples reads every sample file and checks how many records of
// which type and format it gives, and that the canonical form of every
// record (and every reject message) matches the golden file
// testdata/samples.golden/<name>.jsonl. Run with -update to rewrite.
func TestSamples(t *testing.T) {
	type counts map[signin.Type]int
	const (
		I  = signin.TypeInteractive
		NI = signin.TypeNonInteractive
		SP = signin.TypeServicePrincipal
		MI = signin.TypeManagedIdentity
	)
	tests := []struct {
		file    string
		format  signin.Format
		types   counts
		rejects int
		refused bool
	}{
		{file: "elastic/test-signinlogs-raw.log", format: signin.FormatDiag, types: counts{I: 1, NI: 1, SP: 2, MI: 1}},
		{file: "elastic/test-signinlogs.log", format: signin.FormatDiag, types: counts{I: 2}},
		{file: "elastic/test-signinlogs-sample.log", format: signin.FormatDiag, types: counts{I: 2}},
		{file: "elastic/test-created-datetime-timestamp.log", format: signin.FormatDiag, types: counts{I: 2}},
		{file: "elastic/test-non-interactive-user.log", format: signin.FormatDiag, types: counts{NI: 1}},
		{file: "elastic/test-non-interactive-user-signin.log", format: signin.FormatDiag, types: counts{NI: 1}},
		{file: "elastic/test-non-interactive-user-sample.log", format: signin.FormatDiag, types: counts{NI: 15}},
		{file: "elastic/test-service-principal.log", format: signin.FormatDiag, types: counts{SP: 1}},
		{file: "elastic/test-service-principal-signinlogs-sample.log", format: signin.FormatDiag, types: counts{SP: 7}},
		{file: "elastic/test-alternative-time-and-duration-as-string.log", format: signin.FormatDiag, types: counts{SP: 1}},
		{file: "elastic/test-managed-identity-sample.log", format: signin.FormatDiag, types: counts{MI: 33}},
		{file: "elastic/test-time-formats-corner-cases.log", format: signin.FormatDiag, types: counts{I: 11}},
		{file: "elastic/test-invalid-time.log", format: signin.FormatDiag, types: counts{SP: 1}},
		{file: "panther/panther-azure-signin-tests.jsonl", format: signin.FormatDiag, types: counts{I: 15, SP: 8, NI: 3}},
		{file: "msdocs/azure-monitor-signin-log-schema-example.json", format: signin.FormatDiag, types: counts{I: 1}},
		{file: "datadog/azure-activedirectory-tests-signin-sample.json", format: signin.FormatDiag, types: counts{I: 1}},
		{file: "graph/graph-beta-signins-list-example1.json", format: signin.FormatGraph, types: counts{I: 1}},
		{file: "graph/graph-v1-signins-list-example1.json", rejects: 1},
		{file: "graph/graph-beta-summarized-noninteractive-signins-d1.json", format: signin.FormatGraph, types: counts{NI: 3}},
		{file: "graph/graph-beta-summarized-serviceprincipal-signins-d1.json", format: signin.FormatGraph, types: counts{SP: 3}},
		{file: "graph/graph-beta-summarized-msi-signins-d1.json", format: signin.FormatGraph, types: counts{MI: 3}},
		{file: "log-analytics-csv/signinlogs-la-export-2rows.csv", format: signin.FormatLogAnalyticsCSV, types: counts{I: 2}},
		{file: "panther/panther-azure-signin-tests.index.json", refused: true},
		{file: "reference/lethal-forensics-status.csv", refused: true},
		{file: "reference/lethal-forensics-trusttype.csv", refused: true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			recs, rejects, sum := scan(t, Options{}, sample(tc.file))
			got := counts{}
			for i := range recs {
				got[recs[i].Type]++
				if recs[i].Format != tc.format {
					t.Errorf("record %d: format %v, want %v", i, recs[i].Format, tc.format)
				}
				if len(recs[i].Raw) == 0 {
					t.Errorf("record %d: no raw record", i)
				}
			}
			total := 0
			for _, n := range tc.types {
				total += n
			}
			if len(recs) != total || !mapsEqual(got, tc.types) {
				t.Errorf("got %d records %v, want %d %v", len(recs), got, total, tc.types)
			}
			if sum.Accepted != int64(total) {
				t.Errorf("summary accepted %d, want %d", sum.Accepted, total)
			}
			nrej := 0
			for _, r := range rejects {
				if r.Refused {
					if !tc.refused {
						t.Errorf("refused: %v", r)
					}
					if !errors.Is(r, ErrNotSignInLog) {
						t.Errorf("refusal %v does not wrap ErrNotSignInLog", r)
					}
					continue
				}
				nrej++
			}
			if nrej != tc.rejects || int(sum.Rejected) != tc.rejects {
				t.Errorf("%d rejects (summary %d), want %d: %v", nrej, sum.Rejected, tc.rejects, rejects)
			}
			if tc.refused != (sum.Refused == 1) {
				t.Errorf("refused %d inputs, want refused=%v", sum.Refused, tc.refused)
			}
			checkGolden(t, filepath.Join("testdata", "samples.golden", strings.ReplaceAll(tc.file, "/", "__")+".jsonl"), canonical(recs, rejects))
		})
	}
}

// TestSamplesDirectory reads the whole samples tree at once, as a storage
// account's container would be read.
func TestSamplesDirectory(t *testing.T) {
	recs, rejects, sum := scan(t, Options{}, filepath.Join("testdata", "samples"))
	// 82 elastic lines, 26 Panther, 2 single records, 1 + 9 Graph rows,
	// 2 Log Analytics rows; the v1 example is rejected and four files
	// (the index, two reference CSVs and README.md) are refused.
	if len(recs) != 122 || sum.Accepted != 122 {
		t.Errorf("got %d records (summary %d), want 122", len(recs), sum.Accepted)
	}
	if sum.Rejected != 1 || sum.Refused != 4 || len(rejects) != 5 {
		t.Errorf("rejected %d, refused %d (%d rejects), want 1 and 4: %v", sum.Rejected, sum.Refused, len(rejects), rejects)
	}
	want := map[signin.Type]int64{signin.TypeInteractive: 38, signin.TypeNonInteractive: 24, signin.TypeServicePrincipal: 23, signin.TypeManagedIdentity: 37}
	if !mapsEqual(sum.Types, want) {
		t.Errorf("types %v, want %v", sum.Types, want)
	}
	if sum.Read != 123 || sum.Inputs != 26 {
		t.Errorf("read %d records from %d inputs, want 123 from 26", sum.Read, sum.Inputs)
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// canonical renders records and rejects one per line.
func canonical(recs []signin.Record, rejects []*Reject) []byte {
	var out []byte
	for i := range recs {
		out = signin.AppendJSON(out, &recs[i])
		out = append(out, '\n')
	}
	for _, r := range rejects {
		out = append(out, "reject "...)
		out = append(out, filepath.ToSlash(r.Error())...)
		out = append(out, '\n')
	}
	return out
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run with -update to accept)", path, i+1, g, w)
			}
		}
	}
}

// one reads a sample and returns its records.
func one(t *testing.T, file string) []signin.Record {
	t.Helper()
	recs, _, _ := scan(t, Options{}, sample(file))
	return recs
}

// TestSampleFields checks field values taken from the samples, one quirk
// of the real exports at a time.
func TestSampleFields(t *testing.T) {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	t.Run("diag offset createdDateTime and string Level", func(t *testing.T) {
		r := one(t, "elastic/test-signinlogs-raw.log")[0]
		if !r.Time.Equal(ts("2019-10-18T09:45:48.0729893Z")) || !r.Ingested.Equal(r.Time) {
			t.Errorf("time %v ingested %v", r.Time, r.Ingested)
		}
		if r.Error != 50140 || r.Status != signin.StatusInterrupted || r.User != "test@elastic.co" || r.IP != "81.2.69.144" {
			t.Errorf("error %d status %v user %q ip %q", r.Error, r.Status, r.User, r.IP)
		}
		if r.Country != "FR" || r.City != "Champs-Sur-Marne" || r.Latitude != 48.12341234 || r.OS != "MacOs" || r.Latency != 239 {
			t.Errorf("country %q city %q lat %v os %q latency %d", r.Country, r.City, r.Latitude, r.OS, r.Latency)
		}
	})
	t.Run("five categories, MicrosoftServicePrincipalSignInLogs a service principal", func(t *testing.T) {
		recs := one(t, "elastic/test-signinlogs-raw.log")
		var types []signin.Type
		for _, r := range recs {
			types = append(types, r.Type)
		}
		want := []signin.Type{signin.TypeInteractive, signin.TypeNonInteractive, signin.TypeServicePrincipal, signin.TypeServicePrincipal, signin.TypeManagedIdentity}
		if !slices.Equal(types, want) {
			t.Errorf("types %v, want %v", types, want)
		}
	})
	t.Run("time falls back to the record time", func(t *testing.T) {
		recs := one(t, "elastic/test-created-datetime-timestamp.log")
		if !recs[0].Time.Equal(ts("2026-07-10T20:01:51.9248761Z")) || !recs[0].Ingested.Equal(ts("2026-07-10T20:03:31.273742Z")) {
			t.Errorf("record 1: time %v ingested %v", recs[0].Time, recs[0].Ingested)
		}
		if !recs[1].Time.Equal(ts("2026-07-10T20:03:31.273742Z")) {
			t.Errorf("record 2 (no createdDateTime): time %v, want the record time", recs[1].Time)
		}
	})
	t.Run("eleven time formats are one instant", func(t *testing.T) {
		recs := one(t, "elastic/test-time-formats-corner-cases.log")
		base := ts("2007-01-09T09:41:00Z")
		for i, r := range recs {
			if d := r.Time.Sub(base); d < 0 || d >= time.Second {
				t.Errorf("line %d: %v", i+1, r.Time)
			}
		}
	})
	t.Run("PascalCase keys without time", func(t *testing.T) {
		r := one(t, "elastic/test-invalid-time.log")[0]
		if r.Type != signin.TypeServicePrincipal || !r.Time.Equal(ts("2025-07-01T10:45:17.5824212Z")) || !r.Ingested.IsZero() ||
			r.CorrelationID != "83d4a233-76a0-4cc0-bbe6-9ce7ad506fc9" || r.Tenant != "2a0bb6ef-8a1d-4e8b-83d6-c682d5ca56db7" {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("US time, string durationMs, lower-case level, named networks", func(t *testing.T) {
		r := one(t, "elastic/test-alternative-time-and-duration-as-string.log")[0]
		if !r.Ingested.Equal(ts("2025-11-14T01:48:53Z")) || !r.Time.Equal(ts("2025-11-14T01:46:16.4282975Z")) {
			t.Errorf("time %v ingested %v", r.Time, r.Ingested)
		}
		if r.Identity != "Placeholder Application Name" || r.SPID != "99999999-9999-9999-9999-999999999999" || r.ASN != 7545 || r.Status != signin.StatusSuccess {
			t.Errorf("identity %q spId %q asn %d status %v", r.Identity, r.SPID, r.ASN, r.Status)
		}
		if r.IP != "0.0.0.0" || r.Trust != "Azure AD registered" || r.Compliant != signin.BoolUnknown || r.Managed != signin.BoolFalse {
			t.Errorf("ip %q trust %q compliant %v managed %v", r.IP, r.Trust, r.Compliant, r.Managed)
		}
	})
	t.Run("managed identity: null userId, empty IP, zero coordinates", func(t *testing.T) {
		recs := one(t, "elastic/test-managed-identity-sample.log")
		r := recs[0]
		if r.UserID != "" || r.IP != "" || r.Identity != "testplatformlogslube" || r.SP != "testplatformlogslube" || r.Latitude != 0 || r.Risk != "low" {
			t.Errorf("userId %q ip %q identity %q lat %v risk %q", r.UserID, r.IP, r.Identity, r.Latitude, r.Risk)
		}
		ids, names := map[string]bool{}, map[string]bool{}
		for _, r := range recs {
			ids[r.SPID], names[r.Identity] = true, true
		}
		if len(ids) != 7 || len(names) != 7 {
			t.Errorf("%d managed identity ids and %d names, want 7 of each", len(ids), len(names))
		}
	})
	t.Run("service principal: expired secret, userId null", func(t *testing.T) {
		r := one(t, "elastic/test-service-principal.log")[0]
		if r.Error != 7000222 || r.Status != signin.StatusFailure || r.UserID != "" || r.Identity != "ConfigMgrSvc_22222222-dfb4-4070-ad95-cf1e68280bb0" || r.Country != "DE" {
			t.Errorf("error %d status %v userId %q identity %q country %q", r.Error, r.Status, r.UserID, r.Identity, r.Country)
		}
	})
	t.Run("integer conditionsSatisfied, non-ASCII policy, applied policies only", func(t *testing.T) {
		r := one(t, "elastic/test-non-interactive-user.log")[0]
		if !slices.Equal(r.Policies, []string{"01 - Require Windows Hybrid AD Joined Device"}) || r.CA != "success" || r.UserType != "member" {
			t.Errorf("policies %q ca %q userType %q", r.Policies, r.CA, r.UserType)
		}
		if !bytes.Contains(r.Raw, []byte("MFA für Gäste")) {
			t.Error("raw record lost the non-ASCII policy name")
		}
	})
	t.Run("double-escaped ampersand, report-only policies not applied", func(t *testing.T) {
		r := one(t, "elastic/test-non-interactive-user-signin.log")[0]
		// Twelve policies: one success, the others notApplied, notEnabled
		// or reportOnlyNotApplied ("CA – iOS \\u0026 Android – Unmanaged").
		if !slices.Equal(r.Policies, []string{"Require MFA for everyone"}) || r.Details != "MFA requirement satisfied by claim in the token" {
			t.Errorf("policies %q details %q", r.Policies, r.Details)
		}
		if !bytes.Contains(r.Raw, []byte(`"CA – iOS \\\\u0026 Android – Unmanaged"`)) {
			t.Error("raw record changed the double-escaped policy name")
		}
	})
	t.Run("Graph beta: duplicate keys take the last value", func(t *testing.T) {
		r := one(t, "graph/graph-beta-signins-list-example1.json")[0]
		if r.Tenant != "99081087-73c4-48d1-a112-f60ff75114f7" || r.Error != 50126 || r.Status != signin.StatusFailure || r.ASN != 3598 {
			t.Errorf("tenant %q error %d status %v asn %d", r.Tenant, r.Error, r.Status, r.ASN)
		}
		if !slices.Equal(r.AuthMethods, []string{"Password"}) || r.UserType != "member" || r.Compliant != signin.BoolFalse || !math.IsNaN(r.Latitude) {
			t.Errorf("authMethods %q userType %q compliant %v lat %v", r.AuthMethods, r.UserType, r.Compliant, r.Latitude)
		}
	})
	t.Run("Graph v1 with a trailing comma is refused at its line", func(t *testing.T) {
		_, rejects, _ := scan(t, Options{}, sample("graph/graph-v1-signins-list-example1.json"))
		if len(rejects) != 1 || rejects[0].Line != 64 || rejects[0].Col != 15 || !strings.Contains(rejects[0].Reason, "invalid JSON") {
			t.Fatalf("rejects %v, want one invalid JSON at 64:15", rejects)
		}
		if !bytes.Contains(rejects[0].Raw, []byte(`"66ea54eb-6301-4ee5-be62-ff5a759b0100"`)) {
			t.Errorf("raw of the reject does not hold the record: %q", rejects[0].Raw)
		}
	})
	t.Run("summarized rows carry their counts", func(t *testing.T) {
		recs := one(t, "graph/graph-beta-summarized-msi-signins-d1.json")
		if recs[0].SignInCount != 18 || recs[0].MSIType != "systemAssigned" || !recs[0].Time.Equal(ts("2025-02-26T06:08:33Z")) || recs[2].Error != 70011 {
			t.Errorf("got %+v", recs[0])
		}
		ni := one(t, "graph/graph-beta-summarized-noninteractive-signins-d1.json")
		if ni[0].User != "automation@contoso.com" || ni[0].SignInCount != 15 {
			t.Errorf("got %+v", ni[0])
		}
		sp := one(t, "graph/graph-beta-summarized-serviceprincipal-signins-d1.json")
		if sp[0].Identity != "teams-bot-service" || sp[0].SignInCount != 24 {
			t.Errorf("got %+v", sp[0])
		}
	})
	t.Run("Log Analytics: local dates, dynamic columns as JSON strings", func(t *testing.T) {
		recs := one(t, "log-analytics-csv/signinlogs-la-export-2rows.csv")
		r := recs[0]
		if !r.Time.Equal(ts("2023-09-19T13:42:37.848Z")) || !r.Ingested.Equal(ts("2023-09-19T13:45:17.287Z")) {
			t.Errorf("time %v ingested %v", r.Time, r.Ingested)
		}
		if r.Browser != "Edge 117.0.2045" || r.Compliant != signin.BoolTrue || r.Trust != "Azure AD joined" || r.UserType != "guest" ||
			r.CrossTenant != "b2bCollaboration" || r.ASN != 20115 || r.Latency != 330 || r.Country != "US" || r.Status != signin.StatusSuccess {
			t.Errorf("got %+v", r)
		}
		r = recs[1]
		if r.Error != 50140 || r.Status != signin.StatusInterrupted || r.Risk != "high" || !slices.Equal(r.RiskEvents, []string{"unfamiliarFeatures", "unlikelyTravel"}) ||
			!slices.Equal(r.AuthMethods, []string{"Password"}) {
			t.Errorf("got %+v", r)
		}
		if !bytes.HasPrefix(r.Raw, []byte(`{"TenantId":"81a662b5-8541-481b-977d-5d956616ac5e","SourceSystem":"Azure AD","TimeGenerated [UTC]":"9/19/2023, 1:46:55.434 PM"`)) {
			t.Errorf("raw %s", r.Raw[:120])
		}
	})
	t.Run("Panther: lower-case keys, status text, ASN as string", func(t *testing.T) {
		recs := one(t, "panther/panther-azure-signin-tests.jsonl")
		if r := recs[4]; r.Error != 50053 || r.Status != signin.StatusFailure || r.ASN != 8075 || r.Time.IsZero() {
			t.Errorf("line 5: error %d status %v asn %d", r.Error, r.Status, r.ASN)
		}
		if r := recs[9]; r.Status != signin.StatusSuccess || r.Error != signin.NoInt || r.SessionID != "session-office-456" {
			t.Errorf("line 10: status %v error %d session %q", r.Status, r.Error, r.SessionID)
		}
		// Line 20: calleripaddress, correlationid, resulttype 7000215 as a number.
		if r := recs[19]; r.Type != signin.TypeServicePrincipal || r.Error != 7000215 || r.IP != "12.12.12.12" ||
			!r.Time.Equal(ts("2023-07-26T22:58:30.9832019Z")) || r.Identity != "some-service-principal" {
			t.Errorf("line 20: %+v", r)
		}
	})
	t.Run("Datadog: category decides over isInteractive; no time", func(t *testing.T) {
		r := one(t, "datadog/azure-activedirectory-tests-signin-sample.json")[0]
		if r.Type != signin.TypeInteractive || !r.Ingested.IsZero() || !slices.Equal(r.Policies, []string{"Require MFA"}) || r.ResourceID != "00000002-0000-0000-c000-000000000000" {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("MS docs example: pretty-printed, placeholders kept", func(t *testing.T) {
		r := one(t, "msdocs/azure-monitor-signin-log-schema-example.json")[0]
		if r.IP != "<IP ADDRESS>" || r.AuthRequirement != "multiFactorAuthentication" || !slices.Equal(r.AuthMethods, []string{"Previously satisfied"}) || r.Policies != nil {
			t.Errorf("got %+v", r)
		}
	})
}
