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

// TestMinMaxIf takes the least and the greatest of the rows it is given
// (those that satisfy its condition, which the executor chooses), as min
// and max do, and refuses a list field as they do.
func TestMinMaxIf(t *testing.T) {
	check(t, "minif", "latency", []string{"10", "20", "10"}, ints(30, signin.NoInt, 10), ints(20))
	check(t, "maxif", "app", []string{"Teams", "", "Teams"}, apps(t, "Teams", "", "Outlook"), apps(t))
	if _, err := (extreme{name: "maxif", sign: +1, cond: true}).Result(signin.Lookup("policy")); err == nil {
		t.Error("maxif of a list field was accepted")
	}
}
