package script

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/result"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// sameAsStarlark are programs of every operation rewrite.go routes
// through a checked builtin, and of errors in them: each must give what
// Starlark gives without the rewriting, the same globals or the same
// error at the same place.
var sameAsStarlark = []string{
	// arithmetic, with and without literals
	"a = 1 + 2\nb = 7 - 10\nc = 3 * 4\nd = 7 / 2\ne = 7 // 2\nf = -7 % 3\ng = 6 & 3\nh = 6 | 3\ni = 6 ^ 3\nj = 1 << 70\nk = (1 << 70) >> 3\n",
	"def f(x, y):\n    return [x + y, x - y, x * y, x // y, x % y, x | y, x & y, x ^ y, x << 3, x >> 1, -x, +x, ~x]\nr = f(1 << 80, 12345)\ns = f(-17, 5)\n",
	"r = [1.5 * 2, 2 ** 0 if False else 3.0 / 2, -2.5 // 1]\n",
	"def f(s):\n    return [s + \"x\", s * 3, 3 * s, \"%s-%d-%r\" % (s, 4, s), \"%s\" % s, \"%(a)s\" % {\"a\": 1}]\nr = f(\"ab\")\n",
	"def f(l):\n    return [l + [3], l * 2, 2 * l, (1, 2) + (3,), (0,) * 3, b\"ab\" * 2, b\"a\" + b\"b\"]\nr = f([1, 2])\n",
	"def f():\n    a, b = set([1, 2, 3]), set([2, 5])\n    return [sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b), {1: 2} | {3: 4}]\nr = f()\n",
	// augmented assignment: names, elements, fields, aliasing
	"def f():\n    l = [1]\n    m = l\n    l += [2, 3]\n    l += (4,)\n    s = \"a\"\n    s += \"b\"\n    n = 5\n    n -= 2\n    n *= 7\n    n //= 2\n    n %= 6\n    n <<= 3\n    n >>= 1\n    n |= 1\n    n &= 7\n    n ^= 2\n    return [l, m, s, n]\nr = f()\n",
	"def f():\n    d = {\"a\": [1], \"n\": 1}\n    x = d[\"a\"]\n    d[\"a\"] += [2]\n    d[\"n\"] += 1\n    d[\"n\"] *= 10\n    l = [1, 2, 3]\n    l[-1] *= 5\n    l[0] += 1\n    e = {}\n    e |= {1: 2}\n    g = e\n    g |= {3: 4}\n    return [d, x, l, e]\nr = f()\n",
	"def f():\n    l = [1, 2]\n    l[5] += 1\nf()\n",
	"def f():\n    d = {}\n    d[\"x\"] += 1\nf()\n",
	"def f():\n    d = {}\n    d[\"x\"] *= 2\nf()\n",
	"def f():\n    t = (1, 2)\n    t[0] += 1\nf()\n",
	"def f():\n    t = (1, 2)\n    t[0] *= 2\nf()\n",
	"def f():\n    x = 1\n    x.y += 2\nf()\n",
	"L = [1]\ndef f():\n    L += [2]\nf()\n",
	"def f():\n    x += 1\nf()\n",
	// slices
	"def f(x):\n    return [x[:], x[1:], x[:-1], x[::2], x[::-1], x[-2::-1], x[5:1], x[1:100], x[-100:2], x[::3], x[4:0:-2], x[None:None:None]]\nr = [f([0, 1, 2, 3, 4, 5]), f((0, 1, 2)), f(\"hello!\"), f(b\"bytes\"), f(range(10))]\n",
	"x = [1, 2][::0]\n",
	"x = 1[1:2]\n",
	"x = [1, 2][\"a\":]\n",
	// calls: keywords, *args, **kwargs, methods, builtins, errors
	"def g(a, b=2, *c, d=4, **e):\n    return [a, b, c, d, e]\nr = [g(1), g(1, 3), g(1, 2, 3, 4, d=5, z=6), g(*[1, 2, 3]), g(**{\"a\": 9, \"q\": 1})]\n",
	"r = [len(\"abc\"), str(12), repr(\"a\"), sorted([3, 1, 2], reverse=True), list(range(3)), tuple(\"ab\".elems()), dict(a=1), set([1]), list(enumerate(\"ab\".elems())), zip([1, 2], \"ab\".elems()), int(\"12\"), int(\"ff\", 16), bytes(\"ab\"), min([3, 1], key=str), max(1, 2)]\n",
	"r = [\",\".join([\"a\", \"b\"]), \"a-b\".split(\"-\"), \"a b  c\".split(), \"a\\nb\\r\\nc\".splitlines(), \"aaa\".replace(\"a\", \"bb\", 2), \"x\".replace(\"\", \"-\"), \"{}-{x}\".format(1, x=2), \"Ab\".upper(), \"Ab\".lower(), \"ab cd\".title(), list(\"héllo\".codepoints()), \"a,b\".rsplit(\",\", 1)]\n",
	"def f():\n    l = [1]\n    l.extend(\"ab\".elems())\n    l.extend(l)\n    d = {1: 2}\n    d.update({3: 4}, z=5)\n    s = set([1])\n    return [l, d, d.items(), d.keys(), d.values(), s.union([2], [3]), s.intersection([1]), s.difference([1]), s.symmetric_difference([5])]\nr = f()\n",
	"x = len(1)\n",
	"x = \"a\".nosuch()\n",
	"x = \",\".join([1])\n",
	"def f(a):\n    return a\nx = f(1, 2)\n",
	"def f():\n    fail(\"no\", 1)\nf()\n",
	"x = (lambda a, b=1 + 1: a * b)(3)\ny = [i * i for i in range(5) if i % 2 == 1]\nz = {k: v + 1 for k, v in [(1, 2)]}\n",
	"x = \"a\" + 1\n",
	"x = [1] * \"a\"\n",
	"x = -\"a\"\n",
	"x = 1 // 0\n",
	"x = 1 << 600\n",
	"x = {}\nx.y = 1\n",
	"def f():\n    l = [1, 2]\n    for x in l:\n        l += [3]\nf()\n",
	"L = [1]\ndef f():\n    L.extend([2])\nf()\n",
}

// TestSameAsStarlark runs each program of sameAsStarlark as Starlark
// does and rewritten, and compares.
func TestSameAsStarlark(t *testing.T) {
	for i, src := range sameAsStarlark {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			want, werr := execPlain(src)
			got, gerr := execChecked(src)
			if got != want || gerr != werr {
				t.Errorf("%s\ngot  %s %s\nwant %s %s", src, got, gerr, want, werr)
			}
		})
	}
}

// FuzzSameAsStarlark runs programs as Starlark does and rewritten, and
// compares, unless the rewritten one reached a limit (the steps it has
// are the same, and it takes a few more for the checked builtins' calls;
// Starlark would make what the memory limit refused; and a program that
// takes a second rewritten takes as long plain).
func FuzzSameAsStarlark(f *testing.F) {
	for _, src := range sameAsStarlark {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, gerr, limited := execCheckedLimited(src)
		if limited {
			return
		}
		want, werr := execPlain(src)
		if werr == "panic" && strings.Contains(gerr, "Starlark panicked") {
			return // the checked builtins catch go.starlark.net's panics
		}
		if got != want || gerr != werr && !sameSliceError(gerr, werr) {
			t.Errorf("%q\ngot  %s %s\nwant %s %s", src, got, gerr, want, werr)
		}
	})
}

// sameSliceError reports whether two errors are the same error of a
// slice: Starlark puts those at the last operator of the slice's
// operands, if any ([][::+0] at the +), the checked slice at its [.
func sameSliceError(got, want string) bool {
	_, g, _ := strings.Cut(got, ": ")
	_, w, _ := strings.Cut(want, ": ")
	return g == w && (strings.Contains(g, "slice") || strings.Contains(g, " index: "))
}

// execSteps are the steps a program of these tests may take.
const execSteps = 1 << 20

// execPlain runs a program as Starlark does, and returns its globals or
// its error and where; "panic" for a panic.
func execPlain(src string) (got, gerr string) {
	defer func() {
		if p := recover(); p != nil {
			got, gerr = "", "panic"
		}
	}()
	th := &starlark.Thread{Print: func(*starlark.Thread, string) {}}
	th.SetMaxExecutionSteps(execSteps)
	g, err := starlark.ExecFileOptions(fileOptions, th, "p.star", src, nil)
	return outcome(g, err)
}

// execChecked runs a program rewritten, as a script loads.
func execChecked(src string) (string, string) {
	got, err, _ := execCheckedLimited(src)
	return got, err
}

// execCheckedLimited is execChecked, and whether a limit stopped it.
func execCheckedLimited(src string) (string, string, bool) {
	prog, err := compile("p.star", []byte(src))
	if err != nil {
		got, gerr := outcome(nil, err)
		return got, gerr, errors.Is(err, ErrLimit)
	}
	sb := &sandbox{opts: Options{TimeLimit: time.Second}.withDefaults()}
	th, r := sb.thread("p", execSteps, "loading", nil)
	th.Print = func(*starlark.Thread, string) {}
	stop := sb.limit(th, r, "loading")
	g, err := prog.Init(th, predeclared)
	stop()
	for name := range g {
		if strings.HasPrefix(name, hidden) {
			delete(g, name)
		}
	}
	got, gerr := outcome(g, err)
	return got, gerr, r.reason() != nil || errors.Is(err, ErrLimit)
}

func outcome(g starlark.StringDict, err error) (string, string) {
	var b strings.Builder
	for _, name := range g.Keys() {
		fmt.Fprintf(&b, "%s=%s ", name, g[name])
	}
	if err == nil {
		return b.String(), ""
	}
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		stack := ownFrames(ee.CallStack)
		var pos syntax.Position
		for i := len(stack) - 1; i >= 0; i-- {
			if p := stack[i].Pos; p.Filename() != "<builtin>" {
				pos = p
				break
			}
		}
		return b.String(), fmt.Sprintf("%d:%d: %s", pos.Line, pos.Col, ee.Msg)
	}
	return b.String(), err.Error()
}

// TestFrozenInPlace checks the errors of += and |= on frozen values, as
// Starlark gives them.
func TestFrozenInPlace(t *testing.T) {
	src := "G = {\"l\": [1], \"d\": {1: 2}}\ndef _eval(a):\n    x = G[\"l\"]\n    x += [2]\n    return 1\ndef _eval2(a):\n    y = G[\"d\"]\n    y |= {3: 4}\n    return 1\n" +
		"function(name=\"f\", args=[arg(\"a\", \"field\")], result=\"int\", eval=_eval)\nfunction(name=\"g\", args=[arg(\"a\", \"field\")], result=\"int\", eval=_eval2)\n"
	reg, err := loadSources(t, Options{}, map[string]string{"frozen.star": src})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"f": "frozen.star:4:7: f: cannot apply += to frozen list", "g": "frozen.star:8:7: g: cannot apply |= to frozen hash table"} {
		_, err := lookupFunction(t, reg, name).Eval([]result.Value{result.StringValue("x")})
		if err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: %v, want …%s", name, err, want)
		}
	}
}
