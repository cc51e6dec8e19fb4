package function

import (
	"math"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// at returns the time written in RFC 3339, as a value.
func at(t *testing.T, s string) result.Value {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return result.TimeValue(tm)
}

// check calls the built-in function of a name on args and wants want,
// of its kind, null if it is null.
func check(t *testing.T, name string, want result.Value, args ...result.Value) {
	t.Helper()
	p, ok := lookup(name)
	if !ok {
		t.Fatalf("%s is not a built-in", name)
	}
	got, err := p.(plugins.Function).Eval(args)
	if err != nil {
		t.Fatalf("%s%v: %v", name, args, err)
	}
	if !got.Equal(want) || got.Kind() != want.Kind() || got.IsNull() != want.IsNull() {
		t.Errorf("%s%v = %v (%s), want %v (%s)", name, args, got, got.Kind(), want, want.Kind())
	}
}

// FuzzFunctions feeds every registered function arguments of the kinds
// it takes, with nulls and extreme values: it returns a value of the kind
// its Result promised, or an error, and never panics.
func FuzzFunctions(f *testing.F) {
	f.Add("alice@contoso.com", int64(1764460800000000000), 24.0, false)
	f.Add("2001:db8::1", int64(math.MinInt64), -1.0, true)
	f.Add("@", int64(math.MaxInt64), 1e300, false)
	f.Add("10.0.0.1", int64(-1), 128.0, false)
	f.Fuzz(func(t *testing.T, s string, i int64, x float64, null bool) {
		for _, p := range All() {
			fn := p.(plugins.Function)
			d := fn.Describe()
			var args []result.Value
			var kinds []signin.Kind
			for j, a := range d.Args {
				var v result.Value
				switch {
				case j == 0 && a.Type == plugins.ArgField:
					// The field's kind: the one Result accepts.
					for _, k := range []signin.Kind{signin.KindTime, signin.KindString, signin.KindInt, signin.KindFloat, signin.KindBool} {
						if _, err := fn.Result(append([]signin.Kind{k}, constKinds(d)...)); err == nil {
							v = valueOf(k, s, i, x, null)
							break
						}
					}
				case a.Type == plugins.ArgNumber:
					v = result.IntValue(i % 200)
				default:
					v = result.StringValue(s)
				}
				args, kinds = append(args, v), append(kinds, v.Kind())
			}
			want, err := fn.Result(kinds)
			if err != nil {
				t.Fatalf("%s: Result(%v): %v", d.Name, kinds, err)
			}
			got, err := fn.Eval(args)
			if err == nil && got.Kind() != want {
				t.Errorf("%s%v = %v of kind %s; Result said %s", d.Name, args, got, got.Kind(), want)
			}
		}
	})
}

// constKinds are the kinds of a function's constant arguments.
func constKinds(d plugins.Descriptor) []signin.Kind {
	var out []signin.Kind
	for _, a := range d.Args[1:] {
		if a.Type == plugins.ArgNumber {
			out = append(out, signin.KindInt)
		} else {
			out = append(out, signin.KindString)
		}
	}
	return out
}

func valueOf(k signin.Kind, s string, i int64, x float64, null bool) result.Value {
	if null {
		if k == signin.KindString {
			return result.StringValue("")
		}
		return result.Null(k)
	}
	switch k {
	case signin.KindTime:
		return result.TimeValue(time.Unix(0, i))
	case signin.KindInt:
		return result.IntValue(i)
	case signin.KindFloat:
		return result.FloatValue(x)
	case signin.KindBool:
		return result.BoolValue(i%2 == 0)
	}
	return result.StringValue(s)
}

// lookup returns the built-in function of a name.
func lookup(name string) (plugins.Plugin, bool) {
	for _, p := range All() {
		if p.Describe().Name == name {
			return p, true
		}
	}
	return nil, false
}
