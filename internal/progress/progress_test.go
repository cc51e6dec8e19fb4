package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake time moved by the test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)} }
func lines(b *bytes.Buffer) []string {
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

// TestPlainLines checks the lines written when the output is not a
// terminal: none during the first interval, then one per interval or per
// tenth, and a last one when done.
func TestPlainLines(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	b := New(&out, Options{Total: 4_200_000_000, Unit: Bytes, What: "ingesting", Now: c.now})
	step := func(d time.Duration, n int64) {
		c.advance(d)
		b.Set(n)
	}
	step(time.Second, 300_000_000)
	step(3*time.Second, 1_000_000_000) // 4s: not yet
	if out.Len() != 0 {
		t.Fatalf("a line before 5s: %q", out.String())
	}
	step(time.Second, 1_240_000_000)   // 5s: the first line
	step(time.Second, 1_250_000_000)   // 6s: too soon, same tenth
	step(time.Second, 1_700_000_000)   // 7s: a new tenth (40%)
	step(4*time.Second, 1_800_000_000) // 11s: too soon, same tenth
	b.Describe("1,234 stored")
	step(time.Second, 1_900_000_000) // 12s: 5s after the last
	c.advance(time.Second)
	b.Done()
	b.Set(4_200_000_000) // after Done: nothing
	want := []string{
		"ingesting: 1.2 GB of 4.2 GB (29%), 248 MB/s, 12s left",
		"ingesting: 1.7 GB of 4.2 GB (40%), 243 MB/s, 10s left",
		"ingesting: 1.9 GB of 4.2 GB (45%), 158 MB/s, 15s left; 1,234 stored",
		"ingesting: done, 1.9 GB in 13s, 146 MB/s",
	}
	got := lines(&out)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPlainRecordsUnknownTotal(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	b := New(&out, Options{What: "generating", Every: 10 * time.Second, Now: c.now})
	for i := 0; i < 25; i++ {
		c.advance(time.Second)
		b.Add(100_000)
	}
	b.Done()
	want := "generating: 1,000,000, 100,000 records/s\n" +
		"generating: 2,000,000, 100,000 records/s\n" +
		"generating: done, 2,500,000 in 25s, 100,000 records/s\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestShortAndQuiet checks that an operation shorter than the interval,
// a quiet bar, a bar on no writer and a nil bar print nothing.
func TestShortAndQuiet(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	for _, b := range []*Bar{
		New(&out, Options{Total: 10, What: "short", Now: c.now}),
		New(&out, Options{Total: 10, What: "quiet", Quiet: true, Now: c.now}),
		New(&out, Options{Total: 10, What: "quiet terminal", Quiet: true, Terminal: true, Now: c.now}),
		New(nil, Options{Total: 10, What: "nowhere", Now: c.now}),
		nil,
	} {
		b.Set(1)
		b.Describe("x")
		b.Clear()
		b.Add(9)
		b.Done()
		b.Done()
	}
	c.advance(time.Hour)
	if out.Len() != 0 {
		t.Errorf("printed %q", out.String())
	}
}

// TestConcurrentAdd checks that Add may be called from many goroutines
// (run with -race).
func TestConcurrentAdd(t *testing.T) {
	var out bytes.Buffer
	var mu sync.Mutex
	c := newClock()
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		c.advance(time.Millisecond)
		return c.t
	}
	b := New(&out, Options{Total: 8000, What: "adding", Every: time.Second, Now: now})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				b.Add(1)
			}
		}()
	}
	wg.Wait()
	b.Done()
	got := lines(&out)
	if last := got[len(got)-1]; !strings.HasPrefix(last, "adding: done, 8,000 in ") {
		t.Errorf("last line %q", last)
	}
}
