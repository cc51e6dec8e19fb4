package format

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// tabReader reads a tiny tab-separated format: a "time<TAB>user<TAB>app"
// header, then one sign-in a line.
type tabReader struct{}

func (tabReader) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "tab", Kind: plugins.KindReader, Help: "tab-separated time, user and app"}
}

func (tabReader) Format() logfile.Format {
	return logfile.Format{
		Name: "tab", Help: "tab-separated time, user and app", Header: true,
		Sniff: func(head []byte) bool { return strings.HasPrefix(string(head), "time\tuser\tapp\n") },
		Decode: func(l logfile.Line, rec *signin.Record) error {
			f := strings.Split(string(l.Text), "\t")
			if len(f) != 3 {
				return fmt.Errorf("%d fields where the header has 3", len(f))
			}
			t, err := time.Parse(time.RFC3339, f[0])
			if err != nil {
				return &logfile.ColumnError{Col: 1, Err: errors.New("time: not RFC 3339")}
			}
			rec.Time, rec.User, rec.App, rec.Error = t, f[1], f[2], 0
			rec.ID = fmt.Sprintf("%s:%d", filepath.Base(l.Input), l.Num)
			return nil
		},
	}
}

const tabData = "time\tuser\tapp\n" +
	"2026-11-01T08:00:00Z\tadele@contoso.com\tOutlook\n" +
	"2026-11-01T08:01:00Z\talex@contoso.com\tTeams\n" +
	"noon\talex@contoso.com\tTeams\n" +
	"2026-11-01T08:03:00Z\tmeg@contoso.com\n"

func scanWith(t *testing.T, opts logfile.Options, paths ...string) ([]signin.Record, []*logfile.Reject, error) {
	t.Helper()
	var recs []signin.Record
	var rejects []*logfile.Reject
	_, err := logfile.Scan(context.Background(), paths, opts, func(b *logfile.Batch) error {
		recs = append(recs, b.Records...)
		rejects = append(rejects, b.Rejects...)
		return nil
	})
	return recs, rejects, err
}

func TestBuiltinReaders(t *testing.T) {
	var want []string
	for _, f := range logfile.Formats() {
		want = append(want, f.Name)
		r, err := plugins.LookupReader(registry(t), f.Name)
		if err != nil {
			t.Fatal(err)
		}
		got := r.Format()
		if d := r.Describe(); d.Kind != plugins.KindReader || d.Help != f.Help || d.Usage() != f.Name || got.Name != f.Name || !got.Builtin() {
			t.Errorf("%s: %+v, format %s", f.Name, d, got.Name)
		}
	}
	slices.Sort(want)
	if got := registry(t).Names(plugins.KindReader); !slices.Equal(got, want) {
		t.Errorf("readers %v, want %v", got, want)
	}
	if extra := plugins.ExtraFormats(registry(t)); len(extra) != 0 {
		t.Errorf("extra formats in the default registry: %v", extra)
	}
	if plugins.KindReader.String() != "reader" {
		t.Errorf("KindReader is %v", plugins.KindReader)
	}
}

func TestRegisterReaderChecksInterface(t *testing.T) {
	err := plugins.NewRegistry().Register(fakePlugin{plugins.Descriptor{Name: "notareader", Kind: plugins.KindReader}})
	if err == nil || !strings.Contains(err.Error(), "does not implement") {
		t.Errorf("got %v", err)
	}
}

type fakePlugin struct{ d plugins.Descriptor }

func (p fakePlugin) Describe() plugins.Descriptor { return p.d }

func TestExtraReader(t *testing.T) {
	reg := registry(t)
	if err := reg.Register(tabReader{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "signins.tab")
	if err := os.WriteFile(p, []byte(tabData), 0o644); err != nil {
		t.Fatal(err)
	}
	extra := plugins.ExtraFormats(reg)
	if len(extra) != 1 || extra[0].Name != "tab" {
		t.Fatalf("extra formats %v", extra)
	}

	// Sniffed: the registry's extra reader reads the file.
	recs, rejects, err := scanWith(t, logfile.Options{Formats: extra}, p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, fmt.Sprintf("%s %s %s %v", r.ID, r.Identity, r.App, r.Status))
	}
	if want := "signins.tab:2 adele@contoso.com Outlook success|signins.tab:3 alex@contoso.com Teams success"; strings.Join(got, "|") != want {
		t.Errorf("records %q, want %q", strings.Join(got, "|"), want)
	}
	var rs []string
	for _, r := range rejects {
		rs = append(rs, strings.TrimPrefix(r.Error(), dir+string(filepath.Separator)))
	}
	if want := "signins.tab:4:1: time: not RFC 3339|signins.tab:5: 2 fields where the header has 3"; strings.Join(rs, "|") != want {
		t.Errorf("rejects %q, want %q", strings.Join(rs, "|"), want)
	}

	// Without the extra reader the file is refused, naming the formats.
	_, rejects, err = scanWith(t, logfile.Options{}, p)
	if err != nil || len(rejects) != 1 || !rejects[0].Refused || !errors.Is(rejects[0], logfile.ErrNotSignInLog) {
		t.Errorf("without the reader: %v %v", err, rejects)
	}

	// Forced by name, the way the commands look it up.
	r, err := plugins.LookupReader(reg, "TAB")
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err = scanWith(t, logfile.Options{Format: r.Format().Name, Formats: extra}, p)
	if err != nil || len(recs) != 2 {
		t.Errorf("forced tab: %d records, %v", len(recs), err)
	}
	// Forcing another format refuses the file, saying which.
	_, rejects, err = scanWith(t, logfile.Options{Format: "graph", Formats: extra}, p)
	if err != nil || len(rejects) != 1 || !strings.Contains(rejects[0].Reason, "in format graph, which it was asked to be read in") {
		t.Errorf("forced graph: %v %v", err, rejects)
	}
}

func TestUnknownReader(t *testing.T) {
	reg := registry(t)
	if err := reg.Register(tabReader{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"xml", "csv"} { // csv is a writer, not a reader
		_, err := plugins.LookupReader(reg, name)
		if want := fmt.Sprintf(`unknown input format %q; the formats are canonical, diag, eventhub, graph, la-csv, portal-csv, tab`, name); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", name, err, want)
		}
	}
	_, _, err := scanWith(t, logfile.Options{Format: "xml", Formats: plugins.ExtraFormats(reg)}, os.DevNull)
	if err == nil || !strings.Contains(err.Error(), "the formats are diag, eventhub, graph, portal-csv, la-csv, canonical, tab") {
		t.Errorf("forcing an unknown format: %v", err)
	}
}

// registry returns a registry of the built-in formats.
func registry(t *testing.T) *plugins.Registry {
	t.Helper()
	r := plugins.NewRegistry()
	for _, p := range All() {
		if err := r.Register(p); err != nil {
			t.Fatal(err)
		}
	}
	return r
}
