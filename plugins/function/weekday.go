package function

import (
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// weekday is the day of the week of a time, in UTC, as its English
// name's first three letters with the day's number from Monday, so that
// days sort in their order: "1 Mon" … "7 Sun" (as ISO 8601 numbers them).
type weekday struct{}

var _ plugins.Function = weekday{}

func (weekday) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "weekday", Kind: plugins.KindFunction,
		Args:    []plugins.Arg{{Name: "time", Type: plugins.ArgField, Help: "a time field"}},
		Help:    `the day of the week of a time, in UTC: "1 Mon" to "7 Sun"`,
		Example: `count where type=interactive since 30d group by weekday(time) order by weekday(time)`}
}

func (weekday) Result(args []signin.Kind) (signin.Kind, error) {
	return signin.KindString, wantKinds("weekday", args, signin.KindTime)
}

var weekdays = [...]string{"7 Sun", "1 Mon", "2 Tue", "3 Wed", "4 Thu", "5 Fri", "6 Sat"}

func (weekday) Eval(args []result.Value) (result.Value, error) {
	if args[0].IsNull() {
		return result.StringValue(""), nil
	}
	return result.StringValue(weekdays[args[0].Time().Weekday()]), nil
}
