package aggregate

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// TestDistinctMergeInto folds a part's distinct values straight into
// another part's partial (Merger), as the executor does instead of
// making a partial: the merged set is the union, whether the part's
// values are dictionary ids or values.
func TestDistinctMergeInto(t *testing.T) {
	for _, tc := range []struct {
		field string
		a, b  part
		want  string
	}{
		{"app", apps(t, "Teams", "", "Outlook"), apps(t, "Azure Portal", "Teams"), "Azure Portal, Outlook, Teams"},
		{"latency", ints(30, signin.NoInt, 10), ints(20, 30), "10, 20, 30"},
	} {
		f := signin.Lookup(tc.field)
		into := values{}.NewAcc(plugins.Input{Field: f, Dict: tc.a.dict})
		into.Add(make([]uint32, tc.a.vec.Rows), seq(tc.a.vec.Rows), &tc.a.vec)
		p := into.Partial(0)
		from := values{}.NewAcc(plugins.Input{Field: f, Dict: tc.b.dict})
		from.Add(make([]uint32, tc.b.vec.Rows), seq(tc.b.vec.Rows), &tc.b.vec)
		from.(plugins.Merger).MergeInto(0, p)
		from.(plugins.Merger).MergeInto(5, p) // a group it never saw: nothing
		if got := p.Value().String(); got != tc.want {
			t.Errorf("%s: merged %q, want %q", tc.field, got, tc.want)
		}
	}
}

// seq returns 0, 1, ..., n-1.
func seq(n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = uint32(i)
	}
	return out
}
