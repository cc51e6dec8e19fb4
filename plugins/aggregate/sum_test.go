package aggregate

import (
	"math"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// TestSumAvg adds the present values, per part and merged (avg divides
// by the number of present values of every part, not the mean of the
// parts' means); without a present value the answer is null (printed
// empty); a sum that overflows is an error, not a wrapped number.
func TestSumAvg(t *testing.T) {
	check(t, "sum", "latency", []string{"40", "20", "60"}, ints(30, signin.NoInt, 10), ints(20))
	check(t, "avg", "latency", []string{"20", "20", "20"}, ints(30, signin.NoInt, 10), ints(20))
	check(t, "avg", "latency", []string{"1", "4", "3"}, ints(1), ints(3, 5))
	check(t, "sum", "latency", []string{"", "", ""}, ints(signin.NoInt), ints())
	check(t, "avg", "latency", []string{"", "7", "7"}, ints(signin.NoInt), ints(7))
	if _, err := (total{name: "sum"}).Result(signin.Lookup("app")); err == nil {
		t.Error("sum of a string field was accepted")
	}
	acc := total{name: "sum"}.NewAcc(plugins.Input{Field: signin.Lookup("latency")})
	big := ints(math.MaxInt64, 1)
	acc.Add([]uint32{0, 0}, []uint32{0, 1}, &big.vec)
	p := acc.Partial(0)
	if f, ok := p.(plugins.Failer); !ok || f.Err() == nil {
		t.Errorf("MaxInt64 + 1 = %v, want an error", p.Value())
	}
}
