package engine

import (
	"github.com/dgraph-io/ristretto/v2"
	"github.com/signinq/signinq/index"
)

// blockCache keeps decoded column blocks and checked bitmap bundles, so
// that a query that reads what an earlier one read neither reads the
// value log nor checks and decodes it again: the store's "warm" state.
// Parts never change and their ids are never reused, so an entry never
// goes stale; those of deleted parts are evicted like any other. Entries
// are shared: the vectors ReadBlock returns from it must not be modified,
// nor the bundles' bytes.
type blockCache struct {
	c *ristretto.Cache[uint64, cached]
}

// cached is what the cache holds: a *Vector, or a *cachedBundle.
type cached interface{ size() int64 }

// cachedBundle is a part's bundle of a column, with its own copy of the
// bytes it reads.
type cachedBundle struct{ b *index.Bundle }

func (c *cachedBundle) size() int64 { return 64 + c.b.Size() }

// bundleKey is a bundle's key in the cache, apart from the blocks'.
func bundleKey(part uint64, col uint16) uint64 { return 1<<63 | part<<24 | uint64(col)<<16 }

func (bc *blockCache) getBundle(key uint64) (*index.Bundle, bool) {
	if bc == nil {
		return nil, false
	}
	e, ok := bc.c.Get(key)
	if b, isBundle := e.(*cachedBundle); ok && isBundle {
		return b.b, true
	}
	return nil, false
}

func (bc *blockCache) putBundle(key uint64, b *index.Bundle) {
	if bc == nil {
		return
	}
	e := &cachedBundle{b}
	bc.c.Set(key, e, e.size())
}

// defaultBlockCache is the block cache's size unless Options say.
const defaultBlockCache = 256 << 20

func newBlockCache(size int64) (*blockCache, error) {
	if size < 0 {
		return nil, nil
	}
	if size == 0 {
		size = defaultBlockCache
	}
	c, err := ristretto.NewCache(&ristretto.Config[uint64, cached]{
		NumCounters: max(size/(16<<10), 1000), // about ten per block that fits
		MaxCost:     size,
		BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &blockCache{c: c}, nil
}

// blockKey is a block's key in the cache: part ids stay below 2^40.
func blockKey(part uint64, col uint16, block int) uint64 {
	return part<<24 | uint64(col)<<16 | uint64(block)
}

func (bc *blockCache) get(key uint64) (*Vector, bool) {
	if bc == nil {
		return nil, false
	}
	e, ok := bc.c.Get(key)
	v, isVector := e.(*Vector)
	return v, ok && isVector
}

func (bc *blockCache) put(key uint64, v *Vector) {
	if bc == nil {
		return
	}
	bc.c.Set(key, v, v.size())
}

func (bc *blockCache) close() {
	if bc != nil {
		bc.c.Close()
	}
}

// size is the memory a decoded block takes.
func (v *Vector) size() int64 {
	n := int64(96 + 4*len(v.IDs) + 4*len(v.Offsets) + 4*len(v.Elems) + 8*len(v.Ints))
	if v.Strings != nil {
		n += v.Strings.Size()
	}
	return n
}
