package gen

import (
	"time"
)

// tick is the precision of generated times: Entra ID's .NET ticks.
const tick = 100 * time.Nanosecond

// ticksPerHour is the length of a rhythm bin in ticks.
const ticksPerHour = int64(time.Hour / tick)

// Shares of the sign-in types in the compact shape (see shapeSpec):
// machine (service principal and managed identity) sign-ins make up
// machineShare of the volume, two thirds of them service principals;
// interactiveShare of user sign-ins are interactive.
const (
	machineShare     = 0.18
	spShareOfMachine = 2.0 / 3
	interactiveShare = 0.15
)

// hourProfile is the relative activity of people by local hour of day.
var hourProfile = [24]float64{
	0.08, 0.07, 0.06, 0.06, 0.07, 0.1, 0.25, 0.6, 1.0, 1.2, 1.2, 1.15,
	0.9, 1.1, 1.15, 1.1, 1.0, 0.75, 0.5, 0.4, 0.35, 0.3, 0.2, 0.12,
}

// weekendFactor scales people's activity on Saturdays and Sundays.
const weekendFactor = 0.22

// rhythm is the distribution of sign-ins over the window: hour bins
// weighted by each time zone's working hours and week, and a flatter
// machine load. Event k of N gets the time at((k+u)/N) for u in [0, 1),
// so times rise with k. A rhythm is read-only after it is made.
type rhythm struct {
	start, end int64 // the window in ticks since the Unix epoch: [start, end)
	cum        []float64
	machine    []float64 // per bin: the probability that a sign-in is a machine's
	groups     []cdf     // per bin: the distribution of user sign-ins over time-zone groups
}

// newRhythm makes the rhythm of the window [start, end) for the
// tenant's time-zone groups, machineShare of the sign-ins being
// machines' and userShare (1 - machineShare, as the caller rounds it)
// people's.
func newRhythm(start, end time.Time, groups []*tzGroup, machineShare, userShare float64) *rhythm {
	s := ceilTicks(start.UnixNano())
	e := ceilTicks(end.UnixNano())
	bins := int((e - s + ticksPerHour - 1) / ticksPerHour)
	rh := &rhythm{start: s, end: e, cum: make([]float64, bins+1), machine: make([]float64, bins), groups: make([]cdf, bins)}
	user := make([]float64, bins)
	mach := make([]float64, bins)
	var userSum, machSum float64
	gw := make([]float64, len(groups))
	for b := range bins {
		length := float64(min(ticksPerHour, e-s-int64(b)*ticksPerHour)) / float64(ticksPerHour)
		mid := time.Unix(0, (s+int64(b)*ticksPerHour+ticksPerHour/2)*int64(tick)).UTC()
		for i, g := range groups {
			local := mid.Add(time.Duration(g.tz) * time.Minute)
			f := hourProfile[local.Hour()]
			if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
				f *= weekendFactor
			}
			gw[i] = g.total * f
			user[b] += gw[i]
		}
		rh.groups[b] = newCDF(gw)
		user[b] *= length
		// Machines run around the clock, a little busier on weekdays.
		m := 1.0
		if wd := mid.Weekday(); wd == time.Saturday || wd == time.Sunday {
			m = 0.8
		}
		mach[b] = m * length
		userSum += user[b]
		machSum += mach[b]
	}
	total := 0.0
	for b := range bins {
		u := userShare * user[b] / userSum
		m := machineShare * mach[b] / machSum
		rh.machine[b] = m / (u + m)
		total += u + m
		rh.cum[b+1] = total
	}
	for b := range rh.cum {
		rh.cum[b] /= total
	}
	rh.cum[bins] = 1
	return rh
}

// ceilTicks rounds nanoseconds up to whole ticks.
func ceilTicks(ns int64) int64 {
	t := ns / int64(tick)
	if t*int64(tick) < ns {
		t++
	}
	return t
}

// at returns the time of quantile p in [0, 1) and its bin. It is
// non-decreasing in p, and its times lie in the window.
func (rh *rhythm) at(p float64) (time.Time, int) {
	bins := len(rh.machine)
	lo, hi := 0, bins-1
	for lo < hi { // the last bin whose cumulative start is <= p
		m := int(uint(lo+hi+1) >> 1)
		if rh.cum[m] <= p {
			lo = m
		} else {
			hi = m - 1
		}
	}
	b := lo
	binStart := rh.start + int64(b)*ticksPerHour
	binLen := min(ticksPerHour, rh.end-binStart)
	frac := (p - rh.cum[b]) / (rh.cum[b+1] - rh.cum[b])
	off := int64(frac * float64(binLen))
	off = max(0, min(off, binLen-1))
	return time.Unix(0, (binStart+off)*int64(tick)).UTC(), b
}
