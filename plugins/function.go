package plugins

import (
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

// Function computes a value from values, wherever a field may stand: in
// filters, group by and list fields (hour(time), domain(user)).
type Function interface {
	Plugin
	// Result checks the kinds of the arguments and returns the kind of
	// value the function computes.
	Result(args []signin.Kind) (signin.Kind, error)
	// Eval computes the function. It must not keep args.
	Eval(args []engine.Value) engine.Value
}
