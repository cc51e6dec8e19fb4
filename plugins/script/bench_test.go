package script

import (
	"testing"
	"time"

	"github.com/signinq/signinq/result"
)

// benchFunction loads src and returns its function f.
func benchFunction(b *testing.B, src string) func() {
	b.Helper()
	t := &testing.T{}
	reg, err := loadSources(t, Options{}, map[string]string{"b.star": src + "\nfunction(name=\"f\", args=[arg(\"a\", \"field\")], result=\"int\", eval=_f)\n"})
	if err != nil {
		b.Fatal(err)
	}
	f := lookupFunction(t, reg, "f")
	in := []result.Value{result.TimeValue(time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC))}
	return func() {
		if _, err := f.Eval(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFunctionCall is the cost of a call of a short function, as
// offhours: mostly the call's.
func BenchmarkFunctionCall(b *testing.B) {
	call := benchFunction(b, "def _f(t):\n    return int(t.weekday >= 5 or t.hour < 8 or t.hour >= 18)\n")
	for b.Loop() {
		call()
	}
}

// BenchmarkArithmetic is a function of integer arithmetic and string
// building in loops: every operation checked (rewrite.go).
func BenchmarkArithmetic(b *testing.B) {
	call := benchFunction(b, `
def _f(t):
    n = 0
    for i in range(100):
        n = (n * 31 + i) % 1000003
    s = ""
    for i in range(10):
        s = s + str(i)
    i = 0
    while i < 100:
        i += 1
    return n + len(s) + i
`)
	for b.Loop() {
		call()
	}
}
