package repl

import (
	"context"
	"slices"
	"sync"

	"github.com/signinq/signinq/engine"
)

// valueCache holds, for each field stored with a dictionary, its values
// in the whole store (engine.Snapshot.Values: the parts' dictionaries,
// no sign-in read), and for \fields how many sign-ins have each (the
// bitmaps' counts): what completion offers after "field =", and
// \fields's common values. They are read on first use and kept until the
// store changes (reset). It is safe for concurrent use.
type valueCache struct {
	store  Store
	mu     sync.Mutex
	fields map[string]*fieldValues // by field name; nil: no dictionary
}

// fieldValues are a field's values as results print them
// (result.Value.String), in the store's order (text bytewise, numbers
// ascending, false before true), and, when counted, the sign-ins having
// each.
type fieldValues struct {
	texts   []string
	counts  []uint64
	counted bool
}

func newValueCache(store Store) *valueCache {
	return &valueCache{store: store, fields: map[string]*fieldValues{}}
}

// reset forgets the values read: the store changed (\ingest).
func (c *valueCache) reset() {
	c.mu.Lock()
	c.fields = map[string]*fieldValues{}
	c.mu.Unlock()
}

// of returns the distinct values of a field in the store as text; nil
// for a field stored without a dictionary (times, measures,
// identifiers) or when the store cannot be read.
func (c *valueCache) of(field string) []string {
	fv, err := c.field(field, false)
	if err != nil || fv == nil {
		return nil
	}
	return fv.texts
}

// common returns, for each field with bitmaps, its n values held by the
// most sign-ins of the store, most first (ties in the store's order).
func (c *valueCache) common(n int) (map[string][]string, error) {
	out := map[string][]string{}
	for _, col := range engine.Columns() {
		if col.Field == nil || !col.Indexed {
			continue
		}
		fv, err := c.field(col.Field.Name, true)
		if err != nil {
			return nil, err
		}
		if fv == nil {
			continue
		}
		for _, i := range fv.top(n) {
			out[col.Field.Name] = append(out[col.Field.Name], fv.texts[i])
		}
	}
	return out, nil
}

// top returns the indexes of the n values the most sign-ins have, most
// first, ties in the store's order.
func (fv *fieldValues) top(n int) []int {
	var best []int
	for i, c := range fv.counts {
		if len(best) == n && c <= fv.counts[best[n-1]] {
			continue
		}
		at := len(best)
		for at > 0 && c > fv.counts[best[at-1]] {
			at--
		}
		best = slices.Insert(best, at, i)
		best = best[:min(len(best), n)]
	}
	return best
}

// field returns a field's values, and with counts the sign-ins having
// each, reading them on first use; nil for a field without a
// dictionary.
func (c *valueCache) field(name string, counts bool) (*fieldValues, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fv, ok := c.fields[name]; ok && (fv == nil || fv.counted || !counts) {
		return fv, nil
	}
	col := engine.LookupColumn(name)
	if col == nil || !col.HasDict() {
		c.fields[name] = nil
		return nil, nil
	}
	vcs, err := c.store.Values(context.Background(), name, counts)
	if err != nil {
		return nil, err
	}
	fv := &fieldValues{texts: make([]string, len(vcs)), counts: make([]uint64, len(vcs)), counted: counts}
	for i, vc := range vcs {
		fv.texts[i], fv.counts[i] = vc.Text, vc.Signins
	}
	c.fields[name] = fv
	return fv, nil
}
