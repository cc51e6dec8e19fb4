package aggregate

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// TestValues lists the distinct present values in byte order, per part
// and merged across parts (a value in two parts once), of a
// dictionary-coded field, an int field and a list field (each element a
// value); without a present value the list is empty.
func TestValues(t *testing.T) {
	check(t, "values", "app", []string{"Outlook, Teams", "Azure Portal, Teams", "Azure Portal, Outlook, Teams"},
		apps(t, "Teams", "", "Outlook", "Teams"), apps(t, "Azure Portal", "Teams"))
	check(t, "values", "latency", []string{"10, 30", "", "10, 30"}, ints(30, signin.NoInt, 10), ints(signin.NoInt))
	check(t, "values", "authMethod", []string{"Password, SMS", "FIDO2", "FIDO2, Password, SMS"},
		methods(t, []string{"SMS", "Password"}, nil), methods(t, []string{"FIDO2"}))
}
