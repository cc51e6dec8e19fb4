package logfile

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

func adfsSample(name string) string { return filepath.Join("testdata", "adfs", name) }

// TestADFS reads AD FS sign-ins as Connect Health reports them to Entra
// ID: diagnostic-settings records of the ADFSSignInLogs category (a
// storage blob, an Event Hub payload) and a Log Analytics export of the
// ADFSSignInLogs table. They are sign-ins of their own type, adfs; a user
// that does not exist is the name that was typed, not the zero GUID. The
// canonical records match testdata/adfs.golden/<name>.jsonl (-update
// rewrites them).
func TestADFS(t *testing.T) {
	for _, tc := range []struct {
		file   string
		format signin.Format
		n      int
	}{
		{"PT1H.json", signin.FormatDiag, 5},
		{"eventhub.json", signin.FormatDiag, 5},
		{"adfssigninlogs-la-export.csv", signin.FormatLogAnalyticsCSV, 2},
	} {
		t.Run(tc.file, func(t *testing.T) {
			recs, rejects, warnings, sum := scanAll(t, Options{}, adfsSample(tc.file))
			if len(recs) != tc.n || len(rejects) != 0 || len(warnings) != 0 || sum.Types[signin.TypeADFS] != int64(tc.n) {
				t.Fatalf("%d records (%v by type), rejects %v, warnings %v", len(recs), sum.Types, rejects, warnings)
			}
			for _, r := range recs {
				if r.Type != signin.TypeADFS || r.Format != tc.format || r.TokenIssuer != "ADFederationServices" || r.Identity == "" || r.Identity == zeroGUID {
					t.Errorf("%s: type %v format %v tokenIssuer %q identity %q", r.ID, r.Type, r.Format, r.TokenIssuer, r.Identity)
				}
			}
			checkGolden(t, filepath.Join("testdata", "adfs.golden", tc.file+".jsonl"), canonical(recs, rejects))
		})
	}

	recs, _, _ := scan(t, Options{}, adfsSample("PT1H.json"))
	if r := recs[0]; r.User != "adele.vance@contoso.com" || r.Status != signin.StatusSuccess || r.Error != 0 || r.IP != "10.20.30.40" ||
		!slices.Equal(r.AuthMethods, []string{"Integrated Windows Authentication"}) || r.Resource != "Microsoft Office 365 Identity Platform" ||
		r.ResourceID != "urn:federation:MicrosoftOnline" || r.Latency != 47 {
		t.Errorf("record 1: %+v", r)
	}
	// A user that does not exist: the user fields hold the zero GUID, the
	// sign-in identifier what was typed.
	if r := recs[2]; r.User != "jsmith@contoso.com" || r.Identity != "jsmith@contoso.com" || r.UserID != "" || r.UserName != "" ||
		r.Error != 50126 || r.Status != signin.StatusFailure || !slices.Equal(r.AuthMethods, []string{"Forms"}) {
		t.Errorf("record 3: %+v", r)
	}
	if r := recs[4]; r.Error != 50053 || r.Status != signin.StatusFailure || r.User != "alexw@contoso.com" || r.Details == "" {
		t.Errorf("record 5: %+v", r)
	}
	// The user fields of other types are kept as they are.
	entra := bytes.Replace(read(t, adfsSample("PT1H.json")), []byte(`"category":"ADFSSignInLogs"`), []byte(`"category":"SignInLogs"`), -1)
	recs, _, _ = scan(t, Options{}, write(t, t.TempDir(), "entra.json", entra))
	if r := recs[2]; r.Type != signin.TypeInteractive || r.User != zeroGUID {
		t.Errorf("an interactive sign-in's zero GUID user: %+v", r)
	}
}

// TestADFSStorageTree reads AD FS sign-ins beside the others in a storage
// account's container tree.
func TestADFSStorageTree(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "insights-logs-adfssigninlogs/tenantId=4bbb79f7-5724-4c9e-95f3-de075f6ec090/y=2025/m=11/d=03/h=08/m=00/PT1H.json", read(t, adfsSample("PT1H.json")))
	write(t, dir, "insights-logs-signinlogs/tenantId=4bbb79f7-5724-4c9e-95f3-de075f6ec090/y=2022/m=01/d=24/h=05/m=00/PT1H.json", read(t, sample("elastic/test-signinlogs-sample.log")))
	_, rejects, sum := scan(t, Options{}, dir)
	if len(rejects) != 0 || sum.Types[signin.TypeADFS] != 5 || sum.Types[signin.TypeInteractive] != 2 {
		t.Errorf("types %v, rejects %v", sum.Types, rejects)
	}
}
