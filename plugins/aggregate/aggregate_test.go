package aggregate

import (
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/result"
)

// decodedDict builds a part's dictionary of sorted strings, int64s or
// float64s.
func decodedDict[T string | int64 | float64](t *testing.T, vals []T) *index.Dict {
	t.Helper()
	d, err := index.DictOf(vals)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAggregatesOverEncodings runs each built-in aggregate that takes a
// field over a column of each encoding and kind, with absent values,
// list elements and a column the part lacks: what each reads through the
// engine's decoders (AppendValues, AppendIDs and DictValue) must be the
// field's present values as results print them, whichever way the field
// is stored.
func TestAggregatesOverEncodings(t *testing.T) {
	t1 := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	t2 := t1.Add(90 * time.Minute)
	ids, _, err := index.DecodeStrings(index.AppendStrings(nil, []string{"b", "", "a", "b"}))
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) string { return result.FloatValue(v).String() }
	south, north := -33.86, 47.6 // variables: sums in float64, as the aggregates make them
	for _, tc := range []struct {
		name string
		vec  engine.Vector
		dict *index.Dict
		want map[string]string // by aggregate; those absent refuse the field
	}{
		{"app", engine.Vector{Rows: 4, IDs: []uint32{1, 0, 2, 1}}, decodedDict(t, []string{"", "Azure Portal", "Teams"}),
			map[string]string{"dcount": "2", "values": "Azure Portal, Teams", "min": "Azure Portal", "max": "Teams"}},
		{"error", engine.Vector{Rows: 4, IDs: []uint32{2, 0, 1, 2}}, decodedDict(t, []int64{signin.NoInt, 0, 50126}),
			map[string]string{"dcount": "2", "values": "0, 50126", "min": "0", "max": "50126", "sum": "100252", "avg": f(100252.0 / 3)}},
		{"compliant", engine.Vector{Rows: 4, IDs: []uint32{2, 1, 0, 2}}, decodedDict(t, []int64{signin.NoInt, 0, 1}),
			map[string]string{"dcount": "2", "values": "false, true", "min": "false", "max": "true"}},
		{"latitude", engine.Vector{Rows: 3, IDs: []uint32{1, 2, 0}}, decodedDict(t, []float64{math.NaN(), -33.86, 47.6}),
			map[string]string{"dcount": "2", "values": "-33.86, 47.6", "min": "-33.86", "max": "47.6", "sum": f(south + north), "avg": f((south + north) / 2)}},
		{"authMethod", engine.Vector{Rows: 4, Offsets: []uint32{0, 2, 2, 3, 4}, Elems: []uint32{1, 2, 2, 0}}, decodedDict(t, []string{"", "Password", "SMS"}),
			map[string]string{"dcount": "2", "values": "Password, SMS"}},
		{"id", engine.Vector{Rows: 4, Strings: ids}, nil,
			map[string]string{"dcount": "2", "values": "a, b", "min": "a", "max": "b"}},
		{"time", engine.Vector{Rows: 3, Ints: []int64{t2.UnixNano(), signin.NoInt, t1.UnixNano()}}, nil,
			map[string]string{"dcount": "2", "values": result.TimeValue(t1).String() + ", " + result.TimeValue(t2).String(),
				"min": result.TimeValue(t1).String(), "max": result.TimeValue(t2).String()}},
		{"latency", engine.Vector{Rows: 3, Ints: []int64{30, signin.NoInt, 10}}, nil,
			map[string]string{"dcount": "2", "values": "10, 30", "min": "10", "max": "30", "sum": "40", "avg": "20"}},
		{"app", engine.Vector{Rows: 2, Absent: true}, decodedDict(t, []string{}),
			map[string]string{"dcount": "0", "values": "", "min": "", "max": ""}},
		{"error", engine.Vector{Rows: 2, Absent: true}, decodedDict(t, []int64{}),
			map[string]string{"dcount": "0", "values": "", "min": "", "max": "", "sum": "", "avg": ""}},
		{"policy", engine.Vector{Rows: 2, Absent: true}, decodedDict(t, []string{}),
			map[string]string{"dcount": "0", "values": ""}},
	} {
		field := signin.Lookup(tc.name)
		if tc.vec.Column = engine.LookupColumn(tc.name); field == nil || tc.vec.Column == nil {
			t.Fatalf("no field %s", tc.name)
		}
		if tc.vec.Absent {
			tc.name += " the part lacks"
		}
		var rows, groups []uint32
		for r := range uint32(tc.vec.Rows) {
			rows, groups = append(rows, r), append(groups, 0)
		}
		for _, name := range []string{"dcount", "values", "min", "max", "sum", "avg"} {
			p, _ := lookup(name)
			a := p.(plugins.Aggregate)
			want, ok := tc.want[name]
			if _, err := a.Result(field); (err == nil) != ok {
				t.Errorf("%s(%s): refused %v, want refused %v", name, tc.name, err != nil, !ok)
				continue
			}
			if !ok {
				continue
			}
			acc := a.NewAcc(plugins.Input{Field: field, Dict: tc.dict})
			acc.Add(groups, rows, &tc.vec)
			if got := acc.Partial(0).Value().String(); got != want {
				t.Errorf("%s(%s) = %q, want %q", name, tc.name, got, want)
			}
		}
	}
}

// TestAccumulators runs the built-in aggregates on a hand-made column.
func TestAccumulators(t *testing.T) {
	latency := signin.Lookup("latency")
	col := &engine.Vector{Column: engine.LookupColumn("latency"), Rows: 5, Ints: []int64{30, signin.NoInt, 10, 20, 10}}
	groups, rows := []uint32{0, 0, 0, 1, 1}, []uint32{0, 1, 2, 3, 4}
	for _, tc := range []struct {
		agg   string
		want0 string
		want1 string
	}{
		{"count", "3", "2"},
		{"dcount", "2", "2"},
		{"min", "10", "10"},
		{"max", "30", "20"},
		{"sum", "40", "30"},
		{"avg", "20", "15"},
		{"values", "10, 30", "10, 20"},
	} {
		p, _ := lookup(tc.agg)
		a := p.(plugins.Aggregate)
		acc := a.NewAcc(plugins.Input{Field: latency})
		acc.Add(groups, rows, col)
		if got := acc.Partial(0).Value().String(); got != tc.want0 {
			t.Errorf("%s of group 0 = %s, want %s", tc.agg, got, tc.want0)
		}
		part := acc.Partial(1)
		if got := part.Value().String(); got != tc.want1 {
			t.Errorf("%s of group 1 = %s, want %s", tc.agg, got, tc.want1)
		}
		empty := a.NewAcc(plugins.Input{Field: latency}).Partial(7)
		if tc.agg == "avg" || tc.agg == "sum" || tc.agg == "min" || tc.agg == "max" {
			if !empty.Value().IsNull() {
				t.Errorf("%s of no values = %v, want null", tc.agg, empty.Value())
			}
		}
		empty.Merge(part)
		if got := empty.Value().String(); got != tc.want1 {
			t.Errorf("%s merged into an empty partial = %s, want %s", tc.agg, got, tc.want1)
		}
	}
}

// lookup returns the built-in aggregate of a name.
func lookup(name string) (plugins.Plugin, bool) {
	for _, p := range All() {
		if p.Describe().Name == name {
			return p, true
		}
	}
	return nil, false
}

// part is one part's column of a field, as the engine gives it to an
// accumulator: every row in group 0.
type part struct {
	vec  engine.Vector
	dict *index.Dict
}

// ints is a part of an int field (latency) holding vs; signin.NoInt is
// an absent value.
func ints(vs ...int64) part {
	return part{vec: engine.Vector{Column: engine.LookupColumn("latency"), Rows: len(vs), Ints: vs}}
}

// apps is a part of a dictionary-coded field (app) holding vs; "" is an
// absent value.
func apps(t *testing.T, vs ...string) part {
	t.Helper()
	dict := []string{""}
	ids := make([]uint32, len(vs))
	for i, v := range vs {
		if v == "" {
			continue
		}
		j := slices.Index(dict, v)
		if j < 0 {
			dict, j = append(dict, v), len(dict)
		}
		ids[i] = uint32(j)
	}
	sorted := slices.Clone(dict)
	slices.Sort(sorted)
	for i := range ids {
		ids[i] = uint32(slices.Index(sorted, dict[ids[i]]))
	}
	return part{vec: engine.Vector{Column: engine.LookupColumn("app"), Rows: len(vs), IDs: ids}, dict: decodedDict(t, sorted)}
}

// methods is a part of a list field (authMethod), a row a list.
func methods(t *testing.T, rows ...[]string) part {
	t.Helper()
	set := map[string]bool{"": true}
	for _, r := range rows {
		for _, v := range r {
			set[v] = true
		}
	}
	dict := slices.Sorted(maps.Keys(set))
	vec := engine.Vector{Column: engine.LookupColumn("authMethod"), Rows: len(rows), Offsets: []uint32{0}}
	for _, r := range rows {
		for _, v := range r {
			vec.Elems = append(vec.Elems, uint32(slices.Index(dict, v)))
		}
		vec.Offsets = append(vec.Offsets, uint32(len(vec.Elems)))
	}
	return part{vec: vec, dict: decodedDict(t, dict)}
}

// aggregate runs the built-in aggregate of a name over the parts of a
// field ("" for none), each with an accumulator of its own, and returns
// each part's value and the value of their partials merged, in order,
// into a partial of no rows: what the executor does with the parts of a
// store. The aggregate's Table (plugins.Tabler), folding the same
// accumulators into one group, must give the merged value too.
func aggregate(t *testing.T, name, field string, parts ...part) (each []string, merged string) {
	t.Helper()
	p, ok := lookup(name)
	if !ok {
		t.Fatalf("no aggregate %s", name)
	}
	a := p.(plugins.Aggregate)
	var f *signin.Field
	if field != "" {
		f = signin.Lookup(field)
	}
	if _, err := a.Result(f); err != nil {
		t.Fatalf("%s(%s): %v", name, field, err)
	}
	total := a.NewAcc(plugins.Input{Field: f}).Partial(0)
	tabler, ok := a.(plugins.Tabler)
	if !ok {
		t.Fatalf("%s has no table", name)
	}
	table := tabler.NewTable(f)
	table.Fold(0, nil, 0) // the group, of no rows yet
	for _, pt := range parts {
		acc := a.NewAcc(plugins.Input{Field: f, Dict: pt.dict})
		rows, groups := make([]uint32, pt.vec.Rows), make([]uint32, pt.vec.Rows)
		for r := range rows {
			rows[r] = uint32(r)
		}
		var col *engine.Vector
		if field != "" {
			col = &pt.vec
		}
		acc.Add(groups, rows, col)
		pp := acc.Partial(0)
		each = append(each, pp.Value().String())
		total.Merge(pp)
		table.Fold(0, acc, 0)
	}
	merged = total.Value().String()
	if v, err := table.Value(0); err != nil || v.String() != merged {
		t.Errorf("%s(%s): the table's value %q (%v), the partials' %q", name, field, v, err, merged)
	}
	return each, merged
}

// check compares aggregate's answers with the wanted ones: each part's
// value, then the merged value.
func check(t *testing.T, name, field string, want []string, parts ...part) {
	t.Helper()
	each, merged := aggregate(t, name, field, parts...)
	if got := append(each, merged); !slices.Equal(got, want) {
		t.Errorf("%s(%s): parts then merged %q, want %q", name, field, got, want)
	}
}
