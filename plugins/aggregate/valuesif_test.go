package aggregate

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// TestValuesif lists the distinct present values of the rows it is given
// (those that satisfy its condition), per part and merged, as values does.
func TestValuesif(t *testing.T) {
	check(t, "valuesif", "app", []string{"Outlook, Teams", "Azure Portal, Teams", "Azure Portal, Outlook, Teams"},
		apps(t, "Teams", "", "Outlook", "Teams"), apps(t, "Azure Portal", "Teams"))
	check(t, "valuesif", "latency", []string{"", "7", "7"}, ints(signin.NoInt), ints(7, 7))
}
