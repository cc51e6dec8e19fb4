package standard

import (
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/aggregate"
	"github.com/signinq/signinq/plugins/format"
	"github.com/signinq/signinq/plugins/function"
	"github.com/signinq/signinq/plugins/stage"
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

// TestEveryBuiltin checks that the standard registry holds, of each
// kind, exactly the plugins the built-ins' packages list (their All,
// which each package's TestAll keeps current with its files): a new
// built-in cannot go missing from the command, nor a stage be taken for
// an aggregate. A stage is every type of package stage with a Describe
// method (see plugins/stage/all.go).
func TestEveryBuiltin(t *testing.T) {
	want := map[plugins.Kind][]string{}
	add := func(p plugins.Plugin) {
		d := p.Describe()
		want[d.Kind] = append(want[d.Kind], d.Name)
	}
	for _, p := range slices.Concat(aggregate.All(), function.All(), format.All()) {
		add(p)
	}
	for _, s := range stage.All() {
		add(s)
	}
	if len(want[plugins.KindStage]) == 0 || len(want[plugins.KindAggregate]) == 0 || len(want[plugins.KindFunction]) == 0 {
		t.Fatalf("a kind of built-in is missing: %v", want)
	}
	r, n := New(), 0
	for kind, names := range want {
		slices.Sort(names)
		n += len(names)
		if got := r.Names(kind); !slices.Equal(got, names) {
			t.Errorf("%v: registered %v, want %v", kind, got, names)
		}
	}
	if got := r.Names(0); len(got) != n {
		t.Errorf("registered %d plugins (%v), the packages list %d", len(got), got, n)
	}
	for _, name := range want[plugins.KindStage] {
		if pl, _ := r.Lookup(name); pl == nil {
			t.Errorf("no stage %s", name)
		} else if _, ok := pl.(plugins.Stage); !ok {
			t.Errorf("%s is not a plugins.Stage", name)
		}
	}
}
