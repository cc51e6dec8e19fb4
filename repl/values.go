package repl

import (
	"cmp"
	"slices"
	"sync"

	"github.com/signinq/signinq/engine"
)

// valueCache holds, for each field stored with a dictionary, its values
// in the whole store and how many sign-ins have each
// (engine.Snapshot.Values: the parts' dictionaries and their bitmaps'
// counts, no sign-in read): what completion offers after "field =", and
// \fields's common values. They are read on first use and kept until the
// store changes (reset). It is safe for concurrent use.
type valueCache struct {
	db     *engine.DB
	mu     sync.Mutex
	fields map[string]*fieldValues // by field name; nil: no dictionary
}

// fieldValues are a field's values as results print them
// (engine.Value.String), in the store's order (text bytewise, numbers
// ascending, false before true), and the sign-ins having each.
type fieldValues struct {
	texts  []string
	counts []uint64
}

func newValueCache(db *engine.DB) *valueCache {
	return &valueCache{db: db, fields: map[string]*fieldValues{}}
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
	fv, err := c.field(field)
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
		fv, err := c.field(col.Field.Name)
		if err != nil {
			return nil, err
		}
		if fv == nil {
			continue
		}
		idx := make([]int, len(fv.texts))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(fv.counts[b], fv.counts[a]) })
		for _, i := range idx[:min(n, len(idx))] {
			out[col.Field.Name] = append(out[col.Field.Name], fv.texts[i])
		}
	}
	return out, nil
}

// field returns a field's values, reading them on first use; nil for a
// field without a dictionary.
func (c *valueCache) field(name string) (*fieldValues, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fv, ok := c.fields[name]; ok {
		return fv, nil
	}
	col := engine.LookupColumn(name)
	if col == nil || col.Enc != engine.EncDict && col.Enc != engine.EncList {
		return nil, nil
	}
	var vcs []engine.ValueCount
	err := c.db.View(func(s *engine.Snapshot) error {
		var err error
		vcs, err = s.Values(col)
		return err
	})
	if err != nil {
		return nil, err
	}
	fv := &fieldValues{texts: make([]string, len(vcs)), counts: make([]uint64, len(vcs))}
	for i, vc := range vcs {
		fv.texts[i], fv.counts[i] = vc.Value.String(), vc.Signins
	}
	c.fields[name] = fv
	return fv, nil
}
