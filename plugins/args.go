package plugins

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signinq/signinq/query/ast"
)

// StageArg is an argument as a query writes it after a stage's name:
// positional ("1h"), or named ("window=1h").
type StageArg struct {
	Name  string // "" for a positional argument
	Value string
	// Pos is where the value stands in the query, for errors about it;
	// the zero Pos when it stands nowhere.
	Pos ast.Pos
}

// UnknownArgError is BindArgs's error for an argument named with a name
// the stage's descriptor lacks; Arg is its index among the arguments
// given, for a caller to point at it (and suggest a name).
type UnknownArgError struct {
	Stage string
	Arg   int
	Name  string
	Usage string
}

func (e *UnknownArgError) Error() string {
	return fmt.Sprintf("%s has no argument %q (%s)", e.Stage, e.Name, e.Usage)
}

// ArgError is an error in the value of one of a stage's arguments: one
// that does not read as the argument's type (BindArgs), or that the
// stage refuses (Args.Error). It says which argument, what value and
// where, so that a query shows it at the value:
//
//	spray's accounts: "abc" is not a whole number of at least 1
type ArgError struct {
	Stage string  // the stage's name
	Arg   string  // the argument's name, as the descriptor declares it
	Value string  // the value at fault, as written
	Pos   ast.Pos // where it stands in the query; zero for a default
	Msg   string  // what is wrong with it: "is not a duration like 1h"
}

func (e *ArgError) Error() string {
	return fmt.Sprintf("%s %s: %q %s", possessive(e.Stage), e.Arg, e.Value, e.Msg)
}

// possessive is a name's possessive: spray's, spikes'.
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

// Args are a stage's arguments, bound to its descriptor by BindArgs:
// every argument it declares, given or at its default, each read once by
// its type. A stage reads them with the getter of the type (Int, Float,
// Duration, Bool, Codes, Word, Text); a getter asked for a name the
// descriptor lacks, or for an argument of another type, panics: that is
// a bug in the stage, not in the query. Args are read-only and safe for
// concurrent use.
type Args struct {
	stage string
	decl  []Arg      // the descriptor's
	vals  []argValue // in its order
}

// argValue is one bound argument.
type argValue struct {
	text  string  // as written, or the default
	pos   ast.Pos // of the value; zero for the default
	given bool
	word  string        // the word of its Arg.Words it is, as declared; "" for a value
	num   float64       // ArgNumber, ArgInt
	n     int64         // ArgInt; ArgNumber when whole
	whole bool          // ArgNumber: written as a whole number (n holds it)
	dur   time.Duration // ArgDuration
	b     bool          // ArgBool
	codes []int64       // ArgCodes
}

// BindArgs matches a stage's arguments to its descriptor and reads each
// by its declared type. Positional arguments go in the descriptor's
// order, named ones by name (without regard to case), and the omitted
// ones take their defaults. A positional word that names one of the
// arguments, followed by another, names the argument the way name=value
// does, so that stages read as phrases: "newvalue country by user
// baseline 30d" is "newvalue country by=user baseline=30d". It refuses
// unknown names (an *UnknownArgError), an argument given twice, too many
// arguments and missing required ones; then a value that is not of its
// argument's type, outside its Min and Max, or not one of the Words of
// an ArgString that has them (an *ArgError at the value).
func BindArgs(d Descriptor, args []StageArg) (*Args, error) {
	given := make([]*StageArg, len(d.Args))
	next := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a.Name == "" && i+1 < len(args) && args[i+1].Name == "" {
			if k := argIndex(d, a.Value); k >= 0 {
				a = StageArg{Name: d.Args[k].Name, Value: args[i+1].Value, Pos: args[i+1].Pos}
				i++
			}
		}
		k := next
		if a.Name == "" {
			if next >= len(d.Args) {
				return nil, fmt.Errorf("%s takes %d arguments (%s)", d.Name, len(d.Args), d.Usage())
			}
			next++
		} else if k = argIndex(d, a.Name); k < 0 {
			return nil, &UnknownArgError{Stage: d.Name, Arg: i, Name: a.Name, Usage: d.Usage()}
		}
		if given[k] != nil {
			return nil, fmt.Errorf("%s: argument %s given twice", d.Name, d.Args[k].Name)
		}
		given[k] = &a
	}
	for k, da := range d.Args {
		if given[k] == nil && da.Default == "" {
			return nil, fmt.Errorf("%s needs its %s argument (%s)", d.Name, da.Name, d.Usage())
		}
	}
	out := &Args{stage: d.Name, decl: d.Args, vals: make([]argValue, len(d.Args))}
	for k, da := range d.Args {
		v := argValue{text: da.Default}
		if g := given[k]; g != nil {
			v.text, v.pos, v.given = g.Value, g.Pos, true
		}
		if bad, msg := v.read(da); msg != "" {
			return nil, &ArgError{Stage: d.Name, Arg: da.Name, Value: bad, Pos: v.pos, Msg: msg}
		}
		out.vals[k] = v
	}
	return out, nil
}

// argIndex returns the index of the argument of d named name, without
// regard to case; -1 for none.
func argIndex(d Descriptor, name string) int {
	return slices.IndexFunc(d.Args, func(a Arg) bool { return strings.EqualFold(a.Name, name) })
}

// codesHint is how error codes are written.
const codesHint = `(write codes like "50126, 50053")`

// read reads v.text by the type of its argument a. It returns the text
// at fault and what is wrong with it, "" when nothing is.
func (v *argValue) read(a Arg) (bad, msg string) {
	s := strings.TrimSpace(v.text)
	for _, w := range a.Words {
		if strings.EqualFold(s, w) {
			v.word = w
			return "", ""
		}
	}
	switch a.Type {
	case ArgInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < intBound(a.Min, math.MinInt64) || n > intBound(a.Max, math.MaxInt64) {
			return v.text, "is not a whole number" + bounds(a) + wordsHint(a.Words)
		}
		v.n, v.num = n, float64(n)
	case ArgNumber:
		x, n, whole, ok := parseNumber(s)
		if !ok || x < floatBound(a.Min, math.Inf(-1)) || x > floatBound(a.Max, math.Inf(1)) {
			return v.text, "is not a number" + bounds(a) + wordsHint(a.Words)
		}
		v.num, v.n, v.whole = x, n, whole
	case ArgDuration:
		d, err := ast.ParseDuration(s)
		lo := time.Duration(1) // positive
		if a.Min != "" {
			lo = durationBound(a.Min, 0)
		}
		switch {
		case errors.Is(err, ast.ErrDurationTooLong):
			return v.text, "is too long a duration: at most " + ast.MaxDuration
		case err != nil:
			return v.text, "is not a duration like 1h" + wordsHint(a.Words)
		case d < lo || d > durationBound(a.Max, math.MaxInt64):
			if a.Min == "" {
				return v.text, "is not a positive duration" + bounds(a)
			}
			return v.text, "is not a duration" + bounds(a)
		}
		v.dur = d
	case ArgBool:
		switch strings.ToLower(s) {
		case "true", "yes", "1", "on":
			v.b = true
		case "false", "no", "0", "off":
		default:
			return v.text, "is not true or false"
		}
	case ArgCodes:
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			c, err := strconv.ParseInt(f, 10, 64)
			if err != nil || c < 0 {
				return f, "is not an error code " + codesHint
			}
			v.codes = append(v.codes, c)
		}
		if len(v.codes) == 0 {
			return v.text, "names no error code " + codesHint
		}
		slices.Sort(v.codes)
		v.codes = slices.Compact(v.codes)
	case ArgString:
		if len(a.Words) > 0 {
			return v.text, "is not " + orList(a.Words)
		}
	}
	return "", ""
}

// parseNumber reads a number: a whole number (n, whole), else a finite
// decimal number (1.5, 1e3).
func parseNumber(s string) (x float64, n int64, whole, ok bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return float64(n), n, true, true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, 0, false, false
	}
	return x, 0, false, true
}

// intBound, floatBound and durationBound read a Min or a Max (checked by
// Register), or give def for none.
func intBound(s string, def int64) int64 {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return def
}

func floatBound(s string, def float64) float64 {
	if x, _, _, ok := parseNumber(s); ok {
		return x
	}
	return def
}

func durationBound(s string, def time.Duration) time.Duration {
	if d, err := ast.ParseDuration(s); err == nil {
		return d
	}
	return def
}

// bounds words an argument's Min and Max: " of at least 1", " from 0 to
// 1".
func bounds(a Arg) string {
	switch {
	case a.Min != "" && a.Max != "":
		return " from " + a.Min + " to " + a.Max
	case a.Min != "":
		return " of at least " + a.Min
	case a.Max != "":
		return " of at most " + a.Max
	}
	return ""
}

// wordsHint names the words an argument takes besides values: " (or
// auto)".
func wordsHint(words []string) string {
	if len(words) == 0 {
		return ""
	}
	return " (or " + orList(words) + ")"
}

// orList words a list of choices: "a, b or c".
func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// checkArgs checks a stage's descriptor as Register does: each Min and
// Max reads as a value of its argument's type, and each default binds.
func checkArgs(d Descriptor) error {
	for _, a := range d.Args {
		for _, b := range []string{a.Min, a.Max} {
			if b == "" {
				continue
			}
			ok := false
			switch a.Type {
			case ArgInt:
				_, err := strconv.ParseInt(b, 10, 64)
				ok = err == nil
			case ArgNumber:
				_, _, _, ok = parseNumber(b)
			case ArgDuration:
				_, err := ast.ParseDuration(b)
				ok = err == nil
			default:
				return fmt.Errorf("argument %s: a %v takes no bounds (Min, Max): numbers and durations do", a.Name, a.Type)
			}
			if !ok {
				return fmt.Errorf("argument %s: bound %q is not a %v", a.Name, b, a.Type)
			}
		}
		if a.Default == "" {
			continue
		}
		v := argValue{text: a.Default}
		if bad, msg := v.read(a); msg != "" {
			return fmt.Errorf("argument %s: default %q: %q %s", a.Name, a.Default, bad, msg)
		}
	}
	return nil
}

// value returns the bound argument name, of one of the types.
func (a *Args) value(name string, types ...ArgType) *argValue {
	for i, d := range a.decl {
		if d.Name == name {
			if len(types) > 0 && !slices.Contains(types, d.Type) {
				panic(fmt.Sprintf("plugins: %s's %s is a %v argument, read as a %v", a.stage, name, d.Type, types[0]))
			}
			return &a.vals[i]
		}
	}
	panic(fmt.Sprintf("plugins: %s has no argument %q", a.stage, name))
}

// Text returns an argument as the query wrote it (or its default), of
// any type: a field's or a column's name, a condition, a string.
func (a *Args) Text(name string) string { return a.value(name).text }

// Given reports whether the query gave the argument (else it is at its
// default).
func (a *Args) Given(name string) bool { return a.value(name).given }

// Word returns the word of the argument's Words that the query gave (as
// the descriptor declares it), "" when it gave a value of its type.
func (a *Args) Word(name string) string { return a.value(name).word }

// Int returns a whole number (ArgInt).
func (a *Args) Int(name string) int64 { return a.value(name, ArgInt).n }

// Float returns a number (ArgNumber, ArgInt).
func (a *Args) Float(name string) float64 { return a.value(name, ArgNumber, ArgInt).num }

// Whole returns a number (ArgNumber) written as a whole number, and
// false for one written otherwise (0.5, 1e3).
func (a *Args) Whole(name string) (int64, bool) {
	v := a.value(name, ArgNumber)
	return v.n, v.whole
}

// Duration returns a duration (ArgDuration); 0 when it is one of Words.
func (a *Args) Duration(name string) time.Duration { return a.value(name, ArgDuration).dur }

// Bool returns a flag (ArgBool).
func (a *Args) Bool(name string) bool { return a.value(name, ArgBool).b }

// Codes returns error codes (ArgCodes): at least one, in increasing
// order, without repeats.
func (a *Args) Codes(name string) []int64 { return slices.Clone(a.value(name, ArgCodes).codes) }

// Error returns an *ArgError about an argument's value, which a stage's
// Bind or Needs returns to refuse it; msg says what is wrong, after the
// value: "is not a field (see docs/fields.md)".
func (a *Args) Error(name, msg string) error {
	v := a.value(name)
	return &ArgError{Stage: a.stage, Arg: name, Value: v.text, Pos: v.pos, Msg: msg}
}
