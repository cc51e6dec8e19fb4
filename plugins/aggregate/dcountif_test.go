package aggregate

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// TestDcountif counts distinct present values of the rows it is given
// (those that satisfy its condition), per part and merged.
func TestDcountif(t *testing.T) {
	check(t, "dcountif", "app", []string{"2", "2", "3"}, apps(t, "Teams", "", "Teams", "Outlook"), apps(t, "Teams", "Azure Portal"))
	check(t, "dcountif", "latency", []string{"0", "1", "1"}, ints(signin.NoInt), ints(7, 7))
	check(t, "dcountif", "authMethod", []string{"1", "1"}, methods(t, []string{"SMS", "SMS"}))
}
