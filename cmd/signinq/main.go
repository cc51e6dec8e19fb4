package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"

	"github.com/alecthomas/kong"
)

// memoryLimit is the soft limit on the Go heap the command runs under,
// unless GOMEMLIMIT sets another: the garbage collector then works harder
// as the heap nears it rather than let it grow to twice what is live, so
// that ingesting hundreds of millions of sign-ins stays within a few GiB.
const memoryLimit = 2 << 30

// Exit codes.
const (
	exitOK       = 0
	exitRejected = 1 // some records were rejected or inputs refused
	exitError    = 2 // usage or fatal error
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command runs with; commands never touch os.Std*.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errRejected is returned by commands that finished but rejected input;
// they have already said what.
var errRejected = errors.New("input rejected")

type cli struct {
	Demo    demoCmd          `cmd:"" help:"Generate a realistic sample tenant, read it back in every format, and summarize it."`
	Parse   parseCmd         `cmd:"" help:"Read sign-in logs in any export format and print each sign-in as a canonical JSON line."`
	Gen     genCmd           `cmd:"" help:"Generate a realistic tenant's sign-ins in an export format."`
	Ingest  ingestCmd        `cmd:"" help:"Store sign-in logs, in any export format, in a signinq store; sign-ins already stored are skipped."`
	Stats   statsCmd         `cmd:"" help:"Describe a store: sign-ins by type and by day, and what they take on disk."`
	Compact compactCmd       `cmd:"" help:"Merge each day's parts into few large sorted ones (ingest and a background task also do)."`
	Prune   pruneCmd         `cmd:"" help:"Delete whole days of sign-ins: the store's retention."`
	Query   queryCmd         `cmd:"" help:"Answer a query: count where status=failure since 24h group by app (see docs/query-language.md)."`
	Explain explainCmd       `cmd:"" help:"Show how a query would run (explain analyze: run it and show what each step read)."`
	Plugins pluginsCmd       `cmd:"" help:"List the query language's aggregates, stages and functions, and the output formats, with how to call each."`
	Version kong.VersionFlag `help:"Print the version and exit."`

	CPUProfile string `name:"cpuprofile" type:"path" hidden:"" help:"Write a CPU profile of the command to this file (for go tool pprof)."`
}

// version is set by the build (-ldflags "-X main.version=…").
var version = "dev"

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c cli
	exited := -1
	parser, err := kong.New(&c,
		kong.Name("signinq"),
		kong.Description("Ask questions of Microsoft Entra ID sign-in logs."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exited = code }),
		kong.Vars{"version": version},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		fmt.Fprintf(stderr, "signinq: %v\n", err)
		return exitError
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
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var coded interface{ exitCode() int }
	switch err := kctx.Run(&env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}); {
	case err == nil:
		return exitOK
	case errors.Is(err, errRejected):
		return exitRejected
	case errors.As(err, &coded):
		fmt.Fprintf(stderr, "signinq: %v\n", err)
		return coded.exitCode()
	default:
		fmt.Fprintf(stderr, "signinq: %v\n", err)
		return exitError
	}
}
