package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Unit is what a bar counts.
type Unit int

const (
	// Records counts sign-ins, rows or any other items: "records/s".
	Records Unit = iota
	// Bytes counts bytes, shown in SI units: "310 MB/s".
	Bytes
)

// DefaultEvery is the time between two plain lines when Options.Every is
// zero: often enough to show a run is alive, rarely enough to keep a log
// readable.
const DefaultEvery = 5 * time.Second

// Options configure a bar.
type Options struct {
	// Total is the count at which the operation is done; zero or less
	// means unknown (then there is no percentage and no time left).
	Total int64
	// Unit is what the counts are.
	Unit Unit
	// What names the operation, as a present participle: "ingesting".
	What string
	// Terminal draws a bar redrawn in place; otherwise the bar writes
	// plain lines. IsTerminal tells whether a writer is a terminal.
	Terminal bool
	// Quiet shows nothing at all.
	Quiet bool
	// Every is the time between plain lines, and before the first: an
	// operation done sooner prints none. A line is also printed whenever
	// another tenth of Total is done, but not before Every has passed
	// since the start. Zero means DefaultEvery. Terminal bars ignore it.
	Every time.Duration
	// Now returns the current time; nil means time.Now. Tests inject a
	// clock for plain lines; a terminal bar times itself.
	Now func() time.Time
	// Throttle is the least time between two drawings of a terminal bar;
	// zero means DefaultThrottle. Tests of what a bar shows make it tiny,
	// so that every report draws it however quick the operation.
	Throttle time.Duration
}

// DefaultThrottle is the least time between two drawings of a terminal
// bar when Options.Throttle is zero.
const DefaultThrottle = 100 * time.Millisecond

// Bar shows the progress of one operation. Its methods may be called from
// any goroutine, concurrently; a nil *Bar does nothing, so that optional
// progress needs no checks.
type Bar struct {
	w    io.Writer
	opts Options

	bar *progressbar.ProgressBar // on a terminal; nil for plain lines

	mu struct {
		sync.Mutex
		n       int64
		detail  string
		start   time.Time
		last    time.Time // of the last plain line; zero before the first
		lastN   int64     // the count at the last plain line
		printed bool
		done    bool
	}
}

// IsTerminal reports whether a stream (standard input, output or error)
// is a terminal: an *os.File on one.
func IsTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// New returns a bar writing to w, started now. A nil w, like
// Options.Quiet, shows nothing.
func New(w io.Writer, opts Options) *Bar {
	if opts.Every <= 0 {
		opts.Every = DefaultEvery
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Throttle <= 0 {
		opts.Throttle = DefaultThrottle
	}
	if w == nil {
		opts.Quiet = true
	}
	b := &Bar{w: w, opts: opts}
	b.mu.start = opts.Now()
	if opts.Quiet || !opts.Terminal {
		return b
	}
	total := opts.Total
	if total <= 0 {
		total = -1 // a spinner with the rate
	}
	bopts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(opts.What),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(opts.Throttle),
		progressbar.OptionFullWidth(),
		progressbar.OptionClearOnFinish(),
	}
	if opts.Unit == Bytes {
		bopts = append(bopts, progressbar.OptionShowBytes(true))
	} else {
		bopts = append(bopts,
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("records"))
	}
	b.bar = progressbar.NewOptions64(total, bopts...)
	return b
}

// Set reports that n of the total is done.
func (b *Bar) Set(n int64) {
	if b == nil || b.opts.Quiet {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.setLocked(n)
}

// Add reports that n more is done.
func (b *Bar) Add(n int64) {
	if b == nil || b.opts.Quiet {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.setLocked(b.mu.n + n)
}

// Describe sets a detail shown after the counts, such as "1,234 stored,
// 5 duplicates"; it shows from the next Set or Add.
func (b *Bar) Describe(detail string) {
	if b == nil || b.opts.Quiet {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mu.detail = detail
	if b.bar != nil {
		d := b.opts.What
		if detail != "" {
			d += ": " + detail
		}
		b.bar.Describe(d)
	}
}

// Clear removes a terminal bar so that the caller can print a line; the
// bar comes back on the next Set or Add. Plain lines need no clearing.
func (b *Bar) Clear() {
	if b == nil || b.bar == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bar.Clear()
}

// Done ends the operation: a terminal bar is removed, and if plain lines
// were printed, a last one says how long it took. Later calls of any
// method do nothing.
func (b *Bar) Done() {
	if b == nil || b.opts.Quiet {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.mu.done {
		return
	}
	b.mu.done = true
	if b.bar != nil {
		b.bar.Finish()
		return
	}
	if b.mu.printed {
		el := b.opts.Now().Sub(b.mu.start)
		fmt.Fprintf(b.w, "%s: done, %s in %s, %s\n", b.opts.What, b.count(b.mu.n), duration(el), b.rate(b.mu.n, el))
	}
}

// setLocked records n and draws the bar or prints a plain line when one is
// due.
//
// REQUIRES: mu held.
func (b *Bar) setLocked(n int64) {
	if b.mu.done {
		return
	}
	b.mu.n = n
	if b.bar != nil {
		b.bar.Set64(n)
		return
	}
	now := b.opts.Now()
	el := now.Sub(b.mu.start)
	if el < b.opts.Every {
		return
	}
	due := b.mu.last.IsZero() || now.Sub(b.mu.last) >= b.opts.Every
	if t := b.opts.Total; !due && t > 0 && n*10/t > b.mu.lastN*10/t {
		due = true // another tenth
	}
	if !due {
		return
	}
	b.mu.last, b.mu.lastN, b.mu.printed = now, n, true
	fmt.Fprintln(b.w, b.line(n, el))
}

// line is a plain line: "ingesting: 1.2 GB of 4.2 GB (29%), 310 MB/s, 12s
// left; 1,234 stored".
func (b *Bar) line(n int64, el time.Duration) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s: %s", b.opts.What, b.count(n))
	t := b.opts.Total
	if t > 0 {
		fmt.Fprintf(&s, " of %s (%d%%)", b.count(t), min(100, n*100/t))
	}
	fmt.Fprintf(&s, ", %s", b.rate(n, el))
	if t > 0 && n > 0 && n < t {
		left := time.Duration(float64(el) * float64(t-n) / float64(n))
		fmt.Fprintf(&s, ", %s left", duration(left))
	}
	if b.mu.detail != "" {
		fmt.Fprintf(&s, "; %s", b.mu.detail)
	}
	return s.String()
}

// count is n in the bar's unit: "1.2 GB", or "1,234,567" records.
func (b *Bar) count(n int64) string {
	if b.opts.Unit == Bytes {
		return humanize.Bytes(uint64(max(n, 0)))
	}
	return humanize.Comma(n)
}

// rate is n over el in the bar's unit: "310 MB/s", "45,000 records/s".
func (b *Bar) rate(n int64, el time.Duration) string {
	r := 0.0
	if el > 0 {
		r = float64(n) / el.Seconds()
	}
	if b.opts.Unit == Bytes {
		return humanize.Bytes(uint64(r)) + "/s"
	}
	return humanize.Comma(int64(r)) + " records/s"
}

// duration rounds d for people: whole seconds, or tenths below ten.
func duration(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
