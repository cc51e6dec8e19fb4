package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/signinq/signinq/internal/words"

	"github.com/chzyer/readline"
	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
	"github.com/signinq/signinq/result"
)

// tableListLimit is list's limit in a table when the query gives none.
const tableListLimit = 100

// Prompts: the first line of a statement, and the lines that continue it
// (after a line ending in a backslash).
const (
	prompt     = "signinq> "
	contPrompt = "     ..> "
)

// session is one run of the shell.
type session struct {
	opts      Options
	reg       *plugins.Registry
	format    string    // the writer's name
	timing    bool      // print rows and time after each result
	now       time.Time // \now; zero when off
	latest    bool      // \now latest: relative times count from the store's newest sign-in
	maxMemory int64     // \maxmemory; zero for the default
	// timeout is \timeout: a query's time limit; 0 for none (Ctrl-C
	// stops a query).
	timeout time.Duration
	out     io.Writer // results: Stdout, or \output's file
	file    *os.File  // \output's file, to close
	last    *result.Result
	values  *valueCache // completion's field values
	store   Store       // Options.Store, else Local(Options.DB)
	failed  bool        // a statement failed (scripts' exit status)
	quit    bool
}

func (s *session) run(ctx context.Context) error {
	o := &s.opts
	s.store = o.Store
	if s.store == nil && o.DB != nil {
		s.store = Local(o.DB)
	}
	if s.store == nil {
		return errors.New("repl: no store")
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Stdin == nil {
		o.Stdin = strings.NewReader("")
	}
	s.reg = o.Registry
	if s.reg == nil {
		s.reg = standard.Registry()
	}
	s.format, s.timing, s.out = "table", o.Terminal, o.Stdout
	s.values = newValueCache(s.store)
	defer s.closeOutput()
	if !o.Terminal {
		return s.script(ctx)
	}
	return s.interactive(ctx)
}

// script runs statements read from a non-terminal, one a line (a line
// ending in a backslash continues on the next): results only, no prompt,
// no colour, no history. Blank lines and lines starting with # are
// skipped.
func (s *session) script(ctx context.Context) error {
	sc := bufio.NewScanner(s.opts.Stdin)
	sc.Buffer(nil, 1<<20)
	var pending strings.Builder
	line, first := 0, 0
	for sc.Scan() && !s.quit {
		line++
		text := sc.Text()
		if pending.Len() == 0 {
			first = line
			if t := strings.TrimSpace(text); t == "" || strings.HasPrefix(t, "#") {
				continue
			}
		}
		if more, ok := strings.CutSuffix(text, `\`); ok && !isMeta(pending.String()+more) {
			pending.WriteString(strings.TrimRight(more, " \t"))
			pending.WriteByte('\n')
			continue
		}
		pending.WriteString(text)
		stmt := pending.String()
		pending.Reset()
		if err := ctx.Err(); err != nil {
			return err
		}
		where := fmt.Sprintf("line %d: ", first)
		if sig := s.interruptible(ctx, func(ctx context.Context) { s.statement(ctx, stmt, where) }); sig != nil {
			return &SignalError{Signal: sig}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("repl: reading statements: %w", err)
	}
	if pending.Len() > 0 {
		where := fmt.Sprintf("line %d: ", first)
		if sig := s.interruptible(ctx, func(ctx context.Context) { s.statement(ctx, pending.String(), where) }); sig != nil {
			return &SignalError{Signal: sig}
		}
	}
	if s.failed {
		return ErrFailed
	}
	return nil
}

// interactive runs the shell on a terminal, with readline.
func (s *session) interactive(ctx context.Context) error {
	comp := &completer{s: s, quoteAt: -1}
	var inst atomic.Pointer[readline.Instance]
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 prompt,
		HistoryFile:            s.opts.HistoryFile,
		HistorySearchFold:      true,
		DisableAutoSaveHistory: true,
		AutoComplete:           comp,
		Listener:               comp,
		InterruptPrompt:        "^C",
		EOFPrompt:              `\q`,
		Stdin:                  io.NopCloser(s.opts.Stdin),
		Stdout:                 s.opts.Stdout,
		Stderr:                 s.opts.Stderr,
		FuncIsTerminal:         func() bool { return true },
		FuncGetWidth:           s.width,
		FuncFilterInputRune: func(r rune) (rune, bool) {
			if r == readline.CharInterrupt {
				if rl := inst.Load(); rl != nil {
					abandonModes(rl.Operation)
				}
			}
			return r, true
		},
	})
	if err != nil {
		return fmt.Errorf("repl: %w", err)
	}
	inst.Store(rl)
	defer rl.Close()
	s.greet()
	var pending strings.Builder
	for !s.quit {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pending.Len() == 0 {
			rl.SetPrompt(prompt)
		} else {
			rl.SetPrompt(contPrompt)
		}
		line, err := rl.Readline()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			pending.Reset() // Ctrl-C at the prompt drops what was typed
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("repl: %w", err)
		}
		if more, ok := strings.CutSuffix(line, `\`); ok && !isMeta(pending.String()+more) {
			pending.WriteString(strings.TrimRight(more, " \t"))
			pending.WriteByte('\n')
			continue
		}
		pending.WriteString(line)
		stmt := strings.TrimSpace(pending.String())
		pending.Reset()
		if stmt == "" {
			continue
		}
		rl.SaveHistory(strings.ReplaceAll(stmt, "\n", " "))
		if sig := s.interruptible(ctx, func(ctx context.Context) { s.statement(ctx, stmt, "") }); sig == syscall.SIGTERM {
			return &SignalError{Signal: sig}
		}
	}
	return nil
}

// abandonModes leaves the modes in which readline takes Ctrl-C for
// their own (the list of completions, choosing from it, a history
// search), so that Ctrl-C always abandons the line: readline then ends
// Readline with ErrInterrupt and the session gives a fresh prompt.
// Otherwise the first Ctrl-C only closed the list and kept the line, on
// which Ctrl-D deletes instead of ending the session. It runs in
// readline's own goroutine, which is the one that changes the modes
// (Config.FuncFilterInputRune).
func abandonModes(op *readline.Operation) {
	if op.IsInCompleteMode() || op.IsInCompleteSelectMode() {
		op.ExitCompleteMode(true)
	}
	if op.IsSearchMode() {
		op.ExitSearchMode(false)
	}
}

// interruptible runs fn with a context that Ctrl-C (SIGINT) or SIGTERM
// cancels: the statement stops (an \ingest commits what it read first),
// and interruptible returns the signal, or nil if none came. A session
// goes on after Ctrl-C and ends after SIGTERM; a script ends after
// either.
func (s *session) interruptible(ctx context.Context, fn func(context.Context)) os.Signal {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigc)
	done, exited := make(chan struct{}), make(chan struct{})
	var got os.Signal
	go func() {
		defer close(exited)
		select {
		case got = <-sigc:
			cancel()
		case <-done:
		}
	}()
	fn(ctx)
	close(done)
	<-exited
	return got
}

// isMeta reports whether a statement is a meta-command (\help): those
// are one line, so a trailing backslash is theirs.
func isMeta(stmt string) bool { return strings.HasPrefix(strings.TrimSpace(stmt), `\`) }

// statement runs a meta-command or a query, and reports its error;
// where prefixes messages (a script's line).
func (s *session) statement(ctx context.Context, stmt, where string) {
	// A trailing semicolon, as other shells end statements, is allowed.
	stmt = strings.TrimSuffix(strings.TrimSpace(stmt), ";")
	var err error
	if isMeta(stmt) {
		err = s.meta(ctx, strings.TrimSpace(stmt))
	} else {
		err = s.query(ctx, stmt)
	}
	if err != nil {
		s.failed = true
		s.report(stmt, where, err)
	}
}

// report prints an error: a query's with the query and a caret under its
// position.
func (s *session) report(stmt, where string, err error) {
	w := s.opts.Stderr
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(w, "%scanceled\n", where)
		return
	}
	var qe *query.Error
	if errors.As(err, &qe) {
		if caret := qe.Caret(stmt); caret != "" {
			fmt.Fprintln(w, caret)
		}
	}
	fmt.Fprintf(w, "%serror: %v\n", where, err)
}

// greet says what the store holds, and when its newest sign-in is more
// than a day before now, where its sign-ins begin and end and how to
// count from them: otherwise "since 24h" on an old export answers zero
// without a hint.
func (s *session) greet() {
	w := s.opts.Stderr
	if h := s.store.Holder(); h != "" {
		fmt.Fprintf(w, "signinq: the store %s is held by %s: this session asks it through that process.\n", s.opts.Dir, h)
	}
	first, last, ok := s.span()
	if !ok {
		fmt.Fprintf(w, "signinq: the store %s is empty: \\ingest FILE stores an export (any format). \\help for help, \\q quits.\n", s.opts.Dir)
		return
	}
	fmt.Fprintf(w, "signinq: %s sign-ins. \\help for help, Tab completes, \\q quits.\n", s.countText())
	if now := s.queryNow(); !s.latest && last.Before(now.Add(-24*time.Hour)) {
		fmt.Fprintf(w, "signinq: the store's sign-ins run from %s to %s, %s before now (%s): since counts back from now; \\now latest counts from the newest sign-in.\n",
			first.Format(time.RFC3339), last.Format(time.RFC3339), strings.TrimSpace(humanize.RelTime(last, now, "", "")), now.Format(time.RFC3339))
	}
}

// span returns the times of the store's first and last sign-ins; ok is
// false when it is empty (or cannot be read).
func (s *session) span() (first, last time.Time, ok bool) {
	first, last, ok, err := s.store.Span(context.Background())
	return first, last, ok && err == nil
}

// queryNow is the time relative times count from: \now, else the store's
// newest sign-in with \now latest, else the session's clock, else the
// store's newest sign-in.
func (s *session) queryNow() time.Time {
	switch clock := s.clock(); {
	case !s.now.IsZero():
		return s.now
	case s.latest:
		if _, last, ok := s.span(); ok {
			return last
		}
		if clock != nil {
			return clock()
		}
	case clock != nil:
		return clock()
	}
	_, last, _ := s.span() // the zero time when empty
	return last
}

// clock is the session's clock: Options.Clock, else the store's; nil when
// neither has one.
func (s *session) clock() func() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock
	}
	return s.store.Clock()
}

// stopwatch starts timing on the session's clock: the function it returns
// gives the time since (always 0 without a clock).
func (s *session) stopwatch() func() time.Duration {
	clock := s.clock()
	if clock == nil {
		return func() time.Duration { return 0 }
	}
	start := clock()
	return func() time.Duration { return clock().Sub(start) }
}

// query runs a statement of the language (define and undefine included) and prints
// its result.
func (s *session) query(ctx context.Context, text string) (err error) {
	defer func() {
		// A memory error says how to raise the limit here.
		if errors.Is(err, query.ErrTooMuchMemory) {
			err = fmt.Errorf("%w with \\maxmemory", err)
		}
	}()
	elapsed := s.stopwatch()
	// With \now latest the statement is checked against the newest
	// sign-in of the snapshot the query reads.
	opts := query.Options{Now: s.queryNow(), NowLatest: s.latest, MaxMemory: s.maxMemory, Timeout: -1}
	if s.timeout > 0 {
		opts.Timeout = s.timeout
	}
	if s.format == "table" {
		opts.DefaultListLimit = tableListLimit
	}
	a, err := s.store.Exec(ctx, s.reg, text, opts)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Saved != "" {
		s.info("%s\n", a.Saved)
		return nil
	}
	if a.Explain {
		// explain analyze runs the query: its rows are read, not shown.
		for _, err := range a.Rows {
			if err != nil {
				return err
			}
		}
		fmt.Fprint(s.out, a.Plan())
		return nil
	}
	if a.Gathered {
		// Groups, or a stage's rows: gathered, for \chart and the bars.
		res := &result.Result{Columns: a.Columns}
		for row, err := range a.Rows {
			if err != nil {
				return err
			}
			res.Rows = append(res.Rows, slices.Clone(row)) // a row's cells may be reused by the next
		}
		res.Notes = a.Notes()
		s.last = res
		if err := s.write(res.Columns, res.All()); err != nil {
			return err
		}
		if s.opts.Terminal && s.format == "table" && s.out == s.opts.Stdout {
			drawChart(s.out, res, s.width(), s.color())
		}
		s.done(res.Notes, len(res.Rows), elapsed())
		return nil
	}
	// Sign-ins: they flow from the store to the writer, never gathered.
	s.last = &result.Result{Columns: a.Columns}
	n := 0
	counted := func(yield func([]result.Value, error) bool) {
		for row, err := range a.Rows {
			if err == nil {
				n++
			}
			if !yield(row, err) {
				return
			}
		}
	}
	if err := s.write(a.Columns, counted); err != nil {
		return err
	}
	s.done(a.Notes(), n, elapsed())
	return nil
}

// done prints a result's notes, and its rows and time when timing.
func (s *session) done(notes []result.Note, rows int, took time.Duration) {
	for _, n := range notes {
		s.note(n)
	}
	if s.timing {
		fmt.Fprintf(s.opts.Stderr, "%s %s in %s\n", humanize.Comma(int64(rows)), words.Plural(rows, "row"), words.Round(took))
	}
}

// write prints an answer with the session's writer, as its rows come; a
// panic in the writer is an error, as any plugin's is.
func (s *session) write(cols []result.Column, rows iter.Seq2[[]result.Value, error]) (err error) {
	pl, ok := s.reg.Lookup(s.format)
	w, isWriter := pl.(plugins.Writer)
	if !ok || !isWriter {
		return fmt.Errorf("no output format %q", s.format)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panic: %v", s.format, r)
		}
	}()
	opts := plugins.WriteOptions{}
	if s.out == s.opts.Stdout {
		opts = plugins.WriteOptions{Width: s.width(), Color: s.color()}
	}
	return w.Write(s.out, cols, rows, opts)
}

func (s *session) width() int {
	if s.opts.Width == nil {
		return 0
	}
	return s.opts.Width()
}

func (s *session) color() bool { return s.opts.Terminal && s.opts.Color }

// note prints a result's note under it, on standard error (results sent
// to a file, and JSON or CSV, stay data only), in scripts too: an answer
// of zero because now is away from the store's data is never silent.
func (s *session) note(n result.Note) {
	text := n.String()
	if nd, ok := n.(result.NoDataNote); ok && !nd.Last.IsZero() {
		text += `; use \now latest to count from there`
	}
	if s.color() {
		text = "\x1b[2m" + text + "\x1b[0m"
	}
	fmt.Fprintln(s.opts.Stderr, text)
}

// info tells the person at the terminal what a command did; scripts
// print only results (and errors).
func (s *session) info(format string, args ...any) {
	if s.opts.Terminal {
		fmt.Fprintf(s.opts.Stderr, format, args...)
	}
}

// countText is the number of sign-ins in the store, for the greeting.
func (s *session) countText() string {
	n, err := s.store.Count(context.Background())
	if err != nil {
		return "?"
	}
	return humanize.Comma(n)
}

// closeOutput ends \output.
func (s *session) closeOutput() error {
	s.out = s.opts.Stdout
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}
