package peakmem

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// TestRunAnon maps a file of 96 MiB and reads it all, and touches 32 MiB
// of its own: the peak of anonymous memory counts the 32 MiB and not
// the file's pages, which the resident set counts.
func TestRunAnon(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mapped")
	peak := RunAnon(t, 80<<20, func(reset func()) {
		if err := os.WriteFile(path, bytes.Repeat([]byte{1}, 96<<20), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		reset()
		m, err := syscall.Mmap(int(f.Fd()), 0, 96<<20, syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			t.Fatal(err)
		}
		defer syscall.Munmap(m)
		sum := 0
		for i := 0; i < len(m); i += 4096 {
			sum += int(m[i])
		}
		sink = make([]byte, 32<<20)
		for i := range sink {
			sink[i] = byte(sum)
		}
		if rss, err := status("VmRSS"); err != nil || rss < 96<<20 {
			t.Errorf("resident %d (%v): the file's pages are not mapped", rss, err)
		}
	})
	if peak >= 0 && peak < 32<<20 {
		t.Errorf("peak %s: less than the 32 MiB touched", MiB(peak))
	}
}
