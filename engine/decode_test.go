package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/result"
)

// testDict builds a dictionary of sorted values: strings, int64s or
// float64s.
func testDict[T string | int64 | float64](t *testing.T, vals ...T) *index.Dict {
	t.Helper()
	d, err := index.DictOf(vals)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sameValue reports whether two values are the same to every reader: of
// one kind, both null or neither, with one text and, for lists, the same
// elements (an empty list and a nil one are the same).
func sameValue(a, b result.Value) bool {
	return a.Kind() == b.Kind() && a.IsNull() == b.IsNull() && a.String() == b.String() &&
		slices.Equal(a.List(), b.List()) && (a.IsNull() || a.Equal(b))
}

func describeValues(vs []result.Value) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("%v %q null=%v", v.Kind(), v, v.IsNull()))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// TestDecoders checks each decoder of stored values on every kind of
// column, row by row: present and absent values, lists with and without
// elements (and with an absent element), and columns a part lacks.
// Value is what a result holds; AppendValues the present values an
// aggregate folds; AppendIDs their ids, which DictValue decodes to the
// same values.
func TestDecoders(t *testing.T) {
	col := func(name string) *Column {
		c := columnByName[strings.ToLower(name)]
		if c == nil {
			t.Fatalf("no column %s", name)
		}
		return c
	}
	ts := time.Date(2026, 11, 25, 8, 30, 0, 5, time.UTC)
	strs := testDict(t, "", "Azure Portal", "Teams")
	noEmpty := testDict(t, "Azure Portal", "Teams")
	ints := testDict(t, signin.NoInt, 0, 50126)
	flags := testDict(t, signin.NoInt, 0, 1)
	floats := testDict(t, math.NaN(), -33.86, 47.6)
	elems := testDict(t, "", "Password", "SMS")
	guids := index.AppendStrings(nil, []string{"a0b1", ""})
	str, _, err := index.DecodeStrings(guids)
	if err != nil {
		t.Fatal(err)
	}
	S, I, F, B, T := result.StringValue, result.IntValue, result.FloatValue, result.BoolValue, result.TimeValue
	L := func(l ...string) result.Value { return result.ListValue(l) }
	N := result.Null
	type row struct {
		value  result.Value   // Vector.Value
		values []result.Value // AppendValues
		ids    []uint32       // AppendIDs, for a column with a dictionary
	}
	for _, tc := range []struct {
		name string
		vec  Vector
		dict *index.Dict
		rows []row
	}{
		{"text", Vector{Column: col("app"), Rows: 3, IDs: []uint32{1, 0, 2}}, strs, []row{
			{S("Azure Portal"), []result.Value{S("Azure Portal")}, []uint32{1}},
			{S(""), nil, nil},
			{S("Teams"), []result.Value{S("Teams")}, []uint32{2}},
		}},
		{"text without an absent entry", Vector{Column: col("app"), Rows: 2, IDs: []uint32{0, 1}}, noEmpty, []row{
			{S("Azure Portal"), []result.Value{S("Azure Portal")}, []uint32{0}},
			{S("Teams"), []result.Value{S("Teams")}, []uint32{1}},
		}},
		{"number with a dictionary", Vector{Column: col("error"), Rows: 3, IDs: []uint32{2, 1, 0}}, ints, []row{
			{I(50126), []result.Value{I(50126)}, []uint32{2}},
			{I(0), []result.Value{I(0)}, []uint32{1}},
			{N(signin.KindInt), nil, nil},
		}},
		{"flag", Vector{Column: col("compliant"), Rows: 3, IDs: []uint32{2, 1, 0}}, flags, []row{
			{B(true), []result.Value{B(true)}, []uint32{2}},
			{B(false), []result.Value{B(false)}, []uint32{1}},
			{N(signin.KindBool), nil, nil},
		}},
		{"decimal", Vector{Column: col("latitude"), Rows: 3, IDs: []uint32{1, 0, 2}}, floats, []row{
			{F(-33.86), []result.Value{F(-33.86)}, []uint32{1}},
			{N(signin.KindFloat), nil, nil},
			{F(47.6), []result.Value{F(47.6)}, []uint32{2}},
		}},
		{"list", Vector{Column: col("authMethod"), Rows: 4, Offsets: []uint32{0, 2, 2, 3, 5}, Elems: []uint32{1, 2, 2, 0, 1}}, elems, []row{
			{L("Password", "SMS"), []result.Value{S("Password"), S("SMS")}, []uint32{1, 2}},
			{L(), nil, nil},
			{L("SMS"), []result.Value{S("SMS")}, []uint32{2}},
			{L("", "Password"), []result.Value{S("Password")}, []uint32{1}},
		}},
		{"time", Vector{Column: col("time"), Rows: 2, Ints: []int64{ts.UnixNano(), signin.NoInt}}, nil, []row{
			{T(ts), []result.Value{T(ts)}, nil},
			{N(signin.KindTime), nil, nil},
		}},
		{"number without a dictionary", Vector{Column: col("latency"), Rows: 3, Ints: []int64{0, 120, signin.NoInt}}, nil, []row{
			{I(0), []result.Value{I(0)}, nil},
			{I(120), []result.Value{I(120)}, nil},
			{N(signin.KindInt), nil, nil},
		}},
		{"text without a dictionary", Vector{Column: col("id"), Rows: 2, Strings: str}, nil, []row{
			{S("a0b1"), []result.Value{S("a0b1")}, nil},
			{S(""), nil, nil},
		}},
		{"internal column", Vector{Column: colFormatC, Rows: 1, IDs: []uint32{0}}, testDict(t, int64(3)), []row{
			{I(3), []result.Value{I(3)}, []uint32{0}},
		}},
		{"text the part lacks", Vector{Column: col("app"), Rows: 1, Absent: true}, emptyDict(index.DictString), []row{{S(""), nil, nil}}},
		{"number the part lacks", Vector{Column: col("error"), Rows: 1, Absent: true}, emptyDict(index.DictInt), []row{{N(signin.KindInt), nil, nil}}},
		{"flag the part lacks", Vector{Column: col("compliant"), Rows: 1, Absent: true}, emptyDict(index.DictInt), []row{{N(signin.KindBool), nil, nil}}},
		{"decimal the part lacks", Vector{Column: col("latitude"), Rows: 1, Absent: true}, emptyDict(index.DictFloat), []row{{N(signin.KindFloat), nil, nil}}},
		{"list the part lacks", Vector{Column: col("authMethod"), Rows: 1, Absent: true}, emptyDict(index.DictString), []row{{L(), nil, nil}}},
		{"time the part lacks", Vector{Column: col("time"), Rows: 1, Absent: true}, nil, []row{{N(signin.KindTime), nil, nil}}},
		{"identifier the part lacks", Vector{Column: col("id"), Rows: 1, Absent: true}, nil, []row{{S(""), nil, nil}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.rows) != tc.vec.Rows {
				t.Fatalf("%d rows to check of %d", len(tc.rows), tc.vec.Rows)
			}
			c := tc.vec.Column
			if c.HasDict() != (c.Enc == EncDict || c.Enc == EncList) {
				t.Errorf("HasDict %v for a column of encoding %v", c.HasDict(), c.Enc)
			}
			for r, want := range tc.rows {
				if got := tc.vec.Value(tc.dict, uint32(r)); !sameValue(got, want.value) {
					t.Errorf("row %d: Value %v %q (null %v), want %v %q (null %v)", r, got.Kind(), got, got.IsNull(), want.value.Kind(), want.value, want.value.IsNull())
				}
				prefix := []result.Value{S("kept")}
				got := tc.vec.AppendValues(slices.Clone(prefix), tc.dict, uint32(r))
				if !slices.EqualFunc(got, append(prefix, want.values...), sameValue) {
					t.Errorf("row %d: AppendValues %s, want %s", r, describeValues(got[1:]), describeValues(want.values))
				}
				if !c.HasDict() {
					continue
				}
				ids := tc.vec.AppendIDs([]uint32{99}, tc.dict, uint32(r))
				if !slices.Equal(ids, append([]uint32{99}, want.ids...)) {
					t.Errorf("row %d: AppendIDs %v, want %v", r, ids[1:], want.ids)
				}
				for i, id := range ids[1:] {
					if v := c.DictValue(tc.dict, id); i < len(want.values) && !sameValue(v, want.values[i]) {
						t.Errorf("row %d: id %d is %q, want %q", r, id, v, want.values[i])
					}
				}
			}
		})
	}
}

// TestAppendIDsNoDict checks that AppendIDs appends nothing for a column
// stored without a dictionary, whatever its rows hold.
func TestAppendIDsNoDict(t *testing.T) {
	for _, v := range []Vector{
		{Column: colTime, Rows: 1, Ints: []int64{5}},
		{Column: colID, Rows: 1, Strings: func() *index.Strings {
			s, _, _ := index.DecodeStrings(index.AppendStrings(nil, []string{"x"}))
			return s
		}()},
	} {
		if got := v.AppendIDs(nil, nil, 0); len(got) != 0 {
			t.Errorf("%s: AppendIDs %v, want none", v.Column.Name, got)
		}
	}
}

// TestRowValues checks that RowValues reads each vector with its
// dictionary, as Value does, appending to what dst holds.
func TestRowValues(t *testing.T) {
	vecs := []Vector{
		{Column: columnByName["app"], Rows: 2, IDs: []uint32{1, 0}},
		{Column: colTime, Rows: 2, Ints: []int64{7, signin.NoInt}},
		{Column: columnByName["error"], Rows: 2, Absent: true},
		{Column: columnByName["authmethod"], Rows: 2, Offsets: []uint32{0, 1, 1}, Elems: []uint32{0}},
	}
	dicts := []*index.Dict{testDict(t, "", "Teams"), nil, emptyDict(index.DictInt), testDict(t, "SMS")}
	for r := range uint32(2) {
		got := RowValues([]result.Value{result.StringValue("kept")}, vecs, dicts, r)
		want := []result.Value{result.StringValue("kept")}
		for i := range vecs {
			want = append(want, vecs[i].Value(dicts[i], r))
		}
		if !slices.EqualFunc(got, want, sameValue) {
			t.Errorf("row %d: %s, want %s", r, describeValues(got), describeValues(want))
		}
	}
	if got := RowValues(nil, vecs, dicts, 0); !sameValue(got[0], result.StringValue("Teams")) || !sameValue(got[3], result.ListValue([]string{"SMS"})) {
		t.Errorf("row 0: %s", describeValues(got))
	}
}
