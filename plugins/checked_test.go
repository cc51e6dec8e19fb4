package plugins

import (
	"math"
	"math/big"
	"testing"
)

// TestCheckedInts checks AddInt, SubInt and MulInt against math/big over
// the edges of an int64: the result when it fits, false when it does not.
func TestCheckedInts(t *testing.T) {
	edges := []int64{0, 1, -1, 2, -2, 3, 3000, -3000, 1 << 31, -1 << 31, 1 << 32, 3037000499, 3037000500, -3037000500,
		1 << 62, -1 << 62, math.MaxInt64 / 2, math.MaxInt64/2 + 1, math.MaxInt64 - 1, math.MaxInt64, math.MinInt64 + 1, math.MinInt64}
	for _, a := range edges {
		for _, b := range edges {
			for _, op := range []struct {
				name string
				f    func(a, b int64) (int64, bool)
				big  func(z, x, y *big.Int) *big.Int
			}{{"+", AddInt, (*big.Int).Add}, {"-", SubInt, (*big.Int).Sub}, {"*", MulInt, (*big.Int).Mul}} {
				want := op.big(new(big.Int), big.NewInt(a), big.NewInt(b))
				got, ok := op.f(a, b)
				if fits := want.IsInt64(); ok != fits || fits && got != want.Int64() {
					t.Errorf("%d %s %d = %d, %v; want %s (fits: %v)", a, op.name, b, got, ok, want, fits)
				}
			}
		}
	}
}
