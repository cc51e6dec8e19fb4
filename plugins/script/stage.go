package script

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"

	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// stage is a stage a script declares. It holds only frozen values and is
// safe for concurrent use; each Bind makes a runner of its own.
type stage struct {
	sb     *sandbox
	desc   plugins.Descriptor
	run    starlark.Callable
	needs  []string
	where  ast.Expr // nil for none
	output []result.Column
	pos    syntax.Position // of its declaration
}

// needer is a stage that declares the fields it needs.
type needer struct{ *stage }

// Interface guards.
var (
	_ plugins.Stage  = (*stage)(nil)
	_ plugins.Needer = (*needer)(nil)
)

func (s *stage) Describe() plugins.Descriptor { return s.desc }

// Needs returns the declared fields and condition.
func (s *needer) Needs(*plugins.Args) (plugins.Needs, error) {
	return plugins.Needs{Fields: slices.Clone(s.needs), Where: s.where}, nil
}

// Bind gives the script the arguments as their types read (see
// argToStarlark) and checks that a field argument names a column of the
// input, that the input has the fields the stage needs, and none of its
// output columns.
func (s *stage) Bind(args *plugins.Args, in []result.Column) (plugins.Runner, error) {
	bound := starlark.NewDict(len(s.desc.Args))
	has := func(name string) bool {
		return slices.ContainsFunc(in, func(c result.Column) bool { return c.Name == name })
	}
	for _, a := range s.desc.Args {
		if a.Type == plugins.ArgField && !has(args.Text(a.Name)) {
			return nil, args.Error(a.Name, "is not a column of the rows before "+s.desc.Name)
		}
		_ = bound.SetKey(starlark.String(a.Name), argToStarlark(args, a)) // a new dict of str keys: cannot fail
	}
	bound.Freeze()
	for _, f := range s.needs {
		if !has(f) {
			return nil, fmt.Errorf("needs the field %s, which the rows before it lack (list it, or write list without fields)", f)
		}
	}
	cols := slices.Clone(in)
	for _, c := range s.output {
		if has(c.Name) {
			return nil, fmt.Errorf("would add a column %s, which the rows before it have already", c.Name)
		}
		cols = append(cols, c)
	}
	return &runner{stage: s, args: bound, in: in, out: cols}, nil
}

// runner is a bound stage.
type runner struct {
	*stage
	args    *starlark.Dict
	in, out []result.Column
}

func (r *runner) Columns() []result.Column { return r.out }

// Run calls the script's run(rows, ctx) on a thread of its own, under
// the limits (steps and memory per row read, time per run), and
// cancelled with ctx.
func (r *runner) Run(ctx context.Context, env *plugins.Env, in iter.Seq[[]result.Value], emit func([]result.Value) error) error {
	th, lim := r.sb.thread(r.desc.Name, r.sb.opts.MaxSteps, "per row", nil)
	stop := r.sb.limit(th, lim, "per run of a stage")
	defer stop()
	stopCtx := context.AfterFunc(ctx, func() { lim.stop(th, &cancelled{ctx.Err()}) })
	defer stopCtx()

	next, stopPull := iter.Pull(in)
	defer stopPull()
	rows := &rowIter{names: names(r.in), next: func() ([]result.Value, bool) {
		lim.restart(th)
		return next()
	}}

	var emitErr error // the error of what follows, returned as it is
	emitFn := starlark.NewBuiltin("emit", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		if err := starlark.UnpackPositionalArgs("emit", args, kwargs, 1, &x); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row, err := r.row(x)
		if err != nil {
			return nil, err
		}
		if err := emit(row); err != nil {
			emitErr = err
			return nil, err
		}
		return starlark.None, nil
	})
	var now, since, until starlark.Value = starlark.None, starlark.None, starlark.None
	if env != nil {
		if !env.Now.IsZero() {
			now = Time{ns: env.Now.UnixNano()}
		}
		since, until = bound(env.From, math.MinInt64), bound(env.To, math.MaxInt64)
	}
	c := starlarkstruct.FromStringDict(starlark.String("ctx"), starlark.StringDict{
		"args":    r.args,
		"columns": names(r.in),
		"output":  names(r.out),
		"now":     now,
		"since":   since,
		"until":   until,
		"emit":    emitFn,
	})

	res, err := safely(func() (starlark.Value, error) { return starlark.Call(th, r.run, starlark.Tuple{rows, c}, nil) })
	switch {
	case emitErr != nil:
		return emitErr
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return scriptError(err, r.pos, "", lim)
	case res != starlark.None:
		return scriptError(fmt.Errorf("run returned %s; it emits rows with ctx.emit(row) and returns None", article(res.Type())), r.pos, "", nil)
	}
	return nil
}

// row converts a row a script emits: a dict by column name, the columns
// it lacks null, or a list or tuple of every column in order.
func (r *runner) row(x starlark.Value) ([]result.Value, error) {
	out := make([]result.Value, len(r.out))
	switch v := x.(type) {
	case *starlark.Dict:
		found := 0
		for i, c := range r.out {
			cell, ok, err := v.Get(starlark.String(c.Name))
			if err != nil {
				return nil, err
			}
			if !ok {
				out[i] = result.Null(c.Kind)
				continue
			}
			found++
			if out[i], err = fromStarlark(cell, c.Kind); err != nil {
				return nil, fmt.Errorf("emit: column %s: %v", c.Name, err)
			}
		}
		if found < v.Len() {
			for _, k := range v.Keys() {
				if s, ok := k.(starlark.String); !ok || !slices.ContainsFunc(r.out, func(c result.Column) bool { return c.Name == string(s) }) {
					return nil, fmt.Errorf("emit: the row has a key %s, which is none of the stage's columns %s", truncate(k.String()), names(r.out))
				}
			}
		}
	case starlark.Tuple, *starlark.List:
		seq := v.(starlark.Indexable)
		if seq.Len() != len(r.out) {
			return nil, fmt.Errorf("emit: a row of %d values for %d columns %s", seq.Len(), len(r.out), names(r.out))
		}
		for i, c := range r.out {
			var err error
			if out[i], err = fromStarlark(seq.Index(i), c.Kind); err != nil {
				return nil, fmt.Errorf("emit: column %s: %v", c.Name, err)
			}
		}
	default:
		return nil, fmt.Errorf("emit: a row is a dict or a list, not %s", article(x.Type()))
	}
	return out, nil
}

func names(cols []result.Column) starlark.Tuple {
	t := make(starlark.Tuple, len(cols))
	for i, c := range cols {
		t[i] = starlark.String(c.Name)
	}
	return t
}

// bound is an end of the query's time range: a time, or None when open.
func bound(ns, open int64) starlark.Value {
	if ns == open {
		return starlark.None
	}
	return Time{ns: ns}
}

// rowIter is the rows a stage reads: an iterable of dicts, by column
// name, read once as a stream.
type rowIter struct {
	names starlark.Tuple
	next  func() ([]result.Value, bool)
	done  bool
}

var _ starlark.Iterable = (*rowIter)(nil)

func (r *rowIter) String() string             { return "<rows>" }
func (r *rowIter) Type() string               { return "rows" }
func (r *rowIter) Freeze()                    {}
func (r *rowIter) Truth() starlark.Bool       { return true }
func (r *rowIter) Hash() (uint32, error)      { return 0, errors.New("unhashable type: rows") }
func (r *rowIter) Iterate() starlark.Iterator { return r }

func (r *rowIter) Next(p *starlark.Value) bool {
	if r.done {
		return false
	}
	row, ok := r.next()
	if !ok {
		r.done = true
		return false
	}
	d := starlark.NewDict(len(r.names))
	for i, name := range r.names {
		if i < len(row) {
			_ = d.SetKey(name, toStarlark(row[i])) // a new dict of str keys: cannot fail
		}
	}
	*p = d
	return true
}

func (r *rowIter) Done() {}
