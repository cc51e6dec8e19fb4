package cli

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
)

type demoCmd struct {
	Count int64  `default:"50000" help:"Sign-ins to generate."`
	Seed  uint64 `default:"1" help:"The tenant: the same seed gives the same sign-ins."`
	End   string `placeholder:"TIME" help:"End of the 30 days of sign-ins; default: the start of the current hour, UTC."`
	Keep  string `placeholder:"DIR" help:"Write the generated files to DIR and keep them, rather than to a temporary directory."`
}

// demoFormat is one export format the demo writes and reads back.
type demoFormat struct {
	name   string
	format signin.Format
	sub    string // its directory in the demo's
	path   string // a file, or the directory of the portal's files
}

func (c *demoCmd) Run(e *env) error {
	end, err := endTime(c.End)
	if err != nil {
		return err
	}
	g, err := gen.New(gen.Config{Count: c.Count, Seed: c.Seed, End: end})
	if err != nil {
		return err
	}
	dir := c.Keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "signinq-demo-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg := g.Config()
	fmt.Fprintf(e.stdout, "signinq demo: a tenant of %d users, %d apps, %d service principals and %d managed identities;\n%d sign-ins over %d days to %s (seed %d).\n\n",
		cfg.Users, cfg.Apps, cfg.ServicePrincipals, cfg.ManagedIdentities, c.Count, cfg.Days, end.Format("2006-01-02 15:04 MST"), c.Seed)

	formats := []demoFormat{
		{"diagnostic settings (JSON lines)", signin.FormatDiag, "diag", "PT1H.json"},
		{"Graph signIns (JSON)", signin.FormatGraph, "graph", "signins.json"},
		{"portal download (CSV)", signin.FormatPortalCSV, "portal", ""},
		{"Log Analytics (CSV)", signin.FormatLogAnalyticsCSV, "log-analytics", "signins.csv"},
	}
	fmt.Fprintln(e.stdout, "Every export format, written and read back:")
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  format\tfiles\tsize\tsign-ins\trejected\tread in\tMB/s")
	var recs []signin.Record // the diagnostic export's, for the summary
	for _, f := range formats {
		f.path = filepath.Join(dir, f.sub, f.path)
		if err := writeDemo(e, g, f, c.Count); err != nil {
			return err
		}
		start := time.Now()
		var n int64
		sum, err := logfile.Scan(e.ctx, []string{f.path}, logfile.Options{}, func(b *logfile.Batch) error {
			if f.format == signin.FormatDiag {
				recs = append(recs, b.Records...)
			}
			n += int64(len(b.Records))
			return nil
		})
		if err != nil {
			return err
		}
		el := time.Since(start)
		if n != c.Count || !sum.Clean() {
			return fmt.Errorf("%s: read back %s, want %d sign-ins", f.name, sum.String(), c.Count)
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%d\t%d\t%s\t%.0f\n", f.name, sum.Inputs, humanize.IBytes(uint64(sum.Bytes)), n, sum.Rejected,
			el.Round(time.Millisecond), float64(sum.Bytes)/1e6/el.Seconds())
		if c.Keep == "" { // one format on disk at a time
			if err := os.RemoveAll(filepath.Join(dir, f.sub)); err != nil {
				return err
			}
		}
	}
	tw.Flush()
	// The read-back records drive the summary: raw forms are not needed.
	for i := range recs {
		recs[i].Raw = nil
	}
	summarize(e.stdout, recs)
	incidents(e.stdout, g.Incidents(), recs)
	if c.Keep != "" {
		fmt.Fprintf(e.stdout, "\nThe files are in %s; try: signinq parse %s | head\n", dir, filepath.Join(dir, formats[0].sub, formats[0].path))
	}
	return nil
}

func writeDemo(e *env, g *gen.Generator, f demoFormat, count int64) error {
	bar := newProgress(e.stderr, count, "writing "+f.name)
	defer bar.done()
	if f.format == signin.FormatPortalCSV {
		_, err := g.WritePortalCSV(e.ctx, f.path, bar.set)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return err
	}
	_, err := writeTo(e, f.path, func(w io.Writer) error { return g.Write(e.ctx, f.format, w, bar.set) })
	return err
}

// tally counts values and lists the most frequent.
type tally map[string]int

func (t tally) top(n int, total int) string {
	type kv struct {
		k string
		v int
	}
	var all []kv
	for k, v := range t {
		all = append(all, kv{k, v})
	}
	slices.SortFunc(all, func(a, b kv) int { return cmp.Or(b.v-a.v, strings.Compare(a.k, b.k)) })
	var parts []string
	for i, e := range all {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.1f%%", e.k, 100*float64(e.v)/float64(total)))
	}
	return strings.Join(parts, ", ")
}

func summarize(w io.Writer, recs []signin.Record) {
	types, statuses, apps, errs, countries, browsers := tally{}, tally{}, tally{}, tally{}, tally{}, tally{}
	users := map[string]bool{}
	failures := 0
	for i := range recs {
		r := &recs[i]
		types[r.Type.String()]++
		statuses[r.Status.String()]++
		if r.App != "" {
			apps[r.App]++
		}
		if r.Country != "" {
			countries[r.Country]++
		}
		if r.Type == signin.TypeInteractive && r.Browser != "" {
			browsers[family(r.Browser)]++
		}
		if r.User != "" {
			users[r.User] = true
		}
		if r.Status == signin.StatusFailure {
			failures++
			errs[fmt.Sprint(r.Error)]++
		}
	}
	n := len(recs)
	fmt.Fprintf(w, "\nThe tenant, as read from the diagnostic export (%d sign-ins, %d users signed in):\n", n, len(users))
	fmt.Fprintf(w, "  types         %s\n", types.top(4, n))
	fmt.Fprintf(w, "  outcomes      %s\n", statuses.top(3, n))
	fmt.Fprintf(w, "  top apps      %s\n", apps.top(5, n))
	fmt.Fprintf(w, "  failures by error code (of %d)  %s\n", failures, errs.top(5, failures))
	fmt.Fprintf(w, "  countries     %s\n", countries.top(6, n))
	fmt.Fprintf(w, "  browsers (interactive)  %s\n", browsers.top(5, int(sumTally(browsers))))
}

// family is a browser without its version: "Mobile Safari 17.1" is
// Mobile Safari.
func family(browser string) string {
	words := strings.Fields(browser)
	for i, w := range words {
		if w[0] >= '0' && w[0] <= '9' {
			words = words[:i]
			break
		}
	}
	return strings.Join(words, " ")
}

func sumTally(t tally) int64 {
	var n int64
	for _, v := range t {
		n += int64(v)
	}
	return n
}

// incidents shows each injected attack as the readers saw it: the
// sign-ins from its address in its window, how many failed, and how many
// accounts they touched.
func incidents(w io.Writer, incs []gen.Incident, recs []signin.Record) {
	if len(incs) == 0 {
		return
	}
	fmt.Fprintf(w, "\nInjected incidents, found again in what was read:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  kind\twhen (UTC)\tfrom\tsign-ins\tfailed\taccounts")
	for _, in := range incs {
		var n, failed int
		accounts := map[string]bool{}
		for i := range recs {
			r := &recs[i]
			if r.IP != in.IP || r.Time.Before(in.Start) || r.Time.After(in.End) {
				continue
			}
			n++
			if r.Status != signin.StatusSuccess {
				failed++
			}
			accounts[r.Identity] = true
		}
		fmt.Fprintf(tw, "  %s\t%s–%s\t%s (%s)\t%d\t%d\t%d\n", in.Kind, in.Start.UTC().Format("Jan 02 15:04"), in.End.UTC().Format("15:04"), in.IP, in.Country, n, failed, len(accounts))
	}
	tw.Flush()
}
