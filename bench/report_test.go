package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/gen"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	twenty := ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
	for _, tc := range []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 50, 7 * time.Millisecond},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(1, 2), 50, 1 * time.Millisecond},
		{ms(1, 2, 3), 50, 2 * time.Millisecond},
		{twenty, 50, 10 * time.Millisecond},
		{twenty, 95, 19 * time.Millisecond},
		{twenty, 99, 20 * time.Millisecond},
		{twenty, 100, 20 * time.Millisecond},
		{twenty, 1, 1 * time.Millisecond},
	} {
		if got := Percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tc.sorted, tc.p, got, tc.want)
		}
	}
}

func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int64
		name string
	}{
		{"1M", 1_000_000, "1M"},
		{"10m", 10_000_000, "10M"},
		{" 100M", 100_000_000, "100M"},
		{"20k", 20_000, "20k"},
		{"20000", 20_000, "20k"},
		{"1234", 1234, "1234"},
	} {
		n, err := ParseSize(tc.in)
		if err != nil || n != tc.n || SizeName(n) != tc.name {
			t.Errorf("ParseSize(%q) = %d, %v (%s), want %d (%s)", tc.in, n, err, SizeName(n), tc.n, tc.name)
		}
	}
	for _, bad := range []string{"", "M", "-1M", "0", "1G", "1.5M", "99999999999999999999M"} {
		if n, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, n)
		}
	}
}

func TestBenchName(t *testing.T) {
	if got, want := BenchName("count where x=1\tsince 24h | spray"), "count_where_x=1_since_24h_|_spray"; got != want {
		t.Errorf("BenchName = %q, want %q", got, want)
	}
}

// fixedReport is a report with made-up figures, for the writers' golden
// files.
func fixedReport() *Report {
	qs := Queries()[:3]
	ms := func(f float64) time.Duration { return time.Duration(f * 1e6) }
	warm := func(base float64) []time.Duration {
		var d []time.Duration
		for i := range 20 {
			d = append(d, ms(base*(1+float64(i)/40)))
		}
		return d
	}
	ds := func(rows int64, scale float64, rss int64) Dataset {
		d := Dataset{Rows: rows, Dir: "/cache/engine-v1", Open: ms(12), PeakRSS: rss, PeakAnon: max(rss/3, -1),
			Disk: Disk{Rows: rows, Columns: 106 * rows, Dicts: rows, Bitmaps: 42 * rows, IDs: 21 * rows, Total: 180 * rows}}
		for i, q := range qs {
			d.Queries = append(d.Queries, QueryResult{Query: q, Rows: i + 1, Cold: ms(3 * scale), Warm: warm(float64(i+1) * scale), PeakRSS: rss, PeakAnon: max(rss/3, -1)})
		}
		return d
	}
	first := ds(1_000_000, 1, 300<<20)
	second := ds(10_000_000, 8, -1)
	second.Made = 95 * time.Second
	return &Report{
		Machine:  Machine{CPU: "AMD EPYC", Cores: 2, MemoryBytes: 24 << 30, GoVersion: "go1.26", OS: "linux", Arch: "amd64"},
		Runs:     20,
		Datasets: []Dataset{first, second},
		Ingest: &Ingest{SignIns: 1_000_000, Bytes: 4_200_000_000, Stored: 1_000_000, Ingest: 10 * time.Second, Compact: 2 * time.Second,
			Disk: Disk{Rows: 1_000_000, Columns: 106e6, Dicts: 5e6, Bitmaps: 60e6, IDs: 21e6, Raw: 300e6, Total: 500e6}},
		Elapsed: 4*time.Minute + 3*time.Second,
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to rewrite it); got:\n%s", path, got)
	}
}

func TestWriteGoBench(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGoBench(&buf, fixedReport()); err != nil {
		t.Fatal(err)
	}
	golden(t, "gobench.txt", buf.Bytes())
	// Every benchmark line is a name, an iteration count and value-unit
	// pairs, as the format wants.
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f)%2 != 0 || len(f) < 4 || strings.ContainsAny(f[0], " \t") {
			t.Errorf("not a benchmark line: %q", line)
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	var buf bytes.Buffer
	if err := fixedReport().WriteMarkdown(&buf, "scale.png"); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md", buf.Bytes())
}

// shapesReport is fixedReport with a wide dataset of each size after the
// compact ones.
func shapesReport() *Report {
	r := fixedReport()
	for _, ds := range slices.Clone(r.Datasets) {
		ds.Shape = gen.ShapeWide
		ds.Dir += "-wide"
		ds.Queries = slices.Clone(ds.Queries)
		for i := range ds.Queries {
			q := &ds.Queries[i]
			q.Warm = slices.Clone(q.Warm)
			for j := range q.Warm {
				q.Warm[j] *= 3
			}
		}
		r.Datasets = append(r.Datasets, ds)
	}
	return r
}

// TestWriteShapes checks that every figure of a report of two shapes
// says its shape, that the compact shape's names are those of a report
// of it alone, and that the JSON keeps the shapes.
func TestWriteShapes(t *testing.T) {
	var md, gb bytes.Buffer
	r := shapesReport()
	if err := r.WriteMarkdown(&md, ""); err != nil {
		t.Fatal(err)
	}
	golden(t, "report-shapes.md", md.Bytes())
	if err := WriteGoBench(&gb, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "gobench-shapes.txt", gb.Bytes())
	var one bytes.Buffer
	if err := WriteGoBench(&one, fixedReport()); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(gb.Bytes(), bytes.TrimSuffix(one.Bytes(), []byte(lastLine(one.String())))) {
		t.Error("the compact shape's benchmark lines differ from a report of it alone")
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Datasets[2].Shape != gen.ShapeWide || back.Datasets[0].Shape != gen.ShapeCompact || !bytes.Contains(b, []byte(`"Shape":"wide"`)) {
		t.Errorf("shapes after a JSON round trip: %v, %v", back.Datasets[0].Shape, back.Datasets[2].Shape)
	}
	// A report saved before there were shapes reads as compact.
	var old Report
	if err := json.Unmarshal([]byte(`{"Datasets":[{"Rows":5}]}`), &old); err != nil || old.Datasets[0].Shape != gen.ShapeCompact {
		t.Errorf("an old report: %v, %v", old.Datasets, err)
	}
}

// lastLine returns the last line of s, its newline included: the
// ingest's, which the shapes' report has after the wide datasets.
func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:] + "\n"
}

func TestWriteChart(t *testing.T) {
	var buf bytes.Buffer
	if err := fixedReport().WriteChart(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 500 {
		t.Errorf("chart of %v", b)
	}
	if err := (&Report{}).WriteChart(&buf); err == nil {
		t.Error("a chart of no datasets: no error")
	}
}

// TestRun runs the whole benchmark on a tiny dataset in a temporary
// cache: every query runs, every figure is there, and a second run finds
// the dataset and the sample cached.
func TestRun(t *testing.T) {
	cache := t.TempDir()
	cfg := Config{Sizes: []int64{20_000}, Runs: 3, CacheDir: cache, IngestSample: 2_000, Logf: t.Logf}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Datasets) != 1 || rep.Runs != 3 || rep.Elapsed <= 0 {
		t.Fatalf("report: %+v", rep)
	}
	ds := rep.Datasets[0]
	if ds.Rows != 20_000 || ds.Made <= 0 || ds.Open <= 0 || ds.Disk.Rows != 20_000 || ds.Disk.Total <= 0 || ds.Disk.Columns <= 0 || ds.Disk.Raw != 0 {
		t.Errorf("dataset: %+v", ds)
	}
	if ds.PeakRSS == 0 {
		t.Error("no peak memory")
	}
	if len(ds.Queries) != len(Queries()) {
		t.Fatalf("%d queries ran, want %d", len(ds.Queries), len(Queries()))
	}
	for _, q := range ds.Queries {
		if q.Cold <= 0 || len(q.Warm) != 3 || q.P50() <= 0 || q.P95() < q.P50() || q.P99() < q.P95() {
			t.Errorf("%s: cold %v, warm %v", q.Query.Text, q.Cold, q.Warm)
		}
		if q.PeakRSS == 0 || q.PeakRSS > ds.PeakRSS {
			t.Errorf("%s: peak memory %d, the dataset's %d", q.Query.Text, q.PeakRSS, ds.PeakRSS)
		}
		// Working memory is part of resident memory; the open store
		// alone takes some.
		if runtime.GOOS == "linux" && (q.PeakAnon <= 0 || q.PeakAnon > q.PeakRSS || q.PeakAnon > ds.PeakAnon) {
			t.Errorf("%s: working memory %d, of peak %d; the dataset's %d", q.Query.Text, q.PeakAnon, q.PeakRSS, ds.PeakAnon)
		}
		if q.Query.Text == "count" && q.Rows != 1 {
			t.Errorf("%s: %d rows", q.Query.Text, q.Rows)
		}
	}
	in := rep.Ingest
	if in == nil || in.SignIns != 2_000 || in.Stored != 2_000 || in.Bytes <= 0 || in.Ingest <= 0 || in.SignInsPerSecond() <= 0 || in.Disk.Raw <= 0 {
		t.Errorf("ingest: %+v", in)
	}
	// The ingest's store is gone; the dataset and the sample stay.
	ents, _ := os.ReadDir(cache)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, " "), fmt.Sprintf("diag-2000.jsonl diag-2000.ready engine-v%d-20000", engine.FormatVersion); got != want {
		t.Errorf("cache holds %s, want %s", got, want)
	}

	cfg.Queries, cfg.IngestSample = Queries()[:1], -1
	rep, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ds := rep.Datasets[0]; ds.Made != 0 || len(ds.Queries) != 1 || rep.Ingest != nil {
		t.Errorf("second run: made %v, %d queries, ingest %v", ds.Made, len(ds.Queries), rep.Ingest)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Sizes: []int64{0}},
		{Runs: -1},
		{Queries: []Query{}},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("Run(%+v): no error", cfg)
		}
	}
}
