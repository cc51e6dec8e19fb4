package script

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"
	"unicode/utf8"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// The memory a script may make, and the checked builtins that account
// for it (rewrite.go routes operations through them). Every value an
// operation makes in proportion to its operands (repetition,
// concatenation, formatting, join, replace, split, list(range(n)),
// slices, set and dict unions, big integers) is charged to the run
// before it is made, by an estimate from the operands' sizes: a run
// (a load, a function's call, a stage's row) makes at most
// Options.MaxMemory bytes so, garbage included, and an operation over
// what is left fails with the memory limit's error at the script's line
// instead of allocating. What a step makes otherwise (an append, a
// comprehension's element, a dict entry) is small, and bounded by the
// step limit.

// DefaultMaxMemory is the memory a script's run makes by default.
const DefaultMaxMemory = 64 << 20

// maxIntBits bounds the integers a script makes: arithmetic on larger
// ones takes seconds in one step, and nothing a sign-in holds needs them
// (a 2^1048576 is 315,653 digits).
const maxIntBits = 1 << 20

// maxIntDigits bounds the text int() converts: converting n digits
// takes time in n squared.
const maxIntDigits = 315_653 + 2

// maxReprDepth bounds how deeply nested a value str, repr, print and
// formatting write (Go's stack grows with it).
const maxReprDepth = 1000

// Sizes in bytes of what operations make, as charged.
const (
	valueSize = 16 // a value in a list or a tuple
	entrySize = 72 // an entry of a dict or a set
	pieceSize = 32 // a str of split's result: the Go string and the value
	// bigIntSize is what an integer of more than 64 bits takes beyond its
	// bits: its big.Int and the value holding it, rounded up.
	bigIntSize = 96
)

// tupleSize is a tuple of n values made by enumerate, zip or items.
func tupleSize(n int) int64 { return 24 + int64(n)*valueSize }

// mul is a*b, saturated at MaxInt64.
func mul(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// add is a+b, saturated at MaxInt64.
func add(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// intBits is the size in bits of an integer.
func intBits(x starlark.Int) int64 {
	if v, ok := x.Int64(); ok {
		if v < 0 {
			v = ^v // -v - 1: as many bits
		}
		return int64(bits.Len64(uint64(v))) + 1
	}
	return int64(x.BigInt().BitLen())
}

// chargeInt checks and charges an integer result of bits bits.
func (r *run) chargeInt(bits int64, what what) error {
	if bits > maxIntBits {
		return limitf("integer limit exceeded: %s would make an integer of up to %d bits (at most %d)", what, bits, maxIntBits)
	}
	if bits <= 64 {
		return nil // held in the value, or in a few words
	}
	return r.charge(bits/8+bigIntSize, what)
}

// what names an operation, in the errors of the limits; made into text
// only then.
type what struct{ x, op, y string }

func (w what) String() string {
	switch w.op {
	case "()": // a call: list(), string.join()
		if w.x == "" {
			return w.y + "()"
		}
		return w.x + "." + w.y + "()"
	case "[:]":
		return "a slice of a " + w.x
	}
	if w.y == "" { // -int
		return w.op + w.x
	}
	return w.x + " " + w.op + " " + w.y
}

// addCheckedBuiltins adds to d the builtins rewrite.go routes
// operations through, by name.
func addCheckedBuiltins(d starlark.StringDict) {
	d[hidden+"none"] = starlark.None
	d[hidden+"call"] = starlark.NewBuiltin(hidden+"call", checkedCallBuiltin)
	d[hidden+"slice"] = starlark.NewBuiltin(hidden+"slice", checkedSlice)
	checkedBuiltins := d
	for op := range checkedOps {
		name := hidden + op.String()
		checkedBuiltins[name] = starlark.NewBuiltin(name, func(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return checkedBinary(th, op, args[0], args[1])
		})
		aug := op + syntax.PLUS_EQ - syntax.PLUS // x op= y
		name = hidden + aug.String()
		checkedBuiltins[name] = starlark.NewBuiltin(name, func(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return checkedInPlace(th, op, args[0], args[1])
		})
	}
	d[hidden+"index"] = starlark.NewBuiltin(hidden+"index", func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		v, err := getIndex(args[0], args[1])
		if err != nil {
			return nil, err
		}
		return &slot{x: args[0], key: args[1], v: v}, nil
	})
	d[hidden+"field"] = starlark.NewBuiltin(hidden+"field", func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		name := string(args[1].(starlark.String))
		v, err := getField(args[0], name)
		if err != nil {
			return nil, err
		}
		return &slot{x: args[0], name: name, v: v}, nil
	})
	d[hidden+"set"] = starlark.NewBuiltin(hidden+"set", func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		s := args[0].(*slot)
		if s.key != nil {
			return starlark.None, setIndex(s.x, s.key, s.v)
		}
		return starlark.None, setField(s.x, s.name, s.v)
	})
	for _, op := range []syntax.Token{syntax.MINUS, syntax.PLUS, syntax.TILDE} {
		name := hidden + "unary" + op.String()
		checkedBuiltins[name] = starlark.NewBuiltin(name, func(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			if x, ok := args[0].(starlark.Int); ok {
				if err := runOf(th).chargeInt(intBits(x)+1, what{"int", op.String(), ""}); err != nil {
					return nil, err
				}
			}
			return starlark.Unary(op, args[0])
		})
	}
}

// checkedBinary is x op y.
func checkedBinary(th *starlark.Thread, op syntax.Token, x, y starlark.Value) (starlark.Value, error) {
	if err := runOf(th).chargeBinary(op, x, y); err != nil {
		return nil, err
	}
	return starlark.Binary(op, x, y)
}

// chargeBinary charges what x op y makes.
func (r *run) chargeBinary(op syntax.Token, x, y starlark.Value) error {
	what := what{x.Type(), op.String(), y.Type()}
	xi, xInt := x.(starlark.Int)
	yi, yInt := y.(starlark.Int)
	if xInt && yInt {
		bx, by := intBits(xi), intBits(yi)
		switch op {
		case syntax.STAR:
			return r.chargeInt(bx+by, what)
		case syntax.LTLT:
			if n, ok := yi.Int64(); ok && n >= 0 && n < 1<<20 {
				return r.chargeInt(bx+n, what)
			}
			return nil // Starlark refuses it
		case syntax.PLUS, syntax.MINUS, syntax.AMP, syntax.PIPE, syntax.CIRCUMFLEX:
			return r.chargeInt(max(bx, by)+1, what)
		default: // /, //, %, >>: no larger than x
			return r.chargeInt(bx, what)
		}
	}
	switch op {
	case syntax.PLUS:
		return r.charge(add(size(x), size(y)), what)
	case syntax.STAR:
		seq, n := x, yi
		if xInt {
			seq, n = y, xi
		}
		if !xInt && !yInt {
			return nil
		}
		times, ok := n.Int64()
		if !ok {
			return nil // Starlark refuses it
		}
		return r.charge(mul(size(seq), times), what)
	case syntax.PERCENT:
		if s, ok := x.(starlark.String); ok {
			return r.chargeFormat(string(s), "%", []starlark.Value{y}, what)
		}
	case syntax.PIPE, syntax.CIRCUMFLEX:
		return r.charge(add(size(x), size(y)), what)
	case syntax.AMP, syntax.MINUS:
		return r.charge(size(x), what)
	}
	return nil
}

// size is the size of what copying x makes: a str's or bytes' bytes, a
// list's or a tuple's values, a dict's or a set's entries; 0 for
// anything else.
func size(x starlark.Value) int64 {
	switch x := x.(type) {
	case starlark.String:
		return int64(len(x))
	case starlark.Bytes:
		return int64(len(x))
	case *starlark.List:
		return int64(x.Len()) * valueSize
	case starlark.Tuple:
		return int64(len(x)) * valueSize
	case *starlark.Dict:
		return int64(x.Len()) * entrySize
	case *starlark.Set:
		return int64(x.Len()) * entrySize
	case starlark.Int:
		if b := intBits(x); b > 64 {
			return b / 8
		}
	}
	return 0
}

// chargeFormat charges the text format makes with args: its length,
// and at each of its fields (a % or a {), the longest of the arguments
// as repr writes it.
func (r *run) chargeFormat(format, field string, args []starlark.Value, what what) error {
	fields := int64(strings.Count(format, field))
	if fields == 0 {
		return r.charge(int64(len(format)), what)
	}
	var longest int64
	for _, a := range args {
		n, err := r.reprSize(a)
		if err != nil {
			return err
		}
		longest = max(longest, n)
	}
	return r.charge(add(int64(len(format)), mul(fields, longest)), what)
}

// reprSize is the length of the text repr writes for x, or a little
// more; it stops counting once past what the run has left.
func (r *run) reprSize(x starlark.Value) (int64, error) {
	limit := r.maxMem - r.mem
	var n int64
	var path []starlark.Value // the containers being written, for cycles
	depth := 0
	var walk func(x starlark.Value) error
	walk = func(x starlark.Value) error {
		if n > limit {
			return nil
		}
		switch v := x.(type) {
		case starlark.String:
			n += quotedSize(string(v))
			return nil
		case starlark.Bytes:
			n += 3 + 4*int64(len(v))
			return nil
		case starlark.Int:
			n += 2 + intBits(v)*31/100 // log10(2) < 0.31
			return nil
		case starlark.Float, starlark.Bool, starlark.NoneType:
			n += 32
			return nil
		case *starlark.List, starlark.Tuple, *starlark.Dict, *starlark.Set:
		default:
			n += 256 // the sandbox's own values, functions, builtins
			return nil
		}
		if _, tuple := x.(starlark.Tuple); !tuple { // a cycle goes through a mutable container
			for _, p := range path {
				if p == x {
					n += 5 // [...]
					return nil
				}
			}
		}
		if depth >= maxReprDepth {
			return limitf("nesting limit exceeded: a value nested more than %d deep cannot be written as text", maxReprDepth)
		}
		depth++
		path = append(path, x)
		defer func() { path, depth = path[:len(path)-1], depth-1 }()
		n += 8 // brackets, "set([...])"
		switch v := x.(type) {
		case *starlark.Dict:
			for k, val := range starlark.Entries(v) {
				n += 4
				if err := walk(k); err != nil {
					return err
				}
				if err := walk(val); err != nil {
					return err
				}
				if n > limit {
					return nil
				}
			}
		default:
			for e := range starlark.Elements(x.(starlark.Iterable)) {
				n += 2
				if err := walk(e); err != nil {
					return err
				}
				if n > limit {
					return nil
				}
			}
		}
		return nil
	}
	err := walk(x)
	return n, err
}

// quotedSize is the length of s quoted, at most: 4 bytes for a byte to
// escape.
func quotedSize(s string) int64 {
	n := int64(len(s)) + 2
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			n += 3
		}
	}
	return n
}

// checkedSlice is x[lo:hi:step], as Starlark's slice does it.
func checkedSlice(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
	x, lo, hi, stepV := args[0], args[1], args[2], args[3]
	sliceable, ok := x.(starlark.Sliceable)
	if !ok {
		return nil, fmt.Errorf("invalid slice operand %s", x.Type())
	}
	n := sliceable.Len()
	step := 1
	if stepV != starlark.None {
		var err error
		if step, err = starlark.AsInt32(stepV); err != nil {
			return nil, fmt.Errorf("invalid slice step: %s", err)
		}
		if step == 0 {
			return nil, fmt.Errorf("zero is not a valid slice step")
		}
	}
	var start, end int
	if step > 0 {
		start = 0
		if err := asIndex(lo, n, &start); err != nil {
			return nil, fmt.Errorf("invalid start index: %s", err)
		}
		start = min(max(start, 0), n)
		end = n
		if err := asIndex(hi, n, &end); err != nil {
			return nil, fmt.Errorf("invalid end index: %s", err)
		}
		end = min(max(end, 0), n)
		end = max(end, start) // start > end: empty
	} else {
		start = n - 1
		if err := asIndex(lo, n, &start); err != nil {
			return nil, fmt.Errorf("invalid start index: %s", err)
		}
		start = min(start, n-1)
		end = -1
		if err := asIndex(hi, n, &end); err != nil {
			return nil, fmt.Errorf("invalid end index: %s", err)
		}
		end = max(end, -1)
		start = max(start, end) // start < end: empty
	}
	count := int64(0)
	if step > 0 {
		count = int64((end - start + step - 1) / step)
	} else {
		count = int64((start - end - step - 1) / -step)
	}
	var made int64
	switch x.(type) {
	case *starlark.List, starlark.Tuple:
		made = count * valueSize
	case starlark.String, starlark.Bytes:
		if step != 1 {
			made = count // a substring shares its string's bytes
		}
	}
	if err := runOf(th).charge(made, what{x.Type(), "[:]", ""}); err != nil {
		return nil, err
	}
	return sliceable.Slice(start, end, step), nil
}

// asIndex sets *result to v, plus n when negative; nothing when v is
// None (Starlark's own, for slices).
func asIndex(v starlark.Value, n int, result *int) error {
	if v == starlark.None {
		return nil
	}
	i, err := starlark.AsInt32(v)
	if err != nil {
		return err
	}
	if i < 0 {
		i += n
	}
	*result = i
	return nil
}

// checkedInPlace is x op= y: a list's += extends it and a dict's |=
// updates it, in place; anything else is x op y. For a slot, it updates
// the slot's value and returns the slot.
func checkedInPlace(th *starlark.Thread, op syntax.Token, x, y starlark.Value) (starlark.Value, error) {
	if s, ok := x.(*slot); ok {
		v, err := checkedInPlace(th, op, s.v, y)
		if err != nil {
			return nil, err
		}
		s.v = v
		return s, nil
	}
	switch x := x.(type) {
	case *starlark.List:
		if yi, ok := y.(starlark.Iterable); ok && op == syntax.PLUS {
			extend, _ := x.Attr("extend")
			if _, err := checkedCallOf(th, extend.(*starlark.Builtin), starlark.Tuple{yi}, nil); err != nil {
				var ee *starlark.EvalError
				if errors.As(err, &ee) && strings.HasPrefix(ee.Msg, "extend: cannot extend ") {
					return nil, fmt.Errorf("cannot apply += to %s", strings.TrimPrefix(ee.Msg, "extend: cannot extend "))
				}
				return nil, err
			}
			return x, nil
		}
	case *starlark.Dict:
		if yd, ok := y.(*starlark.Dict); ok && op == syntax.PIPE {
			update, _ := x.Attr("update")
			if _, err := checkedCallOf(th, update.(*starlark.Builtin), starlark.Tuple{yd}, nil); err != nil {
				var ee *starlark.EvalError
				if errors.As(err, &ee) && strings.HasPrefix(ee.Msg, "update: cannot insert into ") {
					return nil, fmt.Errorf("cannot apply |= to %s", strings.TrimPrefix(ee.Msg, "update: cannot insert into "))
				}
				return nil, err
			}
			return x, nil
		}
	}
	return checkedBinary(th, op, x, y)
}

// slot is the element a[key] or the field a.name of a[i] op= y or
// a.name op= y, and its value: ·index or ·field reads it, ·op= updates
// v, ·set writes it back (rewrite.go), each at the position Starlark
// gives its errors. No script sees one.
type slot struct {
	x, key starlark.Value // key nil for a field
	name   string
	v      starlark.Value
}

func (s *slot) String() string        { return "slot" }
func (s *slot) Type() string          { return "slot" }
func (s *slot) Freeze()               {}
func (s *slot) Truth() starlark.Bool  { return true }
func (s *slot) Hash() (uint32, error) { return 0, errors.New("unhashable type: slot") }

// getField is a.name, as Starlark's (without its spelling hints).
func getField(a starlark.Value, name string) (starlark.Value, error) {
	has, ok := a.(starlark.HasAttrs)
	if !ok {
		return nil, fmt.Errorf("%s has no .%s field or method", a.Type(), name)
	}
	x, err := has.Attr(name)
	if err != nil {
		return nil, err
	}
	if x == nil {
		return nil, fmt.Errorf("%s has no .%s field or method", a.Type(), name)
	}
	return x, nil
}

// setField is a.name = z, as Starlark's.
func setField(a starlark.Value, name string, z starlark.Value) error {
	set, ok := a.(starlark.HasSetField)
	if !ok {
		return fmt.Errorf("can't assign to .%s field of %s", name, a.Type())
	}
	return set.SetField(name, z)
}

// getIndex is x[y], as Starlark's.
func getIndex(x, y starlark.Value) (starlark.Value, error) {
	switch x := x.(type) {
	case starlark.Mapping:
		z, found, err := x.Get(y)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("key %v not in %s", y, x.Type())
		}
		return z, nil
	case starlark.Indexable:
		i, err := index(x, y)
		if err != nil {
			return nil, err
		}
		return x.Index(i), nil
	}
	return nil, fmt.Errorf("unhandled index operation %s[%s]", x.Type(), y.Type())
}

// setIndex is x[y] = z, as Starlark's.
func setIndex(x, y, z starlark.Value) error {
	switch x := x.(type) {
	case starlark.HasSetKey:
		return x.SetKey(y, z)
	case starlark.HasSetIndex:
		i, err := index(x, y)
		if err != nil {
			return err
		}
		return x.SetIndex(i, z)
	}
	return fmt.Errorf("%s value does not support item assignment", x.Type())
}

func index(x starlark.Indexable, y starlark.Value) (int, error) {
	n := x.Len()
	i, err := starlark.AsInt32(y)
	if err != nil {
		return 0, fmt.Errorf("%s index: %s", x.Type(), err)
	}
	orig := i
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		if n == 0 {
			return 0, fmt.Errorf("index %d out of range: empty %s", orig, x.Type())
		}
		return 0, fmt.Errorf("%s index %d out of range [%d:%d]", x.Type(), orig, -n, n-1)
	}
	return i, nil
}

// checkedCallBuiltin is f(args): a builtin's call is checked (see
// checkedCallOf); a script's function is called as it is, its own
// operations being checked.
func checkedCallBuiltin(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	fn, args := args[0], args[1:]
	if b, ok := fn.(*starlark.Builtin); ok {
		return checkedCallOf(th, b, args, kwargs)
	}
	return starlark.Call(th, fn, args, kwargs)
}

// checkedCallOf calls a builtin after charging what it makes, for those
// that make values in proportion to their arguments. A panic of the
// builtin (go.starlark.net's set.intersection() without an argument
// dereferences nil) is its error.
func checkedCallOf(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (v starlark.Value, err error) {
	r := runOf(th)
	args, kwargs, err = r.chargeCall(th, b, args, kwargs)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, panicked(p)
		}
	}()
	return starlark.Call(th, b, args, kwargs)
}

// panicked is the error of a panic of Starlark's.
func panicked(p any) error {
	return fmt.Errorf("Starlark panicked: %v", p)
}

// safely calls fn, turning a panic into its error: the checked builtins
// catch those of the builtins and operators they run, with the script's
// position; this catches the others.
func safely(fn func() (starlark.Value, error)) (v starlark.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, panicked(p)
		}
	}()
	return fn()
}

// The universe's builtins that make values in proportion to their
// arguments.
var (
	bList      = universal("list")
	bTuple     = universal("tuple")
	bSorted    = universal("sorted")
	bReversed  = universal("reversed")
	bSet       = universal("set")
	bDict      = universal("dict")
	bEnumerate = universal("enumerate")
	bZip       = universal("zip")
	bStr       = universal("str")
	bRepr      = universal("repr")
	bPrint     = universal("print")
	bFail      = universal("fail")
	bBytes     = universal("bytes")
	bInt       = universal("int")
	bMin       = universal("min")
	bMax       = universal("max")
)

func universal(name string) *starlark.Builtin { return starlark.Universe[name].(*starlark.Builtin) }

// chargeCall charges what the builtin b makes of args. It may return
// other arguments, which give the same result: an iterable of unknown
// length read into a tuple (charged as it is read), and a key= builtin
// wrapped so that its calls are checked too.
func (r *run) chargeCall(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Tuple, []starlark.Tuple, error) {
	what := what{"", "()", b.Name()}
	if recv := b.Receiver(); recv != nil {
		what.x = recv.Type()
		if iterating[b.Name()] {
			for i := range args { // read what they will
				var err error
				if args, err = r.sized(args, i, what); err != nil {
					return nil, nil, err
				}
			}
		}
		return args, kwargs, r.chargeMethod(recv, b.Name(), args, kwargs, what)
	}
	var err error
	switch b {
	case bList, bTuple, bReversed, bSorted, bSet, bDict, bEnumerate:
		if len(args) == 0 {
			return args, kwargs, nil
		}
		if args, err = r.sized(args, 0, what); err != nil {
			return nil, nil, err
		}
		n := int64(starlark.Len(args[0]))
		each := int64(valueSize)
		switch b {
		case bSet, bDict:
			each = entrySize
		case bEnumerate:
			each = valueSize + tupleSize(2)
		case bSorted:
			each = 2 * valueSize // the keys
		}
		if b == bDict {
			n += int64(len(kwargs))
		}
		err = r.charge(mul(n, each), what)
	case bZip:
		for i := range args {
			if args, err = r.sized(args, i, what); err != nil {
				return nil, nil, err
			}
		}
		n := int64(-1)
		for _, a := range args {
			if l := int64(starlark.Len(a)); l >= 0 && (n < 0 || l < n) {
				n = l
			}
		}
		err = r.charge(mul(n, valueSize+tupleSize(len(args))), what)
	case bStr, bRepr:
		if len(args) == 1 {
			if _, isStr := args[0].(starlark.String); isStr && b == bStr {
				break
			}
			var n int64
			if n, err = r.reprSize(args[0]); err == nil {
				err = r.charge(n, what)
			}
		}
	case bPrint, bFail:
		var total int64
		for _, a := range args {
			n, err := r.reprSize(a)
			if err != nil {
				return nil, nil, err
			}
			total = add(total, n+1)
		}
		for _, kv := range kwargs {
			total = add(total, size(kv[1]))
		}
		err = r.charge(total, what)
	case bBytes:
		if len(args) == 1 {
			if _, ok := args[0].(starlark.String); ok {
				err = r.charge(size(args[0]), what)
			} else if _, ok := args[0].(starlark.Iterable); ok {
				if args, err = r.sized(args, 0, what); err == nil {
					err = r.charge(int64(starlark.Len(args[0])), what)
				}
			}
		}
	case bInt:
		if len(args) > 0 {
			if s, ok := args[0].(starlark.String); ok && len(s) > maxIntDigits {
				err = limitf("integer limit exceeded: int() of a str of %d characters (at most %d)", len(s), maxIntDigits)
			}
		}
	}
	if err == nil && (b == bSorted || b == bMin || b == bMax) {
		kwargs = checkedKey(kwargs)
	}
	return args, kwargs, err
}

// checkedKey wraps a key= builtin so that its calls are checked.
func checkedKey(kwargs []starlark.Tuple) []starlark.Tuple {
	for i, kv := range kwargs {
		if k, ok := kv[0].(starlark.String); ok && k == "key" {
			if b, ok := kv[1].(*starlark.Builtin); ok {
				out := append([]starlark.Tuple(nil), kwargs...)
				out[i] = starlark.Tuple{kv[0], starlark.NewBuiltin(b.Name(), func(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
					return checkedCallOf(th, b, args, kwargs)
				})}
				return out
			}
		}
	}
	return kwargs
}

// sized returns args with args[i] of a known length: an iterable of
// unknown length (a str's codepoints) is read into a tuple, charged as
// it is read. The rows of a stage are left as they are: they are
// counted by the row.
func (r *run) sized(args starlark.Tuple, i int, what what) (starlark.Tuple, error) {
	if i >= len(args) || starlark.Len(args[i]) >= 0 {
		return args, nil
	}
	it, ok := args[i].(starlark.Iterable)
	if _, rows := args[i].(*rowIter); !ok || rows {
		return args, nil
	}
	var elems starlark.Tuple
	for e := range starlark.Elements(it) {
		if len(elems)%1024 == 0 {
			// A value, its copies as the tuple grows, and what it holds
			// (a str's header).
			if err := r.charge(1024*3*valueSize, what); err != nil {
				return nil, err
			}
		}
		elems = append(elems, e)
	}
	out := append(starlark.Tuple(nil), args...)
	out[i] = elems
	return out, nil
}

// iterating are the methods that read the iterables they are given (of
// a str, a list, a dict or a set).
var iterating = map[string]bool{
	"join": true, "extend": true, "update": true, "union": true, "intersection": true,
	"difference": true, "symmetric_difference": true, "issubset": true, "issuperset": true,
}

// chargeMethod charges what a method of a str, list, dict or set makes.
func (r *run) chargeMethod(recv starlark.Value, name string, args starlark.Tuple, kwargs []starlark.Tuple, what what) error {
	argLen := func(i int) int64 {
		if i < len(args) {
			return int64(max(starlark.Len(args[i]), 0))
		}
		return 0
	}
	switch recv := recv.(type) {
	case starlark.String:
		s := string(recv)
		switch name {
		case "lower", "upper", "title", "capitalize":
			return r.charge(int64(len(s)), what)
		case "split", "rsplit", "splitlines":
			pieces := int64(len(s)/2 + 1) // on white space
			if name == "splitlines" {
				pieces = int64(strings.Count(s, "\n") + strings.Count(s, "\r") + 1)
			} else if len(args) > 0 {
				if sep, ok := args[0].(starlark.String); ok && sep != "" {
					pieces = int64(strings.Count(s, string(sep)) + 1)
				}
			}
			if len(args) > 1 {
				if m, err := starlark.AsInt32(args[1]); err == nil && m >= 0 {
					pieces = min(pieces, int64(m)+1)
				}
			}
			return r.charge(mul(pieces, pieceSize), what)
		case "replace":
			if len(args) < 2 {
				return nil
			}
			old, ok1 := args[0].(starlark.String)
			repl, ok2 := args[1].(starlark.String)
			if !ok1 || !ok2 {
				return nil
			}
			n := int64(strings.Count(s, string(old)))
			if old == "" {
				n = int64(utf8.RuneCountInString(s) + 1)
			}
			if len(args) > 2 {
				if c, err := starlark.AsInt32(args[2]); err == nil && c >= 0 {
					n = min(n, int64(c))
				}
			}
			return r.charge(add(int64(len(s)), mul(n, int64(len(repl)))), what)
		case "format":
			all := append([]starlark.Value(nil), args...)
			for _, kv := range kwargs {
				all = append(all, kv[1])
			}
			return r.chargeFormat(s, "{", all, what)
		case "join":
			if len(args) != 1 {
				return nil
			}
			it, ok := args[0].(starlark.Iterable)
			if !ok {
				return nil
			}
			total, count := int64(0), int64(0)
			for e := range starlark.Elements(it) {
				es, ok := e.(starlark.String)
				if !ok {
					return nil // join refuses it
				}
				total, count = add(total, int64(len(es))), count+1
			}
			return r.charge(add(total, mul(count, int64(len(s)))), what)
		}
	case *starlark.List:
		if name == "extend" {
			return r.charge(mul(argLen(0), valueSize), what)
		}
	case *starlark.Dict:
		n := int64(recv.Len())
		switch name {
		case "items":
			return r.charge(mul(n, valueSize+tupleSize(2)), what)
		case "keys", "values":
			return r.charge(mul(n, valueSize), what)
		case "update":
			return r.charge(mul(argLen(0)+int64(len(kwargs)), entrySize), what)
		}
	case *starlark.Set:
		n := int64(recv.Len())
		others := int64(0)
		for i := range args {
			others = add(others, argLen(i))
		}
		switch name {
		case "union", "symmetric_difference":
			return r.charge(mul(add(n, others), entrySize), what)
		case "update", "issubset", "issuperset":
			return r.charge(mul(others, entrySize), what)
		case "intersection", "difference":
			return r.charge(mul(n, entrySize), what)
		}
	}
	return nil
}
