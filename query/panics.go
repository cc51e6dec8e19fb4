package query

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/signinq/signinq/result"
)

// ErrInternal is returned by a query during which signinq's own code (the
// query package, the engine, or a library they call) panicked: a bug in
// signinq, never a plugin's, reported as one so that it is not hidden.
// The message names where it happened.
var ErrInternal = errors.New("query: internal error, a bug in signinq (please report it, with the query)")

// PanicError is a panic the query recovered: a plugin's (it wraps
// ErrPluginPanic) or signinq's own (it wraps ErrInternal).
type PanicError struct {
	Value any
	// Where names the function, file and line where the panic was
	// raised.
	Where string
	// Plugin is the package of the plugin's code the query had called,
	// for a plugin's panic; "" for signinq's own.
	Plugin string
}

func (e *PanicError) Error() string {
	if e.Plugin != "" {
		return fmt.Sprintf("%v: %v", ErrPluginPanic, e.Value)
	}
	return fmt.Sprintf("%v: %v (in %s)", ErrInternal, e.Value, e.Where)
}

// Unwrap returns ErrPluginPanic or ErrInternal.
func (e *PanicError) Unwrap() error {
	if e.Plugin != "" {
		return ErrPluginPanic
	}
	return ErrInternal
}

// namedPanic is a plugin's panic as the error of a function or a stage,
// which name the plugin: "panic: VALUE".
type namedPanic struct{ *PanicError }

func (e namedPanic) Error() string { return fmt.Sprintf("panic: %v", e.Value) }
func (e namedPanic) Unwrap() error { return e.PanicError }

// pluginError is the error a function or a stage gives for a panic: its
// own words for a plugin's, and signinq's internal error as it is.
func pluginError(pe *PanicError) error {
	if pe.Plugin == "" {
		return pe
	}
	return namedPanic{pe}
}

// recovered makes a panic recovered by the query package its error. It
// must be called by the deferred function that recovered r, so that the
// panicking frames are still on the stack. The panic is a plugin's when
// the innermost frame of the query package's own code (not a test's) had
// called into a plugin's code: a package other than the standard
// library, signinq's own (but plugins) and the libraries the engine
// uses, or a test's code (the plugins tests register). A panic raised in
// the query package's code, or in the engine or a library it called,
// even under a plugin's call back into the query package (a stage's
// rows, its queries), is signinq's own: a bug, never hidden as a
// plugin's.
func recovered(r any) *PanicError {
	if pe, ok := r.(*PanicError); ok {
		return pe // already classified (a stage's query, nested)
	}
	pcs := make([]uintptr, 256)
	n := runtime.Callers(1, pcs) // the panic's frames come after runtime.gopanic
	frames := runtime.CallersFrames(pcs[:n])
	e := &PanicError{Value: r, Where: "an unknown place"}
	var callee *runtime.Frame // the frame the last one looked at called
	panicking := false
	for more := true; more; {
		var f runtime.Frame
		f, more = frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
			continue
		case !panicking || callee == nil && pkgOf(f.Function) == "runtime":
			continue // the recovering frames, or the runtime's own (sigpanic, panicIndex)
		case callee == nil:
			e.Where = where(f) // the panic's site
		}
		if pkgOf(f.Function) == queryPkg && !strings.HasSuffix(f.File, "_test.go") {
			if callee != nil && pluginCode(*callee) {
				e.Plugin = pkgOf(callee.Function)
			}
			return e
		}
		callee = &f
	}
	return e
}

// pluginCode reports whether a frame is a plugin's code: a test's, or a
// package's that is not the standard library, signinq's own (but the
// plugins packages) or a library the engine uses.
func pluginCode(f runtime.Frame) bool {
	if strings.HasSuffix(f.File, "_test.go") {
		return true
	}
	pkg := pkgOf(f.Function)
	const module = "github.com/signinq/signinq/"
	switch {
	case pkg == "main" || strings.HasPrefix(pkg, module+"plugins"):
		return true
	case strings.HasPrefix(pkg, module):
		return false // the engine, the index, the query package
	case !strings.Contains(strings.SplitN(pkg, "/", 2)[0], "."):
		return false // the standard library
	}
	for _, lib := range []string{"github.com/RoaringBitmap/", "github.com/bits-and-blooms/", "github.com/alecthomas/participle/", "github.com/dgraph-io/"} {
		if strings.HasPrefix(pkg, lib) {
			return false
		}
	}
	return true
}

// where names a frame for a message: its function, file and line.
func where(f runtime.Frame) string {
	file := f.File
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		file = file[i+1:]
	}
	return fmt.Sprintf("%s, %s:%d", f.Function, file, f.Line)
}

// queryPkg is this package's import path.
var queryPkg = pkgOf(runtime.FuncForPC(funcPC()).Name())

func funcPC() uintptr {
	pc, _, _, _ := runtime.Caller(0)
	return pc
}

// pkgOf returns the import path of a function's package from its full
// name: "github.com/signinq/signinq/query.(*executor).eval" gives
// "github.com/signinq/signinq/query".
func pkgOf(fn string) string {
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i] // type parameters, which may hold paths
	}
	slash := strings.LastIndexByte(fn, '/')
	if dot := strings.IndexByte(fn[slash+1:], '.'); dot >= 0 {
		return fn[:slash+1+dot]
	}
	return fn
}

// explainOnly describes a plan without running it; a plugin's panic (an
// aggregate's NewAcc) is an error, as when the query runs.
func explainOnly(plan *Plan) (res *result.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, recovered(r)
		}
	}()
	return &result.Result{Plan: plan.Explain()}, nil
}

// ErrPluginPanic is returned by a query during which a plugin (an
// aggregate's accumulator or partial) panicked: the panic ends that query
// only. Stages' and functions' panics are their own errors, named after
// them (StageError, and the function's call).
var ErrPluginPanic = errors.New("query: a plugin panicked")
