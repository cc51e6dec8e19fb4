package query

import (
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// TestPanicsTold checks that the panics a query recovers are told
// apart: a plugin's code (or the engine's, called wrongly by a plugin)
// is ErrPluginPanic, and a panic of signinq's own (the executor, even
// while a stage pulls the rows it reads) is ErrInternal, naming where
// it happened, never reported as a plugin's.
func TestPanicsTold(t *testing.T) {
	db, err := fuzzStore()
	if err != nil {
		t.Fatal(err)
	}
	reg := standard.New()
	for _, p := range []plugins.Plugin{panickyAgg{}, engineMisuseAgg{}, testStage{name: "pull", stream: true, run: func(_ *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
		for range in {
		}
		return nil
	}}} {
		if err := reg.Register(p); err != nil {
			t.Fatal(err)
		}
	}
	run := func(text string) error {
		t.Helper()
		st, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := Check(st, reg, checkNow)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Execute(t.Context(), db, plan, Options{})
		return err
	}
	for _, text := range []string{"panicky group by app", "misuse group by app", "count, misuse"} {
		err := run(text)
		var pe *PanicError
		if !errors.Is(err, ErrPluginPanic) || errors.Is(err, ErrInternal) || !errors.As(err, &pe) || pe.Plugin != queryPkg {
			t.Errorf("%s: %v (%#v), want ErrPluginPanic, of the test's plugin", text, err, pe)
		}
	}
	testHookPanic = true
	defer func() { testHookPanic = false }()
	for _, text := range []string{"count where status=failure group by app", "list where status=failure", "list since 7d | pull", "count where status=failure group by bin(1h) | spikes"} {
		err := run(text)
		var se *StageError
		if !errors.Is(err, ErrInternal) || errors.Is(err, ErrPluginPanic) || errors.As(err, &se) ||
			!strings.Contains(err.Error(), "query: internal error, a bug in signinq (please report it, with the query): testHookPanic (in github.com/signinq/signinq/query.(*partEval).work, filter.go:") {
			t.Errorf("%s: %v, want ErrInternal, in partEval.work", text, err)
		}
	}
}

// engineMisuseAgg is an aggregate that asks the engine for a row its
// block does not have: the engine's panic is the plugin's.
type engineMisuseAgg struct{}

func (engineMisuseAgg) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "misuse", Kind: plugins.KindAggregate}
}
func (engineMisuseAgg) Result(*signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (engineMisuseAgg) NewAcc(plugins.Input) plugins.Acc          { return misuseAcc{} }

type misuseAcc struct{}

func (misuseAcc) Add(_, _ []uint32, col *engine.Vector) { _ = col.Value(nil, 1<<30) }
func (misuseAcc) Partial(uint32) plugins.Partial        { panic("unreached") }
