package logfile

import (
	"bytes"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"golang.org/x/text/encoding/unicode"
)

// powershell is the path of a sample under testdata/powershell: sign-ins
// as incident responders' PowerShell collections write them, made from
// the documented formats (Windows PowerShell 5.1's ConvertTo-Json at its
// default -Depth of 2, with its layout, its "\/Date(…)\/" times and its
// Windows line endings).
func powershell(name string) string { return filepath.Join("testdata", "powershell", name) }

// scanAll reads paths and returns records, rejects and warnings.
func scanAll(t *testing.T, opts Options, paths ...string) ([]signin.Record, []*Reject, []*Warning, Summary) {
	t.Helper()
	var recs []signin.Record
	var rejects []*Reject
	var warnings []*Warning
	sum, err := Scan(t.Context(), paths, opts, func(b *Batch) error {
		recs = append(recs, b.Records...)
		rejects = append(rejects, b.Rejects...)
		warnings = append(warnings, b.Warnings...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, rejects, warnings, sum
}

// TestPowerShellSamples reads what Windows PowerShell's ConvertTo-Json
// writes at its default depth: every record is read, with what it holds,
// objects deeper than the depth (written as "System.Collections.Hashtable",
// "@{…}" or a type name) are left out, and one warning per input names the
// fields lost and in how many records. The same files in UTF-16, as
// PowerShell's > writes them, read the same. The canonical records, the
// rejects and the warnings match testdata/powershell.golden/<name>.jsonl
// (run with -update to rewrite).
func TestPowerShellSamples(t *testing.T) {
	tests := []struct {
		file   string
		n      int
		lost   string // the warning's list of lost fields
		check  func(t *testing.T, recs []signin.Record)
		format signin.Format
	}{
		{file: "Get-MgAuditLogSignIn.json", n: 3, format: signin.FormatGraph,
			lost: "AppliedConditionalAccessPolicies (2 records), Location.GeoCoordinates (3 records)",
			check: func(t *testing.T, recs []signin.Record) {
				r := recs[0]
				if !r.Time.Equal(time.UnixMilli(1758269730000)) || r.Type != signin.TypeInteractive || r.User != "adele.vance@contoso.com" ||
					r.Status != signin.StatusSuccess || r.Error != 0 || r.Details != "MFA requirement satisfied by claim in the token" ||
					r.IP != "203.0.113.45" || r.City != "Redmond" || r.Country != "US" || r.Compliant != signin.BoolTrue || r.Device != "ADELE-LAPTOP" ||
					r.CA != "success" || r.Policies != nil || !math.IsNaN(r.Latitude) {
					t.Errorf("record 1: %+v", r)
				}
				if r := recs[1]; r.Error != 50126 || r.Status != signin.StatusFailure || r.Country != "NG" || r.Time.Format(time.RFC3339Nano) != "2025-09-19T08:20:12.345Z" {
					t.Errorf("record 2: %+v", r)
				}
				if r := recs[2]; r.Error != 50074 || r.Status != signin.StatusInterrupted || r.Policies != nil {
					t.Errorf("record 3: %+v", r)
				}
			}},
		{file: "Get-MgBetaAuditLogSignIn-NonInteractive.json", n: 2, format: signin.FormatGraph,
			lost: "AuthenticationDetails (2 records), Location.GeoCoordinates (2 records)",
			check: func(t *testing.T, recs []signin.Record) {
				r := recs[1]
				if r.Type != signin.TypeNonInteractive || r.Error != 70043 || r.ASN != 3320 || r.Latency != 87 || r.SessionID == "" ||
					!slices.Equal(r.AuthMethods, []string{"Password"}) || r.UserType != "member" || r.Country != "DE" {
					t.Errorf("record 2: %+v", r)
				}
			}},
		{file: "Invoke-MgGraphRequest-page.json", n: 2, format: signin.FormatGraph,
			lost: "authenticationDetails (2 records), deviceDetail (2 records), location (2 records), status (2 records)",
			check: func(t *testing.T, recs []signin.Record) {
				// The status was lost: no error code, no status, rather
				// than a guess.
				r := recs[0]
				if r.Error != signin.NoInt || r.Status != signin.StatusUnknown || r.Country != "" || r.User != "alexw@contoso.com" ||
					r.IP != "198.51.100.23" || r.ASN != 64500 || !slices.Equal(r.AuthMethods, []string{"Password"}) || r.Type != signin.TypeInteractive {
					t.Errorf("record 1: %+v", r)
				}
			}},
		{file: "Invoke-RestMethod-value.json", n: 2, format: signin.FormatGraph,
			lost: "appliedConditionalAccessPolicies (2 records), location.geoCoordinates (2 records)",
			check: func(t *testing.T, recs []signin.Record) {
				r := recs[1]
				if r.Error != 53003 || r.Status != signin.StatusFailure || r.City != "Amsterdam" || r.Country != "NL" || r.IP != "2001:db8:85a3::8a2e:370:7334" ||
					!math.IsNaN(r.Latitude) || r.Policies != nil || r.Time.Format(time.RFC3339) != "2025-09-19T10:04:52Z" {
					t.Errorf("record 2: %+v", r)
				}
			}},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := powershell(tc.file)
			recs, rejects, warnings, sum := scanAll(t, Options{}, path)
			if len(recs) != tc.n || len(rejects) != 0 {
				t.Fatalf("%d records, want %d; rejects %v", len(recs), tc.n, rejects)
			}
			for i := range recs {
				if recs[i].Format != tc.format {
					t.Errorf("record %d: format %v", i, recs[i].Format)
				}
			}
			tc.check(t, recs)
			if len(warnings) != 1 || sum.Warnings != 1 || warnings[0].Input != path || warnings[0].Line == 0 ||
				!strings.Contains(warnings[0].Message, "where ConvertTo-Json stopped at its -Depth (2 by default): "+tc.lost+"; the rest of each record was read") {
				t.Errorf("warnings %v, want one naming %s", warnings, tc.lost)
			}
			got := canonical(recs, rejects)
			for _, w := range warnings {
				got = append(got, "warning "+filepath.ToSlash(w.Error())+"\n"...)
			}
			checkGolden(t, filepath.Join("testdata", "powershell.golden", tc.file+"l"), got)

			// As Windows PowerShell's > writes it: UTF-16 LE with a mark.
			u16 := write(t, dir, tc.file, utf16Text(t, read(t, path), unicode.LittleEndian))
			recs16, rejects16, warnings16, _ := scanAll(t, Options{}, u16)
			got16 := canonical(recs16, rejects16)
			for _, w := range warnings16 {
				got16 = append(got16, "warning "+filepath.ToSlash(strings.Replace(w.Error(), u16, path, 1))+"\n"...)
			}
			if !bytes.Equal(got16, got) {
				t.Errorf("in UTF-16:\n%s\nwant\n%s", got16, got)
			}
		})
	}
}

// TestPowerShellTruncated checks what is taken for ConvertTo-Json's text
// in place of an object, and that a field holding it is lost, not a
// reason to reject the record, while other text where an object should
// be still rejects it.
func TestPowerShellTruncated(t *testing.T) {
	for s, want := range map[string]bool{
		"System.Collections.Hashtable":                                         true,
		"Microsoft.Graph.PowerShell.Models.MicrosoftGraphGeoCoordinates":       true,
		"System.Collections.Generic.Dictionary`2[System.String,System.Object]": true,
		"System.Object[]": true,
		"System.Collections.Hashtable System.Collections.Hashtable": true,
		"@{altitude=; latitude=52.37403; longitude=4.88969}":        true,
		" @{} ": true,
		"Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphAuthenticationDetail": true,
		"US":                                    false,
		"":                                      false,
		"System":                                false,
		"Contoso.Models.Thing":                  false,
		"System.Collections.Hashtable and more": false,
		"@{unclosed":                            false,
		`{"errorCode":0}`:                       false,
		"System.Collections.Hashtable\nSystem.Object[]":                                      false,
		"Password Authenticator App":                                                         false,
		"Microsoft Authenticator":                                                            false,
		"System.String[] Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInLocation":     true,
		"Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInLocation; DROP TABLE signins": false,
	} {
		if got := psTruncated([]byte(s)); got != want {
			t.Errorf("psTruncated(%q) = %v, want %v", s, got, want)
		}
	}

	dir := t.TempDir()
	data := `[
{"createdDateTime":"2025-09-19T10:00:00Z","id":"a","userPrincipalName":"a@contoso.com","status":"System.Collections.Hashtable","location":"@{city=Oslo; countryOrRegion=NO}","authenticationMethodsUsed":"Password Text message","networkLocationDetails":[{"networkType":"namedNetwork","networkNames":"HQ VPN"}]},
{"createdDateTime":"2025-09-19T10:01:00Z","id":"b","userPrincipalName":"b@contoso.com","status":"errorCode 50126","location":"NO"},
{"createdDateTime":"2025-09-19T10:02:00Z","id":"c","userPrincipalName":"c@contoso.com","status":{"errorCode":0},"location":"NO","authenticationMethodsUsed":"Password Text message"}
]`
	recs, rejects, warnings, _ := scanAll(t, Options{}, write(t, dir, "mixed.json", []byte(data)))
	if len(recs) != 2 || len(rejects) != 1 || rejects[0].Line != 3 || !strings.Contains(rejects[0].Reason, "status: invalid JSON") {
		t.Fatalf("%d records, rejects %v", len(recs), rejects)
	}
	// Record a lost its status and location; a list given as one text
	// with spaces in a record that lost objects is a list ConvertTo-Json
	// joined, lost too (its methods, its network names). Record c lost
	// nothing: its text is one method.
	a, c := recs[0], recs[1]
	if a.Status != signin.StatusUnknown || a.Error != signin.NoInt || a.Country != "" || a.City != "" || a.AuthMethods != nil ||
		a.NetworkNames != nil || !slices.Equal(a.NetworkTypes, []string{"namedNetwork"}) {
		t.Errorf("record a: %+v", a)
	}
	if c.Country != "NO" || !slices.Equal(c.AuthMethods, []string{"Password Text message"}) {
		t.Errorf("record c: %+v", c)
	}
	if len(warnings) != 1 || warnings[0].Line != 2 ||
		!strings.Contains(warnings[0].Message, ": authenticationMethodsUsed (1 record), location (1 record), networkLocationDetails.networkNames (1 record), status (1 record); the rest") {
		t.Errorf("warnings %v", warnings)
	}
}
