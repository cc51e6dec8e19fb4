package aggregate

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// TestCount counts rows, absent values among them, per part and merged,
// and counts given without rows (Counter) and merged without partials
// (Merger).
func TestCount(t *testing.T) {
	check(t, "count", "", []string{"3", "1", "4"}, ints(30, signin.NoInt, 10), ints(20))
	check(t, "count", "", []string{"0", "0"}, ints())
	acc := count{}.NewAcc(plugins.Input{})
	acc.(plugins.Counter).AddCount(2, 5)
	acc.(plugins.Counter).AddCount(2, 2)
	if got := acc.Partial(2).Value().String(); got != "7" {
		t.Errorf("AddCount 5 then 2 = %s, want 7", got)
	}
	if got := acc.Partial(9).Value().String(); got != "0" {
		t.Errorf("a group never seen = %s, want 0", got)
	}
	p := acc.Partial(2)
	acc.(plugins.Merger).MergeInto(2, p)
	acc.(plugins.Merger).MergeInto(9, p)
	if got := p.Value().String(); got != "14" {
		t.Errorf("MergeInto = %s, want 14", got)
	}
}
