package logfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// TestPortalCSVType reads the portal's downloads under the names users
// give them: the columns tell the service principal and managed identity
// downloads, the file name or Options.Type the user sign-ins', and a
// download whose type nothing tells is refused (or read as interactive,
// with a warning, when asked). A renamed file is never silently read as
// interactive.
func TestPortalCSVType(t *testing.T) {
	users := read(t, portal("InteractiveSignIns_2025-12-04_2025-12-05.csv"))
	apps := read(t, portal("ApplicationSignIns_2025-12-04_2025-12-05.csv"))
	msi := read(t, portal("MSISignIns_2025-12-04_2025-12-05.csv"))
	subset := []byte("\"Date (UTC)\",\"Request ID\",\"Status\",\"Sign-in error code\"\n\"2025-12-04T08:19:41Z\",\"4b1f2c3d-0009-4e5f-8a9b-0c1d2e3f4a09\",\"Failure\",\"50126\"\n")
	ni, sp, adfs := signin.TypeNonInteractive, signin.TypeServicePrincipal, signin.TypeADFS
	tests := []struct {
		name, file string
		data       []byte
		opts       Options
		want       signin.Type // when read
		refused    string      // what the refusal says, if refused
		warning    string      // what the warning says, if any
	}{
		// User sign-ins: the name or --type tells, else nothing does.
		{name: "named", file: "InteractiveSignIns_2025-12-04.csv", data: users, want: signin.TypeInteractive},
		{name: "named non-interactive", file: "NonInteractiveSignIns_x.csv", data: users, want: ni},
		{name: "renamed", file: "signins (1).csv", data: users,
			refused: "sign-in type unknown: its columns are those of the portal's user sign-in downloads, the same for interactive and non-interactive sign-ins, and neither its file name nor --type says which: name it as the portal does (InteractiveSignIns_….csv or NonInteractiveSignIns_….csv) or give --type interactive or --type nonInteractive"},
		{name: "renamed, --type", file: "signins (1).csv", data: users, opts: Options{Type: &ni}, want: ni},
		{name: "renamed, --type over name", file: "InteractiveSignIns_x.csv", data: users, opts: Options{Type: &ni}, want: ni},
		{name: "renamed, --type adfs", file: "adfs.csv", data: users, opts: Options{Type: &adfs}, want: adfs},
		{name: "renamed, assumed", file: "signins (1).csv", data: users, opts: Options{AssumeInteractive: true}, want: signin.TypeInteractive,
			warning: "read as interactive sign-ins, which they may not be: its columns are those of the portal's user sign-in downloads"},
		{name: "named as another download", file: "ApplicationSignIns_x.csv", data: users,
			refused: "sign-in type unknown: its file name (ApplicationSignIns_x.csv) says servicePrincipal, but its columns are those of the portal's user sign-in downloads"},
		{name: "--type another download", file: "signins.csv", data: users, opts: Options{Type: &sp},
			refused: "sign-in type unknown: --type says servicePrincipal, but its columns are those of the portal's user sign-in downloads"},
		// Service principals and managed identities: the columns tell.
		{name: "service principals renamed", file: "export.csv", data: apps, want: sp},
		{name: "managed identities renamed", file: "download (2).csv", data: msi, want: signin.TypeManagedIdentity},
		{name: "service principals named interactive", file: "InteractiveSignIns_x.csv", data: apps, want: sp,
			warning: "its file name (InteractiveSignIns_x.csv) says interactive, but its columns are those of the portal's servicePrincipal download (ApplicationSignIns_….csv): its sign-ins are read as servicePrincipal"},
		{name: "managed identities, --type", file: "MSISignIns_x.csv", data: msi, opts: Options{Type: &ni}, want: signin.TypeManagedIdentity,
			warning: "--type says nonInteractive, but its columns are those of the portal's managedIdentity download (MSISignIns_….csv)"},
		// Columns of no one download: the name or --type tells.
		{name: "subset named", file: "MSISignIns_x.csv", data: subset, want: signin.TypeManagedIdentity},
		{name: "subset renamed", file: "failures.csv", data: subset,
			refused: "sign-in type unknown: its columns are not those of one of the portal's downloads, and neither its file name nor --type says which: name it as the portal does (InteractiveSignIns_…, NonInteractiveSignIns_…, ApplicationSignIns_… or MSISignIns_….csv) or give --type"},
		{name: "subset, --type", file: "failures.csv", data: subset, opts: Options{Type: &sp}, want: sp},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var recs []signin.Record
			var rejects []*Reject
			var warnings []*Warning
			path := write(t, t.TempDir(), tc.file, tc.data)
			sum, err := Scan(t.Context(), []string{path}, tc.opts, func(b *Batch) error {
				recs = append(recs, b.Records...)
				rejects = append(rejects, b.Rejects...)
				warnings = append(warnings, b.Warnings...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.refused != "" {
				if len(recs) != 0 || len(rejects) != 1 || !rejects[0].Refused || !errors.Is(rejects[0], ErrTypeUnknown) ||
					errors.Is(rejects[0], ErrNotSignInLog) || !strings.HasPrefix(rejects[0].Reason, tc.refused) || sum.Refused != 1 {
					t.Fatalf("%d records, rejects %v; want it refused saying %q", len(recs), rejects, tc.refused)
				}
				return
			}
			if len(rejects) != 0 || len(recs) == 0 {
				t.Fatalf("%d records, rejects %v", len(recs), rejects)
			}
			for _, r := range recs {
				if r.Type != tc.want {
					t.Errorf("%s: type %v, want %v", r.ID, r.Type, tc.want)
				}
			}
			switch {
			case tc.warning == "" && len(warnings) != 0:
				t.Errorf("warnings %v, want none", warnings)
			case tc.warning != "" && (len(warnings) != 1 || warnings[0].Input != path || !strings.HasPrefix(warnings[0].Message, tc.warning) || sum.Warnings != 1):
				t.Errorf("warnings %v, want one saying %q", warnings, tc.warning)
			}
		})
	}
}

// TestPortalCSVRenamedTwice reads the same non-interactive download under
// its own name and renamed, as a user who downloaded it twice has it:
// the renamed copy must not add its sign-ins again as interactive ones.
func TestPortalCSVRenamedTwice(t *testing.T) {
	dir := t.TempDir()
	data := read(t, portal("NonInteractiveSignIns_2025-12-04_2025-12-05.csv"))
	named := write(t, dir, "NonInteractiveSignIns_2025-12-04_2025-12-05.csv", data)
	renamed := write(t, dir, "NonInteractiveSignIns_2025-12-04_2025-12-05 (1).csv", data)
	copied := write(t, dir, "signins (1).csv", data)
	recs, rejects, sum := scan(t, Options{}, named, renamed, copied)
	types := map[signin.Type]int{}
	for _, r := range recs {
		types[r.Type]++
	}
	if types[signin.TypeInteractive] != 0 || types[signin.TypeNonInteractive] != 2 || sum.Refused != 1 || len(rejects) != 1 || rejects[0].Input != copied {
		t.Errorf("types %v, rejects %v", types, rejects)
	}
}
