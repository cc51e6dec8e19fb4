package logfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// tsv is a format added from outside: tab-separated time, user, app and
// error code under a header line.
var tsv = Format{
	Name:   "tsv",
	Help:   "tab-separated time, user, app, error code",
	Sniff:  func(head []byte) bool { return bytes.HasPrefix(head, []byte("time\tuser\t")) },
	Header: true,
	Decode: func(l Line, rec *signin.Record) error {
		if string(l.Header) != "time\tuser\tapp\terror" {
			return fmt.Errorf("unexpected header %q", l.Header)
		}
		f := bytes.Split(l.Text, []byte("\t"))
		if len(f) != 4 {
			return fmt.Errorf("%d fields, want 4", len(f))
		}
		t, err := time.Parse(time.RFC3339, string(f[0]))
		if err != nil {
			return &ColumnError{Col: 1, Err: fmt.Errorf("time: %v", err)}
		}
		switch string(f[1]) {
		case "panic":
			panic("boom")
		case "note":
			return fmt.Errorf("%w: a note", ErrNotSignInLog)
		}
		rec.Time, rec.User, rec.App = t, string(f[1]), string(f[2])
		rec.ID = l.Input + ":" + strconv.Itoa(l.Num)
		if len(f[3]) > 0 {
			n, err := strconv.ParseInt(string(f[3]), 10, 64)
			if err != nil {
				return &ColumnError{Col: len(f[0]) + len(f[1]) + len(f[2]) + 4, Err: errors.New("error: not a number")}
			}
			rec.Error = n
		}
		return nil
	},
}

const tsvData = "time\tuser\tapp\terror\n" +
	"2026-11-01T08:00:00Z\tadele@contoso.com\tOutlook\t0\r\n" +
	"\n" +
	"2026-11-01T08:01:00Z\talex@contoso.com\tTeams\t50126\n" +
	"yesterday\talex@contoso.com\tTeams\t0\n" +
	"2026-11-01T08:02:00Z\talex@contoso.com\tTeams\tx\n" +
	"2026-11-01T08:03:00Z\tpanic\tTeams\t0\n" +
	"2026-11-01T08:04:00Z\tmeg@contoso.com\tTeams\t50074"

func TestFormatsList(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats() {
		if f.Name == "" || f.Help == "" || f.Sniff == nil || f.Decode != nil || !f.Builtin() || seen[f.Name] {
			t.Errorf("built-in format %+v", f)
		}
		seen[f.Name] = true
	}
	if len(seen) != 6 {
		t.Errorf("%d built-in formats, want 6", len(seen))
	}
	if tsv.Builtin() {
		t.Error("tsv is built in")
	}
}

// TestBuiltinSniff checks that each built-in format's Sniff takes its
// own inputs and no other format's.
func TestBuiltinSniff(t *testing.T) {
	dir := t.TempDir()
	diagLine := lines(t, "elastic/test-signinlogs.log")[0]
	recs, _, _ := scan(t, Options{}, sample("graph/graph-beta-signins-list-example1.json"))
	canonical := signin.AppendJSON(nil, &recs[0])
	inputs := map[string][]string{
		"diag":       {sample("elastic/test-signinlogs.log"), sample("msdocs/azure-monitor-signin-log-schema-example.json")},
		"eventhub":   {write(t, dir, "eh.json", []byte(`{"records":[`+string(diagLine)+`]}`))},
		"graph":      {sample("graph/graph-beta-signins-list-example1.json"), sample("graph/graph-beta-summarized-msi-signins-d1.json")},
		"portal-csv": {portal("InteractiveSignIns_2025-12-04_2025-12-05.csv")},
		"la-csv":     {sample("log-analytics-csv/signinlogs-la-export-2rows.csv")},
		"canonical":  {write(t, dir, "c.jsonl", append(canonical, '\n'))},
	}
	for want, paths := range inputs {
		for _, p := range paths {
			head := bytes.TrimPrefix(read(t, p), []byte("\xef\xbb\xbf")) // as the reader gives it
			if len(head) > bufSize {
				head = head[:bufSize]
			}
			var got []string
			for _, f := range Formats() {
				if f.Sniff(head) {
					got = append(got, f.Name)
				}
			}
			if len(got) != 1 || got[0] != want {
				t.Errorf("%s: sniffed as %v, want %s", p, got, want)
			}
		}
	}
}

func TestExtraFormat(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "signins.tsv", []byte(tsvData))
	diag := sample("elastic/test-signinlogs.log")
	recs, rejects, sum := scan(t, Options{Formats: []Format{tsv}}, p, diag)
	var got []string
	for _, r := range recs {
		if r.Format != signin.FormatUnknown && r.Format != signin.FormatDiag {
			t.Errorf("%s: format %v", r.ID, r.Format)
		}
		if r.Format == signin.FormatUnknown {
			got = append(got, fmt.Sprintf("%s %s %v %s", r.ID, r.Identity, r.Status, r.Raw))
		}
	}
	want := []string{
		p + ":2 adele@contoso.com success 2026-11-01T08:00:00Z\tadele@contoso.com\tOutlook\t0",
		p + ":4 alex@contoso.com failure 2026-11-01T08:01:00Z\talex@contoso.com\tTeams\t50126",
		p + ":8 meg@contoso.com interrupted 2026-11-01T08:04:00Z\tmeg@contoso.com\tTeams\t50074",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(recs) != 5 || sum.Formats[signin.FormatDiag] != 2 {
		t.Errorf("%d records, %d diag; the built-in formats still read the diag file", len(recs), sum.Formats[signin.FormatDiag])
	}
	var rs []string
	for _, r := range rejects {
		rs = append(rs, r.Error())
	}
	wantRejects := []string{
		p + `:5:1: time: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"`,
		p + ":6:45: error: not a number",
		p + ":7: format tsv failed on this line: boom",
	}
	if strings.Join(rs, "\n") != strings.Join(wantRejects, "\n") {
		t.Errorf("rejects:\n%s\nwant:\n%s", strings.Join(rs, "\n"), strings.Join(wantRejects, "\n"))
	}

	// A first line that is not a sign-in refuses the input, and the
	// refusals of inputs no format reads name the extra formats.
	notes := write(t, dir, "notes.tsv", []byte("time\tuser\tapp\terror\n2026-11-01T08:00:00Z\tnote\tx\t0\n"))
	other := write(t, dir, "notes.txt", []byte("Sign-ins to review on Monday.\n"))
	_, rejects, sum = scan(t, Options{Formats: []Format{tsv}}, notes, other)
	if sum.Refused != 2 || len(rejects) != 2 || !errors.Is(rejects[0], ErrNotSignInLog) || !strings.Contains(rejects[0].Reason, "a note") ||
		!strings.Contains(rejects[1].Reason, "; and also tsv (tab-separated time, user, app, error code)") {
		t.Errorf("refusals: %v", rejects)
	}
	// Header only, and nothing at all: no records, no rejects.
	empty := write(t, dir, "empty.tsv", []byte("time\tuser\tapp\terror\n\n"))
	if recs, rejects, _ := scan(t, Options{Formats: []Format{tsv}, Format: "tsv"}, empty); len(recs)+len(rejects) != 0 {
		t.Errorf("empty: %v %v", recs, rejects)
	}
}

func TestForcedFormat(t *testing.T) {
	dir := t.TempDir()
	diag := sample("elastic/test-signinlogs.log")
	graph := sample("graph/graph-beta-signins-list-example1.json")

	// A built-in format read by content reads the same when forced.
	want, _, _ := scan(t, Options{}, graph)
	recs, rejects, _ := scan(t, Options{Format: "Graph"}, graph)
	if len(rejects) != 0 || len(recs) != len(want) || len(recs) == 0 {
		t.Errorf("forced graph: %d records, %v", len(recs), rejects)
	}
	// Records of another format are rejected, saying why.
	recs, rejects, _ = scan(t, Options{Format: "graph"}, diag)
	if len(recs) != 0 || len(rejects) != 2 || !strings.Contains(rejects[0].Reason, "a diag record, not graph") || rejects[0].Line != 1 {
		t.Errorf("graph forced on diag: %d records, %v", len(recs), rejects)
	}
	// Inputs that are not in the format are refused.
	_, rejects, sum := scan(t, Options{Format: "la-csv"}, portal("InteractiveSignIns_2025-12-04_2025-12-05.csv"), diag)
	if sum.Refused != 2 || !strings.Contains(rejects[0].Reason, "in format la-csv, which it was asked to be read in: its header is that of the Entra portal's sign-in download") ||
		!strings.Contains(rejects[1].Reason, "format la-csv") {
		t.Errorf("la-csv forced: %v", rejects)
	}
	// A format without Sniff is read when forced, and only then.
	noSniff := tsv
	noSniff.Sniff = nil
	p := write(t, dir, "signins.tsv", []byte(tsvData))
	if recs, _, _ := scan(t, Options{Formats: []Format{noSniff}, Format: "tsv"}, p); len(recs) != 3 {
		t.Errorf("forced tsv: %d records, want 3", len(recs))
	}
	if _, _, sum := scan(t, Options{Formats: []Format{noSniff}}, p); sum.Refused != 1 {
		t.Errorf("unforced tsv without Sniff: %s", sum.String())
	}
	// Forced canonical reads canonical lines.
	var buf []byte
	for i := range want {
		buf = append(signin.AppendJSON(buf, &want[i]), '\n')
	}
	c := write(t, dir, "c.jsonl", buf)
	if recs, rejects, _ := scan(t, Options{Format: "canonical"}, c); len(recs) != len(want) || len(rejects) != 0 {
		t.Errorf("forced canonical: %d records, %v", len(recs), rejects)
	}
}

func TestFormatOptionErrors(t *testing.T) {
	bad := tsv
	bad.Decode = nil
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Format: "xml"}, `logfile: unknown input format "xml"; the formats are diag, eventhub, graph, portal-csv, la-csv, canonical`},
		{Options{Format: "xml", Formats: []Format{tsv}}, `the formats are diag, eventhub, graph, portal-csv, la-csv, canonical, tsv`},
		{Options{Formats: []Format{tsv, tsv}}, `format "tsv" is given twice`},
		{Options{Formats: []Format{{Name: "diag", Decode: tsv.Decode}}}, `format "diag" is given twice (or is built in)`},
		{Options{Formats: []Format{bad}}, `format "tsv" has no Decode`},
		{Options{Formats: []Format{{Name: "a b", Decode: tsv.Decode}}}, `bad format name "a b"`},
	} {
		_, err := Scan(context.Background(), []string{os.DevNull}, tc.opts, func(*Batch) error { return nil })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %s", tc.opts.Format, err, tc.want)
		}
	}
	// Built-in formats given as extra ones are ignored.
	if _, err := Scan(context.Background(), []string{filepath.Join("testdata", "portal")}, Options{Formats: Formats()}, func(*Batch) error { return nil }); err != nil {
		t.Error(err)
	}
}
