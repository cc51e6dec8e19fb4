package plugins

import (
	"errors"
	"testing"
)

// FuzzBindArgs checks that binding never panics on any value of any
// argument type, that a bound value's getter does not panic, and that a
// refused value is an *ArgError naming the argument (or an
// *UnknownArgError for a name the stage lacks).
func FuzzBindArgs(f *testing.F) {
	for _, s := range []string{"5", " 12 ", "-3", "1.5", "ten", "", "1h", "7D", "106752d", "true", "off", "50126, 50053", "50126 x", "user", "\"quoted\"", "auto", "9223372036854775808", "1e309", "NaN"} {
		f.Add(uint8(0), s, false)
	}
	types := []ArgType{ArgField, ArgNumber, ArgDuration, ArgString, ArgInt, ArgBool, ArgCodes}
	f.Fuzz(func(t *testing.T, which uint8, text string, named bool) {
		typ := types[int(which)%len(types)]
		a := Arg{Name: "a", Type: typ, Default: ""}
		switch typ {
		case ArgInt:
			a.Min, a.Max = "1", "1000"
		case ArgNumber:
			a.Min = "0"
		case ArgDuration:
			a.Min = "1m"
		case ArgString:
			if which%2 == 0 {
				a.Words = []string{"auto", "all"}
			}
		}
		d := Descriptor{Name: "s", Kind: KindStage, Args: []Arg{a}}
		arg := StageArg{Value: text}
		if named {
			arg.Name = "a"
		}
		args, err := BindArgs(d, []StageArg{arg})
		if err != nil {
			var ae *ArgError
			var ue *UnknownArgError
			if !errors.As(err, &ae) && !errors.As(err, &ue) {
				t.Fatalf("%v %q: %v (%T), not an argument error", typ, text, err, err)
			}
			return
		}
		_ = args.Text("a")
		switch typ {
		case ArgInt:
			if n := args.Int("a"); n < 1 || n > 1000 {
				t.Fatalf("%q bound to %d, outside [1, 1000]", text, n)
			}
		case ArgNumber:
			if x := args.Float("a"); !(x >= 0) {
				t.Fatalf("%q bound to %v, under 0", text, x)
			}
		case ArgDuration:
			_ = args.Duration("a")
		case ArgBool:
			_ = args.Bool("a")
		case ArgCodes:
			_ = args.Codes("a")
		}
	})
}
