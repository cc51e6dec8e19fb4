package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/gen"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/internal/words"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/repl"
	"github.com/signinq/signinq/result"
)

type demoCmd struct {
	Dir     string `placeholder:"DIR" help:"The demo's store (default: signinq/demo-v<format>-<count> in the user cache directory). Made on first use, then reused."`
	Count   int64  `placeholder:"N" help:"Sign-ins in the tenant (default 1,000,000; 50,000 with --formats)."`
	Fresh   bool   `help:"Make the tenant again even when it is cached."`
	Seed    uint64 `default:"1" help:"The tenant: the same seed gives the same sign-ins."`
	Formats bool   `help:"Instead of answering questions: write the tenant in every export format, read each back and summarize it."`
	End     string `placeholder:"TIME" help:"With --formats: the end of the 30 days of sign-ins; default: the start of the current hour, UTC."`
	Keep    string `placeholder:"DIR" help:"With --formats: write the files to DIR and keep them, rather than to a temporary directory."`
}

// ownsSignals: the demo ends in the shell, which cancels only the running
// statement on Ctrl-C; before it, Ctrl-C ends the demo as it does any
// program (a tenant left half made is made again on the next run).
func (demoCmd) ownsSignals() {}

// Defaults of --count.
const (
	demoCount        = 1_000_000
	demoFormatsCount = 50_000
)

// demoReady is the file a demo store's directory holds once it is made,
// written last: a directory without it is an interrupted first run, made
// again. It says what the store holds.
const demoReady = "demo-ready.json"

// demoMaking marks a directory the demo is making, so that a later run may
// delete what an interrupted one left, and nothing else.
const demoMaking = "demo-making"

// demoTenant is what demoReady holds.
type demoTenant struct {
	Count     int64          `json:"count"`
	Seed      uint64         `json:"seed"`
	End       time.Time      `json:"end"` // the end of the sign-ins, and the demo's "now"
	Users     int            `json:"users"`
	Incidents []gen.Incident `json:"incidents"`
}

func (c *demoCmd) Run(e *env) error {
	if c.Formats {
		return c.formats(e, cmp.Or(c.Count, demoFormatsCount))
	}
	if c.Keep != "" || c.End != "" {
		return errors.New("--keep and --end go with --formats")
	}
	count := cmp.Or(c.Count, demoCount)
	if count <= 0 {
		return errors.New("--count: give a positive number of sign-ins")
	}
	dir := c.Dir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("no cache directory to keep the demo's store in (%v): name one with --dir", err)
		}
		name := fmt.Sprintf("demo-v%d-%d", engine.FormatVersion, count)
		if c.Seed != 1 {
			name += fmt.Sprintf("-seed%d", c.Seed)
		}
		dir = filepath.Join(cache, "signinq", name)
	}
	t, cached := readDemoTenant(dir, count, c.Seed)
	if c.Fresh || !cached {
		var err error
		if t, err = c.make(e, dir, count); err != nil {
			return err
		}
	}
	db, err := (&dbFlag{DB: dir}).open(e, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.stdout, "signinq demo: %s sign-ins of a tenant of %s users over 30 days, in %s", humanize.Comma(t.Count), humanize.Comma(int64(t.Users)), dir)
	if cached && !c.Fresh {
		fmt.Fprintf(e.stdout, " (cached: --fresh makes it again)")
	}
	fmt.Fprintf(e.stdout, ".\nThe tenant ends at %s: \"this week\" and \"the last 24 hours\" below end there.\n", t.End.Format("2006-01-02 15:04 MST"))
	if err := demoAnswers(e, db, t); err != nil {
		return err
	}
	if !progress.IsTerminal(e.stdin) || !progress.IsTerminal(e.stdout) {
		return nil
	}
	fmt.Fprintf(e.stdout, "\nAsk your own questions of the tenant (\\help for help, \\q to leave); its clock is stopped at its end.\n")
	return openREPL(e, db, dir, t.End)
}

// readDemoTenant reads what a made demo store holds; false when dir holds
// none, or another tenant.
func readDemoTenant(dir string, count int64, seed uint64) (demoTenant, bool) {
	var t demoTenant
	b, err := os.ReadFile(filepath.Join(dir, demoReady))
	if err != nil || json.Unmarshal(b, &t) != nil {
		return t, false
	}
	return t, t.Count == count && t.Seed == seed && !t.End.IsZero()
}

// make generates the tenant into a new store in dir, ending at today's
// midnight UTC, and compacts it; a store left by an interrupted run is
// deleted first.
func (c *demoCmd) make(e *env, dir string, count int64) (demoTenant, error) {
	if err := clearDemoDir(dir, c.Dir == ""); err != nil {
		return demoTenant{}, err
	}
	end := e.now().UTC().Truncate(24 * time.Hour)
	g, err := gen.New(gen.Config{Count: count, Seed: c.Seed, End: end})
	if err != nil {
		return demoTenant{}, err
	}
	fmt.Fprintf(e.stderr, "signinq demo: making a tenant of %s sign-ins in %s, once: later runs reuse it\n", humanize.Comma(count), dir)
	start := e.now()
	db, err := (&dbFlag{DB: dir}).open(e, nil)
	if err != nil {
		return demoTenant{}, err
	}
	defer db.Close()
	if err := os.WriteFile(filepath.Join(dir, demoMaking), nil, 0o644); err != nil {
		return demoTenant{}, err
	}
	bar := newProgress(e, count, progress.Records, "generating", false)
	_, err = generateInto(e.ctx, db, g, false, 0, bar)
	bar.Done()
	if err == nil {
		_, err = compactWithProgress(e, db, false)
	}
	if err == nil {
		err = db.Close()
	}
	if err != nil {
		return demoTenant{}, err
	}
	t := demoTenant{Count: count, Seed: c.Seed, End: end, Users: g.Config().Users, Incidents: g.Incidents()}
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return t, err
	}
	if err := os.WriteFile(filepath.Join(dir, demoReady), b, 0o644); err != nil {
		return t, err
	}
	if err := os.Remove(filepath.Join(dir, demoMaking)); err != nil {
		return t, err
	}
	fmt.Fprintf(e.stderr, "signinq demo: made in %s\n", words.Round(e.now().Sub(start)).Round(100*time.Millisecond))
	return t, nil
}

// clearDemoDir deletes dir when it is the demo's own (in the cache), a
// demo's store, whole or interrupted, or empty; it refuses any other
// directory.
func clearDemoDir(dir string, own bool) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	ours := own || len(ents) == 0
	for _, ent := range ents {
		ours = ours || ent.Name() == demoReady || ent.Name() == demoMaking
	}
	if !ours {
		return &storeError{fmt.Errorf("%s is not empty and is no demo's store: name another with --dir", dir), exitNoStore}
	}
	return os.RemoveAll(dir)
}

// demoQuestion is a question sign-in logs answer, and the query that does.
type demoQuestion struct {
	question string
	query    string
}

// demoQuestions are the questions the Entra documentation says sign-in
// logs answer, then the plugins' security findings.
var demoQuestions = []demoQuestion{
	{"How many users signed in to Microsoft Teams this week?",
		`dcount(user) where app="Microsoft Teams" since 7d`},
	{"How many sign-in attempts failed in the last 24 hours?",
		`count where status=failure since 24h`},
	{"… and why?",
		`count, min(reason) as reason where status=failure since 24h group by error order by count desc limit 5`},
	{"Which browsers do users sign in from?",
		`top 5 browser where type=interactive since 7d`},
	{"… and which operating systems?",
		`top 5 os where type=interactive since 7d`},
	{"Which resources do managed identities and service principals access?",
		`count where type in (servicePrincipal, managedIdentity) since 7d group by type, resource order by count desc limit 8`},
}

// demoFindings are the security detections the demo runs.
var demoFindings = []demoQuestion{
	{"Password spray: one address failing for many accounts",
		`list since 30d | spray`},
	{"Brute force: many failures on one account, then a success",
		`list since 30d | bruteforce`},
	{"MFA fatigue: push after denied push, then an approval",
		`list since 30d | mfafatigue`},
	{"Impossible travel: too far, too fast",
		`list since 30d | travel`},
	{"Spikes of wrong passwords and lockouts, hour by hour",
		`count where error in (50126, 50053) since 30d group by bin(1h) | spikes k=5`},
}

// demoAnswers runs the demo's queries on db, each under its question.
func demoAnswers(e *env, db *engine.DB, t demoTenant) error {
	w := demoWriter(e)
	n := 0
	for _, q := range demoQuestions {
		if !strings.HasPrefix(q.question, "…") {
			n++
			fmt.Fprintf(e.stdout, "\n%d. %s\n", n, q.question)
		} else {
			fmt.Fprintf(e.stdout, "\n   %s\n", q.question)
		}
		if err := demoAnswer(e, db, w, t.End, q.query); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "\nSecurity findings of the plugins (signinq plugins --kind stage):\n")
	for _, q := range demoFindings {
		fmt.Fprintf(e.stdout, "\n%s\n", q.question)
		if err := demoAnswer(e, db, w, t.End, q.query); err != nil {
			return err
		}
	}
	if len(t.Incidents) > 0 {
		fmt.Fprintf(e.stdout, "\nThe generator injected these attacks, which the detections above find:\n")
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, in := range t.Incidents {
			fmt.Fprintf(tw, "  %s\t%s – %s UTC\t%s\n", in.Kind, in.Start.UTC().Format("2006-01-02 15:04"), in.End.UTC().Format("15:04"), in.Description)
		}
		tw.Flush()
	}
	return nil
}

// demoWriter is the table writer.
func demoWriter(e *env) plugins.Writer {
	pl, _ := standard.Registry().Lookup("table")
	return pl.(plugins.Writer)
}

// demoAnswer shows a query as typed in the REPL, its result as a table,
// and the time it took.
func demoAnswer(e *env, db *engine.DB, w plugins.Writer, now time.Time, text string) error {
	fmt.Fprintf(e.stdout, "signinq> %s\n", text)
	opts := query.Options{Now: now, DefaultListLimit: tableListLimit, Timeout: -1}
	start := e.now()
	res, err := query.Run(e.ctx, db, standard.Registry(), text, opts)
	if err != nil {
		return fmt.Errorf("demo query %q: %w", text, err)
	}
	elapsed := e.now().Sub(start)
	if len(res.Rows) == 0 {
		fmt.Fprintf(e.stdout, "(nothing found, in %s)\n", words.Round(elapsed))
		return nil
	}
	if err := demoWrite(e, w, res); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "(%s %s in %s)\n", humanize.Comma(int64(len(res.Rows))), words.Plural(len(res.Rows), "row"), words.Round(elapsed))
	return nil
}

// demoWidth is the width the demo's tables are cut to when standard
// output is no terminal: the answers are for people, even in a file.
const demoWidth = 180

// demoWrite writes a result as writeResult does, cut to the terminal's
// width or to demoWidth.
func demoWrite(e *env, w plugins.Writer, res *result.Result) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panic: %v", w.Describe().Name, r)
		}
	}()
	o := writeOptions(e)
	if o.Width == 0 {
		o.Width = demoWidth
	}
	return plugins.WriteResult(w, e.stdout, res, o)
}

// openREPL opens the REPL on the demo's store, with its clock stopped at
// the tenant's end.
func openREPL(e *env, db *engine.DB, dir string, end time.Time) error {
	defer share(e, db, dir)(0) // the shell's store answers other processes'
	return runShell(e, repl.Local(db), dir, end.Format(time.RFC3339), "", 0)
}

// demoFormat is one export format the demo writes and reads back.
type demoFormat struct {
	name   string
	format signin.Format
	sub    string // its directory in the demo's
	path   string // a file, or the directory of the portal's files
}

// formats writes the tenant in every export format, reads each back and
// summarizes what was read.
func (c *demoCmd) formats(e *env, count int64) error {
	end, err := endTime(e, c.End)
	if err != nil {
		return err
	}
	g, err := gen.New(gen.Config{Count: count, Seed: c.Seed, End: end})
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
		cfg.Users, cfg.Apps, cfg.ServicePrincipals, cfg.ManagedIdentities, count, cfg.Days, end.Format("2006-01-02 15:04 MST"), c.Seed)

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
		if err := writeDemo(e, g, f, count); err != nil {
			return err
		}
		start := e.now()
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
		el := e.now().Sub(start)
		if n != count || !sum.Clean() {
			return fmt.Errorf("%s: read back %s, want %d sign-ins", f.name, sum.String(), count)
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
	bar := newProgress(e, count, progress.Records, "writing "+f.name, false)
	defer bar.Done()
	if f.format == signin.FormatPortalCSV {
		_, err := g.WritePortalCSV(e.ctx, f.path, bar.Set)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return err
	}
	_, err := writeTo(e, f.path, func(w io.Writer) error { return g.Write(e.ctx, f.format, w, bar.Set) })
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
