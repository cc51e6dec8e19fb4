package query

// The naive evaluator's group by KEY in @list (naive_test.go): the
// sign-ins whose key equals a list's value (text without regard to
// case, an address however written, a number), grouped, and a group
// of no sign-ins for each value no group has.

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// naiveAbsence keeps the sign-ins of the list's values and returns the
// values as the key's, each once (the first spelling of those equal).
func naiveAbsence(name string, f *signin.Field, sel []*signin.Record) ([]*signin.Record, []result.Value, error) {
	values, ok := naiveListValues(strings.TrimPrefix(name, "@"))
	if !ok {
		return nil, nil, fmt.Errorf("naive: no list %s", name)
	}
	var vals []result.Value
	for _, v := range values {
		var x result.Value
		if f.Kind == signin.KindInt {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("naive: %s of list %s", v, name)
			}
			x = result.IntValue(n)
		} else {
			x = result.StringValue(v)
		}
		dup := false
		for _, y := range vals {
			dup = dup || naiveSameKey(f, x, y)
		}
		if !dup {
			vals = append(vals, x)
		}
	}
	var kept []*signin.Record
	for _, r := range sel {
		v := naiveValue(f, r)
		for _, x := range vals {
			if !v.IsNull() && naiveSameKey(f, v, x) {
				kept = append(kept, r)
				break
			}
		}
	}
	return kept, vals, nil
}

// naiveSameKey compares a key's values as list membership does.
func naiveSameKey(f *signin.Field, a, b result.Value) bool {
	if f.Kind == signin.KindInt {
		return a.Int() == b.Int()
	}
	if f.Name == "ip" {
		x, err1 := netip.ParseAddr(a.Str())
		y, err2 := netip.ParseAddr(b.Str())
		if err1 == nil && err2 == nil {
			return x.Unmap() == y.Unmap()
		}
	}
	return strings.EqualFold(a.Str(), b.Str())
}

// naiveAbsentGroups are the groups of no sign-ins of the values no group
// has.
func naiveAbsentGroups(f *signin.Field, vals []result.Value, groups []*naiveGroup) []*naiveGroup {
	var out []*naiveGroup
	for _, v := range vals {
		found := false
		for _, g := range groups {
			found = found || naiveSameKey(f, g.key[0], v)
		}
		if !found {
			out = append(out, &naiveGroup{key: []result.Value{v}})
		}
	}
	return out
}
