package logfile

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

func portal(name string) string { return filepath.Join("testdata", "portal", name) }

func TestPortalCSV(t *testing.T) {
	recs, rejects, sum := scan(t, Options{AssumeInteractive: true}, filepath.Join("testdata", "portal"))
	if len(rejects) != 0 {
		t.Fatalf("rejects: %v", rejects)
	}
	if sum.Warnings != 1 {
		t.Errorf("%d warnings, want 1 (signins-export.csv read as interactive)", sum.Warnings)
	}
	byID := map[string]signin.Record{}
	for _, r := range recs {
		if r.Format != signin.FormatPortalCSV {
			t.Errorf("%s: format %v", r.ID, r.Format)
		}
		byID[r.ID] = r
	}
	if len(recs) != 7 || sum.Inputs != 5 {
		t.Fatalf("got %d records from %d inputs, want 7 from 5", len(recs), sum.Inputs)
	}

	// The 57-column header, with "Application ID " and "Autonomous system
	// number" spelled as the portal spells them.
	r := byID["4b1f2c3d-0001-4e5f-8a9b-0c1d2e3f4a01"]
	if r.Type != signin.TypeInteractive || r.AppID != "1fec8e78-bce4-4aaf-ab1b-5451cc387264" || r.ResourceID != "00000003-0000-0000-c000-000000000000" || r.ASN != 8075 {
		t.Errorf("row 1: type %v appId %q resourceId %q asn %d", r.Type, r.AppID, r.ResourceID, r.ASN)
	}
	if r.User != "adele.vance@contoso.com" || r.UserName != "Adele Vance" || r.UserType != "member" || r.Identity != r.User {
		t.Errorf("row 1: user %q userName %q userType %q identity %q", r.User, r.UserName, r.UserType, r.Identity)
	}
	if r.City != "Redmond" || r.State != "Washington" || r.Country != "US" || r.IP != "2001:db8::1" || r.Status != signin.StatusSuccess || r.Error != 0 {
		t.Errorf("row 1: %q %q %q ip %q status %v error %d", r.City, r.State, r.Country, r.IP, r.Status, r.Error)
	}
	if r.Compliant != signin.BoolTrue || r.Managed != signin.BoolTrue || r.Trust != "Azure AD joined" || r.CA != "success" || r.Latency != 145 ||
		r.AuthRequirement != "multiFactorAuthentication" || !slices.Equal(r.AuthMethods, []string{"Previously satisfied"}) || r.CrossTenant != "none" {
		t.Errorf("row 1: %+v", r)
	}
	if !bytes.Contains(r.Raw, []byte(`"Application ID ":"1fec8e78-bce4-4aaf-ab1b-5451cc387264"`)) || !bytes.Contains(r.Raw, []byte(`"Autonomous system  number":"8075"`)) {
		t.Errorf("raw does not keep the column names as written: %s", r.Raw)
	}

	r = byID["4b1f2c3d-0002-4e5f-8a9b-0c1d2e3f4a02"]
	if r.Status != signin.StatusFailure || r.Error != 50126 || r.Protocol != "ropc" || r.CA != "notApplied" || r.AuthRequirement != "singleFactorAuthentication" || r.Compliant != signin.BoolFalse {
		t.Errorf("row 2: %+v", r)
	}
	r = byID["4b1f2c3d-0003-4e5f-8a9b-0c1d2e3f4a03"]
	if r.Status != signin.StatusInterrupted || r.UserType != "guest" || r.Tenant != "4f7a7bc2-28e2-46a3-b90e-5ade5bc90138" {
		t.Errorf("row 3: %+v", r)
	}
	// The older exports, with 55 and 54 columns; the file name decides the
	// type, and a file without a portal name is read as interactive when
	// asked to (see TestPortalCSVType).
	if r := byID["4b1f2c3d-0004-4e5f-8a9b-0c1d2e3f4a04"]; r.Type != signin.TypeNonInteractive || r.SessionID == "" || r.AppID == "" {
		t.Errorf("55 columns: %+v", r)
	}
	if r := byID["4b1f2c3d-0005-4e5f-8a9b-0c1d2e3f4a05"]; r.Type != signin.TypeInteractive || r.SessionID != "" || r.User != "adele.vance@contoso.com" {
		t.Errorf("54 columns: %+v", r)
	}
	if r := byID["4b1f2c3d-0006-4e5f-8a9b-0c1d2e3f4a06"]; r.Type != signin.TypeServicePrincipal || r.Identity != "Terraform-Deploy" || r.SPID != "b029d485-a308-4311-8720-fb3192e5284e" || r.Error != 7000215 || r.City != "Boydton" {
		t.Errorf("ApplicationSignIns: %+v", r)
	}
	if r := byID["4b1f2c3d-0007-4e5f-8a9b-0c1d2e3f4a07"]; r.Type != signin.TypeManagedIdentity || r.MSIType != "systemAssigned" || r.Identity != "func-orders-prod" || r.IP != "" {
		t.Errorf("MSISignIns: %+v", r)
	}
}

func TestPortalCSVTypeOption(t *testing.T) {
	typ := signin.TypeNonInteractive
	recs, _, _ := scan(t, Options{Type: &typ}, portal("signins-export.csv"), portal("InteractiveSignIns_2025-12-04_2025-12-05.csv"))
	for _, r := range recs {
		if r.Type != signin.TypeNonInteractive {
			t.Errorf("%s: type %v, want --type to override", r.ID, r.Type)
		}
	}
	// It does not change formats that record the type.
	recs, _, _ = scan(t, Options{Type: &typ}, sample("elastic/test-service-principal.log"))
	if recs[0].Type != signin.TypeServicePrincipal {
		t.Errorf("diag record: type %v", recs[0].Type)
	}
}

// write creates a file under dir and returns its path.
func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lines returns the non-empty lines of a sample.
func lines(t *testing.T, name string) [][]byte {
	var out [][]byte
	for _, l := range bytes.Split(read(t, sample(name)), []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			out = append(out, l)
		}
	}
	return out
}

func ids(recs []signin.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

// TestContainers reads the same records in every wrapping they arrive in
// and checks each gives the same records.
func TestContainers(t *testing.T) {
	dir := t.TempDir()
	ls := lines(t, "elastic/test-service-principal-signinlogs-sample.log")
	jsonl := append(bytes.Join(ls, []byte("\n")), '\n')
	want, _, _ := scan(t, Options{}, write(t, dir, "plain.log", jsonl))
	if len(want) != 7 {
		t.Fatalf("plain: %d records", len(want))
	}
	eventHub := []byte(`{"records": [` + string(bytes.Join(ls, []byte(",\n"))) + "]}")
	eventHubLines := append(append([]byte(`{"records":[`), bytes.Join(ls[:3], []byte(","))...), "]}\n{\"records\":["...)
	eventHubLines = append(append(eventHubLines, bytes.Join(ls[3:], []byte(","))...), "]}\n"...)
	graphPage := []byte(`{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns","value":[` + string(bytes.Join(ls, []byte(","))) + `],"@odata.nextLink":"https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=x"}`)
	array := []byte("[\n  " + string(bytes.Join(ls, []byte(",\n  "))) + "\n]\n")
	var pretty []byte
	for _, l := range ls {
		pretty = append(pretty, bytes.ReplaceAll(l, []byte(`,"`), []byte(",\n    \""))...)
		pretty = append(pretty, "\n"...)
	}
	crlf := bytes.ReplaceAll(jsonl, []byte("\n"), []byte("\r\n"))
	noFinalNewline := bytes.TrimRight(jsonl, "\n")

	f := func(name string, data []byte) {
		t.Helper()
		got, rejects, _ := scan(t, Options{}, write(t, dir, name, data))
		if len(rejects) != 0 {
			t.Errorf("%s: rejects %v", name, rejects)
		}
		if !slices.Equal(ids(got), ids(want)) {
			t.Errorf("%s: ids %v, want %v", name, ids(got), ids(want))
			return
		}
		for i := range got {
			if g, w := signin.AppendJSON(nil, &got[i]), signin.AppendJSON(nil, &want[i]); !bytes.Equal(g, w) {
				t.Errorf("%s: record %d\n got %s\nwant %s", name, i, g, w)
			}
		}
	}
	f("eventhub.json", eventHub)
	f("eventhub-lines.json", eventHubLines)
	f("graph-page.json", graphPage)
	f("portal-array.json", array)
	f("pretty.json", pretty)
	f("crlf.log", crlf)
	f("no-final-newline.log", noFinalNewline)
	f("PT1H.json.gz", gz(t, jsonl))
}

// TestStorageTree reads a storage account container as it is laid out:
// insights-logs-<category>/tenantId=…/y=…/m=…/d=…/h=…/m=00/PT1H.json.
func TestStorageTree(t *testing.T) {
	dir := t.TempDir()
	blob := func(cat string, h int, data []byte) {
		write(t, dir, fmt.Sprintf("insights-logs-%s/tenantId=4bbb79f7-5724-4c9e-95f3-de075f6ec090/y=2022/m=01/d=24/h=%02d/m=00/PT1H.json", cat, h), data)
	}
	blob("signinlogs", 5, read(t, sample("elastic/test-signinlogs-sample.log")))
	blob("managedidentitysigninlogs", 4, read(t, sample("elastic/test-managed-identity-sample.log")))
	blob("noninteractiveusersigninlogs", 6, read(t, sample("elastic/test-non-interactive-user-sample.log")))
	write(t, dir, ".DS_Store", []byte{0, 1, 2})
	recs, rejects, sum := scan(t, Options{}, dir)
	if len(rejects) != 0 || len(recs) != 2+33+15 || sum.Inputs != 3 {
		t.Fatalf("got %d records from %d inputs, rejects %v", len(recs), sum.Inputs, rejects)
	}
	// Lexical order of the paths: managed identities, non-interactive, interactive.
	if recs[0].Type != signin.TypeManagedIdentity || recs[33].Type != signin.TypeNonInteractive || recs[48].Type != signin.TypeInteractive {
		t.Errorf("order: %v %v %v", recs[0].Type, recs[33].Type, recs[48].Type)
	}
}

func TestStdin(t *testing.T) {
	in := bytes.NewReader(gz(t, read(t, sample("log-analytics-csv/signinlogs-la-export-2rows.csv"))))
	recs, rejects, _ := scan(t, Options{Stdin: in}, "-")
	if len(recs) != 2 || len(rejects) != 0 {
		t.Fatalf("got %d records, rejects %v", len(recs), rejects)
	}
}

func TestEmptyAndOddInputs(t *testing.T) {
	dir := t.TempDir()
	f := func(name string, data []byte, wantReason string) {
		t.Helper()
		recs, rejects, sum := scan(t, Options{}, write(t, dir, name, data))
		if len(recs) != 0 {
			t.Errorf("%s: %d records", name, len(recs))
		}
		if wantReason == "" {
			if len(rejects) != 0 || !sum.Clean() {
				t.Errorf("%s: rejects %v", name, rejects)
			}
			return
		}
		if len(rejects) != 1 || !rejects[0].Refused || !strings.Contains(rejects[0].Reason, wantReason) || sum.Refused != 1 {
			t.Errorf("%s: rejects %v, want one refusal saying %q", name, rejects, wantReason)
		}
	}
	f("empty.json", nil, "")
	f("blank.log", []byte("\n  \n\n"), "")
	f("empty-page.json", []byte(`{"@odata.context":"x","value":[]}`), "")
	f("utf16.csv", []byte("\xff\xfeD\x00a\x00"), `neither JSON nor CSV (its first line is "Da")`)
	f("archive.zip", []byte("PK\x03\x04rest"), "zip archive")
	f("notes.txt", []byte("just some notes\nabout sign-ins\n"), "not a sign-in log")
	f("audit.log", []byte(`{"time":"2025-01-01T00:00:00Z","category":"AuditLogs","operationName":"Add user"}`+"\n"), `category "AuditLogs"`)
	f("other.json", []byte(`[{"name":"x"},{"name":"y"}]`), "not a sign-in log")
	f("other.csv", []byte("a,b,c\n1,2,3\n"), "not a sign-in log")

	_, rejects, _ := scan(t, Options{}, filepath.Join(dir, "missing.json"))
	if len(rejects) != 1 || !rejects[0].Refused || errors.Is(rejects[0], ErrNotSignInLog) || !strings.Contains(rejects[0].Reason, "no such file") {
		t.Errorf("missing file: %v", rejects)
	}
}

// TestBadRecords checks that every malformed record is rejected with its
// position and reason, that reading goes on, and that nothing valid is
// lost.
func TestBadRecords(t *testing.T) {
	dir := t.TempDir()
	ls := lines(t, "elastic/test-signinlogs-sample.log")
	good := ls[0]
	badTime := bytes.Replace(ls[1], []byte(`"createdDateTime":"2022-01-24T05:10:12.2444226+00:00"`), []byte(`"createdDateTime":"2022-13-24T05:10:08Z"`), 1)
	if bytes.Equal(badTime, ls[1]) {
		t.Fatal("test setup: createdDateTime not found")
	}
	f := func(name string, data string, wantRecs int, want ...string) {
		t.Helper()
		recs, rejects, sum := scan(t, Options{}, write(t, dir, name, []byte(data)))
		if len(recs) != wantRecs {
			t.Errorf("%s: %d records, want %d", name, len(recs), wantRecs)
		}
		var got []string
		for _, r := range rejects {
			got = append(got, strings.TrimPrefix(r.Error(), filepath.Join(dir, name)))
			if !r.Refused && len(r.Raw) == 0 {
				t.Errorf("%s: reject %v without raw text", name, r)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: rejects\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			return
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("%s: reject %d = %q, want prefix %q", name, i, got[i], want[i])
			}
		}
		if sum.Rejected != int64(len(want)) || sum.Read != int64(wantRecs+len(want)) || sum.Accepted != int64(wantRecs) {
			t.Errorf("%s: summary %s", name, sum.String())
		}
	}
	g := string(good)
	f("cut.log", g+"\n"+g[:len(g)/2]+"\n"+g+"\n", 2,
		fmt.Sprintf(":2:%d: invalid JSON: unexpected end of input (the record is cut short)", len(g)/2+1))
	f("garbage.log", g+"\n"+`{"time": "2025-01-01T00:00:00Z", "category": SignInLogs}`+"\n"+g+"\n", 2,
		`:2:46: invalid JSON: invalid character 'S' looking for beginning of value`)
	f("badtime.log", g+"\n"+string(badTime)+"\n"+g+"\n", 2,
		`:2:1: createdDateTime: cannot parse time "2022-13-24T05:10:08Z": a value is out of range`)
	f("notobject.log", g+"\n"+`["a","b"]`+"\n  "+g+"\n", 2, ":2:1: expected a JSON object, found array")
	f("badnumber.log", strings.Replace(g, `"processingTimeInMilliseconds":5662`, `"processingTimeInMilliseconds":"fast"`, 1)+"\n", 0,
		`:1:1: processingTimeInMilliseconds: not an integer: "fast"`)
	f("notime.log", `{"category":"SignInLogs","properties":{"id":"x","userPrincipalName":"a@b.c"}}`+"\n"+g+"\n", 1,
		":1:1: no sign-in time")
	f("mixed.log", g+"\n"+`{"time":"2025-01-01T00:00:00Z","category":"AuditLogs"}`+"\n", 1,
		`:2:1: not a sign-in record: category "AuditLogs" is not a sign-in log category`)
	f("trailing-comma.json", "[\n"+g+",\n"+g+",\n]\n", 2, ":4:1: a trailing comma before ']'")
	f("unclosed.json", "[\n"+g+",\n"+g[:100], 1, ":3:101: invalid JSON: unexpected end of input (the JSON is cut short)")
	f("bad-element.json", "[\n"+g+",\n{\"category\": \"SignInLogs\", \"time\": 12x},\n"+g+"\n]", 2, ":3:38: invalid JSON: invalid character 'x'")
	f("stray.json", "[\n"+g+"\n] ]", 1, ":3:3: invalid JSON: unexpected ']' where a JSON object or array should be")

	la := string(read(t, sample("log-analytics-csv/signinlogs-la-export-2rows.csv")))
	header, rows, _ := strings.Cut(la, "\n")
	row1, row2, _ := strings.Cut(rows, "\n")
	f("short-row.csv", header+"\n"+row1+"\n"+"a,b,c\n"+row2, 2, ":3: a row of 3 fields where the header has 76")
	f("bare-quote.csv", header+"\n"+row1+"\n"+strings.Replace(row2, "Azure Portal", `Azure "Portal`, 1)+"\n"+row1+"\n", 2, `:3:`)
	f("bad-date.csv", header+"\n"+strings.Replace(row1, "9/19/2023, 1:45:17.287 PM", "19/19/2023, 1:45:17.287 PM", 1)+"\n"+row2, 1,
		`:2:47: TimeGenerated [UTC]: cannot parse time "19/19/2023, 1:45:17.287 PM"`)
}

func TestLongLine(t *testing.T) {
	dir := t.TempDir()
	g := string(lines(t, "elastic/test-signinlogs-sample.log")[0])
	long := `{"category":"SignInLogs","pad":"` + strings.Repeat("x", 5000) + `"}`
	recs, rejects, _ := scan(t, Options{MaxRecordBytes: 4096}, write(t, dir, "long.log", []byte(g+"\n"+long+"\n"+g+"\n")))
	if len(recs) != 2 || len(rejects) != 1 || rejects[0].Line != 2 || !strings.Contains(rejects[0].Reason, "longer than 4096 bytes") {
		t.Errorf("got %d records, rejects %v", len(recs), rejects)
	}
}

func TestAll(t *testing.T) {
	var n, bad int
	for r, err := range All(context.Background(), []string{sample("graph")}, Options{}) {
		if err != nil {
			var rej *Reject
			if !errors.As(err, &rej) {
				t.Fatalf("not a reject: %v", err)
			}
			bad++
			continue
		}
		if r.Time.IsZero() {
			t.Errorf("record without time")
		}
		n++
	}
	if n != 10 || bad != 1 {
		t.Errorf("got %d records and %d rejects, want 10 and 1", n, bad)
	}
	// Breaking out early stops reading.
	n = 0
	for range All(context.Background(), []string{sample("elastic")}, Options{}) {
		if n++; n == 3 {
			break
		}
	}
}

func TestScanStops(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	_, err := Scan(context.Background(), []string{sample("elastic")}, Options{Workers: 2}, func(*Batch) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("err %v after %d calls", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Scan(ctx, []string{sample("elastic")}, Options{}, func(*Batch) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled scan: %v", err)
	}
}

// TestCanonicalRoundTrip reads every sample, writes the records in
// canonical form (as signinq parse prints them, with and without their
// raw forms), and reads that back: the records must come back the same.
func TestCanonicalRoundTrip(t *testing.T) {
	recs, _, _ := scan(t, Options{AssumeInteractive: true}, filepath.Join("testdata", "samples"), filepath.Join("testdata", "portal"))
	if len(recs) != 129 {
		t.Fatalf("%d records", len(recs))
	}
	dir := t.TempDir()
	for _, withRaw := range []bool{false, true} {
		var buf []byte
		for i := range recs {
			if withRaw {
				buf = signin.AppendJSONRaw(buf, &recs[i])
			} else {
				buf = signin.AppendJSON(buf, &recs[i])
			}
			buf = append(buf, '\n')
		}
		back, rejects, sum := scan(t, Options{}, write(t, dir, fmt.Sprintf("canonical-%v.jsonl", withRaw), buf))
		if len(rejects) != 0 || len(back) != len(recs) || sum.Formats[signin.FormatCanonical] != int64(len(recs)) {
			t.Fatalf("raw=%v: %d of %d records back, rejects %v", withRaw, len(back), len(recs), rejects)
		}
		for i := range recs {
			if g, w := signin.AppendJSON(nil, &back[i]), signin.AppendJSON(nil, &recs[i]); !bytes.Equal(g, w) {
				t.Errorf("raw=%v, record %d:\n got %s\nwant %s", withRaw, i, g, w)
			}
			if !withRaw {
				continue
			}
			var g, w bytes.Buffer
			json.Compact(&g, back[i].Raw)
			json.Compact(&w, recs[i].Raw)
			if !bytes.Equal(g.Bytes(), w.Bytes()) {
				t.Errorf("record %d: raw\n got %s\nwant %s", i, g.Bytes(), w.Bytes())
			}
		}
	}
}

func TestCanonicalBadRecords(t *testing.T) {
	dir := t.TempDir()
	data := `{"time":"2025-01-01T00:00:00Z","type":"interactive","user":"a@b.c"}
{"time":"2025-01-01T00:00:01Z","type":"robot","user":"a@b.c"}
{"type":"interactive","user":"a@b.c"}
{"time":"2025-01-01T00:00:02Z","type":"interactive","error":"fifty"}
`
	recs, rejects, _ := scan(t, Options{}, write(t, dir, "c.jsonl", []byte(data)))
	var got []string
	for _, r := range rejects {
		got = append(got, fmt.Sprintf("%d: %s", r.Line, r.Reason))
	}
	want := []string{
		`2: type: "robot" is not one of interactive, nonInteractive, servicePrincipal, managedIdentity, adfs`,
		`3: no sign-in time`,
		`4: error: not an integer: "fifty"`,
	}
	if len(recs) != 1 || !slices.Equal(got, want) {
		t.Errorf("%d records, rejects:\n%s", len(recs), strings.Join(got, "\n"))
	}
}

// A scan of a stream that has no more input yet stops when its context
// is done, instead of waiting for input that may never come (an ingest
// from a pipe told to stop by Ctrl-C or SIGTERM).
func TestScanStopsOnStalledStream(t *testing.T) {
	data := read(t, sample("elastic/test-managed-identity-sample.log"))
	data = append(data, data...) // more than the first batch's 64 KiB
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write(data) // and then nothing, but the pipe stays open
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var recs int
	done := make(chan error, 1)
	go func() {
		_, err := Scan(ctx, []string{"-"}, Options{Stdin: pr}, func(b *Batch) error {
			if recs += len(b.Records); len(b.Rejects) > 0 {
				t.Errorf("rejects: %v", b.Rejects)
			}
			cancel() // after the first batch, while the reader waits for more
			return nil
		})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || recs == 0 {
			t.Errorf("stalled stream: %v after %d records; want context.Canceled after some", err, recs)
		}
	case <-time.After(time.Minute): // a watchdog, not a timing: it hangs without the fix
		t.Fatal("Scan still waits for the stream a minute after its context was cancelled")
	}
}
