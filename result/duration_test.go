package result

import (
	"errors"
	"flag"
	"math/rand/v2"
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

// durationSeed is TestParseDuration's seed, fixed so that a run does
// not depend on the date; -duration.seed tries another.
var durationSeed = flag.Uint64("duration.seed", 20261206, "the seed of TestParseDuration's random durations")

// TestParseDuration checks that ParseDuration reads back what
// FormatDuration writes, every unit, sign and extreme, over seeded
// random durations too, and refuses other text.
func TestParseDuration(t *testing.T) {
	seed := *durationSeed
	t.Logf("seed %d (replay: go test ./result -run TestParseDuration -duration.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	ds := []time.Duration{0, 1, -1, time.Hour + 1500, 36 * time.Hour, -2 * time.Hour, 1<<63 - 1, -1 << 63}
	for range 10000 {
		d := time.Duration(rng.Int64())
		if rng.IntN(2) == 0 {
			d = time.Duration(rng.Int64N(int64(48*time.Hour))) / time.Duration([]int64{1, 1000, 1e6, 1e9}[rng.IntN(4)])
		}
		if rng.IntN(2) == 0 {
			d = -d
		}
		ds = append(ds, d)
	}
	for _, d := range ds {
		got, err := ParseDuration(FormatDuration(d))
		if err != nil || got != d {
			t.Fatalf("ParseDuration(%q) = %v, %v; want %d", FormatDuration(d), got, err, d)
		}
	}
	for _, s := range []string{"", "-", "5", "m", "5x", "30s5m", "5m5m", "0m", "-0s", "5 m", "+5m", "106752d", "-106751d23h47m16s854ms775us809ns", "106751d23h47m16s854ms775us808ns", "5M"} {
		if d, err := ParseDuration(s); !errors.Is(err, ErrNotDuration) {
			t.Errorf("ParseDuration(%q) = %v, %v; want ErrNotDuration", s, d, err)
		}
	}
}
