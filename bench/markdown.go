package bench

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/words"
)

// WriteMarkdown writes the report as Markdown: the machine and method,
// the datasets (disk per sign-in by what it holds, peak memory), the
// ingest, the median latency of every query by size side by side, each
// query's percentiles and cold run by size, and how the figures grow
// with size. chart, when not "", is the path of the scale chart (see
// WriteChart) to show, relative to where the Markdown goes.
func (r *Report) WriteMarkdown(w io.Writer, chart string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	m := r.Machine
	p("## Machine\n\n")
	cpu := m.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	mem := "memory unknown"
	if m.MemoryBytes > 0 {
		mem = humanize.IBytes(uint64(m.MemoryBytes)) + " of memory"
	}
	p("%s, %d %s, %s; %s, %s/%s.\n\n", cpu, m.Cores, words.Plural(m.Cores, "core"), mem, m.GoVersion, m.OS, m.Arch)
	p("Each query ran once cold (on a store just opened: the engine's caches empty, the operating system's page cache as earlier runs left it) and then %d times warm; p50, p95 and p99 are the warm runs' percentiles (nearest rank). The queries' now is the end of the generated window, %s. The run took %s.\n\n",
		r.Runs, "2026-11-26 00:00 UTC", longDuration(r.Elapsed))

	if len(r.Datasets) > 0 {
		r.writeDatasets(p)
	}
	if r.Ingest != nil {
		r.writeIngest(p)
	}
	if len(r.Datasets) > 0 {
		r.writeLatency(p)
		r.writeScale(p, chart)
		r.writeQueries(p)
	}
	return bw.Flush()
}

type printer func(format string, args ...any)

func (r *Report) header(p printer, first string) {
	p("| %s |", first)
	for _, ds := range r.Datasets {
		p(" %s |", ds.Name())
	}
	p("\n|---|")
	for range r.Datasets {
		p("---:|")
	}
	p("\n")
}

func (r *Report) row(p printer, name string, cell func(ds *Dataset) string) {
	p("| %s |", name)
	for i := range r.Datasets {
		p(" %s |", cell(&r.Datasets[i]))
	}
	p("\n")
}

func (r *Report) writeDatasets(p printer) {
	p("## Datasets\n\n")
	p("Generated sign-ins over 30 days (seed 7), stored as the generator's `--db` does, without raw records, compacted; cached between runs.")
	if r.shapes() {
		p(" A column named by its size alone is the compact tenant shape (5,000 users at a few fixed addresses each); one named wide is the wide shape (a user per 100 sign-ins, a wide and changing address space, a distributed spray; `signinq gen --shape wide`).")
	}
	p("\n\n")
	r.header(p, "")
	r.row(p, "sign-ins", func(ds *Dataset) string { return humanize.Comma(ds.Rows) })
	r.row(p, "made this run", func(ds *Dataset) string {
		if ds.Made == 0 {
			return "cached"
		}
		return longDuration(ds.Made)
	})
	r.row(p, "open the store", func(ds *Dataset) string { return fmtDuration(ds.Open) })
	r.row(p, "store on disk", func(ds *Dataset) string { return humanize.Bytes(uint64(ds.Disk.Total)) })
	r.row(p, "bytes a sign-in, directory", func(ds *Dataset) string { return perSignIn(ds.Disk, ds.Disk.Total) })
	r.row(p, "… columns", func(ds *Dataset) string { return perSignIn(ds.Disk, ds.Disk.Columns) })
	r.row(p, "… dictionaries", func(ds *Dataset) string { return perSignIn(ds.Disk, ds.Disk.Dicts) })
	r.row(p, "… bitmaps", func(ds *Dataset) string { return perSignIn(ds.Disk, ds.Disk.Bitmaps) })
	r.row(p, "… id index", func(ds *Dataset) string { return perSignIn(ds.Disk, ds.Disk.IDs) })
	r.row(p, "… raw records", func(ds *Dataset) string { return perSignIn(ds.Disk, ds.Disk.Raw) })
	r.row(p, "peak resident memory", func(ds *Dataset) string { return rssString(ds.PeakRSS) })
	r.row(p, "… of it working memory, at most", func(ds *Dataset) string { return rssString(ds.PeakAnon) })
	p("\nPeak resident memory is the process's (VmHWM) while it measured the dataset: the Go heap and the store's files mapped and read, which are page cache the kernel takes back under pressure. Working memory is the part no file backs (resident less shared pages, sampled every millisecond while a query ran): what a query needs and cannot give back.\n\n")
}

func (r *Report) writeIngest(p printer) {
	in := r.Ingest
	p("## Ingest\n\n")
	shape := ""
	if in.Shape != gen.ShapeCompact {
		shape = " of the " + in.Shape.String() + " tenant shape"
	}
	p("%s sign-ins%s written once by the generator as diagnostic-settings JSON lines (%s) and cached, then ingested with `db.Ingest` into a fresh store, raw records kept as `signinq ingest` keeps them, and compacted.\n\n",
		humanize.Comma(in.SignIns), shape, humanize.Bytes(uint64(in.Bytes)))
	p("| sign-ins | JSON | ingest | sign-ins/s | MB/s | then compaction | store on disk | bytes a sign-in | columns | dictionaries | bitmaps | id index | raw records |\n")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	d := in.Disk
	p("| %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s |\n\n",
		humanize.Comma(in.SignIns), humanize.Bytes(uint64(in.Bytes)), longDuration(in.Ingest),
		humanize.Comma(int64(in.SignInsPerSecond())), in.MBPerSecond(), longDuration(in.Compact),
		humanize.Bytes(uint64(d.Total)), perSignIn(d, d.Total), perSignIn(d, d.Columns), perSignIn(d, d.Dicts),
		perSignIn(d, d.Bitmaps), perSignIn(d, d.IDs), perSignIn(d, d.Raw))
	if d.Total > 0 {
		p("The store with its raw records takes %.1f%% of the JSON it was read from.\n\n", 100*float64(d.Total)/float64(in.Bytes))
	}
}

func (r *Report) writeLatency(p printer) {
	p("## Latency by size\n\n")
	p("The median of the warm runs (p50)")
	if len(r.Datasets) > 1 {
		p("; a column × says how it grows from one size to the next")
	}
	p(".\n\n| query |")
	for i, ds := range r.Datasets {
		if i > 0 {
			p(" × |")
		}
		p(" %s |", ds.Name())
	}
	p("\n|---|")
	for i := range r.Datasets {
		if i > 0 {
			p("---:|")
		}
		p("---:|")
	}
	p("\n")
	for i, q := range r.Datasets[0].Queries {
		p("| `%s` |", mdCode(q.Query.Text))
		for j, ds := range r.Datasets {
			switch {
			case j > 0 && ds.Shape == r.Datasets[j-1].Shape:
				p(" %s |", ratio(r.growth(i, j-1, j)))
			case j > 0:
				p(" |") // no growth from one shape to another
			}
			p(" %s |", fmtDuration(ds.Queries[i].P50()))
		}
		p("\n")
	}
	p("\n")
}

// growth is how query i's p50 grows from dataset a to dataset b.
func (r *Report) growth(i, a, b int) float64 {
	x, y := r.Datasets[a].Queries[i].P50(), r.Datasets[b].Queries[i].P50()
	if x <= 0 {
		return 0
	}
	return float64(y) / float64(x)
}

func (r *Report) writeScale(p printer, chart string) {
	p("## Scale\n\n")
	if chart != "" {
		p("![Latency, disk and memory by size](%s)\n\n", chart)
	}
	r.header(p, "")
	r.row(p, "sign-ins", func(ds *Dataset) string { return humanize.Comma(ds.Rows) })
	r.row(p, "all queries' p50, summed", func(ds *Dataset) string {
		var sum time.Duration
		for _, q := range ds.Queries {
			sum += q.P50()
		}
		return fmtDuration(sum)
	})
	r.row(p, "slowest p50", func(ds *Dataset) string {
		var top time.Duration
		for _, q := range ds.Queries {
			top = max(top, q.P50())
		}
		return fmtDuration(top)
	})
	r.row(p, "bytes a sign-in on disk", func(ds *Dataset) string { return perSignIn(ds.Disk, ds.Disk.Total) })
	r.row(p, "peak resident memory", func(ds *Dataset) string { return rssString(ds.PeakRSS) })
	p("\n")
	for j := 1; j < len(r.Datasets); j++ {
		a, b := r.Datasets[j-1], r.Datasets[j]
		if a.Shape != b.Shape {
			continue
		}
		var gs []float64
		for i := range a.Queries {
			gs = append(gs, r.growth(i, j-1, j))
		}
		slices.Sort(gs)
		p("From %s to %s sign-ins (×%s), a query's median latency grows ×%s at the median of the set (from ×%s to ×%s).\n\n",
			a.Name(), b.Name(), ratio(float64(b.Rows)/float64(a.Rows)),
			ratio(gs[len(gs)/2]), ratio(gs[0]), ratio(gs[len(gs)-1]))
	}
}

func (r *Report) writeQueries(p printer) {
	p("## Queries\n\n")
	for i, q := range r.Datasets[0].Queries {
		p("### `%s`\n\n", q.Query.Text)
		var notes []string
		if q.Query.Group != "" {
			notes = append(notes, groupNames[q.Query.Group])
		}
		if q.Query.Selective {
			notes = append(notes, "selective")
		}
		if len(notes) > 0 {
			p("%s.\n\n", capitalize(strings.Join(notes, "; ")))
		}
		p("| sign-ins | p50 | p95 | p99 | cold | peak memory | working memory | rows |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, ds := range r.Datasets {
			qr := ds.Queries[i]
			p("| %s | %s | %s | %s | %s | %s | %s | %d |\n", ds.Name(), fmtDuration(qr.P50()), fmtDuration(qr.P95()),
				fmtDuration(qr.P99()), fmtDuration(qr.Cold), rssString(qr.PeakRSS), rssString(qr.PeakAnon), qr.Rows)
		}
		p("\n")
	}
}

var groupNames = map[string]string{
	"language": "an aggregate example of the query language's documentation",
	"demo":     "a question signinq demo answers",
	"security": "a security stage",
	"hunting":  "an example of the hunting language (subqueries, named lists, time arithmetic, joins)",
}

// shapes reports whether the report measured a shape other than the
// compact one.
func (r *Report) shapes() bool {
	for _, ds := range r.Datasets {
		if ds.Shape != gen.ShapeCompact {
			return true
		}
	}
	return false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mdCode makes text safe inside a Markdown code span in a table.
func mdCode(text string) string { return strings.ReplaceAll(text, "|", `\|`) }

func perSignIn(d Disk, bytes int64) string {
	return fmt.Sprintf("%.1f B", d.PerSignIn(bytes))
}

func rssString(n int64) string {
	if n <= 0 { // unknown, or a report saved before it was measured
		return "n/a"
	}
	return humanize.Bytes(uint64(n))
}

// ratio writes a growth factor with two significant digits, at least.
func ratio(f float64) string {
	switch {
	case f >= 1000:
		return humanize.Comma(int64(math.Round(f)))
	case f >= 100:
		return fmt.Sprintf("%.0f", f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	}
	return fmt.Sprintf("%.2f", f)
}

// longDuration writes a long duration for people: 1 min 23 s, 4.5 s.
func longDuration(d time.Duration) string {
	switch {
	case d >= time.Minute:
		d = d.Round(time.Second)
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	case d >= time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmtDuration(d)
}
