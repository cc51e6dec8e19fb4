package engine

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// TestCombinations checks Snapshot.Combinations against the records
// stored, over several parts: the combinations of values of dictionary
// and list columns of the sign-ins in a time range and matching values,
// each value as a result holds it (RecordValue), a list's each element,
// and "" for a list without any.
func TestCombinations(t *testing.T) {
	db, recs := multiPartStore(t)
	// Each way of marking them: a bitmap, a table by number, by ids.
	for _, way := range []struct {
		name        string
		dense, wide uint64
	}{{"bitmap", combinationsDense, combinationsWide}, {"numbers", 0, combinationsWide}, {"ids", 0, 0}} {
		t.Run(way.name, func(t *testing.T) {
			defer func(d, w uint64) { combinationsDense, combinationsWide = d, w }(combinationsDense, combinationsWide)
			combinationsDense, combinationsWide = way.dense, way.wide
			testCombinations(t, db, recs)
		})
	}
}

func testCombinations(t *testing.T, db *DB, recs []signin.Record) {
	col := func(name string) *Column {
		c := LookupColumn(name)
		if c == nil {
			t.Fatalf("no column %s", name)
		}
		return c
	}
	first, last := recs[0].Time, recs[0].Time
	for i := range recs {
		if recs[i].Time.Before(first) {
			first = recs[i].Time
		}
		if recs[i].Time.After(last) {
			last = recs[i].Time
		}
	}
	mid := first.Add(last.Sub(first) / 2)
	status := func(s string) []Match { return []Match{{col("status"), result.StringValue(s)}} }
	for _, tc := range []struct {
		name     string
		cols     []*Column
		from, to time.Time
		where    []Match
	}{
		{"user country", []*Column{col("user"), col("country")}, time.Time{}, time.Time{}, nil},
		{"user country, since mid", []*Column{col("user"), col("country")}, mid, time.Time{}, nil},
		{"user country, successes, in a range", []*Column{col("user"), col("country")}, first.Add(time.Hour), mid, status("success")},
		{"user policy, successes, since mid", []*Column{col("user"), col("policy")}, mid, time.Time{}, status("success")},
		{"policy country app, failures, in a range", []*Column{col("policy"), col("country"), col("app")}, first.Add(time.Hour), mid, status("failure")},
		{"compliant asn, error 50126", []*Column{col("compliant"), col("asn")}, time.Time{}, time.Time{}, []Match{{col("error"), result.IntValue(50126)}}},
		{"country, compliant", []*Column{col("country")}, time.Time{}, last, []Match{{col("compliant"), result.BoolValue(true)}}},
		{"two matches", []*Column{col("ip")}, time.Time{}, time.Time{}, append(status("success"), Match{col("country"), result.StringValue("US")})},
		{"no such status", []*Column{col("user")}, time.Time{}, time.Time{}, status("maybe")},
		{"a null matches nothing", []*Column{col("user")}, time.Time{}, time.Time{}, []Match{{col("asn"), result.Null(col("asn").Field.Kind)}}},
		{"an empty range", []*Column{col("user")}, mid, mid, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]bool{}
			for i := range recs {
				r := &recs[i]
				if !tc.from.IsZero() && r.Time.Before(tc.from) || !tc.to.IsZero() && !r.Time.Before(tc.to) {
					continue
				}
				ok := true
				for _, m := range tc.where {
					v := RecordValue(m.Col.Field, r)
					ok = ok && !v.IsNull() && !m.Value.IsNull() && v.Kind() == m.Value.Kind() && v.String() == m.Value.String()
				}
				if !ok {
					continue
				}
				combos := []string{""}
				for i, c := range tc.cols {
					v := RecordValue(c.Field, r)
					elems := []string{v.String()}
					if c.Enc == EncList {
						elems = slices.Compact(slices.Sorted(slices.Values(v.List())))
						if len(elems) == 0 {
							elems = []string{c.Absent().String()}
						}
					}
					var next []string
					for _, p := range combos {
						for _, e := range elems {
							if i > 0 {
								e = p + "\x00" + e
							}
							next = append(next, e)
						}
					}
					combos = next
				}
				for _, c := range combos {
					want[c] = true
				}
			}
			got := map[string]bool{}
			calls := 0
			err := db.View(func(s *Snapshot) error {
				return s.Combinations(t.Context(), tc.cols, tc.from, tc.to, tc.where, func(vals []result.Value) error {
					if len(vals) != len(tc.cols) {
						t.Fatalf("%d values for %d columns", len(vals), len(tc.cols))
					}
					var texts []string
					for i, v := range vals {
						if k := tc.cols[i].Field.Kind; v.Kind() != k && !(tc.cols[i].Enc == EncList && v.Kind() == tc.cols[i].Absent().Kind()) {
							t.Errorf("column %s gives a %v", tc.cols[i].Name, v.Kind())
						}
						texts = append(texts, v.String())
					}
					got[strings.Join(texts, "\x00")] = true
					calls++
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, want) {
				t.Errorf("%d combinations (in %d calls), want %d:\nonly got %q\nonly wanted %q", len(got), calls, len(want),
					diffKeys(got, want), diffKeys(want, got))
			}
			if tc.name != "no such status" && tc.name != "a null matches nothing" && tc.name != "an empty range" && len(want) < 2 {
				t.Errorf("only %d combinations: the case shows little", len(want))
			}
		})
	}
}

func diffKeys(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out[:min(len(out), 5)]
}

// TestCombinationsErrors: columns without dictionaries, a match on a
// list, fn's error and a cancelled context end the walk with an error.
func TestCombinationsErrors(t *testing.T) {
	db, _ := multiPartStore(t)
	user, tm, policy := LookupColumn("user"), LookupColumn("time"), LookupColumn("policy")
	stop := errors.New("stop")
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		ctx   context.Context
		cols  []*Column
		where []Match
		fn    func([]result.Value) error
		want  error
		text  string
	}{
		{t.Context(), []*Column{user, tm}, nil, nil, nil, "column time has no dictionary"},
		{t.Context(), []*Column{user}, []Match{{policy, result.StringValue("x")}}, nil, nil, "column policy holds no single dictionary value"},
		{t.Context(), []*Column{user}, nil, func([]result.Value) error { return stop }, stop, ""},
		{cancelled, []*Column{user}, nil, nil, context.Canceled, ""},
	} {
		fn := tc.fn
		if fn == nil {
			fn = func([]result.Value) error { return nil }
		}
		err := db.View(func(s *Snapshot) error {
			return s.Combinations(tc.ctx, tc.cols, time.Time{}, time.Time{}, tc.where, fn)
		})
		if tc.want != nil && !errors.Is(err, tc.want) || tc.text != "" && (err == nil || !strings.Contains(err.Error(), tc.text)) {
			t.Errorf("%v, want %v %q", err, tc.want, tc.text)
		}
	}
}
