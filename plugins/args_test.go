package plugins

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/query/ast"
)

// bindMap binds named arguments to a stage's descriptor.
func bindMap(st Stage, named map[string]string) (*Args, error) {
	var args []StageArg
	for k, v := range named {
		args = append(args, StageArg{Name: k, Value: v})
	}
	return BindArgs(st.Describe(), args)
}

// mustBindMap is bindMap for arguments that bind.
func mustBindMap(t testing.TB, st Stage, named map[string]string) *Args {
	t.Helper()
	args, err := bindMap(st, named)
	if err != nil {
		t.Fatal(err)
	}
	return args
}

// TestArgTypes binds one argument of each type, given or at its default,
// and checks the value its getter returns, or the error: which value it
// quotes, what it says, and where it points.
func TestArgTypes(t *testing.T) {
	at := ast.Pos{Offset: 21, Line: 1, Col: 22}
	codesHint := ` (write codes like "50126, 50053")`
	for _, tc := range []struct {
		arg  Arg
		text string // the value given; the default when it is "-"
		want any    // what the type's getter returns
		word string // what Word returns
		bad  string // the value an error quotes, when not text
		err  string // what the error says of it; "" for no error
	}{
		// Whole numbers.
		{arg: Arg{Type: ArgInt}, text: "5", want: int64(5)},
		{arg: Arg{Type: ArgInt}, text: " 12 ", want: int64(12)},
		{arg: Arg{Type: ArgInt}, text: "+3", want: int64(3)},
		{arg: Arg{Type: ArgInt}, text: "-3", want: int64(-3)},
		{arg: Arg{Type: ArgInt, Default: "5", Min: "1"}, text: "-", want: int64(5)},
		{arg: Arg{Type: ArgInt, Min: "1"}, text: "1", want: int64(1)},
		{arg: Arg{Type: ArgInt, Min: "1"}, text: "0", err: "is not a whole number of at least 1"},
		{arg: Arg{Type: ArgInt, Min: "1"}, text: "-3", err: "is not a whole number of at least 1"},
		{arg: Arg{Type: ArgInt, Min: "1"}, text: "1.5", err: "is not a whole number of at least 1"},
		{arg: Arg{Type: ArgInt, Min: "1"}, text: "ten", err: "is not a whole number of at least 1"},
		{arg: Arg{Type: ArgInt, Min: "1"}, text: "", err: "is not a whole number of at least 1"},
		{arg: Arg{Type: ArgInt, Min: "0"}, text: "-1", err: "is not a whole number of at least 0"},
		{arg: Arg{Type: ArgInt, Max: "10"}, text: "11", err: "is not a whole number of at most 10"},
		{arg: Arg{Type: ArgInt, Min: "0", Max: "10"}, text: "10", want: int64(10)},
		{arg: Arg{Type: ArgInt, Min: "0", Max: "10"}, text: "1e1", err: "is not a whole number from 0 to 10"},
		{arg: Arg{Type: ArgInt}, text: "9223372036854775808", err: "is not a whole number"},
		{arg: Arg{Type: ArgInt, Words: []string{"all"}}, text: "ALL", want: int64(0), word: "all"},
		{arg: Arg{Type: ArgInt, Words: []string{"all"}}, text: "x", err: "is not a whole number (or all)"},
		// Numbers.
		{arg: Arg{Type: ArgNumber}, text: "0.5", want: 0.5},
		{arg: Arg{Type: ArgNumber}, text: "1e3", want: 1000.0},
		{arg: Arg{Type: ArgNumber}, text: "-2", want: -2.0},
		{arg: Arg{Type: ArgNumber, Default: "3.5"}, text: "-", want: 3.5},
		{arg: Arg{Type: ArgNumber}, text: "NaN", err: "is not a number"},
		{arg: Arg{Type: ArgNumber}, text: "Inf", err: "is not a number"},
		{arg: Arg{Type: ArgNumber}, text: "1e999", err: "is not a number"},
		{arg: Arg{Type: ArgNumber, Min: "0"}, text: "-1", err: "is not a number of at least 0"},
		{arg: Arg{Type: ArgNumber, Min: "0", Max: "1"}, text: "1", want: 1.0},
		{arg: Arg{Type: ArgNumber, Min: "0", Max: "1"}, text: "1.5", err: "is not a number from 0 to 1"},
		{arg: Arg{Type: ArgNumber, Min: "0", Max: "1"}, text: "-0.1", err: "is not a number from 0 to 1"},
		{arg: Arg{Type: ArgNumber, Min: "0", Max: "1"}, text: "NaN", err: "is not a number from 0 to 1"},
		{arg: Arg{Type: ArgNumber, Min: "0", Max: "1"}, text: "half", err: "is not a number from 0 to 1"},
		// Durations, as the language writes them.
		{arg: Arg{Type: ArgDuration}, text: "30m", want: 30 * time.Minute},
		{arg: Arg{Type: ArgDuration}, text: "1H", want: time.Hour},
		{arg: Arg{Type: ArgDuration}, text: "7d", want: 7 * 24 * time.Hour},
		{arg: Arg{Type: ArgDuration}, text: "2w", want: 14 * 24 * time.Hour},
		{arg: Arg{Type: ArgDuration}, text: "500ms", want: 500 * time.Millisecond},
		{arg: Arg{Type: ArgDuration}, text: " 2h ", want: 2 * time.Hour},
		{arg: Arg{Type: ArgDuration, Default: "1h"}, text: "-", want: time.Hour},
		{arg: Arg{Type: ArgDuration}, text: "7x", err: "is not a duration like 1h"},
		{arg: Arg{Type: ArgDuration}, text: "", err: "is not a duration like 1h"},
		{arg: Arg{Type: ArgDuration}, text: "-1h", err: "is not a duration like 1h"},
		{arg: Arg{Type: ArgDuration}, text: "1.5h", err: "is not a duration like 1h"},
		{arg: Arg{Type: ArgDuration}, text: "0h", err: "is not a positive duration"},
		{arg: Arg{Type: ArgDuration}, text: "99999999999999w", err: "is too long a duration: at most 106751d (292 years)"},
		{arg: Arg{Type: ArgDuration, Min: "0s"}, text: "0h", want: time.Duration(0)},
		{arg: Arg{Type: ArgDuration, Min: "1h"}, text: "30m", err: "is not a duration of at least 1h"},
		{arg: Arg{Type: ArgDuration, Max: "1d"}, text: "2d", err: "is not a positive duration of at most 1d"},
		{arg: Arg{Type: ArgDuration, Max: "1d"}, text: "0d", err: "is not a positive duration of at most 1d"},
		{arg: Arg{Type: ArgDuration, Words: []string{"h1", "h6", "d1"}}, text: "H6", want: time.Duration(0), word: "h6"},
		{arg: Arg{Type: ArgDuration, Words: []string{"h1", "h6", "d1"}}, text: "6h", want: 6 * time.Hour},
		{arg: Arg{Type: ArgDuration, Words: []string{"h1", "h6", "d1"}}, text: "h2", err: "is not a duration like 1h (or h1, h6 or d1)"},
		{arg: Arg{Type: ArgDuration, Default: "auto", Words: []string{"auto"}}, text: "-", want: time.Duration(0), word: "auto"},
		{arg: Arg{Type: ArgDuration, Words: []string{"0"}}, text: "0", want: time.Duration(0), word: "0"},
		{arg: Arg{Type: ArgDuration, Words: []string{"0"}}, text: "0h", err: "is not a positive duration"},
		// Flags.
		{arg: Arg{Type: ArgBool}, text: "true", want: true},
		{arg: Arg{Type: ArgBool}, text: "YES", want: true},
		{arg: Arg{Type: ArgBool}, text: "1", want: true},
		{arg: Arg{Type: ArgBool}, text: "on", want: true},
		{arg: Arg{Type: ArgBool}, text: "False", want: false},
		{arg: Arg{Type: ArgBool}, text: "no", want: false},
		{arg: Arg{Type: ArgBool}, text: "0", want: false},
		{arg: Arg{Type: ArgBool}, text: "off", want: false},
		{arg: Arg{Type: ArgBool, Default: "false"}, text: "-", want: false},
		{arg: Arg{Type: ArgBool}, text: "maybe", err: "is not true or false"},
		// Error codes: sorted, without repeats; an error quotes the code
		// at fault.
		{arg: Arg{Type: ArgCodes}, text: "50126, 50053 50055,50126", want: []int64{50053, 50055, 50126}},
		{arg: Arg{Type: ArgCodes}, text: "1\t2", want: []int64{1, 2}},
		{arg: Arg{Type: ArgCodes, Default: "500121"}, text: "-", want: []int64{500121}},
		{arg: Arg{Type: ArgCodes}, text: "x", err: "is not an error code" + codesHint},
		{arg: Arg{Type: ArgCodes}, text: "50126, 501x26", bad: "501x26", err: "is not an error code" + codesHint},
		{arg: Arg{Type: ArgCodes}, text: "50126;50053", err: "is not an error code" + codesHint},
		{arg: Arg{Type: ArgCodes}, text: "1,-2", bad: "-2", err: "is not an error code" + codesHint},
		{arg: Arg{Type: ArgCodes}, text: "", err: "names no error code" + codesHint},
		{arg: Arg{Type: ArgCodes}, text: " , ", err: "names no error code" + codesHint},
		// Text, as written.
		{arg: Arg{Type: ArgString}, text: " Azure Portal ", want: " Azure Portal "},
		{arg: Arg{Type: ArgField}, text: "User", want: "User"},
		{arg: Arg{Type: ArgCondition}, text: "status=failure", want: "status=failure"},
		{arg: Arg{Type: ArgString, Words: []string{"success", "failure"}}, text: "FAILURE", want: "FAILURE", word: "failure"},
		{arg: Arg{Type: ArgString, Words: []string{"success", "failure", "*"}}, text: "x", err: "is not success, failure or *"},
		{arg: Arg{Type: ArgString, Words: []string{"zero"}}, text: "none", err: "is not zero"},
	} {
		tc.arg.Name = "a"
		d := Descriptor{Name: "s", Kind: KindStage, Args: []Arg{tc.arg}}
		var given []StageArg
		if tc.text != "-" {
			given = []StageArg{{Name: "a", Value: tc.text, Pos: at}}
		}
		name := fmt.Sprintf("%v %+v %q", tc.arg.Type, tc.arg, tc.text)
		args, err := BindArgs(d, given)
		if tc.err != "" {
			bad := tc.bad
			if bad == "" {
				bad = tc.text
			}
			want := &ArgError{Stage: "s", Arg: "a", Value: bad, Pos: at, Msg: tc.err}
			var ae *ArgError
			if !errors.As(err, &ae) || *ae != *want {
				t.Errorf("%s: error %#v, want %#v", name, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var got any
		switch tc.arg.Type {
		case ArgInt:
			got = args.Int("a")
			if f := args.Float("a"); f != float64(got.(int64)) {
				t.Errorf("%s: Float %v, Int %v", name, f, got)
			}
		case ArgNumber:
			got = args.Float("a")
			wantWhole := tc.text != "-" && !strings.ContainsAny(tc.text, ".e") // -2, 1
			if n, whole := args.Whole("a"); whole != wantWhole || whole && float64(n) != got {
				t.Errorf("%s: Whole = %v, %v", name, n, whole)
			}
		case ArgDuration:
			got = args.Duration("a")
		case ArgBool:
			got = args.Bool("a")
		case ArgCodes:
			got = args.Codes("a")
		default:
			got = args.Text("a")
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %#v, want %#v", name, got, tc.want)
		}
		if w := args.Word("a"); w != tc.word {
			t.Errorf("%s: word %q, want %q", name, w, tc.word)
		}
		if args.Given("a") != (tc.text != "-") {
			t.Errorf("%s: Given %v", name, args.Given("a"))
		}
		if text := args.Text("a"); tc.text != "-" && text != tc.text || tc.text == "-" && text != tc.arg.Default {
			t.Errorf("%s: Text %q", name, text)
		}
	}
}

// TestArgError checks where an argument's error points: at its value,
// named or positional, and in a phrase ("by user") at the value after
// the name; nowhere for a default. A stage's own error (Args.Error) points
// the same way.
func TestArgError(t *testing.T) {
	d := Descriptor{Name: "nv", Kind: KindStage, Args: []Arg{
		{Name: "field", Type: ArgField},
		{Name: "by", Type: ArgField, Default: "user"},
		{Name: "baseline", Type: ArgDuration, Default: "30d"},
	}}
	pos := func(col int) ast.Pos { return ast.Pos{Offset: col - 1, Line: 1, Col: col} }
	for _, tc := range []struct {
		args []StageArg
		want ast.Pos
	}{
		{[]StageArg{{Value: "country", Pos: pos(10)}, {Name: "baseline", Value: "7x", Pos: pos(27)}}, pos(27)},
		{[]StageArg{{Value: "country", Pos: pos(10)}, {Value: "user", Pos: pos(18)}, {Value: "7x", Pos: pos(23)}}, pos(23)},
		{[]StageArg{{Value: "country", Pos: pos(10)}, {Value: "baseline", Pos: pos(18)}, {Value: "7x", Pos: pos(27)}}, pos(27)},
		{[]StageArg{{Value: "country", Pos: pos(10)}, {Value: "BASELINE", Pos: pos(18)}, {Value: "7x"}}, ast.Pos{}},
	} {
		_, err := BindArgs(d, tc.args)
		var ae *ArgError
		if !errors.As(err, &ae) || ae.Pos != tc.want || ae.Arg != "baseline" || ae.Value != "7x" {
			t.Errorf("%v: %#v, want an error about baseline at %v", tc.args, err, tc.want)
		}
	}
	args, err := BindArgs(d, []StageArg{{Value: "country", Pos: pos(10)}, {Value: "by", Pos: pos(18)}, {Value: "country", Pos: pos(21)}})
	if err != nil {
		t.Fatal(err)
	}
	want := &ArgError{Stage: "nv", Arg: "by", Value: "country", Pos: pos(21), Msg: "is the field too"}
	if err := args.Error("by", "is the field too"); !reflect.DeepEqual(err, want) || err.Error() != `nv's by: "country" is the field too` {
		t.Errorf("Error: %#v, want %#v", err, want)
	}
	want = &ArgError{Stage: "nv", Arg: "baseline", Value: "30d", Msg: "is too short"}
	if err := args.Error("baseline", "is too short"); !reflect.DeepEqual(err, want) {
		t.Errorf("Error of a default: %#v, want %#v", err, want)
	}
}

// TestArgsMisread checks that a stage reading an argument it lacks, or
// by another type, panics: a bug in the stage, never a zero value.
func TestArgsMisread(t *testing.T) {
	args, err := BindArgs(Descriptor{Name: "s", Args: []Arg{{Name: "n", Type: ArgInt, Default: "1"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func(){
		"unknown":     func() { args.Int("m") },
		"a duration":  func() { args.Duration("n") },
		"whole":       func() { args.Whole("n") },
		"error codes": func() { args.Codes("n") },
		"a flag":      func() { args.Bool("n") },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("reading a whole number as %s did not panic", name)
				}
			}()
			read()
		}()
	}
}
