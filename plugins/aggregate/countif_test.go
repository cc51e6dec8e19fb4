package aggregate

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

// TestCountif counts the rows it is given (the executor gives it those
// that satisfy its condition), absent values among them, per part and
// merged.
func TestCountif(t *testing.T) {
	check(t, "countif", "", []string{"3", "1", "4"}, ints(30, signin.NoInt, 10), ints(20))
	check(t, "countif", "", []string{"0", "2", "2"}, ints(), ints(1, 2))
}
