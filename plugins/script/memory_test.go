package script

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/peakmem"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// okDecl makes a script that fails before it declares anything valid to
// load, should it not fail.
const okDecl = "\nfunction(name=\"f\", args=[arg(\"a\", \"field\")], result=\"int\", eval=lambda a: 1)\n"

// memoryAttacks are scripts that make gigabytes, or an integer that
// takes minutes, in a few steps as they load: each fails at its line
// with the limit's error (errors.Is ErrLimit), before it allocates.
var memoryAttacks = []struct {
	name, src string
	at        string // line:col after "bad.star:"
	msg       string
}{
	{"list repetition", "l = [0] * (1 << 29)\n", "1:9", "memory limit of 64 MiB exceeded (loading): list * int would take 8.0 GiB"},
	{"int times list", "l = (1 << 29) * [0]\n", "1:15", "int * list would take 8.0 GiB"},
	{"tuple repetition", "t = (0,) * (1 << 29)\n", "1:10", "tuple * int would take 8.0 GiB"},
	{"string repetition", "s = \"ab\" * ((1 << 29) - 8)\n", "1:10", "string * int would take 1024 MiB"},
	{"bytes repetition", "b = b\"ab\" * ((1 << 29) - 8)\n", "1:11", "bytes * int would take 1024 MiB"},
	{"string doubled", "def f():\n    s = \"x\" * 1000\n    for i in range(30):\n        s = s + s\n    return s\nx = f()\n", "4:15", "string + string would take"},
	{"string doubled in place", "def f():\n    s = \"x\" * 1000\n    for i in range(30):\n        s += s\n    return s\nx = f()\n", "4:11", "string + string would take"},
	{"list doubled in place", "def f():\n    l = [0] * 1000\n    for i in range(30):\n        l += l\n    return l\nx = f()\n", "4:11", "list.extend() would take"},
	{"list extended by itself", "def f():\n    l = [0] * 1000\n    for i in range(30):\n        l.extend(l)\n    return l\nx = f()\n", "4:17", "list.extend() would take"},
	{"list element doubled", "def f():\n    l = [[0] * 1000]\n    for i in range(30):\n        l[0] += l[0]\n    return l\nx = f()\n", "4:14", "list.extend() would take"},
	{"integer squared", "def f():\n    x = 1 << 511\n    for i in range(40):\n        x = x * x\n    return x\ny = f()\n", "4:15", "integer limit exceeded: int * int would make an integer of up to 2093058 bits (at most 1048576)"},
	{"integer shifted", "def f():\n    x = 1\n    for i in range(4000):\n        x = x << 511\n    return x\ny = f()\n", "4:15", "int << int would take"},
	{"integer literal", "x = " + strings.Repeat("9", 400000) + "\n", "1:5", "integer limit exceeded: a literal of 1328772 bits (at most 1048576)"},
	{"integer copies kept", "def f():\n    x = (1 << 500) * (1 << 500) * (1 << 500) * (1 << 500)\n    return [x + 1 for i in range(1000000)]\nx = f()\n", "3:15", "memory limit of 64 MiB exceeded (loading): int + int would take 346 B, after 6"},
	{"integer of digits", "x = int(\"9\" * 400000)\n", "1:8", "integer limit exceeded: int() of a str of 400000 characters"},
	{"list of a range", "l = list(range(1 << 29))\n", "1:9", "list() would take 8.0 GiB"},
	{"tuple of a range", "l = tuple(range(1 << 29))\n", "1:10", "tuple() would take 8.0 GiB"},
	{"sorted range", "l = sorted(range(1 << 29))\n", "1:11", "sorted() would take 16 GiB"},
	{"set of a range", "l = set(range(1 << 29))\n", "1:8", "set() would take 36 GiB"},
	{"enumerate a range", "l = enumerate(range(1 << 29))\n", "1:14", "enumerate() would take"},
	{"zip of ranges", "l = zip(range(1 << 29), range(1 << 30))\n", "1:8", "zip() would take"},
	{"list extended by a range", "def f():\n    l = []\n    l.extend(range(1 << 29))\n    return l\nx = f()\n", "3:13", "list.extend() would take 8.0 GiB"},
	{"join", "s = \",\".join([\"x\" * 1000000] * 100)\n", "1:13", "string.join() would take 95 MiB"},
	{"replace", "s = (\"a\" * 1000000).replace(\"a\", \"b\" * 1000)\n", "1:28", "string.replace() would take 955 MiB"},
	{"replace the empty string", "s = (\"a\" * 1000000).replace(\"\", \"b\" * 1000)\n", "1:28", "string.replace() would take 955 MiB"},
	{"split", "l = (\",\" * 10000000).split(\",\")\n", "1:27", "string.split() would take 305 MiB"},
	{"percent formatting", "s = (\"%s\" * 1000) % tuple([\"x\" * 100000] * 1000)\n", "1:19", "string % tuple would take"},
	{"format", "s = (\"{}\" * 1000).format(*([\"x\" * 100000] * 1000))\n", "1:25", "string.format() would take"},
	{"str of a shared list", "s = str([[\"x\" * 100000] * 1000] * 10)\n", "1:8", "str() would take"},
	{"print of a shared list", "print([\"x\" * 1000000] * 100)\n", "1:6", "print() would take"},
	{"str of a deep list", "def f():\n    x = []\n    for i in range(2000):\n        x = [x]\n    return str(x)\ny = f()\n", "5:15", "nesting limit exceeded: a value nested more than 1000 deep"},
	{"codepoints", "l = list((\"x\" * 10000000).codepoints())\n", "1:9", "list() would take"},
	{"copies kept", "def f():\n    s = \"x\" * 1000000\n    return [s + \"y\" for i in range(1000)]\nx = f()\n", "3:15", "string + string would take 977 KiB, after 6"},
	{"slices kept", "def f():\n    l = [0] * 1000000\n    return [l[:] for i in range(100)]\nx = f()\n", "3:14", "a slice of a list would take 15 MiB, after 61 MiB"},
	{"items kept", "def f():\n    d = {i: i for i in range(100000)}\n    return [d.items() for i in range(100)]\nx = f()\n", "3:20", "dict.items() would take"},
	{"sorted with a key", "def f():\n    l = [[\"x\" * 100000] * 100] * 100\n    return sorted(l, key=str)\nx = f()\n", "3:18", "str() would take"},
}

// TestMemoryLimit checks that each attack fails as it loads, at its
// line, with the memory limit's error.
func TestMemoryLimit(t *testing.T) {
	for _, tc := range memoryAttacks {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadSources(t, Options{TimeLimit: time.Hour}, map[string]string{"bad.star": tc.src + okDecl}) // the memory limit stops it, however slow the machine
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("error %v, want a limit's", err)
			}
			if !strings.Contains(err.Error(), "bad.star:"+tc.at+": ") || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error\n%v\nwant …bad.star:%s: …%s…", err, tc.at, tc.msg)
			}
		})
	}
}

// TestPeakMemory measures the peak memory of loading the attacks: each
// stays under 200 MiB, the test binary (about 30 MiB) and the 64 MiB a
// script may make, with room for the collector. Without the limit the
// first takes 8 GiB (the bound's four times stop it), as do most.
func TestPeakMemory(t *testing.T) {
	for _, tc := range memoryAttacks {
		if strings.Contains(tc.name, "integer") && !strings.Contains(tc.name, "kept") || strings.Contains(tc.name, "deep") {
			continue // their cost is time, and stack
		}
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			peakmem.Run(t, 200<<20, func(reset func()) {
				reset()
				reg := plugins.NewRegistry()
				err := Load(writeScripts(t, dir, map[string]string{"bad.star": tc.src + okDecl}), reg, Options{})
				if !errors.Is(err, ErrLimit) {
					t.Errorf("error %v, want a limit's", err)
				}
			})
		})
	}
}

// TestMemoryPerRun checks that the memory limit is per run: a function
// may make 40 MiB in each call, a stage in each row it reads, and a
// load; one of them making twice that fails.
func TestMemoryPerRun(t *testing.T) {
	src := `
def _eval(a):
    return len("x" * (40 << 20)) + len(a)

def _run(rows, ctx):
    for row in rows:
        ctx.emit({"n": len("y" * (40 << 20)) + len(row["a"]) * (1 << 20) * 0})

def _twice(rows, ctx):
    for row in rows:
        s = "z" * (40 << 20)
        ctx.emit({"n": len(s + s)})

BIG = len("w" * (40 << 20))
function(name="f", args=[arg("a", "field")], result="int", eval=_eval)
stage(name="s", run=_run, output=[("n", "int")])
stage(name="twice", run=_twice, output=[("n", "int")])
`
	reg, err := loadSources(t, Options{}, map[string]string{"big.star": src})
	if err != nil {
		t.Fatal(err)
	}
	f := lookupFunction(t, reg, "f")
	for i := range 3 {
		v, err := f.Eval([]result.Value{result.StringValue("ab")})
		if err != nil || v.Int() != 40<<20+2 {
			t.Fatalf("call %d: %v, %v", i, v, err)
		}
	}
	cols := []result.Column{{Name: "a", Kind: signin.KindString}}
	rows := [][]result.Value{{result.StringValue("a")}, {result.StringValue("b")}, {result.StringValue("c")}}
	_, out, err := runStage(t, lookupStage(t, reg, "s"), nil, cols, rows, nil)
	if err != nil || len(out) != 3 {
		t.Fatalf("a stage making 40 MiB a row: %d rows, %v", len(out), err)
	}
	_, _, err = runStage(t, lookupStage(t, reg, "twice"), nil, cols, rows, nil)
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "big.star:12:30: memory limit of 64 MiB exceeded (per row): string + string would take 80 MiB, after 40 MiB") {
		t.Errorf("a stage making 80 MiB in a row: %v", err)
	}
}

// writeScripts writes scripts into dir and returns it.
func writeScripts(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
