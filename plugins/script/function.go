package script

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// function is a function a script declares. It holds only frozen values
// and is safe for concurrent use: each call of Eval runs on a Starlark
// thread of its own.
type function struct {
	callers sync.Pool // *caller
	sb      *sandbox
	desc    plugins.Descriptor
	args    []*argValue
	eval    starlark.Callable
	result  signin.Kind
	pos     syntax.Position // of its declaration
}

// Interface guard.
var _ plugins.ContextFunction = (*function)(nil)

func (f *function) Describe() plugins.Descriptor { return f.desc }

// Result checks the number of arguments, and the kinds of field
// arguments against those their declaration accepts.
func (f *function) Result(args []signin.Kind) (signin.Kind, error) {
	required := 0
	for i, a := range f.args {
		if a.arg.Default == "" {
			required = i + 1
		}
	}
	if len(args) < required || len(args) > len(f.args) {
		return 0, fmt.Errorf("%s takes %s arguments (%s)", f.desc.Name, count(required, len(f.args)), f.desc.Usage())
	}
	for i, k := range args {
		a := f.args[i]
		if len(a.kinds) > 0 && !slices.Contains(a.kinds, k) {
			var want []string
			for _, k := range a.kinds {
				want = append(want, kindName(k))
			}
			return 0, fmt.Errorf("%s's %s is %s, not %s", f.desc.Name, a.arg.Name, strings.Join(want, " or "), article(kindName(k)))
		}
	}
	return f.result, nil
}

func count(min, max int) string {
	if min == max {
		return fmt.Sprint(min)
	}
	return fmt.Sprintf("%d to %d", min, max)
}

// caller is a thread that calls a function, kept for the next call once
// it is done (a thread per call made a third of a short call's time).
type caller struct {
	th    *starlark.Thread
	r     *run
	timer *time.Timer // the time limit's
}

// caller returns a thread for a call under ctx, with the limits of a
// call, and its time limit started.
func (f *function) caller(ctx context.Context) *caller {
	c, _ := f.callers.Get().(*caller)
	if c == nil {
		th, r := f.sb.thread(f.desc.Name, f.sb.opts.MaxCallSteps, "per call", nil)
		c = &caller{th: th, r: r}
		c.timer = time.AfterFunc(f.sb.opts.TimeLimit, func() {
			r.stop(th, limitf("time limit of %v exceeded (per call)", f.sb.opts.TimeLimit))
		})
	} else {
		c.timer.Reset(f.sb.opts.TimeLimit)
	}
	c.r.ctx, c.r.done = nil, nil
	if ctx.Done() != nil {
		c.r.ctx, c.r.done = ctx, ctx.Done()
	}
	c.r.restart(c.th)
	return c
}

// Eval is EvalContext without a context.
func (f *function) Eval(args []result.Value) (result.Value, error) {
	return f.EvalContext(context.Background(), args)
}

// EvalContext calls the script's eval with the arguments, and the
// declared defaults of those omitted, on a new thread under the limits
// of a call (steps, memory, time), stopped as soon as ctx is done. It
// returns an *Error naming the script's line when eval fails, reaches a
// limit (errors.Is ErrLimit) or is stopped (errors.Is ctx.Err()), or
// returns a value not of the declared result kind.
func (f *function) EvalContext(ctx context.Context, args []result.Value) (result.Value, error) {
	if err := ctx.Err(); err != nil {
		return result.Value{}, errorAt(f.pos, "%s: %v", f.desc.Name, &cancelled{err}).wrap(&cancelled{err})
	}
	if len(args) > len(f.args) {
		return result.Value{}, fmt.Errorf("%s takes %d arguments, not %d", f.desc.Name, len(f.args), len(args))
	}
	in := make(starlark.Tuple, len(f.args))
	for i, a := range f.args {
		if i < len(args) {
			in[i] = toStarlark(args[i])
			if a.arg.Type == plugins.ArgDuration && args[i].Kind() == signin.KindInt && !args[i].IsNull() {
				in[i] = seconds(time.Duration(args[i].Int())) // the query gives nanoseconds
			}
			continue
		}
		if a.def == nil {
			return result.Value{}, fmt.Errorf("%s needs its %s argument (%s)", f.desc.Name, a.arg.Name, f.desc.Usage())
		}
		in[i] = a.def
	}
	c := f.caller(ctx)
	res, err := safely(func() (starlark.Value, error) { return starlark.Call(c.th, f.eval, in, nil) })
	if c.timer.Stop() && c.r.reason() == nil {
		defer f.callers.Put(c) // after scriptError has read it
	}
	if err != nil {
		return result.Value{}, scriptError(err, f.pos, f.desc.Name+": ", c.r)
	}
	v, err := fromStarlark(res, f.result)
	if err != nil {
		pos := f.pos
		if fn, ok := f.eval.(*starlark.Function); ok {
			pos = fn.Position()
		}
		return result.Value{}, errorAt(pos, "%s returned the wrong kind of value: %v", f.desc.Name, err)
	}
	return v, nil
}
