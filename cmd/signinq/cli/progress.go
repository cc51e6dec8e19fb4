package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/progress"
)

// newProgress shows the progress of an operation on standard error: a bar
// when it is a terminal, a plain line every few seconds otherwise, and
// nothing when quiet (see package progress). The bar reads the command's
// clock.
func newProgress(e *env, total int64, unit progress.Unit, what string, quiet bool) *progress.Bar {
	return progress.New(e.stderr, progress.Options{
		Total:    total,
		Unit:     unit,
		What:     what,
		Terminal: progress.IsTerminal(e.stderr),
		Quiet:    quiet,
		Every:    plainEvery,
		Now:      e.now,
		Throttle: barThrottle,
	})
}

// barThrottle is the least time between two drawings of a bar on a
// terminal; zero is progress.DefaultThrottle. The command's tests make it
// tiny (TestMain), so that a bar shows on the terminal whatever the
// machine's speed, from a few thousand sign-ins.
var barThrottle time.Duration

// plainEvery is the time between plain progress lines (not on a
// terminal), and before the first; zero is progress.DefaultEvery. The
// command's tests set it to never (TestMain): whether a line shows would
// otherwise depend on how long a command takes on a loaded machine, and
// so would what a script sees on standard error.
var plainEvery time.Duration

// compactPoll is how often compactWithProgress looks at the store.
const compactPoll = 200 * time.Millisecond

// compactWithProgress compacts db, showing the sign-ins of the days merged
// so far. The engine reports nothing while it compacts, so the store's
// parts are looked at every compactPoll: a day is merged once none of the
// parts it had remain.
func compactWithProgress(e *env, db *engine.DB, quiet bool) (engine.CompactStats, error) {
	type day struct {
		parts map[uint64]bool
		rows  int64
	}
	var days []day
	var total int64
	err := db.View(func(s *engine.Snapshot) error {
		parts := s.Parts() // by day
		for i := 0; i < len(parts); {
			j := i
			d := day{parts: map[uint64]bool{}}
			for ; j < len(parts) && parts[j].Day == parts[i].Day; j++ {
				d.parts[parts[j].ID] = true
				d.rows += int64(parts[j].Rows)
			}
			if j-i > 1 {
				days = append(days, d)
				total += d.rows
			}
			i = j
		}
		return nil
	})
	if err != nil || len(days) == 0 {
		// NB: Compact merges only days of two parts or more: there are none.
		return engine.CompactStats{}, err
	}
	bar := newProgress(e, total, progress.Records, "compacting", quiet)
	ctx, stop := context.WithCancel(e.ctx)
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		t := time.NewTicker(compactPoll)
		defer t.Stop()
		merged := make([]bool, len(days))
		var rows int64
		var n int
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			db.View(func(s *engine.Snapshot) error {
				live := map[uint64]bool{}
				for _, p := range s.Parts() {
					live[p.ID] = true
				}
				for i, d := range days {
					if merged[i] {
						continue
					}
					gone := true
					for id := range d.parts {
						if live[id] {
							gone = false
							break
						}
					}
					if gone {
						merged[i] = true
						rows += d.rows
						n++
					}
				}
				return nil
			})
			bar.Describe(fmt.Sprintf("%d of %d days", n, len(days)))
			bar.Set(rows)
		}
	}()
	st, err := db.Compact(e.ctx)
	stop()
	<-polled
	if err == nil {
		// Every day is merged, whether a poll saw it or not: a merge
		// quicker than a poll still shows its bar, once.
		bar.Describe(fmt.Sprintf("%d of %d days", len(days), len(days)))
		bar.Set(total)
	}
	bar.Done()
	return st, err
}
