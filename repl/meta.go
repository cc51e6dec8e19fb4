package repl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
)

// metaCommand is a command of the shell itself, written with a leading
// backslash.
type metaCommand struct {
	name, args, help string
	run              func(s *session, ctx context.Context, arg string) error
}

// metaCommands are the shell's commands, in the order \help lists them.
var metaCommands []metaCommand

func init() {
	metaCommands = []metaCommand{
		{"help", "[TOPIC]", "the language and the shell; a topic: a section of the language, a plugin, a field", (*session).help},
		{"fields", "", "the fields, with their types and the values most sign-ins of the store have", (*session).fields},
		{"plugins", "[NAME]", "the aggregates, functions, stages and formats; or one in full", (*session).plugins},
		{"saved", "", "the saved queries (define NAME = QUERY saves one, undefine NAME removes it)", (*session).saved},
		{"lists", "[NAME]", "the named lists queries test membership of (ip in @vps): built in and the store's (signinq lists import adds one); or one list's values", (*session).lists},
		{"explain", "QUERY", "how a query runs; \\explain analyze QUERY runs it and times each step", (*session).explain},
		{"timing", "on|off", "the row count and time after each result", (*session).setTiming},
		{"format", "table|json|csv", "the output format", (*session).setFormat},
		{"timeout", "DURATION|off", "stop each query with an error once it has run this long (30s, 5m); off: no limit (Ctrl-C stops a query)", (*session).setTimeout},
		{"now", "TIME|latest|off", "the time relative times count from (since 24h): a date or RFC 3339 time; latest: the store's newest sign-in (for an old export); off: the machine's clock", (*session).setNow},
		{"maxmemory", "SIZE|default", "the memory a query's groups may take (512MiB, 4GiB; default 1GiB): past it the query stops, saying what took it", (*session).setMaxMemory},
		{"output", "FILE|off", "send results to a file (off: back to the screen)", (*session).setOutput},
		{"chart", "FILE.svg|FILE.png", "draw the last result (a timeline or a top) as an image", (*session).chart},
		{"ingest", "PATH...", "store sign-in logs (files or directories), with progress", (*session).ingest},
		{"stats", "", "the store: sign-ins by type, days, size", (*session).stats},
		{"q", "", "quit (also \\quit, Ctrl-D)", (*session).quitCmd},
	}
}

// meta runs a meta-command.
func (s *session) meta(ctx context.Context, stmt string) error {
	name, arg, _ := strings.Cut(strings.TrimPrefix(stmt, `\`), " ")
	arg = strings.TrimSpace(arg)
	name = strings.ToLower(name)
	if name == "quit" || name == "exit" {
		name = "q"
	}
	var names []string
	for _, m := range metaCommands {
		if m.name == name {
			return m.run(s, ctx, arg)
		}
		names = append(names, `\`+m.name)
	}
	msg := fmt.Sprintf(`unknown command \%s`, name)
	if best := query.Suggest(`\`+name, names); best != "" {
		msg += fmt.Sprintf("; did you mean %s?", best)
	}
	return fmt.Errorf("%s (\\help lists the commands)", msg)
}

func (s *session) quitCmd(context.Context, string) error {
	s.quit = true
	return nil
}

func (s *session) explain(ctx context.Context, arg string) error {
	if arg == "" {
		return fmt.Errorf(`\explain takes a query: \explain count where status=failure since 24h`)
	}
	return s.query(ctx, "explain "+arg)
}

func (s *session) setTiming(_ context.Context, arg string) error {
	switch strings.ToLower(arg) {
	case "on":
		s.timing = true
	case "off":
		s.timing = false
	case "":
		s.timing = !s.timing
	default:
		return fmt.Errorf(`\timing takes on or off, not %q`, arg)
	}
	s.info("timing %s\n", map[bool]string{true: "on", false: "off"}[s.timing])
	return nil
}

func (s *session) setFormat(_ context.Context, arg string) error {
	names := s.reg.Names(plugins.KindWriter)
	if arg == "" {
		s.info("format %s (of %s)\n", s.format, strings.Join(names, ", "))
		return nil
	}
	if _, ok := s.reg.Lookup(arg); !ok || !contains(names, strings.ToLower(arg)) {
		msg := fmt.Sprintf("no output format %q (formats: %s)", arg, strings.Join(names, ", "))
		if best := query.Suggest(arg, names); best != "" {
			msg = fmt.Sprintf("no output format %q; did you mean %q? (formats: %s)", arg, best, strings.Join(names, ", "))
		}
		return fmt.Errorf("%s", msg)
	}
	s.format = strings.ToLower(arg)
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (s *session) setTimeout(_ context.Context, arg string) error {
	switch strings.ToLower(arg) {
	case "":
	case "off", "0":
		s.timeout = 0
	default:
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 {
			return fmt.Errorf(`\timeout takes a duration (30s, 5m, 1h) or off, not %q`, arg)
		}
		s.timeout = d
	}
	if s.timeout == 0 {
		s.info("no time limit: Ctrl-C stops a query\n")
	} else {
		s.info("time limit %s: a query running longer stops with an error\n", s.timeout)
	}
	return nil
}

func (s *session) setNow(_ context.Context, arg string) error {
	switch strings.ToLower(arg) {
	case "":
	case "off":
		s.now, s.latest = time.Time{}, false
	case "latest":
		s.now, s.latest = time.Time{}, true
	default:
		t, err := query.ParseTime(arg)
		if err != nil {
			return fmt.Errorf(`\now takes a date (2026-11-26), an RFC 3339 time (2026-11-26T08:00:00Z), latest or off: %q %v`, arg, err)
		}
		s.now, s.latest = t, false
	}
	switch {
	case !s.now.IsZero():
		s.info("now is %s\n", s.now.Format(time.RFC3339Nano))
	case s.latest:
		s.info("now is latest: the store's newest sign-in, %s\n", s.queryNow().Format(time.RFC3339Nano))
	default:
		s.info("now is the clock: %s\n", s.queryNow().Format(time.RFC3339Nano))
	}
	return nil
}

func (s *session) setMaxMemory(_ context.Context, arg string) error {
	switch strings.ToLower(arg) {
	case "":
	case "default", "off":
		s.maxMemory = 0
	default:
		n, err := query.ParseMemory(arg)
		if err != nil {
			return fmt.Errorf(`\maxmemory takes a size (512MiB, 4GiB) or default: %v`, err)
		}
		s.maxMemory = n
	}
	n := s.maxMemory
	if n == 0 {
		n = query.DefaultMaxMemory
	}
	s.info("a query's groups may take %s\n", humanize.IBytes(uint64(n)))
	return nil
}

func (s *session) setOutput(_ context.Context, arg string) error {
	if err := s.closeOutput(); err != nil {
		return err
	}
	if arg == "" || strings.EqualFold(arg, "off") {
		return nil
	}
	if err := logfile.CheckOutput(arg, []string{s.opts.Dir}); err != nil {
		return err // the store's directory is no place for it
	}
	f, err := os.Create(arg)
	if err != nil {
		return err
	}
	s.file, s.out = f, f
	s.info("results go to %s (\\output off to stop)\n", arg)
	return nil
}

func (s *session) chart(_ context.Context, arg string) error {
	if arg == "" {
		return fmt.Errorf(`\chart takes a file: \chart failures.svg or \chart failures.png`)
	}
	if s.last == nil {
		return fmt.Errorf(`\chart draws the last result: run a query first (count since 24h group by bin(1h))`)
	}
	if err := logfile.CheckOutput(arg, []string{s.opts.Dir}); err != nil {
		return err
	}
	if err := writeChartImage(arg, s.last); err != nil {
		return err
	}
	s.info("wrote %s\n", arg)
	return nil
}

func (s *session) plugins(_ context.Context, arg string) error {
	if arg != "" {
		p, ok := s.reg.Lookup(arg)
		if !ok {
			if best := query.Suggest(arg, s.reg.Names(0)); best != "" {
				return fmt.Errorf("no plugin %q; did you mean %q?", arg, best)
			}
			return fmt.Errorf("no plugin %q (\\plugins lists them)", arg)
		}
		d := p.Describe()
		_, err := fmt.Fprint(s.out, d.Manual())
		return err
	}
	l := s.reg.Listing(0)
	return s.write(l.Columns, l.All())
}

func (s *session) saved(ctx context.Context, _ string) error {
	saved, err := s.store.Saved(ctx, s.reg)
	if err != nil {
		return err
	}
	var all []SavedQuery
	for _, m := range saved {
		if m.Err != nil {
			fmt.Fprintf(s.opts.Stderr, "the saved query %s cannot be read: %v\n", m.Name, m.Err)
		} else {
			all = append(all, m)
		}
	}
	if len(saved) == 0 {
		s.info("no saved queries: define NAME = QUERY saves one (define failures(D) = count where status=failure since D), undefine NAME removes it\n")
		return nil
	}
	for _, m := range all {
		fmt.Fprintln(s.out, m.Text)
	}
	return nil
}

// lists shows the named lists (name, kind, size, built in or the
// store's), or the values of one.
func (s *session) lists(ctx context.Context, arg string) error {
	if arg != "" {
		l, err := s.store.List(ctx, arg)
		if err != nil {
			return err
		}
		for i, v := range l.Values {
			if i == maxListShown {
				s.info("… and %s more\n", humanize.Comma(int64(len(l.Values)-i)))
				break
			}
			fmt.Fprintln(s.out, v)
		}
		return nil
	}
	lists, err := s.store.Lists(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(s.out, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "list\tkind\tvalues\tfrom\n")
	for _, l := range lists {
		from := "store"
		if l.Builtin {
			from = "built in: " + l.Doc
		}
		fmt.Fprintf(tw, "@%s\t%s\t%s\t%s\n", l.Name, l.Kind(), humanize.Comma(int64(len(l.Values))), from)
	}
	return tw.Flush()
}

// maxListShown is the most values \lists NAME prints.
const maxListShown = 100

// fields lists the catalog: each field's name, kind and meaning, and its
// values held by the most sign-ins of the whole store (from the bitmaps'
// cardinalities of every part), as results print them.
func (s *session) fields(context.Context, string) error {
	examples, err := s.values.common(3)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(s.out, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "field\tkind\tcommon values\tmeaning\n")
	for _, f := range signin.Fields() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, f.Kind, strings.Join(examples[f.Name], ", "), firstSentence(f.Doc))
	}
	return tw.Flush()
}

// firstSentence shortens a field's doc to its first sentence.
func firstSentence(doc string) string {
	if i := strings.Index(doc, ". "); i >= 0 {
		return doc[:i+1]
	}
	return doc
}

func (s *session) ingest(ctx context.Context, arg string) error {
	paths := strings.Fields(arg)
	if len(paths) == 0 {
		return fmt.Errorf(`\ingest takes files or directories: \ingest ~/Downloads/InteractiveSignIns_2026-11-26.csv`)
	}
	for i, p := range paths {
		paths[i] = expandHome(p)
	}
	bar := newIngestProgress(s.opts.Stderr, paths, s.opts.Terminal)
	shown := 0
	st, err := s.store.Ingest(ctx, paths, IngestReport{
		Progress: bar.update,
		Reject: func(r string) {
			if shown++; shown <= maxRejectsShown {
				bar.bar.Clear()
				fmt.Fprintf(s.opts.Stderr, "%s\n", r)
			}
		},
		Warning: func(w string) {
			bar.bar.Clear()
			fmt.Fprintf(s.opts.Stderr, "warning: %s\n", w)
		},
	})
	bar.done()
	s.values.reset()
	if errors.Is(err, engine.ErrInterrupted) {
		fmt.Fprintf(s.opts.Stderr, "interrupted after reading %s records: %s new sign-ins committed, %s duplicates skipped, %s rejected; \\ingest the same files again to continue (the sign-ins stored are skipped as duplicates)\n",
			humanize.Comma(st.Read), humanize.Comma(st.Stored), humanize.Comma(st.Duplicates), humanize.Comma(st.Rejected))
	}
	if err != nil {
		return err
	}
	if !st.Clean() {
		s.info("read %s records: %s stored, %s already stored\n", humanize.Comma(st.Read), humanize.Comma(st.Stored), humanize.Comma(st.Duplicates))
		if st.Truncated > 0 {
			return fmt.Errorf("\\ingest: %s records rejected, %d inputs refused, %d inputs truncated (the sign-ins read before each cut are stored)", humanize.Comma(st.Rejected), st.Refused, st.Truncated)
		}
		return fmt.Errorf("\\ingest: %s records rejected, %d inputs refused", humanize.Comma(st.Rejected), st.Refused)
	}
	s.info("read %s records: %s stored, %s already stored, %s rejected\n",
		humanize.Comma(st.Read), humanize.Comma(st.Stored), humanize.Comma(st.Duplicates), humanize.Comma(st.Rejected))
	return nil
}

// maxRejectsShown bounds the rejected records \ingest prints.
const maxRejectsShown = 10

// expandHome replaces a leading ~/ with the home directory.
func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return home + "/" + rest
		}
	}
	return p
}

// stats describes the store: sign-ins by type, the days it covers, and
// its size on disk.
func (s *session) stats(ctx context.Context, _ string) error {
	st, err := s.store.Stats(ctx)
	if err != nil {
		return err
	}
	where := s.opts.Dir
	if where == "" {
		where = "in memory"
	}
	if h := s.store.Holder(); h != "" {
		where += ", held by " + h
	}
	fmt.Fprintf(s.out, "store %s: %s sign-ins in %d parts\n", where, humanize.Comma(st.Rows), st.Parts)
	tw := tabwriter.NewWriter(s.out, 2, 8, 2, ' ', tabwriter.AlignRight)
	for _, t := range signin.Types {
		if n := st.TypeCount(t); n > 0 {
			fmt.Fprintf(tw, "  %s\t%s\t\n", t, humanize.Comma(n))
		}
	}
	tw.Flush()
	if n := len(st.Days); n > 0 {
		fmt.Fprintf(s.out, "%d days, from %s to %s\n", n, st.Days[0].First.Format(time.RFC3339), st.Days[n-1].Last.Format(time.RFC3339))
	}
	if st.DiskBytes > 0 {
		fmt.Fprintf(s.out, "on disk: %s\n", humanize.IBytes(uint64(st.DiskBytes)))
	}
	return nil
}
