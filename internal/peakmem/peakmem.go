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
	"sync"
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
	return run(t, bound, false, f)
}

// RunAnon is Run bounding the peak of the child's anonymous memory (its
// heap and stacks: RssAnon) instead of its whole resident set: for code
// that reads files mapped into memory, as the store reads its value log
// (Badger maps it). The pages of such files count in the resident set,
// and their number grows with the files read, whatever the code holds;
// but they are the kernel's cache of the files, which it takes back when
// memory is short. The kernel keeps no peak of anonymous memory: it is
// sampled every few milliseconds and at the end (a spike shorter than
// that can be missed), and the whole resident peak is logged beside it.
// The watchdog stops the child at four times the bound of anonymous
// memory.
func RunAnon(t testing.TB, bound int64, f func(reset func())) int64 {
	t.Helper()
	return run(t, bound, true, f)
}

func run(t testing.TB, bound int64, anon bool, f func(reset func())) int64 {
	t.Helper()
	if raceEnabled {
		bound *= RaceScale
	}
	if os.Getenv(env) == t.Name() {
		child(t, bound, anon, f)
		return -1
	}
	return parent(t, bound, anon)
}

func child(t testing.TB, bound int64, anon bool, f func(reset func())) {
	stop := make(chan struct{})
	w := &watcher{limit: bound * 4, anon: anon, done: make(chan struct{})}
	go w.watch(stop)
	reset := func() {
		runtime.GC()
		debug.FreeOSMemory()
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			t.Fatalf("peakmem: resetting the peak: %v", err)
		}
		w.reset()
	}
	reset()
	f(reset)
	close(stop)
	<-w.done
	peak, err := hwm()
	if err != nil {
		t.Fatalf("peakmem: %v", err)
	}
	if anon {
		fmt.Printf("\npeakmem: resident %d\n", peak)
		if peak, err = w.sample(); err != nil {
			t.Fatalf("peakmem: %v", err)
		}
	}
	fmt.Printf("\npeakmem: %d\n", peak)
}

// watcher ends the process when its resident memory (or, with anon, its
// anonymous memory) passes limit; with anon, it keeps the peak of
// anonymous memory it saw.
type watcher struct {
	limit int64
	anon  bool
	done  chan struct{}
	mu    sync.Mutex
	peak  int64 // anonymous memory since the last reset
}

func (w *watcher) watch(stop chan struct{}) {
	defer close(w.done)
	every := 20 * time.Millisecond
	if w.anon {
		every = 2 * time.Millisecond
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		what, n := "resident", int64(0)
		var err error
		if w.anon {
			what = "anonymous"
			n, err = w.sample()
		} else {
			n, err = status("VmRSS")
		}
		if err == nil && n > w.limit {
			// A panic in this goroutine ends the child at once, whatever
			// the test is doing.
			panic(fmt.Sprintf("peakmem: over %d: %s %d, stopped", w.limit, what, n))
		}
	}
}

// sample reads the anonymous memory and returns the peak so far.
func (w *watcher) sample() (int64, error) {
	n, err := status("RssAnon")
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		w.peak = max(w.peak, n)
	}
	return w.peak, err
}

func (w *watcher) reset() {
	w.mu.Lock()
	w.peak = 0
	w.mu.Unlock()
}

func parent(t testing.TB, bound int64, anon bool) int64 {
	t.Helper()
	peak, out, err := measure(t.Name())
	if err != nil || peak < 0 {
		t.Fatalf("peakmem: the child measuring %s failed (%v):\n%s", t.Name(), err, out)
	}
	if anon {
		t.Logf("peak anonymous memory %s (bound %s); resident %s with the mapped files", MiB(peak), MiB(bound), MiB(resident(out)))
		if peak > bound {
			t.Errorf("peak anonymous memory %s is over the bound %s", MiB(peak), MiB(bound))
		}
		return peak
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
	args := []string{"-test.run=" + strings.Join(parts, "/"), "-test.count=1", "-test.v"}
	if testing.Short() {
		args = append(args, "-test.short") // the child sizes its case as the parent did
	}
	cmd := exec.Command(os.Args[0], args...)
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

// resident is the resident peak a child measuring anonymous memory
// printed, -1 when none.
func resident(out []byte) int64 {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "peakmem: resident "); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				return n
			}
		}
	}
	return -1
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
