package gen

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// output writes g's events in every format and returns the bytes, the
// portal's four files concatenated.
func output(t *testing.T, g *Generator) map[signin.Format][]byte {
	t.Helper()
	out := map[signin.Format][]byte{}
	for _, f := range []signin.Format{signin.FormatDiag, signin.FormatGraph, signin.FormatLogAnalyticsCSV} {
		var buf bytes.Buffer
		if err := g.Write(context.Background(), f, &buf, nil); err != nil {
			t.Fatal(err)
		}
		out[f] = buf.Bytes()
	}
	paths, err := g.WritePortalCSV(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[signin.FormatPortalCSV] = append(out[signin.FormatPortalCSV], b...)
	}
	return out
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	// Enough for incidents and three chunks; the default workers are
	// GOMAXPROCS.
	cfg := Config{Count: 12_000, Seed: 7, Days: 10}
	base := output(t, newGen(t, cfg))
	for _, workers := range []int{1, 3} {
		cfg.Workers = workers
		got := output(t, newGen(t, cfg))
		for f, b := range base {
			if !bytes.Equal(got[f], b) {
				t.Errorf("workers %d: %v output differs from the first run's", workers, f)
			}
		}
	}
	cfg.Seed++
	other := output(t, newGen(t, cfg))
	if bytes.Equal(other[signin.FormatDiag], base[signin.FormatDiag]) {
		t.Error("another seed gave the same output")
	}
}

func TestOrderAndWindow(t *testing.T) {
	for _, cfg := range []Config{
		{Count: 1},
		{Count: 20_000, Days: 1, Seed: 3},
		{Count: 30_000, Days: 45, Seed: 4, End: time.Date(2024, 3, 1, 13, 17, 42, 123456789, time.FixedZone("X", 3600))},
	} {
		g := newGen(t, cfg)
		start, end := g.window()
		var prev time.Time
		n := 0
		if err := g.Generate(context.Background(), func(b []Event) error {
			for i := range b {
				r := &b[i].Record
				switch {
				case r.Time.Before(prev):
					t.Fatalf("%+v: event %d at %v, before %v", cfg, n, r.Time, prev)
				case r.Time.Before(start) || !r.Time.Before(end):
					t.Fatalf("%+v: event %d at %v, outside [%v, %v)", cfg, n, r.Time, start, end)
				case r.Time.Nanosecond()%100 != 0 || r.Time.Location() != time.UTC:
					t.Fatalf("event time %v is not whole UTC ticks", r.Time)
				case r.Ingested.Sub(r.Time) < 30*time.Second || r.Ingested.Sub(r.Time) > 5*time.Minute:
					t.Fatalf("ingested %v after the sign-in", r.Ingested.Sub(r.Time))
				}
				prev = r.Time
				n++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if int64(n) != cfg.Count {
			t.Errorf("%+v: %d events", cfg, n)
		}
	}
}

func TestStop(t *testing.T) {
	g := newGen(t, Config{Count: 20 * chunkSize, Seed: 1})
	stop := errors.New("stop")
	calls := 0
	err := g.Generate(context.Background(), func([]Event) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 3 {
		t.Errorf("Generate returned %v after %d calls, want the callback's error after 3", err, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	err = g.Generate(ctx, func([]Event) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Generate returned %v after the context was canceled", err)
	}

	if err := g.Write(context.Background(), signin.FormatDiag, failingWriter{}, nil); err == nil {
		t.Error("Write into a failing writer succeeded")
	}
	if err := g.Write(context.Background(), signin.FormatPortalCSV, &bytes.Buffer{}, nil); err == nil {
		t.Error("Write accepted the portal CSV, which is four files")
	}
	// A directory that cannot be made: its parent is a file.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := g.WritePortalCSV(context.Background(), filepath.Join(file, "portal"), nil); err == nil {
		t.Error("WritePortalCSV into a directory under a file succeeded")
	}
	paths, err := g.WritePortalCSV(context.Background(), filepath.Join(t.TempDir(), "new", "portal"), nil)
	if err != nil || len(paths) != 4 {
		t.Errorf("WritePortalCSV into a new directory: %v, %v", paths, err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestProgress(t *testing.T) {
	g := newGen(t, Config{Count: 2*chunkSize + 5, Seed: 1})
	var seen []int64
	if err := g.Write(context.Background(), signin.FormatDiag, &bytes.Buffer{}, func(n int64) { seen = append(seen, n) }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[len(seen)-1] != 2*chunkSize+5 {
		t.Errorf("progress reported %v", seen)
	}
}

func TestPortalFileNames(t *testing.T) {
	g := newGen(t, Config{Count: 1, Days: 30})
	want := []string{
		"InteractiveSignIns_2025-11-05_2025-12-04.csv", "NonInteractiveSignIns_2025-11-05_2025-12-04.csv",
		"ApplicationSignIns_2025-11-05_2025-12-04.csv", "MSISignIns_2025-11-05_2025-12-04.csv",
	}
	got := g.PortalFileNames()
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("file %d is %s, want %s", i, got[i], want[i])
		}
	}
}
