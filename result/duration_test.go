package result

import (
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
)

// TestFormatDuration checks how a duration prints: longest unit first,
// zeros left out, 0s for none, a minus sign, the extremes.
func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{5 * time.Minute, "5m"},
		{330 * time.Second, "5m30s"},
		{36 * time.Hour, "1d12h"},
		{14 * 24 * time.Hour, "14d"},
		{1250 * time.Millisecond, "1s250ms"},
		{1, "1ns"},
		{time.Hour + 1500, "1h1us500ns"},
		{-2 * time.Hour, "-2h"},
		{1<<63 - 1, "106751d23h47m16s854ms775us807ns"},
		{-1 << 63, "-106751d23h47m16s854ms775us808ns"},
	} {
		if got := FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%d) = %q, want %q", tc.d, got, tc.want)
		}
		v := DurationValue(tc.d)
		if v.Kind() != signin.KindDuration || v.Duration() != tc.d || v.String() != tc.want {
			t.Errorf("DurationValue(%d): kind %v, %v, %q", tc.d, v.Kind(), v.Duration(), v.String())
		}
	}
	if s := Null(signin.KindDuration).String(); s != "" {
		t.Errorf("a null duration prints %q", s)
	}
	if Compare(DurationValue(time.Minute), DurationValue(time.Hour)) >= 0 || Compare(DurationValue(-time.Hour), DurationValue(0)) >= 0 {
		t.Error("durations do not order by length")
	}
}
