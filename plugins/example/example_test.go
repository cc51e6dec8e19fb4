package example

import (
	"slices"
	"strconv"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/result"
)

func TestPerkey(t *testing.T) {
	in := []result.Column{{Name: "time", Kind: signin.KindTime}, {Name: "user", Kind: signin.KindString}}
	row := func(u string) []result.Value {
		return []result.Value{result.Null(signin.KindTime), result.StringValue(u)}
	}
	f := func(n string, users []string, want []string) {
		t.Helper()
		args, err := plugins.BindArgs(perkey{}.Describe(), []plugins.StageArg{{Value: "USER"}, {Name: "n", Value: n}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := perkey{}.Bind(args, in)
		if err != nil {
			t.Fatal(err)
		}
		var rows [][]result.Value
		for _, u := range users {
			rows = append(rows, row(u))
		}
		var got []string
		err = r.Run(t.Context(), &plugins.Env{}, slices.Values(rows), func(r []result.Value) error {
			got = append(got, r[1].Str())
			return nil
		})
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("perkey user %s of %v = %v, %v; want %v", n, users, got, err, want)
		}
	}
	f("1", []string{"a", "b", "a", "c", "b"}, []string{"a", "b", "c"})
	f("2", []string{"a", "a", "a", "b"}, []string{"a", "a", "b"})
	f("5", nil, nil)

	if _, err := bindPerkey("ip", "1", in); err == nil || err.Error() != `perkey's column: "ip" is not a column of the rows before it: time, user` {
		t.Errorf("Bind of a missing column: %v", err)
	}
	if _, err := bindPerkey("user", "0", in); err == nil || err.Error() != `perkey's n: "0" is not a whole number of at least 1` {
		t.Errorf("binding n 0: %v", err)
	}
	args, err := plugins.BindArgs(perkey{}.Describe(), []plugins.StageArg{{Value: "country"}})
	if err != nil {
		t.Fatal(err)
	}
	needs, _ := perkey{}.Needs(args)
	if !slices.Contains(needs.Fields, "country") || !slices.Contains(needs.Fields, "user") {
		t.Errorf("Needs = %v", needs)
	}
}

func TestMailbox(t *testing.T) {
	for in, want := range map[string]string{"Alice@Contoso.com": "alice", "svc-backup": "svc-backup", "": "", "a@b@c": "a@b"} {
		got, err := mailbox{}.Eval([]result.Value{result.StringValue(in)})
		if err != nil || got.Str() != want {
			t.Errorf("mailbox(%q) = %v, %v; want %q", in, got, err, want)
		}
	}
	if _, err := (mailbox{}).Result([]signin.Kind{signin.KindTime}); err == nil {
		t.Error("mailbox(time) was accepted")
	}
}

func TestRegister(t *testing.T) {
	r := plugins.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	if got := r.Names(0); !slices.Equal(got, []string{"mailbox", "perkey"}) {
		t.Errorf("registered %v", got)
	}
	if err := Register(r); err == nil {
		t.Error("registering twice gave no error")
	}
	if _, ok := standard.Registry().Lookup("perkey"); ok {
		t.Error("importing the package registered perkey in the standard registry: nothing registers from init")
	}
}

// bindPerkey binds perkey's arguments, then perkey to the columns in.
func bindPerkey(column, n string, in []result.Column) (plugins.Runner, error) {
	args, err := plugins.BindArgs(perkey{}.Describe(), []plugins.StageArg{{Value: column}, {Value: n}})
	if err != nil {
		return nil, err
	}
	return perkey{}.Bind(args, in)
}

// FuzzPerkey feeds perkey random rows: it keeps at most n of each value,
// in the order read, and never fails.
func FuzzPerkey(f *testing.F) {
	f.Add([]byte("aabbbc"), uint8(1))
	f.Add([]byte{}, uint8(3))
	f.Fuzz(func(t *testing.T, keys []byte, n uint8) {
		in := []result.Column{{Name: "user", Kind: signin.KindString}}
		r, err := bindPerkey("user", strconv.Itoa(int(n)), in)
		if n == 0 {
			if err == nil {
				t.Fatal("n 0 was accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var rows [][]result.Value
		for _, k := range keys {
			v := result.StringValue(string(rune('a' + k%5)))
			if k%7 == 0 {
				v = result.Null(signin.KindString)
			}
			rows = append(rows, []result.Value{v})
		}
		seen := map[string]int{}
		err = r.Run(t.Context(), &plugins.Env{}, slices.Values(rows), func(row []result.Value) error {
			k := row[0].String()
			if seen[k]++; seen[k] > int(n) {
				t.Fatalf("%q emitted %d times, n is %d", k, seen[k], n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
