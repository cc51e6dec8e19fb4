package aggregate

import (
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// values lists the distinct values of a field.
type values struct{}

var _ plugins.Aggregate = values{}

func (values) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "values", Kind: plugins.KindAggregate,
		Args:    []plugins.Arg{{Name: "field", Type: plugins.ArgField, Help: "the field whose distinct values are listed; empty values are not"}},
		Help:    "the distinct values of a field, in byte order",
		Example: `values(ip) as ips, count where user="alice@contoso.com" since 30d group by app`}
}

func (values) Result(*signin.Field) (signin.Kind, error) { return signin.KindList, nil }
func (values) NewAcc(in plugins.Input) plugins.Acc       { return &valuesAcc{newDistinctAcc(in)} }

type valuesAcc struct{ *distinctAcc }

func (a *valuesAcc) Partial(g uint32) plugins.Partial { return a.partial(g, true) }

// NewTable merges the groups' values as numbers (distinctTable).
func (values) NewTable(*signin.Field) plugins.Table { return newDistinctTable(true) }
