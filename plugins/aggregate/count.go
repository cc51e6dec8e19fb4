package aggregate

import (
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// count counts sign-ins.
type count struct{}

var _ plugins.Aggregate = count{}

func (count) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: "count", Kind: plugins.KindAggregate, Help: "the number of sign-ins",
		Example: "count where status=failure since 24h group by app"}
}

func (count) Result(f *signin.Field) (signin.Kind, error) { return signin.KindInt, nil }
func (count) NewAcc(plugins.Input) plugins.Acc            { return &countAcc{} }

// countAcc counts rows per group; count and countif share it.
type countAcc struct{ n []int64 }

var (
	_ plugins.Counter = (*countAcc)(nil)
	_ plugins.Merger  = (*countAcc)(nil)
	_ plugins.Sizer   = (*countAcc)(nil)
)

func (a *countAcc) Add(groups, _ []uint32, _ *engine.Vector) {
	for _, g := range groups {
		a.n = grown(a.n, g)
		a.n[g]++
	}
}

func (a *countAcc) AddCount(g uint32, n uint64) {
	a.n = grown(a.n, g)
	a.n[g] += int64(n)
}

func (a *countAcc) Size() int64 { return int64(cap(a.n)) * 8 }

func (a *countAcc) MergeInto(g uint32, p plugins.Partial) {
	if int(g) < len(a.n) {
		p.(*countPartial).n += a.n[g]
	}
}

func (a *countAcc) Partial(g uint32) plugins.Partial {
	p := &countPartial{}
	if int(g) < len(a.n) {
		p.n = a.n[g]
	}
	return p
}

type countPartial struct{ n int64 }

func (p *countPartial) Merge(o plugins.Partial) { p.n += o.(*countPartial).n }
func (p *countPartial) Value() result.Value     { return result.IntValue(p.n) }
func (p *countPartial) Size() int               { return 8 }

// NewTable merges the groups' counts in one slice.
func (count) NewTable(*signin.Field) plugins.Table { return &countTable{} }

// countTable is the merged groups' counts, for count and countif.
type countTable struct{ n []int64 }

func (t *countTable) Fold(dst uint32, acc plugins.Acc, g uint32) {
	if int(dst) >= len(t.n) {
		t.n = grown(t.n, dst)
	}
	if a, ok := acc.(*countAcc); ok && int(g) < len(a.n) {
		t.n[dst] += a.n[g]
	}
}

func (t *countTable) Value(g uint32) (result.Value, error) {
	if int(g) < len(t.n) {
		return result.IntValue(t.n[g]), nil
	}
	return result.IntValue(0), nil
}

func (t *countTable) Keep(groups []uint32) { t.n = kept(t.n, groups) }
func (t *countTable) Size() int64          { return int64(cap(t.n)) * 8 }
