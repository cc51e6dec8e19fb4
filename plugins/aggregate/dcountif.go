package aggregate

import (
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// dcountif counts the distinct values of a field among the sign-ins that
// satisfy a condition; the executor gives it only those.
type dcountif struct{}

var _ plugins.Aggregate = dcountif{}

func (dcountif) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "dcountif", Kind: plugins.KindAggregate,
		Args: []plugins.Arg{
			{Name: "field", Type: plugins.ArgField, Help: "the field whose distinct values are counted"},
			{Name: "condition", Type: plugins.ArgCondition, Help: "the sign-ins whose values count"},
		},
		Help:    "the number of distinct values of a field among the sign-ins that satisfy a condition",
		Example: "count, dcountif(user, status=success) as ok since 3d group by ip"}
}

func (dcountif) Result(*signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (dcountif) NewAcc(in plugins.Input) plugins.Acc       { return &dcountAcc{newDistinctAcc(in)} }

// NewTable merges the groups' values as numbers (distinctTable).
func (dcountif) NewTable(*signin.Field) plugins.Table { return newDistinctTable(false) }
