package aggregate

import (
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// countif counts the sign-ins that satisfy a condition; the executor
// gives it only those.
type countif struct{}

var _ plugins.Aggregate = countif{}

func (countif) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "countif", Kind: plugins.KindAggregate,
		Args:    []plugins.Arg{{Name: "condition", Type: plugins.ArgCondition, Help: "the sign-ins to count"}},
		Help:    "the number of sign-ins that satisfy a condition",
		Example: "countif(status=failure) as failed, count as total since 7d group by app"}
}

func (countif) Result(*signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (countif) NewAcc(plugins.Input) plugins.Acc          { return &countAcc{} }

// NewTable merges the groups' counts in one slice.
func (countif) NewTable(*signin.Field) plugins.Table { return &countTable{} }
