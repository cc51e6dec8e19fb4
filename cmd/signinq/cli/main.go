package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/alecthomas/kong"
	"github.com/signinq/signinq/internal/progress"
	"github.com/signinq/signinq/plugins/script"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query"
)

// memoryLimit is the soft limit on the Go heap the command runs under,
// unless GOMEMLIMIT sets another: the garbage collector then works harder
// as the heap nears it rather than let it grow to twice what is live, so
// that ingesting hundreds of millions of sign-ins stays within a few GiB.
const memoryLimit = 2 << 30

// Exit codes.
const (
	exitOK       = 0
	exitRejected = 1 // some records were rejected, or inputs refused or truncated
	exitError    = 2 // usage or fatal error
	exitInUse    = 3 // the store is in use by another process (storeError)
	exitNoStore  = 4 // no store where --db says, or a directory of something else (storeError)
	exitDamaged  = 5 // the store is damaged (engine.ErrCorruption; storeError)
	exitNoSpace  = 6 // not enough disk space for the store (engine.ErrNoSpace; storeError)
	// A command a signal stopped exits 128 plus the signal's number:
	// 130 for Ctrl-C (SIGINT), 143 for SIGTERM (see signalExit).
	exitOutputClosed = 128 + 13 // SIGPIPE's: standard output's reader went away (errOutputClosed)
)

// env is what a command runs with; commands never touch os.Std*.
type env struct {
	ctx    context.Context
	now    func() time.Time // the clock: dates ("since", the demo's end) and timings
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errRejected is returned by commands that finished but rejected input;
// they have already said what.
var errRejected = errors.New("input rejected")

type cli struct {
	Demo    demoCmd          `cmd:"" help:"Make a realistic 30-day tenant (once; cached), answer the questions sign-in logs are for with the queries shown, then open the shell on it (--formats: write and read back every export format)."`
	Parse   parseCmd         `cmd:"" help:"Read sign-in logs in any export format and print each sign-in as a canonical JSON line."`
	Gen     genCmd           `cmd:"" help:"Generate a realistic tenant's sign-ins in an export format."`
	Ingest  ingestCmd        `cmd:"" help:"Store sign-in logs, in any export format, in a signinq store; sign-ins already stored are skipped."`
	Stats   statsCmd         `cmd:"" help:"Describe a store: sign-ins by type and by day, and what they take on disk."`
	Compact compactCmd       `cmd:"" help:"Merge each day's parts into few large sorted ones (ingest and a background task also do)."`
	Prune   pruneCmd         `cmd:"" help:"Delete whole days of sign-ins: the store's retention."`
	Query   queryCmd         `cmd:"" help:"Answer a query: count where status=failure since 24h group by app (see docs/query-language.md)."`
	Explain explainCmd       `cmd:"" help:"Show how a query would run (explain analyze: run it and show what each step read)."`
	Repl    replCmd          `cmd:"" help:"Ask questions interactively: line editing, completion (Tab), history (Ctrl-R), tables and charts; with input from a file or pipe, run one statement a line. What signinq with no arguments does on a terminal."`
	Bench   benchCmd         `cmd:"" help:"Measure the standard query set on generated datasets (1M, 10M sign-ins; cached), and ingest, disk and memory: a Markdown report, the Go benchmark format for benchstat, a chart."`
	Lists   listsCmd         `cmd:"" help:"The named lists queries test membership of (ip in @vps): show them, import one from a file (addresses and networks, users, codes), remove one."`
	Plugins pluginsCmd       `cmd:"" help:"List the query language's aggregates, stages and functions, and the output formats, with how to call each."`
	Serve   serveCmd         `cmd:"" help:"Answer queries over HTTP while holding the store: JSON, NDJSON or CSV, for notebooks, dashboards and scripts (docs/api.md). On loopback by default; elsewhere with a bearer token and TLS."`
	Pull    pullCmd          `cmd:"" help:"Collect sign-ins into a store straight from Microsoft Graph or from the storage account diagnostic settings archive to; a repeated pull reads only what is new."`
	Export  exportCmd        `cmd:"" help:"Write sign-ins where a larger engine reads them: into ClickHouse (--to clickhouse://…, which signinq query --on then asks), or as Parquet files for data lakes (docs/scale.md)."`
	Load    loadCmd          `cmd:"" help:"Measure a signinq serve on this machine under load: a mix of queries from concurrent workers, bounded in time or requests; requests per second, latency percentiles, errors by kind (docs/api.md)."`
	Version kong.VersionFlag `help:"Print the version and exit."`

	PluginDir  string `name:"plugins" type:"path" env:"SIGNINQ_PLUGINS" placeholder:"DIR" help:"Load Starlark plugins (*.star) from DIR (default: $XDG_CONFIG_HOME/signinq/plugins, or ~/.config/signinq/plugins, when it exists), each run under limits of steps, memory and time (docs/plugins.md)."`
	CPUProfile string `name:"cpuprofile" type:"path" hidden:"" help:"Write a CPU profile of the command to this file (for go tool pprof)."`
}

// Version is the version --version prints; a build may set it
// (-ldflags "-X github.com/signinq/signinq/cmd/signinq/cli.Version=…").
var Version = "dev"

// Main runs the command with its arguments (without the program's name)
// and returns the exit status: 0 when all went well, 1 when records were
// rejected or inputs refused or truncated, 2 on a usage or fatal error, 3 when the
// store is in use by another process, 4 when there is no store where
// --db says (or a directory of something else), 5 when the store is
// damaged, 6 when its disk has too little free space, whichever the
// command, and 128 plus the signal's number when Ctrl-C (130) or SIGTERM
// (143) stopped it (an ingest commits what it read first), or when the
// reader of its output went away (141, SIGPIPE's). It uses the plugins
// of plugins/standard.Registry, so a program that registers its own
// there before calling it offers them (docs/plugins.md); scripted plugins are read from --plugins DIR.
//
// now is the only clock the command reads, for dates (what "since 24h"
// counts from, the demo's last day, prune --keep) and for timings: a
// program passes time.Now, and tests a clock of their own.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) int {
	var c cli
	exited := -1
	parser, err := kong.New(&c,
		kong.Name("signinq"),
		kong.Description("Ask questions of Microsoft Entra ID sign-in logs."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exited = code }),
		kong.Vars{"version": Version},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		fmt.Fprintf(stderr, "signinq: %v\n", err)
		return exitError
	}
	if len(args) == 0 && progress.IsTerminal(stdin) && progress.IsTerminal(stdout) {
		args = []string{"repl"} // on a terminal, signinq alone is the shell
	}
	kctx, err := parser.Parse(args)
	if exited >= 0 { // --help, --version
		return exited
	}
	if err != nil {
		fmt.Fprintf(stderr, "signinq: %v\n", err)
		if kctx != nil {
			fmt.Fprintf(stderr, "Run \"signinq %s --help\" for usage.\n", kctx.Command())
		}
		return exitError
	}
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "signinq: %v\n", err)
			return exitError
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	loadScripts(c.PluginDir, stderr)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	// Ctrl-C and SIGTERM end a command, which keeps what it did; the
	// shell, which cancels only the running statement, handles them
	// itself.
	ctx := context.Background()
	caught := func() os.Signal { return nil }
	if _, own := kctx.Selected().Target.Interface().(interface{ ownsSignals() }); !own {
		var stop func()
		ctx, caught, stop = notifyContext(ctx, stderr)
		defer stop()
	}
	var coded interface{ exitCode() int }
	switch err := storeProblem(kctx.Run(&env{ctx: ctx, now: now, stdin: stdin, stdout: stdout, stderr: stderr})); {
	case err == nil:
		return exitOK
	case caught() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "signinq: %s\n", signalled(caught(), err))
		return signalExit(caught())
	case errors.Is(err, errRejected):
		return exitRejected
	case errors.Is(err, errOutputClosed):
		return exitOutputClosed // quietly: the reader has what it wanted
	case errors.As(err, &coded):
		fmt.Fprintf(stderr, "signinq: %v\n", err)
		return coded.exitCode()
	default:
		fmt.Fprintf(stderr, "signinq: %v\n", err)
		return exitError
	}
}

// loadedDirs are the directories whose scripts are in standard.Registry.
var loadedDirs sync.Map

// loadScripts registers the Starlark plugins of dir (or of the default
// directory, when it exists) in the default registry. A script that
// fails is reported with its file and line, and the others still load.
func loadScripts(dir string, stderr io.Writer) {
	explicit := dir != ""
	if !explicit {
		d, err := script.DefaultDir()
		if err != nil {
			return
		}
		dir = d
	}
	if _, done := loadedDirs.LoadOrStore(dir, true); done {
		return // Main ran before in this process, with the same plugins
	}
	err := script.Load(dir, standard.Registry(), script.Options{Print: stderr, ParseCondition: query.ParseCondition})
	if err == nil || !explicit && errors.Is(err, fs.ErrNotExist) {
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(stderr, "signinq: plugins: %s\n", line)
	}
}
