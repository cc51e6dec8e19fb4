package function

import (
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// hour is the hour of the day of a time, in UTC: 0 to 23.
type hour struct{}

var _ plugins.Function = hour{}

func (hour) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "hour", Kind: plugins.KindFunction,
		Args:    []plugins.Arg{{Name: "time", Type: plugins.ArgField, Help: "a time field"}},
		Help:    "the hour of the day of a time, in UTC (0 to 23)",
		Example: "count where status=failure since 7d group by hour(time)"}
}

func (hour) Result(args []signin.Kind) (signin.Kind, error) {
	return signin.KindInt, wantKinds("hour", args, signin.KindTime)
}

func (hour) Eval(args []result.Value) (result.Value, error) {
	if args[0].IsNull() {
		return result.Null(signin.KindInt), nil
	}
	return result.IntValue(int64(args[0].Time().Hour())), nil
}
