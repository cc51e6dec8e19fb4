package script

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// The limits a script runs under unless Options say otherwise
// (DefaultMaxMemory is in memory.go).
const (
	DefaultMaxSteps     = 10_000_000
	DefaultMaxCallSteps = 100_000
	DefaultTimeLimit    = 5 * time.Second
)

// MaxScriptSize bounds the size of a script file: Load refuses a larger
// one without reading it.
const MaxScriptSize = 4 << 20

// Options configure Load. The zero value is the defaults.
type Options struct {
	// MaxSteps bounds the Starlark computation steps of a script when it
	// loads, and in a stage's run between two rows it reads (and after
	// the last). Zero means DefaultMaxSteps.
	MaxSteps uint64
	// MaxCallSteps bounds the steps of each call of a function's eval.
	// A function computes a value of one sign-in, in tens or hundreds of
	// steps; the limit, a few milliseconds, stops a runaway function at
	// its first call, and a query calling it fails then, with its error,
	// instead of paying MaxSteps on each of millions of rows. Zero means
	// DefaultMaxCallSteps.
	MaxCallSteps uint64
	// MaxMemory bounds the bytes a script makes in operations that make
	// values in proportion to their operands (repetition, concatenation,
	// formatting, join, list(range(n)), slices, big integers; see
	// memory.go), garbage included: when it loads, in each call of a
	// function, and for each row a stage reads. An operation that would
	// go over fails before it allocates. Zero means DefaultMaxMemory.
	MaxMemory int64
	// TimeLimit bounds the time a script takes: to load, in each call of
	// a function's eval, and in each run of a stage (one per query).
	// Zero means DefaultTimeLimit.
	TimeLimit time.Duration
	// Print receives what scripts print, a line at a time, prefixed with
	// the script's file and line; nil discards it. Writes are
	// serialized.
	Print io.Writer
	// ParseCondition reads the condition a stage declares with where,
	// written in the query language: query.ParseCondition. (The
	// language's parser is package query's, which plugins cannot
	// import.) A script that declares a where does not load without it.
	ParseCondition func(text string) (ast.Expr, error)
}

func (o Options) withDefaults() Options {
	if o.MaxSteps == 0 {
		o.MaxSteps = DefaultMaxSteps
	}
	if o.MaxCallSteps == 0 {
		o.MaxCallSteps = DefaultMaxCallSteps
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = DefaultMaxMemory
	}
	if o.TimeLimit <= 0 {
		o.TimeLimit = DefaultTimeLimit
	}
	return o
}

// DefaultDir returns where the command looks for plugin scripts:
// signinq/plugins in the user's configuration directory
// ($XDG_CONFIG_HOME/signinq/plugins, else ~/.config/signinq/plugins on
// Unix; see os.UserConfigDir for other systems).
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("script: no default plugins directory: %w", err)
	}
	return filepath.Join(d, "signinq", "plugins"), nil
}

// Error is the error of a script: where in which script, and what. Its
// text is "file:line:col: message".
type Error struct {
	File      string // the script's path, as Load found it
	Line, Col int    // 0 when unknown
	Msg       string
	// Backtrace is Starlark's call stack at a runtime error, innermost
	// call last; "" for other errors.
	Backtrace string
	err       error
}

func (e *Error) Error() string {
	switch {
	case e.Line == 0:
		return e.File + ": " + e.Msg
	case e.Col == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Unwrap returns the error the script's error stands for, if any: a
// limit's (ErrLimit), the context's when a query's end stopped it.
func (e *Error) Unwrap() error { return e.err }

func (e *Error) wrap(err error) *Error {
	e.err = err
	return e
}

// errorAt makes an error at a position of a script.
func errorAt(pos syntax.Position, format string, args ...any) *Error {
	return &Error{File: pos.Filename(), Line: int(pos.Line), Col: int(pos.Col), Msg: fmt.Sprintf(format, args...)}
}

// scriptError turns an error of Starlark into an *Error at the innermost
// position in a script that it knows, else at pos. prefix goes before
// its message ("vpn: "). r is the run that failed, which knows the limit
// that stopped it, if any (nil when it did not run).
func scriptError(err error, pos syntax.Position, prefix string, r *run) error {
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	var ee *starlark.EvalError
	var sx syntax.Error
	var rl resolve.ErrorList
	switch {
	case errors.As(err, &ee):
		stack := ownFrames(ee.CallStack)
		for i := len(stack) - 1; i >= 0; i-- {
			if p := stack[i].Pos; p.IsValid() && p.Filename() != "<builtin>" {
				pos = p
				break
			}
		}
		msg, cause := ee.Msg, errors.Unwrap(ee)
		if r != nil {
			if why := r.reason(); why != nil { // a limit, or the query's end, cancelled the thread
				msg, cause = why.Error(), why
			}
		}
		e := errorAt(pos, "%s%s", prefix, msg)
		trace := *ee
		trace.CallStack, trace.Msg = stack, msg
		e.Backtrace, e.err = trace.Backtrace(), cause
		return e
	case errors.As(err, &sx):
		return errorAt(sx.Pos, "%s", sx.Msg)
	case errors.As(err, &rl) && len(rl) > 0:
		e := errorAt(rl[0].Pos, "%s", rl[0].Msg)
		if len(rl) > 1 {
			e.Msg += fmt.Sprintf(" (and %d more errors)", len(rl)-1)
		}
		return e
	}
	e := errorAt(pos, "%s%v", prefix, err)
	e.err = err
	return e
}

// fileOptions are the dialect scripts are written in: while loops, sets
// and top-level if/for allowed; recursion and reassigning globals not.
var fileOptions = &syntax.FileOptions{Set: true, While: true, TopLevelControl: true}

// ownFrames leaves the checked builtins (rewrite.go) out of a call
// stack: the script's own calls remain.
func ownFrames(stack starlark.CallStack) starlark.CallStack {
	out := make(starlark.CallStack, 0, len(stack))
	for _, fr := range stack {
		if !strings.HasPrefix(fr.Name, hidden) {
			out = append(out, fr)
		}
	}
	return out
}

// callerPos is the position in a script of the call of the builtin
// running on th, past the checked builtins.
func callerPos(th *starlark.Thread) syntax.Position {
	for d := 1; d < th.CallStackDepth(); d++ {
		if fr := th.CallFrame(d); !strings.HasPrefix(fr.Name, hidden) {
			return fr.Pos
		}
	}
	return th.CallFrame(1).Pos
}

// sandbox makes threads (limits.go): without load, with the limits of
// the options and print going to Options.Print.
type sandbox struct {
	opts Options
	mu   sync.Mutex // serializes opts.Print
}

func (s *sandbox) print(th *starlark.Thread, msg string) {
	if s.opts.Print == nil {
		return
	}
	pos := callerPos(th)
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.opts.Print, "%s:%d: %s\n", pos.Filename(), pos.Line, msg)
}

// Load loads every *.star file of dir, in the order of their names, and
// registers the stages and functions they declare into reg. Each script
// runs once, in its own sandbox; its plugins are registered all or none.
// A script that fails (a syntax error, an error while it runs, a limit
// reached, a bad declaration, a name reg already holds) does not stop
// the others: Load returns the errors of the scripts that failed,
// joined, each an *Error naming the file and line. A directory that does
// not exist gives an error that errors.Is fs.ErrNotExist.
//
// The plugins Load registers are safe for concurrent use, as the
// registry requires.
func Load(dir string, reg *plugins.Registry, opts Options) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("script: %w", err)
	}
	sb := &sandbox{opts: opts.withDefaults()}
	var errs []error
	for _, e := range entries { // sorted by name
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".star") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		src, err := readScript(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := sb.load(path, src, reg); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// declarations gathers what a script declares while it loads.
type declarations struct {
	sb      *sandbox
	plugins []plugins.Plugin
	pos     []syntax.Position // where each was declared
}

const declKey = "signinq.declarations"

// readScript reads a script, refusing one over MaxScriptSize.
func readScript(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("script: %w", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxScriptSize+1))
	if err != nil {
		return nil, fmt.Errorf("script: %w", err)
	}
	if len(src) > MaxScriptSize {
		return nil, errorAt(syntax.MakePosition(&path, 0, 0), "a script is at most %d MiB: this one is larger", MaxScriptSize>>20)
	}
	return src, nil
}

// compile parses a script, routes its operations through the checked
// builtins (rewrite.go) and compiles it. The script is resolved as it
// is written first, so that its errors of names are those Starlark
// gives, in its order.
func compile(path string, src []byte) (*starlark.Program, error) {
	f, err := fileOptions.Parse(path, src, 0)
	if err != nil {
		return nil, err
	}
	if err := resolve.File(f, predeclared.Has, starlark.Universe.Has); err != nil {
		return nil, err
	}
	if err := rewriteFile(f); err != nil {
		return nil, err
	}
	return starlark.FileProgram(f, predeclared.Has)
}

// load runs one script and registers what it declares.
func (sb *sandbox) load(path string, src []byte, reg *plugins.Registry) error {
	prog, err := compile(path, src)
	if err != nil {
		return scriptError(err, syntax.MakePosition(&path, 0, 0), "", nil)
	}
	th, r := sb.thread(filepath.Base(path), sb.opts.MaxSteps, "loading", nil)
	decls := &declarations{sb: sb}
	th.SetLocal(declKey, decls)
	stop := sb.limit(th, r, "loading")
	var globals starlark.StringDict
	_, err = safely(func() (starlark.Value, error) {
		var err error
		globals, err = prog.Init(th, predeclared)
		return starlark.None, err
	})
	globals.Freeze()
	stop()
	if err != nil {
		return scriptError(err, syntax.MakePosition(&path, 0, 0), "", r)
	}
	if len(decls.plugins) == 0 {
		return errorAt(syntax.MakePosition(&path, 0, 0), "declares no stage or function")
	}
	for i, p := range decls.plugins {
		if err := reg.Register(p); err != nil {
			for _, q := range decls.plugins[:i] {
				reg.Remove(q.Describe().Name)
			}
			msg := strings.TrimPrefix(err.Error(), "plugins: ")
			return errorAt(decls.pos[i], "%s", msg)
		}
	}
	return nil
}

// predeclared are the names scripts have beyond Starlark's own.
var predeclared = starlark.StringDict{
	"arg":       starlark.NewBuiltin("arg", declareArg),
	"stage":     starlark.NewBuiltin("stage", declareStage),
	"function":  starlark.NewBuiltin("function", declareFunction),
	"unix_time": starlark.NewBuiltin("unix_time", unixTime),
}

// The checked builtins (memory.go), whose names no script can write,
// are universal, and predeclared under their name and "@": see
// checkedCall.
func init() {
	addCheckedBuiltins(starlark.Universe)
	for name, v := range starlark.Universe {
		if strings.HasPrefix(name, hidden) {
			predeclared[name+"@"] = v
		}
	}
}

// declaring returns what the script being loaded declares, or an error
// when a builtin is called later (from a stage's run or a function's
// eval).
func declaring(th *starlark.Thread, b *starlark.Builtin) (*declarations, syntax.Position, error) {
	d, ok := th.Local(declKey).(*declarations)
	if !ok {
		return nil, syntax.Position{}, fmt.Errorf("%s: declare plugins when the script loads, not while it runs", b.Name())
	}
	return d, callerPos(th), nil
}

// argValue is what arg() returns: an argument's descriptor, its default
// as a script sees it (nil for none), and for a field the kinds it
// accepts (none for any).
type argValue struct {
	arg   plugins.Arg
	def   starlark.Value
	kinds []signin.Kind
}

func (a *argValue) String() string {
	return fmt.Sprintf("arg(%q, %q)", a.arg.Name, a.arg.Type)
}
func (a *argValue) Type() string          { return "arg" }
func (a *argValue) Freeze()               {}
func (a *argValue) Truth() starlark.Bool  { return true }
func (a *argValue) Hash() (uint32, error) { return 0, errors.New("unhashable type: arg") }

var argTypes = map[string]plugins.ArgType{
	"field": plugins.ArgField, "condition": plugins.ArgCondition, "number": plugins.ArgNumber,
	"duration": plugins.ArgDuration, "string": plugins.ArgString,
}

// declareArg is arg(name, type, default="", help="", kinds=[]).
func declareArg(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if _, _, err := declaring(th, b); err != nil {
		return nil, err
	}
	var name, typ, help string
	var def starlark.Value = starlark.String("")
	var kinds starlark.Iterable
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name, "type", &typ, "default?", &def, "help?", &help, "kinds?", &kinds); err != nil {
		return nil, err
	}
	if !isIdent(name) {
		return nil, fmt.Errorf("arg: bad name %q: write letters, digits and _", name)
	}
	t, ok := argTypes[typ]
	if !ok {
		return nil, fmt.Errorf("arg %s: unknown type %q (want field, condition, number, duration or string)", name, typ)
	}
	a := &argValue{arg: plugins.Arg{Name: name, Type: t, Help: help}}
	if t == plugins.ArgDuration {
		a.arg.Min = "0s" // a script's duration may be 0
	}
	switch d := def.(type) {
	case starlark.String:
		a.arg.Default = string(d)
	case starlark.Int, starlark.Float:
		a.arg.Default = d.String()
	default:
		return nil, fmt.Errorf("arg %s: default is written as in a query: a str or a number, not %s", name, article(def.Type()))
	}
	if a.arg.Default != "" {
		bound, err := plugins.BindArgs(plugins.Descriptor{Name: name, Args: []plugins.Arg{a.arg}}, nil)
		if ae := (*plugins.ArgError)(nil); errors.As(err, &ae) {
			return nil, fmt.Errorf("arg %s: default: %q %s", name, ae.Value, ae.Msg)
		} else if err != nil {
			return nil, fmt.Errorf("arg %s: default: %v", name, err)
		}
		a.def = argToStarlark(bound, a.arg)
	}
	if kinds != nil {
		if t != plugins.ArgField {
			return nil, fmt.Errorf("arg %s: only a field argument takes kinds", name)
		}
		ks, err := strings_(kinds, "arg "+name+": kinds")
		if err != nil {
			return nil, err
		}
		for _, s := range ks {
			k, ok := parseKind(s)
			if !ok {
				return nil, fmt.Errorf("arg %s: unknown kind %q (want %s)", name, s, kindList)
			}
			a.kinds = append(a.kinds, k)
		}
	}
	return a, nil
}

// common are the parameters stages and functions share.
type common struct {
	name, help, example string
	args                []*argValue
}

func (c *common) descriptor(kind plugins.Kind) plugins.Descriptor {
	d := plugins.Descriptor{Name: c.name, Kind: kind, Help: c.help, Example: c.example}
	for _, a := range c.args {
		d.Args = append(d.Args, a.arg)
	}
	return d
}

func (c *common) unpackArgs(what string, args starlark.Iterable) error {
	if !isIdent(c.name) {
		return fmt.Errorf("%s: bad name %q: write letters, digits and _", what, c.name)
	}
	if args == nil {
		return nil
	}
	seen := map[string]bool{}
	optional := false
	for x := range starlark.Elements(args) {
		a, ok := x.(*argValue)
		if !ok {
			return fmt.Errorf("%s %s: args holds arg(...) values, not %s", what, c.name, article(x.Type()))
		}
		key := strings.ToLower(a.arg.Name)
		if seen[key] {
			return fmt.Errorf("%s %s: argument %s declared twice", what, c.name, a.arg.Name)
		}
		seen[key] = true
		if a.arg.Default != "" {
			optional = true
		} else if optional {
			return fmt.Errorf("%s %s: required argument %s after an optional one", what, c.name, a.arg.Name)
		}
		c.args = append(c.args, a)
	}
	return nil
}

// declareStage is stage(name, run, help="", example="", args=[],
// needs=[], where="", output=[], streams=False).
func declareStage(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	decls, pos, err := declaring(th, b)
	if err != nil {
		return nil, err
	}
	var c common
	var run starlark.Callable
	var argList, needs, output starlark.Iterable
	var where string
	var streams bool
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &c.name, "run", &run, "help?", &c.help, "example?", &c.example,
		"args?", &argList, "needs?", &needs, "where?", &where, "output?", &output, "streams?", &streams); err != nil {
		return nil, err
	}
	if err := c.unpackArgs("stage", argList); err != nil {
		return nil, err
	}
	if err := checkArity(run, 2, "stage "+c.name+": run", "(rows, ctx)"); err != nil {
		return nil, err
	}
	run.Freeze() // with what its closure holds: runs share it
	s := &stage{sb: decls.sb, run: run, pos: pos}
	s.desc = c.descriptor(plugins.KindStage)
	s.desc.Streams = streams
	if needs != nil {
		if s.needs, err = strings_(needs, "stage "+c.name+": needs"); err != nil {
			return nil, err
		}
		for _, f := range s.needs {
			if engine.LookupColumn(f) == nil {
				return nil, fmt.Errorf("stage %s: needs unknown field %q", c.name, f)
			}
		}
	}
	if where != "" && len(s.needs) == 0 {
		return nil, fmt.Errorf("stage %s: where applies to the sign-ins a stage reads: say which fields it needs too", c.name)
	}
	if where != "" {
		parse := decls.sb.opts.ParseCondition
		if parse == nil {
			return nil, fmt.Errorf("stage %s: where needs a parser of conditions to read it (script.Options.ParseCondition)", c.name)
		}
		if s.where, err = parse(where); err != nil {
			return nil, fmt.Errorf("stage %s: where: %w", c.name, err)
		}
	}
	if output != nil {
		for x := range starlark.Elements(output) {
			t, ok := x.(starlark.Tuple)
			if !ok || len(t) != 2 {
				return nil, fmt.Errorf("stage %s: output holds (name, kind) pairs, not %s", c.name, truncate(x.String()))
			}
			name, ok1 := starlark.AsString(t[0])
			kind, ok2 := starlark.AsString(t[1])
			k, ok3 := parseKind(kind)
			switch {
			case !ok1 || !ok2:
				return nil, fmt.Errorf("stage %s: output holds (name, kind) pairs of str, not %s", c.name, truncate(x.String()))
			case !ok3:
				return nil, fmt.Errorf("stage %s: output %s: unknown kind %q (want %s)", c.name, name, kind, kindList)
			case name == "" || slices.ContainsFunc(s.output, func(c result.Column) bool { return c.Name == name }):
				return nil, fmt.Errorf("stage %s: output %q is empty or declared twice", c.name, name)
			}
			s.output = append(s.output, result.Column{Name: name, Kind: k})
		}
	}
	s.desc.Output = slices.Clone(s.needs)
	for _, c := range s.output {
		s.desc.Output = append(s.desc.Output, c.Name)
	}
	var p plugins.Plugin = s
	if len(s.needs) > 0 {
		p = &needer{s}
	}
	decls.plugins, decls.pos = append(decls.plugins, p), append(decls.pos, pos)
	return starlark.None, nil
}

// declareFunction is function(name, eval, result, help="", example="",
// args=[]).
func declareFunction(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	decls, pos, err := declaring(th, b)
	if err != nil {
		return nil, err
	}
	var c common
	var eval starlark.Callable
	var argList starlark.Iterable
	var result string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &c.name, "eval", &eval, "result", &result, "help?", &c.help,
		"example?", &c.example, "args?", &argList); err != nil {
		return nil, err
	}
	if err := c.unpackArgs("function", argList); err != nil {
		return nil, err
	}
	if len(c.args) == 0 || c.args[0].arg.Type != plugins.ArgField {
		return nil, fmt.Errorf("function %s: its first argument is a field: declare it with arg(name, \"field\")", c.name)
	}
	for _, a := range c.args[1:] {
		if t := a.arg.Type; t == plugins.ArgField || t == plugins.ArgCondition {
			return nil, fmt.Errorf("function %s: argument %s: only the first argument of a function is a field; the others are numbers, durations or strings", c.name, a.arg.Name)
		}
	}
	kind, ok := parseKind(result)
	if !ok {
		return nil, fmt.Errorf("function %s: unknown result kind %q (want %s)", c.name, result, kindList)
	}
	if err := checkArity(eval, len(c.args), "function "+c.name+": eval", "one per declared argument"); err != nil {
		return nil, err
	}
	eval.Freeze() // with what its closure holds: calls share it
	f := &function{sb: decls.sb, eval: eval, result: kind, pos: pos}
	f.desc = c.descriptor(plugins.KindFunction)
	f.args = c.args
	decls.plugins, decls.pos = append(decls.plugins, f), append(decls.pos, pos)
	return starlark.None, nil
}

// checkArity checks that a script's function takes n positional
// parameters (builtins are not checked).
func checkArity(fn starlark.Callable, n int, what, want string) error {
	f, ok := fn.(*starlark.Function)
	if !ok {
		return nil
	}
	params := f.NumParams() - f.NumKwonlyParams()
	if f.HasVarargs() {
		params--
	}
	if f.HasKwargs() {
		params--
	}
	required := 0
	for i := range params {
		if f.ParamDefault(i) == nil {
			required = i + 1
		}
	}
	if required > n || (params < n && !f.HasVarargs()) {
		return fmt.Errorf("%s: %s takes %d parameters, want %d %s", what, f.Name(), params, n, want)
	}
	return nil
}

// strings_ reads an iterable of str.
func strings_(it starlark.Iterable, what string) ([]string, error) {
	var out []string
	for x := range starlark.Elements(it) {
		s, ok := x.(starlark.String)
		if !ok {
			return nil, fmt.Errorf("%s holds str, not %s", what, article(x.Type()))
		}
		out = append(out, string(s))
	}
	return out, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
