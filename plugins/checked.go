package plugins

import (
	"errors"
	"math"
)

// Checked integer arithmetic: the language's heads and the aggregates
// that add whole numbers (sum) never give a wrapped number. Each returns
// the result and whether it fits in an int64; when it does not, the
// caller reports an error (ErrOverflow) instead of a value.

// AddInt returns a + b, and false when it overflows.
func AddInt(a, b int64) (int64, bool) {
	s := a + b
	return s, (a^s)&(b^s) >= 0 // overflow: both operands' signs differ from the sum's
}

// SubInt returns a - b, and false when it overflows.
func SubInt(a, b int64) (int64, bool) {
	d := a - b
	return d, (a^b)&(a^d) >= 0 // overflow: operands of different signs, and the difference's sign is b's
}

// MulInt returns a * b, and false when it overflows.
func MulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if a == -1 {
		return -b, b != math.MinInt64
	}
	if b == -1 {
		return -a, a != math.MinInt64
	}
	p := a * b
	return p, p/b == a
}

// ErrOverflow is the error of an aggregate whose whole-number result is
// beyond an int64 (±9,223,372,036,854,775,807): a Failer's Err.
var ErrOverflow = errors.New("the result is beyond the range of whole numbers (±9,223,372,036,854,775,807)")

// Failer is implemented by partials that may have no value: a sum of
// whole numbers beyond an int64. The executor asks Err before Value, and
// a partial whose Err is not nil fails the query with it, naming the
// aggregate and the group.
type Failer interface {
	Err() error
}
