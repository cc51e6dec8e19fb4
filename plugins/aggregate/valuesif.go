package aggregate

import (
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// valuesif lists the distinct values of a field among the sign-ins that
// satisfy a condition; the executor gives it only those.
type valuesif struct{}

var _ plugins.Aggregate = valuesif{}

func (valuesif) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "valuesif", Kind: plugins.KindAggregate,
		Args: []plugins.Arg{
			{Name: "field", Type: plugins.ArgField, Help: "the field whose distinct values are listed; empty values are not"},
			{Name: "condition", Type: plugins.ArgCondition, Help: "the sign-ins whose values are listed"},
		},
		Help:    "the distinct values of a field among the sign-ins that satisfy a condition, in byte order",
		Example: `valuesif(user, error=50057) as disabled, valuesif(user, status=success) as succeeded since 1d group by ip`}
}

func (valuesif) Result(*signin.Field) (signin.Kind, error) { return signin.KindList, nil }
func (valuesif) NewAcc(in plugins.Input) plugins.Acc       { return &valuesAcc{newDistinctAcc(in)} }

// NewTable merges the groups' values as numbers (distinctTable).
func (valuesif) NewTable(*signin.Field) plugins.Table { return newDistinctTable(true) }
