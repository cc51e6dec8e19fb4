package aggregate

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// TestDcount counts distinct present values, per part and merged across
// parts (a value in two parts counts once), of a dictionary-coded field,
// an int field and a list field (each element a value).
func TestDcount(t *testing.T) {
	check(t, "dcount", "app", []string{"2", "2", "3"}, apps(t, "Teams", "", "Teams", "Outlook"), apps(t, "Teams", "Azure Portal"))
	check(t, "dcount", "latency", []string{"2", "2", "3"}, ints(30, signin.NoInt, 10, 30), ints(10, 20))
	check(t, "dcount", "authMethod", []string{"2", "1", "3"},
		methods(t, []string{"Password", "SMS"}, nil, []string{"Password"}), methods(t, []string{"FIDO2"}))
	check(t, "dcount", "app", []string{"0", "0"}, apps(t, "", ""))
}
