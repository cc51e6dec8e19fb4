package function

import (
	"fmt"

	"github.com/signinq/signinq/engine/signin"
)

// wantKinds checks a function's arguments against the kinds it takes.
func wantKinds(name string, got []signin.Kind, want ...signin.Kind) error {
	if len(got) != len(want) {
		return fmt.Errorf("%s takes %d arguments, not %d", name, len(want), len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			return fmt.Errorf("%s takes %s as argument %d, not %s", name, want[i], i+1, got[i])
		}
	}
	return nil
}
