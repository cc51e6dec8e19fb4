package baseline

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query/ast"
	"github.com/signinq/signinq/result"
)

// This file holds what the detection stages (newvalue, travel, spikes)
// share: reading their arguments and input columns, and reading a
// baseline of past sign-ins from the snapshot.

// Column returns the index of the input column named name (without
// regard to case), else of the first column holding the catalog field
// name, else -1.
func Column(in []result.Column, name string) int {
	for i, c := range in {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	for i, c := range in {
		if strings.EqualFold(c.Field, name) {
			return i
		}
	}
	return -1
}

// Statuses are the words of a status argument: the sign-ins of a
// status, or of all (any, *).
var Statuses = []string{"success", "failure", "interrupted", "all", "any", "*"}

// Status returns the status a status argument (of Statuses)
// keeps: "" for all.
func Status(args *plugins.Args) string {
	switch w := args.Word("status"); w {
	case "all", "any", "*":
		return ""
	default:
		return w
	}
}

// StatusWhere is the condition of Needs for a status from Status:
// status=success, nil for all.
func StatusWhere(status string) ast.Expr {
	if status == "" {
		return nil
	}
	return ast.Eq(ast.Field("status"), ast.Word(status))
}

// DictField returns the catalog column of the field argument name
// names, which a detection reads through its dictionary: string, integer
// and flag fields (user, country, asn, compliant), and with lists true,
// list fields (policy) whose elements are the values.
func DictField(args *plugins.Args, name string, lists bool) (*engine.Column, error) {
	col := engine.LookupColumn(args.Text(name))
	if col == nil {
		return nil, args.Error(name, "is not a field (see docs/fields.md)")
	}
	switch {
	case col.Enc == engine.EncDict && col.Field.Kind != signin.KindFloat:
		return col, nil
	case col.Enc == engine.EncList && lists:
		return col, nil
	}
	return nil, args.Error(name, fmt.Sprintf("holds %s values that are not compared as categories; use a field such as user, country, asn, app, ip, os", col.Field.Kind))
}

// Fold is the form in which the detections compare values: text
// without regard to case (user principal names, app names and country
// codes are case-insensitive in Entra ID). "" means no value.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// Text is a value's text for comparison, "" when null.
func Text(v result.Value) string {
	if v.IsNull() {
		return ""
	}
	return v.String()
}

// Query gives q the conditions (joined by and, the nil ones left out)
// and the time range [from, to) (Unix nanoseconds; open ends
// math.MinInt64 and math.MaxInt64), and returns it.
func Query(q *ast.Query, from, to int64, conds ...ast.Expr) *ast.Query {
	q.Where = ast.And(conds...)
	var f, t time.Time
	if from != math.MinInt64 {
		f = time.Unix(0, from)
	}
	if to != math.MaxInt64 {
		t = time.Unix(0, to)
	}
	return q.Within(f, t)
}

// Fields are fields by name, for a list's or a group by's.
func Fields(names ...string) []ast.Expr {
	out := make([]ast.Expr, len(names))
	for i, n := range names {
		out[i] = ast.Field(n)
	}
	return out
}

// Literal is a value as a query's condition compares with it: numbers
// and flags as words, text as text. ok is false for a null.
func Literal(v result.Value) (*ast.Literal, bool) {
	if v.IsNull() {
		return nil, false
	}
	switch v.Kind() {
	case signin.KindInt, signin.KindFloat, signin.KindBool:
		return ast.Word(v.String()), true
	}
	return ast.Str(v.String()), true
}

// In is the condition "field in (values...)" for a set of values
// keyed by their text (String), in the order of their text (so that
// the query does not depend on a map's order).
func In(field string, lits map[string]*ast.Literal) ast.Expr {
	vals := make([]*ast.Literal, 0, len(lits))
	for _, k := range slices.Sorted(maps.Keys(lits)) {
		vals = append(vals, lits[k])
	}
	return ast.IsIn(ast.Field(field), vals...)
}

// Add adds a value to a set of In's.
func Add(lits map[string]*ast.Literal, l *ast.Literal) { lits[l.String()] = l }

// Read reads which values of a field the keys had in [from, to)
// (Unix nanoseconds) from the snapshot, among the sign-ins of a status
// ("" for all): by folded key (Fold), the folded values the key had.
// A key that signed in (with the status asked for) without a value has
// an empty set, a key that did not sign in none. It reads the store's
// dictionary ids, not rows (engine.Snapshot.Combinations).
func Read(ctx context.Context, snap *engine.Snapshot, key, field *engine.Column, status string, from, to int64) (map[string]map[string]struct{}, error) {
	values := map[string]map[string]struct{}{}
	if from >= to {
		return values, nil
	}
	f, t := time.Unix(0, from), time.Time{}
	if to != math.MaxInt64 {
		t = time.Unix(0, to)
	}
	var where []engine.Match
	if status != "" {
		where = []engine.Match{{Col: engine.LookupColumn("status"), Value: result.StringValue(status)}}
	}
	// A part's combinations come by key: the last key's set serves
	// until the key changes. Keys and values repeat over the parts, and
	// values over keys: each text is folded once.
	sets := map[string]map[string]struct{}{} // by key as stored; nil for no key
	folded := map[string]string{}
	var lastKey string
	var last map[string]struct{}
	err := snap.Combinations(ctx, []*engine.Column{key, field}, f, t, where, func(vals []result.Value) error {
		if raw := Text(vals[0]); last == nil || raw != lastKey {
			set, ok := sets[raw]
			if !ok {
				if k := Fold(raw); k != "" {
					if set = values[k]; set == nil {
						set = map[string]struct{}{}
						values[k] = set
					}
				}
				sets[raw] = set
			}
			if set == nil {
				return nil // no key
			}
			last, lastKey = set, raw
		}
		raw := Text(vals[1])
		v, ok := folded[raw]
		if !ok {
			v = Fold(raw)
			folded[raw] = v
		}
		if v != "" {
			last[v] = struct{}{}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return values, nil
}
