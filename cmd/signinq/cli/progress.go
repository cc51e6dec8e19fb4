package cli

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows a bar with the rate and the time left on standard error
// when it is a terminal; otherwise it does nothing, so that logs and pipes
// stay clean. Its methods may be called from any one goroutine at a time.
type progress struct {
	bar *progressbar.ProgressBar
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newProgress(w io.Writer, total int64, what string) *progress {
	if !isTerminal(w) {
		return &progress{}
	}
	return &progress{bar: newBar(w, total, what,
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
	)}
}

// newBar makes a bar with the options every bar shares: the time elapsed
// and left, redrawn at most ten times a second, removed when done.
func newBar(w io.Writer, total int64, what string, opts ...progressbar.Option) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total, append([]progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionClearOnFinish(),
	}, opts...)...)
}

// set reports n of the total done.
func (p *progress) set(n int64) {
	if p.bar != nil {
		p.bar.Set64(n)
	}
}

// done removes the bar.
func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

// byteProgress is a bar over bytes read, with the rate in MB/s, the time
// left, and a description that can change (counts so far). It is silent
// when w is not a terminal.
type byteProgress struct {
	bar *progressbar.ProgressBar
}

// newByteProgress makes a bar for total bytes; -1 means unknown (a
// spinner with the rate).
func newByteProgress(w io.Writer, total int64, what string) *byteProgress {
	if !isTerminal(w) {
		return &byteProgress{}
	}
	return &byteProgress{bar: newBar(w, total, what, progressbar.OptionShowBytes(true))}
}

func (p *byteProgress) set(n int64, description string) {
	if p.bar != nil {
		p.bar.Describe(description)
		p.bar.Set64(n)
	}
}

// clear removes the bar so that a line can be printed; it comes back on
// the next set.
func (p *byteProgress) clear() {
	if p.bar != nil {
		p.bar.Clear()
	}
}

func (p *byteProgress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
