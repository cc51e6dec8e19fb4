package pull

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/signinq/signinq/engine"
)

// Source is somewhere a store is kept current from.
type Source struct {
	// Name names the source in statuses and messages: graph, storage.
	Name string
	// Pull reads what is new since the last pull into db, committing as
	// it goes; when ctx is done it commits what it read and returns.
	Pull func(ctx context.Context, db *engine.DB) (Result, error)
}

// Schedule pulls sources into a store at an interval: each source in
// turn with itself (a pull that outlasts the interval is followed at
// once by the next, never overlapped by it), the sources side by side.
type Schedule struct {
	// Every is the interval from one pull's start to the next's.
	Every time.Duration
	// Now is the clock statuses are stamped with; time.Now if nil.
	Now func() time.Time
	// Wait returns a channel that delivers once d has passed;
	// time.After if nil. Tests pass a clock of their own.
	Wait func(d time.Duration) <-chan time.Time
	// OnPull, if set, is called after each pull with the source's
	// status, from the source's goroutine.
	OnPull func(Status)

	mu     sync.Mutex
	status map[string]*Status
}

// ErrSchedule is the error of a Schedule that cannot run: no sources, a
// source named twice, an interval that is not positive.
var ErrSchedule = errors.New("pull: bad schedule")

// Run pulls each source at once and then every Every, recording its
// status in the store after each pull (see Record), until ctx is done;
// then it waits for the pulls under way, which commit what they read,
// and returns nil. A pull's error is recorded in the source's status and
// passed to OnPull; the source is pulled again at its next turn.
func (s *Schedule) Run(ctx context.Context, db *engine.DB, sources ...Source) error {
	if err := s.check(sources); err != nil {
		return err
	}
	kept, err := Statuses(db)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.status = map[string]*Status{}
	for _, src := range sources {
		st := Status{Source: src.Name}
		for _, k := range kept {
			if k.Source == src.Name {
				st = k
			}
		}
		s.status[src.Name] = &st
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.keep(ctx, db, src)
		}()
	}
	wg.Wait()
	return nil
}

func (s *Schedule) check(sources []Source) error {
	if s.Every <= 0 {
		return fmt.Errorf("%w: the interval %v is not positive", ErrSchedule, s.Every)
	}
	if len(sources) == 0 {
		return fmt.Errorf("%w: no sources", ErrSchedule)
	}
	seen := map[string]bool{}
	for _, src := range sources {
		if src.Name == "" || src.Pull == nil {
			return fmt.Errorf("%w: a source needs a name and a Pull", ErrSchedule)
		}
		if seen[src.Name] {
			return fmt.Errorf("%w: source %s named twice", ErrSchedule, src.Name)
		}
		seen[src.Name] = true
	}
	return nil
}

// keep pulls one source until ctx is done.
func (s *Schedule) keep(ctx context.Context, db *engine.DB, src Source) {
	for ctx.Err() == nil {
		start := s.now()
		s.update(src.Name, func(st *Status) {
			st.Running, st.Started, st.Ended, st.Next = true, start, time.Time{}, time.Time{}
		})
		res, err := src.Pull(ctx, db)
		end := s.now()
		var st Status
		s.update(src.Name, func(p *Status) {
			*p = p.ended(start, end, res, err)
			st = *p
		})
		if rerr := Record(db, st); rerr != nil && !errors.Is(rerr, engine.ErrClosed) {
			// The pull stands; only its status is not kept.
			st.Error = errors.Join(err, fmt.Errorf("pull: keeping the status of %s: %w", src.Name, rerr)).Error()
		}
		if ctx.Err() != nil {
			if s.OnPull != nil {
				s.OnPull(st)
			}
			return
		}
		next := end.Add(max(start.Add(s.Every).Sub(end), 0))
		s.update(src.Name, func(p *Status) { p.Next = next })
		st.Next = next
		if s.OnPull != nil {
			s.OnPull(st)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wait(next.Sub(end)):
		}
	}
}

// Statuses returns the sources' statuses as they are now: Running and
// Next are live. Before Run, it returns none.
func (s *Schedule) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.status))
	for _, st := range s.status {
		out = append(out, *st)
	}
	sortStatuses(out)
	return out
}

func (s *Schedule) update(name string, f func(*Status)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.status[name])
}

func (s *Schedule) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Schedule) wait(d time.Duration) <-chan time.Time {
	if s.Wait != nil {
		return s.Wait(d)
	}
	return time.After(d)
}
