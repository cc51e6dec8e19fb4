package gen

import (
	"testing"
	"time"
)

func TestRhythm(t *testing.T) {
	g := newGen(t, Config{Count: 1, Days: 28})
	rh := g.rhythm
	start, end := g.window()
	var prev time.Time
	perDay := map[time.Weekday]int{}
	perHour := [24]int{}
	const n = 200_000
	for k := range n {
		at, bin := rh.at((float64(k) + 0.5) / n)
		if at.Before(prev) || at.Before(start) || !at.Before(end) || bin < 0 || bin >= len(rh.machine) {
			t.Fatalf("at(%d/%d) = %v, bin %d: out of order or window", k, n, at, bin)
		}
		prev = at
		perDay[at.Weekday()]++
		perHour[at.Hour()]++
	}
	if at, _ := rh.at(0); !at.Equal(start) {
		t.Errorf("at(0) = %v, want the window's start %v", at, start)
	}
	weekday := float64(perDay[time.Tuesday]+perDay[time.Wednesday]) / 2
	weekend := float64(perDay[time.Saturday]+perDay[time.Sunday]) / 2
	if weekday < 1.6*weekend {
		t.Errorf("weekday volume %.0f, weekend %.0f: no weekly rhythm", weekday, weekend)
	}
	lo, hi := perHour[0], perHour[0]
	for _, c := range perHour {
		lo, hi = min(lo, c), max(hi, c)
	}
	if hi < 2*lo {
		t.Errorf("busiest UTC hour %d, quietest %d: no daily rhythm", hi, lo)
	}
	for b, m := range rh.machine {
		if m <= 0 || m >= 1 {
			t.Fatalf("bin %d: machine share %v", b, m)
		}
	}
}
