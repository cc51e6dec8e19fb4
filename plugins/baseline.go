package plugins

import (
	"context"
	"errors"
	"fmt"
	"math"
	mathbits "math/bits"
	"slices"
	"strings"
	"time"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

// This file holds what the detection stages (newvalue, travel, spikes)
// share: reading their arguments and input columns, and reading a
// baseline of past sign-ins from the snapshot.

// detColumn returns the index of the input column named name (without
// regard to case), else of the first column holding the catalog field
// name, else -1.
func detColumn(in []result.Column, name string) int {
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

// detStatuses are the words of a status argument: the sign-ins of a
// status, or of all (any, *).
var detStatuses = []string{"success", "failure", "interrupted", "all", "any", "*"}

// detStatus returns the status a status argument (of detStatuses)
// keeps: "" for all.
func detStatus(args *Args) string {
	switch w := args.Word("status"); w {
	case "all", "any", "*":
		return ""
	default:
		return w
	}
}

// detStatusWhere is the condition of Needs for a status from detStatus.
func detStatusWhere(status string) string {
	if status == "" {
		return ""
	}
	return "status=" + status
}

// detDictField returns the catalog column of the field argument name
// names, which a detection reads through its dictionary: string, integer
// and flag fields (user, country, asn, compliant), and with lists true,
// list fields (policy) whose elements are the values.
func detDictField(args *Args, name string, lists bool) (*engine.Column, error) {
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

// detFold is the form in which the detections compare values: text
// without regard to case (user principal names, app names and country
// codes are case-insensitive in Entra ID). "" means no value.
func detFold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// detText is a value's text for comparison, "" when null.
func detText(v result.Value) string {
	if v.IsNull() {
		return ""
	}
	return v.String()
}

// detWindow writes the time range [from, to) (Unix nanoseconds; open
// ends math.MinInt64 and math.MaxInt64) as a query's clauses: the
// between or since clause ("" for an open start), and a condition for an
// open start with an end ("" otherwise).
func detWindow(from, to int64) (clause, cond string) {
	ts := queryTime
	switch {
	case from != math.MinInt64 && to != math.MaxInt64:
		return "between " + ts(from) + " and " + ts(to), ""
	case from != math.MinInt64:
		return "since " + ts(from), ""
	case to != math.MaxInt64:
		return "", "time < " + ts(to)
	}
	return "", ""
}

// detQuery writes a query over the sign-ins of env's time range: heads,
// the conditions joined by and (empty ones left out), the window, and
// the clauses after it.
func detQuery(env *Env, heads string, conds []string, after string) string {
	clause, cond := detWindow(env.From, env.To)
	var where []string
	for _, c := range append(conds, cond) {
		if c != "" {
			where = append(where, c)
		}
	}
	q := heads
	if len(where) > 0 {
		q += " where " + strings.Join(where, " and ")
	}
	if clause != "" {
		q += " " + clause
	}
	if after != "" {
		q += " " + after
	}
	return q
}

// detLiteral is a value as a query's condition writes it: numbers as
// they are, flags as true or false, text quoted. ok is false for a null.
func detLiteral(v result.Value) (string, bool) {
	if v.IsNull() {
		return "", false
	}
	switch v.Kind() {
	case signin.KindInt, signin.KindFloat, signin.KindBool:
		return v.String(), true
	}
	return queryQuote(v.String()), true
}

// detIn is the condition "field in (values...)" for the literals of a
// set, in sorted order (so that the query's text does not depend on a
// map's order).
func detIn(field string, lits map[string]bool) string {
	list := make([]string, 0, len(lits))
	for l := range lits {
		list = append(list, l)
	}
	slices.Sort(list)
	return field + " in (" + strings.Join(list, ", ") + ")"
}

// baselineScan asks which values of a field the keys had in a time range
// of the store.
type baselineScan struct {
	key, field *engine.Column // key: EncDict; field: EncDict or EncList
	status     string         // the status of the sign-ins read; "" for all
	from, to   int64          // Unix nanoseconds, [from, to)
}

// baselineResult is what a baselineScan found.
type baselineResult struct {
	// values holds, by folded key (detFold), the folded values the key
	// had; a key that signed in (with the status asked for) without a
	// value has an empty set, a key that did not sign in none.
	values map[string]map[string]struct{}
	// rows counts the sign-ins read.
	rows int64
}

// baselineDense is the most (key id, value id) pairs of a part that a
// baselineScan marks in a bitmap rather than a map.
const baselineDense = 1 << 26

// run reads the baseline from the snapshot a part at a time: for each
// block in the range it reads the dictionary ids of the key and field
// columns (and status), marks the (key id, value id) pairs met, in a
// bitmap when the part's dictionaries are small enough and else in a
// map, and maps them to text once per part. It reads no raw record and
// builds no row.
func (b *baselineScan) run(ctx context.Context, snap *engine.Snapshot) (*baselineResult, error) {
	res := &baselineResult{values: map[string]map[string]struct{}{}}
	if b.from >= b.to {
		return res, nil
	}
	from, to := time.Unix(0, b.from), time.Unix(0, b.to)
	if b.to == math.MaxInt64 {
		to = time.Time{}
	}
	cols := []*engine.Column{b.key, b.field}
	statusCol := engine.LookupColumn("status")
	if b.status != "" {
		cols = append(cols, statusCol)
	}
	var vecs []engine.Vector
	for _, p := range snap.PartsBetween(from, to) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		lo, hi, err := snap.Rows(p, from, to)
		if err != nil {
			return nil, err
		}
		if lo >= hi || p.DictLen(b.key) == 0 {
			continue
		}
		statusID := uint32(0)
		if b.status != "" {
			if p.DictLen(statusCol) == 0 {
				continue
			}
			sd, err := snap.Dict(p, statusCol)
			if err != nil {
				return nil, err
			}
			id, ok := sd.Find(b.status)
			if !ok {
				continue // no sign-in of that status in the part
			}
			statusID = id
		}
		nKeys, nVals := p.DictLen(b.key), p.DictLen(b.field)
		present := make([]bool, nKeys)
		var dense []uint64
		var pairs map[uint64]struct{}
		if uint64(nKeys)*uint64(nVals) <= baselineDense {
			dense = make([]uint64, (nKeys*nVals+63)/64)
		} else {
			pairs = map[uint64]struct{}{}
		}
		mark := func(k, id uint32) {
			if dense != nil {
				i := int(k)*nVals + int(id)
				dense[i>>6] |= 1 << (i & 63)
			} else {
				pairs[uint64(k)<<32|uint64(id)] = struct{}{}
			}
		}
		first := uint32(0)
		for blk, h := range p.Blocks {
			start, end := first, first+uint32(h.Rows)
			first = end
			if end <= lo || start >= hi {
				continue
			}
			if vecs, err = snap.ReadBlock(p, blk, cols, vecs); err != nil {
				return nil, err
			}
			kv, fv := &vecs[0], &vecs[1]
			if kv.Absent || b.status != "" && vecs[2].Absent {
				continue
			}
			r0, r1 := max(lo, start)-start, min(hi, end)-start
			for r := r0; r < r1; r++ {
				if b.status != "" && vecs[2].IDs[r] != statusID {
					continue
				}
				k := kv.IDs[r]
				if int(k) >= nKeys {
					return nil, errors.New("baseline: a key id beyond its dictionary")
				}
				present[k] = true
				res.rows++
				switch {
				case fv.Absent:
				case b.field.Enc == engine.EncList:
					for _, id := range fv.Elems[fv.Offsets[r]:fv.Offsets[r+1]] {
						if int(id) >= nVals {
							return nil, errors.New("baseline: a value id beyond its dictionary")
						}
						mark(k, id)
					}
				default:
					if int(fv.IDs[r]) >= nVals {
						return nil, errors.New("baseline: a value id beyond its dictionary")
					}
					mark(k, fv.IDs[r])
				}
			}
		}
		keyDict, err := snap.Dict(p, b.key)
		if err != nil {
			return nil, err
		}
		keys := make([]map[string]struct{}, nKeys)
		for id, ok := range present {
			if !ok {
				continue
			}
			k := detFold(detText(b.key.DictValue(keyDict, uint32(id))))
			if k == "" {
				continue
			}
			if keys[id] = res.values[k]; keys[id] == nil {
				keys[id] = map[string]struct{}{}
				res.values[k] = keys[id]
			}
		}
		if nVals == 0 {
			continue
		}
		fieldDict, err := snap.Dict(p, b.field)
		if err != nil {
			return nil, err
		}
		text := make([]string, nVals)
		done := make([]bool, nVals)
		add := func(k, id uint32) {
			if keys[k] == nil {
				return
			}
			if !done[id] {
				text[id] = detFold(detText(b.field.DictValue(fieldDict, id)))
				done[id] = true
			}
			if text[id] != "" {
				keys[k][text[id]] = struct{}{}
			}
		}
		if dense != nil {
			for w, bits := range dense {
				for bits != 0 {
					i := w*64 + mathbits.TrailingZeros64(bits)
					bits &= bits - 1
					add(uint32(i/nVals), uint32(i%nVals))
				}
			}
		} else {
			for pair := range pairs {
				add(uint32(pair>>32), uint32(pair))
			}
		}
	}
	return res, nil
}
