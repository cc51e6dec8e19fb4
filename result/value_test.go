package result

import (
	"testing"

	"github.com/signinq/signinq/engine/signin"
)

func TestHolds(t *testing.T) {
	one, two, null := IntValue(1), FloatValue(2), Null(signin.KindInt)
	for _, c := range []struct {
		op   string
		a, b Value
		want bool
	}{
		{"=", one, one, true}, {"=", one, two, false},
		{"!=", one, two, true}, {"!=", two, two, false},
		{"<", one, two, true}, {"<", two, one, false},
		{"<=", two, two, true}, {"<=", two, one, false},
		{">", two, one, true}, {">", one, one, false},
		{">=", one, one, true}, {">=", one, two, false},
		{"=", null, null, false}, {"!=", null, one, false}, {"<", one, null, false},
	} {
		if got := Holds(c.op, c.a, c.b); got != c.want {
			t.Errorf("Holds(%q, %v, %v) = %v, want %v", c.op, c.a, c.b, got, c.want)
		}
	}
}
