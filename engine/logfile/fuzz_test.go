package logfile

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"golang.org/x/text/encoding/unicode"
)

// check reads data as one input and checks what holds for any input:
// no error, the summary adds up, every record has a time, a valid type,
// its raw form and a canonical form that is valid JSON, and every reject
// has a reason.
func check(t *testing.T, name string, data []byte) ([]signin.Record, []*Reject) {
	t.Helper()
	var recs []signin.Record
	var rejects []*Reject
	sum, err := ScanInputs(context.Background(), []Input{ReaderInput(name, bytes.NewReader(data))},
		Options{Workers: 2, MaxRecordBytes: 1 << 16}, func(b *Batch) error {
			recs = append(recs, b.Records...)
			rejects = append(rejects, b.Rejects...)
			return nil
		})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if sum.Read != sum.Accepted+sum.Rejected || sum.Accepted != int64(len(recs)) || int64(len(rejects)) != sum.Rejected+int64(sum.Refused)+int64(sum.Truncated) {
		t.Fatalf("summary does not add up: %+v with %d records and %d rejects", sum, len(recs), len(rejects))
	}
	for i := range recs {
		r := &recs[i]
		if r.Time.IsZero() || r.Type.String() == "" || len(r.Raw) == 0 {
			t.Fatalf("record %d: %+v", i, r)
		}
		if c := signin.AppendJSON(nil, r); !json.Valid(c) {
			t.Fatalf("record %d: canonical form is not JSON: %s", i, c)
		}
	}
	for _, r := range rejects {
		if r.Reason == "" || r.Input != name {
			t.Fatalf("reject without reason: %+v", r)
		}
	}
	return recs, rejects
}

// seeds adds the files under testdata/<dir> as seeds.
func seeds(f *testing.F, dir string, wrap func([]byte) []byte) {
	f.Helper()
	err := filepath.WalkDir(filepath.Join("testdata", dir), func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f.Add(wrap(b))
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
}

// FuzzDiag fuzzes one diagnostic-settings JSON line between two good
// ones: whatever the line holds, both good records must come through.
func FuzzDiag(f *testing.F) {
	good := bytes.SplitN(must(os.ReadFile(sample("elastic/test-signinlogs-sample.log"))), []byte("\n"), 2)[0]
	seeds(f, "samples/elastic", func(b []byte) []byte { return bytes.SplitN(b, []byte("\n"), 2)[0] })
	seeds(f, "samples/panther", func(b []byte) []byte { return bytes.SplitN(b, []byte("\n"), 2)[0] })
	f.Add(bytes.SplitN(must(os.ReadFile(filepath.Join("testdata", "adfs", "PT1H.json"))), []byte("\n"), 4)[2]) // AD FS, a user that does not exist
	f.Add([]byte(`{"records":[{"time":"2025-01-01T00:00:00Z","category":"SignInLogs"}]}`))
	f.Add([]byte(`{"category":"SignInLogs","properties":"{\"createdDateTime\":\"2025-01-01T00:00:00Z\",\"status\":\"{\\\"errorCode\\\":5}\"}"}`))
	// The lists of steps, policies and networks, one of each kind of element.
	f.Add([]byte(`{"tenantId":"t","category":"SignInLogs","properties":{"createdDateTime":"2025-01-01T00:00:00Z","isInteractive":true,"authenticationDetails":[{"authenticationMethod":"Password","succeeded":true,"authenticationStepResultDetail":"Correct password"},{"succeeded":"false"}],"appliedConditionalAccessPolicies":[{"displayName":"a","result":"failure"},{"displayName":"b","result":"reportOnlyFailure"}],"networkLocationDetails":[{"networkType":"namedNetwork","networkNames":["x","y"]}],"originalTransferMethod":"deviceCodeFlow"}}`))
	f.Add([]byte(`{"resourceId":"/tenants/abc/providers/Microsoft.aadiam","category":"SignInLogs","properties":{"createdDateTime":"2025-01-01T00:00:00Z","authenticationDetails":"[{\"succeeded\":1}]","networkLocationDetails":[{"networkNames":"x"}]}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		line = bytes.ReplaceAll(line, []byte("\n"), []byte(" "))
		data := bytes.Join([][]byte{good, line, good}, []byte("\n"))
		recs, _ := check(t, "fuzz.log", data)
		n := 0
		for i := range recs {
			if recs[i].ID == "933f20c0-efdf-477f-9586-e5cc566d2e00" {
				n++
			}
		}
		if n < 2 {
			t.Fatalf("a good record was lost around %q", line)
		}
	})
}

// FuzzGraph fuzzes JSON documents: Graph pages, Event Hub payloads,
// portal JSON arrays and pretty-printed records.
func FuzzGraph(f *testing.F) {
	seeds(f, "samples/graph", func(b []byte) []byte { return b })
	seeds(f, "samples/msdocs", func(b []byte) []byte { return b })
	seeds(f, "samples/datadog", func(b []byte) []byte { return b })
	seeds(f, "powershell", func(b []byte) []byte { return b })
	f.Add([]byte(`[{"createdDateTime":"\/Date(1758269730000)\/","status":"System.Collections.Hashtable","location":"@{city=Oslo}","riskEventTypes_v2":"a b"}]`))
	f.Add([]byte(`[{"createdDateTime":"2025-01-01T00:00:00Z","id":"a"},]`))
	f.Add(must(os.ReadFile(arrays("graph-beta-device-code.json"))))
	f.Add([]byte(`{"value":[{"signInCount":3,"aggregationDateTime":"2025-02-26T06:00:00Z"}],"@odata.nextLink":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, "fuzz.json", data)
	})
}

// fuzzCSV fuzzes the rows under a fixed header, so that the row decoding
// is what is explored.
func fuzzCSV(f *testing.F, file, name string) {
	b := must(os.ReadFile(file))
	header, rows, _ := bytes.Cut(b, []byte("\n"))
	f.Add(rows)
	f.Add([]byte(`"a","b"` + "\n"))
	f.Add([]byte(`"2025-13-01","x"` + "\n" + `"unterminated`))
	f.Fuzz(func(t *testing.T, rows []byte) {
		data := append(append(bytes.Clone(header), '\n'), rows...)
		recs, rejects := check(t, name, data)
		for _, r := range rejects {
			if r.Refused {
				t.Fatalf("the header was refused: %v", r)
			}
		}
		for i := range recs {
			if !json.Valid(recs[i].Raw) {
				t.Fatalf("raw form of a CSV row is not JSON: %s", recs[i].Raw)
			}
		}
	})
}

func FuzzPortalCSV(f *testing.F) {
	fuzzCSV(f, portal("InteractiveSignIns_2025-12-04_2025-12-05.csv"), "InteractiveSignIns_x.csv")
}

func FuzzLogAnalyticsCSV(f *testing.F) {
	fuzzCSV(f, sample("log-analytics-csv/signinlogs-la-export-2rows.csv"), "la.csv")
}

// FuzzParseTime checks that any time ParseTime accepts is UTC and
// survives a round trip through RFC 3339.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2019-10-18T04:45:48.0729893-05:00", "9/19/2023, 1:45:17.287 PM", "1/9/2007 10:41:00 AM +01:00",
		"2023-07-26 22:58:30.983201900", "19.09.2023 13:45:17,287", "2025-12-04 08:19:41 UTC",
		"/Date(1758269730000)/", `\/Date(-62135596800000+0000)\/`, "/Date(1758269730000-0500)/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime([]byte(s))
		if err != nil {
			if !strings.Contains(err.Error(), "cannot parse time") {
				t.Fatalf("error %q", err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("%q: not UTC", s)
		}
		again, err := ParseTime([]byte(got.Format(time.RFC3339Nano)))
		if err != nil || !again.Equal(got) {
			t.Fatalf("%q: %v does not round-trip: %v %v", s, got, again, err)
		}
	})
}

// FuzzSniff feeds arbitrary bytes as a whole input, whatever format they
// look like.
func FuzzSniff(f *testing.F) {
	for _, s := range []string{"", "{", "[", "\xef\xbb\xbf\"Date (UTC)\"\n", "\x1f\x8b", "PK\x03\x04", "{}\n{}", "{\"a\":\n{",
		// UTF-16 with a byte-order mark: little and big endian, an odd
		// byte at the end, an unpaired surrogate.
		"\xff\xfe{\x00}\x00\n\x00", "\xfe\xff\x00[\x00]", "\xff\xfe{\x00", "\xff\xfe\x00\xd8{\x00}\x00"} {
		f.Add([]byte(s))
	}
	f.Add(utf16Text(f, bytes.SplitN(must(os.ReadFile(sample("elastic/test-signinlogs-sample.log"))), []byte("\n"), 2)[0], unicode.LittleEndian))
	f.Add(utf16Text(f, must(os.ReadFile(sample("log-analytics-csv/signinlogs-la-export-2rows.csv"))), unicode.BigEndian))
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, "any", data)
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// FuzzCanonical fuzzes one line of signinq's canonical form between two
// good ones, which must both come through.
func FuzzCanonical(f *testing.F) {
	good := `{"time":"2025-01-01T00:00:00Z","id":"good","type":"interactive","status":"success","error":0,"user":"a@b.c","authMethod":["Password"],"raw":{"x":1}}`
	f.Add([]byte(`{"time":"2025-01-01T00:00:00Z","type":"servicePrincipal","latitude":1.5,"compliant":true,"policy":["p"],"raw":"a,b"}`))
	f.Add([]byte(`{"time":"2025-01-01T00:00:00Z","type":"interactive","isInteractive":false,"firstStepSucceeded":true,"stepResult":["a"],"policyResult":["p: failure"],"logTenant":"t"}`))
	f.Add([]byte(`{"time":"x","type":"robot","error":"1"}`))
	f.Add([]byte(`{"time":"2025-01-01T00:00:00Z","type":"interactive","country":"US","city":"Paris","place":"FR//","raw":{}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		line = bytes.ReplaceAll(line, []byte("\n"), []byte(" "))
		recs, _ := check(t, "fuzz.jsonl", []byte(good+"\n"+string(line)+"\n"+good+"\n"))
		n := 0
		for i := range recs {
			if recs[i].ID == "good" {
				n++
			}
		}
		if n < 2 {
			t.Fatalf("a good record was lost around %q", line)
		}
	})
}
