package plugins

import "github.com/signinq/signinq/engine/signin"

func init() { Register(dcountif{}) }

// dcountif counts the distinct values of a field among the sign-ins that
// satisfy a condition; the executor gives it only those.
type dcountif struct{}

var _ Aggregate = dcountif{}

func (dcountif) Describe() Descriptor {
	return Descriptor{Name: "dcountif", Kind: KindAggregate,
		Args: []Arg{
			{Name: "field", Type: ArgField, Help: "the field whose distinct values are counted"},
			{Name: "condition", Type: ArgCondition, Help: "the sign-ins whose values count"},
		},
		Help:    "the number of distinct values of a field among the sign-ins that satisfy a condition",
		Example: "count, dcountif(user, status=success) as ok since 3d group by ip"}
}

func (dcountif) Result(*signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (dcountif) NewAcc(in Input) Acc                       { return &dcountAcc{newDistinctAcc(in)} }
