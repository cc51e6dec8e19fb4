package plugins

import "github.com/signinq/signinq/engine/signin"

func init() { Register(countif{}) }

// countif counts the sign-ins that satisfy a condition; the executor
// gives it only those.
type countif struct{}

var _ Aggregate = countif{}

func (countif) Describe() Descriptor {
	return Descriptor{Name: "countif", Kind: KindAggregate,
		Args:    []Arg{{Name: "condition", Type: ArgCondition, Help: "the sign-ins to count"}},
		Help:    "the number of sign-ins that satisfy a condition",
		Example: "countif(status=failure) as failed, count as total since 7d group by app"}
}

func (countif) Result(*signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (countif) NewAcc(Input) Acc                          { return &countAcc{} }
