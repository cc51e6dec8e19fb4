package aggregate

import (
	"fmt"
	"unsafe"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// total is sum or avg of a numeric field, over the sign-ins that have a
// value; null when none has.
type total struct {
	name string
	mean bool
}

var _ plugins.Aggregate = total{}

// builtins are sum and avg.
func (total) builtins() []plugins.Plugin {
	return []plugins.Plugin{total{name: "sum"}, total{name: "avg", mean: true}}
}

func (t total) Describe() plugins.Descriptor {
	help, ex := "the sum of a numeric field", "sum(latency) since 24h group by app"
	if t.mean {
		help, ex = "the mean of a numeric field", "avg(latency) since 24h group by app"
	}
	return plugins.Descriptor{Name: t.name, Kind: plugins.KindAggregate,
		Args: []plugins.Arg{{Name: "field", Type: plugins.ArgField, Help: "a numeric field"}},
		Help: help + " (null when no sign-in has a value)", Example: ex}
}

func (t total) Result(f *signin.Field) (signin.Kind, error) {
	if f == nil || f.Kind != signin.KindInt && f.Kind != signin.KindFloat {
		return 0, fmt.Errorf("%s needs a numeric field", t.name)
	}
	if t.mean || f.Kind == signin.KindFloat {
		return signin.KindFloat, nil
	}
	return signin.KindInt, nil
}

func (t total) NewAcc(in plugins.Input) plugins.Acc {
	return &totalAcc{mean: t.mean, float: in.Field.Kind == signin.KindFloat, dict: in.Dict}
}

type totalAcc struct {
	mean, float bool
	dict        *index.Dict
	sums        []totalPartial
	vals        []result.Value // a row's values, reused
}

func (a *totalAcc) Add(groups, rows []uint32, col *engine.Vector) {
	for i, r := range rows {
		g := groups[i]
		a.sums = grown(a.sums, g)
		a.vals = col.AppendValues(a.vals[:0], a.dict, r)
		for _, v := range a.vals {
			a.sums[g].add(v)
		}
	}
}

func (a *totalAcc) Size() int64 { return int64(cap(a.sums)) * int64(unsafe.Sizeof(totalPartial{})) }

func (a *totalAcc) Partial(g uint32) plugins.Partial {
	p := &totalPartial{mean: a.mean, float: a.float}
	if int(g) < len(a.sums) {
		q := a.sums[g]
		p.i, p.f, p.n, p.over = q.i, q.f, q.n, q.over
	}
	return p
}

// totalPartial is a group's sum: of whole numbers in i (over once it
// went beyond an int64, which is then an error, never a wrapped sum), of
// decimal numbers in f.
type totalPartial struct {
	i           int64
	f           float64
	n           int64
	mean, float bool
	over        bool
}

var _ plugins.Failer = (*totalPartial)(nil)

func (p *totalPartial) add(v result.Value) {
	p.addInt(v.Int())
	p.f += v.Float()
	p.n++
}

func (p *totalPartial) addInt(x int64) {
	s, ok := plugins.AddInt(p.i, x)
	p.i, p.over = s, p.over || !ok
}

func (p *totalPartial) Merge(o plugins.Partial) {
	q := o.(*totalPartial)
	p.addInt(q.i)
	p.over = p.over || q.over
	p.f += q.f
	p.n += q.n
}

// Err is ErrOverflow when a sum of whole numbers went beyond an int64
// (avg and sums of decimals use f alone).
func (p *totalPartial) Err() error {
	if p.over && !p.mean && !p.float {
		return plugins.ErrOverflow
	}
	return nil
}

func (p *totalPartial) Value() result.Value {
	switch {
	case p.n == 0 && (p.mean || p.float):
		return result.Null(signin.KindFloat)
	case p.n == 0:
		return result.Null(signin.KindInt)
	case p.mean:
		return result.FloatValue(p.f / float64(p.n))
	case p.float:
		return result.FloatValue(p.f)
	}
	return result.IntValue(p.i)
}

func (p *totalPartial) Size() int { return int(unsafe.Sizeof(*p)) }

// NewTable merges the groups' sums in one slice.
func (t total) NewTable(f *signin.Field) plugins.Table {
	return &totalTable{mean: t.mean, float: f.Kind == signin.KindFloat}
}

// totalTable is the merged groups' sums, for sum and avg.
type totalTable struct {
	mean, float bool
	sums        []totalPartial
}

func (t *totalTable) Fold(dst uint32, acc plugins.Acc, g uint32) {
	if int(dst) >= len(t.sums) {
		t.sums = grown(t.sums, dst)
	}
	a, ok := acc.(*totalAcc)
	if !ok {
		return
	}
	if int(g) < len(a.sums) {
		t.sums[dst].Merge(&a.sums[g])
	}
}

func (t *totalTable) Value(g uint32) (result.Value, error) {
	var p totalPartial
	if int(g) < len(t.sums) {
		p = t.sums[g]
	}
	p.mean, p.float = t.mean, t.float
	if err := p.Err(); err != nil {
		return result.Value{}, err
	}
	return p.Value(), nil
}

func (t *totalTable) Keep(groups []uint32) { t.sums = kept(t.sums, groups) }
func (t *totalTable) Size() int64 {
	return int64(cap(t.sums)) * int64(unsafe.Sizeof(totalPartial{}))
}
