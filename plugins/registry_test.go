package plugins

import (
	"strings"
	"testing"

	"github.com/signinq/signinq/result"
)

type fakeStage struct{ name string }

func (s fakeStage) Describe() Descriptor {
	return Descriptor{Name: s.name, Kind: KindStage, Args: []Arg{
		{Name: "window", Type: ArgDuration, Default: "1h"},
		{Name: "min", Type: ArgString},
	}}
}

func (fakeStage) Bind(*Args, []result.Column) (Runner, error) { return nil, nil }

// argsStage is a stage with the arguments it is given.
type argsStage []Arg

func (s argsStage) Describe() Descriptor                      { return Descriptor{Name: "s", Kind: KindStage, Args: s} }
func (argsStage) Bind(*Args, []result.Column) (Runner, error) { return nil, nil }

type notAnAggregate struct{}

func (notAnAggregate) Describe() Descriptor { return Descriptor{Name: "bad", Kind: KindAggregate} }

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	if err := r.Register(fakeStage{"spray"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    Plugin
		want string
	}{
		{fakeStage{"SPRAY"}, "registered twice"},
		{fakeStage{""}, "bad plugin name"},
		{fakeStage{"a b"}, "bad plugin name"},
		{notAnAggregate{}, "does not implement"},
		{argsStage{{Name: "n", Type: ArgInt, Default: "x"}}, `plugins: s: argument n: default "x": "x" is not a whole number`},
		{argsStage{{Name: "n", Type: ArgInt, Default: "0", Min: "1"}}, `default "0": "0" is not a whole number of at least 1`},
		{argsStage{{Name: "w", Type: ArgDuration, Default: "1h", Min: "soon"}}, `argument w: bound "soon" is not a duration`},
		{argsStage{{Name: "x", Type: ArgNumber, Max: "many"}}, `argument x: bound "many" is not a number`},
		{argsStage{{Name: "b", Type: ArgBool, Min: "1"}}, `argument b: a bool takes no bounds`},
		{argsStage{{Name: "s", Type: ArgString, Default: "maybe", Words: []string{"yes", "no"}}}, `"maybe" is not yes or no`},
		// After a |, where, order by, limit, join and sequence are the language's.
		{fakeStage{"where"}, "a stage cannot be named where, a word of the language after |"},
		{fakeStage{"Sequence"}, "a stage cannot be named Sequence"},
		{fakeStage{"Join"}, "a stage cannot be named Join"},
		{fakeStage{"order"}, "a stage cannot be named order"},
		{fakeStage{"LIMIT"}, "a stage cannot be named LIMIT"},
		{fakeStage{"top"}, "a stage cannot be named top"},
	} {
		if err := r.Register(tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Register(%q): %v, want …%s…", tc.p.Describe().Name, err, tc.want)
		}
	}
	if p, ok := r.Lookup("Spray"); !ok || p.Describe().Name != "spray" {
		t.Error("Lookup ignores case")
	}
	c := r.Clone()
	c.Remove("spray")
	if _, ok := r.Lookup("spray"); !ok {
		t.Error("removing from a clone changed the original")
	}
}

func TestBindArgs(t *testing.T) {
	d := fakeStage{"spray"}.Describe()
	if got := d.Usage(); got != "spray [window] min" {
		t.Errorf("usage %q", got)
	}
	f := func(args []StageArg, want, wantErr string) {
		t.Helper()
		got, err := BindArgs(d, args)
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Errorf("%v: error %v, want …%s…", args, err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if s := got.Duration("window").String() + " " + got.Text("min"); s != want {
			t.Errorf("%v: bound %q, want %q", args, s, want)
		}
	}
	f([]StageArg{{Value: "2h"}, {Value: "5"}}, "2h0m0s 5", "")
	f([]StageArg{{Name: "MIN", Value: "5"}}, "1h0m0s 5", "")
	f([]StageArg{{Name: "min", Value: "5"}, {Value: "3h"}}, "3h0m0s 5", "")
	f(nil, "", "needs its min argument")
	f([]StageArg{{Value: "1"}, {Value: "2"}, {Value: "3"}}, "", "takes 2 arguments")
	f([]StageArg{{Name: "max", Value: "1"}}, "", `has no argument "max"`)
	f([]StageArg{{Name: "min", Value: "1"}, {Name: "min", Value: "2"}}, "", "given twice")
	// A word naming an argument, then its value, reads as name=value.
	f([]StageArg{{Value: "min"}, {Value: "7"}, {Value: "window"}, {Value: "2h"}}, "2h0m0s 7", "")
	f([]StageArg{{Value: "3h"}, {Value: "MIN"}, {Value: "7"}}, "3h0m0s 7", "")
	f([]StageArg{{Value: "4h"}, {Value: "min"}}, "4h0m0s min", "") // min last is a value
	f([]StageArg{{Name: "min", Value: "1"}, {Value: "window"}, {Value: "min"}}, "", `spray's window: "min" is not a duration like 1h`)
	// The names and their number are checked before the values.
	f([]StageArg{{Value: "7x"}, {Name: "max", Value: "1"}}, "", `has no argument "max"`)
	f([]StageArg{{Value: "7x"}}, "", "needs its min argument")
	f([]StageArg{{Value: "7x"}, {Value: "1"}}, "", `spray's window: "7x" is not a duration like 1h`)
}
