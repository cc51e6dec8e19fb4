package plugins

import "github.com/signinq/signinq/engine/signin"

func init() { Register(values{}) }

// values lists the distinct values of a field.
type values struct{}

var _ Aggregate = values{}

func (values) Describe() Descriptor {
	return Descriptor{Name: "values", Kind: KindAggregate,
		Args:    []Arg{{Name: "field", Type: ArgField, Help: "the field whose distinct values are listed; empty values are not"}},
		Help:    "the distinct values of a field, in byte order",
		Example: `values(ip) as ips, count where user="alice@contoso.com" since 30d group by app`}
}

func (values) Result(*signin.Field) (signin.Kind, error) { return signin.KindList, nil }
func (values) NewAcc(in Input) Acc                       { return &valuesAcc{newDistinctAcc(in)} }

type valuesAcc struct{ *distinctAcc }

func (a *valuesAcc) Partial(g uint32) Partial { return a.partial(g, true) }
