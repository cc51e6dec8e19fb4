package standard

import (
	"strings"
	"testing"

	"github.com/signinq/signinq/plugins"
)

// TestNew checks that the standard registry holds the built-ins, and
// that each New is the caller's own.
func TestNew(t *testing.T) {
	r := New()
	if got := strings.Join(r.Names(plugins.KindAggregate), " "); got != "avg count countif dcount dcountif max min sum values" {
		t.Errorf("aggregates: %s", got)
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
