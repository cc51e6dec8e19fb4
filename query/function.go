package query

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// fnApply is a function plugin applied to a field, with its other
// arguments constant: hour(time), subnet(ip, 24). Filters, group by keys
// and list's fields read the field's column and apply the function to
// each value (to each dictionary value once, when the column has a
// dictionary).
type fnApply struct {
	src    *ast.Call
	fn     plugins.Function
	col    *engine.Column // the first argument
	consts []result.Value // the other arguments
	kind   signin.Kind    // the result's
	field  *signin.Field  // the result, as a pseudo-field for typing operands
	args   sync.Pool      // *[]result.Value
	mu     sync.Mutex
	err    error // the first error (or panic) of Eval in a run
	// broken is set with err: the run's other calls give null at once,
	// as the query fails.
	broken atomic.Bool
	ctx    context.Context         // the run's, for a ContextFunction
	stop   context.CancelCauseFunc // stops the run, with the function's error
}

// function checks a call of a function plugin.
func (c *checker) function(call *ast.Call) (*fnApply, error) {
	if strings.EqualFold(call.Name, "bin") {
		return nil, errorf(call.Pos, "bin(duration) buckets times for group by; list takes fields and functions of a field (hour(time), date(time))")
	}
	pl, ok := c.reg.Lookup(call.Name)
	if !ok {
		return nil, errorf(call.Pos, "unknown function %q%s", call.Name, didYouMean(call.Name, c.reg.Names(plugins.KindFunction)))
	}
	fn, ok := pl.(plugins.Function)
	if !ok {
		if pl.Describe().Kind == plugins.KindAggregate {
			return nil, errorf(call.Pos, "%s is an aggregate, not a function of a sign-in's fields", call.Name)
		}
		return nil, errorf(call.Pos, "%s is a %s, not a function", call.Name, pl.Describe().Kind)
	}
	d := fn.Describe()
	if len(call.Args) == 0 || len(call.Args) > len(d.Args) {
		return nil, errorf(call.Pos, "%s takes %s", call.Name, d.Usage())
	}
	n, ok := call.Args[0].(*ast.Name)
	if !ok {
		return nil, errorf(call.Args[0].Position(), "%s's first argument is a field, not %s (%s)", call.Name, call.Args[0], d.Usage())
	}
	col, err := c.field(n)
	if err != nil {
		return nil, err
	}
	if col.Field.Kind == signin.KindList {
		return nil, errorf(n.Pos, "%s is a list of values; functions take fields of one value", col.Field.Name)
	}
	f := &fnApply{src: call, fn: fn, col: col}
	kinds := []signin.Kind{col.Field.Kind}
	for i, da := range d.Args[1:] {
		var text string
		var pos ast.Pos
		if i+1 < len(call.Args) {
			switch a := call.Args[i+1].(type) {
			case *ast.Literal:
				text, pos = a.Text, a.Pos
			case *ast.Name:
				text, pos = a.Name, a.Pos
			default:
				return nil, errorf(a.Position(), "%s's %s is a constant, not %s", call.Name, da.Name, a)
			}
		} else if da.Default != "" {
			text, pos = da.Default, call.Pos
		} else {
			return nil, errorf(call.Pos, "%s needs its %s argument (%s)", call.Name, da.Name, d.Usage())
		}
		v, err := constArg(da, text)
		if err != nil {
			return nil, errorf(pos, "%s's %s: %v", call.Name, da.Name, err)
		}
		f.consts = append(f.consts, v)
		kinds = append(kinds, v.Kind())
	}
	if f.kind, err = safeResult(fn, kinds); err != nil {
		return nil, errorf(call.Pos, "%v", err)
	}
	f.field = &signin.Field{Name: strings.ToLower(call.String()), Kind: f.kind}
	return f, nil
}

// constArg types a constant argument of a function by its descriptor.
func constArg(a plugins.Arg, text string) (result.Value, error) {
	switch a.Type {
	case plugins.ArgNumber:
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return result.IntValue(n), nil
		}
		x, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return result.Value{}, fmt.Errorf("%q is not a number", text)
		}
		return result.FloatValue(x), nil
	case plugins.ArgDuration:
		d, err := ast.ParseDuration(text)
		if errors.Is(err, ast.ErrDurationTooLong) {
			return result.Value{}, fmt.Errorf("%q is too long a duration: at most %s", text, ast.MaxDuration)
		}
		if err != nil {
			return result.Value{}, fmt.Errorf("%q is not a duration (1h, 15m, 7d)", text)
		}
		return result.IntValue(int64(d)), nil
	case plugins.ArgString:
		return result.StringValue(text), nil
	}
	return result.Value{}, fmt.Errorf("takes a %s, which a function cannot be given", a.Type)
}

// safeResult calls a function's Result, turning a panic into an error.
func safeResult(fn plugins.Function, kinds []signin.Kind) (k signin.Kind, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %w", fn.Describe().Name, pluginError(recovered(r)))
		}
	}()
	return fn.Result(kinds)
}

// eval applies the function to a value of its field. An error or panic
// is kept for the run to return (see failed), and gives the result's
// null; it stops the run at once, and the calls after it are not made.
func (f *fnApply) eval(v result.Value) (out result.Value) {
	if f.broken.Load() {
		return result.Null(f.kind)
	}
	args, _ := f.args.Get().(*[]result.Value)
	if args == nil {
		args = new([]result.Value)
	}
	*args = append(append((*args)[:0], v), f.consts...)
	defer func() {
		if r := recover(); r != nil {
			f.fail(pluginError(recovered(r)))
			out = result.Null(f.kind)
		}
		f.args.Put(args)
	}()
	var err error
	if cf, ok := f.fn.(plugins.ContextFunction); ok && f.ctx != nil {
		out, err = cf.EvalContext(f.ctx, *args)
	} else {
		out, err = f.fn.Eval(*args)
	}
	if err != nil {
		f.fail(err)
		return result.Null(f.kind)
	}
	if out.Kind() != f.kind {
		f.fail(fmt.Errorf("gave %s, not the %s it promised", out.Kind(), f.kind))
		return result.Null(f.kind)
	}
	return out
}

func (f *fnApply) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return
	}
	f.err = err
	f.broken.Store(true)
	if f.stop != nil {
		f.stop(f.queryError())
	}
}

// reset forgets the errors of an earlier run, and starts a run with
// ctx, which stop cancels.
func (f *fnApply) reset(ctx context.Context, stop context.CancelCauseFunc) {
	f.mu.Lock()
	f.err, f.ctx, f.stop = nil, ctx, stop
	f.broken.Store(false)
	f.mu.Unlock()
}

// failed returns the first error of the function in the run, as the
// query's, with the call's position.
func (f *fnApply) failed() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		return nil
	}
	return f.queryError()
}

func (f *fnApply) queryError() error {
	return &Error{Pos: f.src.Pos, Msg: fmt.Sprintf("%s: %v", f.src.Name, f.err), Err: f.err}
}

// rowValue is the function's result for row r of a decoded block of its
// field, whose dictionary (if any) is d.
func (f *fnApply) rowValue(v *engine.Vector, d *index.Dict, r uint32) result.Value {
	return f.eval(v.Value(d, r))
}

// idValue is the function's result for a dictionary value of its field.
func (f *fnApply) idValue(d *index.Dict, id uint32) result.Value {
	return f.eval(f.col.DictValue(d, id))
}

// fnCalls returns the functions a plan applies, to check after a run.
func (p *Plan) fnCalls() []*fnApply {
	var out []*fnApply
	var walk func(c cond)
	walk = func(c cond) {
		switch c := c.(type) {
		case *condAnd:
			for _, x := range c.xs {
				walk(x)
			}
		case *condOr:
			for _, x := range c.xs {
				walk(x)
			}
		case *condNot:
			walk(c.x)
		case *pred:
			if c.fn != nil {
				out = append(out, c.fn)
			}
		case *fieldCmp:
			for _, f := range []*fnApply{c.l.fn, c.r.fn} {
				if f != nil {
					out = append(out, f)
				}
			}
		}
	}
	walk(p.filter)
	for _, a := range p.aggs {
		walk(a.cond)
		if a.fn != nil {
			out = append(out, a.fn.fn)
		}
	}
	for _, k := range p.keys {
		if k.fn != nil {
			out = append(out, k.fn)
		}
	}
	for _, l := range p.listCols {
		if l.fn != nil {
			out = append(out, l.fn)
		}
	}
	return out
}
