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

// extreme is min or max of a field: the smallest or largest present
// value, strings in byte order, times chronologically; minif and maxif
// of the sign-ins that satisfy a condition, which the executor alone
// gives them.
type extreme struct {
	name string
	sign int  // -1 for min, +1 for max
	cond bool // minif, maxif: a condition after the field
}

var _ plugins.Aggregate = extreme{}

// builtins are min, max, minif and maxif.
func (extreme) builtins() []plugins.Plugin {
	return []plugins.Plugin{extreme{name: "min", sign: -1}, extreme{name: "max", sign: +1},
		extreme{name: "minif", sign: -1, cond: true}, extreme{name: "maxif", sign: +1, cond: true}}
}

func (e extreme) Describe() plugins.Descriptor {
	word := map[int]string{-1: "smallest (earliest)", 1: "largest (latest)"}[e.sign]
	if e.cond {
		return plugins.Descriptor{Name: e.name, Kind: plugins.KindAggregate,
			Args: []plugins.Arg{
				{Name: "field", Type: plugins.ArgField, Help: "a field of one value per sign-in"},
				{Name: "condition", Type: plugins.ArgCondition, Help: "the sign-ins whose values count"},
			},
			Help:    fmt.Sprintf("the %s value of a field among the sign-ins that satisfy a condition; null when none does", word),
			Example: `minif(time, status=failure) as firstFailure, maxif(time, status=success) as lastSuccess group by user`}
	}
	return plugins.Descriptor{Name: e.name, Kind: plugins.KindAggregate,
		Args:    []plugins.Arg{{Name: "field", Type: plugins.ArgField, Help: "a field of one value per sign-in"}},
		Help:    fmt.Sprintf("the %s value of a field", word),
		Example: `min(time) as first, max(time) as last, count where user="alice@contoso.com" group by country`}
}

func (e extreme) Result(f *signin.Field) (signin.Kind, error) {
	if f == nil || f.Kind == signin.KindList {
		return 0, fmt.Errorf("%s needs a field of one value per sign-in", e.name)
	}
	return f.Kind, nil
}

func (e extreme) NewAcc(in plugins.Input) plugins.Acc {
	return &extremeAcc{sign: e.sign, dict: in.Dict, kind: in.Field.Kind}
}

// extremeAcc keeps each group's best value: of a whole number or a time
// stored as numbers (ints), the number, made a value once asked for;
// else the value.
type extremeAcc struct {
	sign int
	kind signin.Kind
	dict *index.Dict
	best []extremePartial
	ints []intBest
	icol *engine.Column // the column of ints, to make their values
	vals []result.Value // a row's values, reused
}

// intBest is a group's best number.
type intBest struct {
	v   int64
	set bool
}

func (a *extremeAcc) Add(groups, rows []uint32, col *engine.Vector) {
	if a.dict == nil && !col.Absent && col.Ints != nil && col.Offsets == nil && (a.kind == signin.KindInt || a.kind == signin.KindTime) {
		// Numbers in the block as stored: compared as numbers, as
		// result.Compare orders their values.
		a.icol = col.Column
		for i, r := range rows {
			x := col.Ints[r]
			if x == signin.NoInt {
				continue
			}
			g := groups[i]
			if int(g) >= len(a.ints) {
				a.ints = grown(a.ints, g)
			}
			if b := &a.ints[g]; !b.set || a.sign < 0 && x < b.v || a.sign > 0 && x > b.v {
				b.v, b.set = x, true
			}
		}
		return
	}
	for i, r := range rows {
		g := groups[i]
		a.best = grown(a.best, g)
		a.vals = col.AppendValues(a.vals[:0], a.dict, r)
		for _, v := range a.vals {
			a.best[g].offer(v, a.sign)
		}
	}
}

// Size counts the groups' best values; their text is the part's
// dictionary's, or the block's, which the acc does not own.
func (a *extremeAcc) Size() int64 {
	return int64(cap(a.best))*int64(unsafe.Sizeof(extremePartial{})) + int64(cap(a.ints))*16
}

// bestOf offers group g's best to p.
func (a *extremeAcc) bestOf(g uint32, p *extremePartial) {
	if int(g) < len(a.best) && a.best[g].set {
		p.offer(a.best[g].v, a.sign)
	}
	if int(g) < len(a.ints) && a.ints[g].set {
		p.offer(a.icol.IntValue(a.ints[g].v), a.sign)
	}
}

func (a *extremeAcc) Partial(g uint32) plugins.Partial {
	p := &extremePartial{v: result.Null(a.kind), sign: a.sign}
	a.bestOf(g, p)
	return p
}

type extremePartial struct {
	v    result.Value
	set  bool
	sign int
}

func (p *extremePartial) offer(v result.Value, sign int) {
	if !p.set || result.Compare(v, p.v)*sign > 0 {
		p.v, p.set = v, true
	}
}

func (p *extremePartial) Merge(o plugins.Partial) {
	if q := o.(*extremePartial); q.set {
		p.offer(q.v, p.sign)
	}
}

func (p *extremePartial) Value() result.Value { return p.v }
func (p *extremePartial) Size() int {
	return int(unsafe.Sizeof(*p) + uintptr(plugins.StringBytes(len(p.v.Str()))))
}

// NewTable merges the groups' best values in one slice.
func (e extreme) NewTable(f *signin.Field) plugins.Table {
	return &extremeTable{sign: e.sign, kind: f.Kind}
}

// extremeTable is the merged groups' best values, for min, max, minif
// and maxif.
type extremeTable struct {
	sign int
	kind signin.Kind
	best []extremePartial
}

func (t *extremeTable) Fold(dst uint32, acc plugins.Acc, g uint32) {
	if int(dst) >= len(t.best) {
		t.best = grown(t.best, dst)
	}
	if a, ok := acc.(*extremeAcc); ok {
		a.bestOf(g, &t.best[dst])
	}
}

func (t *extremeTable) Value(g uint32) (result.Value, error) {
	if int(g) < len(t.best) && t.best[g].set {
		return t.best[g].v, nil
	}
	return result.Null(t.kind), nil
}

func (t *extremeTable) Keep(groups []uint32) { t.best = kept(t.best, groups) }
func (t *extremeTable) Size() int64 {
	return int64(cap(t.best)) * int64(unsafe.Sizeof(extremePartial{}))
}
