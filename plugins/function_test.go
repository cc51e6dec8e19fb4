package plugins

import (
	"math"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// TestFunctions checks each shipped function on chosen values.
func TestFunctions(t *testing.T) {
	at := func(s string) result.Value {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return result.TimeValue(tm)
	}
	f := func(name string, want result.Value, args ...result.Value) {
		t.Helper()
		p, ok := Default().Lookup(name)
		if !ok {
			t.Fatalf("%s is not registered", name)
		}
		got, err := p.(Function).Eval(args)
		if err != nil {
			t.Fatalf("%s%v: %v", name, args, err)
		}
		if !got.Equal(want) || got.Kind() != want.Kind() || got.IsNull() != want.IsNull() {
			t.Errorf("%s%v = %v (%s), want %v (%s)", name, args, got, got.Kind(), want, want.Kind())
		}
	}
	f("hour", result.IntValue(23), at("2026-11-29T23:59:59Z"))
	f("hour", result.IntValue(0), at("2026-11-30T00:00:00Z"))
	f("hour", result.IntValue(4), at("2026-11-30T05:30:00+01:00")) // UTC
	f("hour", result.Null(signin.KindInt), result.Null(signin.KindTime))
	f("weekday", result.StringValue("1 Mon"), at("2026-11-30T10:00:00Z"))
	f("weekday", result.StringValue("7 Sun"), at("2026-11-29T23:59:59Z"))
	f("weekday", result.StringValue(""), result.Null(signin.KindTime))
	f("date", at("2026-11-29T00:00:00Z"), at("2026-11-29T23:59:59Z"))
	f("date", at("1969-12-31T00:00:00Z"), at("1969-12-31T12:00:00Z")) // before the epoch
	f("domain", result.StringValue("contoso.com"), result.StringValue("Alice@Contoso.COM"))
	f("domain", result.StringValue("b.example"), result.StringValue(`"a@b"@b.example`))
	f("domain", result.StringValue(""), result.StringValue("no-at-sign"))
	f("subnet", result.StringValue("203.0.113.0/24"), result.StringValue("203.0.113.7"), result.IntValue(24))
	f("subnet", result.StringValue("10.0.0.0/8"), result.StringValue("::ffff:10.1.2.3"), result.IntValue(8))
	f("subnet", result.StringValue("2001:db8:1:2::/64"), result.StringValue("2001:db8:1:2:3::4"), result.IntValue(24))
	f("subnet", result.StringValue("2001:db8::/33"), result.StringValue("2001:db8:1:2:3::4"), result.IntValue(33))
	f("subnet", result.StringValue("2001:db8:1::/48"), result.StringValue("2001:db8:1:2:3::4"), result.IntValue(48))
	f("subnet", result.StringValue(""), result.StringValue("not an address"), result.IntValue(24))
	f("subnet", result.StringValue(""), result.StringValue(""), result.IntValue(24))
	if _, err := (subnet{}).Eval([]result.Value{result.StringValue("10.0.0.1"), result.IntValue(33)}); err == nil {
		t.Error("subnet(10.0.0.1, 33) gave no error")
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
		for _, p := range Default().All(KindFunction) {
			fn := p.(Function)
			d := fn.Describe()
			var args []result.Value
			var kinds []signin.Kind
			for j, a := range d.Args {
				var v result.Value
				switch {
				case j == 0 && a.Type == ArgField:
					// The field's kind: the one Result accepts.
					for _, k := range []signin.Kind{signin.KindTime, signin.KindString, signin.KindInt, signin.KindFloat, signin.KindBool} {
						if _, err := fn.Result(append([]signin.Kind{k}, constKinds(d)...)); err == nil {
							v = valueOf(k, s, i, x, null)
							break
						}
					}
				case a.Type == ArgNumber:
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
func constKinds(d Descriptor) []signin.Kind {
	var out []signin.Kind
	for _, a := range d.Args[1:] {
		if a.Type == ArgNumber {
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
