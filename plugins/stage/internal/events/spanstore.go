package events

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/index"
	"github.com/signinq/signinq/plugins"
)

// SpanSuccess is what the store holds of the successes of one span:
// how many there are, and the distinct non-empty values of a field
// (the users of an address's successes) as stored, sorted.
type SpanSuccess struct {
	N      int64
	Values []string
}

// StoreSpanSuccesses reads from the snapshot what SpanAggregates asks
// the store for with "count, values(of) ... group by field": for each
// span, the successes whose field holds the span's key exactly (as
// stored: the aggregate's group must be the key), whose time falls
// within the span and within the query's range [env.From, env.To), and
// whose status is success without regard to case and whose error is
// not one of codes. It reads them by dictionary id and bitmap, a part
// at a time, and decodes the of column only for the rows found: where
// a query with a condition per span evaluates each condition over the
// part's dictionary, it costs a dictionary lookup and a few bitmap
// operations per span and part. ok is false when env has no snapshot:
// then the caller asks env.Query (SpanAggregates). field and of must
// be indexed string columns (ip, user).
func StoreSpanSuccesses(ctx context.Context, env *plugins.Env, field, of string, spans []Span, codes []int64) (_ []SpanSuccess, ok bool, err error) {
	if env == nil || env.Snapshot == nil {
		return nil, false, nil
	}
	snap := env.Snapshot
	keyCol, ofCol := engine.LookupColumn(field), engine.LookupColumn(of)
	statusCol, errorCol := engine.LookupColumn("status"), engine.LookupColumn("error")
	out := make([]SpanSuccess, len(spans))
	// The spans within the query's range, by start.
	type item struct {
		i int // in spans
		s Span
	}
	var in []item
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for i, s := range spans {
		s.From = max(s.From, env.From)
		if env.To != math.MaxInt64 { // else open
			s.To = min(s.To, env.To-1)
		}
		if s.Key != "" && s.From <= s.To {
			in = append(in, item{i, s})
			lo, hi = min(lo, s.From), max(hi, s.To)
		}
	}
	if len(in) == 0 {
		return out, true, nil
	}
	slices.SortFunc(in, func(a, b item) int { return cmp.Compare(a.s.From, b.s.From) })
	sets := make([]map[string]struct{}, len(spans))
	var vecs []engine.Vector
	for _, p := range snap.PartsBetween(timeOf(lo), timeOf(AddSat(hi, 1))) {
		// The spans that overlap the part.
		var here []item
		for _, it := range in {
			if it.s.From > p.MaxTime {
				break
			}
			if it.s.To >= p.MinTime {
				here = append(here, it)
			}
		}
		if len(here) == 0 || p.DictLen(keyCol) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, true, err
		}
		keys, err := snap.Dict(p, keyCol)
		if err != nil {
			return nil, true, err
		}
		var succ *roaring.Bitmap // the part's successes, read at the first key found
		var ofDict *index.Dict
		for _, it := range here {
			id, found := keys.Find(it.s.Key)
			if !found {
				continue
			}
			if succ == nil {
				if succ, err = successRows(snap, p, statusCol, errorCol, codes); err != nil {
					return nil, true, err
				}
				if p.DictLen(ofCol) > 0 {
					if ofDict, err = snap.Dict(p, ofCol); err != nil {
						return nil, true, err
					}
				}
			}
			if succ.IsEmpty() {
				break
			}
			r0, r1, err := snap.Rows(p, timeOf(it.s.From), timeOf(AddSat(it.s.To, 1)))
			if err != nil {
				return nil, true, err
			}
			if r0 >= r1 {
				continue
			}
			rows, err := snap.Bitmap(p, keyCol, id)
			if err != nil {
				return nil, true, err
			}
			rows.And(succ)
			rows.RemoveRange(0, uint64(r0))
			rows.RemoveRange(uint64(r1), math.MaxUint32+1)
			n := rows.GetCardinality()
			if n == 0 {
				continue
			}
			out[it.i].N += int64(n)
			if ofDict == nil {
				continue // no values of the field in the part
			}
			set := sets[it.i]
			if set == nil {
				set = map[string]struct{}{}
				sets[it.i] = set
			}
			block := -1
			iter := rows.Iterator()
			for iter.HasNext() {
				r := iter.Next()
				if b := int(r >> 16); b != block {
					if vecs, err = snap.ReadBlock(p, b, []*engine.Column{ofCol}, vecs); err != nil {
						return nil, true, err
					}
					block = b
				}
				if v := vecs[0].Value(ofDict, r&0xffff); !v.IsNull() {
					if s := v.String(); s != "" {
						set[s] = struct{}{}
					}
				}
			}
		}
	}
	for i, set := range sets {
		for s := range set {
			out[i].Values = append(out[i].Values, s)
		}
		slices.Sort(out[i].Values)
	}
	return out, true, nil
}

// successRows returns the rows of part p that succeeded (their status is
// success, without regard to case) with an error not one of codes, as
// "status=success and not error in (codes)" selects them.
func successRows(snap *engine.Snapshot, p *engine.Part, statusCol, errorCol *engine.Column, codes []int64) (*roaring.Bitmap, error) {
	if p.DictLen(statusCol) == 0 {
		return roaring.New(), nil
	}
	statuses, err := snap.Dict(p, statusCol)
	if err != nil {
		return nil, err
	}
	ids := statuses.Matching(nil, func(s string) bool { return strings.EqualFold(s, "success") })
	if len(ids) == 0 {
		return roaring.New(), nil
	}
	succ, err := snap.Bitmap(p, statusCol, ids...)
	if err != nil || succ.IsEmpty() || p.DictLen(errorCol) == 0 {
		return succ, err
	}
	errs, err := snap.Dict(p, errorCol)
	if err != nil {
		return nil, err
	}
	var bad []uint32
	for _, c := range codes {
		if id, ok := errs.FindInt(c); ok {
			bad = append(bad, id)
		}
	}
	if len(bad) > 0 {
		failed, err := snap.Bitmap(p, errorCol, bad...)
		if err != nil {
			return nil, err
		}
		succ.AndNot(failed)
	}
	return succ, nil
}

// timeOf is a time in Unix nanoseconds as a time.Time.
func timeOf(ns int64) time.Time { return time.Unix(0, ns) }
