package function

import (
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// date is the day of a time: its midnight, in UTC.
type date struct{}

var _ plugins.Function = date{}

func (date) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "date", Kind: plugins.KindFunction,
		Args:    []plugins.Arg{{Name: "time", Type: plugins.ArgField, Help: "a time field"}},
		Help:    "the day of a time: its midnight in UTC",
		Example: "dcount(user) since 7d group by date(time)"}
}

func (date) Result(args []signin.Kind) (signin.Kind, error) {
	return signin.KindTime, wantKinds("date", args, signin.KindTime)
}

func (date) Eval(args []result.Value) (result.Value, error) {
	if args[0].IsNull() {
		return args[0], nil
	}
	return result.TimeValue(args[0].Time().Truncate(24 * time.Hour)), nil
}
