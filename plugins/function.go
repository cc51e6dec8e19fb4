package plugins

import (
	"context"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// Function computes a value from values, wherever a field may stand: in
// filters, group by and list fields (hour(time), domain(user)). Its first
// argument is a field; the others are constants as the query writes them
// (subnet(ip, 24)), which Eval receives as numbers or text.
type Function interface {
	Plugin
	// Result checks the kinds of the arguments and returns the kind of
	// value the function computes. It is called once per query.
	Result(args []signin.Kind) (signin.Kind, error)
	// Eval computes the function. It may be called from several
	// goroutines at once, and must not keep args. A value the function
	// has no answer for is result.Null of its kind (a sign-in without
	// the field gives Eval the field's null, or "" for text). An error
	// ends the query; a panic is turned into one.
	Eval(args []result.Value) (result.Value, error)
}

// ContextFunction is a Function that may compute for long enough that a
// query's end must stop it (a script's, whose calls have limits of their
// own): a query calls EvalContext, with its context, instead of Eval. An
// error that the context's end caused wraps ctx.Err().
type ContextFunction interface {
	Function
	EvalContext(ctx context.Context, args []result.Value) (result.Value, error)
}
