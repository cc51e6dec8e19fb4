package repl_test

import (
	"context"
	"iter"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/signinq/signinq/cmd/signinq/cli"
	"github.com/signinq/signinq/internal/clock"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// TestMain makes this test binary the signinq command for the scripts
// and for the terminal tests (run with SIGNINQ_REPL_CHILD set), with one
// stage more, "wait", which runs until its query is cancelled.
func TestMain(m *testing.M) {
	run := func() int {
		if err := standard.Registry().Register(waitStage{}); err != nil {
			panic(err)
		}
		return cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, clock.Test)
	}
	if os.Getenv("SIGNINQ_REPL_CHILD") != "" {
		os.Exit(run())
	}
	testscript.Main(m, map[string]func(){"signinq": func() { os.Exit(run()) }})
}

// TestScripts drives the REPL and the command end to end with piped
// input: repl/testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script", RequireExplicitExec: true})
}

// waitStage is a stage that waits until its query is cancelled: what the
// terminal test interrupts with Ctrl-C.
type waitStage struct{}

func (waitStage) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "wait", Kind: plugins.KindStage, Help: "waits until the query is cancelled (tests)", Example: "count | wait"}
}

func (waitStage) Bind(_ *plugins.Args, in []result.Column) (plugins.Runner, error) {
	return waitRunner{in}, nil
}

type waitRunner struct{ in []result.Column }

func (r waitRunner) Columns() []result.Column { return r.in }
func (waitRunner) Run(ctx context.Context, _ *plugins.Env, _ iter.Seq[[]result.Value], _ func([]result.Value) error) error {
	<-ctx.Done()
	return ctx.Err()
}
