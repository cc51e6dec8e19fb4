package peakmem

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// env names the test a child process measures.
const env = "SIGNINQ_PEAKMEM_TEST"

// RaceScale multiplies every bound when the race detector is on: its
// shadow memory is several times the program's.
const RaceScale = 8

// Run measures the peak resident memory of f, run in a child process,
// and fails t when it is above bound bytes. f receives reset: calling it
// after setup (opening a store, writing an input) makes the peak count
// only what follows; without a call, the peak counts f's setup too
// (reset is called once before f in any case). The child is stopped as
// soon as its resident memory passes four times the bound.
//
// Run must be the last thing its test (or subtest) does: in the child,
// Run returns after f has run and the test ends there. It returns the
// peak in bytes in the parent and -1 in the child.
func Run(t testing.TB, bound int64, f func(reset func())) int64 {
	t.Helper()
	if raceEnabled {
		bound *= RaceScale
	}
	if os.Getenv(env) == t.Name() {
		child(t, bound, f)
		return -1
	}
	return parent(t, bound)
}

func child(t testing.TB, bound int64, f func(reset func())) {
	stop := make(chan struct{})
	defer close(stop)
	go watch(bound*4, stop)
	reset := func() {
		runtime.GC()
		debug.FreeOSMemory()
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			t.Fatalf("peakmem: resetting the peak: %v", err)
		}
	}
	reset()
	f(reset)
	peak, err := hwm()
	if err != nil {
		t.Fatalf("peakmem: %v", err)
	}
	fmt.Printf("\npeakmem: %d\n", peak)
}

// watch ends the process when its resident memory passes limit.
func watch(limit int64, stop chan struct{}) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		if rss, err := status("VmRSS"); err == nil && rss > limit {
			// A panic in this goroutine ends the child at once, whatever
			// the test is doing.
			panic(fmt.Sprintf("peakmem: over %d: resident %d, stopped", limit, rss))
		}
	}
}

func parent(t testing.TB, bound int64) int64 {
	t.Helper()
	peak, out, err := measure(t.Name())
	if err != nil || peak < 0 {
		t.Fatalf("peakmem: the child measuring %s failed (%v):\n%s", t.Name(), err, out)
	}
	t.Logf("peak memory %s (bound %s)", MiB(peak), MiB(bound))
	if peak > bound {
		t.Errorf("peak memory %s is over the bound %s", MiB(peak), MiB(bound))
	}
	return peak
}

// measure runs the test named name in a child and returns the peak it
// printed (-1 when none), its output, and how it ended.
func measure(name string) (int64, []byte, error) {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(parts, "/"), "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+name)
	out, err := cmd.CombinedOutput()
	peak := int64(-1)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "peakmem: "); ok {
			if n, perr := strconv.ParseInt(v, 10, 64); perr == nil {
				peak = n
			}
		}
	}
	return peak, out, err
}

// MiB formats bytes as mebibytes.
func MiB(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func hwm() (int64, error) { return status("VmHWM") }

// status reads a "kB" field of /proc/self/status in bytes.
func status(name string) (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && k == name {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", name)
}
