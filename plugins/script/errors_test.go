package script

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

// TestErrors checks that every way a script can fail is an *Error naming
// the script's file and line, whether it fails as it loads, as a stage
// runs, or as a function is called.
func TestErrors(t *testing.T) {
	const okStage = "\nstage(name=\"s\", run=_run, output=[(\"x\", \"int\")])\n"
	const okFunc = "\nfunction(name=\"f\", args=[arg(\"a\", \"field\")], result=\"int\", eval=_eval)\n"
	slow := Options{MaxSteps: 1 << 62, MaxCallSteps: 1 << 62, TimeLimit: 50 * time.Millisecond}
	// The step limit stops it, with the time limit out of its way: a
	// loaded machine under -race is slow.
	steps := Options{TimeLimit: time.Hour}
	for _, tc := range []struct {
		name string
		src  string
		opts Options
		// when says where it fails: "load", "run" (the stage s) or
		// "eval" (the function f).
		when string
		// at is the line, or line:col, after "bad.star:"; "*" for any
		// line (where a loop is stopped), "" for none.
		at  string
		msg string // in the error, after its position
	}{
		{"syntax error", "x = 1\ndef f(:\n", Options{}, "load", "2:8", "got ':'"},
		{"undefined name", "x = 1\ny = z + 1\n", Options{}, "load", "2:5", "undefined: z"},
		{"reassigned global", "x = 1\nx = 2\n", Options{}, "load", "2:1", "cannot reassign global x"},
		{"recursion", "def f(n):\n    return f(n - 1)\nf(3)\n", Options{}, "load", "2:12", "function f called recursively"},
		{"runtime error at load", "x = 1\ny = 1 // 0\n", Options{}, "load", "2:7", "floored division by zero"},
		{"load refused", "load(\"other.star\", \"x\")\n", Options{}, "load", "1:1", "cannot load other.star: load is not available"},
		{"infinite loop at load", "x = [0]\nwhile True:\n    x[0] += 1\n", steps, "load", "*", "step limit of 10000000 exceeded"},
		{"declares nothing", "x = 1\n", Options{}, "load", "", "declares no stage or function"},
		{"too large", strings.Repeat("# a comment\n", 400000), Options{}, "load", "", "a script is at most 4 MiB: this one is larger"},
		{"a builtin that panics", "x = set([1]).intersection()\n", Options{}, "load", "1:26", "Starlark panicked: runtime error: invalid memory address or nil pointer dereference"},
		{"duplicate name", "def _run(rows, ctx):\n    pass\nstage(name=\"s\", run=_run)\nstage(name=\"S\", run=_run)\n", Options{}, "load", "4:6", `"S" is registered twice`},
		{"a word of the language", "def _run(rows, ctx):\n    pass\nstage(name=\"join\", run=_run)\n", Options{}, "load", "3:6", "a stage cannot be named join, a word of the language after |"},
		{"unknown arg type", "def _run(rows, ctx):\n    pass\nstage(name=\"s\", run=_run,\n      args=[arg(\"n\", \"integer\")])\n", Options{}, "load", "4:16", `arg n: unknown type "integer"`},
		{"bad default", "def _run(rows, ctx):\n    pass\nstage(name=\"s\", run=_run, args=[arg(\"w\", \"duration\", default=\"soon\")])\n", Options{}, "load", "3:36", `arg w: default: "soon" is not a duration`},
		{"unknown output kind", "def _run(rows, ctx):\n    pass\nstage(name=\"s\", run=_run, output=[(\"x\", \"integer\")])\n", Options{}, "load", "3:6", `stage s: output x: unknown kind "integer"`},
		{"output not pairs", "def _run(rows, ctx):\n    pass\nstage(name=\"s\", run=_run, output=[\"x\"])\n", Options{}, "load", "3:6", `output holds (name, kind) pairs`},
		{"unknown needed field", "def _run(rows, ctx):\n    pass\nstage(name=\"s\", run=_run, needs=[\"usr\"])\n", Options{}, "load", "3:6", `needs unknown field "usr"`},
		{"where without needs", "def _run(rows, ctx):\n    pass\nstage(name=\"s\", run=_run, where=\"status=failure\")\n", Options{}, "load", "3:6", `say which fields it needs`},
		{"run of the wrong arity", "def _run(rows):\n    pass\nstage(name=\"s\", run=_run)\n", Options{}, "load", "3:6", `run: _run takes 1 parameters, want 2`},
		{"bad name", "def _run(rows, ctx):\n    pass\nstage(name=\"a b\", run=_run)\n", Options{}, "load", "3:6", `bad name "a b"`},
		{"function without a field", "function(name=\"f\", args=[arg(\"n\", \"number\")], result=\"int\", eval=lambda n: n)\n", Options{}, "load", "1:9", `its first argument is a field`},
		{"function of unknown kind", "function(name=\"f\", args=[arg(\"a\", \"field\")], result=\"number\", eval=lambda a: a)\n", Options{}, "load", "1:9", `unknown result kind "number"`},

		{"runtime error in run", "def _run(rows, ctx):\n    for row in rows:\n        ctx.emit({\"x\": row[\"nope\"]})\n" + okStage, Options{}, "run", "3:27", `key "nope" not in dict`},
		{"fail in run", "def _run(rows, ctx):\n    fail(\"no way\")\n" + okStage, Options{}, "run", "2:9", `fail: no way`},
		{"infinite loop in run", "def _run(rows, ctx):\n    for row in rows:\n        while True:\n            pass\n" + okStage, steps, "run", "*", "step limit of 10000000 exceeded"},
		{"slow run", "def _run(rows, ctx):\n    x = 0\n    while True:\n        x += 1\n" + okStage, slow, "run", "*", "time limit of 50ms exceeded"},
		{"emit of the wrong kind", "def _run(rows, ctx):\n    for row in rows:\n        row[\"x\"] = \"1\"\n        ctx.emit(row)\n" + okStage, Options{}, "run", "4:17", `emit: column x: want an int, not a string "1"`},
		{"emit of an unknown column", "def _run(rows, ctx):\n    ctx.emit({\"y\": 1})\n" + okStage, Options{}, "run", "2:13", `emit: the row has a key "y"`},
		{"emit of a short row", "def _run(rows, ctx):\n    ctx.emit([1])\n" + okStage, Options{}, "run", "2:13", `emit: a row of 1 values for 2 columns`},
		{"run returns rows", "def _run(rows, ctx):\n    return [r for r in rows]\n" + okStage, Options{}, "run", "4:6", `run returned a list`},
		{"declaring at run time", "def _run(rows, ctx):\n    stage(name=\"t\", run=_run)\n" + okStage, Options{}, "run", "2:10", `stage: declare plugins when the script loads`},

		{"runtime error in eval", "def _eval(a):\n    return a + 1\n" + okFunc, Options{}, "eval", "2:14", `f: unknown binary op: string + int`},
		{"wrong result kind", "def _eval(a):\n    return str(a)\n" + okFunc, Options{}, "eval", "1:1", `f returned the wrong kind of value: want an int, not a string "abc"`},
		{"infinite loop in eval", "def _eval(a):\n    while True:\n        pass\n" + okFunc, steps, "eval", "*", "step limit of 100000 exceeded (per call)"},
		{"slow eval", "def _eval(a):\n    x = 0\n    while True:\n        x += 1\n" + okFunc, slow, "eval", "*", "time limit of 50ms exceeded"},
		{"mutating a closure", "def _make():\n    seen = []\n    def _eval(a):\n        seen.append(a)\n        return 1\n    return _eval\nfunction(name=\"f\", args=[arg(\"a\", \"field\")], result=\"int\", eval=_make())\n", Options{}, "eval", "4:20", "f: append: cannot append to frozen list"},
		{"mutating a frozen global", "SEEN = []\ndef _eval(a):\n    SEEN.append(a)\n    return 1\n" + okFunc, Options{}, "eval", "3:16", "f: append: cannot append to frozen list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := loadSources(t, tc.opts, map[string]string{"bad.star": tc.src})
			switch tc.when {
			case "load":
			case "run":
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = runStage(t, lookupStage(t, reg, "s"), nil, []result.Column{{Name: "a", Kind: signin.KindString}},
					[][]result.Value{{result.StringValue("abc")}}, nil)
			case "eval":
				if err != nil {
					t.Fatal(err)
				}
				f := lookupFunction(t, reg, "f")
				if _, err := f.Result([]signin.Kind{signin.KindString}); err != nil {
					t.Fatal(err)
				}
				_, err = f.Eval([]result.Value{result.StringValue("abc")})
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want an *Error", err, err)
			}
			if !strings.HasSuffix(se.File, "bad.star") || !strings.Contains(err.Error(), "bad.star:"+strings.TrimSuffix(tc.at, "*")) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error\n%v\nwant …bad.star:%s: …%s…", err, tc.at, tc.msg)
			}
			if tc.at == "" && se.Line != 0 {
				t.Errorf("error at line %d, want none", se.Line)
			} else if tc.at != "" && se.Line == 0 {
				t.Errorf("error at no line, want %s", tc.at)
			}
			if tc.when == "load" && len(reg.Names(0)) != 0 {
				t.Errorf("a script that failed registered %v", reg.Names(0))
			}
		})
	}
}

// TestNameTaken checks that a script cannot take a name another plugin
// has, Go's or another script's.
func TestNameTaken(t *testing.T) {
	reg := standard.New()
	err := Load("examples", reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = Load("examples", reg, Options{})
	if err == nil || !strings.Contains(err.Error(), `vpn.star:31:6: "vpn" is registered twice`) || !strings.Contains(err.Error(), `workhours.star:`) {
		t.Errorf("loading the examples twice: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "count.star"), []byte(`function(name="count", args=[arg("a", "field")], result="int", eval=lambda a: 1)`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Load(dir, reg, Options{}); err == nil || !strings.Contains(err.Error(), `count.star:1:9: "count" is registered twice`) {
		t.Errorf("a script's count: %v, want it refused", err)
	}
}
