package plugins

import "github.com/signinq/signinq/engine/signin"

func init() { Register(dcount{}) }

// dcount counts the distinct values of a field, exactly.
type dcount struct{}

var _ Aggregate = dcount{}

func (dcount) Describe() Descriptor {
	return Descriptor{Name: "dcount", Kind: KindAggregate,
		Args:    []Arg{{Name: "field", Type: ArgField, Help: "the field whose distinct values are counted; empty values are not"}},
		Help:    "the number of distinct values of a field (exact)",
		Example: `dcount(user) where app="Office 365 Exchange Online" since 7d`}
}

func (dcount) Result(*signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (dcount) NewAcc(in Input) Acc                       { return &dcountAcc{newDistinctAcc(in)} }

type dcountAcc struct{ *distinctAcc }

func (a *dcountAcc) Partial(g uint32) Partial { return a.partial(g, false) }
