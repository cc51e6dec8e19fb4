package querygen

// The random queries' time arithmetic and functions inside aggregates
// (querygen.go): comparisons of times and durations on sign-ins,
// in conditions and countif's, and over output columns in having; and
// aggregates of functions of a field.

import (
	"strings"

	"github.com/signinq/signinq/engine/signin"
)

// rqTimeSides are what time arithmetic on sign-ins adds to or subtracts
// from: time fields, and functions of one that give a time.
var rqTimeSides = []string{"time", "time", "ingested", "date(time)", "date(ingested)"}

// rqDurations are durations of time arithmetic: one unit, several as
// answers print them, negative, zero.
var rqDurations = []string{"1h", "30m", "1d", "2d", "12h", "3d", "10d", "90s", "5m30s", "1d12h", "2h15m", "-1h", "0s", "1s500ms", "1w"}

// timeArithPred is a comparison of times or durations on a sign-in:
// a field against now or a time moved by a duration, or two fields'
// difference against a duration.
func (g *Gen) timeArithPred() string {
	f := func() string { return g.side(Pick(g, rqTimeSides)) }
	d := func() string { return Pick(g, rqDurations) }
	op := Pick(g, []string{"=", "!=", "<", "<=", ">", ">="})
	now := g.kw("now")
	switch g.Intn(7) {
	case 0:
		return f() + g.op(op) + now + " - " + d()
	case 1:
		return now + " - " + d() + g.op(op) + f()
	case 2:
		return f() + " + " + d() + g.op(op) + g.instant()
	case 3:
		return f() + " - " + f() + g.op(op) + d()
	case 4:
		return f() + g.op(op) + f() + " - " + d()
	case 5:
		return now + " - " + f() + g.op(op) + d()
	}
	return f() + g.op(op) + now
}

// rqAggFns are functions of a field aggregates fold, by the kind they
// give.
var rqAggFns = map[signin.Kind][]string{
	signin.KindString: {"domain(user)", "domain(identity)", "weekday(time)", "weekday(ingested)", "subnet(ip, 16)", "subnet(ip, 24)"},
	signin.KindInt:    {"hour(time)", "hour(ingested)"},
	signin.KindTime:   {"date(time)", "date(ingested)"},
}

// aggField is an aggregate's field: one of fields, or now and then a
// function of a field of a kind among kinds.
func (g *Gen) aggField(fields []string, kinds ...signin.Kind) string {
	if g.Chance(0.15) {
		f := Pick(g, rqAggFns[Pick(g, kinds)])
		if strings.Contains(f, ",") {
			return g.fn("subnet") + "(" + g.Name("ip") + f[len("subnet(ip"):] // side cuts at the first "("
		}
		return g.side(f)
	}
	return g.Name(Pick(g, fields))
}

// timeHeads are heads of times and durations: the first and last time
// of a group, and their difference.
func (g *Gen) timeHead() rqHead {
	f := Pick(g, []string{"time", "ingested", "date(time)"})
	switch g.Intn(4) {
	case 0:
		return rqHead{text: g.fn("max") + "(" + g.side(f) + ") - " + g.fn("min") + "(" + g.side(f) + ")", kind: signin.KindDuration}
	case 1:
		return rqHead{text: g.kw("now") + " - " + g.fn("max") + "(" + g.side(f) + ")", kind: signin.KindDuration}
	}
	return rqHead{text: g.fn(Pick(g, []string{"min", "max"})) + "(" + g.side(f) + ")", kind: signin.KindTime}
}

// timeHaving is a comparison of times or durations over the heads of
// those kinds, or "" when there are none.
func (g *Gen) timeHaving(heads []rqHead) string {
	var times, durs []string
	for _, h := range heads {
		if strings.ContainsAny(h.ref, " (") {
			continue // named by its text: arithmetic would need parentheses
		}
		switch h.kind {
		case signin.KindTime:
			times = append(times, h.ref)
		case signin.KindDuration:
			durs = append(durs, h.ref)
		}
	}
	op := Pick(g, []string{"=", "!=", "<", "<=", ">", ">="})
	d := Pick(g, rqDurations)
	switch {
	case len(times) > 1 && g.Chance(0.5):
		return Pick(g, times) + " - " + Pick(g, times) + " " + op + " " + d
	case len(times) > 0 && g.Chance(0.5):
		return Pick(g, times) + " " + op + " " + g.kw("now") + " - " + d
	case len(times) > 0:
		return g.kw("now") + " - " + Pick(g, times) + " " + op + " " + d
	case len(durs) > 0:
		return Pick(g, durs) + " " + op + " " + d
	}
	return ""
}
