package gen

import (
	"context"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// testEnd is the end of the test window.
var testEnd = time.Date(2025, 12, 5, 0, 0, 0, 0, time.UTC)

// newGen returns a generator for a test, failing it on error.
func newGen(t testing.TB, cfg Config) *Generator {
	t.Helper()
	if cfg.End.IsZero() {
		cfg.End = testEnd
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// collect returns copies of all the events of g.
func collect(t testing.TB, g *Generator) []Event {
	t.Helper()
	var evs []Event
	if err := g.Generate(context.Background(), func(b []Event) error {
		evs = append(evs, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return evs
}

// byType counts events by sign-in type.
func byType(evs []Event) map[signin.Type]int {
	m := map[signin.Type]int{}
	for i := range evs {
		m[evs[i].Record.Type]++
	}
	return m
}
