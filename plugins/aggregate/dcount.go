package aggregate

import (
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// dcount counts the distinct values of a field, exactly.
type dcount struct{}

var _ plugins.Aggregate = dcount{}

func (dcount) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "dcount", Kind: plugins.KindAggregate,
		Args:    []plugins.Arg{{Name: "field", Type: plugins.ArgField, Help: "the field whose distinct values are counted; empty values are not"}},
		Help:    "the number of distinct values of a field (exact)",
		Example: `dcount(user) where app="Office 365 Exchange Online" since 7d`}
}

func (dcount) Result(*signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (dcount) NewAcc(in plugins.Input) plugins.Acc       { return &dcountAcc{newDistinctAcc(in)} }

type dcountAcc struct{ *distinctAcc }

func (a *dcountAcc) Partial(g uint32) plugins.Partial { return a.partial(g, false) }

// NewTable merges the groups' values as numbers (distinctTable).
func (dcount) NewTable(*signin.Field) plugins.Table { return newDistinctTable(false) }
