package query

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// testStage is a stage for the executor's tests: run says what it does.
type testStage struct {
	name   string
	stream bool
	run    func(env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error
}

func (s testStage) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: s.name, Kind: plugins.KindStage}
}

func (s testStage) Needs(*plugins.Args) (plugins.Needs, error) {
	return plugins.Needs{Fields: []string{"time", "user", "status"}, Where: ast.Eq(ast.Field("status"), ast.Word("failure")), Stream: s.stream}, nil
}

func (s testStage) Bind(_ *plugins.Args, in []result.Column) (plugins.Runner, error) {
	return testRunner{s, in}, nil
}

type testRunner struct {
	s  testStage
	in []result.Column
}

func (r testRunner) Columns() []result.Column { return r.in }
func (r testRunner) Run(_ context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	return r.s.run(env, in, emit)
}

// TestStages runs stages through the executor: a streaming stage reads
// the sign-ins a sorted list would give it, stages' queries see the same
// snapshot, nest boundedly, and a panic is the query's error.
func TestStages(t *testing.T) {
	seed, err := diffSeed()
	if err != nil {
		t.Fatal(err)
	}
	s := diffFixture(t, seed)
	reg := standard.New()
	copyAll := func(env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
		for row := range in {
			if err := emit(slices.Clone(row)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, st := range []testStage{
		{name: "sorted", run: copyAll},
		{name: "streamed", stream: true, run: copyAll},
		{name: "sub", run: func(env *plugins.Env, _ iter.Seq[[]result.Value], emit func([]result.Value) error) error {
			q := ast.AggregateOf(ast.NewHead(ast.Fn("count"), "")) // count where status=failure
			q.Where = ast.Eq(ast.Field("status"), ast.Word("failure"))
			res, err := env.Query(context.Background(), q)
			if err != nil {
				return err
			}
			return emit([]result.Value{result.Null(signin.KindTime), result.StringValue(fmt.Sprint(res.Rows[0][0].Int())), result.StringValue("")})
		}},
		{name: "recur", run: func(env *plugins.Env, _ iter.Seq[[]result.Value], _ func([]result.Value) error) error {
			q := ast.ListOf() // list | recur
			q.Stages = []*ast.Stage{{Name: "recur"}}
			_, err := env.Query(context.Background(), q)
			return err
		}},
		{name: "boom", run: func(*plugins.Env, iter.Seq[[]result.Value], func([]result.Value) error) error {
			var m map[string]int
			m["x"] = 1 // a nil map: a panic
			return nil
		}},
	} {
		if err := reg.Register(st); err != nil {
			t.Fatal(err)
		}
	}
	run := func(text string) (*result.Result, error) {
		st, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		plan, err := Check(st, reg, s.now)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return Execute(t.Context(), s.dbs[0], plan, Options{DefaultListLimit: 100})
	}
	rowsOf := func(text string) []string {
		res, err := run(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		var out []string
		for _, r := range res.Rows {
			out = append(out, diffRow(r))
		}
		return out
	}
	sorted, streamed := rowsOf("list since 7d | sorted"), rowsOf("list since 7d | streamed")
	if len(sorted) < 100 || !slices.Equal(slices.Sorted(slices.Values(sorted)), slices.Sorted(slices.Values(streamed))) {
		t.Errorf("a streaming stage read %d rows, a sorted one %d: they differ", len(streamed), len(sorted))
	}
	if want := rowsOf("list time, user, status where status=failure since 7d limit 100000"); !slices.Equal(sorted, want) {
		t.Errorf("the stage's list read %d rows, the list itself has %d", len(sorted), len(want))
	}
	count := rowsOf("count where status=failure")
	if sub := rowsOf("list limit 1 | sub"); len(sub) != 1 || !strings.Contains(sub[0], count[0]) {
		t.Errorf("a stage's query counted %v; the query counts %v", sub, count)
	}
	if _, err := run("list | recur"); err == nil || !strings.Contains(err.Error(), "nest more than 4 deep") {
		t.Errorf("recursive stage queries: %v", err)
	}
	if _, err := run("list | boom"); err == nil || !strings.Contains(err.Error(), "boom: panic: assignment to entry in nil map") {
		t.Errorf("a panicking stage: %v", err)
	}
}

// panickyAgg is an aggregate whose accumulator panics.
type panickyAgg struct{}

func (panickyAgg) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "panicky", Kind: plugins.KindAggregate}
}
func (panickyAgg) Result(*signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (panickyAgg) NewAcc(plugins.Input) plugins.Acc          { return panickyAcc{} }

type panickyAcc struct{}

func (panickyAcc) Add([]uint32, []uint32, *engine.Vector) { panic("on purpose") }
func (panickyAcc) Partial(uint32) plugins.Partial         { panic("on purpose") }

// TestAggregatePanic: an aggregate that panics in the parts' goroutines
// ends its query with ErrPluginPanic, and the store answers the next.
func TestAggregatePanic(t *testing.T) {
	seed, err := diffSeed()
	if err != nil {
		t.Fatal(err)
	}
	s := diffFixture(t, seed)
	reg := standard.New()
	if err := reg.Register(panickyAgg{}); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"panicky group by app", "panicky since 1d", "count, panicky"} {
		st, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := Check(st, reg, s.now)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if _, err := Execute(t.Context(), s.dbs[0], plan, Options{}); !errors.Is(err, ErrPluginPanic) || !strings.Contains(err.Error(), "on purpose") {
			t.Errorf("%s: %v, want ErrPluginPanic", text, err)
		}
	}
	if _, err := Run(t.Context(), s.dbs[0], nil, "count", Options{Now: s.now}); err != nil {
		t.Errorf("the query after: %v", err)
	}
}
