package pull

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
)

// ticker is a schedule's clock in a test: Wait hands the test each wait
// asked for, and the test releases it.
type ticker struct {
	mu      sync.Mutex
	now     time.Time
	asks    chan time.Duration
	release chan time.Time
}

func newTicker(start time.Time) *ticker {
	return &ticker{now: start, asks: make(chan time.Duration), release: make(chan time.Time)}
}

func (k *ticker) Now() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.now
}

func (k *ticker) advance(d time.Duration) {
	k.mu.Lock()
	k.now = k.now.Add(d)
	k.mu.Unlock()
}

func (k *ticker) Wait(d time.Duration) <-chan time.Time {
	k.asks <- d
	return k.release
}

func openStore(t *testing.T, dir string) *engine.DB {
	t.Helper()
	db, err := engine.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestSchedule runs a source three times (a pull taking two minutes of
// the clock, one failing, one fine), checks the waits between, the
// statuses live and kept, and that stopping interrupts a pull as a stop,
// not a failure.
func TestSchedule(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db := openStore(t, dir)
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	k := newTicker(start)
	newest := start.Add(-time.Hour)
	var calls int
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	running := make(chan struct{})
	src := Source{Name: "graph", Pull: func(ctx context.Context, db *engine.DB) (Result, error) {
		calls++
		switch calls {
		case 1:
			k.advance(2 * time.Minute)
			return Result{Read: 10, Stored: 7, Duplicates: 3, Newest: newest}, nil
		case 2:
			k.advance(time.Minute)
			return Result{Read: 1}, errors.New("graph: 503 five times")
		case 3:
			k.advance(6 * time.Minute) // longer than the interval
			return Result{Read: 5, Stored: 5, Newest: newest.Add(time.Minute)}, nil
		default:
			close(running)
			<-ctx.Done()
			return Result{Read: 2, Stored: 2}, fmt.Errorf("%w: %w", engine.ErrInterrupted, ctx.Err())
		}
	}}
	var pulls []Status
	var mu sync.Mutex
	s := &Schedule{Every: 5 * time.Minute, Now: k.Now, Wait: k.Wait, OnPull: func(st Status) {
		mu.Lock()
		pulls = append(pulls, st)
		mu.Unlock()
	}}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, db, src) }()

	// 1: took 2 min; the next is due 3 min after its end.
	if d := <-k.asks; d != 3*time.Minute {
		t.Errorf("wait after the first pull = %v, want 3m", d)
	}
	live := s.Statuses()
	if len(live) != 1 || live[0].Running || !live[0].Next.Equal(start.Add(5*time.Minute)) || live[0].Stored != 7 {
		t.Errorf("live status after the first pull: %+v", live)
	}
	k.advance(3 * time.Minute)
	k.release <- k.Now()
	// 2: failed after 1 min; next 4 min after.
	if d := <-k.asks; d != 4*time.Minute {
		t.Errorf("wait after the second pull = %v, want 4m", d)
	}
	k.advance(4 * time.Minute)
	k.release <- k.Now()
	// 3: took 6 min, longer than the interval: the next at once.
	if d := <-k.asks; d != 0 {
		t.Errorf("wait after a pull longer than the interval = %v, want 0", d)
	}
	k.release <- k.Now()
	<-running
	if live := s.Statuses(); !live[0].Running || !live[0].Ended.IsZero() {
		t.Errorf("status during a pull: %+v", live[0])
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(pulls) != 4 {
		t.Fatalf("OnPull called %d times, want 4", len(pulls))
	}
	if p := pulls[1]; p.Error == "" || p.Failing != 1 || p.Failures != 1 || p.Stored != 0 || p.TotalStored != 7 {
		t.Errorf("after the failure: %+v", p)
	}
	if p := pulls[2]; p.Error != "" || p.Failing != 0 || p.TotalStored != 12 || !p.Newest.Equal(newest.Add(time.Minute)) || !p.LastSuccess.Equal(p.Ended) {
		t.Errorf("after the third pull: %+v", p)
	}
	last := pulls[3]
	if last.Failures != 1 || last.Failing != 0 || last.Pulls != 4 || last.TotalStored != 14 || last.Error == "" {
		t.Errorf("a pull the stop interrupted: %+v (want an error said, but no failure counted)", last)
	}

	// Kept in the store, without what only a live process knows; read
	// back after the store is reopened.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openStore(t, dir)
	defer db.Close()
	kept, err := Statuses(db)
	if err != nil {
		t.Fatal(err)
	}
	want := last
	want.Next = time.Time{}
	if len(kept) != 1 || kept[0] != want {
		t.Errorf("kept statuses = %+v\nwant %+v", kept, want)
	}
	if lag := kept[0].Lag(newest.Add(91 * time.Minute)); lag != 90*time.Minute {
		t.Errorf("lag = %v, want 1h30m", lag)
	}

	// A second schedule goes on from the kept counts.
	ctx2, cancel2 := context.WithCancel(context.Background())
	s2 := &Schedule{Every: time.Minute, Now: k.Now, Wait: k.Wait}
	done2 := make(chan error, 1)
	go func() {
		done2 <- s2.Run(ctx2, db, Source{Name: "graph", Pull: func(context.Context, *engine.DB) (Result, error) {
			return Result{Stored: 1}, nil
		}})
	}()
	<-k.asks
	cancel2()
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	if st := s2.Statuses(); st[0].Pulls != 5 || st[0].TotalStored != 15 {
		t.Errorf("a later schedule's status: %+v, want the counts carried on", st[0])
	}
}

func TestScheduleRefuses(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "db"))
	defer db.Close()
	pull := func(context.Context, *engine.DB) (Result, error) { return Result{}, nil }
	for _, c := range []struct {
		every   time.Duration
		sources []Source
	}{
		{0, []Source{{Name: "graph", Pull: pull}}},
		{time.Minute, nil},
		{time.Minute, []Source{{Name: "graph", Pull: pull}, {Name: "graph", Pull: pull}}},
		{time.Minute, []Source{{Name: "", Pull: pull}}},
		{time.Minute, []Source{{Name: "graph"}}},
	} {
		s := &Schedule{Every: c.every}
		if err := s.Run(context.Background(), db, c.sources...); !errors.Is(err, ErrSchedule) {
			t.Errorf("Run every %v of %d sources: %v, want ErrSchedule", c.every, len(c.sources), err)
		}
	}
}

func TestStatusDecodeRefuses(t *testing.T) {
	for _, c := range []struct{ name, value string }{
		{"graph", `{`},
		{"graph", `{"version":2,"source":"graph"}`},
		{"graph", `{"version":1,"source":"storage"}`},
	} {
		if _, err := decodeStatus(c.name, []byte(c.value)); err == nil {
			t.Errorf("decodeStatus(%q, %s) took it", c.name, c.value)
		}
	}
}
