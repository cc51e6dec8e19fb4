package standard

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/plugins"
)

// TestNew checks that the standard registry holds every built-in, each
// of its kind, and nothing else (a new built-in needs no change here),
// that the output formats are the three the command documents, and that
// each New is the caller's own.
func TestNew(t *testing.T) {
	r := New()
	var want []string
	for _, p := range builtins() {
		want = append(want, p.Describe().Name)
		if got, ok := r.Lookup(p.Describe().Name); !ok || got.Describe().Kind != p.Describe().Kind {
			t.Errorf("%s: not registered as a %v", p.Describe().Name, p.Describe().Kind)
		}
	}
	slices.Sort(want)
	if got := r.Names(0); !slices.Equal(got, want) {
		t.Errorf("registered %v, want %v", got, want)
	}
	for _, name := range []string{"count", "hour", "spray", "travel", "diag", "table"} {
		if _, ok := r.Lookup(name); !ok {
			t.Errorf("no %s", name)
		}
	}
	if got := strings.Join(r.Names(plugins.KindWriter), " "); got != "csv json table" {
		t.Errorf("writers: %s", got)
	}
	r.Remove("count")
	if _, ok := New().Lookup("count"); !ok {
		t.Error("removing from one New's registry changed another's")
	}
	if _, ok := Registry().Lookup("count"); !ok {
		t.Error("removing from New's registry changed the shared one")
	}
}

// TestEveryStagePackage checks that each package under plugins/stage
// (but internal) is a stage the standard registry holds, by the package's
// name: a new stage's package that standard.go forgets fails here rather
// than going missing from the command.
func TestEveryStagePackage(t *testing.T) {
	entries, err := os.ReadDir("../stage")
	if err != nil {
		t.Fatal(err)
	}
	r, n := New(), 0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "internal" || e.Name() == "testdata" {
			continue
		}
		n++
		pl, ok := r.Lookup(e.Name())
		if _, isStage := pl.(plugins.Stage); !ok || !isStage {
			t.Errorf("plugins/stage/%s is not a stage of the standard registry: add its New to standard.go", e.Name())
		}
	}
	if n == 0 {
		t.Fatal("no stage packages found under ../stage")
	}
}
