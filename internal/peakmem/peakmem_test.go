package peakmem

import (
	"os"
	"strings"
	"testing"
	"time"
)

var sink []byte

// TestRun measures a function that touches 64 MiB: the peak is at least
// that, and a bound of 200 MiB holds it.
func TestRun(t *testing.T) {
	peak := Run(t, 200<<20, func(reset func()) {
		sink = make([]byte, 1<<20) // setup, not counted
		reset()
		sink = make([]byte, 64<<20)
		for i := range sink {
			sink[i] = 1
		}
	})
	if peak >= 0 && peak < 64<<20 {
		t.Errorf("peak %s: less than the 64 MiB touched", MiB(peak))
	}
}

// TestRunSubtest measures inside a subtest whose name needs quoting.
func TestRunSubtest(t *testing.T) {
	t.Run("a+b (c)", func(t *testing.T) {
		Run(t, 100<<20, func(func()) {
			sink = make([]byte, 8<<20)
			for i := range sink {
				sink[i] = 1
			}
		})
	})
}

// TestWatchdog runs TestOverBound's child: it allocates far past its
// bound and is stopped by the watchdog, not left to take the memory.
func TestWatchdog(t *testing.T) {
	peak, out, err := measure("TestOverBound")
	if err == nil || !strings.Contains(string(out), "stopped") {
		t.Fatalf("a child over four times its bound ended with %v, peak %d:\n%s", err, peak, out)
	}
}

// TestOverBound is run by TestWatchdog as a child, where it goes past
// its bound; run on its own it only says so.
func TestOverBound(t *testing.T) {
	if os.Getenv(env) != t.Name() {
		t.Log("run as a child by TestWatchdog")
		return
	}
	Run(t, 16<<20, func(func()) {
		for range 64 {
			b := make([]byte, 16<<20)
			for i := range b {
				b[i] = 1
			}
			sink = append(sink, b...)
			time.Sleep(5 * time.Millisecond)
		}
	})
}
