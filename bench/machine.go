package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Machine describes where a run measured.
type Machine struct {
	CPU         string // the processor's model name; "" when unknown
	Cores       int    // logical CPUs the process may use
	MemoryBytes int64  // physical memory; 0 when unknown
	GoVersion   string
	OS, Arch    string
}

// ThisMachine describes the machine the process runs on, from
// /proc/cpuinfo and /proc/meminfo where there are such files.
func ThisMachine() Machine {
	m := Machine{Cores: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU = procField(b, "model name")
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemoryBytes = procKB(procField(b, "MemTotal"))
	}
	return m
}

// procField returns the value of the first line "name: value" (or
// "name<tabs>: value") of a /proc file; "" when there is none.
func procField(b []byte, name string) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// procKB parses "123 kB" into bytes; 0 when it cannot.
func procKB(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(s, "kB")), 10, 64)
	if err != nil {
		return 0
	}
	return n << 10
}

// peakRSS returns the process's peak resident memory in bytes (VmHWM of
// /proc/self/status: the Go heap, and the store's files mapped into
// memory and read); -1 when the system does not tell.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	if v := procKB(procField(b, "VmHWM")); v > 0 {
		return v
	}
	return -1
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted
// durations by the nearest-rank method: the smallest value at least p%
// of them do not exceed. 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// sortDurations sorts durations, fastest first, as Percentile wants.
func sortDurations(d []time.Duration) { slices.Sort(d) }

// SizeName writes a number of sign-ins as the sizes are named: 1M, 10M,
// 100M, 20k, or the number itself when it is not round.
func SizeName(n int64) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.FormatInt(n/1_000_000, 10) + "M"
	case n >= 1_000 && n%1_000 == 0:
		return strconv.FormatInt(n/1_000, 10) + "k"
	}
	return strconv.FormatInt(n, 10)
}

// ParseSize reads a size as SizeName writes it (1M, 10M, 20k, 20000;
// case does not matter).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "M") || strings.HasSuffix(t, "m"):
		mult, t = 1_000_000, t[:len(t)-1]
	case strings.HasSuffix(t, "k") || strings.HasSuffix(t, "K"):
		mult, t = 1_000, t[:len(t)-1]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q: want a positive number of sign-ins, such as 1M, 10M or 20000", s)
	}
	return n * mult, nil
}

// fmtDuration writes d with three significant digits in a fitting unit:
// 9.12 µs, 31.4 ms, 1.23 s.
func fmtDuration(d time.Duration) string {
	f := float64(d)
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d)
	case d < time.Millisecond:
		return sig3(f/1e3) + " µs"
	case d < time.Second:
		return sig3(f/1e6) + " ms"
	}
	return sig3(f/1e9) + " s"
}

// sig3 writes v with three significant digits, v ≥ 1.
func sig3(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// anonRSS returns the process's resident memory that no file backs, in
// bytes: resident less shared pages of /proc/self/statm (the Go heap and
// what else the process asked the system for, not the store's files
// mapped and read, which are page cache); -1 when the system does not
// tell.
func anonRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return -1
	}
	resident, err1 := strconv.ParseInt(f[1], 10, 64)
	shared, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return (resident - shared) * int64(os.Getpagesize())
}

// anonSampleEvery is how often an anonPeak samples: often enough that a
// query of more than a few milliseconds, the only ones with memory worth
// telling, has its peak seen within a sample or two.
const anonSampleEvery = time.Millisecond

// anonPeak samples anonRSS until stopped and keeps its largest value: the
// system keeps no peak of it, as it does of resident memory (VmHWM).
type anonPeak struct {
	peak atomic.Int64
	stop chan struct{}
	done chan struct{}
}

// sampleAnon starts sampling.
func sampleAnon() *anonPeak {
	a := &anonPeak{stop: make(chan struct{}), done: make(chan struct{})}
	a.peak.Store(anonRSS())
	go func() {
		defer close(a.done)
		t := time.NewTicker(anonSampleEvery)
		defer t.Stop()
		for {
			select {
			case <-a.stop:
				return
			case <-t.C:
				if n := anonRSS(); n > a.peak.Load() {
					a.peak.Store(n)
				}
			}
		}
	}()
	return a
}

// end stops sampling and returns the peak seen; -1 when the system does
// not tell.
func (a *anonPeak) end() int64 {
	close(a.stop)
	<-a.done
	if n := anonRSS(); n > a.peak.Load() {
		a.peak.Store(n)
	}
	return a.peak.Load()
}
