package query

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// TestArithmeticOverflow checks that arithmetic in heads never wraps: a
// whole-number result beyond an int64 (or a decimal one beyond a
// float64) is an error at the operator that overflowed, naming the
// group; literals are read exactly, and one beyond the range is an error
// at it.
func TestArithmeticOverflow(t *testing.T) {
	db, err := fuzzStore()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), db, nil, "count", Options{Now: checkNow})
	if err != nil {
		t.Fatal(err)
	}
	n := res.Rows[0][0].Int() // 3000: n^5 fits in an int64, n^6 does not
	for _, tc := range []struct {
		text string
		at   string // where the error is: the first place of this text (the last, with a NUL after it)
		msg  string
	}{
		{"count as c, c * c * c * c * c * c as x", "* c as", fmt.Sprintf("c * c * c * c * c * c overflows: %d * %d is beyond the range of whole numbers", n*n*n*n*n, n)},
		{"count + 9223372036854775807", "+", fmt.Sprintf("count + 9223372036854775807 overflows: %d + 9223372036854775807 is beyond", n)},
		{"0 - count - 9223372036854775807", "- 9", fmt.Sprintf("0 - count - 9223372036854775807 overflows: %d - 9223372036854775807 is beyond", -n)},
		{"count * 4611686018427387904 group by app", "*", "count * 4611686018427387904 overflows for app = "},
		{"count * 1e300 * 1e300", "* 1e300\x00", "count * 1e300 * 1e300 overflows: 3.0000000000000003e+303 * 1e+300 is beyond the range of decimal numbers"},
		{"count + 9223372036854775808", "9223372036854775808", "9223372036854775808 is beyond the range of whole numbers"},
		{"count + 1e400", "1e400", "1e400 is beyond the range of decimal numbers"},
	} {
		_, err := Run(t.Context(), db, nil, tc.text, Options{Now: checkNow})
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%s: %v, want a *query.Error", tc.text, err)
			continue
		}
		col := strings.Index(tc.text, tc.at) + 1
		if at, last := strings.CutSuffix(tc.at, "\x00"); last {
			col = strings.LastIndex(tc.text, at) + 1 // the last place
		}
		if qe.Pos.Col != col || !strings.Contains(qe.Msg, tc.msg) {
			t.Errorf("%s:\n  got  %v\n  want 1:%d: …%s…", tc.text, err, col, tc.msg)
		}
	}
	// Literals are whole numbers exactly, beyond a float64's 2^53, and
	// results that fit are exact to the last unit.
	for _, tc := range []struct {
		text string
		want result.Value
	}{
		{"count - count + 9007199254740993", result.IntValue(9007199254740993)},
		{"count - count - 9223372036854775807 - 1", result.IntValue(math.MinInt64)},
		{"count * 3074457345618258", result.IntValue(n * 3074457345618258)},
		{"count as c, c * c * c * c * c as x", result.IntValue(n * n * n * n * n)},
	} {
		res, err := Run(t.Context(), db, nil, tc.text, Options{Now: checkNow})
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		got := res.Rows[0][len(res.Rows[0])-1]
		if got.Kind() != tc.want.Kind() || got.Int() != tc.want.Int() {
			t.Errorf("%s = %v (%s), want %v (%s)", tc.text, got, got.Kind(), tc.want, tc.want.Kind())
		}
	}
}

// TestSumOverflow checks that a sum of whole numbers beyond an int64 is
// an error naming the aggregate and the group, whether it overflows
// within a part or when the parts' sums are merged, and that avg of the
// same values, a decimal number, is not.
func TestSumOverflow(t *testing.T) {
	db, err := engine.Open("", &engine.Options{InMemory: true, NoBackgroundCompaction: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	var recs []signin.Record
	for i, tc := range []struct {
		app     string
		days    int
		latency int64
	}{
		{"Within", 0, 1 << 62}, {"Within", 0, 1 << 62}, // one part
		{"Merged", 0, 1 << 62}, {"Merged", 1, 1 << 62}, // two parts, merged
		{"Fits", 0, 1 << 61}, {"Fits", 1, 1 << 61},
	} {
		r := signin.New()
		r.ID = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		r.Time, r.Type = day.AddDate(0, 0, tc.days), signin.TypeInteractive
		r.User, r.App, r.Latency = "u@contoso.com", tc.app, tc.latency
		recs = append(recs, r)
	}
	if _, err := db.IngestRecords(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	now := day.AddDate(0, 0, 2)
	for _, app := range []string{"Within", "Merged"} {
		text := fmt.Sprintf("count, sum(latency) where app = %s group by app", app)
		_, err := Run(t.Context(), db, nil, text, Options{Now: now})
		var qe *Error
		if !errors.As(err, &qe) || !errors.Is(err, plugins.ErrOverflow) || qe.Pos.Col != 8 ||
			!strings.Contains(qe.Msg, "sum(latency) for app = "+app+": the result is beyond the range of whole numbers") {
			t.Errorf("%s: %v, want 1:8: sum(latency) for app = %s: … beyond the range of whole numbers", text, err, app)
		}
	}
	res, err := Run(t.Context(), db, nil, "sum(latency), avg(latency) where app = Fits", Options{Now: now})
	if err != nil || res.Rows[0][0].Int() != 1<<62 {
		t.Errorf("sum of what fits: %v, %v", res, err)
	}
	res, err = Run(t.Context(), db, nil, "avg(latency)", Options{Now: now})
	if err != nil || res.Rows[0][0].Float() != 5*float64(1<<62)/6 {
		t.Errorf("avg(latency) of all: %v, %v", res, err)
	}
}
