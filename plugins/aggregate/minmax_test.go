package aggregate

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// TestMinMax takes the least and the greatest present value, per part
// and merged, of numbers and of strings (in byte order); without a
// present value the answer is null (printed empty), and merging a null
// changes nothing.
func TestMinMax(t *testing.T) {
	check(t, "min", "latency", []string{"10", "20", "10"}, ints(30, signin.NoInt, 10), ints(20))
	check(t, "max", "latency", []string{"30", "20", "30"}, ints(30, signin.NoInt, 10), ints(20))
	check(t, "min", "latency", []string{"", "-5", "-5"}, ints(signin.NoInt), ints(-5, 3))
	check(t, "max", "latency", []string{"3", "", "3"}, ints(-5, 3), ints())
	check(t, "min", "app", []string{"Outlook", "Azure Portal", "Azure Portal"}, apps(t, "Teams", "", "Outlook"), apps(t, "Azure Portal"))
	check(t, "max", "app", []string{"Teams", "Azure Portal", "Teams"}, apps(t, "Teams", "", "Outlook"), apps(t, "Azure Portal"))
	if _, err := (extreme{name: "min", sign: -1}).Result(signin.Lookup("authMethod")); err == nil {
		t.Error("min of a list field was accepted")
	}
}
